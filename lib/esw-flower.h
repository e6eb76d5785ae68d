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

#ifndef ESW_FLOWER_H
#define ESW_FLOWER_H 1

/* A TC flower filter, as the kernel UAPI describes it.
 *
 * This is the one model of a hardware rule in ovs-eswitch.  The offload
 * engine translates OVS megaflows into it and encodes it as RTM_NEWTFILTER;
 * sriov-nic-emu decodes RTM_NEWTFILTER into it and installs it in its
 * table.  It covers the flower subset that ovs-eswitch offloads (see
 * ../shared/ARCHITECTURE.md): anything outside it is refused by the codecs
 * with EOPNOTSUPP and a message naming the attribute, never silently
 * dropped.
 *
 * Conventions:
 *
 *   - A key field takes part in the match if and only if its mask is
 *     non-zero.  Fields that flower matches only exactly (eth_type, vlan_id,
 *     vlan_prio, vlan_eth_type, ip_proto, indev) have an all-ones mask when
 *     matched (all-ones for the field's C type: 0xffff for vlan_id, 0xff
 *     for vlan_prio).  Packet fields are in network byte order, as on the
 *     wire; vlan_id, vlan_prio and ip_flags are in host byte order, as
 *     flower carries them.
 *
 *   - tp_src/tp_dst are the TCP, UDP or SCTP ports, according to
 *     key.ip_proto; icmp_type/icmp_code are ICMPv4 or ICMPv6 fields,
 *     according to key.eth_type.
 *
 *   - Which fields a rule may match depends on the fields before it, as in
 *     flower: L3 fields need eth_type IPv4/IPv6 (or ARP for arp_*), L4
 *     fields need ip_proto.  esw_flower_rule_check() says whether a rule is
 *     well-formed in that sense. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <net/if.h>

#include "openvswitch/types.h"

struct ds;

/* TCA_ACT_MAX_PRIO: the kernel accepts at most 32 actions per filter. */
#define ESW_FLOWER_MAX_ACTIONS 32

/* Keys per pedit action.  Rewriting both IPv6 addresses takes 8. */
#define ESW_FLOWER_MAX_PEDIT_KEYS 16

/* TC_COOKIE_MAX_SIZE. */
#define ESW_FLOWER_MAX_COOKIE 16

/* Bits of esw_flower_key.ip_flags: TCA_FLOWER_KEY_FLAGS_*. */
#define ESW_FLOWER_IP_FLAG_FRAG       (1u << 0) /* IS_FRAGMENT. */
#define ESW_FLOWER_IP_FLAG_FIRSTFRAG  (1u << 1) /* FRAG_IS_FIRST. */

struct esw_flower_key {
    char indev[IFNAMSIZ];       /* TCA_FLOWER_INDEV.  In a mask, a non-zero
                                 * indev[0] means "matched". */

    struct eth_addr eth_dst;    /* TCA_FLOWER_KEY_ETH_DST(_MASK). */
    struct eth_addr eth_src;    /* TCA_FLOWER_KEY_ETH_SRC(_MASK). */
    ovs_be16 eth_type;          /* TCA_FLOWER_KEY_ETH_TYPE. */

    /* One 802.1Q tag.  eth_type is then ETH_P_8021Q (or 8021AD) and
     * vlan_eth_type the type inside the tag. */
    uint16_t vlan_id;           /* TCA_FLOWER_KEY_VLAN_ID, 12 bits. */
    uint8_t vlan_prio;          /* TCA_FLOWER_KEY_VLAN_PRIO, 3 bits. */
    ovs_be16 vlan_eth_type;     /* TCA_FLOWER_KEY_VLAN_ETH_TYPE. */

    uint8_t ip_proto;           /* TCA_FLOWER_KEY_IP_PROTO. */
    uint8_t ip_tos;             /* TCA_FLOWER_KEY_IP_TOS(_MASK). */
    uint8_t ip_ttl;             /* TCA_FLOWER_KEY_IP_TTL(_MASK). */
    uint32_t ip_flags;          /* TCA_FLOWER_KEY_FLAGS(_MASK). */

    ovs_be32 ipv4_src;          /* TCA_FLOWER_KEY_IPV4_SRC(_MASK). */
    ovs_be32 ipv4_dst;          /* TCA_FLOWER_KEY_IPV4_DST(_MASK). */
    struct in6_addr ipv6_src;   /* TCA_FLOWER_KEY_IPV6_SRC(_MASK). */
    struct in6_addr ipv6_dst;   /* TCA_FLOWER_KEY_IPV6_DST(_MASK). */

    ovs_be16 tp_src;            /* TCA_FLOWER_KEY_{TCP,UDP,SCTP}_SRC(_MASK). */
    ovs_be16 tp_dst;            /* TCA_FLOWER_KEY_{TCP,UDP,SCTP}_DST(_MASK). */
    ovs_be16 tcp_flags;         /* TCA_FLOWER_KEY_TCP_FLAGS(_MASK). */
    uint8_t icmp_type;          /* TCA_FLOWER_KEY_ICMPV{4,6}_TYPE(_MASK). */
    uint8_t icmp_code;          /* TCA_FLOWER_KEY_ICMPV{4,6}_CODE(_MASK). */

    ovs_be32 arp_sip;           /* TCA_FLOWER_KEY_ARP_SIP(_MASK). */
    ovs_be32 arp_tip;           /* TCA_FLOWER_KEY_ARP_TIP(_MASK). */
    uint8_t arp_op;             /* TCA_FLOWER_KEY_ARP_OP(_MASK). */
    struct eth_addr arp_sha;    /* TCA_FLOWER_KEY_ARP_SHA(_MASK). */
    struct eth_addr arp_tha;    /* TCA_FLOWER_KEY_ARP_THA(_MASK). */
};

enum esw_flower_action_type {
    ESW_FLOWER_ACT_MIRRED,      /* "mirred": redirect or mirror to a port. */
    ESW_FLOWER_ACT_GACT,        /* "gact": drop, pass, ... */
    ESW_FLOWER_ACT_VLAN,        /* "vlan": push, pop or modify a tag. */
    ESW_FLOWER_ACT_PEDIT,       /* "pedit": rewrite header bytes. */
    ESW_FLOWER_ACT_CSUM,        /* "csum": recompute checksums. */
};

/* One key of a pedit action (struct tc_pedit_key plus its
 * TCA_PEDIT_KEY_EX): at byte 'offset' of header 'htype', the 32 bits in
 * memory order become (old & mask) ^ val for TCA_PEDIT_KEY_EX_CMD_SET, or
 * (old & mask) + val for TCA_PEDIT_KEY_EX_CMD_ADD.  mask and val are kept
 * exactly as they are on the wire (memory order, not host order). */
struct esw_flower_pedit_key {
    uint8_t htype;              /* TCA_PEDIT_KEY_EX_HDR_TYPE_*. */
    uint8_t cmd;                /* TCA_PEDIT_KEY_EX_CMD_*. */
    uint32_t offset;            /* Byte offset, a multiple of 4. */
    uint32_t mask;              /* Bits to keep. */
    uint32_t val;               /* Bits to set (or add). */
};

/* Counters of one action (TCA_ACT_STATS and TCA_ACT_TM), in dumps. */
struct esw_flower_action_stats {
    uint64_t packets;           /* gnet_stats_basic: all packets. */
    uint64_t bytes;
    uint64_t packets_hw;        /* TCA_STATS_BASIC_HW: those in hardware. */
    uint64_t bytes_hw;
    uint64_t lastuse_ms;        /* struct tcf_t, in milliseconds ago. */
    uint64_t firstuse_ms;
    uint64_t install_ms;
};

struct esw_flower_action {
    enum esw_flower_action_type type;

    /* The control action of the tc_gen header: what the filter does after
     * this action (TC_ACT_PIPE to go on, TC_ACT_STOLEN after a redirect,
     * TC_ACT_SHOT to drop, TC_ACT_OK to accept). */
    int control;
    uint32_t index;             /* tc_gen index; 0: assigned on install. */

    union {
        struct {
            int eaction;        /* TCA_EGRESS_REDIR or TCA_EGRESS_MIRROR. */
            int ifindex;        /* Output port. */
        } mirred;
        struct {
            int action;         /* TCA_VLAN_ACT_{POP,PUSH,MODIFY}. */
            uint16_t id;        /* PUSH, MODIFY. */
            uint8_t prio;       /* PUSH, MODIFY. */
            ovs_be16 proto;     /* PUSH: ETH_P_8021Q or ETH_P_8021AD. */
            bool keep_prio;     /* MODIFY only: leave the packet's priority
                                 * bits alone (no TCA_VLAN_PUSH_VLAN_PRIORITY)
                                 * instead of setting them to 'prio'. */
        } vlan;
        struct {
            size_t n_keys;
            struct esw_flower_pedit_key keys[ESW_FLOWER_MAX_PEDIT_KEYS];
        } pedit;
        struct {
            uint32_t update_flags;  /* TCA_CSUM_UPDATE_FLAG_*. */
        } csum;
    };

    uint8_t cookie[ESW_FLOWER_MAX_COOKIE];  /* TCA_ACT_COOKIE. */
    size_t cookie_len;                      /* 0: no cookie. */

    struct esw_flower_action_stats stats;   /* Dumps only. */
};

/* A flower filter: its identity (where it is attached and its handle),
 * its match and its actions. */
struct esw_flower_rule {
    int ifindex;                /* tcmsg.tcm_ifindex. */
    uint32_t parent;            /* tcmsg.tcm_parent, e.g. ingress. */
    uint16_t prio;              /* TC_H_MAJ(tcm_info) >> 16. */
    ovs_be16 protocol;          /* TC_H_MIN(tcm_info). */
    uint32_t handle;            /* tcmsg.tcm_handle; 0: assign one. */
    uint32_t chain;             /* TCA_CHAIN. */
    uint32_t flags;             /* TCA_FLOWER_FLAGS: TCA_CLS_FLAGS_*. */
    uint32_t in_hw_count;       /* TCA_FLOWER_IN_HW_COUNT, dumps only. */

    struct esw_flower_key key;
    struct esw_flower_key mask;

    size_t n_actions;
    struct esw_flower_action actions[ESW_FLOWER_MAX_ACTIONS];
};

/* Initializes 'rule' to a filter with no match and no action. */
void esw_flower_rule_init(struct esw_flower_rule *rule);

/* Checks that 'rule' is well-formed: every matched field is allowed by the
 * fields it depends on, key bits are zero where the mask is zero, at least
 * one action, every action of a known type with sane arguments.  Returns 0
 * if so, otherwise EINVAL, with a message naming the field or action in
 * '*errp' (to be freed by the caller) if 'errp' is nonnull. */
int esw_flower_rule_check(const struct esw_flower_rule *rule, char **errp);

/* Returns true if 'a' and 'b' have the same match (key and mask, chain,
 * prio, protocol and device), regardless of their actions. */
bool esw_flower_rule_same_match(const struct esw_flower_rule *a,
                                const struct esw_flower_rule *b);

/* Appends to 'ds' a human-readable one-line description of 'rule' in the
 * syntax of "tc filter show", for logs and tests. */
void esw_flower_rule_format(const struct esw_flower_rule *rule,
                            struct ds *ds);

/* Returns the name of the network device with 'ifindex', or NULL. */
typedef const char *esw_flower_ifname_func(int ifindex, void *aux);

/* Appends to 'ds' the "tc filter add ... flower ..." command line that
 * installs 'rule', for users who debug offload with iproute2.  Devices are
 * named with 'ifname' (may be NULL).  Pedit keys are raw words of their
 * header, given as "munge HEADER offset N u32 set VALUE retain MASK". */
void esw_flower_rule_format_command(const struct esw_flower_rule *rule,
                                    esw_flower_ifname_func *ifname,
                                    void *aux, struct ds *ds);

#endif /* esw-flower.h */
