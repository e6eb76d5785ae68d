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

#ifndef EMU_FLOW_TABLE_H
#define EMU_FLOW_TABLE_H 1

/* The flow table of sriov-nic-emu's embedded switch.
 *
 * It holds TC flower filters (struct esw_flower_rule, the model of
 * lib/esw-flower.h) as the hardware of a switchdev NIC would: a fixed
 * number of rules per NIC, each attached to the ingress of one port,
 * stored in a compact form (about 330 bytes a rule instead of the model's
 * 8 KB), looked up by packet with the semantics of the kernel's flower
 * classifier, with packet and byte counters.
 *
 * Identity.  A rule is identified, as a kernel filter is, by the port whose
 * ingress it is attached to (an opaque id that the caller maps from
 * tcm_ifindex), its chain, its priority and its handle.  The rules of one
 * (port, chain, prio) form one "flower instance" (a tcf_proto): they share
 * one protocol (tcm_info), and their handles are unique in it.
 *
 * Lookup (net/sched/cls_api.c, cls_flower.c).  Only chain 0 is looked up
 * by packets; other chains are stored and dumped.  For a packet that came
 * in on port P, the instances of (P, chain 0) are tried in increasing prio;
 * an instance is skipped unless its protocol is ETH_P_ALL or equals the
 * packet's outermost EtherType.  Inside one instance, rules are grouped by
 * mask and the masks are tried in the order they were created (the kernel
 * appends a new mask to the tail of the instance's list, and frees it with
 * its last rule); at most one rule per mask can match, since two rules of
 * one instance may not have the same mask and key.  The first match wins.
 * The implementation is a tuple space search: one hash table per mask,
 * visited in that order, with an early exit on the first match.
 *
 * Hardware semantics.  The table stores whatever rule it is given, whatever
 * its TCA_CLS_FLAGS_SKIP_* flags: whether a skip_hw rule belongs in the
 * emulated hardware is the netlink server's decision.  Replacing a rule
 * follows the kernel (fl_change()): the new rule must keep its mask
 * (EINVAL otherwise), and it gets new actions, so its counters restart
 * from zero, unless every one of its actions is bound, by a non-zero
 * index, to the action at the same place in the old rule (same kind, same
 * index): then the kernel's counters, which are the actions' counters,
 * carry on, and so do ours.
 *
 * Thread safety: none.  sriov-nic-emu is single-threaded (an OVS poll
 * loop); the caller must serialize every call on one table. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"

struct esw_flower_rule;

/* The lookup key: the fields of a packet that a rule can match, as the
 * kernel's flow dissector extracts them for flower (see emu-pipeline.h),
 * in a packed form that is also the rules' key and mask.  Packet fields are
 * in network byte order; vlan_id, vlan_prio and ip_flags in host order.
 * Fields a packet does not have are zero, padding included. */
OVS_ALIGNED_STRUCT(8, emu_flow_key) {
    struct eth_addr eth_dst;
    struct eth_addr eth_src;
    ovs_be16 eth_type;          /* Outermost EtherType: the TPID if the
                                 * packet is VLAN-tagged. */
    ovs_be16 n_proto;           /* EtherType after all VLAN tags: what a
                                 * rule's non-VLAN eth_type matches. */

    ovs_be16 vlan_eth_type;     /* EtherType inside the first tag. */
    uint16_t vlan_id;           /* First tag's VID, 12 bits. */
    uint8_t vlan_prio;          /* First tag's PCP, 3 bits. */
    uint8_t ip_proto;
    uint8_t ip_tos;             /* Full TOS / traffic class byte. */
    uint8_t ip_ttl;             /* TTL / hop limit. */

    uint8_t ip_flags;           /* ESW_FLOWER_IP_FLAG_*. */
    uint8_t icmp_type;
    uint8_t icmp_code;
    uint8_t arp_op;             /* Low byte of the ARP opcode. */
    ovs_be16 tp_src;
    ovs_be16 tp_dst;

    ovs_be16 tcp_flags;         /* 12 bits: TCP header bytes 12-13. */
    uint8_t pad0[2];
    uint32_t in_port;           /* Port the packet came in on (indev). */

    ovs_be32 ipv4_src;
    ovs_be32 ipv4_dst;
    struct in6_addr ipv6_src;
    struct in6_addr ipv6_dst;

    ovs_be32 arp_sip;
    ovs_be32 arp_tip;
    struct eth_addr arp_sha;
    struct eth_addr arp_tha;
    uint8_t pad1[4];
};

#define EMU_FLOW_KEY_N_WORDS (sizeof(struct emu_flow_key) / 8)

/* Identity of a rule. */
struct emu_flow_id {
    uint32_t port;              /* Port whose ingress the rule is on. */
    uint32_t chain;             /* TCA_CHAIN. */
    uint16_t prio;              /* Priority: lower is looked up first. */
    uint32_t handle;            /* Unique in (port, chain, prio). */
};

/* Maps the network devices that a rule names to port ids. */
struct emu_flow_port_map {
    /* Stores in '*port' the port of the device with 'ifindex' (the target
     * of a mirred action) and returns 0, or returns ENODEV. */
    int (*port_from_ifindex)(const void *aux, int ifindex, uint32_t *port);

    /* Same for the device called 'name' (TCA_FLOWER_INDEV). */
    int (*port_from_name)(const void *aux, const char *name,
                          uint32_t *port);

    const void *aux;
};

/* A stored action, compiled from struct esw_flower_action. */
struct emu_flow_action {
    uint8_t type;               /* enum esw_flower_action_type. */
    uint8_t cookie_len;         /* 0: no TCA_ACT_COOKIE. */
    uint16_t cookie_ofs;        /* Start of the cookie in 'cookies'. */
    int32_t control;            /* TC_ACT_* after this action. */
    uint32_t index;             /* tc_gen index, never 0 once stored. */
    union {
        struct {
            uint8_t eaction;    /* TCA_EGRESS_REDIR or TCA_EGRESS_MIRROR. */
            int32_t ifindex;    /* As the rule named it. */
            uint32_t port;      /* 'ifindex' mapped to a port. */
        } mirred;
        struct {
            uint8_t action;     /* TCA_VLAN_ACT_{POP,PUSH,MODIFY}. */
            uint8_t prio;
            uint16_t id;
            ovs_be16 proto;     /* ETH_P_8021Q or ETH_P_8021AD. */
            bool keep_prio;     /* MODIFY: leave the PCP alone. */
        } vlan;
        struct {
            uint16_t first_key; /* Index in 'pedit_keys'. */
            uint16_t n_keys;
        } pedit;
        uint32_t csum_flags;    /* TCA_CSUM_UPDATE_FLAG_*. */
    };
};

/* A stored pedit key: see struct esw_flower_pedit_key. */
struct emu_flow_pedit_key {
    uint8_t htype;              /* TCA_PEDIT_KEY_EX_HDR_TYPE_*. */
    uint8_t cmd;                /* TCA_PEDIT_KEY_EX_CMD_*. */
    uint32_t offset;            /* Signed, as the kernel's tc_pedit_key. */
    uint32_t mask;
    uint32_t val;
};

/* What a rule keeps besides its match, in one allocation: its actions in
 * order, their pedit keys and cookies, and the TCA_FLOWER_INDEV name. */
struct emu_flow_actions {
    uint16_t n_actions;
    uint16_t n_pedit_keys;
    uint16_t cookies_len;
    const struct emu_flow_pedit_key *pedit_keys;
    const uint8_t *cookies;
    const char *indev;          /* NULL if the rule does not match indev. */
    struct emu_flow_action actions[];
};

/* Counters of a rule. */
struct emu_flow_stats {
    uint64_t packets;
    uint64_t bytes;             /* Whole frames, as a NIC counts. */
    long long int used_ms;      /* Last hit, 0 if never. */
    long long int first_used_ms;    /* First hit, 0 if never. */
    long long int installed_ms; /* Insertion (or counter reset). */
};

/* A cursor over the rules in dump order (port, chain, prio, handle).  It
 * is a plain value that names no rule, so that a netlink dump can keep it
 * between messages while rules come and go: a resumed dump returns, once
 * each, the rules after the last one returned (in dump order) that are in
 * the table when it gets to them, whether they were there at the start or
 * not. */
struct emu_flow_dump {
    struct emu_flow_id next;    /* The smallest identity not yet visited. */
    struct emu_flow_id last;    /* The largest identity to visit. */
    bool done;
};

struct emu_flow_table;
struct emu_flow_rule;

/* Table. */

/* Creates and returns an empty table that can hold 'capacity' rules.
 * 'map' (which must outlive the table) maps mirred targets and indev names
 * to ports; if it is NULL, a mirred target's port is its ifindex and a rule
 * that matches indev is refused. */
struct emu_flow_table *emu_flow_table_create(
    size_t capacity, const struct emu_flow_port_map *map);

/* Frees 'table' and every rule in it.  Accepts NULL. */
void emu_flow_table_destroy(struct emu_flow_table *table);

/* Returns the number of rules in 'table'. */
size_t emu_flow_table_count(const struct emu_flow_table *table);

/* Returns 'table''s capacity, in rules. */
size_t emu_flow_table_capacity(const struct emu_flow_table *table);

/* Sets 'table''s capacity.  A capacity below the current number of rules
 * keeps every rule and makes every insertion fail until enough are gone. */
void emu_flow_table_set_capacity(struct emu_flow_table *table,
                                 size_t capacity);

/* Adds 'rule' to the ingress of 'port', with rule->chain, prio, handle,
 * protocol, flags, key, mask and actions.  rule->ifindex, parent,
 * in_hw_count and the action counters are ignored.  A prio of 0 is
 * allocated as the kernel does (one below the lowest prio of the chain, or
 * 0xc000 in an empty chain); a handle of 0 is allocated as the lowest free
 * handle from 1 in (port, chain, prio).  An action index of 0 is
 * allocated too.  Key bits outside the mask are ignored.
 *
 * Returns 0 and, if 'rulep' is nonnull, stores the new rule in '*rulep'.
 * Otherwise the table is unchanged and the result is:
 *   EEXIST      the identity is taken, or a rule of the same instance has
 *               the same mask and key;
 *   ENOSPC      the table is full, or no prio or handle is left;
 *   EINVAL      a malformed rule: protocol 0 for a new instance, a protocol
 *               other than the instance's, a bad action or argument;
 *   EOPNOTSUPP  an action feature the emulated hardware lacks (an ingress
 *               mirred, csum of IGMP/UDPLITE/SCTP, a control of REPEAT,
 *               RECLASSIFY, REDIRECT, JUMP or GOTO_CHAIN);
 *   ENODEV      a mirred target or indev that 'map' does not know. */
int emu_flow_table_insert(struct emu_flow_table *table, uint32_t port,
                          const struct esw_flower_rule *rule,
                          long long int now_ms,
                          const struct emu_flow_rule **rulep);

/* Replaces the rule with identity (port, rule->chain, rule->prio,
 * rule->handle) by 'rule', in place, as described at the top of this
 * file.  A rule->protocol of 0 keeps the instance's.  Returns 0 and the
 * rule in '*rulep' if 'rulep' is nonnull; otherwise the table is unchanged
 * and the result is ENOENT if there is no such rule, EINVAL for a new mask
 * or protocol, or an error as for emu_flow_table_insert(). */
int emu_flow_table_replace(struct emu_flow_table *table, uint32_t port,
                           const struct esw_flower_rule *rule,
                           long long int now_ms,
                           const struct emu_flow_rule **rulep);

/* Deletes the rule with identity 'id'.  Returns 0 or ENOENT. */
int emu_flow_table_delete(struct emu_flow_table *table,
                          const struct emu_flow_id *id);

/* Deletes every rule of (port, chain, prio) and returns how many. */
size_t emu_flow_table_delete_prio(struct emu_flow_table *table,
                                  uint32_t port, uint32_t chain,
                                  uint16_t prio);

/* Deletes every rule of (port, chain) and returns how many. */
size_t emu_flow_table_delete_chain(struct emu_flow_table *table,
                                   uint32_t port, uint32_t chain);

/* Deletes every rule of 'port' and returns how many. */
size_t emu_flow_table_delete_port(struct emu_flow_table *table,
                                  uint32_t port);

/* Deletes every rule, as a NIC reset does.  The capacity stays. */
void emu_flow_table_flush(struct emu_flow_table *table);

/* Returns the rule with identity 'id', or NULL. */
const struct emu_flow_rule *emu_flow_table_find(
    const struct emu_flow_table *table, const struct emu_flow_id *id);

/* Returns the rule that a packet with 'key' that came in on 'port' hits,
 * as described at the top of this file, or NULL on a miss.  key->in_port
 * should be 'port', as emu_pipeline_parse() makes it.  Counts nothing: see
 * emu_flow_rule_account(). */
struct emu_flow_rule *emu_flow_table_lookup(struct emu_flow_table *table,
                                            uint32_t port,
                                            const struct emu_flow_key *key);

/* Dumps. */

/* Initializes 'dump' to visit every rule of the table, of 'port', of
 * (port, chain) or of (port, chain, prio). */
void emu_flow_dump_init_all(struct emu_flow_dump *dump);
void emu_flow_dump_init_port(struct emu_flow_dump *dump, uint32_t port);
void emu_flow_dump_init_chain(struct emu_flow_dump *dump, uint32_t port,
                              uint32_t chain);
void emu_flow_dump_init_prio(struct emu_flow_dump *dump, uint32_t port,
                             uint32_t chain, uint16_t prio);

/* Returns the next rule of 'dump' in 'table' and moves past it, or NULL
 * when there is none left. */
const struct emu_flow_rule *emu_flow_dump_next(
    const struct emu_flow_table *table, struct emu_flow_dump *dump);

/* Rules. */

/* Returns 'rule''s identity. */
const struct emu_flow_id *emu_flow_rule_id(const struct emu_flow_rule *rule);

/* Returns the protocol (tcm_info) of 'rule''s instance. */
ovs_be16 emu_flow_rule_protocol(const struct emu_flow_rule *rule);

/* Returns 'rule''s TCA_FLOWER_FLAGS, as given. */
uint32_t emu_flow_rule_flags(const struct emu_flow_rule *rule);

/* Returns 'rule''s actions. */
const struct emu_flow_actions *emu_flow_rule_actions(
    const struct emu_flow_rule *rule);

/* Stores 'rule''s counters in '*stats'. */
void emu_flow_rule_get_stats(const struct emu_flow_rule *rule,
                             struct emu_flow_stats *stats);

/* Adds 'n_packets' packets of 'n_bytes' bytes in all to 'rule''s
 * counters, used at 'now_ms'. */
void emu_flow_rule_account(struct emu_flow_rule *rule, uint64_t n_packets,
                           uint64_t n_bytes, long long int now_ms);

/* Fills '*out' with 'rule' as a flower filter, for dumps: identity
 * (chain, prio, handle), protocol, flags, key, mask, and actions with their
 * counters, whose times are relative to 'now_ms'.  ifindex and parent are
 * left 0 for the caller to fill in from the port. */
void emu_flow_rule_to_flower(const struct emu_flow_rule *rule,
                             long long int now_ms,
                             struct esw_flower_rule *out);

#endif /* emu-flow-table.h */
