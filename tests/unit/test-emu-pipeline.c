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

/* sriov-nic-emu's packet pipeline: parsing real frames into lookup keys,
 * matching every key field through the flow table, and the effect of every
 * action on the bytes of real frames.  Checksums are verified with this
 * file's own RFC 1071 code, not with the code under test. */

#include <config.h>

#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "dp-packet.h"
#include "emu-flow-table.h"
#include "emu-pipeline.h"
#include "esw-flower.h"
#include "esw-unittest.h"
#include "packets.h"
#include "util.h"

#define PORT_IN 1
#define PORT_X 2
#define PORT_Y 3

/* Reference checksums (RFC 1071), independent of the code under test. */

static uint32_t
ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static uint32_t
ref_sum16(uint32_t sum, uint32_t value)
{
    return sum + (value >> 16) + (value & 0xffff);
}

/* Packets. */

struct pkt_spec {
    struct eth_addr eth_dst, eth_src;
    uint16_t tpid, tci;             /* Outer tag; tpid 0: untagged. */
    uint16_t tpid2, tci2;           /* Inner tag; tpid2 0: none. */
    uint16_t eth_type;              /* After the tags. */

    uint8_t ip_proto, ip_tos, ip_ttl;
    uint16_t ip4_frag;              /* IPv4 flags and fragment offset. */
    uint32_t ip4_src, ip4_dst;      /* Host order. */
    uint8_t ip6_src[16], ip6_dst[16];
    bool ip6_hop;                   /* A hop-by-hop header first. */
    bool ip6_frag;                  /* Then a fragment header... */
    uint16_t ip6_frag_off;          /* ...with this offset field. */

    uint16_t tp_src, tp_dst;
    uint16_t tcp_flags;             /* 12 bits. */
    uint8_t icmp_type, icmp_code;
    bool udp_no_csum;

    uint16_t arp_op, arp_hln;
    uint32_t arp_sip, arp_tip;      /* Host order. */
    struct eth_addr arp_sha, arp_tha;

    size_t payload;
};

static const struct eth_addr mac_a = ETH_ADDR_C(02, 00, 00, 00, 00, 0a);
static const struct eth_addr mac_b = ETH_ADDR_C(02, 00, 00, 00, 00, 0b);
static const struct eth_addr mac_c = ETH_ADDR_C(02, 00, 00, 00, 00, 0c);

static void
spec_tcp4(struct pkt_spec *s)
{
    memset(s, 0, sizeof *s);
    s->eth_dst = mac_b;
    s->eth_src = mac_a;
    s->eth_type = ETH_TYPE_IP;
    s->ip_proto = IPPROTO_TCP;
    s->ip_ttl = 64;
    s->ip4_src = 0x0a000001;
    s->ip4_dst = 0x0a000002;
    s->tp_src = 1000;
    s->tp_dst = 80;
    s->tcp_flags = TCP_SYN;
    s->payload = 10;
}

static void
spec_udp4(struct pkt_spec *s)
{
    spec_tcp4(s);
    s->ip_proto = IPPROTO_UDP;
    s->tp_src = 5353;
    s->tp_dst = 53;
}

static void
spec_tcp6(struct pkt_spec *s)
{
    spec_tcp4(s);
    s->eth_type = ETH_TYPE_IPV6;
    s->ip6_src[0] = 0x20;
    s->ip6_src[1] = 0x01;
    s->ip6_src[15] = 1;
    s->ip6_dst[0] = 0x20;
    s->ip6_dst[1] = 0x01;
    s->ip6_dst[15] = 2;
}

static void
spec_arp(struct pkt_spec *s)
{
    memset(s, 0, sizeof *s);
    s->eth_dst = eth_addr_broadcast;
    s->eth_src = mac_a;
    s->eth_type = ETH_TYPE_ARP;
    s->arp_op = ARP_OP_REQUEST;
    s->arp_hln = ETH_ADDR_LEN;
    s->arp_sip = 0x0a000001;
    s->arp_tip = 0x0a000002;
    s->arp_sha = mac_a;
}

static uint8_t *
put16(uint8_t *p, uint16_t x)
{
    p[0] = x >> 8;
    p[1] = x;
    return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t x)
{
    p = put16(p, x >> 16);
    return put16(p, x);
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

/* Writes the L4 header and payload of 's' at 'p' and returns its length;
 * the checksum is left 0. */
static size_t
build_l4(const struct pkt_spec *s, uint8_t *p)
{
    uint8_t *start = p;

    switch (s->ip_proto) {
    case IPPROTO_TCP:
        p = put16(p, s->tp_src);
        p = put16(p, s->tp_dst);
        p = put32(p, 12345);
        p = put32(p, 0);
        p = put16(p, (5 << 12) | s->tcp_flags);
        p = put16(p, 65535);
        p = put32(p, 0);
        break;

    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        p = put16(p, s->tp_src);
        p = put16(p, s->tp_dst);
        p = put16(p, 8 + s->payload);
        p = put16(p, 0);
        break;

    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        *p++ = s->icmp_type;
        *p++ = s->icmp_code;
        p = put16(p, 0);
        p = put32(p, 0x00010002);
        break;

    default:
        break;
    }
    for (size_t i = 0; i < s->payload; i++) {
        *p++ = i;
    }
    return p - start;
}

/* Offset of the checksum in an L4 header, or -1. */
static int
l4_csum_ofs(uint8_t proto)
{
    return (proto == IPPROTO_TCP ? 16
            : proto == IPPROTO_UDP ? 6
            : proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ? 2
            : -1);
}

/* Returns the checksum field value that makes 'l4' of 'len' bytes check
 * out, with 'pseudo' the sum of its pseudo-header. */
static uint16_t
ref_l4_csum(const uint8_t *l4, size_t len, uint32_t pseudo)
{
    return ~ref_fold(ref_sum(pseudo, l4, len)) & 0xffff;
}

static uint32_t
ref_pseudo4(const uint8_t *ip, uint8_t proto, size_t len)
{
    return ref_sum(proto + len, ip + 12, 8);
}

static uint32_t
ref_pseudo6(const uint8_t *ip, uint8_t proto, size_t len)
{
    return ref_sum16(ref_sum(proto, ip + 8, 32), len);
}

static struct dp_packet *
build(const struct pkt_spec *s)
{
    uint8_t buf[512];
    uint8_t *p = buf;

    memcpy(p, &s->eth_dst, ETH_ADDR_LEN);
    memcpy(p + ETH_ADDR_LEN, &s->eth_src, ETH_ADDR_LEN);
    p += 2 * ETH_ADDR_LEN;
    if (s->tpid) {
        p = put16(p, s->tpid);
        p = put16(p, s->tci);
    }
    if (s->tpid2) {
        p = put16(p, s->tpid2);
        p = put16(p, s->tci2);
    }
    p = put16(p, s->eth_type);

    uint8_t *ip = p;
    if (s->eth_type == ETH_TYPE_IP) {
        size_t l4_len = build_l4(s, ip + 20);
        int csum_ofs = l4_csum_ofs(s->ip_proto);

        ip[0] = 0x45;
        ip[1] = s->ip_tos;
        put16(ip + 2, 20 + l4_len);
        put16(ip + 4, 0x1234);
        put16(ip + 6, s->ip4_frag);
        ip[8] = s->ip_ttl;
        ip[9] = s->ip_proto;
        put16(ip + 10, 0);
        put32(ip + 12, s->ip4_src);
        put32(ip + 16, s->ip4_dst);
        put16(ip + 10, ~ref_fold(ref_sum(0, ip, 20)));
        if (csum_ofs >= 0 && !(s->ip_proto == IPPROTO_UDP
                               && s->udp_no_csum)) {
            uint32_t pseudo = (s->ip_proto == IPPROTO_ICMP ? 0
                               : ref_pseudo4(ip, s->ip_proto, l4_len));

            put16(ip + 20 + csum_ofs,
                  ref_l4_csum(ip + 20, l4_len, pseudo));
        }
        p = ip + 20 + l4_len;
    } else if (s->eth_type == ETH_TYPE_IPV6) {
        uint8_t *x = ip + 40;
        uint8_t *next = ip + 6;

        if (s->ip6_hop) {
            *next = 0;
            next = x;
            memset(x, 0, 8);
            x[2] = 1;           /* PadN, 4 bytes. */
            x[3] = 4;
            x += 8;
        }
        if (s->ip6_frag) {
            *next = 44;
            next = x;
            memset(x, 0, 8);
            put16(x + 2, s->ip6_frag_off);
            x += 8;
        }
        *next = s->ip_proto;

        size_t l4_len = build_l4(s, x);
        int csum_ofs = l4_csum_ofs(s->ip_proto);

        put32(ip, (6u << 28) | (s->ip_tos << 20) | 0x12345);
        put16(ip + 4, x + l4_len - (ip + 40));
        ip[7] = s->ip_ttl;
        memcpy(ip + 8, s->ip6_src, 16);
        memcpy(ip + 24, s->ip6_dst, 16);
        if (csum_ofs >= 0) {
            put16(x + csum_ofs,
                  ref_l4_csum(x, l4_len,
                              ref_pseudo6(ip, s->ip_proto, l4_len)));
        }
        p = x + l4_len;
    } else if (s->eth_type == ETH_TYPE_ARP) {
        p = put16(p, ARP_HRD_ETHERNET);
        p = put16(p, ETH_TYPE_IP);
        *p++ = s->arp_hln;
        *p++ = 4;
        p = put16(p, s->arp_op);
        memcpy(p, &s->arp_sha, ETH_ADDR_LEN);
        p = put32(p + ETH_ADDR_LEN, s->arp_sip);
        memcpy(p, &s->arp_tha, ETH_ADDR_LEN);
        p = put32(p + ETH_ADDR_LEN, s->arp_tip);
    }
    return dp_packet_clone_data(buf, p - buf);
}

static const uint8_t *
data(const struct dp_packet *packet)
{
    return dp_packet_data(packet);
}

/* Offset of the L3 header of 'packet', after its VLAN tags. */
static size_t
l3_ofs(const struct dp_packet *packet)
{
    size_t ofs = 12;

    while (get16(data(packet) + ofs) == ETH_TYPE_VLAN_8021Q
           || get16(data(packet) + ofs) == ETH_TYPE_VLAN_8021AD) {
        ofs += 4;
    }
    return ofs + 2;
}

static bool
ipv4_header_ok(const struct dp_packet *packet)
{
    const uint8_t *ip = data(packet) + l3_ofs(packet);

    return ref_fold(ref_sum(0, ip, (ip[0] & 0xf) * 4)) == 0xffff;
}

/* Checks the L4 checksum of an IPv4 or IPv6 (without extension headers)
 * packet. */
static bool
l4_csum_ok(const struct dp_packet *packet)
{
    const uint8_t *ip = data(packet) + l3_ofs(packet);
    const uint8_t *l4;
    uint32_t pseudo;
    size_t len;
    uint8_t proto;

    if ((ip[0] >> 4) == 4) {
        size_t ihl = (ip[0] & 0xf) * 4;

        proto = ip[9];
        len = get16(ip + 2) - ihl;
        l4 = ip + ihl;
        pseudo = proto == IPPROTO_ICMP ? 0 : ref_pseudo4(ip, proto, len);
    } else {
        proto = ip[6];
        len = get16(ip + 4);
        l4 = ip + 40;
        pseudo = ref_pseudo6(ip, proto, len);
    }
    return ref_fold(ref_sum(pseudo, l4, len)) == 0xffff;
}

/* Parsing. */

static void
parse(const struct pkt_spec *s, struct emu_flow_key *key)
{
    struct dp_packet *packet = build(s);

    emu_pipeline_parse(packet, PORT_IN, key);
    dp_packet_delete(packet);
}

static void
test_parse_tcp4(void)
{
    struct emu_flow_key key;
    struct pkt_spec s;

    spec_tcp4(&s);
    s.ip_tos = 0xb9;
    s.tcp_flags = TCP_SYN | TCP_ACK | TCP_NS;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.in_port, PORT_IN);
    CU_ASSERT(eth_addr_equals(key.eth_dst, mac_b));
    CU_ASSERT(eth_addr_equals(key.eth_src, mac_a));
    CU_ASSERT_EQUAL(key.eth_type, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(key.vlan_eth_type, 0);
    CU_ASSERT_EQUAL(key.ip_proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(key.ip_tos, 0xb9);
    CU_ASSERT_EQUAL(key.ip_ttl, 64);
    CU_ASSERT_EQUAL(key.ip_flags, 0);
    CU_ASSERT_EQUAL(key.ipv4_src, htonl(0x0a000001));
    CU_ASSERT_EQUAL(key.ipv4_dst, htonl(0x0a000002));
    CU_ASSERT_EQUAL(key.tp_src, htons(1000));
    CU_ASSERT_EQUAL(key.tp_dst, htons(80));
    CU_ASSERT_EQUAL(key.tcp_flags, htons(TCP_SYN | TCP_ACK | TCP_NS));
    CU_ASSERT_EQUAL(key.icmp_type, 0);
}

static void
test_parse_vlan(void)
{
    struct emu_flow_key key;
    struct pkt_spec s;

    spec_tcp4(&s);
    s.tpid = ETH_TYPE_VLAN_8021Q;
    s.tci = (5 << 13) | 100;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.eth_type, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(key.vlan_eth_type, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(key.vlan_id, 100);
    CU_ASSERT_EQUAL(key.vlan_prio, 5);
    CU_ASSERT_EQUAL(key.ipv4_dst, htonl(0x0a000002));
    CU_ASSERT_EQUAL(key.tp_dst, htons(80));

    /* QinQ: the first tag is the key's; L3 is found under both. */
    s.tpid = ETH_TYPE_VLAN_8021AD;
    s.tci = 200;
    s.tpid2 = ETH_TYPE_VLAN_8021Q;
    s.tci2 = 300;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.eth_type, htons(ETH_TYPE_VLAN_8021AD));
    CU_ASSERT_EQUAL(key.vlan_eth_type, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(key.vlan_id, 200);
    CU_ASSERT_EQUAL(key.ipv4_dst, htonl(0x0a000002));
}

static void
test_parse_fragments(void)
{
    struct emu_flow_key key;
    struct pkt_spec s;

    /* First fragment: flagged, and its ports are not looked at. */
    spec_tcp4(&s);
    s.ip4_frag = IP_MORE_FRAGMENTS;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.ip_flags, (ESW_FLOWER_IP_FLAG_FRAG
                                   | ESW_FLOWER_IP_FLAG_FIRSTFRAG));
    CU_ASSERT_EQUAL(key.ip_proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(key.ipv4_dst, htonl(0x0a000002));
    CU_ASSERT_EQUAL(key.tp_src, 0);
    CU_ASSERT_EQUAL(key.tp_dst, 0);
    CU_ASSERT_EQUAL(key.tcp_flags, 0);

    /* Later fragment, the last one. */
    s.ip4_frag = 100;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    CU_ASSERT_EQUAL(key.tp_dst, 0);

    /* IPv6: the protocol after the fragment header. */
    spec_tcp6(&s);
    s.ip6_frag = true;
    s.ip6_frag_off = 1;         /* M flag, offset 0. */
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.ip_flags, (ESW_FLOWER_IP_FLAG_FRAG
                                   | ESW_FLOWER_IP_FLAG_FIRSTFRAG));
    CU_ASSERT_EQUAL(key.ip_proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(key.tp_dst, 0);
    s.ip6_frag_off = 8 << 3;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
}

static void
test_parse_ipv6(void)
{
    struct emu_flow_key key;
    struct pkt_spec s;

    spec_tcp6(&s);
    s.ip_tos = 0xa5;
    s.ip_ttl = 7;
    s.ip6_hop = true;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_IPV6));
    CU_ASSERT_EQUAL(key.ip_proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(key.ip_tos, 0xa5);
    CU_ASSERT_EQUAL(key.ip_ttl, 7);
    CU_ASSERT(!memcmp(&key.ipv6_src, s.ip6_src, 16));
    CU_ASSERT(!memcmp(&key.ipv6_dst, s.ip6_dst, 16));
    CU_ASSERT_EQUAL(key.tp_src, htons(1000));
    CU_ASSERT_EQUAL(key.tp_dst, htons(80));
    CU_ASSERT_EQUAL(key.ipv4_dst, 0);

    s.ip_proto = IPPROTO_ICMPV6;
    s.icmp_type = 128;
    s.icmp_code = 0;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.icmp_type, 128);
    CU_ASSERT_EQUAL(key.tp_src, 0);
}

static void
test_parse_arp(void)
{
    struct emu_flow_key key;
    struct pkt_spec s;

    spec_arp(&s);
    s.arp_op = ARP_OP_REPLY;
    s.arp_tha = mac_b;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_ARP));
    CU_ASSERT_EQUAL(key.arp_op, ARP_OP_REPLY);
    CU_ASSERT_EQUAL(key.arp_sip, htonl(0x0a000001));
    CU_ASSERT_EQUAL(key.arp_tip, htonl(0x0a000002));
    CU_ASSERT(eth_addr_equals(key.arp_sha, mac_a));
    CU_ASSERT(eth_addr_equals(key.arp_tha, mac_b));

    /* Not Ethernet/IPv4 ARP, or not a request or reply: no ARP fields. */
    s.arp_hln = 8;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.arp_op, 0);
    CU_ASSERT_EQUAL(key.arp_sip, 0);
    s.arp_hln = ETH_ADDR_LEN;
    s.arp_op = 3;
    parse(&s, &key);
    CU_ASSERT_EQUAL(key.arp_op, 0);
}

static void
test_parse_truncated(void)
{
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *full = build(&s);
    size_t full_size = dp_packet_size(full);

    /* Every prefix of a frame parses, and is a prefix of its key. */
    for (size_t n = 0; n <= full_size; n++) {
        struct dp_packet *packet = dp_packet_clone_data(data(full), n);
        struct emu_flow_key key;

        emu_pipeline_parse(packet, PORT_IN, &key);
        if (n < ETH_HEADER_LEN) {
            CU_ASSERT_EQUAL(key.eth_type, 0);
        } else {
            CU_ASSERT_EQUAL(key.n_proto, htons(ETH_TYPE_IP));
        }
        CU_ASSERT_EQUAL(key.ipv4_dst,
                        n >= 14 + 20 ? htonl(0x0a000002) : 0);
        CU_ASSERT_EQUAL(key.tp_dst, n >= 14 + 20 + 4 ? htons(80) : 0);
        CU_ASSERT_EQUAL(key.tcp_flags,
                        n >= 14 + 20 + 20 ? htons(TCP_SYN) : 0);
        dp_packet_delete(packet);
    }
    dp_packet_delete(full);
}

/* Every key field, matched and not matched, through parse and lookup. */

static struct esw_flower_rule *
rule_new(uint16_t protocol)
{
    struct esw_flower_rule *rule = xzalloc(sizeof *rule);

    rule->prio = 1;
    rule->handle = 1;
    rule->protocol = htons(protocol);
    rule->n_actions = 1;
    rule->actions[0].type = ESW_FLOWER_ACT_GACT;
    rule->actions[0].control = TC_ACT_SHOT;
    return rule;
}

static void
match_eth_type(struct esw_flower_rule *r, uint16_t eth_type)
{
    r->key.eth_type = htons(eth_type);
    r->mask.eth_type = OVS_BE16_MAX;
}

static void
match_ip_proto(struct esw_flower_rule *r, uint16_t eth_type, uint8_t proto)
{
    match_eth_type(r, eth_type);
    r->key.ip_proto = proto;
    r->mask.ip_proto = 0xff;
}

/* A case sets a rule's match, and a packet it hits and one it misses.
 * 'r' has protocol ETH_P_ALL; 'hit' and 'miss' start as a TCP/IPv4
 * packet. */
struct match_case {
    const char *name;
    void (*set)(struct esw_flower_rule *r, struct pkt_spec *hit,
                struct pkt_spec *miss);
};

static void
case_eth_dst(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    r->key.eth_dst = mac_b;
    r->mask.eth_dst = eth_addr_exact;
    miss->eth_dst = mac_c;
    (void) hit;
}

static void
case_eth_dst_multicast(struct esw_flower_rule *r, struct pkt_spec *hit,
                       struct pkt_spec *miss)
{
    /* Masked: the group bit only. */
    r->key.eth_dst = (struct eth_addr) ETH_ADDR_C(01, 00, 00, 00, 00, 00);
    r->mask.eth_dst = (struct eth_addr) ETH_ADDR_C(01, 00, 00, 00, 00, 00);
    hit->eth_dst = (struct eth_addr) ETH_ADDR_C(33, 33, 00, 00, 00, 01);
    miss->eth_dst = mac_c;
}

static void
case_eth_src(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    r->key.eth_src = mac_a;
    r->mask.eth_src = eth_addr_exact;
    miss->eth_src = mac_c;
    (void) hit;
}

static void
case_eth_type(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IPV6);
    spec_tcp6(hit);
    (void) miss;
}

static void
case_vlan_id(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_VLAN_8021Q);
    r->key.vlan_id = 10;
    r->mask.vlan_id = 0xffff;
    hit->tpid = miss->tpid = ETH_TYPE_VLAN_8021Q;
    hit->tci = (3 << 13) | 10;
    miss->tci = (3 << 13) | 11;
}

static void
case_vlan_prio(struct esw_flower_rule *r, struct pkt_spec *hit,
               struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_VLAN_8021Q);
    r->key.vlan_prio = 3;
    r->mask.vlan_prio = 0xff;
    hit->tpid = miss->tpid = ETH_TYPE_VLAN_8021Q;
    hit->tci = (3 << 13) | 10;
    miss->tci = (4 << 13) | 10;
}

static void
case_vlan_eth_type(struct esw_flower_rule *r, struct pkt_spec *hit,
                   struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_VLAN_8021Q);
    r->key.vlan_eth_type = htons(ETH_TYPE_IP);
    r->mask.vlan_eth_type = OVS_BE16_MAX;
    hit->tpid = ETH_TYPE_VLAN_8021Q;
    spec_tcp6(miss);
    miss->tpid = ETH_TYPE_VLAN_8021Q;
}

static void
case_ip_proto(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_UDP);
    spec_udp4(hit);
    (void) miss;
}

static void
case_ip_tos(struct esw_flower_rule *r, struct pkt_spec *hit,
            struct pkt_spec *miss)
{
    /* Masked: DSCP 46, whatever the ECN bits. */
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ip_tos = 46 << 2;
    r->mask.ip_tos = 0xfc;
    hit->ip_tos = (46 << 2) | 1;
    miss->ip_tos = 45 << 2;
}

static void
case_ip_ttl(struct esw_flower_rule *r, struct pkt_spec *hit,
            struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ip_ttl = 1;
    r->mask.ip_ttl = 0xff;
    hit->ip_ttl = 1;
    miss->ip_ttl = 2;
}

static void
case_ip_flags_frag(struct esw_flower_rule *r, struct pkt_spec *hit,
                   struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
    hit->ip4_frag = 50;
    (void) miss;
}

static void
case_ip_flags_firstfrag(struct esw_flower_rule *r, struct pkt_spec *hit,
                        struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ip_flags = (ESW_FLOWER_IP_FLAG_FRAG
                       | ESW_FLOWER_IP_FLAG_FIRSTFRAG);
    r->mask.ip_flags = (ESW_FLOWER_IP_FLAG_FRAG
                        | ESW_FLOWER_IP_FLAG_FIRSTFRAG);
    hit->ip4_frag = IP_MORE_FRAGMENTS;
    miss->ip4_frag = IP_MORE_FRAGMENTS | 50;
}

static void
case_ip_flags_nofrag(struct esw_flower_rule *r, struct pkt_spec *hit,
                     struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ip_flags = 0;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
    miss->ip4_frag = IP_MORE_FRAGMENTS;
    (void) hit;
}

static void
case_ipv4_src(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ipv4_src = htonl(0x0a000000);
    r->mask.ipv4_src = htonl(0xffff0000);
    hit->ip4_src = 0x0a00ffff;
    miss->ip4_src = 0x0a010001;
}

static void
case_ipv4_dst(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IP);
    r->key.ipv4_dst = htonl(0x0a000002);
    r->mask.ipv4_dst = OVS_BE32_MAX;
    miss->ip4_dst = 0x0a000003;
    (void) hit;
}

static void
case_ipv6_src(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    /* Masked: a /64. */
    match_eth_type(r, ETH_TYPE_IPV6);
    spec_tcp6(hit);
    spec_tcp6(miss);
    memcpy(&r->key.ipv6_src, hit->ip6_src, 8);
    memset(&r->mask.ipv6_src, 0xff, 8);
    hit->ip6_src[15] = 99;
    miss->ip6_src[7] = 1;
}

static void
case_ipv6_dst(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_IPV6);
    spec_tcp6(hit);
    spec_tcp6(miss);
    memcpy(&r->key.ipv6_dst, hit->ip6_dst, 16);
    memset(&r->mask.ipv6_dst, 0xff, 16);
    miss->ip6_dst[15] = 3;
}

static void
case_tcp_src(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_TCP);
    r->key.tp_src = htons(1000);
    r->mask.tp_src = OVS_BE16_MAX;
    miss->tp_src = 1001;
    (void) hit;
}

static void
case_udp_dst_masked(struct esw_flower_rule *r, struct pkt_spec *hit,
                    struct pkt_spec *miss)
{
    /* Masked: ports 0x3500-0x35ff. */
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_UDP);
    r->key.tp_dst = htons(0x3500);
    r->mask.tp_dst = htons(0xff00);
    spec_udp4(hit);
    spec_udp4(miss);
    hit->tp_dst = 0x35aa;
    miss->tp_dst = 0x36aa;
}

static void
case_sctp_dst(struct esw_flower_rule *r, struct pkt_spec *hit,
              struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_SCTP);
    r->key.tp_dst = htons(3868);
    r->mask.tp_dst = OVS_BE16_MAX;
    hit->ip_proto = miss->ip_proto = IPPROTO_SCTP;
    hit->tp_dst = 3868;
    miss->tp_dst = 3869;
}

static void
case_tcp_flags(struct esw_flower_rule *r, struct pkt_spec *hit,
               struct pkt_spec *miss)
{
    /* Masked: SYN set, ACK clear. */
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_TCP);
    r->key.tcp_flags = htons(TCP_SYN);
    r->mask.tcp_flags = htons(TCP_SYN | TCP_ACK);
    hit->tcp_flags = TCP_SYN | TCP_ECE;
    miss->tcp_flags = TCP_SYN | TCP_ACK;
}

static void
case_icmp_type(struct esw_flower_rule *r, struct pkt_spec *hit,
               struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_ICMP);
    r->key.icmp_type = 8;
    r->mask.icmp_type = 0xff;
    hit->ip_proto = miss->ip_proto = IPPROTO_ICMP;
    hit->icmp_type = 8;
    miss->icmp_type = 0;
}

static void
case_icmp_code(struct esw_flower_rule *r, struct pkt_spec *hit,
               struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IP, IPPROTO_ICMP);
    r->key.icmp_code = 4;
    r->mask.icmp_code = 0xff;
    hit->ip_proto = miss->ip_proto = IPPROTO_ICMP;
    hit->icmp_type = miss->icmp_type = 3;
    hit->icmp_code = 4;
    miss->icmp_code = 3;
}

static void
case_icmpv6_type(struct esw_flower_rule *r, struct pkt_spec *hit,
                 struct pkt_spec *miss)
{
    match_ip_proto(r, ETH_TYPE_IPV6, IPPROTO_ICMPV6);
    r->key.icmp_type = 135;
    r->mask.icmp_type = 0xff;
    spec_tcp6(hit);
    spec_tcp6(miss);
    hit->ip_proto = miss->ip_proto = IPPROTO_ICMPV6;
    hit->icmp_type = 135;
    miss->icmp_type = 136;
}

static void
case_arp_op(struct esw_flower_rule *r, struct pkt_spec *hit,
            struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_op = ARP_OP_REPLY;
    r->mask.arp_op = 0xff;
    spec_arp(hit);
    spec_arp(miss);
    hit->arp_op = ARP_OP_REPLY;
}

static void
case_arp_sip(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_sip = htonl(0x0a000000);
    r->mask.arp_sip = htonl(0xffffff00);
    spec_arp(hit);
    spec_arp(miss);
    miss->arp_sip = 0x0b000001;
}

static void
case_arp_tip(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_tip = htonl(0x0a000002);
    r->mask.arp_tip = OVS_BE32_MAX;
    spec_arp(hit);
    spec_arp(miss);
    miss->arp_tip = 0x0a000003;
}

static void
case_arp_sha(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_sha = mac_a;
    r->mask.arp_sha = eth_addr_exact;
    spec_arp(hit);
    spec_arp(miss);
    miss->arp_sha = mac_c;
}

static void
case_arp_tha(struct esw_flower_rule *r, struct pkt_spec *hit,
             struct pkt_spec *miss)
{
    match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_tha = mac_b;
    r->mask.arp_tha = eth_addr_exact;
    spec_arp(hit);
    spec_arp(miss);
    hit->arp_tha = mac_b;
}

static const struct match_case match_cases[] = {
    { "eth_dst", case_eth_dst },
    { "eth_dst multicast bit", case_eth_dst_multicast },
    { "eth_src", case_eth_src },
    { "eth_type", case_eth_type },
    { "vlan_id", case_vlan_id },
    { "vlan_prio", case_vlan_prio },
    { "vlan_eth_type", case_vlan_eth_type },
    { "ip_proto", case_ip_proto },
    { "ip_tos DSCP", case_ip_tos },
    { "ip_ttl", case_ip_ttl },
    { "ip_flags frag", case_ip_flags_frag },
    { "ip_flags firstfrag", case_ip_flags_firstfrag },
    { "ip_flags nofrag", case_ip_flags_nofrag },
    { "ipv4_src /16", case_ipv4_src },
    { "ipv4_dst", case_ipv4_dst },
    { "ipv6_src /64", case_ipv6_src },
    { "ipv6_dst", case_ipv6_dst },
    { "tcp src", case_tcp_src },
    { "udp dst masked", case_udp_dst_masked },
    { "sctp dst", case_sctp_dst },
    { "tcp_flags masked", case_tcp_flags },
    { "icmp_type", case_icmp_type },
    { "icmp_code", case_icmp_code },
    { "icmpv6 type", case_icmpv6_type },
    { "arp_op", case_arp_op },
    { "arp_sip /24", case_arp_sip },
    { "arp_tip", case_arp_tip },
    { "arp_sha", case_arp_sha },
    { "arp_tha", case_arp_tha },
};

/* Runs a packet built from 's' through 'table' and returns its verdict. */
static enum emu_pipeline_verdict
run(struct emu_flow_table *table, const struct pkt_spec *s)
{
    struct emu_pipeline_result result;
    enum emu_pipeline_verdict verdict;

    emu_pipeline_process(table, PORT_IN, build(s), 0, &result);
    verdict = result.verdict;
    emu_pipeline_result_uninit(&result);
    return verdict;
}

static void
test_match_every_field(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(match_cases); i++) {
        const struct match_case *c = &match_cases[i];
        struct emu_flow_table *table = emu_flow_table_create(10, NULL);
        struct esw_flower_rule *rule = rule_new(ETH_P_ALL);
        struct pkt_spec hit, miss;

        spec_tcp4(&hit);
        spec_tcp4(&miss);
        c->set(rule, &hit, &miss);
        CU_ASSERT_EQUAL_FATAL(emu_flow_table_insert(table, PORT_IN, rule,
                                                    0, NULL), 0);
        free(rule);

        enum emu_pipeline_verdict v_hit = run(table, &hit);
        enum emu_pipeline_verdict v_miss = run(table, &miss);
        if (v_hit != EMU_PIPELINE_DROP || v_miss != EMU_PIPELINE_MISS) {
            fprintf(stderr, "\n%s: hit gave %s, miss gave %s\n", c->name,
                    emu_pipeline_verdict_to_string(v_hit),
                    emu_pipeline_verdict_to_string(v_miss));
        }
        CU_ASSERT_EQUAL(v_hit, EMU_PIPELINE_DROP);
        CU_ASSERT_EQUAL(v_miss, EMU_PIPELINE_MISS);
        emu_flow_table_destroy(table);
    }
}

/* Actions. */

/* Makes 'a' a mirred action. */
static void
act_mirred(struct esw_flower_action *a, int eaction, int port, int control)
{
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_MIRRED;
    a->control = control;
    a->mirred.eaction = eaction;
    a->mirred.ifindex = port;
}

static void
act_gact(struct esw_flower_action *a, int control)
{
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_GACT;
    a->control = control;
}

static void
act_vlan(struct esw_flower_action *a, int action, uint16_t id, uint8_t prio,
         uint16_t proto)
{
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_VLAN;
    a->control = TC_ACT_PIPE;
    a->vlan.action = action;
    a->vlan.id = id;
    a->vlan.prio = prio;
    a->vlan.proto = htons(proto);
}

static void
act_csum(struct esw_flower_action *a, uint32_t flags)
{
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_CSUM;
    a->control = TC_ACT_PIPE;
    a->csum.update_flags = flags;
}

/* Adds to the pedit action 'a' a SET key at 'offset' of 'htype' that
 * writes the bytes 'val' where 'keep' (bytes in packet order) is 0. */
static void
pedit_set(struct esw_flower_action *a, uint8_t htype, uint32_t offset,
          const uint8_t keep[4], const uint8_t val[4], uint8_t cmd)
{
    struct esw_flower_pedit_key *k = &a->pedit.keys[a->pedit.n_keys++];

    a->type = ESW_FLOWER_ACT_PEDIT;
    a->control = TC_ACT_PIPE;
    k->htype = htype;
    k->cmd = cmd;
    k->offset = offset;
    memcpy(&k->mask, keep, 4);
    memcpy(&k->val, val, 4);
}

/* Executes 'n' actions on a packet built from 's', with a table in between
 * so that the actions are the stored ones. */
static void
execute(const struct esw_flower_action *actions, size_t n,
        struct dp_packet *packet, struct emu_pipeline_result *result)
{
    struct emu_flow_table *table = emu_flow_table_create(1, NULL);
    struct esw_flower_rule *rule = rule_new(ETH_P_ALL);
    const struct emu_flow_rule *stored;

    rule->n_actions = n;
    memcpy(rule->actions, actions, n * sizeof *actions);
    CU_ASSERT_EQUAL_FATAL(emu_flow_table_insert(table, PORT_IN, rule, 0,
                                                &stored), 0);
    free(rule);
    emu_pipeline_execute(emu_flow_rule_actions(stored), packet, result);
    emu_flow_table_destroy(table);
}

static bool
same_bytes(const struct dp_packet *a, const struct dp_packet *b)
{
    return (dp_packet_size(a) == dp_packet_size(b)
            && !memcmp(data(a), data(b), dp_packet_size(a)));
}

static void
test_redirect(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *orig = build(&s);
    act_mirred(&a, TCA_EGRESS_REDIR, PORT_X, TC_ACT_STOLEN);
    execute(&a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_STOLEN);
    CU_ASSERT_EQUAL(result.control, TC_ACT_STOLEN);
    CU_ASSERT_PTR_NULL(result.local);
    CU_ASSERT_EQUAL_FATAL(result.n_outputs, 1);
    CU_ASSERT_EQUAL(result.outputs[0].port, PORT_X);
    CU_ASSERT(same_bytes(result.outputs[0].packet, orig));
    emu_pipeline_result_uninit(&result);
    dp_packet_delete(orig);
}

static void
test_mirror_and_redirect(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a[2];
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *orig = build(&s);
    act_mirred(&a[0], TCA_EGRESS_MIRROR, PORT_X, TC_ACT_PIPE);
    act_mirred(&a[1], TCA_EGRESS_REDIR, PORT_Y, TC_ACT_STOLEN);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_STOLEN);
    CU_ASSERT_EQUAL(result.n_executed, 2);
    CU_ASSERT_EQUAL_FATAL(result.n_outputs, 2);
    CU_ASSERT_EQUAL(result.outputs[0].port, PORT_X);
    CU_ASSERT_EQUAL(result.outputs[1].port, PORT_Y);
    CU_ASSERT(same_bytes(result.outputs[0].packet, orig));
    CU_ASSERT(same_bytes(result.outputs[1].packet, orig));
    CU_ASSERT_PTR_NOT_EQUAL(result.outputs[0].packet,
                            result.outputs[1].packet);
    emu_pipeline_result_uninit(&result);
    dp_packet_delete(orig);
}

static void
test_gact_and_controls(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a[3];
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *orig = build(&s);

    /* drop */
    act_gact(&a[0], TC_ACT_SHOT);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_DROP);
    CU_ASSERT_PTR_NULL(result.local);
    CU_ASSERT_EQUAL(result.n_outputs, 0);
    emu_pipeline_result_uninit(&result);

    /* pass: to the ingress representor, unchanged. */
    act_gact(&a[0], TC_ACT_OK);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_ACCEPT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(same_bytes(result.local, orig));
    emu_pipeline_result_uninit(&result);

    /* Running out of actions accepts too. */
    act_mirred(&a[0], TCA_EGRESS_MIRROR, PORT_X, TC_ACT_PIPE);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_ACCEPT);
    CU_ASSERT_EQUAL(result.control, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(result.n_outputs, 1);
    CU_ASSERT_PTR_NOT_NULL(result.local);
    emu_pipeline_result_uninit(&result);

    /* A control other than PIPE stops the actions: the redirect after a
     * drop never happens, the mirror before it did. */
    act_mirred(&a[0], TCA_EGRESS_MIRROR, PORT_X, TC_ACT_PIPE);
    act_gact(&a[1], TC_ACT_SHOT);
    act_mirred(&a[2], TCA_EGRESS_REDIR, PORT_Y, TC_ACT_STOLEN);
    execute(a, 3, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_DROP);
    CU_ASSERT_EQUAL(result.n_executed, 2);
    CU_ASSERT_EQUAL(result.control, TC_ACT_SHOT);
    CU_ASSERT_EQUAL_FATAL(result.n_outputs, 1);
    CU_ASSERT_EQUAL(result.outputs[0].port, PORT_X);
    emu_pipeline_result_uninit(&result);

    /* A gact "pipe" goes on; TC_ACT_TRAP accepts. */
    act_gact(&a[0], TC_ACT_PIPE);
    act_gact(&a[1], TC_ACT_TRAP);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_ACCEPT);
    CU_ASSERT_EQUAL(result.n_executed, 2);
    emu_pipeline_result_uninit(&result);

    /* A redirect that does not steal the packet sends a copy and goes
     * on. */
    act_mirred(&a[0], TCA_EGRESS_REDIR, PORT_X, TC_ACT_PIPE);
    act_gact(&a[1], TC_ACT_OK);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_ACCEPT);
    CU_ASSERT_EQUAL(result.n_outputs, 1);
    CU_ASSERT_PTR_NOT_NULL(result.local);
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(orig);
}

static void
test_vlan_push_pop(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a[2];
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *orig = build(&s);

    /* Push: the tag goes after the addresses. */
    act_vlan(&a[0], TCA_VLAN_ACT_PUSH, 100, 5, ETH_TYPE_VLAN_8021Q);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    const uint8_t *p = data(result.local);
    CU_ASSERT_EQUAL(dp_packet_size(result.local), dp_packet_size(orig) + 4);
    CU_ASSERT(!memcmp(p, data(orig), 12));
    CU_ASSERT_EQUAL(get16(p + 12), ETH_TYPE_VLAN_8021Q);
    CU_ASSERT_EQUAL(get16(p + 14), (5 << 13) | 100);
    CU_ASSERT(!memcmp(p + 16, data(orig) + 12, dp_packet_size(orig) - 12));
    emu_pipeline_result_uninit(&result);

    /* Push then pop gives the original packet back. */
    act_vlan(&a[0], TCA_VLAN_ACT_PUSH, 100, 5, ETH_TYPE_VLAN_8021Q);
    act_vlan(&a[1], TCA_VLAN_ACT_POP, 0, 0, 0);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(same_bytes(result.local, orig));
    emu_pipeline_result_uninit(&result);

    /* Pop of an untagged packet does nothing. */
    act_vlan(&a[0], TCA_VLAN_ACT_POP, 0, 0, 0);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(same_bytes(result.local, orig));
    emu_pipeline_result_uninit(&result);

    /* Push of 802.1ad on a tagged packet makes QinQ. */
    s.tpid = ETH_TYPE_VLAN_8021Q;
    s.tci = 7;
    struct dp_packet *tagged = build(&s);
    act_vlan(&a[0], TCA_VLAN_ACT_PUSH, 300, 0, ETH_TYPE_VLAN_8021AD);
    execute(a, 1, dp_packet_clone(tagged), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    p = data(result.local);
    CU_ASSERT_EQUAL(get16(p + 12), ETH_TYPE_VLAN_8021AD);
    CU_ASSERT_EQUAL(get16(p + 14), 300);
    CU_ASSERT_EQUAL(get16(p + 16), ETH_TYPE_VLAN_8021Q);
    CU_ASSERT_EQUAL(get16(p + 18), 7);
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(tagged);
    dp_packet_delete(orig);
}

static void
test_vlan_modify(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    spec_tcp4(&s);
    s.tpid = ETH_TYPE_VLAN_8021Q;
    s.tci = (6 << 13) | VLAN_CFI | 10;
    struct dp_packet *tagged = build(&s);

    act_vlan(&a, TCA_VLAN_ACT_MODIFY, 20, 2, ETH_TYPE_VLAN_8021Q);
    execute(&a, 1, dp_packet_clone(tagged), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(dp_packet_size(result.local), dp_packet_size(tagged));
    CU_ASSERT_EQUAL(get16(data(result.local) + 14),
                    (2 << 13) | VLAN_CFI | 20);
    emu_pipeline_result_uninit(&result);

    a.vlan.keep_prio = true;
    execute(&a, 1, dp_packet_clone(tagged), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(get16(data(result.local) + 14),
                    (6 << 13) | VLAN_CFI | 20);
    emu_pipeline_result_uninit(&result);

    /* Modify of an untagged packet does nothing. */
    spec_tcp4(&s);
    struct dp_packet *untagged = build(&s);
    execute(&a, 1, dp_packet_clone(untagged), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(same_bytes(result.local, untagged));
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(untagged);
    dp_packet_delete(tagged);
}

static void
test_pedit_eth(void)
{
    static const uint8_t keep_none[4] = { 0, 0, 0, 0 };
    static const uint8_t keep_low[4] = { 0, 0, 0xff, 0xff };
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    /* eth dst := mac_c, as tc's "pedit ex munge eth dst set" does: one
     * whole word, then the high half of the next one. */
    const uint8_t *c = mac_c.ea;
    uint8_t w0[4] = { c[0], c[1], c[2], c[3] };
    uint8_t w1[4] = { c[4], c[5], 0, 0 };

    spec_tcp4(&s);
    s.tpid = ETH_TYPE_VLAN_8021Q;
    s.tci = 1;
    struct dp_packet *orig = build(&s);
    memset(&a, 0, sizeof a);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 0, keep_none, w0,
              TCA_PEDIT_KEY_EX_CMD_SET);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 4, keep_low, w1,
              TCA_PEDIT_KEY_EX_CMD_SET);
    execute(&a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(!memcmp(data(result.local), c, ETH_ADDR_LEN));
    CU_ASSERT(!memcmp(data(result.local) + 6, data(orig) + 6,
                      dp_packet_size(orig) - 6));
    emu_pipeline_result_uninit(&result);
    dp_packet_delete(orig);
}

static void
test_pedit_ipv4_tcp_with_csum(void)
{
    static const uint8_t keep_none[4] = { 0, 0, 0, 0 };
    static const uint8_t keep_sport[4] = { 0xff, 0xff, 0, 0 };
    static const uint8_t keep_all_but_ttl[4] = { 0, 0xff, 0xff, 0xff };
    static const uint8_t new_dst[4] = { 192, 168, 1, 1 };
    static const uint8_t new_dport[4] = { 0, 0, 0x1f, 0x90 };
    static const uint8_t minus_one[4] = { 0xff, 0, 0, 0 };
    struct emu_pipeline_result result;
    struct esw_flower_action a[2];
    struct pkt_spec s;

    spec_tcp4(&s);
    s.tpid = ETH_TYPE_VLAN_8021Q;
    struct dp_packet *orig = build(&s);
    CU_ASSERT(ipv4_header_ok(orig) && l4_csum_ok(orig));

    /* ip dst := 192.168.1.1, TTL decremented by an ADD, tcp dport :=
     * 8080. */
    memset(a, 0, sizeof a);
    pedit_set(&a[0], TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 16, keep_none, new_dst,
              TCA_PEDIT_KEY_EX_CMD_SET);
    pedit_set(&a[0], TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 8, keep_all_but_ttl,
              minus_one, TCA_PEDIT_KEY_EX_CMD_ADD);
    pedit_set(&a[0], TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, 0, keep_sport, new_dport,
              TCA_PEDIT_KEY_EX_CMD_SET);

    /* Without csum, the checksums are now wrong. */
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(!ipv4_header_ok(result.local));
    CU_ASSERT(!l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);

    act_csum(&a[1], TCA_CSUM_UPDATE_FLAG_IPV4HDR | TCA_CSUM_UPDATE_FLAG_TCP);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    const uint8_t *ip = data(result.local) + 18;
    CU_ASSERT(!memcmp(ip + 16, new_dst, 4));
    CU_ASSERT_EQUAL(ip[8], 63);
    CU_ASSERT_EQUAL(ip[9], IPPROTO_TCP);
    CU_ASSERT_EQUAL(get16(ip + 20), 1000);
    CU_ASSERT_EQUAL(get16(ip + 22), 8080);
    CU_ASSERT(ipv4_header_ok(result.local));
    CU_ASSERT(l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(orig);
}

static void
test_pedit_udp_with_csum(void)
{
    static const uint8_t keep_dport[4] = { 0, 0, 0xff, 0xff };
    static const uint8_t new_sport[4] = { 0x12, 0x34, 0, 0 };
    struct emu_pipeline_result result;
    struct esw_flower_action a[2];
    struct pkt_spec s;

    spec_udp4(&s);
    s.payload = 11;             /* Odd length. */
    struct dp_packet *orig = build(&s);
    CU_ASSERT(l4_csum_ok(orig));

    memset(a, 0, sizeof a);
    pedit_set(&a[0], TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, 0, keep_dport, new_sport,
              TCA_PEDIT_KEY_EX_CMD_SET);
    act_csum(&a[1], TCA_CSUM_UPDATE_FLAG_UDP);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(get16(data(result.local) + 34), 0x1234);
    CU_ASSERT_EQUAL(get16(data(result.local) + 36), 53);
    CU_ASSERT(l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);
    dp_packet_delete(orig);

    /* An IPv4 UDP checksum of 0 means "none" and stays 0. */
    s.udp_no_csum = true;
    orig = build(&s);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(get16(data(result.local) + 34), 0x1234);
    CU_ASSERT_EQUAL(get16(data(result.local) + 40), 0);
    emu_pipeline_result_uninit(&result);
    dp_packet_delete(orig);
}

static void
test_pedit_ipv6_with_csum(void)
{
    static const uint8_t keep_none[4] = { 0, 0, 0, 0 };
    static const uint8_t new_word[4] = { 0, 0, 0, 0x77 };
    struct emu_pipeline_result result;
    struct esw_flower_action a[2];
    struct pkt_spec s;

    spec_tcp6(&s);
    struct dp_packet *orig = build(&s);
    CU_ASSERT(l4_csum_ok(orig));

    /* Last word of the IPv6 destination address. */
    memset(a, 0, sizeof a);
    pedit_set(&a[0], TCA_PEDIT_KEY_EX_HDR_TYPE_IP6, 36, keep_none, new_word,
              TCA_PEDIT_KEY_EX_CMD_SET);
    execute(a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(data(result.local)[14 + 39], 0x77);
    CU_ASSERT(!l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);

    act_csum(&a[1], TCA_CSUM_UPDATE_FLAG_TCP);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT_EQUAL(data(result.local)[14 + 39], 0x77);
    CU_ASSERT(l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);

    /* The same for ICMPv6, whose checksum has a pseudo-header too. */
    s.ip_proto = IPPROTO_ICMPV6;
    s.icmp_type = 128;
    dp_packet_delete(orig);
    orig = build(&s);
    CU_ASSERT(l4_csum_ok(orig));
    act_csum(&a[1], TCA_CSUM_UPDATE_FLAG_ICMP);
    execute(a, 2, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(orig);
}

static void
test_csum_icmp4(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    spec_tcp4(&s);
    s.ip_proto = IPPROTO_ICMP;
    s.icmp_type = 8;
    struct dp_packet *packet = build(&s);
    uint8_t *icmp = (uint8_t *) dp_packet_data(packet) + 34;

    CU_ASSERT(l4_csum_ok(packet));
    icmp[2] ^= 0x5a;
    CU_ASSERT(!l4_csum_ok(packet));
    act_csum(&a, TCA_CSUM_UPDATE_FLAG_ICMP);
    execute(&a, 1, packet, &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(l4_csum_ok(result.local));
    emu_pipeline_result_uninit(&result);
}

static void
test_csum_truncated_drops(void)
{
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *packet = build(&s);

    /* The IP length says more than the frame has. */
    dp_packet_set_size(packet, dp_packet_size(packet) - 5);
    act_csum(&a, TCA_CSUM_UPDATE_FLAG_TCP);
    execute(&a, 1, packet, &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_DROP);
    CU_ASSERT_EQUAL(result.control, TC_ACT_SHOT);
    CU_ASSERT_PTR_NULL(result.local);
    emu_pipeline_result_uninit(&result);
}

static void
test_pedit_out_of_frame(void)
{
    static const uint8_t keep_none[4] = { 0, 0, 0, 0 };
    static const uint8_t val[4] = { 1, 2, 3, 4 };
    struct emu_pipeline_result result;
    struct esw_flower_action a;
    struct pkt_spec s;

    spec_tcp4(&s);
    struct dp_packet *orig = build(&s);
    size_t size = dp_packet_size(orig);

    /* The first key applies, the second is out of the frame and ends the
     * action, the third is never applied; the action's control stands. */
    memset(&a, 0, sizeof a);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 0, keep_none, val,
              TCA_PEDIT_KEY_EX_CMD_SET);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, ROUND_UP(size, 4),
              keep_none, val, TCA_PEDIT_KEY_EX_CMD_SET);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_ETH, 4, keep_none, val,
              TCA_PEDIT_KEY_EX_CMD_SET);
    a.control = TC_ACT_OK;
    execute(&a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_ACCEPT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(!memcmp(data(result.local), val, 4));
    CU_ASSERT(!memcmp(data(result.local) + 4, data(orig) + 4, size - 4));
    emu_pipeline_result_uninit(&result);

    /* A TCP key on an ARP packet has no header to go to. */
    spec_arp(&s);
    dp_packet_delete(orig);
    orig = build(&s);
    memset(&a, 0, sizeof a);
    pedit_set(&a, TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, 0, keep_none, val,
              TCA_PEDIT_KEY_EX_CMD_SET);
    execute(&a, 1, dp_packet_clone(orig), &result);
    CU_ASSERT_PTR_NOT_NULL_FATAL(result.local);
    CU_ASSERT(same_bytes(result.local, orig));
    emu_pipeline_result_uninit(&result);

    dp_packet_delete(orig);
}

/* Random frames, mostly with a plausible EtherType and IP header start so
 * that the deep paths are reached, go through parsing and through every
 * kind of action without reading or writing outside the frame (valgrind
 * would tell) and come out as the actions say. */
static void
test_random_frames(void)
{
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_VLAN_8021Q, ETH_TYPE_ARP,
        ETH_TYPE_VLAN_8021AD, 0x1234,
    };
    static const uint8_t protos[] = {
        IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, 0, 43, 44,
        60, 51,
    };
    static const uint8_t keep[4] = { 0xff, 0, 0xff, 0 };
    static const uint8_t val[4] = { 1, 2, 3, 4 };
    struct esw_flower_action a[6];
    uint32_t seed = 42;

    memset(a, 0, sizeof a);
    act_vlan(&a[0], TCA_VLAN_ACT_POP, 0, 0, 0);
    for (uint8_t h = 0; h <= TCA_PEDIT_KEY_EX_HDR_TYPE_UDP; h++) {
        pedit_set(&a[1], h, 4 * h, keep, val, h & 1);
        pedit_set(&a[1], h, -4, keep, val, TCA_PEDIT_KEY_EX_CMD_ADD);
    }
    act_csum(&a[2], (TCA_CSUM_UPDATE_FLAG_IPV4HDR | TCA_CSUM_UPDATE_FLAG_ICMP
                     | TCA_CSUM_UPDATE_FLAG_TCP | TCA_CSUM_UPDATE_FLAG_UDP));
    a[2].control = TC_ACT_PIPE;
    act_vlan(&a[3], TCA_VLAN_ACT_MODIFY, 9, 1, ETH_TYPE_VLAN_8021Q);
    act_vlan(&a[4], TCA_VLAN_ACT_PUSH, 10, 2, ETH_TYPE_VLAN_8021AD);
    act_mirred(&a[5], TCA_EGRESS_MIRROR, PORT_X, TC_ACT_PIPE);

    for (int i = 0; i < 3000; i++) {
        uint8_t buf[160];
        size_t len = (seed = seed * 1103515245 + 12345) % sizeof buf;

        for (size_t j = 0; j < sizeof buf; j++) {
            buf[j] = (seed = seed * 1103515245 + 12345) >> 16;
        }
        if (i % 4) {
            put16(buf + 12, types[buf[0] % ARRAY_SIZE(types)]);
            put16(buf + 16, types[buf[1] % 3]);
            buf[14] = buf[2] & 1 ? 0x45 : 0x60 | (buf[14] & 0xf);
            buf[18] = buf[14];
            buf[14 + 9] = buf[18 + 9] = protos[buf[3] % ARRAY_SIZE(protos)];
            buf[14 + 6] = buf[18 + 6] = protos[buf[4] % ARRAY_SIZE(protos)];
        }

        struct dp_packet *packet = dp_packet_clone_data(buf, len);
        struct emu_pipeline_result result;
        struct emu_flow_key key;

        emu_pipeline_parse(packet, PORT_IN, &key);
        execute(a, ARRAY_SIZE(a), packet, &result);
        CU_ASSERT(result.verdict == EMU_PIPELINE_ACCEPT
                  || result.verdict == EMU_PIPELINE_DROP);
        CU_ASSERT_EQUAL(!result.local,
                        result.verdict == EMU_PIPELINE_DROP);
        emu_pipeline_result_uninit(&result);
    }
}

static void
test_process_counts(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *rule = rule_new(ETH_TYPE_IP);
    struct emu_pipeline_result result;
    const struct emu_flow_rule *stored;
    struct emu_flow_stats stats;
    struct pkt_spec s;

    act_mirred(&rule->actions[0], TCA_EGRESS_REDIR, PORT_X, TC_ACT_STOLEN);
    match_ip_proto(rule, ETH_TYPE_IP, IPPROTO_TCP);
    CU_ASSERT_EQUAL(emu_flow_table_insert(table, PORT_IN, rule, 0, &stored),
                    0);
    free(rule);

    spec_tcp4(&s);
    struct dp_packet *packet = build(&s);
    size_t size = dp_packet_size(packet);
    emu_pipeline_process(table, PORT_IN, packet, 777, &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_STOLEN);
    CU_ASSERT_PTR_EQUAL(result.rule, stored);
    CU_ASSERT_EQUAL(result.n_outputs, 1);
    emu_pipeline_result_uninit(&result);

    /* Another port, and a UDP packet: misses, to the representor. */
    emu_pipeline_process(table, PORT_X, build(&s), 778, &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_MISS);
    CU_ASSERT_PTR_NOT_NULL(result.local);
    CU_ASSERT_PTR_NULL(result.rule);
    emu_pipeline_result_uninit(&result);
    spec_udp4(&s);
    emu_pipeline_process(table, PORT_IN, build(&s), 779, &result);
    CU_ASSERT_EQUAL(result.verdict, EMU_PIPELINE_MISS);
    emu_pipeline_result_uninit(&result);

    emu_flow_rule_get_stats(stored, &stats);
    CU_ASSERT_EQUAL(stats.packets, 1);
    CU_ASSERT_EQUAL(stats.bytes, size);
    CU_ASSERT_EQUAL(stats.used_ms, 777);

    emu_flow_table_destroy(table);
}

CU_pSuite
test_emu_pipeline_suite(void)
{
    CU_pSuite suite = CU_add_suite("emu-pipeline", NULL, NULL);

    if (!suite
        || !CU_add_test(suite, "parse TCP/IPv4", test_parse_tcp4)
        || !CU_add_test(suite, "parse VLAN and QinQ", test_parse_vlan)
        || !CU_add_test(suite, "parse fragments", test_parse_fragments)
        || !CU_add_test(suite, "parse IPv6", test_parse_ipv6)
        || !CU_add_test(suite, "parse ARP", test_parse_arp)
        || !CU_add_test(suite, "parse truncated frames",
                        test_parse_truncated)
        || !CU_add_test(suite, "every key field, hit and miss",
                        test_match_every_field)
        || !CU_add_test(suite, "mirred redirect", test_redirect)
        || !CU_add_test(suite, "mirror then redirect",
                        test_mirror_and_redirect)
        || !CU_add_test(suite, "gact and controls", test_gact_and_controls)
        || !CU_add_test(suite, "vlan push and pop", test_vlan_push_pop)
        || !CU_add_test(suite, "vlan modify", test_vlan_modify)
        || !CU_add_test(suite, "pedit eth", test_pedit_eth)
        || !CU_add_test(suite, "pedit ip4 and tcp, csum",
                        test_pedit_ipv4_tcp_with_csum)
        || !CU_add_test(suite, "pedit udp, csum", test_pedit_udp_with_csum)
        || !CU_add_test(suite, "pedit ip6, csum", test_pedit_ipv6_with_csum)
        || !CU_add_test(suite, "csum icmp", test_csum_icmp4)
        || !CU_add_test(suite, "csum of a truncated packet drops",
                        test_csum_truncated_drops)
        || !CU_add_test(suite, "pedit out of the frame",
                        test_pedit_out_of_frame)
        || !CU_add_test(suite, "random frames", test_random_frames)
        || !CU_add_test(suite, "process counts", test_process_counts)) {
        return NULL;
    }
    return suite;
}
