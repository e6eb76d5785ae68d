/*
 * Copyright (c) 2026 The ovs-eswitch authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#include <config.h>

#include "emu-pipeline.h"

#include <string.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "util.h"

/* IPv4 header, byte offsets. */
#define EMU_IP4_TOS 1
#define EMU_IP4_TOT_LEN 2
#define EMU_IP4_FRAG_OFF 6
#define EMU_IP4_TTL 8
#define EMU_IP4_PROTO 9
#define EMU_IP4_CSUM 10
#define EMU_IP4_SRC 12
#define EMU_IP4_DST 16
#define EMU_IP4_MIN_LEN 20

/* IPv6 header, byte offsets. */
#define EMU_IP6_PLEN 4
#define EMU_IP6_NEXT 6
#define EMU_IP6_HLIM 7
#define EMU_IP6_SRC 8
#define EMU_IP6_DST 24
#define EMU_IP6_LEN 40
#define EMU_IP6_FRAG_LEN 8
#define EMU_IP6_OFFSET_MASK 0xfff8

/* IPv6 next headers. */
#define EMU_NEXTHDR_HOP 0
#define EMU_NEXTHDR_ROUTING 43
#define EMU_NEXTHDR_FRAGMENT 44
#define EMU_NEXTHDR_AUTH 51
#define EMU_NEXTHDR_NONE 59
#define EMU_NEXTHDR_DEST 60

/* L4 header lengths and checksum offsets. */
#define EMU_TCP_LEN 20
#define EMU_TCP_CSUM 16
#define EMU_UDP_LEN 8
#define EMU_UDP_CSUM 6
#define EMU_ICMP_LEN 8
#define EMU_ICMP_CSUM 2

/* ARP for Ethernet and IPv4. */
#define EMU_ARP_HDR_LEN 8
#define EMU_ARP_BODY_LEN 20

/* The kernel's bound on headers per dissection (MAX_FLOW_DISSECT_HDRS). */
#define EMU_MAX_HDRS 15

#define EMU_VLAN_LEN 4

/* Unaligned accessors. */

static ovs_be16
emu_get_be16(const uint8_t *p)
{
    ovs_be16 x;

    memcpy(&x, p, sizeof x);
    return x;
}

static ovs_be32
emu_get_be32(const uint8_t *p)
{
    ovs_be32 x;

    memcpy(&x, p, sizeof x);
    return x;
}

static void
emu_put_be16(uint8_t *p, ovs_be16 x)
{
    memcpy(p, &x, sizeof x);
}

/* Returns true if 'n' bytes at offset 'ofs' are inside a frame of 'size'
 * bytes. */
static bool
emu_has(size_t size, size_t ofs, size_t n)
{
    return ofs <= size && n <= size - ofs;
}

/* Parsing. */

static bool
emu_proto_has_ports(uint8_t ip_proto, size_t *port_ofs)
{
    switch (ip_proto) {
    case IPPROTO_TCP:
    case IPPROTO_UDP:
    case IPPROTO_DCCP:
    case IPPROTO_ESP:
    case IPPROTO_SCTP:
    case IPPROTO_UDPLITE:
        *port_ofs = 0;
        return true;

    case IPPROTO_AH:
        *port_ofs = 4;
        return true;

    default:
        return false;
    }
}

/* Parses the L4 header of protocol 'ip_proto' at 'l4' into 'key'. */
static void
emu_parse_l4(const uint8_t *p, size_t size, size_t l4, uint8_t ip_proto,
             struct emu_flow_key *key)
{
    size_t port_ofs;

    if (ip_proto == IPPROTO_TCP && emu_has(size, l4, EMU_TCP_LEN)
        && (p[l4 + 12] >> 4) >= 5) {
        key->tcp_flags = emu_get_be16(p + l4 + 12) & htons(0x0fff);
    } else if ((ip_proto == IPPROTO_ICMP || ip_proto == IPPROTO_ICMPV6)
               && emu_has(size, l4, EMU_ICMP_LEN)) {
        key->icmp_type = p[l4];
        key->icmp_code = p[l4 + 1];
    }
    if (emu_proto_has_ports(ip_proto, &port_ofs)
        && emu_has(size, l4 + port_ofs, 4)) {
        key->tp_src = emu_get_be16(p + l4 + port_ofs);
        key->tp_dst = emu_get_be16(p + l4 + port_ofs + 2);
    }
}

static void
emu_parse_ipv4(const uint8_t *p, size_t size, size_t l3,
               struct emu_flow_key *key)
{
    if (!emu_has(size, l3, EMU_IP4_MIN_LEN) || IP_IHL(p[l3]) < 5) {
        return;
    }

    const uint8_t *ip = p + l3;
    uint16_t frag_off = ntohs(emu_get_be16(ip + EMU_IP4_FRAG_OFF));

    key->ip_proto = ip[EMU_IP4_PROTO];
    key->ip_tos = ip[EMU_IP4_TOS];
    key->ip_ttl = ip[EMU_IP4_TTL];
    key->ipv4_src = emu_get_be32(ip + EMU_IP4_SRC);
    key->ipv4_dst = emu_get_be32(ip + EMU_IP4_DST);
    if (frag_off & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
        key->ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
        if (!(frag_off & IP_FRAG_OFF_MASK)) {
            key->ip_flags |= ESW_FLOWER_IP_FLAG_FIRSTFRAG;
        }
        return;
    }
    emu_parse_l4(p, size, l3 + IP_IHL(ip[0]) * 4, key->ip_proto, key);
}

static void
emu_parse_ipv6(const uint8_t *p, size_t size, size_t l3,
               struct emu_flow_key *key)
{
    if (!emu_has(size, l3, EMU_IP6_LEN)) {
        return;
    }

    const uint8_t *ip = p + l3;
    uint8_t next = ip[EMU_IP6_NEXT];
    size_t ofs = l3 + EMU_IP6_LEN;

    key->ip_tos = ((ip[0] & 0x0f) << 4) | (ip[1] >> 4);
    key->ip_ttl = ip[EMU_IP6_HLIM];
    memcpy(&key->ipv6_src, ip + EMU_IP6_SRC, sizeof key->ipv6_src);
    memcpy(&key->ipv6_dst, ip + EMU_IP6_DST, sizeof key->ipv6_dst);

    for (int n = 0; n < EMU_MAX_HDRS; n++) {
        key->ip_proto = next;
        if (next == EMU_NEXTHDR_HOP || next == EMU_NEXTHDR_ROUTING
            || next == EMU_NEXTHDR_DEST) {
            if (!emu_has(size, ofs, 2)) {
                return;
            }
            next = p[ofs];
            ofs += (p[ofs + 1] + 1) * 8;
        } else if (next == EMU_NEXTHDR_FRAGMENT) {
            if (!emu_has(size, ofs, EMU_IP6_FRAG_LEN)) {
                return;
            }
            key->ip_proto = p[ofs];
            key->ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
            if (!(ntohs(emu_get_be16(p + ofs + 2)) & EMU_IP6_OFFSET_MASK)) {
                key->ip_flags |= ESW_FLOWER_IP_FLAG_FIRSTFRAG;
            }
            return;
        } else {
            emu_parse_l4(p, size, ofs, next, key);
            return;
        }
    }
}

static void
emu_parse_arp(const uint8_t *p, size_t size, size_t l3,
              struct emu_flow_key *key)
{
    if (!emu_has(size, l3, EMU_ARP_HDR_LEN + EMU_ARP_BODY_LEN)) {
        return;
    }

    const uint8_t *arp = p + l3;
    uint16_t op = ntohs(emu_get_be16(arp + 6));

    if (emu_get_be16(arp) != htons(ARP_HRD_ETHERNET)
        || emu_get_be16(arp + 2) != htons(ETH_TYPE_IP)
        || arp[4] != ETH_ADDR_LEN || arp[5] != 4
        || (op != ARP_OP_REQUEST && op != ARP_OP_REPLY)) {
        return;
    }

    const uint8_t *body = arp + EMU_ARP_HDR_LEN;
    key->arp_op = op & 0xff;
    memcpy(&key->arp_sha, body, ETH_ADDR_LEN);
    key->arp_sip = emu_get_be32(body + 6);
    memcpy(&key->arp_tha, body + 10, ETH_ADDR_LEN);
    key->arp_tip = emu_get_be32(body + 16);
}

/* Finds the L3 header of the frame 'p' of 'size' bytes, after the Ethernet
 * header and every VLAN tag.  Returns its offset and stores its EtherType
 * in '*proto', or returns 0 if the frame ends first. */
static size_t
emu_find_l3(const uint8_t *p, size_t size, ovs_be16 *proto)
{
    size_t ofs = ETH_ADDR_LEN * 2;

    if (!emu_has(size, ofs, 2)) {
        return 0;
    }
    *proto = emu_get_be16(p + ofs);
    ofs += 2;
    while (eth_type_vlan(*proto)) {
        if (!emu_has(size, ofs, EMU_VLAN_LEN)) {
            return 0;
        }
        *proto = emu_get_be16(p + ofs + 2);
        ofs += EMU_VLAN_LEN;
    }
    return ofs;
}

void
emu_pipeline_parse(const struct dp_packet *packet, uint32_t in_port,
                   struct emu_flow_key *key)
{
    const uint8_t *p = dp_packet_data(packet);
    size_t size = dp_packet_size(packet);

    memset(key, 0, sizeof *key);
    key->in_port = in_port;
    if (size < ETH_HEADER_LEN) {
        return;
    }

    memcpy(&key->eth_dst, p, ETH_ADDR_LEN);
    memcpy(&key->eth_src, p + ETH_ADDR_LEN, ETH_ADDR_LEN);
    key->eth_type = emu_get_be16(p + 2 * ETH_ADDR_LEN);

    ovs_be16 proto = key->eth_type;
    size_t ofs = ETH_HEADER_LEN;
    if (eth_type_vlan(proto)) {
        if (!emu_has(size, ofs, EMU_VLAN_LEN)) {
            key->n_proto = proto;
            return;
        }
        uint16_t tci = ntohs(emu_get_be16(p + ofs));
        key->vlan_id = tci & VLAN_VID_MASK;
        key->vlan_prio = (tci & VLAN_PCP_MASK) >> VLAN_PCP_SHIFT;
        key->vlan_eth_type = emu_get_be16(p + ofs + 2);
    }
    ofs = emu_find_l3(p, size, &proto);
    key->n_proto = proto;
    if (!ofs) {
        return;
    }

    if (proto == htons(ETH_TYPE_IP)) {
        emu_parse_ipv4(p, size, ofs, key);
    } else if (proto == htons(ETH_TYPE_IPV6)) {
        emu_parse_ipv6(p, size, ofs, key);
    } else if (proto == htons(ETH_TYPE_ARP) || proto == htons(ETH_TYPE_RARP)) {
        emu_parse_arp(p, size, ofs, key);
    }
}

/* vlan. */

/* Executes a vlan action on 'packet'.  Returns false if the packet must be
 * dropped. */
static bool
emu_exec_vlan(struct dp_packet *packet, const struct emu_flow_action *a)
{
    size_t size = dp_packet_size(packet);
    uint8_t *p = dp_packet_data(packet);
    size_t tpid_ofs = 2 * ETH_ADDR_LEN;
    bool tagged = (size >= ETH_HEADER_LEN
                   && eth_type_vlan(emu_get_be16(p + tpid_ofs)));
    uint16_t tci;

    switch (a->vlan.action) {
    case TCA_VLAN_ACT_POP:
        if (!tagged) {
            return true;
        } else if (size < ETH_HEADER_LEN + EMU_VLAN_LEN) {
            return false;
        }
        memmove(p + EMU_VLAN_LEN, p, 2 * ETH_ADDR_LEN);
        dp_packet_pull(packet, EMU_VLAN_LEN);
        return true;

    case TCA_VLAN_ACT_PUSH:
        if (size < ETH_HEADER_LEN) {
            return false;
        }
        p = dp_packet_push_uninit(packet, EMU_VLAN_LEN);
        memmove(p, p + EMU_VLAN_LEN, 2 * ETH_ADDR_LEN);
        tci = a->vlan.id | (a->vlan.prio << VLAN_PCP_SHIFT);
        emu_put_be16(p + tpid_ofs, a->vlan.proto);
        emu_put_be16(p + tpid_ofs + 2, htons(tci));
        return true;

    case TCA_VLAN_ACT_MODIFY:
        if (!tagged) {
            return true;
        } else if (size < ETH_HEADER_LEN + EMU_VLAN_LEN) {
            return false;
        }
        tci = ntohs(emu_get_be16(p + tpid_ofs + 2));
        tci = (tci & ~VLAN_VID_MASK) | a->vlan.id;
        if (!a->vlan.keep_prio) {
            tci = (tci & ~VLAN_PCP_MASK) | (a->vlan.prio << VLAN_PCP_SHIFT);
        }
        emu_put_be16(p + tpid_ofs, a->vlan.proto);
        emu_put_be16(p + tpid_ofs + 2, htons(tci));
        return true;

    default:
        return false;
    }
}

/* pedit. */

static bool
emu_ipv6_ext_hdr(uint8_t next)
{
    return (next == EMU_NEXTHDR_HOP || next == EMU_NEXTHDR_ROUTING
            || next == EMU_NEXTHDR_FRAGMENT || next == EMU_NEXTHDR_AUTH
            || next == EMU_NEXTHDR_DEST);
}

/* Finds the header 'target' after the IPv6 header at 'l3', as the kernel's
 * ipv6_find_hdr() does, and returns true and its offset in '*ofs'. */
static bool
emu_ipv6_find_hdr(const uint8_t *p, size_t size, size_t l3, uint8_t target,
                  size_t *ofs)
{
    if (!emu_has(size, l3, EMU_IP6_LEN)) {
        return false;
    }

    uint8_t next = p[l3 + EMU_IP6_NEXT];
    size_t start = l3 + EMU_IP6_LEN;

    while (next != target) {
        size_t hdrlen;

        if (!emu_ipv6_ext_hdr(next) || !emu_has(size, start, 2)) {
            return false;
        }
        if (next == EMU_NEXTHDR_FRAGMENT) {
            if (!emu_has(size, start, 4)
                || ntohs(emu_get_be16(p + start + 2)) & EMU_IP6_OFFSET_MASK) {
                return false;
            }
            hdrlen = EMU_IP6_FRAG_LEN;
        } else if (next == EMU_NEXTHDR_AUTH) {
            hdrlen = (p[start + 1] + 2) * 4;
        } else {
            hdrlen = (p[start + 1] + 1) * 8;
        }
        next = p[start];
        start += hdrlen;
    }
    *ofs = start;
    return true;
}

/* Stores in '*ofs' the offset of the header of pedit type 'htype' in
 * 'packet', as the kernel's pedit_skb_hdr_offset() does, and returns true,
 * or returns false if the packet has no such header. */
static bool
emu_pedit_header_offset(const struct dp_packet *packet, uint8_t htype,
                        size_t *ofs)
{
    const uint8_t *p = dp_packet_data(packet);
    size_t size = dp_packet_size(packet);
    ovs_be16 proto;
    size_t l3;

    if (htype == TCA_PEDIT_KEY_EX_HDR_TYPE_ETH) {
        *ofs = 0;
        return true;
    }
    l3 = emu_find_l3(p, size, &proto);
    if (!l3) {
        return false;
    }

    switch (htype) {
    case TCA_PEDIT_KEY_EX_HDR_TYPE_NETWORK:
    case TCA_PEDIT_KEY_EX_HDR_TYPE_IP4:
    case TCA_PEDIT_KEY_EX_HDR_TYPE_IP6:
        *ofs = l3;
        return true;

    case TCA_PEDIT_KEY_EX_HDR_TYPE_TCP:
    case TCA_PEDIT_KEY_EX_HDR_TYPE_UDP:
        if (proto == htons(ETH_TYPE_IP)) {
            if (!emu_has(size, l3, EMU_IP4_MIN_LEN)) {
                return false;
            }
            *ofs = l3 + IP_IHL(p[l3]) * 4;
            return true;
        } else if (proto == htons(ETH_TYPE_IPV6)) {
            uint8_t target = (htype == TCA_PEDIT_KEY_EX_HDR_TYPE_TCP
                              ? IPPROTO_TCP : IPPROTO_UDP);
            return emu_ipv6_find_hdr(p, size, l3, target, ofs);
        }
        return false;

    default:
        return false;
    }
}

static void
emu_exec_pedit(struct dp_packet *packet,
               const struct emu_flow_actions *actions,
               const struct emu_flow_action *a)
{
    for (size_t i = 0; i < a->pedit.n_keys; i++) {
        const struct emu_flow_pedit_key *k
            = &actions->pedit_keys[a->pedit.first_key + i];
        int64_t ofs;
        size_t hofs;

        if (!emu_pedit_header_offset(packet, k->htype, &hofs)) {
            return;
        }
        ofs = (int64_t) hofs + (int32_t) k->offset;
        if (ofs < 0 || !emu_has(dp_packet_size(packet), ofs, 4)) {
            return;
        }

        uint8_t *word = (uint8_t *) dp_packet_data(packet) + ofs;
        uint32_t cur, val;

        memcpy(&cur, word, sizeof cur);
        val = (k->cmd == TCA_PEDIT_KEY_EX_CMD_ADD
               ? (cur + k->val) & ~k->mask
               : k->val);
        cur = (cur & k->mask) ^ val;
        memcpy(word, &cur, sizeof cur);
    }
}

/* csum. */

/* Returns the partial checksum of the IPv4 pseudo-header. */
static uint32_t
emu_csum_pseudo4(const uint8_t *ip, uint8_t proto, size_t len)
{
    uint32_t partial = 0;

    partial = csum_add32(partial, emu_get_be32(ip + EMU_IP4_SRC));
    partial = csum_add32(partial, emu_get_be32(ip + EMU_IP4_DST));
    partial = csum_add16(partial, htons(proto));
    return csum_add16(partial, htons(len));
}

/* Returns the partial checksum of the IPv6 pseudo-header. */
static uint32_t
emu_csum_pseudo6(const uint8_t *ip, uint8_t proto, size_t len)
{
    uint32_t partial = csum_continue(0, ip + EMU_IP6_SRC, 32);

    partial = csum_add32(partial, htonl(len));
    return csum_add32(partial, htonl(proto));
}

/* The L4 header of 'hdr_len' bytes at 'l4' of a packet whose IP header at
 * 'l3' is 'ihl' bytes and the whole IP packet 'ipl' bytes, as
 * tcf_csum_skb_nextlayer() checks it; NULL if the packet is too short. */
static uint8_t *
emu_csum_l4(struct dp_packet *packet, size_t l3, size_t ihl, size_t ipl,
            size_t hdr_len)
{
    if (!emu_has(dp_packet_size(packet), l3, ipl) || ipl < ihl + hdr_len) {
        return NULL;
    }
    return (uint8_t *) dp_packet_data(packet) + l3 + ihl;
}

/* Recomputes the checksum of the L4 segment 'l4' of 'len' bytes, at offset
 * 'csum_ofs' in it, with 'pseudo' the partial checksum of its
 * pseudo-header (0 for none). */
static void
emu_csum_segment(uint8_t *l4, size_t len, size_t csum_ofs, uint32_t pseudo)
{
    emu_put_be16(l4 + csum_ofs, 0);
    emu_put_be16(l4 + csum_ofs, csum_finish(csum_continue(pseudo, l4, len)));
}

/* Recomputes a UDP checksum as tcf_csum_ipv{4,6}_udp() do. */
static void
emu_csum_udp(uint8_t *udp, size_t len, uint32_t pseudo)
{
    if (ntohs(emu_get_be16(udp + 4)) != len) {
        emu_put_be16(udp + EMU_UDP_CSUM, 0);
        return;
    }
    emu_csum_segment(udp, len, EMU_UDP_CSUM, pseudo);
    if (!emu_get_be16(udp + EMU_UDP_CSUM)) {
        emu_put_be16(udp + EMU_UDP_CSUM, OVS_BE16_MAX);
    }
}

/* tcf_csum_ipv4(): returns false if the packet must be dropped. */
static bool
emu_csum_ipv4(struct dp_packet *packet, size_t l3, uint32_t flags)
{
    if (!emu_has(dp_packet_size(packet), l3, EMU_IP4_MIN_LEN)) {
        return false;
    }

    uint8_t *ip = (uint8_t *) dp_packet_data(packet) + l3;
    size_t ihl = IP_IHL(ip[0]) * 4;
    size_t ipl = ntohs(emu_get_be16(ip + EMU_IP4_TOT_LEN));
    uint16_t frag_off = ntohs(emu_get_be16(ip + EMU_IP4_FRAG_OFF));
    uint8_t proto = frag_off & IP_FRAG_OFF_MASK ? 0 : ip[EMU_IP4_PROTO];
    uint8_t *l4;

    switch (proto) {
    case IPPROTO_ICMP:
        if (flags & TCA_CSUM_UPDATE_FLAG_ICMP) {
            l4 = emu_csum_l4(packet, l3, ihl, ipl, EMU_ICMP_LEN);
            if (!l4) {
                return false;
            }
            emu_csum_segment(l4, ipl - ihl, EMU_ICMP_CSUM, 0);
        }
        break;

    case IPPROTO_TCP:
        if (flags & TCA_CSUM_UPDATE_FLAG_TCP) {
            l4 = emu_csum_l4(packet, l3, ihl, ipl, EMU_TCP_LEN);
            if (!l4) {
                return false;
            }
            emu_csum_segment(l4, ipl - ihl, EMU_TCP_CSUM,
                             emu_csum_pseudo4(ip, IPPROTO_TCP, ipl - ihl));
        }
        break;

    case IPPROTO_UDP:
        if (flags & TCA_CSUM_UPDATE_FLAG_UDP) {
            l4 = emu_csum_l4(packet, l3, ihl, ipl, EMU_UDP_LEN);
            if (!l4) {
                return false;
            }
            if (emu_get_be16(l4 + EMU_UDP_CSUM)) {
                emu_csum_udp(l4, ipl - ihl,
                             emu_csum_pseudo4(ip, IPPROTO_UDP, ipl - ihl));
            }
        }
        break;

    default:
        break;
    }

    if (flags & TCA_CSUM_UPDATE_FLAG_IPV4HDR) {
        if (ihl < EMU_IP4_MIN_LEN
            || !emu_has(dp_packet_size(packet), l3, ihl)) {
            return false;
        }
        emu_put_be16(ip + EMU_IP4_CSUM, 0);
        emu_put_be16(ip + EMU_IP4_CSUM, csum(ip, ihl));
    }
    return true;
}

/* tcf_csum_ipv6(): returns false if the packet must be dropped. */
static bool
emu_csum_ipv6(struct dp_packet *packet, size_t l3, uint32_t flags)
{
    size_t size = dp_packet_size(packet);

    if (!emu_has(size, l3, EMU_IP6_LEN)) {
        return false;
    }

    uint8_t *p = dp_packet_data(packet);
    uint8_t *ip = p + l3;
    size_t ipl = ntohs(emu_get_be16(ip + EMU_IP6_PLEN)) + EMU_IP6_LEN;
    uint8_t next = ip[EMU_IP6_NEXT];
    size_t hl = EMU_IP6_LEN;
    uint8_t *l4;

    for (int n = 0; n < EMU_MAX_HDRS; n++) {
        switch (next) {
        case EMU_NEXTHDR_HOP:
        case EMU_NEXTHDR_ROUTING:
        case EMU_NEXTHDR_DEST: {
            size_t xhl;

            if (!emu_has(size, l3 + hl, 2)) {
                return false;
            }
            xhl = (ip[hl + 1] + 1) * 8;
            if (!emu_has(size, l3 + hl, xhl)) {
                return false;
            }
            next = ip[hl];
            hl += xhl;
            break;
        }

        case IPPROTO_ICMPV6:
            if (flags & TCA_CSUM_UPDATE_FLAG_ICMP) {
                l4 = emu_csum_l4(packet, l3, hl, ipl, EMU_ICMP_LEN);
                if (!l4) {
                    return false;
                }
                emu_csum_segment(l4, ipl - hl, EMU_ICMP_CSUM,
                                 emu_csum_pseudo6(ip, IPPROTO_ICMPV6,
                                                  ipl - hl));
            }
            return true;

        case IPPROTO_TCP:
            if (flags & TCA_CSUM_UPDATE_FLAG_TCP) {
                l4 = emu_csum_l4(packet, l3, hl, ipl, EMU_TCP_LEN);
                if (!l4) {
                    return false;
                }
                emu_csum_segment(l4, ipl - hl, EMU_TCP_CSUM,
                                 emu_csum_pseudo6(ip, IPPROTO_TCP, ipl - hl));
            }
            return true;

        case IPPROTO_UDP:
            if (flags & TCA_CSUM_UPDATE_FLAG_UDP) {
                l4 = emu_csum_l4(packet, l3, hl, ipl, EMU_UDP_LEN);
                if (!l4) {
                    return false;
                }
                emu_csum_udp(l4, ipl - hl,
                             emu_csum_pseudo6(ip, IPPROTO_UDP, ipl - hl));
            }
            return true;

        default:
            /* Fragments and everything else are left alone. */
            return true;
        }
    }
    return true;
}

/* Executes a csum action.  Returns false if the packet must be dropped. */
static bool
emu_exec_csum(struct dp_packet *packet, uint32_t flags)
{
    ovs_be16 proto;
    size_t l3 = emu_find_l3(dp_packet_data(packet), dp_packet_size(packet),
                            &proto);

    if (!l3) {
        return true;
    } else if (proto == htons(ETH_TYPE_IP)) {
        return emu_csum_ipv4(packet, l3, flags);
    } else if (proto == htons(ETH_TYPE_IPV6)) {
        return emu_csum_ipv6(packet, l3, flags);
    } else {
        return true;
    }
}

/* Execution. */

static void
emu_result_init(struct emu_pipeline_result *result)
{
    result->verdict = EMU_PIPELINE_DROP;
    result->rule = NULL;
    result->local = NULL;
    result->n_outputs = 0;
    result->n_executed = 0;
    result->control = TC_ACT_OK;
}

/* Sends 'packet', or a copy of it, to 'port'.  Returns the packet that the
 * pipeline goes on with: NULL if 'packet' itself was sent. */
static struct dp_packet *
emu_exec_mirred(struct emu_pipeline_result *result,
                const struct emu_flow_action *a, struct dp_packet *packet)
{
    struct emu_pipeline_output *out = &result->outputs[result->n_outputs++];

    out->port = a->mirred.port;
    if (a->control == TC_ACT_STOLEN) {
        out->packet = packet;
        return NULL;
    }
    out->packet = dp_packet_clone(packet);
    return packet;
}

void
emu_pipeline_execute(const struct emu_flow_actions *actions,
                     struct dp_packet *packet,
                     struct emu_pipeline_result *result)
{
    int control = actions->n_actions ? TC_ACT_PIPE : TC_ACT_OK;

    emu_result_init(result);
    for (size_t i = 0; i < actions->n_actions && packet; i++) {
        const struct emu_flow_action *a = &actions->actions[i];

        control = a->control;
        switch (a->type) {
        case ESW_FLOWER_ACT_MIRRED:
            packet = emu_exec_mirred(result, a, packet);
            break;

        case ESW_FLOWER_ACT_VLAN:
            if (!emu_exec_vlan(packet, a)) {
                control = TC_ACT_SHOT;
            }
            break;

        case ESW_FLOWER_ACT_PEDIT:
            emu_exec_pedit(packet, actions, a);
            break;

        case ESW_FLOWER_ACT_CSUM:
            if (!emu_exec_csum(packet, a->csum_flags)) {
                control = TC_ACT_SHOT;
            }
            break;

        case ESW_FLOWER_ACT_GACT:
        default:
            break;
        }
        result->n_executed++;
        if (control != TC_ACT_PIPE) {
            break;
        }
    }
    result->control = control;

    switch (control) {
    case TC_ACT_PIPE:
    case TC_ACT_OK:
    case TC_ACT_UNSPEC:
    case TC_ACT_TRAP:
        result->verdict = EMU_PIPELINE_ACCEPT;
        result->local = packet;
        packet = NULL;
        break;

    case TC_ACT_STOLEN:
    case TC_ACT_QUEUED:
        result->verdict = EMU_PIPELINE_STOLEN;
        break;

    case TC_ACT_SHOT:
    default:
        result->verdict = EMU_PIPELINE_DROP;
        break;
    }
    dp_packet_delete(packet);
}

void
emu_pipeline_process(struct emu_flow_table *table, uint32_t in_port,
                     struct dp_packet *packet, long long int now_ms,
                     struct emu_pipeline_result *result)
{
    struct emu_flow_key key;
    struct emu_flow_rule *rule;

    emu_pipeline_parse(packet, in_port, &key);
    rule = emu_flow_table_lookup(table, in_port, &key);
    if (!rule) {
        emu_result_init(result);
        result->verdict = EMU_PIPELINE_MISS;
        result->local = packet;
        return;
    }

    emu_flow_rule_account(rule, 1, dp_packet_size(packet), now_ms);
    emu_pipeline_execute(emu_flow_rule_actions(rule), packet, result);
    result->rule = rule;
}

void
emu_pipeline_result_uninit(struct emu_pipeline_result *result)
{
    dp_packet_delete(result->local);
    result->local = NULL;
    for (size_t i = 0; i < result->n_outputs; i++) {
        dp_packet_delete(result->outputs[i].packet);
        result->outputs[i].packet = NULL;
    }
    result->n_outputs = 0;
}

const char *
emu_pipeline_verdict_to_string(enum emu_pipeline_verdict verdict)
{
    switch (verdict) {
    case EMU_PIPELINE_MISS:
        return "miss";
    case EMU_PIPELINE_ACCEPT:
        return "accept";
    case EMU_PIPELINE_DROP:
        return "drop";
    case EMU_PIPELINE_STOLEN:
        return "stolen";
    default:
        return "<unknown>";
    }
}
