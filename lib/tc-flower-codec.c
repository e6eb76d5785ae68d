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

#include "tc-flower-codec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "byte-order.h"
#include "util.h"

/* USER_HZ: the unit of the times in struct tcf_t. */
#define TC_USER_HZ 100

/* Names of attributes, for messages. */

#define NAME(X) [X] = #X

static const char *const tca_names[] = {
    NAME(TCA_KIND), NAME(TCA_OPTIONS), NAME(TCA_STATS), NAME(TCA_XSTATS),
    NAME(TCA_RATE), NAME(TCA_FCNT), NAME(TCA_STATS2), NAME(TCA_STAB),
    NAME(TCA_PAD), NAME(TCA_DUMP_INVISIBLE), NAME(TCA_CHAIN),
    NAME(TCA_HW_OFFLOAD), NAME(TCA_INGRESS_BLOCK), NAME(TCA_EGRESS_BLOCK),
    NAME(TCA_DUMP_FLAGS), NAME(TCA_EXT_WARN_MSG),
};

static const char *const flower_names[] = {
    NAME(TCA_FLOWER_CLASSID), NAME(TCA_FLOWER_INDEV), NAME(TCA_FLOWER_ACT),
    NAME(TCA_FLOWER_KEY_ETH_DST), NAME(TCA_FLOWER_KEY_ETH_DST_MASK),
    NAME(TCA_FLOWER_KEY_ETH_SRC), NAME(TCA_FLOWER_KEY_ETH_SRC_MASK),
    NAME(TCA_FLOWER_KEY_ETH_TYPE), NAME(TCA_FLOWER_KEY_IP_PROTO),
    NAME(TCA_FLOWER_KEY_IPV4_SRC), NAME(TCA_FLOWER_KEY_IPV4_SRC_MASK),
    NAME(TCA_FLOWER_KEY_IPV4_DST), NAME(TCA_FLOWER_KEY_IPV4_DST_MASK),
    NAME(TCA_FLOWER_KEY_IPV6_SRC), NAME(TCA_FLOWER_KEY_IPV6_SRC_MASK),
    NAME(TCA_FLOWER_KEY_IPV6_DST), NAME(TCA_FLOWER_KEY_IPV6_DST_MASK),
    NAME(TCA_FLOWER_KEY_TCP_SRC), NAME(TCA_FLOWER_KEY_TCP_DST),
    NAME(TCA_FLOWER_KEY_UDP_SRC), NAME(TCA_FLOWER_KEY_UDP_DST),
    NAME(TCA_FLOWER_FLAGS), NAME(TCA_FLOWER_KEY_VLAN_ID),
    NAME(TCA_FLOWER_KEY_VLAN_PRIO), NAME(TCA_FLOWER_KEY_VLAN_ETH_TYPE),
    NAME(TCA_FLOWER_KEY_ENC_KEY_ID), NAME(TCA_FLOWER_KEY_ENC_IPV4_SRC),
    NAME(TCA_FLOWER_KEY_ENC_IPV4_SRC_MASK),
    NAME(TCA_FLOWER_KEY_ENC_IPV4_DST),
    NAME(TCA_FLOWER_KEY_ENC_IPV4_DST_MASK),
    NAME(TCA_FLOWER_KEY_ENC_IPV6_SRC),
    NAME(TCA_FLOWER_KEY_ENC_IPV6_SRC_MASK),
    NAME(TCA_FLOWER_KEY_ENC_IPV6_DST),
    NAME(TCA_FLOWER_KEY_ENC_IPV6_DST_MASK),
    NAME(TCA_FLOWER_KEY_TCP_SRC_MASK), NAME(TCA_FLOWER_KEY_TCP_DST_MASK),
    NAME(TCA_FLOWER_KEY_UDP_SRC_MASK), NAME(TCA_FLOWER_KEY_UDP_DST_MASK),
    NAME(TCA_FLOWER_KEY_SCTP_SRC_MASK), NAME(TCA_FLOWER_KEY_SCTP_DST_MASK),
    NAME(TCA_FLOWER_KEY_SCTP_SRC), NAME(TCA_FLOWER_KEY_SCTP_DST),
    NAME(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT),
    NAME(TCA_FLOWER_KEY_ENC_UDP_SRC_PORT_MASK),
    NAME(TCA_FLOWER_KEY_ENC_UDP_DST_PORT),
    NAME(TCA_FLOWER_KEY_ENC_UDP_DST_PORT_MASK),
    NAME(TCA_FLOWER_KEY_FLAGS), NAME(TCA_FLOWER_KEY_FLAGS_MASK),
    NAME(TCA_FLOWER_KEY_ICMPV4_CODE), NAME(TCA_FLOWER_KEY_ICMPV4_CODE_MASK),
    NAME(TCA_FLOWER_KEY_ICMPV4_TYPE), NAME(TCA_FLOWER_KEY_ICMPV4_TYPE_MASK),
    NAME(TCA_FLOWER_KEY_ICMPV6_CODE), NAME(TCA_FLOWER_KEY_ICMPV6_CODE_MASK),
    NAME(TCA_FLOWER_KEY_ICMPV6_TYPE), NAME(TCA_FLOWER_KEY_ICMPV6_TYPE_MASK),
    NAME(TCA_FLOWER_KEY_ARP_SIP), NAME(TCA_FLOWER_KEY_ARP_SIP_MASK),
    NAME(TCA_FLOWER_KEY_ARP_TIP), NAME(TCA_FLOWER_KEY_ARP_TIP_MASK),
    NAME(TCA_FLOWER_KEY_ARP_OP), NAME(TCA_FLOWER_KEY_ARP_OP_MASK),
    NAME(TCA_FLOWER_KEY_ARP_SHA), NAME(TCA_FLOWER_KEY_ARP_SHA_MASK),
    NAME(TCA_FLOWER_KEY_ARP_THA), NAME(TCA_FLOWER_KEY_ARP_THA_MASK),
    NAME(TCA_FLOWER_KEY_MPLS_TTL), NAME(TCA_FLOWER_KEY_MPLS_BOS),
    NAME(TCA_FLOWER_KEY_MPLS_TC), NAME(TCA_FLOWER_KEY_MPLS_LABEL),
    NAME(TCA_FLOWER_KEY_TCP_FLAGS), NAME(TCA_FLOWER_KEY_TCP_FLAGS_MASK),
    NAME(TCA_FLOWER_KEY_IP_TOS), NAME(TCA_FLOWER_KEY_IP_TOS_MASK),
    NAME(TCA_FLOWER_KEY_IP_TTL), NAME(TCA_FLOWER_KEY_IP_TTL_MASK),
    NAME(TCA_FLOWER_KEY_CVLAN_ID), NAME(TCA_FLOWER_KEY_CVLAN_PRIO),
    NAME(TCA_FLOWER_KEY_CVLAN_ETH_TYPE), NAME(TCA_FLOWER_KEY_ENC_IP_TOS),
    NAME(TCA_FLOWER_KEY_ENC_IP_TOS_MASK), NAME(TCA_FLOWER_KEY_ENC_IP_TTL),
    NAME(TCA_FLOWER_KEY_ENC_IP_TTL_MASK), NAME(TCA_FLOWER_KEY_ENC_OPTS),
    NAME(TCA_FLOWER_KEY_ENC_OPTS_MASK), NAME(TCA_FLOWER_IN_HW_COUNT),
    NAME(TCA_FLOWER_KEY_PORT_SRC_MIN), NAME(TCA_FLOWER_KEY_PORT_SRC_MAX),
    NAME(TCA_FLOWER_KEY_PORT_DST_MIN), NAME(TCA_FLOWER_KEY_PORT_DST_MAX),
    NAME(TCA_FLOWER_KEY_CT_STATE), NAME(TCA_FLOWER_KEY_CT_STATE_MASK),
    NAME(TCA_FLOWER_KEY_CT_ZONE), NAME(TCA_FLOWER_KEY_CT_ZONE_MASK),
    NAME(TCA_FLOWER_KEY_CT_MARK), NAME(TCA_FLOWER_KEY_CT_MARK_MASK),
    NAME(TCA_FLOWER_KEY_CT_LABELS), NAME(TCA_FLOWER_KEY_CT_LABELS_MASK),
    NAME(TCA_FLOWER_KEY_MPLS_OPTS), NAME(TCA_FLOWER_KEY_HASH),
    NAME(TCA_FLOWER_KEY_HASH_MASK), NAME(TCA_FLOWER_KEY_NUM_OF_VLANS),
    NAME(TCA_FLOWER_KEY_PPPOE_SID), NAME(TCA_FLOWER_KEY_PPP_PROTO),
    NAME(TCA_FLOWER_KEY_L2TPV3_SID),
};

static const char *const act_names[] = {
    NAME(TCA_ACT_KIND), NAME(TCA_ACT_OPTIONS), NAME(TCA_ACT_INDEX),
    NAME(TCA_ACT_STATS), NAME(TCA_ACT_PAD), NAME(TCA_ACT_COOKIE),
    NAME(TCA_ACT_FLAGS), NAME(TCA_ACT_HW_STATS),
    NAME(TCA_ACT_USED_HW_STATS), NAME(TCA_ACT_IN_HW_COUNT),
};

#undef NAME

/* Writes the name of attribute 'type' from table 'names' of 'n' entries
 * into 'buf' (or "PREFIX<type>" for a type the table does not know) and
 * returns 'buf'. */
static const char *
attr_name(const char *const names[], size_t n, const char *prefix,
          uint16_t type, char buf[64])
{
    if (type < n && names[type]) {
        return names[type];
    }
    snprintf(buf, 64, "%s%"PRIu16, prefix, type);
    return buf;
}

/* Encoding. */

/* A netlink message under construction in a caller's buffer.  The first
 * attribute that does not fit sets 'overflow'; every later put is then a
 * no-op, so that encoders check only once, at the end. */
struct nl_writer {
    struct nlmsghdr *nlh;
    size_t size;
    bool overflow;
};

/* Starts in 'buf' of 'size' bytes a message of 'type' and 'flags' with an
 * extra header of 'extra_size' bytes, zeroed, which it returns (NULL if it
 * does not fit). */
static void *
writer_start(struct nl_writer *w, void *buf, size_t size, uint16_t type,
             uint16_t flags, uint32_t seq, uint32_t portid,
             size_t extra_size)
{
    w->size = size;
    w->overflow = size < MNL_NLMSG_HDRLEN + MNL_ALIGN(extra_size);
    if (w->overflow) {
        w->nlh = NULL;
        return NULL;
    }
    w->nlh = mnl_nlmsg_put_header(buf);
    w->nlh->nlmsg_type = type;
    w->nlh->nlmsg_flags = flags;
    w->nlh->nlmsg_seq = seq;
    w->nlh->nlmsg_pid = portid;
    return mnl_nlmsg_put_extra_header(w->nlh, extra_size);
}

static bool
writer_room(struct nl_writer *w, size_t payload_len)
{
    if (!w->overflow
        && w->nlh->nlmsg_len + MNL_ALIGN(MNL_ATTR_HDRLEN + payload_len)
           > w->size) {
        w->overflow = true;
    }
    return !w->overflow;
}

static void
put(struct nl_writer *w, uint16_t type, const void *data, size_t len)
{
    if (writer_room(w, len)) {
        /* libmnl leaves the padding as it was: zero it, as tc does. */
        memset(mnl_nlmsg_get_payload_tail(w->nlh), 0,
               MNL_ALIGN(MNL_ATTR_HDRLEN + len));
        mnl_attr_put(w->nlh, type, len, data);
    }
}

static void
put_u8(struct nl_writer *w, uint16_t type, uint8_t value)
{
    put(w, type, &value, sizeof value);
}

static void
put_u16(struct nl_writer *w, uint16_t type, uint16_t value)
{
    put(w, type, &value, sizeof value);
}

static void
put_u32(struct nl_writer *w, uint16_t type, uint32_t value)
{
    put(w, type, &value, sizeof value);
}

static void
put_strz(struct nl_writer *w, uint16_t type, const char *s)
{
    put(w, type, s, strlen(s) + 1);
}

/* Starts a nested attribute whose nla_type is exactly 'type' (so with
 * NLA_F_NESTED only if the caller includes it: tc and the kernel set it on
 * some nests and not on others). */
static struct nlattr *
nest_start(struct nl_writer *w, uint16_t type)
{
    if (!writer_room(w, 0)) {
        return NULL;
    }
    struct nlattr *nest = mnl_attr_nest_start(w->nlh, type);
    nest->nla_type = type;
    return nest;
}

static void
nest_end(struct nl_writer *w, struct nlattr *nest)
{
    if (!w->overflow && nest) {
        size_t len = (char *) mnl_nlmsg_get_payload_tail(w->nlh)
                     - (char *) nest;
        if (len > UINT16_MAX) {
            w->overflow = true;
        } else {
            nest->nla_len = len;
        }
    }
}

static int
writer_finish(struct nl_writer *w, size_t *lenp)
{
    if (w->overflow) {
        *lenp = 0;
        return ENOBUFS;
    }
    *lenp = w->nlh->nlmsg_len;
    return 0;
}

static bool
is_vlan_type(ovs_be16 type)
{
    return type == htons(ETH_P_8021Q) || type == htons(ETH_P_8021AD);
}

static bool
is_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
is_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

/* The ethertype of the L3 header that 'rule' matches (the inner type of a
 * VLAN rule), 0 if none. */
static ovs_be16
rule_l3_type(const struct esw_flower_rule *rule)
{
    if (!rule->mask.eth_type) {
        return 0;
    } else if (is_vlan_type(rule->key.eth_type)) {
        return rule->mask.vlan_eth_type ? rule->key.vlan_eth_type : 0;
    } else {
        return rule->key.eth_type;
    }
}

static uint8_t
rule_ip_proto(const struct esw_flower_rule *rule)
{
    return rule->mask.ip_proto ? rule->key.ip_proto : 0;
}

/* The attributes of the transport ports of 'ip_proto': source, source
 * mask, destination, destination mask.  False if 'ip_proto' has none. */
static bool
port_attrs(uint8_t ip_proto, uint16_t attrs[4])
{
    switch (ip_proto) {
    case IPPROTO_TCP:
        attrs[0] = TCA_FLOWER_KEY_TCP_SRC;
        attrs[1] = TCA_FLOWER_KEY_TCP_SRC_MASK;
        attrs[2] = TCA_FLOWER_KEY_TCP_DST;
        attrs[3] = TCA_FLOWER_KEY_TCP_DST_MASK;
        return true;
    case IPPROTO_UDP:
        attrs[0] = TCA_FLOWER_KEY_UDP_SRC;
        attrs[1] = TCA_FLOWER_KEY_UDP_SRC_MASK;
        attrs[2] = TCA_FLOWER_KEY_UDP_DST;
        attrs[3] = TCA_FLOWER_KEY_UDP_DST_MASK;
        return true;
    case IPPROTO_SCTP:
        attrs[0] = TCA_FLOWER_KEY_SCTP_SRC;
        attrs[1] = TCA_FLOWER_KEY_SCTP_SRC_MASK;
        attrs[2] = TCA_FLOWER_KEY_SCTP_DST;
        attrs[3] = TCA_FLOWER_KEY_SCTP_DST_MASK;
        return true;
    default:
        return false;
    }
}

/* The attributes of the ICMP type and code of a rule with 'l3' and
 * 'ip_proto': type, type mask, code, code mask.  False if not ICMP. */
static bool
icmp_attrs(ovs_be16 l3, uint8_t ip_proto, uint16_t attrs[4])
{
    if (l3 == htons(ETH_P_IP) && ip_proto == IPPROTO_ICMP) {
        attrs[0] = TCA_FLOWER_KEY_ICMPV4_TYPE;
        attrs[1] = TCA_FLOWER_KEY_ICMPV4_TYPE_MASK;
        attrs[2] = TCA_FLOWER_KEY_ICMPV4_CODE;
        attrs[3] = TCA_FLOWER_KEY_ICMPV4_CODE_MASK;
        return true;
    } else if (l3 == htons(ETH_P_IPV6) && ip_proto == IPPROTO_ICMPV6) {
        attrs[0] = TCA_FLOWER_KEY_ICMPV6_TYPE;
        attrs[1] = TCA_FLOWER_KEY_ICMPV6_TYPE_MASK;
        attrs[2] = TCA_FLOWER_KEY_ICMPV6_CODE;
        attrs[3] = TCA_FLOWER_KEY_ICMPV6_CODE_MASK;
        return true;
    }
    return false;
}

/* Puts key 'key' and mask 'mask' of 'len' bytes, if the mask is not zero:
 * always both if 'always_mask', otherwise the mask only if it is not
 * all-ones (as tc does for ports). */
static void
put_masked(struct nl_writer *w, uint16_t key_type, uint16_t mask_type,
           const void *key, const void *mask, size_t len, bool always_mask)
{
    if (!is_zero(mask, len)) {
        put(w, key_type, key, len);
        if (always_mask || !is_ones(mask, len)) {
            put(w, mask_type, mask, len);
        }
    }
}

/* Puts the keys of 'rule' that precede the actions, in tc's order. */
static int
put_request_keys(struct nl_writer *w, const struct esw_flower_rule *rule)
{
    const struct esw_flower_key *k = &rule->key;
    const struct esw_flower_key *m = &rule->mask;
    ovs_be16 l3 = rule_l3_type(rule);
    uint8_t proto = rule_ip_proto(rule);
    uint16_t attrs[4];

    if (m->indev[0]) {
        char indev[IFNAMSIZ];

        ovs_strzcpy(indev, k->indev, sizeof indev);
        put_strz(w, TCA_FLOWER_INDEV, indev);
    }
    if (m->vlan_id) {
        put_u16(w, TCA_FLOWER_KEY_VLAN_ID, k->vlan_id);
    }
    if (m->vlan_prio) {
        put_u8(w, TCA_FLOWER_KEY_VLAN_PRIO, k->vlan_prio);
    }
    if (m->vlan_eth_type) {
        put(w, TCA_FLOWER_KEY_VLAN_ETH_TYPE, &k->vlan_eth_type, 2);
    }
    put_masked(w, TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK,
               &k->eth_dst, &m->eth_dst, ETH_ALEN, true);
    put_masked(w, TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK,
               &k->eth_src, &m->eth_src, ETH_ALEN, true);
    if (m->ip_proto) {
        put_u8(w, TCA_FLOWER_KEY_IP_PROTO, k->ip_proto);
    }
    put_masked(w, TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK,
               &k->ip_tos, &m->ip_tos, 1, true);
    put_masked(w, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK,
               &k->ip_ttl, &m->ip_ttl, 1, true);
    put_masked(w, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK,
               &k->ipv4_dst, &m->ipv4_dst, 4, true);
    put_masked(w, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK,
               &k->ipv6_dst, &m->ipv6_dst, 16, true);
    put_masked(w, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK,
               &k->ipv4_src, &m->ipv4_src, 4, true);
    put_masked(w, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK,
               &k->ipv6_src, &m->ipv6_src, 16, true);
    if (m->tp_src || m->tp_dst) {
        if (!port_attrs(proto, attrs)) {
            return EINVAL;
        }
        put_masked(w, attrs[2], attrs[3], &k->tp_dst, &m->tp_dst, 2, false);
        put_masked(w, attrs[0], attrs[1], &k->tp_src, &m->tp_src, 2, false);
    }
    if (m->tcp_flags) {
        if (proto != IPPROTO_TCP) {
            return EINVAL;
        }
        put_masked(w, TCA_FLOWER_KEY_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS_MASK,
                   &k->tcp_flags, &m->tcp_flags, 2, true);
    }
    if (m->icmp_type || m->icmp_code) {
        if (!icmp_attrs(l3, proto, attrs)) {
            return EINVAL;
        }
        put_masked(w, attrs[0], attrs[1], &k->icmp_type, &m->icmp_type, 1,
                   true);
        put_masked(w, attrs[2], attrs[3], &k->icmp_code, &m->icmp_code, 1,
                   true);
    }
    put_masked(w, TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK,
               &k->arp_tip, &m->arp_tip, 4, true);
    put_masked(w, TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK,
               &k->arp_sip, &m->arp_sip, 4, true);
    put_masked(w, TCA_FLOWER_KEY_ARP_OP, TCA_FLOWER_KEY_ARP_OP_MASK,
               &k->arp_op, &m->arp_op, 1, true);
    put_masked(w, TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK,
               &k->arp_tha, &m->arp_tha, ETH_ALEN, true);
    put_masked(w, TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK,
               &k->arp_sha, &m->arp_sha, ETH_ALEN, true);
    return 0;
}

/* Puts the keys of 'rule' as fl_dump_key() reports them. */
static int
put_reply_keys(struct nl_writer *w, const struct esw_flower_rule *rule)
{
    const struct esw_flower_key *k = &rule->key;
    const struct esw_flower_key *m = &rule->mask;
    ovs_be16 l3 = rule_l3_type(rule);
    uint8_t proto = rule_ip_proto(rule);
    bool vlan = m->eth_type && is_vlan_type(k->eth_type);
    uint16_t attrs[4];

    if (m->indev[0]) {
        char indev[IFNAMSIZ];

        ovs_strzcpy(indev, k->indev, sizeof indev);
        put_strz(w, TCA_FLOWER_INDEV, indev);
    }
    put_masked(w, TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK,
               &k->eth_dst, &m->eth_dst, ETH_ALEN, true);
    put_masked(w, TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK,
               &k->eth_src, &m->eth_src, ETH_ALEN, true);
    /* The kernel's basic.n_proto: the inner type of a VLAN rule. */
    if (l3) {
        put(w, TCA_FLOWER_KEY_ETH_TYPE, &l3, 2);
    }
    if (vlan && m->vlan_id) {
        put_u16(w, TCA_FLOWER_KEY_VLAN_ID, k->vlan_id);
    }
    if (vlan && m->vlan_prio) {
        put_u8(w, TCA_FLOWER_KEY_VLAN_PRIO, k->vlan_prio);
    }
    if (vlan && l3) {
        put(w, TCA_FLOWER_KEY_VLAN_ETH_TYPE, &l3, 2);
    }
    if (l3 == htons(ETH_P_IP) || l3 == htons(ETH_P_IPV6)) {
        if (m->ip_proto) {
            put_u8(w, TCA_FLOWER_KEY_IP_PROTO, k->ip_proto);
        }
        put_masked(w, TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK,
                   &k->ip_tos, &m->ip_tos, 1, true);
        put_masked(w, TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK,
                   &k->ip_ttl, &m->ip_ttl, 1, true);
    }
    put_masked(w, TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK,
               &k->ipv4_src, &m->ipv4_src, 4, true);
    put_masked(w, TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK,
               &k->ipv4_dst, &m->ipv4_dst, 4, true);
    put_masked(w, TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK,
               &k->ipv6_src, &m->ipv6_src, 16, true);
    put_masked(w, TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK,
               &k->ipv6_dst, &m->ipv6_dst, 16, true);
    if (port_attrs(proto, attrs)) {
        put_masked(w, attrs[0], attrs[1], &k->tp_src, &m->tp_src, 2, true);
        put_masked(w, attrs[2], attrs[3], &k->tp_dst, &m->tp_dst, 2, true);
        if (proto == IPPROTO_TCP) {
            put_masked(w, TCA_FLOWER_KEY_TCP_FLAGS,
                       TCA_FLOWER_KEY_TCP_FLAGS_MASK,
                       &k->tcp_flags, &m->tcp_flags, 2, true);
        }
    } else if (icmp_attrs(l3, proto, attrs)) {
        put_masked(w, attrs[0], attrs[1], &k->icmp_type, &m->icmp_type, 1,
                   true);
        put_masked(w, attrs[2], attrs[3], &k->icmp_code, &m->icmp_code, 1,
                   true);
    } else if (l3 == htons(ETH_P_ARP) || l3 == htons(ETH_P_RARP)) {
        put_masked(w, TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK,
                   &k->arp_sip, &m->arp_sip, 4, true);
        put_masked(w, TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK,
                   &k->arp_tip, &m->arp_tip, 4, true);
        put_masked(w, TCA_FLOWER_KEY_ARP_OP, TCA_FLOWER_KEY_ARP_OP_MASK,
                   &k->arp_op, &m->arp_op, 1, true);
        put_masked(w, TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK,
                   &k->arp_sha, &m->arp_sha, ETH_ALEN, true);
        put_masked(w, TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK,
                   &k->arp_tha, &m->arp_tha, ETH_ALEN, true);
    }
    if (m->ip_flags) {
        put_u32(w, TCA_FLOWER_KEY_FLAGS, htonl(k->ip_flags));
        put_u32(w, TCA_FLOWER_KEY_FLAGS_MASK, htonl(m->ip_flags));
    }
    return 0;
}

/* The tc_gen header of every action's parameters. */
struct tc_gen_hdr {
    tc_gen;
};

static void
fill_gen(struct tc_gen_hdr *gen, const struct esw_flower_action *a,
         bool reply)
{
    memset(gen, 0, sizeof *gen);
    gen->index = a->index;
    gen->action = a->control;
    if (reply) {
        /* The filter holds the only reference and binding. */
        gen->refcnt = 1;
        gen->bindcnt = 1;
    }
}

static const char *
action_kind(enum esw_flower_action_type type)
{
    switch (type) {
    case ESW_FLOWER_ACT_MIRRED: return "mirred";
    case ESW_FLOWER_ACT_GACT: return "gact";
    case ESW_FLOWER_ACT_VLAN: return "vlan";
    case ESW_FLOWER_ACT_PEDIT: return "pedit";
    case ESW_FLOWER_ACT_CSUM: return "csum";
    }
    return NULL;
}

/* Puts the *_TM attribute 'type' of 'a', as tcf_tm_dump() reports it. */
static void
put_tm(struct nl_writer *w, uint16_t type, const struct esw_flower_action *a)
{
    struct tcf_t tm = {
        .install = a->stats.install_ms * TC_USER_HZ / 1000,
        .lastuse = a->stats.lastuse_ms * TC_USER_HZ / 1000,
        .firstuse = a->stats.firstuse_ms * TC_USER_HZ / 1000,
    };
    put(w, type, &tm, sizeof tm);
}

/* Puts the parameters of action 'a' (the content of TCA_ACT_OPTIONS), as tc
 * sends them or, if 'reply', as the action's dump function reports them. */
static int
put_action_options(struct nl_writer *w, const struct esw_flower_action *a,
                   bool reply)
{
    switch (a->type) {
    case ESW_FLOWER_ACT_MIRRED: {
        struct tc_mirred p;

        fill_gen((struct tc_gen_hdr *) (void *) &p, a, reply);
        p.eaction = a->mirred.eaction;
        p.ifindex = a->mirred.ifindex;
        put(w, TCA_MIRRED_PARMS, &p, sizeof p);
        if (reply) {
            put_tm(w, TCA_MIRRED_TM, a);
        }
        return 0;
    }

    case ESW_FLOWER_ACT_GACT: {
        struct tc_gact p;

        fill_gen((struct tc_gen_hdr *) (void *) &p, a, reply);
        put(w, TCA_GACT_PARMS, &p, sizeof p);
        if (reply) {
            put_tm(w, TCA_GACT_TM, a);
        }
        return 0;
    }

    case ESW_FLOWER_ACT_VLAN: {
        struct tc_vlan p;

        fill_gen((struct tc_gen_hdr *) (void *) &p, a, reply);
        p.v_action = a->vlan.action;
        put(w, TCA_VLAN_PARMS, &p, sizeof p);
        if (a->vlan.action == TCA_VLAN_ACT_PUSH
            || a->vlan.action == TCA_VLAN_ACT_MODIFY) {
            put_u16(w, TCA_VLAN_PUSH_VLAN_ID, a->vlan.id);
            put(w, TCA_VLAN_PUSH_VLAN_PROTOCOL, &a->vlan.proto, 2);
            if (reply || !a->vlan.keep_prio) {
                put_u8(w, TCA_VLAN_PUSH_VLAN_PRIORITY, a->vlan.prio);
            }
        }
        if (reply) {
            put_tm(w, TCA_VLAN_TM, a);
        }
        return 0;
    }

    case ESW_FLOWER_ACT_PEDIT: {
        size_t n = a->pedit.n_keys;
        if (!n || n > ESW_FLOWER_MAX_PEDIT_KEYS) {
            return EINVAL;
        }

        struct {
            struct tc_pedit_sel sel;
            struct tc_pedit_key keys[ESW_FLOWER_MAX_PEDIT_KEYS];
        } p;
        memset(&p, 0, sizeof p);
        fill_gen((struct tc_gen_hdr *) (void *) &p.sel, a, reply);
        p.sel.nkeys = n;
        for (size_t i = 0; i < n; i++) {
            p.keys[i].mask = a->pedit.keys[i].mask;
            p.keys[i].val = a->pedit.keys[i].val;
            p.keys[i].off = a->pedit.keys[i].offset;
        }
        size_t p_len = sizeof p.sel + n * sizeof p.keys[0];

        /* tc puts the keys after the parameters and flags its nests; the
         * kernel does the opposite. */
        uint16_t nested = reply ? 0 : NLA_F_NESTED;
        if (!reply) {
            put(w, TCA_PEDIT_PARMS_EX, &p, p_len);
        }
        struct nlattr *keys = nest_start(w, TCA_PEDIT_KEYS_EX | nested);
        for (size_t i = 0; i < n; i++) {
            struct nlattr *key = nest_start(w, TCA_PEDIT_KEY_EX | nested);
            put_u16(w, TCA_PEDIT_KEY_EX_HTYPE, a->pedit.keys[i].htype);
            put_u16(w, TCA_PEDIT_KEY_EX_CMD, a->pedit.keys[i].cmd);
            nest_end(w, key);
        }
        nest_end(w, keys);
        if (reply) {
            put(w, TCA_PEDIT_PARMS_EX, &p, p_len);
            put_tm(w, TCA_PEDIT_TM, a);
        }
        return 0;
    }

    case ESW_FLOWER_ACT_CSUM: {
        struct tc_csum p;

        fill_gen((struct tc_gen_hdr *) (void *) &p, a, reply);
        p.update_flags = a->csum.update_flags;
        put(w, TCA_CSUM_PARMS, &p, sizeof p);
        if (reply) {
            put_tm(w, TCA_CSUM_TM, a);
        }
        return 0;
    }
    }
    return EINVAL;
}

/* Puts one gnet_stats_basic counter 'type', with TCA_STATS_PKT64 after it
 * when the packet count does not fit in 32 bits, as
 * gnet_stats_copy_basic() does. */
static void
put_basic_stats(struct nl_writer *w, uint16_t type, uint64_t bytes,
                uint64_t packets)
{
    struct gnet_stats_basic basic;

    memset(&basic, 0, sizeof basic);
    basic.bytes = bytes;
    basic.packets = MIN(packets, UINT32_MAX);
    put(w, type, &basic, sizeof basic);
    if (packets > UINT32_MAX) {
        put(w, TCA_STATS_PKT64, &packets, sizeof packets);
    }
}

/* Puts TCA_ACT_STATS of 'a', as tcf_action_copy_stats() does. */
static void
put_action_stats(struct nl_writer *w, const struct esw_flower_action *a)
{
    struct gnet_stats_queue queue;
    struct nlattr *stats = nest_start(w, TCA_ACT_STATS);

    put_basic_stats(w, TCA_STATS_BASIC, a->stats.bytes, a->stats.packets);
    put_basic_stats(w, TCA_STATS_BASIC_HW, a->stats.bytes_hw,
                    a->stats.packets_hw);
    memset(&queue, 0, sizeof queue);
    put(w, TCA_STATS_QUEUE, &queue, sizeof queue);
    nest_end(w, stats);
}

static int
put_request_actions(struct nl_writer *w, const struct esw_flower_rule *rule)
{
    struct nlattr *acts = nest_start(w, TCA_FLOWER_ACT);

    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &rule->actions[i];
        const char *kind = action_kind(a->type);
        if (!kind || a->cookie_len > ESW_FLOWER_MAX_COOKIE) {
            return EINVAL;
        }

        struct nlattr *act = nest_start(w, i + 1);
        put_strz(w, TCA_ACT_KIND, kind);
        struct nlattr *opts = nest_start(w, TCA_ACT_OPTIONS | NLA_F_NESTED);
        int error = put_action_options(w, a, false);
        if (error) {
            return error;
        }
        nest_end(w, opts);
        if (a->cookie_len) {
            put(w, TCA_ACT_COOKIE, a->cookie, a->cookie_len);
        }
        nest_end(w, act);
    }
    nest_end(w, acts);
    return 0;
}

static int
put_reply_actions(struct nl_writer *w, const struct esw_flower_rule *rule,
                  bool terse)
{
    struct nlattr *acts = nest_start(w, TCA_FLOWER_ACT);
    uint32_t act_flags = 0;

    if (rule->flags & TCA_CLS_FLAGS_SKIP_HW) {
        act_flags |= TCA_ACT_FLAGS_SKIP_HW;
    }
    if (rule->flags & TCA_CLS_FLAGS_SKIP_SW) {
        act_flags |= TCA_ACT_FLAGS_SKIP_SW;
    }
    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &rule->actions[i];
        const char *kind = action_kind(a->type);
        if (!kind || a->cookie_len > ESW_FLOWER_MAX_COOKIE) {
            return EINVAL;
        }

        /* tcf_action_dump_terse(), then the rest of tcf_action_dump_1(). */
        struct nlattr *act = nest_start(w, i + 1);
        put_strz(w, TCA_ACT_KIND, kind);
        put_action_stats(w, a);
        if (a->cookie_len) {
            put(w, TCA_ACT_COOKIE, a->cookie, a->cookie_len);
        }
        if (!terse) {
            if (act_flags) {
                struct nla_bitfield32 bf = { act_flags, act_flags };
                put(w, TCA_ACT_FLAGS, &bf, sizeof bf);
            }
            /* Actions bound to a filter are not offloaded on their own. */
            put_u32(w, TCA_ACT_IN_HW_COUNT, 0);
            struct nlattr *opts = nest_start(w, TCA_ACT_OPTIONS);
            int error = put_action_options(w, a, true);
            if (error) {
                return error;
            }
            nest_end(w, opts);
        }
        nest_end(w, act);
    }
    nest_end(w, acts);
    return 0;
}

static struct tcmsg *
start_filter_msg(struct nl_writer *w, void *buf, size_t size, uint16_t type,
                 uint16_t flags, uint32_t seq, uint32_t portid,
                 const struct esw_flower_rule *rule)
{
    struct tcmsg *tcm = writer_start(w, buf, size, type, flags, seq, portid,
                                     sizeof *tcm);
    if (tcm) {
        tcm->tcm_family = AF_UNSPEC;
        tcm->tcm_ifindex = rule->ifindex;
        tcm->tcm_handle = rule->handle;
        tcm->tcm_parent = rule->parent;
        tcm->tcm_info = TC_H_MAKE((uint32_t) rule->prio << 16,
                                  (uint16_t) rule->protocol);
    }
    return tcm;
}

int
tc_flower_encode_new(void *buf, size_t size,
                     const struct esw_flower_rule *rule, uint16_t nlm_flags,
                     uint32_t seq, size_t *lenp)
{
    struct nl_writer w;
    int error;

    start_filter_msg(&w, buf, size, RTM_NEWTFILTER,
                     NLM_F_REQUEST | NLM_F_ACK | nlm_flags, seq, 0, rule);
    put_u32(&w, TCA_CHAIN, rule->chain);
    put_strz(&w, TCA_KIND, "flower");
    struct nlattr *opts = nest_start(&w, TCA_OPTIONS);
    error = put_request_keys(&w, rule);
    if (!error && rule->n_actions) {
        error = put_request_actions(&w, rule);
    }
    if (error) {
        *lenp = 0;
        return error;
    }
    put_u32(&w, TCA_FLOWER_FLAGS,
            rule->flags & (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW
                           | TCA_CLS_FLAGS_VERBOSE));
    if (rule->mask.ip_flags) {
        put_u32(&w, TCA_FLOWER_KEY_FLAGS, htonl(rule->key.ip_flags));
        put_u32(&w, TCA_FLOWER_KEY_FLAGS_MASK, htonl(rule->mask.ip_flags));
    }
    if (rule->mask.eth_type) {
        put(&w, TCA_FLOWER_KEY_ETH_TYPE, &rule->key.eth_type, 2);
    }
    nest_end(&w, opts);
    return writer_finish(&w, lenp);
}

/* Encodes a deletion or a get, which tc sends with the same attributes:
 * the chain, the kind and options with no key but flags and eth_type. */
static int
encode_del_or_get(void *buf, size_t size, uint16_t type, uint16_t flags,
                  const struct esw_flower_rule *rule, uint32_t seq,
                  size_t *lenp)
{
    struct nl_writer w;

    start_filter_msg(&w, buf, size, type, flags, seq, 0, rule);
    put_u32(&w, TCA_CHAIN, rule->chain);
    put_strz(&w, TCA_KIND, "flower");
    struct nlattr *opts = nest_start(&w, TCA_OPTIONS);
    put_u32(&w, TCA_FLOWER_FLAGS, 0);
    if (rule->protocol != htons(ETH_P_ALL)) {
        put(&w, TCA_FLOWER_KEY_ETH_TYPE, &rule->protocol, 2);
    }
    nest_end(&w, opts);
    return writer_finish(&w, lenp);
}

int
tc_flower_encode_del(void *buf, size_t size,
                     const struct esw_flower_rule *rule, uint32_t seq,
                     size_t *lenp)
{
    return encode_del_or_get(buf, size, RTM_DELTFILTER,
                             NLM_F_REQUEST | NLM_F_ACK, rule, seq, lenp);
}

int
tc_flower_encode_get(void *buf, size_t size,
                     const struct esw_flower_rule *rule, uint32_t seq,
                     size_t *lenp)
{
    return encode_del_or_get(buf, size, RTM_GETTFILTER,
                             NLM_F_REQUEST | NLM_F_ECHO, rule, seq, lenp);
}

int
tc_flower_encode_dump_request(void *buf, size_t size, int ifindex,
                              uint32_t parent, bool terse, uint32_t seq,
                              size_t *lenp)
{
    struct nl_writer w;
    struct tcmsg *tcm = writer_start(&w, buf, size, RTM_GETTFILTER,
                                     NLM_F_REQUEST | NLM_F_DUMP, seq, 0,
                                     sizeof *tcm);
    if (tcm) {
        tcm->tcm_family = AF_UNSPEC;
        tcm->tcm_ifindex = ifindex;
        tcm->tcm_parent = parent;
    }
    if (terse) {
        struct nla_bitfield32 bf = { TCA_DUMP_FLAGS_TERSE,
                                     TCA_DUMP_FLAGS_TERSE };
        put(&w, TCA_DUMP_FLAGS, &bf, sizeof bf);
    }
    return writer_finish(&w, lenp);
}

int
tc_flower_encode_reply(void *buf, size_t size,
                       const struct esw_flower_rule *rule, uint16_t nlm_flags,
                       uint32_t seq, uint32_t portid, bool terse,
                       size_t *lenp)
{
    struct nl_writer w;
    int error = 0;

    start_filter_msg(&w, buf, size, RTM_NEWTFILTER, nlm_flags, seq, portid,
                     rule);
    put_strz(&w, TCA_KIND, "flower");
    put_u32(&w, TCA_CHAIN, rule->chain);
    struct nlattr *opts = nest_start(&w, TCA_OPTIONS);
    if (!terse) {
        error = put_reply_keys(&w, rule);
    }
    if (!error && rule->flags) {
        put_u32(&w, TCA_FLOWER_FLAGS, rule->flags);
    }
    if (!error && !terse) {
        put_u32(&w, TCA_FLOWER_IN_HW_COUNT, rule->in_hw_count);
    }
    if (!error && rule->n_actions) {
        error = put_reply_actions(&w, rule, terse);
    }
    if (error) {
        *lenp = 0;
        return error;
    }
    nest_end(&w, opts);
    return writer_finish(&w, lenp);
}

/* Decoding. */

/* Sets '*errp', if nonnull, to a message in 'format' and returns 'error'. */
static int OVS_PRINTF_FORMAT(3, 4)
fail(char **errp, int error, const char *format, ...)
{
    if (errp) {
        va_list args;

        va_start(args, format);
        *errp = xvasprintf(format, args);
        va_end(args);
    }
    return error;
}

/* A set of attributes to parse: a table of 'max' + 1 pointers, the names of
 * the attributes and what they are part of, for messages. */
struct attr_set {
    const char *what;                  /* E.g. "flower", "action". */
    const char *const *names;
    size_t n_names;
    uint16_t max;
};

/* Parses the attributes in the 'len' bytes at 'data' into 'tb' (of
 * set->max + 1 entries, all set, NULL for an absent attribute).  Fails with
 * EINVAL if an attribute is truncated, if there are bytes left after the
 * last one, or if one appears twice; with EOPNOTSUPP for a type above
 * set->max. */
static int
parse_attrs(const void *data, size_t len, const struct attr_set *set,
            const struct nlattr *tb[], char **errp)
{
    const struct nlattr *attr = data;
    int rem = len;
    char buf[64];

    memset(tb, 0, (set->max + 1) * sizeof *tb);
    if (len > INT_MAX) {
        return fail(errp, EINVAL, "%s attributes too long", set->what);
    }
    while (rem >= (int) sizeof *attr) {
        if (!mnl_attr_ok(attr, rem)) {
            return fail(errp, EINVAL, "%s attributes: truncated attribute",
                        set->what);
        }
        uint16_t type = mnl_attr_get_type(attr);
        const char *name = attr_name(set->names, set->n_names, "attribute ",
                                     type, buf);
        if (!type || type > set->max) {
            return fail(errp, EOPNOTSUPP, "%s %s not supported", set->what,
                        name);
        }
        if (tb[type]) {
            return fail(errp, EINVAL, "%s %s given twice", set->what, name);
        }
        tb[type] = attr;
        rem -= MNL_ALIGN(attr->nla_len);
        attr = (const struct nlattr *) (const void *)
               ((const char *) attr + MNL_ALIGN(attr->nla_len));
    }
    if (rem > 0) {
        return fail(errp, EINVAL, "%s attributes: %d bytes left over",
                    set->what, rem);
    }
    return 0;
}

static int
check_len(const struct nlattr *attr, size_t len, const struct attr_set *set,
          char **errp)
{
    if (attr && mnl_attr_get_payload_len(attr) != len) {
        char buf[64];
        uint16_t type = mnl_attr_get_type(attr);

        return fail(errp, EINVAL, "%s %s has length %"PRIu16", expected %zu",
                    set->what,
                    attr_name(set->names, set->n_names, "attribute ", type,
                              buf),
                    mnl_attr_get_payload_len(attr), len);
    }
    return 0;
}

/* Checks that 'attr' holds a NUL-terminated string of at most 'max_len'
 * characters before the NUL. */
static int
check_string(const struct nlattr *attr, size_t max_len, const char *what,
             char **errp)
{
    if (attr) {
        const char *s = mnl_attr_get_payload(attr);
        size_t len = mnl_attr_get_payload_len(attr);
        const char *nul = memchr(s, '\0', len);

        if (!nul || (size_t) (nul - s) > max_len) {
            return fail(errp, EINVAL, "%s is not a string of at most %zu "
                        "characters", what, max_len);
        }
    }
    return 0;
}

static uint32_t
get_u32(const struct nlattr *attr)
{
    uint32_t value;

    memcpy(&value, mnl_attr_get_payload(attr), sizeof value);
    return value;
}

static uint16_t
get_u16(const struct nlattr *attr)
{
    uint16_t value;

    memcpy(&value, mnl_attr_get_payload(attr), sizeof value);
    return value;
}

static uint8_t
get_u8(const struct nlattr *attr)
{
    return *(const uint8_t *) mnl_attr_get_payload(attr);
}

static const struct attr_set tca_set = {
    "filter", tca_names, ARRAY_SIZE(tca_names), TCA_MAX,
};

static const struct attr_set flower_set = {
    "flower", flower_names, ARRAY_SIZE(flower_names), TCA_FLOWER_MAX,
};

static const struct attr_set act_set = {
    "action", act_names, ARRAY_SIZE(act_names), TCA_ACT_MAX,
};

/* A key and mask of the model that a pair of flower attributes carries
 * exactly as it is in memory. */
struct key_attr {
    uint16_t key_type;
    uint16_t mask_type;         /* TCA_FLOWER_UNSPEC: exact match only. */
    size_t ofs;
    size_t size;
};

#define KEY_ATTR(KEY, MASK, MEMBER)                                  \
    { KEY, MASK, offsetof(struct esw_flower_key, MEMBER),            \
      sizeof ((struct esw_flower_key *) NULL)->MEMBER }

static const struct key_attr key_attrs[] = {
    KEY_ATTR(TCA_FLOWER_KEY_ETH_DST, TCA_FLOWER_KEY_ETH_DST_MASK, eth_dst),
    KEY_ATTR(TCA_FLOWER_KEY_ETH_SRC, TCA_FLOWER_KEY_ETH_SRC_MASK, eth_src),
    KEY_ATTR(TCA_FLOWER_KEY_ETH_TYPE, TCA_FLOWER_UNSPEC, eth_type),
    KEY_ATTR(TCA_FLOWER_KEY_VLAN_ID, TCA_FLOWER_UNSPEC, vlan_id),
    KEY_ATTR(TCA_FLOWER_KEY_VLAN_PRIO, TCA_FLOWER_UNSPEC, vlan_prio),
    KEY_ATTR(TCA_FLOWER_KEY_VLAN_ETH_TYPE, TCA_FLOWER_UNSPEC, vlan_eth_type),
    KEY_ATTR(TCA_FLOWER_KEY_IP_PROTO, TCA_FLOWER_UNSPEC, ip_proto),
    KEY_ATTR(TCA_FLOWER_KEY_IP_TOS, TCA_FLOWER_KEY_IP_TOS_MASK, ip_tos),
    KEY_ATTR(TCA_FLOWER_KEY_IP_TTL, TCA_FLOWER_KEY_IP_TTL_MASK, ip_ttl),
    KEY_ATTR(TCA_FLOWER_KEY_IPV4_SRC, TCA_FLOWER_KEY_IPV4_SRC_MASK, ipv4_src),
    KEY_ATTR(TCA_FLOWER_KEY_IPV4_DST, TCA_FLOWER_KEY_IPV4_DST_MASK, ipv4_dst),
    KEY_ATTR(TCA_FLOWER_KEY_IPV6_SRC, TCA_FLOWER_KEY_IPV6_SRC_MASK, ipv6_src),
    KEY_ATTR(TCA_FLOWER_KEY_IPV6_DST, TCA_FLOWER_KEY_IPV6_DST_MASK, ipv6_dst),
    KEY_ATTR(TCA_FLOWER_KEY_TCP_SRC, TCA_FLOWER_KEY_TCP_SRC_MASK, tp_src),
    KEY_ATTR(TCA_FLOWER_KEY_TCP_DST, TCA_FLOWER_KEY_TCP_DST_MASK, tp_dst),
    KEY_ATTR(TCA_FLOWER_KEY_UDP_SRC, TCA_FLOWER_KEY_UDP_SRC_MASK, tp_src),
    KEY_ATTR(TCA_FLOWER_KEY_UDP_DST, TCA_FLOWER_KEY_UDP_DST_MASK, tp_dst),
    KEY_ATTR(TCA_FLOWER_KEY_SCTP_SRC, TCA_FLOWER_KEY_SCTP_SRC_MASK, tp_src),
    KEY_ATTR(TCA_FLOWER_KEY_SCTP_DST, TCA_FLOWER_KEY_SCTP_DST_MASK, tp_dst),
    KEY_ATTR(TCA_FLOWER_KEY_TCP_FLAGS, TCA_FLOWER_KEY_TCP_FLAGS_MASK,
             tcp_flags),
    KEY_ATTR(TCA_FLOWER_KEY_ICMPV4_TYPE, TCA_FLOWER_KEY_ICMPV4_TYPE_MASK,
             icmp_type),
    KEY_ATTR(TCA_FLOWER_KEY_ICMPV4_CODE, TCA_FLOWER_KEY_ICMPV4_CODE_MASK,
             icmp_code),
    KEY_ATTR(TCA_FLOWER_KEY_ICMPV6_TYPE, TCA_FLOWER_KEY_ICMPV6_TYPE_MASK,
             icmp_type),
    KEY_ATTR(TCA_FLOWER_KEY_ICMPV6_CODE, TCA_FLOWER_KEY_ICMPV6_CODE_MASK,
             icmp_code),
    KEY_ATTR(TCA_FLOWER_KEY_ARP_SIP, TCA_FLOWER_KEY_ARP_SIP_MASK, arp_sip),
    KEY_ATTR(TCA_FLOWER_KEY_ARP_TIP, TCA_FLOWER_KEY_ARP_TIP_MASK, arp_tip),
    KEY_ATTR(TCA_FLOWER_KEY_ARP_OP, TCA_FLOWER_KEY_ARP_OP_MASK, arp_op),
    KEY_ATTR(TCA_FLOWER_KEY_ARP_SHA, TCA_FLOWER_KEY_ARP_SHA_MASK, arp_sha),
    KEY_ATTR(TCA_FLOWER_KEY_ARP_THA, TCA_FLOWER_KEY_ARP_THA_MASK, arp_tha),
};

/* The flower attributes the model has that are not in key_attrs[]. */
static bool
is_other_supported_flower_attr(uint16_t type)
{
    return (type == TCA_FLOWER_INDEV || type == TCA_FLOWER_ACT
            || type == TCA_FLOWER_FLAGS || type == TCA_FLOWER_IN_HW_COUNT
            || type == TCA_FLOWER_KEY_FLAGS
            || type == TCA_FLOWER_KEY_FLAGS_MASK);
}

/* Fails with EOPNOTSUPP if 'tb' has a flower attribute outside the
 * model. */
static int
check_flower_supported(const struct nlattr *tb[], char **errp)
{
    bool supported[TCA_FLOWER_MAX + 1] = { false };

    for (size_t i = 0; i < ARRAY_SIZE(key_attrs); i++) {
        supported[key_attrs[i].key_type] = true;
        supported[key_attrs[i].mask_type] = true;
    }
    for (uint16_t type = 1; type <= TCA_FLOWER_MAX; type++) {
        if (tb[type] && !supported[type]
            && !is_other_supported_flower_attr(type)) {
            char buf[64];
            const char *name = attr_name(flower_names,
                                         ARRAY_SIZE(flower_names),
                                         "attribute ", type, buf);
            return fail(errp, EOPNOTSUPP, "flower %s %s not supported",
                        strstr(name, "_KEY_") ? "key" : "attribute", name);
        }
    }
    return 0;
}

static int
decode_keys(const struct nlattr *tb[], ovs_be16 protocol,
            struct esw_flower_rule *rule, char **errp)
{
    struct esw_flower_key *key = &rule->key;
    struct esw_flower_key *mask = &rule->mask;
    int error;

    for (size_t i = 0; i < ARRAY_SIZE(key_attrs); i++) {
        const struct key_attr *ka = &key_attrs[i];
        const struct nlattr *k = tb[ka->key_type];
        const struct nlattr *m = (ka->mask_type != TCA_FLOWER_UNSPEC
                                  ? tb[ka->mask_type] : NULL);
        uint8_t *kp = (uint8_t *) key + ka->ofs;
        uint8_t *mp = (uint8_t *) mask + ka->ofs;

        error = (check_len(k, ka->size, &flower_set, errp)
                 || check_len(m, ka->size, &flower_set, errp));
        if (error) {
            return EINVAL;
        }
        if (!k) {
            if (m) {
                char buf[64];
                return fail(errp, EINVAL, "flower %s without its key",
                            attr_name(flower_names, ARRAY_SIZE(flower_names),
                                      "attribute ", ka->mask_type, buf));
            }
            continue;
        }
        if (!is_zero(mp, ka->size)) {
            char buf[64];
            return fail(errp, EINVAL, "flower %s conflicts with another key",
                        attr_name(flower_names, ARRAY_SIZE(flower_names),
                                  "attribute ", ka->key_type, buf));
        }
        memcpy(kp, mnl_attr_get_payload(k), ka->size);
        if (m) {
            memcpy(mp, mnl_attr_get_payload(m), ka->size);
        } else {
            memset(mp, 0xff, ka->size);
        }
        for (size_t j = 0; j < ka->size; j++) {
            kp[j] &= mp[j];
        }
    }

    /* indev. */
    if (tb[TCA_FLOWER_INDEV]) {
        error = check_string(tb[TCA_FLOWER_INDEV], IFNAMSIZ - 1,
                             "TCA_FLOWER_INDEV", errp);
        if (error) {
            return error;
        }
        const char *name = mnl_attr_get_payload(tb[TCA_FLOWER_INDEV]);
        if (!name[0]) {
            return fail(errp, EINVAL, "TCA_FLOWER_INDEV is empty");
        }
        ovs_strzcpy(key->indev, name, IFNAMSIZ);
        memset(mask->indev, 0xff, IFNAMSIZ);
    }

    /* ip_flags: big-endian on the wire. */
    const struct nlattr *flags = tb[TCA_FLOWER_KEY_FLAGS];
    const struct nlattr *flags_mask = tb[TCA_FLOWER_KEY_FLAGS_MASK];
    if (check_len(flags, 4, &flower_set, errp)
        || check_len(flags_mask, 4, &flower_set, errp)) {
        return EINVAL;
    }
    if (flags_mask && !flags) {
        return fail(errp, EINVAL, "flower TCA_FLOWER_KEY_FLAGS_MASK without "
                    "its key");
    }
    if (flags) {
        uint32_t known = (TCA_FLOWER_KEY_FLAGS_IS_FRAGMENT
                          | TCA_FLOWER_KEY_FLAGS_FRAG_IS_FIRST);
        mask->ip_flags = flags_mask ? ntohl(get_u32(flags_mask)) : UINT32_MAX;
        key->ip_flags = ntohl(get_u32(flags)) & mask->ip_flags;
        if (mask->ip_flags & ~known) {
            if (mask->ip_flags == UINT32_MAX) {
                /* No mask: the kernel matches the flags given. */
                mask->ip_flags = key->ip_flags;
            }
            if ((key->ip_flags | mask->ip_flags) & ~known) {
                return fail(errp, EOPNOTSUPP, "flower key "
                            "TCA_FLOWER_KEY_FLAGS 0x%"PRIx32" not supported",
                            mask->ip_flags);
            }
        }
    }

    /* VLAN.  In a request, TCA_FLOWER_KEY_ETH_TYPE is the outer (VLAN)
     * type; in a reply, it is the inner type and the outer one is only in
     * the protocol. */
    bool vlan_keys = mask->vlan_id || mask->vlan_prio || mask->vlan_eth_type;
    if (vlan_keys && !(mask->eth_type && is_vlan_type(key->eth_type))) {
        if (!is_vlan_type(protocol)) {
            return fail(errp, EINVAL, "flower VLAN keys without eth_type or "
                        "protocol 802.1Q or 802.1ad");
        }
        if (mask->eth_type && (!mask->vlan_eth_type
                               || key->eth_type != key->vlan_eth_type)) {
            return fail(errp, EINVAL, "flower TCA_FLOWER_KEY_ETH_TYPE "
                        "conflicts with TCA_FLOWER_KEY_VLAN_ETH_TYPE");
        }
        key->eth_type = protocol;
        mask->eth_type = OVS_BE16_MAX;
    }
    if (mask->vlan_eth_type && is_vlan_type(key->vlan_eth_type)) {
        return fail(errp, EOPNOTSUPP, "flower key "
                    "TCA_FLOWER_KEY_VLAN_ETH_TYPE: a second VLAN tag is not "
                    "supported");
    }
    if (mask->vlan_id) {
        mask->vlan_id = UINT16_MAX;
        if (key->vlan_id > 0xfff) {
            return fail(errp, EINVAL, "flower TCA_FLOWER_KEY_VLAN_ID %"PRIu16
                        " out of range", key->vlan_id);
        }
    }
    if (mask->vlan_prio && key->vlan_prio > 7) {
        return fail(errp, EINVAL, "flower TCA_FLOWER_KEY_VLAN_PRIO %"PRIu8
                    " out of range", key->vlan_prio);
    }

    /* Which ports and ICMP fields. */
    ovs_be16 l3 = rule_l3_type(rule);
    uint8_t proto = rule_ip_proto(rule);
    static const struct {
        uint16_t type;
        uint8_t proto;
        ovs_be16 l3;            /* 0: IPv4 or IPv6. */
    } deps[] = {
        { TCA_FLOWER_KEY_TCP_SRC, IPPROTO_TCP, 0 },
        { TCA_FLOWER_KEY_TCP_DST, IPPROTO_TCP, 0 },
        { TCA_FLOWER_KEY_TCP_FLAGS, IPPROTO_TCP, 0 },
        { TCA_FLOWER_KEY_UDP_SRC, IPPROTO_UDP, 0 },
        { TCA_FLOWER_KEY_UDP_DST, IPPROTO_UDP, 0 },
        { TCA_FLOWER_KEY_SCTP_SRC, IPPROTO_SCTP, 0 },
        { TCA_FLOWER_KEY_SCTP_DST, IPPROTO_SCTP, 0 },
        { TCA_FLOWER_KEY_ICMPV4_TYPE, IPPROTO_ICMP, CONSTANT_HTONS(ETH_P_IP) },
        { TCA_FLOWER_KEY_ICMPV4_CODE, IPPROTO_ICMP, CONSTANT_HTONS(ETH_P_IP) },
        { TCA_FLOWER_KEY_ICMPV6_TYPE, IPPROTO_ICMPV6,
          CONSTANT_HTONS(ETH_P_IPV6) },
        { TCA_FLOWER_KEY_ICMPV6_CODE, IPPROTO_ICMPV6,
          CONSTANT_HTONS(ETH_P_IPV6) },
    };
    for (size_t i = 0; i < ARRAY_SIZE(deps); i++) {
        if (tb[deps[i].type]
            && (proto != deps[i].proto
                || (deps[i].l3
                    ? l3 != deps[i].l3
                    : l3 != htons(ETH_P_IP) && l3 != htons(ETH_P_IPV6)))) {
            char buf[64];
            return fail(errp, EINVAL, "flower %s does not match the "
                        "ip_proto and eth_type of the filter",
                        attr_name(flower_names, ARRAY_SIZE(flower_names),
                                  "attribute ", deps[i].type, buf));
        }
    }
    return 0;
}

static void
decode_tm(const struct nlattr *attr, struct esw_flower_action *a)
{
    struct tcf_t tm;

    memcpy(&tm, mnl_attr_get_payload(attr), sizeof tm);
    a->stats.install_ms = tm.install * 1000 / TC_USER_HZ;
    a->stats.lastuse_ms = tm.lastuse * 1000 / TC_USER_HZ;
    a->stats.firstuse_ms = tm.firstuse * 1000 / TC_USER_HZ;
}

/* Copies the tc_gen header at the start of 'attr''s payload into 'a'. */
static void
decode_gen(const struct nlattr *attr, struct esw_flower_action *a)
{
    struct tc_gen_hdr gen;

    memcpy(&gen, mnl_attr_get_payload(attr), sizeof gen);
    a->index = gen.index;
    a->control = gen.action;
}

/* Parses the options of an action of kind 'kind' into 'tb' of 'max' + 1
 * entries, checks the lengths of the parameters 'parms' (of 'parms_len'
 * bytes, required) and of the times 'tm' (optional), and decodes both. */
static int
parse_action_options(const struct nlattr *opts, const char *kind,
                     const char *const names[], size_t n_names,
                     uint16_t max, const struct nlattr *tb[],
                     uint16_t parms, size_t parms_len, uint16_t tm,
                     struct esw_flower_action *a, char **errp)
{
    char what[32];

    snprintf(what, sizeof what, "action \"%s\"", kind);
    struct attr_set set = { what, names, n_names, max };
    int error = parse_attrs(mnl_attr_get_payload(opts),
                            mnl_attr_get_payload_len(opts), &set, tb, errp);
    if (error) {
        return error;
    }
    if (!tb[parms]) {
        return fail(errp, EINVAL, "%s without parameters", what);
    }
    if (check_len(tb[parms], parms_len, &set, errp)
        || check_len(tb[tm], sizeof(struct tcf_t), &set, errp)) {
        return EINVAL;
    }
    decode_gen(tb[parms], a);
    if (tb[tm]) {
        decode_tm(tb[tm], a);
    }
    return 0;
}

#define OPT_NAME(X) [X] = #X

static int
decode_mirred(const struct nlattr *opts, struct esw_flower_action *a,
              char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_MIRRED_TM), OPT_NAME(TCA_MIRRED_PARMS),
        OPT_NAME(TCA_MIRRED_PAD),
    };
    const struct nlattr *tb[TCA_MIRRED_PAD + 1];
    struct tc_mirred p;
    int error;

    error = parse_action_options(opts, "mirred", names, ARRAY_SIZE(names),
                                 TCA_MIRRED_PAD, tb, TCA_MIRRED_PARMS,
                                 sizeof p, TCA_MIRRED_TM, a, errp);
    if (error) {
        return error;
    }
    memcpy(&p, mnl_attr_get_payload(tb[TCA_MIRRED_PARMS]), sizeof p);
    a->type = ESW_FLOWER_ACT_MIRRED;
    a->mirred.eaction = p.eaction;
    a->mirred.ifindex = p.ifindex;
    return 0;
}

static int
decode_gact(const struct nlattr *opts, struct esw_flower_action *a,
            char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_GACT_TM), OPT_NAME(TCA_GACT_PARMS),
        OPT_NAME(TCA_GACT_PROB), OPT_NAME(TCA_GACT_PAD),
    };
    const struct nlattr *tb[TCA_GACT_PAD + 1];
    int error;

    error = parse_action_options(opts, "gact", names, ARRAY_SIZE(names),
                                 TCA_GACT_PAD, tb, TCA_GACT_PARMS,
                                 sizeof(struct tc_gact), TCA_GACT_TM, a,
                                 errp);
    if (error) {
        return error;
    }
    if (tb[TCA_GACT_PROB]) {
        return fail(errp, EOPNOTSUPP, "action \"gact\" TCA_GACT_PROB (random) "
                    "not supported");
    }
    a->type = ESW_FLOWER_ACT_GACT;
    return 0;
}

static int
decode_vlan(const struct nlattr *opts, struct esw_flower_action *a,
            char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_VLAN_TM), OPT_NAME(TCA_VLAN_PARMS),
        OPT_NAME(TCA_VLAN_PUSH_VLAN_ID), OPT_NAME(TCA_VLAN_PUSH_VLAN_PROTOCOL),
        OPT_NAME(TCA_VLAN_PAD), OPT_NAME(TCA_VLAN_PUSH_VLAN_PRIORITY),
        OPT_NAME(TCA_VLAN_PUSH_ETH_DST), OPT_NAME(TCA_VLAN_PUSH_ETH_SRC),
    };
    static const struct attr_set set = {
        "action \"vlan\"", names, ARRAY_SIZE(names), TCA_VLAN_MAX,
    };
    const struct nlattr *tb[TCA_VLAN_MAX + 1];
    struct tc_vlan p;
    int error;

    error = parse_action_options(opts, "vlan", names, ARRAY_SIZE(names),
                                 TCA_VLAN_MAX, tb, TCA_VLAN_PARMS, sizeof p,
                                 TCA_VLAN_TM, a, errp);
    if (error) {
        return error;
    }
    memcpy(&p, mnl_attr_get_payload(tb[TCA_VLAN_PARMS]), sizeof p);
    if (p.v_action != TCA_VLAN_ACT_POP && p.v_action != TCA_VLAN_ACT_PUSH
        && p.v_action != TCA_VLAN_ACT_MODIFY) {
        return fail(errp, EOPNOTSUPP, "action \"vlan\" v_action %d not "
                    "supported", p.v_action);
    }
    if (tb[TCA_VLAN_PUSH_ETH_DST] || tb[TCA_VLAN_PUSH_ETH_SRC]) {
        return fail(errp, EOPNOTSUPP, "action \"vlan\" push_eth not "
                    "supported");
    }
    if (check_len(tb[TCA_VLAN_PUSH_VLAN_ID], 2, &set, errp)
        || check_len(tb[TCA_VLAN_PUSH_VLAN_PROTOCOL], 2, &set, errp)
        || check_len(tb[TCA_VLAN_PUSH_VLAN_PRIORITY], 1, &set, errp)) {
        return EINVAL;
    }

    a->type = ESW_FLOWER_ACT_VLAN;
    a->vlan.action = p.v_action;
    if (p.v_action == TCA_VLAN_ACT_POP) {
        return 0;
    }
    if (!tb[TCA_VLAN_PUSH_VLAN_ID]) {
        return fail(errp, EINVAL, "action \"vlan\" push or modify without "
                    "TCA_VLAN_PUSH_VLAN_ID");
    }
    a->vlan.id = get_u16(tb[TCA_VLAN_PUSH_VLAN_ID]);
    a->vlan.proto = (tb[TCA_VLAN_PUSH_VLAN_PROTOCOL]
                     ? (ovs_be16) get_u16(tb[TCA_VLAN_PUSH_VLAN_PROTOCOL])
                     : htons(ETH_P_8021Q));
    if (tb[TCA_VLAN_PUSH_VLAN_PRIORITY]) {
        a->vlan.prio = get_u8(tb[TCA_VLAN_PUSH_VLAN_PRIORITY]);
    } else {
        a->vlan.keep_prio = p.v_action == TCA_VLAN_ACT_MODIFY;
    }
    return 0;
}

static int
decode_pedit_key_ex(const struct nlattr *nest,
                    struct esw_flower_pedit_key *key, char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_PEDIT_KEY_EX_HTYPE), OPT_NAME(TCA_PEDIT_KEY_EX_CMD),
    };
    static const struct attr_set set = {
        "pedit key", names, ARRAY_SIZE(names), TCA_PEDIT_KEY_EX_MAX,
    };
    const struct nlattr *tb[TCA_PEDIT_KEY_EX_MAX + 1];
    int error;

    error = parse_attrs(mnl_attr_get_payload(nest),
                        mnl_attr_get_payload_len(nest), &set, tb, errp);
    if (error) {
        return error;
    }
    if (!tb[TCA_PEDIT_KEY_EX_HTYPE] || !tb[TCA_PEDIT_KEY_EX_CMD]) {
        return fail(errp, EINVAL, "pedit key without htype or cmd");
    }
    if (check_len(tb[TCA_PEDIT_KEY_EX_HTYPE], 2, &set, errp)
        || check_len(tb[TCA_PEDIT_KEY_EX_CMD], 2, &set, errp)) {
        return EINVAL;
    }
    uint16_t htype = get_u16(tb[TCA_PEDIT_KEY_EX_HTYPE]);
    uint16_t cmd = get_u16(tb[TCA_PEDIT_KEY_EX_CMD]);
    if (htype > TCA_PEDIT_KEY_EX_HDR_TYPE_UDP) {
        return fail(errp, EOPNOTSUPP, "pedit header type %"PRIu16" not "
                    "supported", htype);
    }
    if (cmd != TCA_PEDIT_KEY_EX_CMD_SET && cmd != TCA_PEDIT_KEY_EX_CMD_ADD) {
        return fail(errp, EINVAL, "pedit command %"PRIu16" not valid", cmd);
    }
    key->htype = htype;
    key->cmd = cmd;
    return 0;
}

static int
decode_pedit(const struct nlattr *opts, struct esw_flower_action *a,
             char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_PEDIT_TM), OPT_NAME(TCA_PEDIT_PARMS),
        OPT_NAME(TCA_PEDIT_PAD), OPT_NAME(TCA_PEDIT_PARMS_EX),
        OPT_NAME(TCA_PEDIT_KEYS_EX), OPT_NAME(TCA_PEDIT_KEY_EX),
    };
    static const struct attr_set set = {
        "action \"pedit\"", names, ARRAY_SIZE(names), TCA_PEDIT_KEY_EX,
    };
    const struct nlattr *tb[TCA_PEDIT_KEY_EX + 1];
    struct tc_pedit_sel sel;
    int error;

    error = parse_attrs(mnl_attr_get_payload(opts),
                        mnl_attr_get_payload_len(opts), &set, tb, errp);
    if (error) {
        return error;
    }
    if (tb[TCA_PEDIT_PARMS] || !tb[TCA_PEDIT_PARMS_EX]
        || !tb[TCA_PEDIT_KEYS_EX] || tb[TCA_PEDIT_KEY_EX]) {
        return fail(errp, EOPNOTSUPP, "action \"pedit\" without extended "
                    "keys (TCA_PEDIT_PARMS_EX and TCA_PEDIT_KEYS_EX) not "
                    "supported");
    }
    if (check_len(tb[TCA_PEDIT_TM], sizeof(struct tcf_t), &set, errp)) {
        return EINVAL;
    }

    const struct nlattr *parms = tb[TCA_PEDIT_PARMS_EX];
    size_t parms_len = mnl_attr_get_payload_len(parms);
    if (parms_len < sizeof sel) {
        return fail(errp, EINVAL, "action \"pedit\" parameters too short");
    }
    memcpy(&sel, mnl_attr_get_payload(parms), sizeof sel);
    if (sel.nkeys > ESW_FLOWER_MAX_PEDIT_KEYS) {
        return fail(errp, EOPNOTSUPP, "action \"pedit\" with %d keys not "
                    "supported (at most %d)", sel.nkeys,
                    ESW_FLOWER_MAX_PEDIT_KEYS);
    }
    if (!sel.nkeys
        || parms_len != sizeof sel + sel.nkeys * sizeof(struct tc_pedit_key)) {
        return fail(errp, EINVAL, "action \"pedit\" parameters of %zu bytes "
                    "for %d keys", parms_len, sel.nkeys);
    }
    if (sel.flags) {
        return fail(errp, EOPNOTSUPP, "action \"pedit\" flags 0x%x not "
                    "supported", sel.flags);
    }

    struct esw_flower_pedit_key keys[ESW_FLOWER_MAX_PEDIT_KEYS];
    memset(keys, 0, sizeof keys);
    const char *p = (const char *) mnl_attr_get_payload(parms) + sizeof sel;
    for (size_t i = 0; i < sel.nkeys; i++) {
        struct tc_pedit_key k;

        memcpy(&k, p + i * sizeof k, sizeof k);
        if (k.at || k.offmask || k.shift) {
            return fail(errp, EOPNOTSUPP, "action \"pedit\" key %zu: "
                        "relative offsets (at, offmask, shift) not "
                        "supported", i + 1);
        }
        keys[i].mask = k.mask;
        keys[i].val = k.val;
        keys[i].offset = k.off;
    }

    /* One TCA_PEDIT_KEY_EX per key, in order. */
    const struct nlattr *keys_ex = tb[TCA_PEDIT_KEYS_EX];
    const struct nlattr *attr;
    size_t n = 0;
    int rem = mnl_attr_get_payload_len(keys_ex);
    for (attr = mnl_attr_get_payload(keys_ex); rem >= (int) sizeof *attr;
         attr = mnl_attr_next(attr)) {
        if (!mnl_attr_ok(attr, rem)
            || mnl_attr_get_type(attr) != TCA_PEDIT_KEY_EX
            || n >= sel.nkeys) {
            return fail(errp, EINVAL, "action \"pedit\" TCA_PEDIT_KEYS_EX "
                        "malformed");
        }
        error = decode_pedit_key_ex(attr, &keys[n++], errp);
        if (error) {
            return error;
        }
        rem -= MNL_ALIGN(attr->nla_len);
    }
    if (rem > 0 || n != sel.nkeys) {
        return fail(errp, EINVAL, "action \"pedit\" has %zu extended keys "
                    "for %d keys", n, sel.nkeys);
    }

    decode_gen(parms, a);
    if (tb[TCA_PEDIT_TM]) {
        decode_tm(tb[TCA_PEDIT_TM], a);
    }
    a->type = ESW_FLOWER_ACT_PEDIT;
    a->pedit.n_keys = n;
    memcpy(a->pedit.keys, keys, n * sizeof keys[0]);
    return 0;
}

static int
decode_csum(const struct nlattr *opts, struct esw_flower_action *a,
            char **errp)
{
    static const char *const names[] = {
        OPT_NAME(TCA_CSUM_PARMS), OPT_NAME(TCA_CSUM_TM),
        OPT_NAME(TCA_CSUM_PAD),
    };
    const struct nlattr *tb[TCA_CSUM_PAD + 1];
    struct tc_csum p;
    int error;

    error = parse_action_options(opts, "csum", names, ARRAY_SIZE(names),
                                 TCA_CSUM_PAD, tb, TCA_CSUM_PARMS, sizeof p,
                                 TCA_CSUM_TM, a, errp);
    if (error) {
        return error;
    }
    memcpy(&p, mnl_attr_get_payload(tb[TCA_CSUM_PARMS]), sizeof p);
    a->type = ESW_FLOWER_ACT_CSUM;
    a->csum.update_flags = p.update_flags;
    return 0;
}

#undef OPT_NAME

/* Decodes TCA_ACT_STATS 'stats' into 'a'.  TCA_STATS_PKT64 follows the
 * counter it widens, so the attributes are read in order. */
static int
decode_action_stats(const struct nlattr *stats, struct esw_flower_action *a,
                    char **errp)
{
    const struct nlattr *attr;
    uint16_t last_basic = 0;
    int rem = mnl_attr_get_payload_len(stats);

    for (attr = mnl_attr_get_payload(stats); rem >= (int) sizeof *attr;
         attr = mnl_attr_next(attr)) {
        if (!mnl_attr_ok(attr, rem)) {
            return fail(errp, EINVAL, "TCA_ACT_STATS malformed");
        }
        uint16_t type = mnl_attr_get_type(attr);
        size_t len = mnl_attr_get_payload_len(attr);

        if (type == TCA_STATS_BASIC || type == TCA_STATS_BASIC_HW) {
            uint64_t bytes;
            uint32_t packets;

            /* struct gnet_stats_basic: 12 bytes, padded to 16 where u64
             * is 8-byte aligned. */
            if (len < 12) {
                return fail(errp, EINVAL, "TCA_STATS_BASIC too short");
            }
            memcpy(&bytes, mnl_attr_get_payload(attr), 8);
            memcpy(&packets, (const char *) mnl_attr_get_payload(attr) + 8,
                   4);
            if (type == TCA_STATS_BASIC) {
                a->stats.bytes = bytes;
                a->stats.packets = packets;
            } else {
                a->stats.bytes_hw = bytes;
                a->stats.packets_hw = packets;
            }
            last_basic = type;
        } else if (type == TCA_STATS_PKT64) {
            uint64_t packets;

            if (len != 8 || !last_basic) {
                return fail(errp, EINVAL, "TCA_STATS_PKT64 malformed");
            }
            memcpy(&packets, mnl_attr_get_payload(attr), 8);
            if (last_basic == TCA_STATS_BASIC) {
                a->stats.packets = packets;
            } else {
                a->stats.packets_hw = packets;
            }
        } else if (type > TCA_STATS_MAX) {
            return fail(errp, EOPNOTSUPP, "TCA_ACT_STATS attribute %"PRIu16
                        " not supported", type);
        }
        /* Rate estimates, queue stats, application stats and padding are
         * not in the model. */
        rem -= MNL_ALIGN(attr->nla_len);
    }
    if (rem > 0) {
        return fail(errp, EINVAL, "TCA_ACT_STATS malformed");
    }
    return 0;
}

static int
decode_action(const struct nlattr *nest, struct esw_flower_action *a,
              char **errp)
{
    const struct nlattr *tb[TCA_ACT_MAX + 1];
    int error;

    memset(a, 0, sizeof *a);
    error = parse_attrs(mnl_attr_get_payload(nest),
                        mnl_attr_get_payload_len(nest), &act_set, tb, errp);
    if (error) {
        return error;
    }
    if (!tb[TCA_ACT_KIND]) {
        return fail(errp, EINVAL, "action without TCA_ACT_KIND");
    }
    error = check_string(tb[TCA_ACT_KIND], IFNAMSIZ - 1, "TCA_ACT_KIND",
                         errp);
    if (error) {
        return error;
    }
    if (tb[TCA_ACT_HW_STATS]) {
        return fail(errp, EOPNOTSUPP, "action attribute TCA_ACT_HW_STATS not "
                    "supported");
    }
    if (check_len(tb[TCA_ACT_INDEX], 4, &act_set, errp)
        || check_len(tb[TCA_ACT_FLAGS], sizeof(struct nla_bitfield32),
                     &act_set, errp)
        || check_len(tb[TCA_ACT_USED_HW_STATS],
                     sizeof(struct nla_bitfield32), &act_set, errp)
        || check_len(tb[TCA_ACT_IN_HW_COUNT], 4, &act_set, errp)) {
        return EINVAL;
    }
    if (tb[TCA_ACT_FLAGS]) {
        struct nla_bitfield32 bf;
        uint32_t known = (TCA_ACT_FLAGS_NO_PERCPU_STATS
                          | TCA_ACT_FLAGS_SKIP_HW | TCA_ACT_FLAGS_SKIP_SW);

        memcpy(&bf, mnl_attr_get_payload(tb[TCA_ACT_FLAGS]), sizeof bf);
        if ((bf.value | bf.selector) & ~known) {
            return fail(errp, EOPNOTSUPP, "action TCA_ACT_FLAGS 0x%"PRIx32
                        " not supported", bf.value);
        }
    }
    if (tb[TCA_ACT_COOKIE]) {
        size_t len = mnl_attr_get_payload_len(tb[TCA_ACT_COOKIE]);

        if (!len || len > ESW_FLOWER_MAX_COOKIE) {
            return fail(errp, EINVAL, "TCA_ACT_COOKIE of %zu bytes (1 to %d "
                        "allowed)", len, ESW_FLOWER_MAX_COOKIE);
        }
        memcpy(a->cookie, mnl_attr_get_payload(tb[TCA_ACT_COOKIE]), len);
        a->cookie_len = len;
    }

    const char *kind = mnl_attr_get_payload(tb[TCA_ACT_KIND]);
    const struct nlattr *opts = tb[TCA_ACT_OPTIONS];
    if (!strcmp(kind, "mirred")) {
        a->type = ESW_FLOWER_ACT_MIRRED;
        error = opts ? decode_mirred(opts, a, errp) : 0;
    } else if (!strcmp(kind, "gact")) {
        a->type = ESW_FLOWER_ACT_GACT;
        error = opts ? decode_gact(opts, a, errp) : 0;
    } else if (!strcmp(kind, "vlan")) {
        a->type = ESW_FLOWER_ACT_VLAN;
        error = opts ? decode_vlan(opts, a, errp) : 0;
    } else if (!strcmp(kind, "pedit")) {
        a->type = ESW_FLOWER_ACT_PEDIT;
        error = opts ? decode_pedit(opts, a, errp) : 0;
    } else if (!strcmp(kind, "csum")) {
        a->type = ESW_FLOWER_ACT_CSUM;
        error = opts ? decode_csum(opts, a, errp) : 0;
    } else {
        return fail(errp, EOPNOTSUPP, "action \"%s\" not supported", kind);
    }
    if (error) {
        return error;
    }
    if (tb[TCA_ACT_INDEX]) {
        a->index = get_u32(tb[TCA_ACT_INDEX]);
    }
    if (tb[TCA_ACT_STATS]) {
        error = decode_action_stats(tb[TCA_ACT_STATS], a, errp);
    }
    return error;
}

static int
decode_actions(const struct nlattr *acts, struct esw_flower_rule *rule,
               char **errp)
{
    const struct nlattr *attr;
    size_t n = 0;
    int rem = mnl_attr_get_payload_len(acts);

    for (attr = mnl_attr_get_payload(acts); rem >= (int) sizeof *attr;
         attr = mnl_attr_next(attr)) {
        if (!mnl_attr_ok(attr, rem)) {
            return fail(errp, EINVAL, "TCA_FLOWER_ACT malformed");
        }
        if (n >= ESW_FLOWER_MAX_ACTIONS) {
            return fail(errp, EINVAL, "more than %d actions",
                        ESW_FLOWER_MAX_ACTIONS);
        }
        if (mnl_attr_get_type(attr) != n + 1) {
            return fail(errp, EINVAL, "actions not numbered 1 to n in "
                        "order");
        }
        int error = decode_action(attr, &rule->actions[n], errp);
        if (error) {
            return error;
        }
        n++;
        rem -= MNL_ALIGN(attr->nla_len);
    }
    if (rem > 0) {
        return fail(errp, EINVAL, "TCA_FLOWER_ACT malformed");
    }
    rule->n_actions = n;
    return 0;
}

static int
decode_options(const struct nlattr *opts, struct esw_flower_rule *rule,
               char **errp)
{
    const struct nlattr *tb[TCA_FLOWER_MAX + 1];
    int error;

    error = parse_attrs(mnl_attr_get_payload(opts),
                        mnl_attr_get_payload_len(opts), &flower_set, tb,
                        errp);
    if (error) {
        return error;
    }
    error = check_flower_supported(tb, errp);
    if (error) {
        return error;
    }
    if (check_len(tb[TCA_FLOWER_FLAGS], 4, &flower_set, errp)
        || check_len(tb[TCA_FLOWER_IN_HW_COUNT], 4, &flower_set, errp)) {
        return EINVAL;
    }
    if (tb[TCA_FLOWER_FLAGS]) {
        uint32_t known = (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW
                          | TCA_CLS_FLAGS_IN_HW | TCA_CLS_FLAGS_NOT_IN_HW
                          | TCA_CLS_FLAGS_VERBOSE);

        rule->flags = get_u32(tb[TCA_FLOWER_FLAGS]);
        if (rule->flags & ~known) {
            return fail(errp, EOPNOTSUPP, "TCA_FLOWER_FLAGS 0x%"PRIx32" not "
                        "supported", rule->flags);
        }
    }
    if (tb[TCA_FLOWER_IN_HW_COUNT]) {
        rule->in_hw_count = get_u32(tb[TCA_FLOWER_IN_HW_COUNT]);
    }
    error = decode_keys(tb, rule->protocol, rule, errp);
    if (error) {
        return error;
    }
    return tb[TCA_FLOWER_ACT] ? decode_actions(tb[TCA_FLOWER_ACT], rule, errp)
                              : 0;
}

/* Checks that the 'len' bytes at 'msg' hold one netlink message of one of
 * the 'n' 'types' with a struct tcmsg, and returns it and its tcmsg. */
static int
check_tc_msg(const void *msg, size_t len, const uint16_t types[], size_t n,
             const struct nlmsghdr **nlhp, struct tcmsg *tcm, char **errp)
{
    const struct nlmsghdr *nlh = msg;

    if (len < sizeof *nlh || nlh->nlmsg_len < sizeof *nlh
        || nlh->nlmsg_len > len) {
        return fail(errp, EINVAL, "netlink message truncated");
    }
    for (size_t i = 0; i < n; i++) {
        if (nlh->nlmsg_type == types[i]) {
            if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof *tcm) {
                return fail(errp, EINVAL, "message too short for tcmsg");
            }
            memcpy(tcm, mnl_nlmsg_get_payload(nlh), sizeof *tcm);
            if (tcm->tcm_family != AF_UNSPEC) {
                return fail(errp, EINVAL, "tcm_family %d not AF_UNSPEC",
                            tcm->tcm_family);
            }
            *nlhp = nlh;
            return 0;
        }
    }
    return fail(errp, EINVAL, "unexpected message type %"PRIu16,
                nlh->nlmsg_type);
}

/* Parses the top-level attributes of TC message 'nlh' into 'tb'. */
static int
parse_tc_attrs(const struct nlmsghdr *nlh, const struct nlattr *tb[],
               char **errp)
{
    size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct tcmsg));
    size_t len = nlh->nlmsg_len > hdr ? nlh->nlmsg_len - hdr : 0;

    return parse_attrs((const char *) nlh + hdr, len, &tca_set, tb, errp);
}

int
tc_flower_decode(const void *msg, size_t len, struct esw_flower_rule *rule,
                 char **errp)
{
    static const uint16_t types[] = {
        RTM_NEWTFILTER, RTM_DELTFILTER, RTM_GETTFILTER,
    };
    const struct nlattr *tb[TCA_MAX + 1];
    const struct nlmsghdr *nlh;
    struct esw_flower_rule *r;
    struct tcmsg tcm;
    int error;

    if (errp) {
        *errp = NULL;
    }
    error = check_tc_msg(msg, len, types, ARRAY_SIZE(types), &nlh, &tcm,
                         errp);
    if (error) {
        return error;
    }
    if ((uint32_t) tcm.tcm_ifindex == TCM_IFINDEX_MAGIC_BLOCK) {
        return fail(errp, EOPNOTSUPP, "shared blocks not supported");
    }
    error = parse_tc_attrs(nlh, tb, errp);
    if (error) {
        return error;
    }
    if (check_string(tb[TCA_KIND], IFNAMSIZ - 1, "TCA_KIND", errp)
        || check_len(tb[TCA_CHAIN], 4, &tca_set, errp)
        || check_string(tb[TCA_EXT_WARN_MSG], 65535, "TCA_EXT_WARN_MSG",
                        errp)) {
        return EINVAL;
    }
    for (uint16_t type = 1; type <= TCA_MAX; type++) {
        char buf[64];

        if (tb[type] && type != TCA_KIND && type != TCA_OPTIONS
            && type != TCA_CHAIN && type != TCA_EXT_WARN_MSG) {
            return fail(errp, EOPNOTSUPP, "filter %s not supported",
                        attr_name(tca_names, ARRAY_SIZE(tca_names),
                                  "attribute ", type, buf));
        }
    }
    if (tb[TCA_KIND]) {
        const char *kind = mnl_attr_get_payload(tb[TCA_KIND]);
        if (strcmp(kind, "flower")) {
            return fail(errp, EOPNOTSUPP, "classifier \"%s\" not supported",
                        kind);
        }
    } else if (nlh->nlmsg_type == RTM_NEWTFILTER) {
        return fail(errp, EINVAL, "filter without TCA_KIND");
    }
    if (tb[TCA_OPTIONS] && !tb[TCA_KIND]) {
        return fail(errp, EINVAL, "filter options without TCA_KIND");
    }

    /* Decode into a copy, so that '*rule' changes only on success. */
    r = xmalloc(sizeof *r);
    esw_flower_rule_init(r);
    r->ifindex = tcm.tcm_ifindex;
    r->parent = tcm.tcm_parent;
    r->handle = tcm.tcm_handle;
    r->prio = TC_H_MAJ(tcm.tcm_info) >> 16;
    r->protocol = (OVS_FORCE ovs_be16) TC_H_MIN(tcm.tcm_info);
    r->chain = tb[TCA_CHAIN] ? get_u32(tb[TCA_CHAIN]) : 0;
    error = tb[TCA_OPTIONS] ? decode_options(tb[TCA_OPTIONS], r, errp) : 0;
    if (!error) {
        *rule = *r;
    }
    free(r);
    return error;
}

int
tc_flower_decode_dump_request(const void *msg, size_t len, int *ifindex,
                              uint32_t *parent, bool *terse, char **errp)
{
    static const uint16_t types[] = { RTM_GETTFILTER };
    const struct nlattr *tb[TCA_MAX + 1];
    const struct nlmsghdr *nlh;
    struct tcmsg tcm;
    int error;

    if (errp) {
        *errp = NULL;
    }
    error = check_tc_msg(msg, len, types, 1, &nlh, &tcm, errp);
    if (error) {
        return error;
    }
    if (!(nlh->nlmsg_flags & NLM_F_DUMP)) {
        return fail(errp, EINVAL, "RTM_GETTFILTER without NLM_F_DUMP");
    }
    error = parse_tc_attrs(nlh, tb, errp);
    if (error) {
        return error;
    }
    for (uint16_t type = 1; type <= TCA_MAX; type++) {
        char buf[64];

        if (tb[type] && type != TCA_DUMP_FLAGS) {
            return fail(errp, EOPNOTSUPP, "filter dump %s not supported",
                        attr_name(tca_names, ARRAY_SIZE(tca_names),
                                  "attribute ", type, buf));
        }
    }
    bool is_terse = false;
    if (tb[TCA_DUMP_FLAGS]) {
        struct nla_bitfield32 bf;

        if (check_len(tb[TCA_DUMP_FLAGS], sizeof bf, &tca_set, errp)) {
            return EINVAL;
        }
        memcpy(&bf, mnl_attr_get_payload(tb[TCA_DUMP_FLAGS]), sizeof bf);
        if ((bf.value | bf.selector) & ~TCA_DUMP_FLAGS_TERSE) {
            return fail(errp, EOPNOTSUPP, "TCA_DUMP_FLAGS 0x%"PRIx32" not "
                        "supported", bf.value);
        }
        is_terse = (bf.value & bf.selector & TCA_DUMP_FLAGS_TERSE) != 0;
    }
    *ifindex = tcm.tcm_ifindex;
    *parent = tcm.tcm_parent;
    *terse = is_terse;
    return 0;
}

/* Qdiscs. */

static const char *
qdisc_kind_name(enum tc_qdisc_kind kind)
{
    return kind == TC_QDISC_CLSACT ? "clsact" : "ingress";
}

int
tc_qdisc_encode(void *buf, size_t size, bool add, int ifindex,
                enum tc_qdisc_kind kind, uint32_t seq, size_t *lenp)
{
    uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
    struct nl_writer w;

    if (kind != TC_QDISC_INGRESS && kind != TC_QDISC_CLSACT) {
        *lenp = 0;
        return EINVAL;
    }
    if (add) {
        flags |= NLM_F_CREATE | NLM_F_EXCL;
    }
    struct tcmsg *tcm = writer_start(&w, buf, size,
                                     add ? RTM_NEWQDISC : RTM_DELQDISC,
                                     flags, seq, 0, sizeof *tcm);
    if (tcm) {
        tcm->tcm_family = AF_UNSPEC;
        tcm->tcm_ifindex = ifindex;
        tcm->tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0);
        tcm->tcm_parent = TC_H_INGRESS;
    }
    put_strz(&w, TCA_KIND, qdisc_kind_name(kind));
    return writer_finish(&w, lenp);
}

int
tc_qdisc_decode(const void *msg, size_t len, bool *add, int *ifindex,
                enum tc_qdisc_kind *kind, char **errp)
{
    static const uint16_t types[] = { RTM_NEWQDISC, RTM_DELQDISC };
    const struct nlattr *tb[TCA_MAX + 1];
    const struct nlmsghdr *nlh;
    struct tcmsg tcm;
    int error;

    if (errp) {
        *errp = NULL;
    }
    error = check_tc_msg(msg, len, types, ARRAY_SIZE(types), &nlh, &tcm,
                         errp);
    if (error) {
        return error;
    }
    error = parse_tc_attrs(nlh, tb, errp);
    if (error) {
        return error;
    }
    for (uint16_t type = 1; type <= TCA_MAX; type++) {
        char buf[64];

        if (tb[type] && type != TCA_KIND && type != TCA_OPTIONS) {
            return fail(errp, EOPNOTSUPP, "qdisc %s not supported",
                        attr_name(tca_names, ARRAY_SIZE(tca_names),
                                  "attribute ", type, buf));
        }
    }
    if (!tb[TCA_KIND]) {
        return fail(errp, EINVAL, "qdisc without TCA_KIND");
    }
    if (check_string(tb[TCA_KIND], IFNAMSIZ - 1, "TCA_KIND", errp)) {
        return EINVAL;
    }
    if (tb[TCA_OPTIONS] && mnl_attr_get_payload_len(tb[TCA_OPTIONS])) {
        return fail(errp, EOPNOTSUPP, "qdisc options not supported");
    }

    const char *name = mnl_attr_get_payload(tb[TCA_KIND]);
    enum tc_qdisc_kind k;
    if (!strcmp(name, "ingress")) {
        k = TC_QDISC_INGRESS;
    } else if (!strcmp(name, "clsact")) {
        k = TC_QDISC_CLSACT;
    } else {
        return fail(errp, EOPNOTSUPP, "qdisc \"%s\" not supported", name);
    }
    if (tcm.tcm_parent != TC_H_INGRESS
        || (tcm.tcm_handle && tcm.tcm_handle != TC_H_MAKE(TC_H_INGRESS, 0))) {
        return fail(errp, EOPNOTSUPP, "qdisc \"%s\" with parent %#"PRIx32
                    " and handle %#"PRIx32" not supported", name,
                    tcm.tcm_parent, tcm.tcm_handle);
    }
    *add = nlh->nlmsg_type == RTM_NEWQDISC;
    *ifindex = tcm.tcm_ifindex;
    *kind = k;
    return 0;
}

int
tc_flower_decode_stats(const void *msg, size_t len, uint16_t *prio,
                       uint32_t *handle, struct esw_flower_action_stats *stats,
                       char **errp)
{
    const struct nlmsghdr *nlh = msg;
    const struct tcmsg *tcm;
    const struct nlattr *attr;

    if (errp) {
        *errp = NULL;
    }
    if (len < NLMSG_HDRLEN + sizeof *tcm || nlh->nlmsg_len > len
        || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof *tcm) {
        return fail(errp, EINVAL, "filter message truncated");
    }
    tcm = mnl_nlmsg_get_payload(nlh);
    *prio = TC_H_MAJ(tcm->tcm_info) >> 16;
    *handle = tcm->tcm_handle;
    memset(stats, 0, sizeof *stats);
    if (!*handle) {
        /* What a kernel dump sends at the start of each priority. */
        return fail(errp, ENOENT, "not a filter: handle 0 (a dump's "
                    "priority header)");
    }

    bool has_options = false;
    mnl_attr_for_each (attr, nlh, sizeof *tcm) {
        const struct nlattr *opt;

        if (mnl_attr_get_type(attr) != TCA_OPTIONS) {
            continue;
        }
        has_options = true;
        mnl_attr_for_each_nested (opt, attr) {
            const struct nlattr *act;

            if (mnl_attr_get_type(opt) != TCA_FLOWER_ACT) {
                continue;
            }
            mnl_attr_for_each_nested (act, opt) {
                const struct nlattr *a_attr;

                /* The first action (order 1) carries the rule's counters:
                 * every packet that matched the rule passed through it. */
                if (mnl_attr_get_type(act) != 1) {
                    continue;
                }
                mnl_attr_for_each_nested (a_attr, act) {
                    if (mnl_attr_get_type(a_attr) == TCA_ACT_STATS) {
                        struct esw_flower_action a;
                        int error;

                        memset(&a.stats, 0, sizeof a.stats);
                        error = decode_action_stats(a_attr, &a, errp);
                        if (!error) {
                            *stats = a.stats;
                        }
                        return error;
                    }
                }
            }
        }
    }
    if (!has_options) {
        return fail(errp, EINVAL, "not a filter: no options (a dump's "
                    "priority header)");
    }
    return 0;
}
