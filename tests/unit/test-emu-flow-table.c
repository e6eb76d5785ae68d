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

/* sriov-nic-emu's flow table: identity, allocation, capacity, lookup order,
 * dumps, deletion, replacement and counters.  Lookups use hand-made keys,
 * so that these tests do not depend on the packet parser. */

#include <config.h>

#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "emu-flow-table.h"
#include "esw-flower.h"
#include "esw-unittest.h"
#include "packets.h"
#include "util.h"

#define PORT_A 10
#define PORT_B 11
#define PORT_OUT 20

/* Rules. */

/* Returns a new rule on (chain, prio, handle) for 'protocol' (host order),
 * with no match and one mirred redirect to PORT_OUT. */
static struct esw_flower_rule *
rule_new(uint32_t chain, uint16_t prio, uint32_t handle, uint16_t protocol)
{
    struct esw_flower_rule *rule = xzalloc(sizeof *rule);

    rule->chain = chain;
    rule->prio = prio;
    rule->handle = handle;
    rule->protocol = htons(protocol);
    rule->n_actions = 1;
    rule->actions[0].type = ESW_FLOWER_ACT_MIRRED;
    rule->actions[0].control = TC_ACT_STOLEN;
    rule->actions[0].mirred.eaction = TCA_EGRESS_REDIR;
    rule->actions[0].mirred.ifindex = PORT_OUT;
    return rule;
}

static void
rule_match_eth_type(struct esw_flower_rule *rule, uint16_t eth_type)
{
    rule->key.eth_type = htons(eth_type);
    rule->mask.eth_type = OVS_BE16_MAX;
}

static void
rule_match_ipv4_dst(struct esw_flower_rule *rule, uint32_t dst, int plen)
{
    rule_match_eth_type(rule, ETH_TYPE_IP);
    rule->mask.ipv4_dst = be32_prefix_mask(plen);
    rule->key.ipv4_dst = htonl(dst) & rule->mask.ipv4_dst;
}

static void
rule_match_5tuple(struct esw_flower_rule *rule, uint32_t src, uint32_t dst,
                  uint16_t sport, uint16_t dport)
{
    rule_match_eth_type(rule, ETH_TYPE_IP);
    rule->key.ip_proto = IPPROTO_TCP;
    rule->mask.ip_proto = 0xff;
    rule->key.ipv4_src = htonl(src);
    rule->mask.ipv4_src = OVS_BE32_MAX;
    rule->key.ipv4_dst = htonl(dst);
    rule->mask.ipv4_dst = OVS_BE32_MAX;
    rule->key.tp_src = htons(sport);
    rule->mask.tp_src = OVS_BE16_MAX;
    rule->key.tp_dst = htons(dport);
    rule->mask.tp_dst = OVS_BE16_MAX;
}

static int
insert(struct emu_flow_table *table, uint32_t port,
       struct esw_flower_rule *rule, const struct emu_flow_rule **rulep)
{
    int error = emu_flow_table_insert(table, port, rule, 1000, rulep);

    free(rule);
    return error;
}

static struct emu_flow_id
id_of(uint32_t port, uint32_t chain, uint16_t prio, uint32_t handle)
{
    struct emu_flow_id id = {
        .port = port, .chain = chain, .prio = prio, .handle = handle
    };
    return id;
}

static bool
id_equal(const struct emu_flow_id *a, const struct emu_flow_id *b)
{
    return (a->port == b->port && a->chain == b->chain
            && a->prio == b->prio && a->handle == b->handle);
}

/* Keys. */

static struct emu_flow_key
ipv4_key(uint32_t port, uint32_t src, uint32_t dst, uint16_t sport,
         uint16_t dport)
{
    struct emu_flow_key key;

    memset(&key, 0, sizeof key);
    key.in_port = port;
    key.eth_type = key.n_proto = htons(ETH_TYPE_IP);
    key.ip_proto = IPPROTO_TCP;
    key.ip_ttl = 64;
    key.ipv4_src = htonl(src);
    key.ipv4_dst = htonl(dst);
    key.tp_src = htons(sport);
    key.tp_dst = htons(dport);
    return key;
}

/* Returns the handle of the rule that 'key' hits on 'port', or 0. */
static uint32_t
lookup_handle(struct emu_flow_table *table, uint32_t port,
              const struct emu_flow_key *key)
{
    const struct emu_flow_rule *rule
        = emu_flow_table_lookup(table, port, key);

    return rule ? emu_flow_rule_id(rule)->handle : 0;
}

static uint16_t
lookup_prio(struct emu_flow_table *table, uint32_t port,
            const struct emu_flow_key *key)
{
    const struct emu_flow_rule *rule
        = emu_flow_table_lookup(table, port, key);

    return rule ? emu_flow_rule_id(rule)->prio : 0;
}

/* Tests. */

static void
test_insert_find_round_trip(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *rule = rule_new(0, 5, 7, ETH_TYPE_IP);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    const struct emu_flow_rule *stored;

    rule_match_5tuple(rule, 0x0a000001, 0x0a000002, 1000, 80);
    rule->key.ip_tos = 0x28;
    rule->mask.ip_tos = 0xfc;
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;
    rule->actions[0].cookie_len = 3;
    memcpy(rule->actions[0].cookie, "abc", 3);
    rule->actions[1].type = ESW_FLOWER_ACT_PEDIT;
    rule->actions[1].control = TC_ACT_PIPE;
    rule->actions[1].pedit.n_keys = 1;
    rule->actions[1].pedit.keys[0].htype = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
    rule->actions[1].pedit.keys[0].cmd = TCA_PEDIT_KEY_EX_CMD_SET;
    rule->actions[1].pedit.keys[0].offset = 16;
    rule->actions[1].pedit.keys[0].mask = 0;
    rule->actions[1].pedit.keys[0].val = htonl(0x0b000001);
    rule->n_actions = 2;
    struct esw_flower_rule expected = *rule;

    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(stored);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 1);

    struct emu_flow_id id = id_of(PORT_A, 0, 5, 7);
    CU_ASSERT_PTR_EQUAL(emu_flow_table_find(table, &id), stored);
    CU_ASSERT_EQUAL(emu_flow_rule_protocol(stored), htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(emu_flow_rule_flags(stored), TCA_CLS_FLAGS_SKIP_SW);

    emu_flow_rule_to_flower(stored, 1000, out);
    CU_ASSERT_EQUAL(out->prio, 5);
    CU_ASSERT_EQUAL(out->handle, 7);
    CU_ASSERT_EQUAL(out->chain, 0);
    CU_ASSERT_EQUAL(out->protocol, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(out->flags, TCA_CLS_FLAGS_SKIP_SW);
    CU_ASSERT(!memcmp(&out->mask, &expected.mask, sizeof out->mask));
    expected.key.ip_tos &= expected.mask.ip_tos;
    CU_ASSERT(!memcmp(&out->key, &expected.key, sizeof out->key));
    CU_ASSERT_EQUAL_FATAL(out->n_actions, 2);
    CU_ASSERT_EQUAL(out->actions[0].type, ESW_FLOWER_ACT_MIRRED);
    CU_ASSERT_EQUAL(out->actions[0].control, TC_ACT_STOLEN);
    CU_ASSERT_EQUAL(out->actions[0].mirred.eaction, TCA_EGRESS_REDIR);
    CU_ASSERT_EQUAL(out->actions[0].mirred.ifindex, PORT_OUT);
    CU_ASSERT_EQUAL(out->actions[0].cookie_len, 3);
    CU_ASSERT(!memcmp(out->actions[0].cookie, "abc", 3));
    CU_ASSERT_EQUAL(out->actions[1].type, ESW_FLOWER_ACT_PEDIT);
    CU_ASSERT_EQUAL(out->actions[1].pedit.n_keys, 1);
    CU_ASSERT_EQUAL(out->actions[1].pedit.keys[0].offset, 16);
    CU_ASSERT_EQUAL(out->actions[1].pedit.keys[0].val, htonl(0x0b000001));
    CU_ASSERT_EQUAL(out->actions[1].cookie_len, 0);

    /* Indexes of 0 were allocated, distinct per kind. */
    CU_ASSERT_NOT_EQUAL(out->actions[0].index, 0);
    CU_ASSERT_NOT_EQUAL(out->actions[1].index, 0);

    free(out);
    emu_flow_table_destroy(table);
}

static void
test_vlan_match_round_trip(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *rule = rule_new(0, 1, 1, ETH_P_8021Q);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    const struct emu_flow_rule *stored;

    rule_match_eth_type(rule, ETH_TYPE_VLAN_8021Q);
    rule->key.vlan_id = 100;
    rule->mask.vlan_id = 0xffff;
    rule->key.vlan_prio = 3;
    rule->mask.vlan_prio = 0xff;
    rule->key.vlan_eth_type = htons(ETH_TYPE_IP);
    rule->mask.vlan_eth_type = OVS_BE16_MAX;
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);

    emu_flow_rule_to_flower(stored, 1000, out);
    CU_ASSERT_EQUAL(out->key.eth_type, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(out->key.vlan_eth_type, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(out->mask.vlan_eth_type, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(out->key.vlan_id, 100);
    CU_ASSERT_EQUAL(out->mask.vlan_id, 0xffff);
    CU_ASSERT_EQUAL(out->key.vlan_prio, 3);
    CU_ASSERT_EQUAL(out->mask.vlan_prio, 0xff);

    /* A tagged IPv4 packet in VLAN 100, PCP 3 hits; VLAN 101 does not; an
     * untagged IPv4 packet does not. */
    struct emu_flow_key key = ipv4_key(PORT_A, 1, 2, 3, 4);
    key.eth_type = htons(ETH_TYPE_VLAN_8021Q);
    key.vlan_eth_type = htons(ETH_TYPE_IP);
    key.vlan_id = 100;
    key.vlan_prio = 3;
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 1);
    key.vlan_id = 101;
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);
    key = ipv4_key(PORT_A, 1, 2, 3, 4);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);

    free(out);
    emu_flow_table_destroy(table);
}

/* Rules of many shapes come back from the table with the same match, and
 * well-formed as lib/esw-flower.c checks them. */
static void
test_round_trip_is_well_formed(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    struct esw_flower_rule *rules[6];
    struct esw_flower_rule *r;

    r = rules[0] = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_5tuple(r, 1, 2, 3, 4);
    r->key.tcp_flags = htons(0x02);
    r->mask.tcp_flags = htons(0x12);
    r->key.ip_flags = 0;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;

    r = rules[1] = rule_new(0, 2, 0, ETH_TYPE_VLAN_8021AD);
    rule_match_eth_type(r, ETH_TYPE_VLAN_8021AD);
    r->key.vlan_id = 5;
    r->mask.vlan_id = 0xffff;
    r->key.vlan_eth_type = htons(ETH_TYPE_IPV6);
    r->mask.vlan_eth_type = OVS_BE16_MAX;

    r = rules[2] = rule_new(0, 3, 0, ETH_TYPE_ARP);
    rule_match_eth_type(r, ETH_TYPE_ARP);
    r->key.arp_op = 1;
    r->mask.arp_op = 0xff;
    r->key.arp_tip = htonl(0x0a000001);
    r->mask.arp_tip = OVS_BE32_MAX;
    r->key.arp_sha = (struct eth_addr) ETH_ADDR_C(02, 00, 00, 00, 00, 01);
    r->mask.arp_sha = eth_addr_exact;

    r = rules[3] = rule_new(0, 4, 0, ETH_TYPE_IPV6);
    rule_match_eth_type(r, ETH_TYPE_IPV6);
    r->key.ip_proto = IPPROTO_ICMPV6;
    r->mask.ip_proto = 0xff;
    r->key.icmp_type = 135;
    r->mask.icmp_type = 0xff;
    memset(&r->key.ipv6_dst, 0x20, 8);
    memset(&r->mask.ipv6_dst, 0xff, 8);
    r->key.ip_ttl = 255;
    r->mask.ip_ttl = 0xff;

    r = rules[4] = rule_new(0, 5, 0, ETH_P_ALL);
    r->key.eth_dst = (struct eth_addr) ETH_ADDR_C(01, 00, 00, 00, 00, 00);
    r->mask.eth_dst = (struct eth_addr) ETH_ADDR_C(01, 00, 00, 00, 00, 00);
    r->actions[0].type = ESW_FLOWER_ACT_VLAN;
    r->actions[0].control = TC_ACT_PIPE;
    r->actions[0].vlan.action = TCA_VLAN_ACT_MODIFY;
    r->actions[0].vlan.id = 7;
    r->actions[0].vlan.proto = htons(ETH_TYPE_VLAN_8021Q);
    r->actions[0].vlan.keep_prio = true;
    r->actions[1].type = ESW_FLOWER_ACT_CSUM;
    r->actions[1].control = TC_ACT_OK;
    r->actions[1].csum.update_flags = TCA_CSUM_UPDATE_FLAG_IPV4HDR;
    r->n_actions = 2;

    r = rules[5] = rule_new(9, 6, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(r, 0x0a000000, 8);
    r->key.ip_flags = (ESW_FLOWER_IP_FLAG_FRAG
                       | ESW_FLOWER_IP_FLAG_FIRSTFRAG);
    r->mask.ip_flags = (ESW_FLOWER_IP_FLAG_FRAG
                        | ESW_FLOWER_IP_FLAG_FIRSTFRAG);

    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        const struct emu_flow_rule *stored;
        char *error = NULL;

        CU_ASSERT_EQUAL(esw_flower_rule_check(rules[i], NULL), 0);
        CU_ASSERT_EQUAL_FATAL(emu_flow_table_insert(table, PORT_A, rules[i],
                                                    0, &stored), 0);
        emu_flow_rule_to_flower(stored, 0, out);
        CU_ASSERT_EQUAL(esw_flower_rule_check(out, &error), 0);
        if (error) {
            fprintf(stderr, "\nrule %zu: %s\n", i, error);
            free(error);
        }
        rules[i]->handle = out->handle;
        CU_ASSERT(esw_flower_rule_same_match(rules[i], out));
        CU_ASSERT_EQUAL(out->n_actions, rules[i]->n_actions);
        for (size_t j = 0; j < out->n_actions; j++) {
            CU_ASSERT_EQUAL(out->actions[j].type, rules[i]->actions[j].type);
            CU_ASSERT_EQUAL(out->actions[j].control,
                            rules[i]->actions[j].control);
        }
        if (out->actions[0].type == ESW_FLOWER_ACT_VLAN) {
            CU_ASSERT(out->actions[0].vlan.keep_prio);
            CU_ASSERT_EQUAL(out->actions[0].vlan.id, 7);
        }
        free(rules[i]);
    }

    free(out);
    emu_flow_table_destroy(table);
}

static void
test_handle_allocation(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    const struct emu_flow_rule *stored;

    for (uint32_t i = 1; i <= 3; i++) {
        struct esw_flower_rule *rule = rule_new(0, 1, 0, ETH_TYPE_IP);

        rule_match_ipv4_dst(rule, i, 32);
        CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
        CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, i);
    }

    /* A freed handle is the lowest free one, so it comes back first. */
    struct emu_flow_id id = id_of(PORT_A, 0, 1, 2);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), ENOENT);

    struct esw_flower_rule *rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 20, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 2);

    /* Explicit handles are skipped over. */
    rule = rule_new(0, 1, 4, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 40, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 50, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 5);

    /* Each instance has its own handles. */
    rule = rule_new(0, 2, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 60, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 1);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 60, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_B, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 1);

    emu_flow_table_destroy(table);
}

static void
test_prio_allocation(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    const struct emu_flow_rule *stored;
    struct esw_flower_rule *rule;

    rule = rule_new(0, 0, 0, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->prio, 0xc000);

    rule = rule_new(0, 0, 0, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->prio, 0xbfff);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 1);

    /* Another chain starts afresh. */
    rule = rule_new(3, 0, 0, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->prio, 0xc000);

    /* No prio below 1. */
    rule = rule_new(5, 1, 0, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(5, 0, 0, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), ENOSPC);

    emu_flow_table_destroy(table);
}

static void
test_exists(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct esw_flower_rule *rule;

    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    /* Same identity. */
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 2, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EEXIST);

    /* Same mask and key in the same instance. */
    rule = rule_new(0, 1, 2, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EEXIST);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EEXIST);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 1);

    /* Key bits outside the mask do not make a new key. */
    rule = rule_new(0, 1, 2, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    rule->key.tp_src = htons(99);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EEXIST);

    /* The same match elsewhere is fine. */
    rule = rule_new(0, 2, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_B, rule, NULL), 0);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 3);

    emu_flow_table_destroy(table);
}

static void
test_capacity(void)
{
    struct emu_flow_table *table = emu_flow_table_create(3, NULL);
    struct esw_flower_rule *rule;

    CU_ASSERT_EQUAL(emu_flow_table_capacity(table), 3);
    for (uint32_t i = 1; i <= 3; i++) {
        rule = rule_new(0, 1, 0, ETH_TYPE_IP);
        rule_match_ipv4_dst(rule, i, 32);
        CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    }
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 4, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), ENOSPC);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 3);

    struct emu_flow_id id = id_of(PORT_A, 0, 1, 3);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 4, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    /* Lowering the capacity keeps the rules and refuses new ones. */
    emu_flow_table_set_capacity(table, 1);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 3);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 5, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), ENOSPC);
    emu_flow_table_set_capacity(table, 4);
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 5, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    emu_flow_table_destroy(table);
}

static void
test_protocol_of_instance(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    const struct emu_flow_rule *stored;
    struct esw_flower_rule *rule;

    /* A new instance needs a protocol. */
    rule = rule_new(0, 1, 0, 0);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EINVAL);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 0);

    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    /* One protocol per instance; 0 means the instance's. */
    rule = rule_new(0, 1, 0, ETH_TYPE_IPV6);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), EINVAL);
    rule = rule_new(0, 1, 0, 0);
    rule_match_ipv4_dst(rule, 2, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_protocol(stored), htons(ETH_TYPE_IP));

    /* Once the instance is empty, its protocol goes with it. */
    CU_ASSERT_EQUAL(emu_flow_table_delete_prio(table, PORT_A, 0, 1), 2);
    rule = rule_new(0, 1, 0, ETH_TYPE_IPV6);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    emu_flow_table_destroy(table);
}

static void
test_lookup_masked(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct esw_flower_rule *rule;
    struct emu_flow_key key;

    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000100, 24);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    key = ipv4_key(PORT_A, 1, 0x0a0001fe, 1, 2);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 1);
    key = ipv4_key(PORT_A, 1, 0x0a000201, 1, 2);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);

    /* Another port's packets do not see this port's rules. */
    key = ipv4_key(PORT_B, 1, 0x0a0001fe, 1, 2);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_B, &key), 0);

    /* An ARP packet does not match an eth_type IPv4 rule. */
    memset(&key, 0, sizeof key);
    key.eth_type = key.n_proto = htons(ETH_TYPE_ARP);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);

    emu_flow_table_destroy(table);
}

static void
test_lookup_prio_order(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct emu_flow_key key = ipv4_key(PORT_A, 0x0a000001, 0x0a000102,
                                       1000, 80);
    struct esw_flower_rule *rule;

    /* Inserted in decreasing prio: the lowest prio number wins. */
    rule = rule_new(0, 30, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000100, 24);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 30);

    rule = rule_new(0, 20, 1, ETH_TYPE_IP);
    rule_match_5tuple(rule, 0x0a000001, 0x0a000102, 1000, 80);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 20);

    rule = rule_new(0, 10, 1, ETH_P_ALL);
    rule_match_ipv4_dst(rule, 0x0a000000, 8);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 10);

    /* A higher prio number inserted last does not take over. */
    rule = rule_new(0, 40, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000102, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 10);

    /* Deleting the winner uncovers the next. */
    struct emu_flow_id id = id_of(PORT_A, 0, 10, 1);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 20);
    id = id_of(PORT_A, 0, 20, 1);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 30);

    emu_flow_table_destroy(table);
}

static void
test_lookup_mask_order_in_prio(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct emu_flow_key key = ipv4_key(PORT_A, 0x0a000001, 0x0a000102,
                                       1000, 80);
    struct esw_flower_rule *rule;

    /* In one instance, the mask created first is tried first, whatever
     * the handles or how specific the masks are. */
    rule = rule_new(0, 5, 9, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000100, 24);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(0, 5, 3, ETH_TYPE_IP);
    rule_match_5tuple(rule, 0x0a000001, 0x0a000102, 1000, 80);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 9);

    /* When the /24 mask goes with its last rule and comes back, it is
     * created anew, behind the 5-tuple mask. */
    struct emu_flow_id id = id_of(PORT_A, 0, 5, 9);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 3);
    rule = rule_new(0, 5, 9, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000100, 24);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 3);

    /* A packet that only the /24 rule matches still finds it. */
    key.tp_dst = htons(81);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 9);

    emu_flow_table_destroy(table);
}

static void
test_lookup_protocol(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct esw_flower_rule *rule;
    struct emu_flow_key key;

    /* Same empty match in three instances of different protocols. */
    rule = rule_new(0, 1, 1, ETH_TYPE_ARP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(0, 2, 2, ETH_TYPE_VLAN_8021Q);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    rule = rule_new(0, 3, 3, ETH_P_ALL);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    memset(&key, 0, sizeof key);
    key.eth_type = key.n_proto = htons(ETH_TYPE_ARP);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 1);

    /* The protocol is compared with the outermost EtherType. */
    key.eth_type = htons(ETH_TYPE_VLAN_8021Q);
    key.vlan_eth_type = htons(ETH_TYPE_ARP);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 2);

    memset(&key, 0, sizeof key);
    key.eth_type = key.n_proto = htons(ETH_TYPE_IPV6);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 3);

    emu_flow_table_destroy(table);
}

static void
test_lookup_chain_0_only(void)
{
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);
    struct emu_flow_key key = ipv4_key(PORT_A, 1, 0x0a000001, 1, 2);
    struct esw_flower_rule *rule;

    rule = rule_new(1, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000001, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);

    rule = rule_new(0, 7, 2, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000001, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 2);

    emu_flow_table_destroy(table);
}

static int
port_from_ifindex(const void *aux OVS_UNUSED, int ifindex, uint32_t *port)
{
    if (ifindex == 42) {
        *port = PORT_OUT;
        return 0;
    }
    return ENODEV;
}

static int
port_from_name(const void *aux OVS_UNUSED, const char *name, uint32_t *port)
{
    if (!strcmp(name, "pf0vf1")) {
        *port = PORT_B;
        return 0;
    }
    return ENODEV;
}

static void
test_port_map(void)
{
    static const struct emu_flow_port_map map = {
        .port_from_ifindex = port_from_ifindex,
        .port_from_name = port_from_name,
    };
    struct emu_flow_table *table = emu_flow_table_create(100, &map);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    const struct emu_flow_rule *stored;
    struct esw_flower_rule *rule;

    /* Unknown mirred target or indev. */
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), ENODEV);
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule->actions[0].mirred.ifindex = 42;
    ovs_strlcpy(rule->key.indev, "nope", sizeof rule->key.indev);
    rule->mask.indev[0] = 1;
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), ENODEV);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 0);

    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule->actions[0].mirred.ifindex = 42;
    ovs_strlcpy(rule->key.indev, "pf0vf1", sizeof rule->key.indev);
    rule->mask.indev[0] = 1;
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_actions(stored)->actions[0].mirred.port,
                    PORT_OUT);
    emu_flow_rule_to_flower(stored, 1000, out);
    CU_ASSERT_STRING_EQUAL(out->key.indev, "pf0vf1");
    CU_ASSERT_NOT_EQUAL(out->mask.indev[0], 0);
    CU_ASSERT_EQUAL(out->actions[0].mirred.ifindex, 42);

    /* indev matches the port the packet came in on: a rule on port A's
     * ingress that names port B's device never matches. */
    struct emu_flow_key key = ipv4_key(PORT_A, 1, 2, 3, 4);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);

    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule->actions[0].mirred.ifindex = 42;
    ovs_strlcpy(rule->key.indev, "pf0vf1", sizeof rule->key.indev);
    rule->mask.indev[0] = 1;
    CU_ASSERT_EQUAL(insert(table, PORT_B, rule, NULL), 0);
    key = ipv4_key(PORT_B, 1, 2, 3, 4);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_B, &key), 1);
    key.in_port = PORT_A;
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_B, &key), 0);

    free(out);
    emu_flow_table_destroy(table);
}

/* Inserts rules on every combination of 2 ports, 2 chains, 2 prios and 2
 * handles, in a scrambled order. */
static struct emu_flow_table *
make_grid(void)
{
    static const uint32_t ports[] = { PORT_B, PORT_A };
    static const uint32_t chains[] = { 2, 0 };
    static const uint16_t prios[] = { 9, 3 };
    static const uint32_t handles[] = { 7, 5 };
    struct emu_flow_table *table = emu_flow_table_create(100, NULL);

    for (size_t h = 0; h < 2; h++) {
        for (size_t c = 0; c < 2; c++) {
            for (size_t p = 0; p < 2; p++) {
                for (size_t q = 0; q < 2; q++) {
                    struct esw_flower_rule *rule
                        = rule_new(chains[c], prios[q], handles[h],
                                   ETH_TYPE_IP);

                    rule_match_ipv4_dst(rule, handles[h], 32);
                    CU_ASSERT_EQUAL(insert(table, ports[p], rule, NULL), 0);
                }
            }
        }
    }
    return table;
}

static void
test_dump_order(void)
{
    struct emu_flow_table *table = make_grid();
    struct emu_flow_id prev = id_of(0, 0, 0, 0);
    const struct emu_flow_rule *rule;
    struct emu_flow_dump dump;
    size_t n = 0;

    emu_flow_dump_init_all(&dump);
    while ((rule = emu_flow_dump_next(table, &dump))) {
        const struct emu_flow_id *id = emu_flow_rule_id(rule);

        if (n) {
            CU_ASSERT(id->port > prev.port
                      || (id->port == prev.port
                          && (id->chain > prev.chain
                              || (id->chain == prev.chain
                                  && (id->prio > prev.prio
                                      || (id->prio == prev.prio
                                          && id->handle > prev.handle))))));
        }
        prev = *id;
        n++;
    }
    CU_ASSERT_EQUAL(n, 16);
    CU_ASSERT_PTR_NULL(emu_flow_dump_next(table, &dump));

    /* The first and last rules, exactly. */
    emu_flow_dump_init_all(&dump);
    rule = emu_flow_dump_next(table, &dump);
    CU_ASSERT_EQUAL(emu_flow_rule_id(rule)->port, PORT_A);
    CU_ASSERT_EQUAL(emu_flow_rule_id(rule)->chain, 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(rule)->prio, 3);
    CU_ASSERT_EQUAL(emu_flow_rule_id(rule)->handle, 5);
    CU_ASSERT_EQUAL(prev.port, PORT_B);
    CU_ASSERT_EQUAL(prev.chain, 2);
    CU_ASSERT_EQUAL(prev.prio, 9);
    CU_ASSERT_EQUAL(prev.handle, 7);

    emu_flow_table_destroy(table);
}

static size_t
count_dump(const struct emu_flow_table *table, struct emu_flow_dump *dump)
{
    size_t n = 0;

    while (emu_flow_dump_next(table, dump)) {
        n++;
    }
    return n;
}

static void
test_dump_scopes(void)
{
    struct emu_flow_table *table = make_grid();
    struct emu_flow_dump dump;

    emu_flow_dump_init_port(&dump, PORT_A);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 8);
    emu_flow_dump_init_chain(&dump, PORT_B, 2);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 4);
    emu_flow_dump_init_prio(&dump, PORT_B, 2, 9);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 2);
    emu_flow_dump_init_prio(&dump, PORT_B, 2, 8);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 0);
    emu_flow_dump_init_port(&dump, 12345);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 0);

    emu_flow_table_destroy(table);
}

static void
test_dump_resume(void)
{
    struct emu_flow_table *table = make_grid();
    struct emu_flow_dump dump, saved;
    const struct emu_flow_rule *rule;
    struct emu_flow_id seen[32];
    size_t n = 0;

    /* A first "message" of 5 rules. */
    emu_flow_dump_init_all(&dump);
    for (int i = 0; i < 5; i++) {
        rule = emu_flow_dump_next(table, &dump);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rule);
        seen[n++] = *emu_flow_rule_id(rule);
    }

    /* Between messages: the cursor is a value; the rule last returned and
     * a rule not yet returned go away, and a rule is added behind the
     * cursor and another ahead of it. */
    saved = dump;
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &seen[4]), 0);
    struct emu_flow_id gone = id_of(PORT_B, 0, 3, 5);
    CU_ASSERT_EQUAL(emu_flow_table_delete(table, &gone), 0);
    struct esw_flower_rule *r = rule_new(0, 1, 1, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_A, r, NULL), 0);
    r = rule_new(7, 1, 1, ETH_TYPE_IP);
    CU_ASSERT_EQUAL(insert(table, PORT_B, r, NULL), 0);

    dump = saved;
    while ((rule = emu_flow_dump_next(table, &dump))) {
        CU_ASSERT_FATAL(n < ARRAY_SIZE(seen));
        seen[n++] = *emu_flow_rule_id(rule);
    }
    /* 16 - 1 gone ahead + 1 new ahead; the new one behind is not seen. */
    CU_ASSERT_EQUAL(n, 16);
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT(!(seen[i].port == PORT_B && seen[i].chain == 0
                    && seen[i].prio == 3 && seen[i].handle == 5));
        CU_ASSERT(!(seen[i].port == PORT_A && seen[i].prio == 1));
        for (size_t j = 0; j < i; j++) {
            CU_ASSERT(!id_equal(&seen[i], &seen[j]));
        }
    }
    CU_ASSERT_EQUAL(seen[n - 1].port, PORT_B);
    CU_ASSERT_EQUAL(seen[n - 1].chain, 7);

    emu_flow_table_destroy(table);
}

static void
test_delete_scopes_and_flush(void)
{
    struct emu_flow_table *table = make_grid();
    struct emu_flow_key key = ipv4_key(PORT_A, 1, 5, 1, 2);
    struct emu_flow_dump dump;

    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 3);
    CU_ASSERT_EQUAL(emu_flow_table_delete_prio(table, PORT_A, 0, 3), 2);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 14);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 9);
    CU_ASSERT_EQUAL(emu_flow_table_delete_prio(table, PORT_A, 0, 3), 0);

    CU_ASSERT_EQUAL(emu_flow_table_delete_chain(table, PORT_A, 0), 2);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 0);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 12);

    CU_ASSERT_EQUAL(emu_flow_table_delete_port(table, PORT_B), 8);
    emu_flow_dump_init_all(&dump);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 4);

    emu_flow_table_flush(table);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 0);
    emu_flow_dump_init_all(&dump);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 0);
    CU_ASSERT_EQUAL(emu_flow_table_capacity(table), 100);

    /* The table works after a flush, handles starting afresh. */
    const struct emu_flow_rule *stored;
    struct esw_flower_rule *rule = rule_new(0, 3, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 5, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 1);
    CU_ASSERT_EQUAL(lookup_prio(table, PORT_A, &key), 3);

    emu_flow_table_destroy(table);
}

static void
test_counters(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    struct emu_flow_key key = ipv4_key(PORT_A, 1, 2, 3, 4);
    struct esw_flower_rule *rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    const struct emu_flow_rule *stored;
    struct emu_flow_stats stats;

    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    emu_flow_rule_get_stats(stored, &stats);
    CU_ASSERT_EQUAL(stats.packets, 0);
    CU_ASSERT_EQUAL(stats.bytes, 0);
    CU_ASSERT_EQUAL(stats.used_ms, 0);
    CU_ASSERT_EQUAL(stats.installed_ms, 1000);

    struct emu_flow_rule *hit = emu_flow_table_lookup(table, PORT_A, &key);
    CU_ASSERT_PTR_EQUAL_FATAL(hit, stored);
    emu_flow_rule_account(hit, 1, 60, 1500);
    emu_flow_rule_account(hit, 2, 3000, 2500);
    emu_flow_rule_get_stats(stored, &stats);
    CU_ASSERT_EQUAL(stats.packets, 3);
    CU_ASSERT_EQUAL(stats.bytes, 3060);
    CU_ASSERT_EQUAL(stats.used_ms, 2500);
    CU_ASSERT_EQUAL(stats.first_used_ms, 1500);

    emu_flow_rule_to_flower(stored, 4000, out);
    CU_ASSERT_EQUAL(out->actions[0].stats.packets, 3);
    CU_ASSERT_EQUAL(out->actions[0].stats.bytes, 3060);
    CU_ASSERT_EQUAL(out->actions[0].stats.packets_hw, 3);
    CU_ASSERT_EQUAL(out->actions[0].stats.bytes_hw, 3060);
    CU_ASSERT_EQUAL(out->actions[0].stats.lastuse_ms, 1500);
    CU_ASSERT_EQUAL(out->actions[0].stats.firstuse_ms, 2500);
    CU_ASSERT_EQUAL(out->actions[0].stats.install_ms, 3000);

    free(out);
    emu_flow_table_destroy(table);
}

static void
test_replace(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *out = xzalloc(sizeof *out);
    const struct emu_flow_rule *stored, *replaced;
    struct emu_flow_stats stats;
    struct esw_flower_rule *rule;
    struct emu_flow_key key;

    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000001, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    rule = rule_new(0, 1, 2, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000002, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    emu_flow_rule_to_flower(stored, 1000, out);
    uint32_t index = out->actions[0].index;
    emu_flow_rule_account(CONST_CAST(struct emu_flow_rule *, stored),
                          5, 500, 1100);

    /* New actions, bound to the old ones by index: counters carry on. */
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000001, 32);
    rule->actions[0].index = index;
    rule->actions[0].mirred.ifindex = PORT_OUT + 1;
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 2000,
                                           &replaced), 0);
    free(rule);
    CU_ASSERT_PTR_EQUAL(replaced, stored);
    emu_flow_rule_get_stats(stored, &stats);
    CU_ASSERT_EQUAL(stats.packets, 5);
    CU_ASSERT_EQUAL(stats.installed_ms, 1000);
    CU_ASSERT_EQUAL(emu_flow_rule_actions(stored)->actions[0].mirred.port,
                    PORT_OUT + 1);

    /* New, unbound actions and a new key with the same mask: counters
     * restart, and lookups see the new key. */
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000003, 32);
    rule->actions[0].type = ESW_FLOWER_ACT_GACT;
    rule->actions[0].control = TC_ACT_SHOT;
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 3000, NULL),
                    0);
    free(rule);
    emu_flow_rule_get_stats(stored, &stats);
    CU_ASSERT_EQUAL(stats.packets, 0);
    CU_ASSERT_EQUAL(stats.bytes, 0);
    CU_ASSERT_EQUAL(stats.installed_ms, 3000);
    CU_ASSERT_EQUAL(emu_flow_rule_actions(stored)->actions[0].type,
                    ESW_FLOWER_ACT_GACT);
    key = ipv4_key(PORT_A, 1, 0x0a000001, 1, 2);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 0);
    key = ipv4_key(PORT_A, 1, 0x0a000003, 1, 2);
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 1);

    /* Refused: a new mask, another protocol, the key of another rule, a
     * rule that does not exist. */
    rule = rule_new(0, 1, 1, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 0x0a000000, 24);
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 4000, NULL),
                    EINVAL);
    rule->protocol = htons(ETH_TYPE_IPV6);
    rule_match_ipv4_dst(rule, 0x0a000003, 32);
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 4000, NULL),
                    EINVAL);
    rule->protocol = 0;
    rule_match_ipv4_dst(rule, 0x0a000002, 32);
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 4000, NULL),
                    EEXIST);
    rule->handle = 3;
    CU_ASSERT_EQUAL(emu_flow_table_replace(table, PORT_A, rule, 4000, NULL),
                    ENOENT);
    free(rule);

    /* Nothing changed. */
    CU_ASSERT_EQUAL(lookup_handle(table, PORT_A, &key), 1);
    CU_ASSERT_EQUAL(emu_flow_table_count(table), 2);

    free(out);
    emu_flow_table_destroy(table);
}

/* Returns the result of inserting a rule whose first action is changed by
 * 'mutate'. */
static int
insert_mutated(struct emu_flow_table *table,
               void (*mutate)(struct esw_flower_rule *))
{
    struct esw_flower_rule *rule = rule_new(0, 1, 0, ETH_TYPE_IP);

    mutate(rule);
    return insert(table, PORT_A, rule, NULL);
}

static void
set_bad_action_type(struct esw_flower_rule *r)
{
    r->actions[0].type = 99;
}

static void
set_goto_chain(struct esw_flower_rule *r)
{
    r->actions[0].control = TC_ACT_GOTO_CHAIN | 1;
}

static void
set_ingress_mirred(struct esw_flower_rule *r)
{
    r->actions[0].mirred.eaction = TCA_INGRESS_REDIR;
}

static void
set_bad_pedit_offset(struct esw_flower_rule *r)
{
    r->actions[0].type = ESW_FLOWER_ACT_PEDIT;
    r->actions[0].pedit.n_keys = 1;
    r->actions[0].pedit.keys[0].htype = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
    r->actions[0].pedit.keys[0].offset = 2;
}

static void
set_too_many_pedit_keys(struct esw_flower_rule *r)
{
    r->actions[0].type = ESW_FLOWER_ACT_PEDIT;
    r->actions[0].pedit.n_keys = ESW_FLOWER_MAX_PEDIT_KEYS + 1;
}

static void
set_sctp_csum(struct esw_flower_rule *r)
{
    r->actions[0].type = ESW_FLOWER_ACT_CSUM;
    r->actions[0].csum.update_flags = TCA_CSUM_UPDATE_FLAG_SCTP;
}

static void
set_bad_vlan_id(struct esw_flower_rule *r)
{
    r->actions[0].type = ESW_FLOWER_ACT_VLAN;
    r->actions[0].vlan.action = TCA_VLAN_ACT_PUSH;
    r->actions[0].vlan.id = 4096;
}

static void
set_long_cookie(struct esw_flower_rule *r)
{
    r->actions[0].cookie_len = ESW_FLOWER_MAX_COOKIE + 1;
}

static void
set_too_many_actions(struct esw_flower_rule *r)
{
    r->n_actions = ESW_FLOWER_MAX_ACTIONS + 1;
}

static void
set_bad_ip_flags(struct esw_flower_rule *r)
{
    r->mask.ip_flags = 1u << 5;
}

static void
set_no_mirred_target(struct esw_flower_rule *r)
{
    r->actions[0].mirred.ifindex = 0;
}

static void
test_bad_rules_change_nothing(void)
{
    struct emu_flow_table *table = emu_flow_table_create(10, NULL);
    struct esw_flower_rule *rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    struct emu_flow_dump dump;

    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);

    CU_ASSERT_EQUAL(insert_mutated(table, set_bad_action_type), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_goto_chain), EOPNOTSUPP);
    CU_ASSERT_EQUAL(insert_mutated(table, set_ingress_mirred), EOPNOTSUPP);
    CU_ASSERT_EQUAL(insert_mutated(table, set_bad_pedit_offset), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_too_many_pedit_keys), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_sctp_csum), EOPNOTSUPP);
    CU_ASSERT_EQUAL(insert_mutated(table, set_bad_vlan_id), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_long_cookie), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_too_many_actions), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_bad_ip_flags), EINVAL);
    CU_ASSERT_EQUAL(insert_mutated(table, set_no_mirred_target), ENODEV);

    CU_ASSERT_EQUAL(emu_flow_table_count(table), 1);
    emu_flow_dump_init_all(&dump);
    CU_ASSERT_EQUAL(count_dump(table, &dump), 1);

    /* No handle was used up by the failures. */
    const struct emu_flow_rule *stored;
    rule = rule_new(0, 1, 0, ETH_TYPE_IP);
    rule_match_ipv4_dst(rule, 1, 32);
    CU_ASSERT_EQUAL(insert(table, PORT_A, rule, &stored), 0);
    CU_ASSERT_EQUAL(emu_flow_rule_id(stored)->handle, 2);

    emu_flow_table_destroy(table);
}

static void
test_many_rules(void)
{
    enum { N = 5000 };
    struct emu_flow_table *table = emu_flow_table_create(N, NULL);

    for (uint32_t i = 0; i < N; i++) {
        struct esw_flower_rule *rule = rule_new(0, 1 + i % 3, 0,
                                                ETH_TYPE_IP);

        rule_match_5tuple(rule, 0x0a000000 + i, 0x0b000000 + i, i, 80);
        CU_ASSERT_EQUAL(insert(table, PORT_A, rule, NULL), 0);
    }
    CU_ASSERT_EQUAL(emu_flow_table_count(table), N);

    size_t hits = 0;
    for (uint32_t i = 0; i < N; i++) {
        struct emu_flow_key key = ipv4_key(PORT_A, 0x0a000000 + i,
                                           0x0b000000 + i, i, 80);

        hits += lookup_prio(table, PORT_A, &key) == 1 + i % 3;
        key.tp_dst = htons(81);
        hits += lookup_handle(table, PORT_A, &key) != 0;
    }
    CU_ASSERT_EQUAL(hits, N);

    for (uint32_t i = 0; i < N; i += 2) {
        struct emu_flow_id id = id_of(PORT_A, 0, 1 + i % 3, 1 + i / 3);
        CU_ASSERT_EQUAL(emu_flow_table_delete(table, &id), 0);
    }
    CU_ASSERT_EQUAL(emu_flow_table_count(table), N / 2);

    emu_flow_table_destroy(table);
}

CU_pSuite
test_emu_flow_table_suite(void)
{
    CU_pSuite suite = CU_add_suite("emu-flow-table", NULL, NULL);

    if (!suite
        || !CU_add_test(suite, "insert, find, to_flower",
                        test_insert_find_round_trip)
        || !CU_add_test(suite, "VLAN match", test_vlan_match_round_trip)
        || !CU_add_test(suite, "round trip is well-formed",
                        test_round_trip_is_well_formed)
        || !CU_add_test(suite, "handle allocation", test_handle_allocation)
        || !CU_add_test(suite, "prio allocation", test_prio_allocation)
        || !CU_add_test(suite, "EEXIST", test_exists)
        || !CU_add_test(suite, "capacity and ENOSPC", test_capacity)
        || !CU_add_test(suite, "protocol of an instance",
                        test_protocol_of_instance)
        || !CU_add_test(suite, "masked lookup", test_lookup_masked)
        || !CU_add_test(suite, "lookup by prio", test_lookup_prio_order)
        || !CU_add_test(suite, "lookup by mask age in a prio",
                        test_lookup_mask_order_in_prio)
        || !CU_add_test(suite, "lookup by protocol", test_lookup_protocol)
        || !CU_add_test(suite, "only chain 0 is looked up",
                        test_lookup_chain_0_only)
        || !CU_add_test(suite, "port map", test_port_map)
        || !CU_add_test(suite, "dump order", test_dump_order)
        || !CU_add_test(suite, "dump scopes", test_dump_scopes)
        || !CU_add_test(suite, "dump resume", test_dump_resume)
        || !CU_add_test(suite, "delete scopes and flush",
                        test_delete_scopes_and_flush)
        || !CU_add_test(suite, "counters", test_counters)
        || !CU_add_test(suite, "replace", test_replace)
        || !CU_add_test(suite, "bad rules change nothing",
                        test_bad_rules_change_nothing)
        || !CU_add_test(suite, "many rules", test_many_rules)) {
        return NULL;
    }
    return suite;
}
