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

/* The megaflow to flower translation: esw_offload_xlate() and
 * esw_prio_map.
 *
 * Megaflows and actions are written as ovs-dpctl writes them and parsed
 * with OVS's own parsers, the match then adjusted as dpif-netdev's
 * flow_put() does before it hands it to a flow API.  The last tests check
 * the invariant (a rule never matches a packet that its megaflow does not)
 * on random packets: OVS's flow_extract() decides for the megaflow, a small
 * model of the kernel's flow dissector and of flower's match, written
 * here, decides for the rule.  With XLATE_DEBUG set in the environment,
 * they print how many packets each megaflow and its rule matched. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "dp-packet.h"
#include "esw-flower.h"
#include "esw-offload-xlate.h"
#include "esw-unittest.h"
#include "flow.h"
#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

/* Ports. */

#define ESW_A "pci/0000:03:00.0"
#define ESW_B "pci/0000:04:00.0"

/* Ports 1 to 6, and ports 100 to 199 on eswitch A (ifindex 1000 + N). */
static const struct esw_xlate_port test_ports[] = {
    { ODP_PORT_C(1), 11, "pf0vf0", ESW_A },
    { ODP_PORT_C(2), 12, "pf0vf1", ESW_A },
    { ODP_PORT_C(3), 13, "p0", ESW_A },
    { ODP_PORT_C(4), 21, "pf1vf0", ESW_B },
    { ODP_PORT_C(5), 31, "tap0", NULL },
    { ODP_PORT_C(6), 0, "noifindex", ESW_A },
};

static struct esw_xlate_port many_ports[100];

static const struct esw_xlate_port *
test_lookup(const void *aux OVS_UNUSED, odp_port_t port)
{
    uint32_t n = odp_to_u32(port);

    for (size_t i = 0; i < ARRAY_SIZE(test_ports); i++) {
        if (test_ports[i].odp_port == port) {
            return &test_ports[i];
        }
    }
    if (n >= 100 && n < 100 + ARRAY_SIZE(many_ports)) {
        struct esw_xlate_port *p = &many_ports[n - 100];

        p->odp_port = port;
        p->ifindex = 1000 + n;
        p->name = "many";
        p->eswitch = ESW_A;
        return p;
    }
    return NULL;
}

static const struct esw_xlate_port_map test_port_map = {
    .lookup = test_lookup,
};

/* test_lookup(), counting its calls in '*aux'. */
static const struct esw_xlate_port *
counting_lookup(const void *aux, odp_port_t port)
{
    int *n = CONST_CAST(int *, aux);

    ++*n;
    return test_lookup(NULL, port);
}

/* Parsing. */

/* Parses the ovs-dpctl megaflow 's' into 'match'.  With 'as_dpif_netdev',
 * adjusts the mask as dpif-netdev's flow_put() does: a flow without a
 * VLAN mask matches untagged packets only. */
static bool
parse_match(const char *s, struct match *match, bool as_dpif_netdev)
{
    struct ofpbuf key, mask;
    char *error = NULL;
    bool ok;

    memset(match, 0, sizeof *match);
    ofpbuf_init(&key, 0);
    ofpbuf_init(&mask, 0);
    ok = (!odp_flow_from_string(s, NULL, &key, &mask, &error)
          && odp_flow_key_to_flow(key.data, key.size, &match->flow,
                                  NULL) == ODP_FIT_PERFECT
          && odp_flow_key_to_mask(mask.data, mask.size, &match->wc,
                                  &match->flow, NULL) == ODP_FIT_PERFECT);
    if (!ok) {
        fprintf(stderr, "cannot parse megaflow \"%s\": %s\n", s,
                error ? error : "not a perfect fit");
    }
    CU_ASSERT_FATAL(ok);
    if (as_dpif_netdev && !match->wc.masks.vlans[0].tci) {
        match->wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    }
    free(error);
    ofpbuf_uninit(&key);
    ofpbuf_uninit(&mask);
    return ok;
}

/* Parses the ovs-dpctl actions 's' into 'actions'. */
static void
parse_actions(const char *s, struct ofpbuf *actions)
{
    int error;

    ofpbuf_init(actions, 0);
    error = odp_actions_from_string(s, NULL, actions);
    if (error) {
        fprintf(stderr, "cannot parse actions \"%s\"\n", s);
    }
    CU_ASSERT_FATAL(!error);
}

/* Translates 'match' with 'actions_s' into a new rule '*rulep' and returns
 * the reason, its text in '*textp'. */
static enum esw_xlate_reason
xlate_match(const struct match *match, const char *actions_s,
            struct esw_flower_rule **rulep, char **textp)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    enum esw_xlate_reason reason;
    struct ofpbuf actions;

    parse_actions(actions_s, &actions);
    memset(rule, 0xa5, sizeof *rule);
    *textp = (char *) "garbage";
    reason = esw_offload_xlate(match, actions.data, actions.size,
                               &test_port_map, rule, textp);
    ofpbuf_uninit(&actions);
    *rulep = rule;
    return reason;
}

/* Returns true if 'rule' is what esw_flower_rule_init() makes. */
static bool
rule_is_empty(const struct esw_flower_rule *rule)
{
    struct esw_flower_rule *empty = xmalloc(sizeof *empty);
    bool equal;

    esw_flower_rule_init(empty);
    equal = !memcmp(empty, rule, sizeof *rule);
    free(empty);
    return equal;
}

/* Checks that 'match' with 'actions' translates, into a rule that
 * esw_flower_rule_check() accepts, and returns the rule. */
static struct esw_flower_rule *
expect_ok_match(const struct match *match, const char *actions)
{
    struct esw_flower_rule *rule;
    enum esw_xlate_reason reason;
    char *text, *err = NULL;

    reason = xlate_match(match, actions, &rule, &text);
    if (reason) {
        fprintf(stderr, "unexpected %s: %s\n",
                esw_xlate_reason_to_string(reason), text ? text : "");
    }
    CU_ASSERT_EQUAL(reason, ESW_XLATE_OK);
    CU_ASSERT_PTR_NULL(text);
    free(text);
    if (!reason) {
        int error = esw_flower_rule_check(rule, &err);

        if (error) {
            fprintf(stderr, "rule not valid: %s\n", err);
        }
        CU_ASSERT_EQUAL(error, 0);
        free(err);
    }
    return rule;
}

static struct esw_flower_rule *
expect_ok(const char *flow, const char *actions)
{
    struct match match;

    parse_match(flow, &match, true);
    return expect_ok_match(&match, actions);
}

/* Checks that 'match' with 'actions' fails for 'expected' with a text that
 * contains 'words', and leaves an empty rule. */
static void
expect_fail_match(const struct match *match, const char *actions,
                  enum esw_xlate_reason expected, const char *words)
{
    struct esw_flower_rule *rule;
    enum esw_xlate_reason reason;
    char *text;

    reason = xlate_match(match, actions, &rule, &text);
    if (reason != expected || !text || !strstr(text, words)) {
        fprintf(stderr, "expected %s \"%s\", got %s \"%s\"\n",
                esw_xlate_reason_to_string(expected), words,
                esw_xlate_reason_to_string(reason), text ? text : "(null)");
    }
    CU_ASSERT_EQUAL(reason, expected);
    CU_ASSERT_PTR_NOT_NULL(text);
    CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, words) : NULL);
    CU_ASSERT_TRUE(rule_is_empty(rule));
    free(text);
    free(rule);
}

static void
expect_fail(const char *flow, const char *actions,
            enum esw_xlate_reason expected, const char *words)
{
    struct match match;

    parse_match(flow, &match, true);
    expect_fail_match(&match, actions, expected, words);
}

/* Checks that action 'i' of 'rule' is a mirred 'eaction' to 'ifindex' with
 * 'control'. */
static void
check_mirred(const struct esw_flower_rule *rule, size_t i, int eaction,
             int ifindex, int control)
{
    CU_ASSERT_FATAL(i < rule->n_actions);
    const struct esw_flower_action *a = &rule->actions[i];

    CU_ASSERT_EQUAL(a->type, ESW_FLOWER_ACT_MIRRED);
    CU_ASSERT_EQUAL(a->mirred.eaction, eaction);
    CU_ASSERT_EQUAL(a->mirred.ifindex, ifindex);
    CU_ASSERT_EQUAL(a->control, control);
}

/* Checks that 'rule' ends with a redirect to 'ifindex'. */
static void
check_redirect_last(const struct esw_flower_rule *rule, int ifindex)
{
    CU_ASSERT_FATAL(rule->n_actions > 0);
    check_mirred(rule, rule->n_actions - 1, TCA_EGRESS_REDIR, ifindex,
                 TC_ACT_STOLEN);
}

/* Checks pedit key 'k' of action 'i'; 'mask' and 'val' in host order, as
 * "tc" prints them. */
static void
check_pedit_key(const struct esw_flower_rule *rule, size_t i, size_t k,
                uint8_t htype, uint32_t offset, uint32_t mask, uint32_t val)
{
    CU_ASSERT_FATAL(i < rule->n_actions);
    const struct esw_flower_action *a = &rule->actions[i];

    CU_ASSERT_EQUAL_FATAL(a->type, ESW_FLOWER_ACT_PEDIT);
    CU_ASSERT_FATAL(k < a->pedit.n_keys);
    const struct esw_flower_pedit_key *key = &a->pedit.keys[k];
    CU_ASSERT_EQUAL(key->htype, htype);
    CU_ASSERT_EQUAL(key->cmd, TCA_PEDIT_KEY_EX_CMD_SET);
    CU_ASSERT_EQUAL(key->offset, offset);
    CU_ASSERT_EQUAL(ntohl((OVS_FORCE ovs_be32) key->mask), mask);
    CU_ASSERT_EQUAL(ntohl((OVS_FORCE ovs_be32) key->val), val);
}

static void
check_csum(const struct esw_flower_rule *rule, size_t i, uint32_t flags)
{
    CU_ASSERT_FATAL(i < rule->n_actions);
    CU_ASSERT_EQUAL(rule->actions[i].type, ESW_FLOWER_ACT_CSUM);
    CU_ASSERT_EQUAL(rule->actions[i].csum.update_flags, flags);
    CU_ASSERT_EQUAL(rule->actions[i].control, TC_ACT_PIPE);
}

/* Returns true if 'a' is the IPv6 address 's'. */
static bool
ipv6_is(const struct in6_addr *a, const char *s)
{
    struct in6_addr b;

    CU_ASSERT_FATAL(inet_pton(AF_INET6, s, &b) == 1);
    return ipv6_addr_equals(a, &b);
}

static struct eth_addr
mac(const char *s)
{
    struct eth_addr a;

    CU_ASSERT_FATAL(eth_addr_from_string(s, &a));
    return a;
}

/* Reasons. */

static void
test_reason_strings(void)
{
    static const char *const tokens[] = {
        [ESW_XLATE_OK] = "ok",
        [ESW_XLATE_INVALID] = "invalid",
        [ESW_XLATE_UNSUPPORTED_KEY] = "unsupported-key",
        [ESW_XLATE_UNSUPPORTED_MASK] = "unsupported-mask",
        [ESW_XLATE_UNCONSUMED_MASK] = "unconsumed-mask",
        [ESW_XLATE_UNSUPPORTED_ACTION] = "unsupported-action",
        [ESW_XLATE_PORT_UNKNOWN] = "port-unknown",
        [ESW_XLATE_PORT_NOT_ON_ESWITCH] = "port-not-on-eswitch",
        [ESW_XLATE_PORT_OTHER_ESWITCH] = "port-other-eswitch",
        [ESW_XLATE_TOO_MANY_ACTIONS] = "too-many-actions",
    };

    BUILD_ASSERT_DECL(ARRAY_SIZE(tokens) == ESW_XLATE_N_REASONS);
    for (int i = 0; i < ESW_XLATE_N_REASONS; i++) {
        CU_ASSERT_STRING_EQUAL(esw_xlate_reason_to_string(i), tokens[i]);
    }
    CU_ASSERT_STRING_EQUAL(esw_xlate_reason_to_string(ESW_XLATE_N_REASONS),
                           "unknown");
    CU_ASSERT_STRING_EQUAL(esw_xlate_reason_to_string(1000), "unknown");
}

/* Keys. */

/* The example of the contract, field by field. */
static void
test_tcp_example(void)
{
    struct esw_flower_rule *r = expect_ok(
        "in_port(1),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),"
        "eth_type(0x0800),ipv4(src=10.0.0.1/255.255.255.0,proto=6,"
        "frag=no),tcp(dst=80)", "2");

    CU_ASSERT_EQUAL(r->ifindex, 11);
    CU_ASSERT_EQUAL(r->parent, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
    CU_ASSERT_EQUAL(r->flags, TCA_CLS_FLAGS_SKIP_SW);
    CU_ASSERT_EQUAL(r->chain, 0);
    CU_ASSERT_EQUAL(r->prio, 0);
    CU_ASSERT_EQUAL(r->handle, 0);
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_P_IP));

    CU_ASSERT_TRUE(eth_addr_equals(r->key.eth_src, mac("00:00:00:00:00:01")));
    CU_ASSERT_TRUE(eth_addr_equals(r->mask.eth_src, eth_addr_exact));
    CU_ASSERT_TRUE(eth_addr_equals(r->key.eth_dst, mac("00:00:00:00:00:02")));
    CU_ASSERT_TRUE(eth_addr_equals(r->mask.eth_dst, eth_addr_exact));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(ETH_P_IP));
    CU_ASSERT_EQUAL(r->mask.eth_type, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(r->mask.vlan_id, 0);
    CU_ASSERT_EQUAL(r->mask.vlan_prio, 0);
    CU_ASSERT_EQUAL(r->mask.vlan_eth_type, 0);
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_TCP);
    CU_ASSERT_EQUAL(r->mask.ip_proto, UINT8_MAX);
    CU_ASSERT_EQUAL(r->key.ipv4_src, htonl(0x0a000000));
    CU_ASSERT_EQUAL(r->mask.ipv4_src, htonl(0xffffff00));
    CU_ASSERT_EQUAL(r->mask.ipv4_dst, 0);
    CU_ASSERT_EQUAL(r->mask.ip_tos, 0);
    CU_ASSERT_EQUAL(r->mask.ip_ttl, 0);
    CU_ASSERT_EQUAL(r->key.ip_flags, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    CU_ASSERT_EQUAL(r->key.tp_dst, htons(80));
    CU_ASSERT_EQUAL(r->mask.tp_dst, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(r->mask.tp_src, 0);
    CU_ASSERT_EQUAL(r->mask.tcp_flags, 0);
    CU_ASSERT_EQUAL(r->mask.indev[0], 0);

    CU_ASSERT_EQUAL(r->n_actions, 1);
    check_redirect_last(r, 12);
    CU_ASSERT_EQUAL(r->actions[0].index, 0);
    CU_ASSERT_EQUAL(r->actions[0].cookie_len, 0);
    free(r);
}

static void
test_eth_masked(void)
{
    struct esw_flower_rule *r = expect_ok(
        "in_port(2),eth(src=00:11:22:33:44:55/ff:ff:ff:00:00:00,"
        "dst=01:00:00:00:00:00/01:00:00:00:00:00),eth_type(0x88cc)", "1");

    CU_ASSERT_EQUAL(r->ifindex, 12);
    CU_ASSERT_TRUE(eth_addr_equals(r->key.eth_src, mac("00:11:22:00:00:00")));
    CU_ASSERT_TRUE(eth_addr_equals(r->mask.eth_src,
                                   mac("ff:ff:ff:00:00:00")));
    CU_ASSERT_TRUE(eth_addr_equals(r->key.eth_dst, mac("01:00:00:00:00:00")));
    CU_ASSERT_TRUE(eth_addr_equals(r->mask.eth_dst,
                                   mac("01:00:00:00:00:00")));
    CU_ASSERT_EQUAL(r->protocol, htons(0x88cc));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(0x88cc));
    CU_ASSERT_EQUAL(r->mask.eth_type, OVS_BE16_MAX);
    check_redirect_last(r, 11);
    free(r);
}

static void
test_dl_type(void)
{
    struct esw_flower_rule *r;
    struct match m;

    /* Partial mask. */
    expect_fail("in_port(1),eth(),eth_type(0x88cc/0xff00)", "2",
                ESW_XLATE_UNSUPPORTED_MASK, "dl_type=0x8800/0xff00");

    /* Wildcarded, VLAN wildcarded too: every packet, protocol all. */
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, false);
    m.wc.masks.dl_type = 0;
    memset(&m.wc.masks.vlans, 0, sizeof m.wc.masks.vlans);
    r = expect_ok_match(&m, "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_P_ALL));
    CU_ASSERT_EQUAL(r->mask.eth_type, 0);
    free(r);

    /* Wildcarded, but untagged only (dpif-netdev's default): flower cannot
     * say "untagged" without a protocol. */
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    m.wc.masks.dl_type = 0;
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK,
                      "only with an exact eth_type");

    /* 802.3 and VLAN types as dl_type. */
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    m.flow.dl_type = htons(FLOW_DL_TYPE_NONE);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_KEY, "802.3");
    m.flow.dl_type = htons(ETH_TYPE_VLAN_8021Q);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_KEY,
                      "dl_type=0x8100: a VLAN header beyond");
}

static void
test_vlan(void)
{
    struct esw_flower_rule *r;
    struct match m;

    r = expect_ok("in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),"
                  "encap(eth_type(0x0800),ipv4(frag=no))", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(r->mask.eth_type, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(r->key.vlan_id, 10);
    CU_ASSERT_EQUAL(r->mask.vlan_id, UINT16_MAX);
    CU_ASSERT_EQUAL(r->key.vlan_prio, 3);
    CU_ASSERT_EQUAL(r->mask.vlan_prio, UINT8_MAX);
    CU_ASSERT_EQUAL(r->key.vlan_eth_type, htons(ETH_TYPE_IP));
    CU_ASSERT_EQUAL(r->mask.vlan_eth_type, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    free(r);

    /* 802.1ad. */
    r = expect_ok("in_port(1),eth(),eth_type(0x88a8),vlan(vid=4000,pcp=7),"
                  "encap(eth_type(0x88cc))", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_VLAN_8021AD));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(ETH_TYPE_VLAN_8021AD));
    CU_ASSERT_EQUAL(r->key.vlan_id, 4000);
    CU_ASSERT_EQUAL(r->key.vlan_prio, 7);
    CU_ASSERT_EQUAL(r->key.vlan_eth_type, htons(0x88cc));
    free(r);

    /* VLAN ID only. */
    r = expect_ok("in_port(1),eth(),eth_type(0x8100),vlan(vid=10/0xfff),"
                  "encap(eth_type(0x88cc))", "2");
    CU_ASSERT_EQUAL(r->key.vlan_id, 10);
    CU_ASSERT_EQUAL(r->mask.vlan_id, UINT16_MAX);
    CU_ASSERT_EQUAL(r->mask.vlan_prio, 0);
    free(r);

    /* Priority only, and no inner type. */
    parse_match("in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=5),"
                "encap(eth_type(0x88cc))", &m, true);
    m.wc.masks.vlans[0].tci = htons(VLAN_PCP_MASK | VLAN_CFI);
    m.wc.masks.dl_type = 0;
    r = expect_ok_match(&m, "2");
    CU_ASSERT_EQUAL(r->mask.vlan_id, 0);
    CU_ASSERT_EQUAL(r->key.vlan_prio, 5);
    CU_ASSERT_EQUAL(r->mask.vlan_prio, UINT8_MAX);
    CU_ASSERT_EQUAL(r->mask.vlan_eth_type, 0);
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_VLAN_8021Q));
    free(r);

    /* Partial VLAN ID mask, partial priority mask, partial TPID mask. */
    m.wc.masks.vlans[0].tci = htons(0x00ff | VLAN_CFI);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK, "VLAN ID only");
    m.wc.masks.vlans[0].tci = htons(0x2000 | VLAN_CFI);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK, "priority only");
    m.wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    m.wc.masks.vlans[0].tpid = htons(0xff00);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK,
                      "vlan_tci=0x100a/0x1fff,vlan_tpid=0x8100/0xff00: "
                      "flower matches the VLAN TPID only exactly");

    /* A wildcarded TPID: the rule takes 802.1Q, which is narrower. */
    parse_match("in_port(1),eth(),eth_type(0x8100),vlan(vid=100,pcp=0),"
                "encap(eth_type(0x0800),ipv4(frag=no))", &m, true);
    m.wc.masks.vlans[0].tpid = 0;
    m.wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    r = expect_ok_match(&m, "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_EQUAL(r->key.vlan_id, 100);
    CU_ASSERT_EQUAL(r->mask.vlan_prio, 0);
    free(r);

    /* Tagged and untagged at once. */
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    m.flow.vlans[0].tci = htons(10);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_KEY,
                      "matches no packet");

    /* Untagged with an exact dl_type: the protocol says it. */
    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(0x88cc));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(0x88cc));
    CU_ASSERT_EQUAL(r->mask.vlan_id, 0);
    CU_ASSERT_EQUAL(r->mask.vlan_eth_type, 0);
    free(r);

    /* A second VLAN header. */
    expect_fail("in_port(1),eth(),eth_type(0x8100),vlan(vid=10),"
                "encap(eth_type(0x8100),vlan(vid=20),"
                "encap(eth_type(0x0800),ipv4(frag=no)))", "2",
                ESW_XLATE_UNSUPPORTED_KEY,
                "vlan_tci1=0x1014/0x1fff,vlan_tpid1=0x8100: a second VLAN "
                "header is not offloadable");
}

static void
test_ipv4_fields(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(src=10.1.2.3,"
                  "dst=192.168.0.0/255.255.0.0,proto=47,tos=0x10/0xfc,"
                  "ttl=64,frag=no)", "2");
    CU_ASSERT_EQUAL(r->key.ipv4_src, htonl(0x0a010203));
    CU_ASSERT_EQUAL(r->mask.ipv4_src, OVS_BE32_MAX);
    CU_ASSERT_EQUAL(r->key.ipv4_dst, htonl(0xc0a80000));
    CU_ASSERT_EQUAL(r->mask.ipv4_dst, htonl(0xffff0000));
    CU_ASSERT_EQUAL(r->key.ip_proto, 47);
    CU_ASSERT_EQUAL(r->mask.ip_proto, UINT8_MAX);
    CU_ASSERT_EQUAL(r->key.ip_tos, 0x10);
    CU_ASSERT_EQUAL(r->mask.ip_tos, 0xfc);
    CU_ASSERT_EQUAL(r->key.ip_ttl, 64);
    CU_ASSERT_EQUAL(r->mask.ip_ttl, 0xff);
    CU_ASSERT_EQUAL(r->mask.tp_src, 0);
    free(r);

    struct match m;
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                "tcp()", &m, true);
    m.wc.masks.nw_proto = 0xf0;
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK,
                      "nw_proto=0/0xf0: flower matches ip_proto only "
                      "exactly");
}

/* Translates a TCP megaflow with nw_frag 'key' under 'mask' and transport
 * match "tcp(l4)", stores the rule's ip_flags key and mask in '*flags' and
 * '*flags_mask' (0 if refused) and returns the reason. */
static enum esw_xlate_reason
xlate_frag(uint8_t key, uint8_t mask, const char *l4, uint32_t *flags,
           uint32_t *flags_mask)
{
    enum esw_xlate_reason reason;
    struct esw_flower_rule *r;
    struct match m;
    char *text;
    char *s = xasprintf("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,"
                        "frag=no),tcp(%s)", l4);

    parse_match(s, &m, true);
    free(s);
    m.flow.nw_frag = key;
    m.wc.masks.nw_frag = mask;
    reason = xlate_match(&m, "2", &r, &text);
    *flags = r->key.ip_flags;
    *flags_mask = r->mask.ip_flags;
    free(text);
    free(r);
    return reason;
}

static void
test_frag(void)
{
    enum {
        F = ESW_FLOWER_IP_FLAG_FRAG,
        FF = ESW_FLOWER_IP_FLAG_FIRSTFRAG,
    };
    static const struct {
        uint8_t key, mask;      /* nw_frag. */
        const char *l4;         /* tcp(...) */
        enum esw_xlate_reason reason;
        uint32_t flags, flags_mask;
    } cases[] = {
        /* frag=no, first, later, any; as OVS's TC offload encodes them. */
        { 0, 3, "", ESW_XLATE_OK, 0, F },
        { 1, 3, "", ESW_XLATE_OK, F | FF, F | FF },
        { 3, 3, "", ESW_XLATE_OK, F, F | FF },
        { 0, 0, "", ESW_XLATE_OK, 0, 0 },
        /* Fragments, first or later: nw_frag=yes. */
        { 1, 1, "", ESW_XLATE_OK, F, F },
        /* Not a fragment or a first one: nw_frag=not_later. */
        { 0, 2, "", ESW_XLATE_UNSUPPORTED_MASK, 0, 0 },
        /* Later fragments only: nw_frag=later with ANY wildcarded. */
        { 2, 2, "", ESW_XLATE_OK, F, F | FF },
        /* LATER without ANY: no packet. */
        { 2, 3, "", ESW_XLATE_UNSUPPORTED_KEY, 0, 0 },

        /* Transport fields exclude first fragments. */
        { 0, 0, "dst=80", ESW_XLATE_OK, 0, FF },
        { 0, 3, "dst=80", ESW_XLATE_OK, 0, F },
        { 1, 3, "dst=80", ESW_XLATE_UNSUPPORTED_KEY, 0, 0 },
        { 1, 1, "dst=80", ESW_XLATE_OK, F, F | FF },
        { 0, 2, "dst=80", ESW_XLATE_OK, 0, F },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        enum esw_xlate_reason reason;
        uint32_t flags, mask;

        reason = xlate_frag(cases[i].key, cases[i].mask, cases[i].l4,
                            &flags, &mask);
        if (reason != cases[i].reason || flags != cases[i].flags
            || mask != cases[i].flags_mask) {
            fprintf(stderr, "frag case %zu: %s %#x/%#x\n", i,
                    esw_xlate_reason_to_string(reason), flags, mask);
        }
        CU_ASSERT_EQUAL(reason, cases[i].reason);
        CU_ASSERT_EQUAL(flags, cases[i].flags);
        CU_ASSERT_EQUAL(mask, cases[i].flags_mask);
    }

    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=first),"
                "tcp(dst=80)", "2", ESW_XLATE_UNSUPPORTED_KEY,
                "nw_frag=first: flower does not parse the transport header");
}

static void
test_ipv6(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::/"
                  "ffff:ffff::,dst=2001:db8::1,proto=17,tclass=0x20,"
                  "hlimit=255,frag=no),udp(src=53,dst=0x400/0xff00)", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_IPV6));
    CU_ASSERT_EQUAL(r->key.eth_type, htons(ETH_TYPE_IPV6));
    CU_ASSERT_TRUE(ipv6_is(&r->key.ipv6_src, "2001:db8::"));
    CU_ASSERT_TRUE(ipv6_is(&r->mask.ipv6_src, "ffff:ffff::"));
    CU_ASSERT_TRUE(ipv6_is(&r->key.ipv6_dst, "2001:db8::1"));
    CU_ASSERT_TRUE(ipv6_mask_is_exact(&r->mask.ipv6_dst));
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(r->key.ip_tos, 0x20);
    CU_ASSERT_EQUAL(r->mask.ip_tos, 0xff);
    CU_ASSERT_EQUAL(r->key.ip_ttl, 255);
    CU_ASSERT_EQUAL(r->key.tp_src, htons(53));
    CU_ASSERT_EQUAL(r->mask.tp_src, OVS_BE16_MAX);
    CU_ASSERT_EQUAL(r->key.tp_dst, htons(0x400));
    CU_ASSERT_EQUAL(r->mask.tp_dst, htons(0xff00));
    CU_ASSERT_EQUAL(r->key.ip_flags, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    CU_ASSERT_EQUAL(r->mask.ipv4_src, 0);
    free(r);

    /* nw_frag wildcarded: the rule still excludes fragments. */
    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),"
                  "ipv6(dst=2001:db8::1)", "2");
    CU_ASSERT_EQUAL(r->key.ip_flags, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    CU_ASSERT_EQUAL(r->mask.ip_proto, 0);
    free(r);

    expect_fail("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=17,"
                "frag=first),udp()", "2", ESW_XLATE_UNSUPPORTED_KEY,
                "nw_frag=first: IPv6 fragments are not offloadable");
    expect_fail("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=44,"
                "frag=no)", "2", ESW_XLATE_UNSUPPORTED_KEY,
                "nw_proto=44: an IPv6 extension header");
    expect_fail("in_port(1),eth(),eth_type(0x86dd),ipv6(label=0x12345,"
                "frag=no)", "2", ESW_XLATE_UNCONSUMED_MASK,
                "mask bits left unconsumed: ipv6_label=0x12345");
}

static void
test_l4(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                  "tcp(src=1024/0xfc00),tcp_flags(+syn-ack)", "2");
    CU_ASSERT_EQUAL(r->key.tp_src, htons(1024));
    CU_ASSERT_EQUAL(r->mask.tp_src, htons(0xfc00));
    CU_ASSERT_EQUAL(r->mask.tp_dst, 0);
    CU_ASSERT_EQUAL(r->key.tcp_flags, htons(TCP_SYN));
    CU_ASSERT_EQUAL(r->mask.tcp_flags, htons(TCP_SYN | TCP_ACK));
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=132,"
                  "frag=no),sctp(dst=5000)", "2");
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_SCTP);
    CU_ASSERT_EQUAL(r->key.tp_dst, htons(5000));
    CU_ASSERT_EQUAL(r->mask.tp_dst, OVS_BE16_MAX);
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),"
                  "icmp(type=8,code=0)", "2");
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_ICMP);
    CU_ASSERT_EQUAL(r->key.icmp_type, 8);
    CU_ASSERT_EQUAL(r->mask.icmp_type, 0xff);
    CU_ASSERT_EQUAL(r->key.icmp_code, 0);
    CU_ASSERT_EQUAL(r->mask.icmp_code, 0xff);
    CU_ASSERT_EQUAL(r->mask.tp_src, 0);
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,"
                  "frag=no),icmpv6(type=128)", "2");
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_ICMPV6);
    CU_ASSERT_EQUAL(r->key.icmp_type, 128);
    CU_ASSERT_EQUAL(r->mask.icmp_type, 0xff);
    CU_ASSERT_EQUAL(r->mask.icmp_code, 0);
    free(r);

    /* Neighbor discovery fields are not translated. */
    expect_fail("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),"
                "icmpv6(type=135,code=0),nd(target=2001::1)", "2",
                ESW_XLATE_UNCONSUMED_MASK,
                "mask bits left unconsumed: nd_target=2001::1");
}

static void
test_arp(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x0806),arp(sip=10.0.0.1,"
                  "tip=10.0.0.0/255.0.0.0,op=1,sha=00:00:00:00:00:0a,"
                  "tha=00:00:00:00:00:0b)", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_ARP));
    CU_ASSERT_EQUAL(r->key.arp_sip, htonl(0x0a000001));
    CU_ASSERT_EQUAL(r->mask.arp_sip, OVS_BE32_MAX);
    CU_ASSERT_EQUAL(r->key.arp_tip, htonl(0x0a000000));
    CU_ASSERT_EQUAL(r->mask.arp_tip, htonl(0xff000000));
    CU_ASSERT_EQUAL(r->key.arp_op, 1);
    CU_ASSERT_EQUAL(r->mask.arp_op, 0xff);
    CU_ASSERT_TRUE(eth_addr_equals(r->key.arp_sha, mac("00:00:00:00:00:0a")));
    CU_ASSERT_TRUE(eth_addr_equals(r->mask.arp_sha, eth_addr_exact));
    CU_ASSERT_TRUE(eth_addr_equals(r->key.arp_tha, mac("00:00:00:00:00:0b")));
    CU_ASSERT_EQUAL(r->mask.ipv4_src, 0);
    CU_ASSERT_EQUAL(r->mask.ip_proto, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, 0);
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x8035),arp(op=2)", "2");
    CU_ASSERT_EQUAL(r->protocol, htons(ETH_TYPE_RARP));
    CU_ASSERT_EQUAL(r->key.arp_op, 2);
    free(r);

    /* All-zero ARP fields would match opcodes flower does not parse. */
    expect_fail("in_port(1),eth(),eth_type(0x0806),arp(sip=0.0.0.0)", "2",
                ESW_XLATE_UNSUPPORTED_KEY, "arp_spa=0.0.0.0: an ARP match");
}

static void
test_metadata(void)
{
    struct esw_flower_rule *r;
    struct match m;

    expect_fail("recirc_id(5),in_port(1),eth(),eth_type(0x0800),"
                "ipv4(frag=no)", "2", ESW_XLATE_UNSUPPORTED_KEY,
                "recirc_id=0x5: recirculation is not offloadable");
    expect_fail("in_port(1),packet_type(ns=1,id=0x800),eth_type(0x0800),"
                "ipv4(frag=no)", "2", ESW_XLATE_UNSUPPORTED_KEY,
                "only Ethernet packets");

    /* Zero metadata is always zero on a received packet. */
    r = expect_ok("recirc_id(0),in_port(1),packet_type(ns=0,id=0),"
                  "ct_state(-trk),ct_zone(0),ct_mark(0),skb_mark(0),"
                  "skb_priority(0),eth(),eth_type(0x0800),ipv4(frag=no)",
                  "2");
    free(r);

    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)", &m, true);
    m.wc.masks.tunnel.ip_dst = OVS_BE32_MAX;
    m.wc.masks.tunnel.flags = UINT16_MAX;
    m.wc.masks.dp_hash = UINT32_MAX;
    m.wc.masks.regs[3] = UINT32_MAX;
    r = expect_ok_match(&m, "2");
    free(r);

    /* Non-zero metadata is never seen on a received packet. */
    expect_fail("in_port(1),ct_state(+trk),eth(),eth_type(0x0800),"
                "ipv4(frag=no)", "2", ESW_XLATE_UNCONSUMED_MASK,
                "mask bits left unconsumed: ct_state=+trk");
    expect_fail("in_port(1),skb_priority(3),eth(),eth_type(0x0800),"
                "ipv4(frag=no)", "2", ESW_XLATE_UNCONSUMED_MASK,
                "skb_priority=0x3");
    expect_fail("in_port(1),dp_hash(0x12/0xff),eth(),eth_type(0x0800),"
                "ipv4(frag=no)", "2", ESW_XLATE_UNCONSUMED_MASK,
                "dp_hash=0x12/0xff");
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)", &m, true);
    m.flow.tunnel.ip_dst = htonl(0x01020304);
    m.wc.masks.tunnel.ip_dst = OVS_BE32_MAX;
    expect_fail_match(&m, "2", ESW_XLATE_UNCONSUMED_MASK,
                      "tun_dst=1.2.3.4");
}

static void
test_unconsumed(void)
{
    expect_fail("in_port(1),eth(),eth_type(0x8847),mpls(label=10,tc=0,"
                "ttl=64,bos=1)", "2", ESW_XLATE_UNCONSUMED_MASK,
                "mask bits left unconsumed: mpls_label=10");

    /* L3 fields of another dl_type. */
    struct match m;
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    m.wc.masks.nw_src = OVS_BE32_MAX;
    m.flow.nw_src = htonl(0x01020304);
    expect_fail_match(&m, "2", ESW_XLATE_UNCONSUMED_MASK,
                      "nw_src=1.2.3.4");

    /* Transport fields of a protocol without ports, high bits of an ICMP
     * type. */
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=47,frag=no)",
                &m, true);
    m.wc.masks.tp_src = OVS_BE16_MAX;
    expect_fail_match(&m, "2", ESW_XLATE_UNCONSUMED_MASK, "tp_src=0");
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),"
                "icmp(type=8)", &m, true);
    m.flow.tp_src = htons(0x0108);
    m.wc.masks.tp_src = OVS_BE16_MAX;
    expect_fail_match(&m, "2", ESW_XLATE_UNCONSUMED_MASK,
                      "mask bits left unconsumed: icmp_type=0x100/0xff00");
    m.flow.tp_src = htons(8);
    free(expect_ok_match(&m, "2"));

    /* Bits that OVS never sets: zero is consumed, one is not. */
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                "tcp()", &m, true);
    m.wc.masks.tcp_flags = OVS_BE16_MAX;
    m.wc.masks.nw_frag = UINT8_MAX;
    free(expect_ok_match(&m, "2"));
    m.flow.nw_frag = 0x10;
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_KEY,
                      "matches no packet");
}

static void
test_in_port(void)
{
    struct match m;

    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    m.wc.masks.in_port.odp_port = u32_to_odp(0xff);
    expect_fail_match(&m, "2", ESW_XLATE_UNSUPPORTED_MASK,
                      "in_port must be matched exactly");

    expect_fail("in_port(9),eth(),eth_type(0x88cc)", "2",
                ESW_XLATE_PORT_UNKNOWN, "in_port 9: no such port");
    expect_fail("in_port(5),eth(),eth_type(0x88cc)", "2",
                ESW_XLATE_PORT_NOT_ON_ESWITCH,
                "in_port 5 (tap0): not on an eswitch");
    expect_fail("in_port(6),eth(),eth_type(0x88cc)", "2",
                ESW_XLATE_PORT_NOT_ON_ESWITCH,
                "in_port 6 (noifindex): not on an eswitch");

    struct esw_flower_rule *r = expect_ok("in_port(4),eth(),"
                                          "eth_type(0x88cc)", "");
    CU_ASSERT_EQUAL(r->ifindex, 21);
    free(r);
}

/* Actions. */

static void
test_output(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)", "2,3");
    CU_ASSERT_EQUAL(r->n_actions, 2);
    check_mirred(r, 0, TCA_EGRESS_MIRROR, 12, TC_ACT_PIPE);
    check_redirect_last(r, 13);
    free(r);

    /* Hairpin. */
    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)", "1");
    check_redirect_last(r, 11);
    free(r);

    expect_fail("in_port(1),eth(),eth_type(0x88cc)", "2,5",
                ESW_XLATE_PORT_NOT_ON_ESWITCH,
                "output to port 5 (tap0): not on eswitch pci/0000:03:00.0");
    expect_fail("in_port(1),eth(),eth_type(0x88cc)", "6",
                ESW_XLATE_PORT_NOT_ON_ESWITCH,
                "output to port 6 (noifindex): not on eswitch");
    expect_fail("in_port(1),eth(),eth_type(0x88cc)", "4",
                ESW_XLATE_PORT_OTHER_ESWITCH,
                "output to port 4 (pf1vf0): on eswitch pci/0000:04:00.0, "
                "not on pci/0000:03:00.0");
    expect_fail("in_port(1),eth(),eth_type(0x88cc)", "9",
                ESW_XLATE_PORT_UNKNOWN, "output to port 9: no such port");
}

static void
test_drop(void)
{
    static const char *const drops[] = {
        "", "drop", "set(eth(dst=00:00:00:00:00:01)),push_vlan(vid=1,pcp=0)",
    };

    for (size_t i = 0; i < ARRAY_SIZE(drops); i++) {
        struct esw_flower_rule *r = expect_ok(
            "in_port(1),eth(),eth_type(0x88cc)", drops[i]);

        CU_ASSERT_EQUAL(r->n_actions, 1);
        CU_ASSERT_EQUAL(r->actions[0].type, ESW_FLOWER_ACT_GACT);
        CU_ASSERT_EQUAL(r->actions[0].control, TC_ACT_SHOT);
        free(r);
    }

    /* What follows the last output changes nothing that leaves. */
    struct esw_flower_rule *r = expect_ok(
        "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp()",
        "2,set(ipv4(src=1.1.1.1)),pop_vlan");
    CU_ASSERT_EQUAL(r->n_actions, 1);
    check_redirect_last(r, 12);
    free(r);

    /* But it is still checked. */
    expect_fail("in_port(1),eth(),eth_type(0x88cc)", "2,userspace(pid=1)",
                ESW_XLATE_UNSUPPORTED_ACTION,
                "action userspace is not offloadable");
}

static void
test_vlan_actions(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)",
                  "push_vlan(vid=10,pcp=3),2,pop_vlan,"
                  "push_vlan(tpid=0x88a8,vid=4000,pcp=0),3");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 5);
    CU_ASSERT_EQUAL(r->actions[0].type, ESW_FLOWER_ACT_VLAN);
    CU_ASSERT_EQUAL(r->actions[0].vlan.action, TCA_VLAN_ACT_PUSH);
    CU_ASSERT_EQUAL(r->actions[0].vlan.id, 10);
    CU_ASSERT_EQUAL(r->actions[0].vlan.prio, 3);
    CU_ASSERT_EQUAL(r->actions[0].vlan.proto, htons(ETH_TYPE_VLAN_8021Q));
    CU_ASSERT_FALSE(r->actions[0].vlan.keep_prio);
    CU_ASSERT_EQUAL(r->actions[0].control, TC_ACT_PIPE);
    check_mirred(r, 1, TCA_EGRESS_MIRROR, 12, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(r->actions[2].type, ESW_FLOWER_ACT_VLAN);
    CU_ASSERT_EQUAL(r->actions[2].vlan.action, TCA_VLAN_ACT_POP);
    CU_ASSERT_EQUAL(r->actions[2].control, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(r->actions[3].vlan.action, TCA_VLAN_ACT_PUSH);
    CU_ASSERT_EQUAL(r->actions[3].vlan.id, 4000);
    CU_ASSERT_EQUAL(r->actions[3].vlan.prio, 0);
    CU_ASSERT_EQUAL(r->actions[3].vlan.proto, htons(ETH_TYPE_VLAN_8021AD));
    check_redirect_last(r, 13);
    free(r);

    /* A TPID that is not a VLAN's. */
    struct ovs_action_push_vlan v = {
        .vlan_tpid = htons(0x0800),
        .vlan_tci = htons(10 | VLAN_CFI),
    };
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    struct ofpbuf actions;
    struct match m;
    char *text;

    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    ofpbuf_init(&actions, 0);
    nl_msg_put_unspec(&actions, OVS_ACTION_ATTR_PUSH_VLAN, &v, sizeof v);
    nl_msg_put_odp_port(&actions, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
    CU_ASSERT_EQUAL(esw_offload_xlate(&m, actions.data, actions.size,
                                      &test_port_map, rule, &text),
                    ESW_XLATE_UNSUPPORTED_ACTION);
    CU_ASSERT_STRING_EQUAL(text, "action push_vlan(tpid=0x0800) is not "
                           "offloadable");
    free(text);
    free(rule);
    ofpbuf_uninit(&actions);
}

static void
test_set_eth(void)
{
    struct esw_flower_rule *r;
    const uint8_t E = TCA_PEDIT_KEY_EX_HDR_TYPE_ETH;

    /* Plain set: both addresses, source first, one key per word. */
    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)",
                  "set(eth(src=0a:0b:0c:0d:0e:0f,dst=1a:1b:1c:1d:1e:1f)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 2);
    CU_ASSERT_EQUAL(r->actions[0].control, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 4);
    check_pedit_key(r, 0, 0, E, 4, 0xffff0000, 0x00000a0b);
    check_pedit_key(r, 0, 1, E, 8, 0x00000000, 0x0c0d0e0f);
    check_pedit_key(r, 0, 2, E, 0, 0x00000000, 0x1a1b1c1d);
    check_pedit_key(r, 0, 3, E, 4, 0x0000ffff, 0x1e1f0000);
    check_redirect_last(r, 12);
    free(r);

    /* Masked: only the words with bits to set. */
    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)",
                  "set(eth(dst=1a:1b:1c:1d:1e:1f/ff:ff:ff:00:00:00)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 2);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 1);
    check_pedit_key(r, 0, 0, E, 0, 0x000000ff, 0x1a1b1c00);
    free(r);
}

static void
test_set_ipv4(void)
{
    const char *tcp = "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,"
                      "frag=no),tcp()";
    const uint8_t I = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
    const uint32_t HDR = TCA_CSUM_UPDATE_FLAG_IPV4HDR;
    struct esw_flower_rule *r;

    r = expect_ok(tcp, "set(ipv4(src=192.168.0.1)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 3);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 1);
    check_pedit_key(r, 0, 0, I, 12, 0, 0xc0a80001);
    CU_ASSERT_EQUAL(r->actions[0].control, TC_ACT_PIPE);
    check_csum(r, 1, HDR | TCA_CSUM_UPDATE_FLAG_TCP);
    check_redirect_last(r, 12);
    free(r);

    /* TTL and ToS need only the header checksum. */
    r = expect_ok(tcp, "set(ipv4(ttl=63)),set(ipv4(tos=0x20/0xfc)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 3);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 2);
    check_pedit_key(r, 0, 0, I, 8, 0x00ffffff, 63u << 24);
    check_pedit_key(r, 0, 1, I, 0, 0xff03ffff, 0x20u << 16);
    check_csum(r, 1, HDR);
    free(r);

    /* A plain set writes src, dst, ttl, tos in that order (lib/tc.c's). */
    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,"
                  "frag=no),udp()",
                  "set(ipv4(src=1.2.3.4,dst=5.6.7.8,tos=0,ttl=9,proto=17,"
                  "frag=no)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 3);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 4);
    check_pedit_key(r, 0, 0, I, 12, 0, 0x01020304);
    check_pedit_key(r, 0, 1, I, 16, 0, 0x05060708);
    check_pedit_key(r, 0, 2, I, 8, 0x00ffffff, 9u << 24);
    check_pedit_key(r, 0, 3, I, 0, 0xff00ffff, 0);
    check_csum(r, 1, HDR | TCA_CSUM_UPDATE_FLAG_UDP);
    free(r);

    /* ICMP has no pseudo-header. */
    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),"
                  "icmp()", "set(ipv4(dst=10.0.0.1)),2");
    check_csum(r, 1, HDR);
    free(r);

    /* nw_proto wildcarded: narrowed to the megaflow key's, for the
     * checksum; first fragments excluded, for the same reason. */
    struct match m;
    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=17),udp()",
                &m, true);
    m.wc.masks.nw_proto = 0;
    r = expect_ok_match(&m, "set(ipv4(src=1.1.1.1)),2");
    CU_ASSERT_EQUAL(r->key.ip_proto, IPPROTO_UDP);
    CU_ASSERT_EQUAL(r->mask.ip_proto, UINT8_MAX);
    CU_ASSERT_EQUAL(r->key.ip_flags, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FIRSTFRAG);
    check_csum(r, 1, HDR | TCA_CSUM_UPDATE_FLAG_UDP);
    free(r);

    /* A header the megaflow does not promise. */
    expect_fail("in_port(1),eth(),eth_type(0x86dd),ipv6(frag=no)",
                "set(ipv4(src=1.1.1.1)),2", ESW_XLATE_UNSUPPORTED_ACTION,
                "action set(ipv4) needs a megaflow that matches "
                "dl_type=0x0800");
    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,"
                "frag=first),tcp()", "set(ipv4(src=1.1.1.1)),2",
                ESW_XLATE_UNSUPPORTED_ACTION, "on first fragments");
}

static void
test_set_ipv6(void)
{
    const uint8_t I = TCA_PEDIT_KEY_EX_HDR_TYPE_IP6;
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=17,"
                  "frag=no),udp()", "set(ipv6(src=2001:db8::1)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 3);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 4);
    check_pedit_key(r, 0, 0, I, 8, 0, 0x20010db8);
    check_pedit_key(r, 0, 1, I, 12, 0, 0);
    check_pedit_key(r, 0, 2, I, 16, 0, 0);
    check_pedit_key(r, 0, 3, I, 20, 0, 1);
    check_csum(r, 1, TCA_CSUM_UPDATE_FLAG_UDP);
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,"
                  "frag=no),icmpv6()", "set(ipv6(dst=2001:db8::2)),2");
    check_csum(r, 1, TCA_CSUM_UPDATE_FLAG_ICMP);
    free(r);

    /* Hop limit, traffic class and label: no checksum to fix. */
    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=6,"
                  "frag=no),tcp()",
                  "set(ipv6(hlimit=1)),set(ipv6(tclass=0xb8)),"
                  "set(ipv6(label=0x12345)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 2);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 3);
    check_pedit_key(r, 0, 0, I, 4, 0xffffff00, 1);
    check_pedit_key(r, 0, 1, I, 0, 0xf00fffff, 0xb8u << 20);
    check_pedit_key(r, 0, 2, I, 0, 0xfff00000, 0x12345);
    check_redirect_last(r, 12);
    free(r);

    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)",
                "set(ipv6(hlimit=1)),2", ESW_XLATE_UNSUPPORTED_ACTION,
                "dl_type=0x86dd");
}

static void
test_set_ports(void)
{
    struct esw_flower_rule *r;

    /* The rule excludes every fragment: pedit would write into one. */
    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp()",
                  "set(tcp(dst=8080)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 3);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 1);
    check_pedit_key(r, 0, 0, TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, 0, 0xffff0000,
                    8080);
    check_csum(r, 1, TCA_CSUM_UPDATE_FLAG_TCP);
    CU_ASSERT_EQUAL(r->key.ip_flags, 0);
    CU_ASSERT_EQUAL(r->mask.ip_flags, ESW_FLOWER_IP_FLAG_FRAG);
    free(r);

    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=17,"
                  "frag=no),udp()", "set(udp(src=53,dst=54)),2");
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, 2);
    check_pedit_key(r, 0, 0, TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, 0, 0x0000ffff,
                    53u << 16);
    check_pedit_key(r, 0, 1, TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, 0, 0xffff0000,
                    54);
    check_csum(r, 1, TCA_CSUM_UPDATE_FLAG_UDP);
    free(r);

    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),"
                "udp()", "set(tcp(dst=1)),2", ESW_XLATE_UNSUPPORTED_ACTION,
                "action set(tcp) on a megaflow that matches nw_proto=17");
    expect_fail("in_port(1),eth(),eth_type(0x0806),arp(op=1)",
                "set(udp(dst=1)),2", ESW_XLATE_UNSUPPORTED_ACTION,
                "action set(udp) needs a megaflow that matches IPv4 or IPv6");
    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,"
                "frag=later)", "set(tcp(dst=1)),2",
                ESW_XLATE_UNSUPPORTED_ACTION, "on fragments");
}

/* Consecutive sets share one pedit and one csum; every action stays in
 * its place. */
static void
test_action_order(void)
{
    struct esw_flower_rule *r;

    r = expect_ok("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                  "tcp()", "2,set(eth(dst=00:00:00:00:00:09)),"
                  "set(ipv4(src=1.1.1.1)),3,pop_vlan,1");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 6);
    check_mirred(r, 0, TCA_EGRESS_MIRROR, 12, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(r->actions[1].type, ESW_FLOWER_ACT_PEDIT);
    CU_ASSERT_EQUAL(r->actions[1].pedit.n_keys, 3);
    check_pedit_key(r, 1, 2, TCA_PEDIT_KEY_EX_HDR_TYPE_IP4, 12, 0,
                    0x01010101);
    check_csum(r, 2, TCA_CSUM_UPDATE_FLAG_IPV4HDR | TCA_CSUM_UPDATE_FLAG_TCP);
    check_mirred(r, 3, TCA_EGRESS_MIRROR, 13, TC_ACT_PIPE);
    CU_ASSERT_EQUAL(r->actions[4].vlan.action, TCA_VLAN_ACT_POP);
    check_redirect_last(r, 11);
    free(r);

    /* More keys than one pedit holds: a second pedit, one csum. */
    r = expect_ok("in_port(1),eth(),eth_type(0x86dd),ipv6(proto=17,"
                  "frag=no),udp()",
                  "set(ipv6(src=::1,dst=::2,label=1,tclass=0,hlimit=1)),"
                  "set(eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)),"
                  "set(eth(src=00:00:00:00:00:03,dst=00:00:00:00:00:04)),2");
    CU_ASSERT_EQUAL_FATAL(r->n_actions, 4);
    CU_ASSERT_EQUAL(r->actions[0].type, ESW_FLOWER_ACT_PEDIT);
    CU_ASSERT_EQUAL(r->actions[0].pedit.n_keys, ESW_FLOWER_MAX_PEDIT_KEYS);
    CU_ASSERT_EQUAL(r->actions[1].type, ESW_FLOWER_ACT_PEDIT);
    CU_ASSERT_EQUAL(r->actions[1].pedit.n_keys,
                    11 + 4 + 4 - ESW_FLOWER_MAX_PEDIT_KEYS);
    check_csum(r, 2, TCA_CSUM_UPDATE_FLAG_UDP);
    check_redirect_last(r, 12);
    free(r);
}

/* Appends to 'actions' an action of 'type' with 'len' zero bytes. */
static void
put_raw_action(struct ofpbuf *actions, uint16_t type, size_t len)
{
    nl_msg_put_unspec_zero(actions, type, len);
}

static void
test_unsupported_actions(void)
{
    static const struct {
        const char *actions;
        const char *name;
    } cases[] = {
        { "ct(commit)", "ct" },
        { "recirc(1)", "recirc" },
        { "userspace(pid=1)", "userspace" },
        { "sample(sample=50%,actions(2))", "sample" },
        { "meter(1)", "meter" },
        { "tnl_pop(3)", "tnl_pop" },
        { "clone(2)", "clone" },
        { "check_pkt_len(size=200,gt(2),le(3))", "check_pkt_len" },
        { "trunc(100)", "trunc" },
        { "ct_clear", "ct_clear" },
        { "lb_output(1)", "lb_output" },
        { "pop_nsh()", "pop_nsh" },
        { "add_mpls(label=1,tc=0,ttl=64,bos=1,eth_type=0x8847)", "add_mpls" },
        { "tnl_push(tnl_port(4),header(size=50,type=4,eth(dst=00:00:00:00:"
          "00:01,src=00:00:00:00:00:02,dl_type=0x0800),ipv4(src=1.1.1.1,"
          "dst=2.2.2.2,proto=17,tos=0,ttl=64,frag=0x4000),udp(src=0,"
          "dst=4789,csum=0x0),vxlan(flags=0x8000000,vni=0x1)),out_port(1))",
          "tnl_push" },
        { "set(sctp(src=1))", "set(sctp)" },
        { "set(skb_mark(1))", "set(skb_mark)" },
        { "set(skb_priority(1))", "set(skb_priority)" },
        { "set(tunnel(tun_id=1,dst=1.1.1.1,ttl=64,flags(df|key)))",
          "set(tunnel)" },
        { "set(icmp(type=1))", "set(icmp)" },
        { "set(arp(op=1))", "set(arp)" },
        { "set(nd(target=::1))", "set(nd)" },
        { "set(mpls(label=1))", "set(mpls)" },
        { "set(eth_type(0x800))", "set(eth_type)" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *actions = xasprintf("2,%s,3", cases[i].actions);
        char *words = xasprintf("action %s is not offloadable",
                                cases[i].name);

        expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,"
                    "frag=no),tcp()", actions, ESW_XLATE_UNSUPPORTED_ACTION,
                    words);
        free(actions);
        free(words);
    }

    /* Actions that ovs-dpctl's parser does not write as we need. */
    static const struct {
        uint16_t type;
        size_t len;
        const char *text;
    } raw[] = {
        { OVS_ACTION_ATTR_HASH, sizeof(struct ovs_action_hash),
          "action hash is not offloadable" },
        { OVS_ACTION_ATTR_PUSH_MPLS, sizeof(struct ovs_action_push_mpls),
          "action push_mpls is not offloadable" },
        { OVS_ACTION_ATTR_POP_MPLS, 2, "action pop_mpls is not offloadable" },
        { OVS_ACTION_ATTR_PUSH_ETH, sizeof(struct ovs_action_push_eth),
          "action push_eth is not offloadable" },
        { OVS_ACTION_ATTR_POP_ETH, 0, "action pop_eth is not offloadable" },
        { OVS_ACTION_ATTR_PUSH_NSH, 8, "action push_nsh is not offloadable" },
        { 99, 4, "action type 99 is not offloadable" },
        { OVS_ACTION_ATTR_UNSPEC, 4, "action type 0 is not offloadable" },
    };
    struct match m;

    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    for (size_t i = 0; i < ARRAY_SIZE(raw); i++) {
        struct esw_flower_rule *rule = xmalloc(sizeof *rule);
        struct ofpbuf actions;
        char *text;

        ofpbuf_init(&actions, 0);
        nl_msg_put_odp_port(&actions, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
        put_raw_action(&actions, raw[i].type, raw[i].len);
        CU_ASSERT_EQUAL(esw_offload_xlate(&m, actions.data, actions.size,
                                          &test_port_map, rule, &text),
                        ESW_XLATE_UNSUPPORTED_ACTION);
        CU_ASSERT_STRING_EQUAL(text, raw[i].text);
        CU_ASSERT_TRUE(rule_is_empty(rule));
        free(text);
        free(rule);
        ofpbuf_uninit(&actions);
    }
}

static void
test_too_many_actions(void)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct esw_flower_rule *r;

    /* 32 outputs: 31 mirrors and a redirect. */
    for (int i = 0; i < ESW_FLOWER_MAX_ACTIONS; i++) {
        ds_put_format(&s, "%s%d", i ? "," : "", 100 + i);
    }
    r = expect_ok("in_port(1),eth(),eth_type(0x88cc)", ds_cstr(&s));
    CU_ASSERT_EQUAL(r->n_actions, ESW_FLOWER_MAX_ACTIONS);
    check_mirred(r, 0, TCA_EGRESS_MIRROR, 1100, TC_ACT_PIPE);
    check_redirect_last(r, 1100 + ESW_FLOWER_MAX_ACTIONS - 1);
    free(r);

    /* 33. */
    ds_put_cstr(&s, ",2");
    expect_fail("in_port(1),eth(),eth_type(0x88cc)", ds_cstr(&s),
                ESW_XLATE_TOO_MANY_ACTIONS,
                "the actions need more than 32 flower actions");

    /* 31 outputs and a rewrite between them: pedit and csum make 33. */
    ds_clear(&s);
    for (int i = 0; i < ESW_FLOWER_MAX_ACTIONS - 1; i++) {
        ds_put_format(&s, "%s%d", i ? "," : "", 100 + i);
        if (i == 10) {
            ds_put_cstr(&s, ",set(ipv4(ttl=1))");
        }
    }
    expect_fail("in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)",
                ds_cstr(&s), ESW_XLATE_TOO_MANY_ACTIONS, "more than 32");

    /* The port map is asked about no more ports than fit. */
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    int n_lookups = 0;
    struct esw_xlate_port_map counting = {
        .lookup = counting_lookup,
        .aux = &n_lookups,
    };
    struct ofpbuf actions;
    struct match m;

    ds_clear(&s);
    for (int i = 0; i < 60; i++) {
        ds_put_format(&s, "%s%d", i ? "," : "", 100 + i);
    }
    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    parse_actions(ds_cstr(&s), &actions);
    CU_ASSERT_EQUAL(esw_offload_xlate(&m, actions.data, actions.size,
                                      &counting, rule, NULL),
                    ESW_XLATE_TOO_MANY_ACTIONS);
    CU_ASSERT_EQUAL(n_lookups, 1 + ESW_FLOWER_MAX_ACTIONS);
    ofpbuf_uninit(&actions);
    free(rule);
    ds_destroy(&s);
}

/* Translates the raw 'len' bytes of actions at 'bytes', copied into a
 * buffer of exactly that size, and returns the reason. */
static enum esw_xlate_reason
xlate_raw(const void *bytes, size_t len, char **textp)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    void *copy = xmemdup(bytes, len);
    enum esw_xlate_reason reason;
    struct match m;

    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                "tcp()", &m, true);
    reason = esw_offload_xlate(&m, copy, len, &test_port_map, rule, textp);
    CU_ASSERT_TRUE(reason == ESW_XLATE_OK || rule_is_empty(rule));
    free(copy);
    free(rule);
    return reason;
}

static void
test_malformed_actions(void)
{
    struct ofpbuf b;
    char *text;

    /* A truncated header. */
    ofpbuf_init(&b, 0);
    nl_msg_put_odp_port(&b, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
    CU_ASSERT_EQUAL(xlate_raw(b.data, b.size - 5, &text), ESW_XLATE_INVALID);
    CU_ASSERT_STRING_EQUAL(text, "action 1 is truncated");
    free(text);

    /* nla_len below the header, and beyond the buffer. */
    struct nlattr *nla = b.data;
    nla->nla_len = 2;
    CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_INVALID);
    free(text);
    nla->nla_len = 12;
    CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_INVALID);
    free(text);
    ofpbuf_uninit(&b);

    /* Wrong payload sizes. */
    static const struct {
        uint16_t type;
        size_t len;
    } sizes[] = {
        { OVS_ACTION_ATTR_OUTPUT, 2 },
        { OVS_ACTION_ATTR_OUTPUT, 8 },
        { OVS_ACTION_ATTR_PUSH_VLAN, 2 },
        { OVS_ACTION_ATTR_POP_VLAN, 4 },
        { OVS_ACTION_ATTR_DROP, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        ofpbuf_init(&b, 0);
        put_raw_action(&b, sizes[i].type, sizes[i].len);
        CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_INVALID);
        CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "bytes, expected")
                               : NULL);
        free(text);
        ofpbuf_uninit(&b);
    }

    /* set: an empty nest, a key of the wrong size, a masked key without
     * its mask, trailing bytes after the key. */
    struct ovs_key_ipv4 ipv4;
    memset(&ipv4, 0, sizeof ipv4);
    for (int i = 0; i < 4; i++) {
        size_t ofs;

        ofpbuf_init(&b, 0);
        ofs = nl_msg_start_nested(&b, (i == 2 ? OVS_ACTION_ATTR_SET_MASKED
                                       : OVS_ACTION_ATTR_SET));
        if (i == 1) {
            nl_msg_put_unspec(&b, OVS_KEY_ATTR_IPV4, &ipv4, 8);
        } else if (i == 2) {
            nl_msg_put_unspec(&b, OVS_KEY_ATTR_IPV4, &ipv4, sizeof ipv4);
        } else if (i == 3) {
            nl_msg_put_unspec(&b, OVS_KEY_ATTR_IPV4, &ipv4, sizeof ipv4);
            nl_msg_put_flag(&b, OVS_KEY_ATTR_IPV4);
        }
        nl_msg_end_nested(&b, ofs);
        nl_msg_put_odp_port(&b, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
        CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_INVALID);
        CU_ASSERT_PTR_NOT_NULL(text ? strstr(text, "action set") : NULL);
        free(text);
        ofpbuf_uninit(&b);
    }

    /* A nested key that claims more than its nest. */
    ofpbuf_init(&b, 0);
    size_t ofs = nl_msg_start_nested(&b, OVS_ACTION_ATTR_SET);
    nl_msg_put_unspec(&b, OVS_KEY_ATTR_IPV4, &ipv4, sizeof ipv4);
    nl_msg_end_nested(&b, ofs);
    nla = ofpbuf_at_assert(&b, NLA_HDRLEN, sizeof *nla);
    nla->nla_len += 4;
    CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_INVALID);
    free(text);
    ofpbuf_uninit(&b);

    /* Anything after "drop" is not looked at. */
    ofpbuf_init(&b, 0);
    nl_msg_put_u32(&b, OVS_ACTION_ATTR_DROP, 0);
    nl_msg_put_u16(&b, OVS_ACTION_ATTR_OUTPUT, 2);
    CU_ASSERT_EQUAL(xlate_raw(b.data, b.size, &text), ESW_XLATE_OK);
    CU_ASSERT_PTR_NULL(text);
    ofpbuf_uninit(&b);
}

static void
test_reason_text_optional(void)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    struct ofpbuf actions;
    struct match m;

    parse_match("recirc_id(1),in_port(1),eth(),eth_type(0x88cc)", &m, true);
    parse_actions("2", &actions);
    CU_ASSERT_EQUAL(esw_offload_xlate(&m, actions.data, actions.size,
                                      &test_port_map, rule, NULL),
                    ESW_XLATE_UNSUPPORTED_KEY);
    CU_ASSERT_TRUE(rule_is_empty(rule));

    parse_match("in_port(1),eth(),eth_type(0x88cc)", &m, true);
    CU_ASSERT_EQUAL(esw_offload_xlate(&m, actions.data, actions.size,
                                      &test_port_map, rule, NULL),
                    ESW_XLATE_OK);
    CU_ASSERT_EQUAL(rule->n_actions, 1);
    ofpbuf_uninit(&actions);
    free(rule);
}

/* Priorities. */

static void
test_prio_map(void)
{
    struct esw_flower_rule *a = xmalloc(sizeof *a);
    struct esw_flower_rule *b = xmalloc(sizeof *b);
    struct esw_prio_map map;
    uint16_t prio;

    esw_prio_map_init(&map, 5, 7);
    CU_ASSERT_EQUAL(esw_prio_map_count(&map), 0);

    esw_flower_rule_init(a);
    a->protocol = htons(ETH_P_IP);
    a->mask.eth_type = OVS_BE16_MAX;
    a->key.eth_type = htons(ETH_P_IP);
    a->mask.ipv4_dst = OVS_BE32_MAX;
    a->key.ipv4_dst = htonl(1);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, a, &prio), 0);
    CU_ASSERT_EQUAL(prio, 5);

    /* Same masks, other keys, garbage in the padding: same prio. */
    memset(b, 0x5a, sizeof *b);
    memset(&b->mask, 0x5a, sizeof b->mask);
    b->protocol = a->protocol;
    b->mask.indev[0] = 0;
    b->mask.eth_dst = a->mask.eth_dst;
    b->mask.eth_src = a->mask.eth_src;
    b->mask.eth_type = a->mask.eth_type;
    b->mask.vlan_id = a->mask.vlan_id;
    b->mask.vlan_prio = a->mask.vlan_prio;
    b->mask.vlan_eth_type = a->mask.vlan_eth_type;
    b->mask.ip_proto = a->mask.ip_proto;
    b->mask.ip_tos = a->mask.ip_tos;
    b->mask.ip_ttl = a->mask.ip_ttl;
    b->mask.ip_flags = a->mask.ip_flags;
    b->mask.ipv4_src = a->mask.ipv4_src;
    b->mask.ipv4_dst = a->mask.ipv4_dst;
    b->mask.ipv6_src = a->mask.ipv6_src;
    b->mask.ipv6_dst = a->mask.ipv6_dst;
    b->mask.tp_src = a->mask.tp_src;
    b->mask.tp_dst = a->mask.tp_dst;
    b->mask.tcp_flags = a->mask.tcp_flags;
    b->mask.icmp_type = a->mask.icmp_type;
    b->mask.icmp_code = a->mask.icmp_code;
    b->mask.arp_sip = a->mask.arp_sip;
    b->mask.arp_tip = a->mask.arp_tip;
    b->mask.arp_op = a->mask.arp_op;
    b->mask.arp_sha = a->mask.arp_sha;
    b->mask.arp_tha = a->mask.arp_tha;
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, b, &prio), 0);
    CU_ASSERT_EQUAL(prio, 5);
    CU_ASSERT_EQUAL(esw_prio_map_count(&map), 1);

    /* Another protocol, same masks: another prio. */
    b->protocol = htons(ETH_P_IPV6);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, b, &prio), 0);
    CU_ASSERT_EQUAL(prio, 6);

    /* Another mask. */
    a->mask.ipv4_dst = htonl(0xffffff00);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, a, &prio), 0);
    CU_ASSERT_EQUAL(prio, 7);

    /* The range is used up; known masks still get theirs. */
    a->mask.tp_dst = OVS_BE16_MAX;
    prio = 1234;
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, a, &prio), ENOSPC);
    CU_ASSERT_EQUAL(prio, 0);
    a->mask.tp_dst = 0;
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, a, &prio), 0);
    CU_ASSERT_EQUAL(prio, 7);
    b->protocol = htons(ETH_P_IP);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, b, &prio), 0);
    CU_ASSERT_EQUAL(prio, 5);
    CU_ASSERT_EQUAL(esw_prio_map_count(&map), 3);
    esw_prio_map_destroy(&map);

    /* The full range, with many masks: all distinct, all stable. */
    esw_prio_map_init(&map, 1, UINT16_MAX);
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < 1000; i++) {
            esw_flower_rule_init(a);
            a->protocol = htons(ETH_P_IP);
            a->mask.ipv4_src = htonl(i);
            CU_ASSERT_EQUAL(esw_prio_map_get(&map, a, &prio), 0);
            if (prio != i + 1) {
                CU_FAIL("prio not stable");
                break;
            }
        }
    }
    CU_ASSERT_EQUAL(esw_prio_map_count(&map), 1000);
    esw_prio_map_destroy(&map);

    /* Two megaflows with the same mask and different values. */
    struct esw_flower_rule *r1 = expect_ok(
        "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
        "tcp(dst=80)", "2");
    struct esw_flower_rule *r2 = expect_ok(
        "in_port(2),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
        "tcp(dst=443)", "1");
    struct esw_flower_rule *r3 = expect_ok(
        "in_port(2),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
        "tcp(src=443)", "1");
    uint16_t p1, p2, p3;

    esw_prio_map_init(&map, 1, UINT16_MAX);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, r1, &p1), 0);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, r2, &p2), 0);
    CU_ASSERT_EQUAL(esw_prio_map_get(&map, r3, &p3), 0);
    CU_ASSERT_EQUAL(p1, p2);
    CU_ASSERT_NOT_EQUAL(p1, p3);
    esw_prio_map_destroy(&map);
    free(r1);
    free(r2);
    free(r3);
    free(a);
    free(b);
}

/* The invariant on random packets. */

/* A packet to build, in the terms both parsers use. */
struct pkt_spec {
    struct eth_addr dst, src;
    int n_vlans;                /* 0, 1 or 2. */
    ovs_be16 tpid[2];
    uint16_t tci[2];            /* VID and PCP; DEI 0. */
    ovs_be16 eth_type;

    uint8_t tos, ttl, proto;
    ovs_be32 ip4_src, ip4_dst;
    struct in6_addr ip6_src, ip6_dst;
    uint32_t label;
    enum { FRAG_NO, FRAG_FIRST, FRAG_LATER, FRAG_ATOMIC } frag;
    bool hop_by_hop;            /* IPv6: a hop-by-hop header first. */
    ovs_be16 tp_src, tp_dst;    /* Ports, or ICMP type and code. */
    uint16_t tcp_flags;

    uint16_t arp_op;
    struct eth_addr sha, tha;
    ovs_be32 sip, tip;
};

static void
put_be16(struct dp_packet *p, uint16_t x)
{
    ovs_be16 v = htons(x);

    dp_packet_put(p, &v, sizeof v);
}

static void
put_be32(struct dp_packet *p, uint32_t x)
{
    ovs_be32 v = htonl(x);

    dp_packet_put(p, &v, sizeof v);
}

static void
put_u8(struct dp_packet *p, uint8_t x)
{
    dp_packet_put(p, &x, 1);
}

/* Appends the transport header of 's' (or 8 bytes of payload). */
static void
build_l4(struct dp_packet *p, const struct pkt_spec *s)
{
    if (s->frag == FRAG_LATER) {
        dp_packet_put_zeros(p, 8);
    } else if (s->proto == IPPROTO_TCP) {
        dp_packet_put(p, &s->tp_src, 2);
        dp_packet_put(p, &s->tp_dst, 2);
        put_be32(p, 1);                         /* seq */
        put_be32(p, 0);                         /* ack */
        put_be16(p, (5 << 12) | s->tcp_flags);  /* doff, flags */
        put_be16(p, 1000);                      /* window */
        put_be32(p, 0);                         /* csum, urg */
    } else if (s->proto == IPPROTO_UDP) {
        dp_packet_put(p, &s->tp_src, 2);
        dp_packet_put(p, &s->tp_dst, 2);
        put_be16(p, 8);
        put_be16(p, 0);
    } else if (s->proto == IPPROTO_SCTP) {
        dp_packet_put(p, &s->tp_src, 2);
        dp_packet_put(p, &s->tp_dst, 2);
        dp_packet_put_zeros(p, 8);
    } else if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
        put_u8(p, ntohs(s->tp_src));
        put_u8(p, ntohs(s->tp_dst));
        dp_packet_put_zeros(p, 6);
    } else {
        dp_packet_put_zeros(p, 8);
    }
}

/* Builds the packet that 's' describes into 'p'. */
static void
build_packet(struct dp_packet *p, const struct pkt_spec *s)
{
    dp_packet_put(p, &s->dst, sizeof s->dst);
    dp_packet_put(p, &s->src, sizeof s->src);
    for (int i = 0; i < s->n_vlans; i++) {
        dp_packet_put(p, &s->tpid[i], 2);
        put_be16(p, s->tci[i]);
    }
    dp_packet_put(p, &s->eth_type, 2);

    if (s->eth_type == htons(ETH_TYPE_IP)) {
        size_t l3 = dp_packet_size(p);
        uint16_t frag_off = (s->frag == FRAG_FIRST ? IP_MORE_FRAGMENTS
                             : s->frag == FRAG_LATER ? 100 : 0);

        put_u8(p, 0x45);
        put_u8(p, s->tos);
        put_be16(p, 0);                         /* tot_len, below */
        put_be16(p, 1);                         /* id */
        put_be16(p, frag_off);
        put_u8(p, s->ttl);
        put_u8(p, s->proto);
        put_be16(p, 0);                         /* csum */
        dp_packet_put(p, &s->ip4_src, 4);
        dp_packet_put(p, &s->ip4_dst, 4);
        build_l4(p, s);

        ovs_be16 tot_len = htons(dp_packet_size(p) - l3);
        memcpy((uint8_t *) dp_packet_data(p) + l3 + 2, &tot_len, 2);
    } else if (s->eth_type == htons(ETH_TYPE_IPV6)) {
        size_t l3 = dp_packet_size(p);
        bool frag = s->frag != FRAG_NO;
        uint8_t next = (s->hop_by_hop ? IPPROTO_HOPOPTS
                        : frag ? IPPROTO_FRAGMENT : s->proto);

        put_be32(p, (6u << 28) | ((uint32_t) s->tos << 20) | s->label);
        put_be16(p, 0);                         /* payload length, below */
        put_u8(p, next);
        put_u8(p, s->ttl);
        dp_packet_put(p, &s->ip6_src, 16);
        dp_packet_put(p, &s->ip6_dst, 16);
        if (s->hop_by_hop) {
            put_u8(p, frag ? IPPROTO_FRAGMENT : s->proto);
            put_u8(p, 0);                       /* 8 bytes */
            put_u8(p, 1);                       /* PadN, 4 bytes */
            put_u8(p, 4);
            put_be32(p, 0);
        }
        if (frag) {
            uint16_t offlg = (s->frag == FRAG_FIRST ? 1
                              : s->frag == FRAG_LATER ? 100 << 3 : 0);

            put_u8(p, s->proto);
            put_u8(p, 0);
            put_be16(p, offlg);
            put_be32(p, 1);                     /* id */
        }
        build_l4(p, s);

        ovs_be16 plen = htons(dp_packet_size(p) - l3 - 40);
        memcpy((uint8_t *) dp_packet_data(p) + l3 + 4, &plen, 2);
    } else if (s->eth_type == htons(ETH_TYPE_ARP)
               || s->eth_type == htons(ETH_TYPE_RARP)) {
        put_be16(p, 1);
        put_be16(p, ETH_TYPE_IP);
        put_u8(p, ETH_ADDR_LEN);
        put_u8(p, 4);
        put_be16(p, s->arp_op);
        dp_packet_put(p, &s->sha, ETH_ADDR_LEN);
        dp_packet_put(p, &s->sip, 4);
        dp_packet_put(p, &s->tha, ETH_ADDR_LEN);
        dp_packet_put(p, &s->tip, 4);
    } else {
        dp_packet_put_zeros(p, 20);
    }
}

/* What the kernel's flow dissector extracts for flower (a model of
 * net/core/flow_dissector.c with the keys flower uses, without
 * FLOW_DISSECTOR_F_PARSE_1ST_FRAG). */
struct dissected {
    ovs_be16 protocol;          /* skb protocol: the outer EtherType. */
    ovs_be16 n_proto;           /* The EtherType after every VLAN header. */
    bool tagged;
    ovs_be16 vlan_tpid;
    uint16_t vlan_id;
    uint8_t vlan_prio;
    struct esw_flower_key key;  /* The other fields, as flower keys. */
};

static ovs_be16
get_be16(const uint8_t *p)
{
    ovs_be16 x;

    memcpy(&x, p, sizeof x);
    return x;
}

static void
dissect_l4(const uint8_t *p, size_t n, size_t ofs, struct dissected *d)
{
    uint8_t proto = d->key.ip_proto;

    if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP
         || proto == IPPROTO_SCTP) && n >= ofs + 4) {
        d->key.tp_src = get_be16(p + ofs);
        d->key.tp_dst = get_be16(p + ofs + 2);
    }
    if (proto == IPPROTO_TCP && n >= ofs + 20 && p[ofs + 12] >> 4 >= 5) {
        d->key.tcp_flags = get_be16(p + ofs + 12) & htons(0x0fff);
    }
    if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && n >= ofs + 2) {
        d->key.icmp_type = p[ofs];
        d->key.icmp_code = p[ofs + 1];
    }
}

static void
dissect(const struct dp_packet *packet, struct dissected *d)
{
    const uint8_t *p = dp_packet_data(packet);
    size_t n = dp_packet_size(packet);
    size_t ofs = 2 * ETH_ADDR_LEN;

    memset(d, 0, sizeof *d);
    if (n < ETH_HEADER_LEN) {
        return;
    }
    memcpy(&d->key.eth_dst, p, ETH_ADDR_LEN);
    memcpy(&d->key.eth_src, p + ETH_ADDR_LEN, ETH_ADDR_LEN);
    ovs_be16 type = get_be16(p + ofs);
    ofs += 2;
    d->protocol = type;
    while (eth_type_vlan(type)) {
        if (n < ofs + 4) {
            return;
        }
        if (!d->tagged) {
            uint16_t tci = ntohs(get_be16(p + ofs));

            d->tagged = true;
            d->vlan_tpid = type;
            d->vlan_id = tci & VLAN_VID_MASK;
            d->vlan_prio = tci >> VLAN_PCP_SHIFT;
        }
        type = get_be16(p + ofs + 2);
        ofs += 4;
    }
    d->n_proto = type;

    if (type == htons(ETH_TYPE_IP) && n >= ofs + 20 && (p[ofs] & 15) >= 5) {
        const uint8_t *ip = p + ofs;
        uint16_t frag_off = ntohs(get_be16(ip + 6));

        d->key.ip_proto = ip[9];
        d->key.ip_tos = ip[1];
        d->key.ip_ttl = ip[8];
        memcpy(&d->key.ipv4_src, ip + 12, 4);
        memcpy(&d->key.ipv4_dst, ip + 16, 4);
        if (frag_off & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
            d->key.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
            if (!(frag_off & IP_FRAG_OFF_MASK)) {
                d->key.ip_flags |= ESW_FLOWER_IP_FLAG_FIRSTFRAG;
            }
            return;
        }
        dissect_l4(p, n, ofs + (ip[0] & 15) * 4, d);
    } else if (type == htons(ETH_TYPE_IPV6) && n >= ofs + 40) {
        const uint8_t *ip = p + ofs;
        uint8_t next = ip[6];

        d->key.ip_tos = ((ip[0] & 15) << 4) | (ip[1] >> 4);
        d->key.ip_ttl = ip[7];
        memcpy(&d->key.ipv6_src, ip + 8, 16);
        memcpy(&d->key.ipv6_dst, ip + 24, 16);
        ofs += 40;
        for (;;) {
            d->key.ip_proto = next;
            if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING
                || next == IPPROTO_DSTOPTS) {
                if (n < ofs + 2) {
                    return;
                }
                next = p[ofs];
                ofs += (p[ofs + 1] + 1) * 8;
            } else if (next == IPPROTO_FRAGMENT) {
                if (n < ofs + 8) {
                    return;
                }
                d->key.ip_proto = p[ofs];
                d->key.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
                if (!(ntohs(get_be16(p + ofs + 2)) & 0xfff8)) {
                    d->key.ip_flags |= ESW_FLOWER_IP_FLAG_FIRSTFRAG;
                }
                return;
            } else {
                dissect_l4(p, n, ofs, d);
                return;
            }
        }
    } else if ((type == htons(ETH_TYPE_ARP) || type == htons(ETH_TYPE_RARP))
               && n >= ofs + 28) {
        const uint8_t *arp = p + ofs;
        uint16_t op = ntohs(get_be16(arp + 6));

        if (get_be16(arp) == htons(1) && get_be16(arp + 2) == htons(0x0800)
            && arp[4] == 6 && arp[5] == 4 && (op == 1 || op == 2)) {
            d->key.arp_op = op;
            memcpy(&d->key.arp_sha, arp + 8, 6);
            memcpy(&d->key.arp_sip, arp + 14, 4);
            memcpy(&d->key.arp_tha, arp + 18, 6);
            memcpy(&d->key.arp_tip, arp + 24, 4);
        }
    }
}

static bool
bytes_match(const void *value_, const void *key_, const void *mask_,
            size_t n)
{
    const uint8_t *value = value_, *key = key_, *mask = mask_;

    for (size_t i = 0; i < n; i++) {
        if ((value[i] ^ key[i]) & mask[i]) {
            return false;
        }
    }
    return true;
}

/* Whether flower's 'rule' matches the dissected packet 'd' (a model of
 * cls_flower.c's fl_classify() after tcf_classify()'s protocol check). */
static bool
flower_matches(const struct esw_flower_rule *rule, const struct dissected *d)
{
    const struct esw_flower_key *k = &rule->key;
    const struct esw_flower_key *m = &rule->mask;

    if (rule->protocol != htons(ETH_P_ALL) && rule->protocol != d->protocol) {
        return false;
    }
    if (m->eth_type) {
        if (eth_type_vlan(k->eth_type)) {
            if (!d->tagged || d->vlan_tpid != k->eth_type
                || (m->vlan_id && d->vlan_id != k->vlan_id)
                || (m->vlan_prio && d->vlan_prio != k->vlan_prio)
                || (m->vlan_eth_type && d->n_proto != k->vlan_eth_type)) {
                return false;
            }
        } else if (d->n_proto != k->eth_type) {
            return false;
        }
    }

#define MATCH(F) bytes_match(&d->key.F, &k->F, &m->F, sizeof k->F)
    return (MATCH(eth_dst) && MATCH(eth_src) && MATCH(ip_proto)
            && MATCH(ip_tos) && MATCH(ip_ttl) && MATCH(ip_flags)
            && MATCH(ipv4_src) && MATCH(ipv4_dst) && MATCH(ipv6_src)
            && MATCH(ipv6_dst) && MATCH(tp_src) && MATCH(tp_dst)
            && MATCH(tcp_flags) && MATCH(icmp_type) && MATCH(icmp_code)
            && MATCH(arp_sip) && MATCH(arp_tip) && MATCH(arp_op)
            && MATCH(arp_sha) && MATCH(arp_tha));
#undef MATCH
}

/* A xorshift generator, so that the test is the same every run. */
static uint32_t
rng_next(uint32_t *state)
{
    uint32_t x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Returns 'value' (of 'n' bytes) half the time, a copy with one bit
 * flipped a quarter of the time, random bytes otherwise. */
static void
rng_near(uint32_t *rng, void *dst, const void *value, size_t n)
{
    uint8_t *p = dst;
    uint32_t r = rng_next(rng) % 4;

    memcpy(p, value, n);
    if (r == 2) {
        uint32_t bit = rng_next(rng) % (n * 8);

        p[bit / 8] ^= 1u << (bit % 8);
    } else if (r == 3) {
        for (size_t i = 0; i < n; i++) {
            p[i] = rng_next(rng);
        }
    }
}

#define RNG_NEAR(RNG, DST, VALUE)                                       \
    do {                                                                \
        BUILD_ASSERT(sizeof *(DST) == sizeof (VALUE));                  \
        __typeof__(VALUE) v__ = (VALUE);                                \
        rng_near(RNG, DST, &v__, sizeof v__);                           \
    } while (0)

static uint32_t
rng_pick(uint32_t *rng, const uint32_t *values, size_t n)
{
    return values[rng_next(rng) % n];
}

/* Fills 's' with a random packet, most of its fields near the megaflow's
 * key so that many packets match it or miss it by one field. */
static void
random_spec(uint32_t *rng, const struct flow *k, struct pkt_spec *s)
{
    static const uint32_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_ARP, ETH_TYPE_RARP, 0x88cc,
    };
    static const uint32_t protos[] = {
        IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP, IPPROTO_ICMPV6,
        IPPROTO_GRE,
    };
    static const uint32_t arp_ops[] = { 1, 2, 3, 4, 0, 0x101 };
    static const uint32_t tpids[] = { ETH_TYPE_VLAN_8021Q,
                                      ETH_TYPE_VLAN_8021AD };

    memset(s, 0, sizeof *s);
    RNG_NEAR(rng, &s->dst, k->dl_dst);
    RNG_NEAR(rng, &s->src, k->dl_src);

    s->n_vlans = rng_next(rng) % 3;
    for (int i = 0; i < s->n_vlans; i++) {
        const union flow_vlan_hdr *v = &k->vlans[i];

        s->tpid[i] = (eth_type_vlan(v->tpid) && rng_next(rng) % 2
                      ? v->tpid : htons(rng_pick(rng, tpids, 2)));
        RNG_NEAR(rng, &s->tci[i], (uint16_t) (ntohs(v->tci) & ~VLAN_CFI));
        s->tci[i] &= ~VLAN_CFI;
    }
    s->eth_type = (rng_next(rng) % 2 && ntohs(k->dl_type) >= ETH_TYPE_MIN
                   && !eth_type_vlan(k->dl_type)
                   ? k->dl_type
                   : htons(rng_pick(rng, types, ARRAY_SIZE(types))));

    s->proto = (rng_next(rng) % 2 ? k->nw_proto
                : rng_pick(rng, protos, ARRAY_SIZE(protos)));
    RNG_NEAR(rng, &s->tos, k->nw_tos);
    RNG_NEAR(rng, &s->ttl, k->nw_ttl);
    RNG_NEAR(rng, &s->ip4_src, k->nw_src);
    RNG_NEAR(rng, &s->ip4_dst, k->nw_dst);
    RNG_NEAR(rng, &s->ip6_src, k->ipv6_src);
    RNG_NEAR(rng, &s->ip6_dst, k->ipv6_dst);
    s->label = rng_next(rng) % 4 ? 0 : rng_next(rng) & IPV6_LABEL_MASK;
    s->frag = rng_next(rng) % 4;
    if (s->eth_type == htons(ETH_TYPE_IP) && s->frag == FRAG_ATOMIC) {
        s->frag = FRAG_NO;
    }
    s->hop_by_hop = rng_next(rng) % 4 == 0;
    RNG_NEAR(rng, &s->tp_src, k->tp_src);
    RNG_NEAR(rng, &s->tp_dst, k->tp_dst);
    RNG_NEAR(rng, &s->tcp_flags, ntohs(k->tcp_flags));
    s->tcp_flags &= 0x0fff;
    if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
        s->tp_src &= htons(0xff);
        s->tp_dst &= htons(0xff);
    }

    s->arp_op = (rng_next(rng) % 2 ? k->nw_proto
                 : rng_pick(rng, arp_ops, ARRAY_SIZE(arp_ops)));
    RNG_NEAR(rng, &s->sha, k->arp_sha);
    RNG_NEAR(rng, &s->tha, k->arp_tha);
    RNG_NEAR(rng, &s->sip, k->nw_src);
    RNG_NEAR(rng, &s->tip, k->nw_dst);
}

struct invariant_counts {
    int both;                   /* Both match. */
    int megaflow_only;          /* The rule is narrower here. */
    int rule_only;              /* Violations. */
};

/* Checks 'n' random packets against megaflow 'm' and its rule 'r'. */
static void
check_packets(const struct match *m, const struct esw_flower_rule *r,
              uint32_t seed, int n, bool verbose, struct invariant_counts *c)
{
    uint32_t rng = seed;

    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++) {
        struct dp_packet *packet = dp_packet_new(256);
        struct pkt_spec spec;
        struct dissected d;
        struct flow flow;

        random_spec(&rng, &m->flow, &spec);
        build_packet(packet, &spec);
        pkt_metadata_init(&packet->md, m->flow.in_port.odp_port);
        flow_extract(packet, &flow);
        dissect(packet, &d);

        bool megaflow = flow_equal_except(&flow, &m->flow, &m->wc);
        bool rule = flower_matches(r, &d);
        if (megaflow && rule) {
            c->both++;
        } else if (megaflow) {
            c->megaflow_only++;
        } else if (rule) {
            if (verbose && !c->rule_only) {
                struct ds s = DS_EMPTY_INITIALIZER;

                flow_format(&s, &flow, NULL);
                fprintf(stderr, "rule matches a packet that the megaflow "
                        "does not: %s\n", ds_cstr(&s));
                ds_destroy(&s);
            }
            c->rule_only++;
        }
        dp_packet_delete(packet);
    }
}

static const struct {
    const char *flow;
    const char *actions;
    bool ignore_vlan;           /* Wildcard the VLAN headers. */
    bool clear_dl_type;         /* Wildcard dl_type. */
    bool clear_nw_proto;        /* Wildcard nw_proto. */
    bool exact;                 /* The rule matches all the megaflow does,
                                 * for the packets random_spec() makes. */
} megaflows[] = {
    { "in_port(1),eth(src=00:00:00:00:00:01/ff:ff:ff:00:00:00,"
      "dst=00:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1/"
      "255.255.255.0,proto=6,frag=no),tcp(dst=80)", "2", false, false, false,
      true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)", "2",
      false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(frag=first)", "2",
      false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(frag=later)", "2",
      false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp(dst=80/0xfff0)",
      "2", false, false, false, false },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp(dst=0)",
      "2", false, false, false, false },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=no),"
      "udp(src=53)", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),"
      "tcp_flags(+syn-ack)", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),tcp(),"
      "tcp_flags(-syn)", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=1,frag=no),"
      "icmp(type=8)", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(tos=0x10/0xfc,ttl=64,"
      "proto=132,frag=no),sctp(dst=5000)", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::,"
      "proto=17,frag=no),udp(dst=53)", "2", false, false, false, false },
    { "in_port(1),eth(),eth_type(0x86dd),ipv6(dst=2001:db8::1)", "2",
      false, false, false, false },
    { "in_port(1),eth(),eth_type(0x86dd),ipv6(proto=58,frag=no),"
      "icmpv6(type=128)", "2", false, false, false, false },
    { "in_port(1),eth(),eth_type(0x0806),arp(op=1,tip=10.0.0.1)", "2",
      false, false, false, true },
    { "in_port(1),eth(),eth_type(0x8035),arp(op=2,sha=00:00:00:00:00:00)",
      "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x8100),vlan(vid=10),"
      "encap(eth_type(0x0800),ipv4(frag=no))", "2", false, false, false,
      true },
    { "in_port(1),eth(),eth_type(0x88a8),vlan(vid=10,pcp=3),"
      "encap(eth_type(0x88cc))", "2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x8100),vlan(vid=0),"
      "encap(eth_type(0x88cc))", "2", false, true, false, true },
    { "in_port(1),eth(dst=00:00:00:00:00:02),eth_type(0x88cc)", "2",
      false, false, false, true },
    { "in_port(1),ct_state(-trk),eth(),eth_type(0x0800),ipv4(frag=no)", "2",
      false, false, false, true },
    { "in_port(1),eth(src=00:00:00:00:00:01),eth_type(0x88cc)", "2",
      true, true, false, true },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)", "2",
      true, false, false, false },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(src=10.0.0.1,proto=17),"
      "udp()", "set(ipv4(src=1.1.1.1)),2", false, false, true, false },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp()",
      "set(tcp(dst=1)),2", false, false, false, false },
    { "in_port(1),eth(),eth_type(0x0800),ipv4(proto=17,frag=first),udp()",
      "set(ipv4(ttl=1)),2", false, false, false, true },
    { "in_port(1),eth(),eth_type(0x86dd),ipv6(proto=17,frag=no),udp()", "2",
      false, false, false, false },
};

/* Parses and translates megaflows[i]. */
static struct esw_flower_rule *
invariant_rule(size_t i, struct match *m)
{
    parse_match(megaflows[i].flow, m, true);
    if (megaflows[i].ignore_vlan) {
        memset(&m->wc.masks.vlans, 0, sizeof m->wc.masks.vlans);
    }
    if (megaflows[i].clear_dl_type) {
        m->wc.masks.dl_type = 0;
    }
    if (megaflows[i].clear_nw_proto) {
        m->wc.masks.nw_proto = 0;
    }
    return expect_ok_match(m, megaflows[i].actions);
}

static void
test_invariant(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(megaflows); i++) {
        struct invariant_counts c;
        struct match m;
        struct esw_flower_rule *r = invariant_rule(i, &m);

        check_packets(&m, r, 0x9e3779b9 + i, 5000, true, &c);
        if (getenv("XLATE_DEBUG") || c.rule_only || !c.both
            || (megaflows[i].exact && c.megaflow_only)) {
            fprintf(stderr, "megaflow %zu %s: %d both, %d megaflow only, "
                    "%d rule only\n", i, megaflows[i].flow, c.both,
                    c.megaflow_only, c.rule_only);
        }
        CU_ASSERT_EQUAL(c.rule_only, 0);
        CU_ASSERT_TRUE(c.both > 0);
        if (megaflows[i].exact) {
            CU_ASSERT_EQUAL(c.megaflow_only, 0);
        } else {
            CU_ASSERT_TRUE(c.megaflow_only > 0);
        }
        free(r);
    }
}

/* The check above finds a rule that is broader than its megaflow. */
static void
test_invariant_detects_broader(void)
{
    /* Megaflows whose rules are made broader, one way each. */
    static const size_t cases[] = { 1, 5, 26, 16, 14, 19 };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct invariant_counts c;
        struct match m;
        struct esw_flower_rule *r = invariant_rule(cases[i], &m);

        switch (i) {
        case 0:     /* ipv4(frag=no) without ip_flags. */
        case 1:     /* tcp(dst=0): first fragments not excluded. */
        case 2:     /* IPv6: later fragments not excluded. */
            r->mask.ip_flags = r->key.ip_flags = 0;
            break;
        case 3:     /* VLAN without the tag. */
            r->mask.eth_type = 0;
            r->mask.vlan_id = 0;
            r->mask.vlan_eth_type = 0;
            r->protocol = htons(ETH_P_ALL);
            break;
        case 4:     /* ARP without the opcode. */
            r->mask.arp_op = 0;
            r->key.arp_op = 0;
            break;
        case 5:     /* Untagged, with protocol all. */
            r->protocol = htons(ETH_P_ALL);
            break;
        }
        check_packets(&m, r, 12345, 3000, false, &c);
        CU_ASSERT_TRUE(c.rule_only > 0);
        free(r);
    }
}

/* Makes '*m' a random megaflow as dpif-netdev would get it: the flow of a
 * random packet on port 1, masked at random (each field wildcarded, exact
 * or random bits), through the datapath's netlink form and back.  Returns
 * false if OVS would not take it. */
static bool
random_megaflow(uint32_t *rng, struct match *m)
{
    /* Fields that megaflows of received packets match. */
    static const struct {
        size_t offset;
        size_t size;
    } fields[] = {
#define FIELD(MEMBER) \
    { offsetof(struct flow, MEMBER), sizeof ((struct flow *) NULL)->MEMBER }
        FIELD(dl_dst), FIELD(dl_src), FIELD(dl_type), FIELD(vlans[0]),
        FIELD(vlans[1]), FIELD(nw_src), FIELD(nw_dst), FIELD(ipv6_src),
        FIELD(ipv6_dst), FIELD(ipv6_label), FIELD(nw_proto), FIELD(nw_tos),
        FIELD(nw_ttl), FIELD(nw_frag), FIELD(tp_src), FIELD(tp_dst),
        FIELD(tcp_flags), FIELD(arp_sha), FIELD(arp_tha),
#undef FIELD
    };
    struct dp_packet *packet = dp_packet_new(256);
    struct ofpbuf key, mask_buf;
    struct flow flow, mask;
    struct pkt_spec spec;
    bool ok;

    memset(&flow, 0, sizeof flow);
    random_spec(rng, &flow, &spec);
    build_packet(packet, &spec);
    pkt_metadata_init(&packet->md, u32_to_odp(1));
    flow_extract(packet, &flow);
    dp_packet_delete(packet);

    memset(&mask, 0, sizeof mask);
    mask.in_port.odp_port = ODPP_NONE;
    mask.recirc_id = UINT32_MAX;
    for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
        uint8_t *p = (uint8_t *) &mask + fields[f].offset;
        uint32_t mode = rng_next(rng) % 5;

        if (fields[f].offset == offsetof(struct flow, dl_type)) {
            /* OVS always matches it exactly (the tests above do not). */
            mode = 2;
        } else if (fields[f].offset == offsetof(struct flow, vlans[1])
                   && rng_next(rng) % 8) {
            mode = 0;
        }
        for (size_t j = 0; j < fields[f].size; j++) {
            p[j] = (mode < 2 ? 0 : mode < 4 ? 0xff
                    : rng_next(rng) % 2 ? rng_next(rng) : 0xff);
        }
    }

    struct odp_flow_key_parms parms = {
        .flow = &flow,
        .mask = &mask,
        .support = { .max_vlan_headers = 2, .recirc = true },
    };
    ofpbuf_init(&key, 0);
    ofpbuf_init(&mask_buf, 0);
    odp_flow_key_from_flow(&parms, &key);
    parms.key_buf = &key;
    odp_flow_key_from_mask(&parms, &mask_buf);

    memset(m, 0, sizeof *m);
    ok = (odp_flow_key_to_flow(key.data, key.size, &m->flow, NULL)
          == ODP_FIT_PERFECT
          && odp_flow_key_to_mask(mask_buf.data, mask_buf.size, &m->wc,
                                  &m->flow, NULL) == ODP_FIT_PERFECT
          && m->wc.masks.in_port.odp_port == ODPP_NONE);
    if (!m->wc.masks.vlans[0].tci) {
        m->wc.masks.vlans[0].tci = htons(VLAN_VID_MASK | VLAN_CFI);
    }
    if (rng_next(rng) % 4 == 0) {
        /* As in many of OVS's megaflows of tagged packets. */
        m->wc.masks.vlans[0].tpid = 0;
    }
    ofpbuf_uninit(&key);
    ofpbuf_uninit(&mask_buf);
    return ok;
}

/* Random megaflows: whatever is translated keeps the invariant. */
static void
test_invariant_random_megaflows(void)
{
    struct vlog_module *odp_util = vlog_module_from_name("odp_util");
    enum vlog_level level = vlog_get_level(odp_util, VLF_CONSOLE);
    int n_valid = 0, n_ok = 0, n_checked = 0;
    uint32_t rng = 0x2545f491;
    struct ofpbuf actions;

    /* OVS warns about the masks it refuses, as it should. */
    vlog_set_levels(odp_util, VLF_CONSOLE, VLL_ERR);
    parse_actions("2", &actions);
    for (int i = 0; i < 2000; i++) {
        struct esw_flower_rule *r;
        struct invariant_counts c;
        enum esw_xlate_reason reason;
        struct match m;
        char *text;

        if (!random_megaflow(&rng, &m)) {
            continue;
        }
        n_valid++;
        r = xmalloc(sizeof *r);
        reason = esw_offload_xlate(&m, actions.data, actions.size,
                                   &test_port_map, r, &text);
        if (getenv("XLATE_DEBUG")) {
            fprintf(stderr, "random megaflow %d: %s\n", i,
                    text ? text : "ok");
        }
        CU_ASSERT_TRUE(reason ? text && !strchr(text, '\n') : !text);
        if (!reason) {
            n_ok++;
            CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
            check_packets(&m, r, rng_next(&rng), 400, true, &c);
            CU_ASSERT_EQUAL(c.rule_only, 0);
            n_checked += c.both > 0;
        }
        free(text);
        free(r);
    }
    ofpbuf_uninit(&actions);
    vlog_set_levels(odp_util, VLF_CONSOLE, level);
    if (getenv("XLATE_DEBUG")) {
        fprintf(stderr, "%d random megaflows, %d translated, %d of them "
                "matched some packets\n", n_valid, n_ok, n_checked);
    }
    CU_ASSERT_TRUE(n_valid >= 1000);
    CU_ASSERT_TRUE(n_ok >= 200);
    CU_ASSERT_TRUE(n_checked >= 100);
}

/* Random bytes as actions: no crash, no read outside them, and a valid
 * rule or an empty one. */
static void
test_random_actions(void)
{
    struct esw_flower_rule *r = xmalloc(sizeof *r);
    uint32_t rng = 0x1234567;
    struct match m;
    int n_ok = 0;

    parse_match("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6,frag=no),"
                "tcp()", &m, true);
    for (int i = 0; i < 20000; i++) {
        size_t len = rng_next(&rng) % 64;
        void *mem = xmalloc(len ? len : 1);
        uint8_t *buf = mem;
        enum esw_xlate_reason reason;

        /* Mostly plausible headers: small lengths and known types. */
        for (size_t j = 0; j < len; j++) {
            buf[j] = rng_next(&rng);
        }
        for (size_t j = 0; j + 4 <= len; j += 4 + rng_next(&rng) % 12) {
            uint16_t nla_len = 4 + rng_next(&rng) % 16;
            uint16_t type = rng_next(&rng) % 28;

            memcpy(buf + j, &nla_len, 2);
            memcpy(buf + j + 2, &type, 2);
        }
        reason = esw_offload_xlate(&m, mem, len, &test_port_map, r, NULL);
        CU_ASSERT_TRUE(reason < ESW_XLATE_N_REASONS);
        if (reason == ESW_XLATE_OK) {
            n_ok++;
            CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
        } else {
            CU_ASSERT_TRUE(rule_is_empty(r));
        }
        free(mem);
    }
    CU_ASSERT_TRUE(n_ok > 0);
    free(r);
}

CU_pSuite
test_esw_offload_xlate_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(reason_strings), T(tcp_example), T(eth_masked), T(dl_type),
        T(vlan), T(ipv4_fields), T(frag), T(ipv6), T(l4), T(arp),
        T(metadata), T(unconsumed), T(in_port), T(output), T(drop),
        T(vlan_actions), T(set_eth), T(set_ipv4), T(set_ipv6),
        T(set_ports), T(action_order), T(unsupported_actions),
        T(too_many_actions), T(malformed_actions), T(reason_text_optional),
        T(prio_map), T(invariant), T(invariant_detects_broader),
        T(invariant_random_megaflows), T(random_actions),
#undef T
    };
    CU_pSuite suite = CU_add_suite("esw_offload_xlate", NULL, NULL);

    if (!suite) {
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (!CU_add_test(suite, tests[i].name, tests[i].func)) {
            return NULL;
        }
    }
    return suite;
}
