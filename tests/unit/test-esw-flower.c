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

/* The rule model: esw_flower_rule_check(), _same_match() and _format(). */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_vlan.h>

#include "esw-flower.h"
#include "esw-unittest.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* A valid rule: IPv4 TCP to port 80, redirected to ifindex 4. */
static struct esw_flower_rule *
tcp_rule(void)
{
    struct esw_flower_rule *r = xmalloc(sizeof *r);

    esw_flower_rule_init(r);
    r->ifindex = 3;
    r->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    r->prio = 2;
    r->protocol = htons(ETH_P_IP);
    r->handle = 1;
    r->flags = TCA_CLS_FLAGS_SKIP_SW;
    r->key.eth_type = htons(ETH_P_IP);
    r->mask.eth_type = OVS_BE16_MAX;
    r->key.ip_proto = IPPROTO_TCP;
    r->mask.ip_proto = UINT8_MAX;
    r->key.tp_dst = htons(80);
    r->mask.tp_dst = OVS_BE16_MAX;
    r->n_actions = 1;
    r->actions[0].type = ESW_FLOWER_ACT_MIRRED;
    r->actions[0].control = TC_ACT_STOLEN;
    r->actions[0].mirred.eaction = TCA_EGRESS_REDIR;
    r->actions[0].mirred.ifindex = 4;
    return r;
}

static void
test_init(void)
{
    struct esw_flower_rule *r = xmalloc(sizeof *r);

    memset(r, 0xff, sizeof *r);
    esw_flower_rule_init(r);
    CU_ASSERT(is_all_zeros(r, sizeof *r));
    free(r);
}

/* Checks that 'r' is refused with a message that contains 'word'. */
static void
expect_invalid(const struct esw_flower_rule *r, const char *word)
{
    char *err = NULL;

    CU_ASSERT_EQUAL(esw_flower_rule_check(r, &err), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(err);
    if (err) {
        CU_ASSERT_PTR_NOT_NULL(strstr(err, word));
        if (!strstr(err, word)) {
            fprintf(stderr, "\"%s\" does not name %s\n", err, word);
        }
    }
    free(err);
}

static void
test_check_valid(void)
{
    struct esw_flower_rule *r = tcp_rule();
    char *err = (char *) "unchanged";

    CU_ASSERT_EQUAL(esw_flower_rule_check(r, &err), 0);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
    free(r);
}

static void
test_check_dependencies(void)
{
    struct esw_flower_rule *r = tcp_rule();

    /* Ports need ip_proto tcp, udp or sctp. */
    r->key.ip_proto = IPPROTO_ICMP;
    expect_invalid(r, "dst_port");
    r->key.ip_proto = IPPROTO_TCP;

    /* ip_proto needs IPv4 or IPv6. */
    r->key.eth_type = htons(ETH_P_ARP);
    expect_invalid(r, "ip_proto");
    r->key.eth_type = htons(ETH_P_IP);

    /* IPv6 addresses need IPv6. */
    r->mask.ipv6_dst = in6addr_exact;
    expect_invalid(r, "IPv6");
    memset(&r->mask.ipv6_dst, 0, sizeof r->mask.ipv6_dst);

    /* tcp_flags need TCP. */
    r->key.ip_proto = IPPROTO_UDP;
    r->mask.tcp_flags = htons(0x12);
    expect_invalid(r, "tcp_flags");
    r->key.ip_proto = IPPROTO_TCP;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
    r->mask.tcp_flags = 0;

    /* ICMP fields need icmp with IPv4. */
    r->mask.icmp_type = 0xff;
    expect_invalid(r, "ICMP");
    r->key.ip_proto = IPPROTO_ICMP;
    r->mask.tp_dst = 0;
    r->key.tp_dst = 0;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
    r->key.eth_type = r->protocol = htons(ETH_P_IPV6);
    expect_invalid(r, "ICMP");
    r->key.ip_proto = IPPROTO_ICMPV6;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);

    /* ARP keys need ARP. */
    r->mask.arp_op = 0xff;
    expect_invalid(r, "arp");
    free(r);
}

static void
test_check_vlan(void)
{
    struct esw_flower_rule *r = tcp_rule();

    r->mask.vlan_id = UINT16_MAX;
    r->key.vlan_id = 10;
    expect_invalid(r, "vlan_id");

    r->key.eth_type = r->protocol = htons(ETH_P_8021Q);
    /* The L3 keys now need the inner type. */
    expect_invalid(r, "ip_proto");
    r->key.vlan_eth_type = htons(ETH_P_IP);
    r->mask.vlan_eth_type = OVS_BE16_MAX;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);

    r->key.vlan_id = 4096;
    expect_invalid(r, "vlan_id");
    r->key.vlan_id = 10;

    r->key.vlan_eth_type = htons(ETH_P_8021AD);
    expect_invalid(r, "vlan_ethtype");
    free(r);
}

static void
test_check_masks(void)
{
    struct esw_flower_rule *r = tcp_rule();

    r->key.ipv4_dst = htonl(0x0a000001);
    r->mask.ipv4_dst = htonl(0xffffff00);
    expect_invalid(r, "dst_ip");
    r->key.ipv4_dst = htonl(0x0a000000);
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);

    r->mask.ip_proto = 0x0f;
    expect_invalid(r, "ip_proto");
    r->mask.ip_proto = 0xff;

    r->mask.ip_flags = 4;
    expect_invalid(r, "ip_flags");
    free(r);
}

static void
test_check_actions(void)
{
    struct esw_flower_rule *r = tcp_rule();

    r->n_actions = 0;
    expect_invalid(r, "action");
    r->n_actions = 1;

    r->actions[0].mirred.ifindex = 0;
    expect_invalid(r, "mirred");
    r->actions[0].mirred.ifindex = 4;

    r->actions[0].control = 99;
    expect_invalid(r, "control");
    r->actions[0].control = TC_ACT_GOTO_CHAIN | 5;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
    r->actions[0].control = TC_ACT_STOLEN;

    r->actions[0].type = ESW_FLOWER_ACT_VLAN;
    r->actions[0].vlan.action = TCA_VLAN_ACT_PUSH;
    r->actions[0].vlan.id = 5;
    r->actions[0].vlan.proto = htons(ETH_P_IP);
    expect_invalid(r, "vlan");
    r->actions[0].vlan.proto = htons(ETH_P_8021AD);
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);
    r->actions[0].vlan.keep_prio = true;
    expect_invalid(r, "keep_prio");

    memset(&r->actions[0], 0, sizeof r->actions[0]);
    r->actions[0].type = ESW_FLOWER_ACT_PEDIT;
    expect_invalid(r, "pedit");
    r->actions[0].pedit.n_keys = 1;
    r->actions[0].pedit.keys[0].offset = 2;
    expect_invalid(r, "pedit");
    r->actions[0].pedit.keys[0].offset = 4;
    CU_ASSERT_EQUAL(esw_flower_rule_check(r, NULL), 0);

    memset(&r->actions[0], 0, sizeof r->actions[0]);
    r->actions[0].type = ESW_FLOWER_ACT_CSUM;
    expect_invalid(r, "csum");

    r->actions[0].type = 42;
    expect_invalid(r, "unknown");
    free(r);
}

static void
test_check_flags_chain(void)
{
    struct esw_flower_rule *r = tcp_rule();

    r->flags = TCA_CLS_FLAGS_SKIP_SW | TCA_CLS_FLAGS_SKIP_HW;
    expect_invalid(r, "skip_hw");
    r->flags = 1u << 20;
    expect_invalid(r, "flags");
    r->flags = 0;
    r->chain = 1u << 28;
    expect_invalid(r, "chain");
    free(r);
}

static void
test_same_match(void)
{
    struct esw_flower_rule *a = tcp_rule();
    struct esw_flower_rule *b = tcp_rule();

    /* Actions, handle, flags and stats do not matter. */
    b->actions[0].mirred.ifindex = 9;
    b->handle = 77;
    b->flags = 0;
    b->actions[0].stats.packets = 5;
    CU_ASSERT(esw_flower_rule_same_match(a, b));

    b->key.tp_dst = htons(81);
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    b->key.tp_dst = a->key.tp_dst;

    b->prio = 9;
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    b->prio = a->prio;

    b->chain = 1;
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    b->chain = a->chain;

    b->ifindex = 99;
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    b->ifindex = a->ifindex;

    ovs_strzcpy(b->key.indev, "eth0", IFNAMSIZ);
    memset(b->mask.indev, 0xff, IFNAMSIZ);
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    ovs_strzcpy(a->key.indev, "eth0", IFNAMSIZ);
    memset(a->mask.indev, 0xff, IFNAMSIZ);
    CU_ASSERT(esw_flower_rule_same_match(a, b));

    b->mask.tp_dst = htons(0xff00);
    b->key.tp_dst = htons(0);
    CU_ASSERT_FALSE(esw_flower_rule_same_match(a, b));
    free(a);
    free(b);
}

static void
test_format(void)
{
    struct esw_flower_rule *r = tcp_rule();
    struct ds ds = DS_EMPTY_INITIALIZER;

    r->key.ipv4_dst = htonl(0x0a000000);
    r->mask.ipv4_dst = htonl(0xff000000);
    r->actions[0].cookie_len = 2;
    r->actions[0].cookie[0] = 0xab;
    r->actions[0].cookie[1] = 0xcd;
    esw_flower_rule_format(r, &ds);
    CU_ASSERT_STRING_EQUAL(ds_cstr(&ds),
                           "filter dev 3 ingress protocol ipv4 pref 2 flower "
                           "chain 0 handle 0x1 eth_type ipv4 ip_proto 6 "
                           "dst_ip 10.0.0.0/8 dst_port 80 skip_sw "
                           "action order 1: mirred (Egress Redirect to "
                           "ifindex 4) stolen cookie abcd");
    ds_destroy(&ds);
    free(r);
}

static const char *
test_ifname(int ifindex, void *aux OVS_UNUSED)
{
    return ifindex == 3 ? "rep0" : ifindex == 4 ? "rep1" : NULL;
}

/* The "tc filter add" form: tc's protocol names, no eth_type, each action
 * with its control word only where tc's default differs. */
static void
test_format_command(void)
{
    struct esw_flower_rule *r = tcp_rule();
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct esw_flower_action *a;

    /* vlan push, then csum, then the mirred redirect of tcp_rule(). */
    r->actions[2] = r->actions[0];
    a = &r->actions[0];
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_VLAN;
    a->control = TC_ACT_PIPE;
    a->vlan.action = TCA_VLAN_ACT_PUSH;
    a->vlan.id = 100;
    a->vlan.prio = 3;
    a->vlan.proto = htons(ETH_P_8021Q);
    a = &r->actions[1];
    memset(a, 0, sizeof *a);
    a->type = ESW_FLOWER_ACT_CSUM;
    a->control = TC_ACT_PIPE;
    a->csum.update_flags = TCA_CSUM_UPDATE_FLAG_IPV4HDR
                           | TCA_CSUM_UPDATE_FLAG_TCP;
    r->n_actions = 3;
    r->actions[2].mirred.ifindex = 9;

    esw_flower_rule_format_command(r, test_ifname, NULL, &ds);
    CU_ASSERT_STRING_EQUAL(ds_cstr(&ds),
                           "tc filter add dev rep0 ingress protocol ip "
                           "prio 2 handle 0x1 chain 0 flower skip_sw "
                           "ip_proto 6 dst_port 80 action vlan push id 100 "
                           "protocol 802.1Q priority 3 action csum ip4h tcp "
                           "pipe action mirred egress redirect dev "
                           "ifindex:9");
    ds_destroy(&ds);
    free(r);
}

CU_pSuite
test_esw_flower_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(init), T(check_valid), T(check_dependencies), T(check_vlan),
        T(check_masks), T(check_actions), T(check_flags_chain),
        T(same_match), T(format), T(format_command),
#undef T
    };
    CU_pSuite suite = CU_add_suite("esw_flower", NULL, NULL);

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
