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

/* The oracle of the TC flower codec: the requests that iproute2's tc sent
 * for a set of command lines, captured by tests/data/capture-netlink.sh into
 * tests/data/tc/.  For each one, the test decodes tc's bytes, checks the
 * rule field by field against what the command line says (written out by
 * hand below, one function per command), and re-encodes the rule: the
 * bytes must be tc's, byte for byte.
 *
 * The data directory is $ESW_TEST_DATA_DIR if set, otherwise found from
 * this file's name (tests/unit/../data). */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "esw-flower.h"
#include "esw-unittest.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "tc-flower-codec.h"
#include "util.h"

/* One captured request. */
struct oracle {
    char *command;
    int ifindex0;               /* eswcap0. */
    int ifindex1;               /* eswcap1. */
    uint8_t *msg;
    size_t len;
};

static char *
data_dir(void)
{
    const char *env = getenv("ESW_TEST_DATA_DIR");
    if (env && env[0]) {
        return xstrdup(env);
    }

    const char *slash = strrchr(__FILE__, '/');
    return (slash
            ? xasprintf("%.*s/../data", (int) (slash - __FILE__), __FILE__)
            : xstrdup("../data"));
}

static void
oracle_destroy(struct oracle *o)
{
    free(o->command);
    free(o->msg);
}

static int
hex_digit(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Reads tests/data/tc/NAME.txt into 'o'.  Returns false (and reports a
 * CUnit failure) if it cannot. */
static bool
oracle_load(const char *name, struct oracle *o)
{
    char *dir = data_dir();
    char *file_name = xasprintf("%s/tc/%s.txt", dir, name);
    FILE *file = fopen(file_name, "r");
    struct ds hex = DS_EMPTY_INITIALIZER;
    char line[1024];

    memset(o, 0, sizeof *o);
    free(dir);
    if (!file) {
        fprintf(stderr, "%s: cannot open\n", file_name);
        free(file_name);
        CU_FAIL("oracle file missing");
        return false;
    }
    while (fgets(line, sizeof line, file)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "command: ", 9)) {
            o->command = xstrdup(line + 9);
        } else if (!strncmp(line, "ifindex: ", 9)) {
            if (sscanf(line + 9, "eswcap0=%d eswcap1=%d", &o->ifindex0,
                       &o->ifindex1) != 2) {
                CU_FAIL("bad ifindex line");
            }
        } else if (!strncmp(line, "hex: ", 5)) {
            ds_put_cstr(&hex, line + 5);
        }
    }
    fclose(file);
    free(file_name);

    o->len = hex.length / 2;
    o->msg = xmalloc(o->len + 4);
    for (size_t i = 0; i < o->len; i++) {
        int hi = hex_digit(hex.string[2 * i]);
        int lo = hex_digit(hex.string[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            CU_FAIL("bad hex");
            break;
        }
        o->msg[i] = hi * 16 + lo;
    }
    ds_destroy(&hex);

    const struct nlmsghdr *nlh = (const struct nlmsghdr *) (void *) o->msg;
    bool ok = (o->command && o->ifindex0 > 0 && o->ifindex1 > 0
               && o->len >= sizeof *nlh && nlh->nlmsg_len == o->len);
    CU_ASSERT(ok);
    if (!ok) {
        oracle_destroy(o);
    }
    return ok;
}

static const struct nlmsghdr *
oracle_nlh(const struct oracle *o)
{
    return (const struct nlmsghdr *) (const void *) o->msg;
}

/* Checks that the 'len' bytes at 'msg' are the oracle's, with seq and pid
 * of the oracle. */
static void
check_bytes(const struct oracle *o, const void *msg, size_t len)
{
    bool same = len == o->len && !memcmp(msg, o->msg, len);

    CU_ASSERT(same);
    if (!same) {
        struct ds ds = DS_EMPTY_INITIALIZER;

        ds_put_format(&ds, "%s\n tc sent:\n", o->command);
        ds_put_hex_dump(&ds, o->msg, o->len, 0, false);
        ds_put_cstr(&ds, " we encoded:\n");
        ds_put_hex_dump(&ds, msg, len, 0, false);
        fprintf(stderr, "%s", ds_cstr(&ds));
        ds_destroy(&ds);
    }
}

/* Building the expected rules. */

static struct esw_flower_rule *
new_rule(const struct oracle *o, uint16_t protocol, uint16_t prio,
         uint32_t handle, uint32_t chain, uint32_t flags)
{
    struct esw_flower_rule *r = xmalloc(sizeof *r);

    esw_flower_rule_init(r);
    r->ifindex = o->ifindex0;
    r->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    r->protocol = htons(protocol);
    r->prio = prio;
    r->handle = handle;
    r->chain = chain;
    r->flags = flags;
    if (protocol != ETH_P_ALL) {
        r->key.eth_type = htons(protocol);
        r->mask.eth_type = OVS_BE16_MAX;
    }
    return r;
}

static void
set_mac(struct eth_addr *key, struct eth_addr *mask, const char *k,
        const char *m)
{
    CU_ASSERT_FATAL(eth_addr_from_string(k, key));
    CU_ASSERT_FATAL(eth_addr_from_string(m, mask));
}

static void
set_ip4(ovs_be32 *key, ovs_be32 *mask, const char *s)
{
    char *error = ip_parse_masked(s, key, mask);
    CU_ASSERT_PTR_NULL_FATAL(error);
}

static void
set_ip6(struct in6_addr *key, struct in6_addr *mask, const char *s)
{
    char *error = ipv6_parse_masked(s, key, mask);
    CU_ASSERT_PTR_NULL_FATAL(error);
}

static void
set_ip_proto(struct esw_flower_rule *r, uint8_t proto)
{
    r->key.ip_proto = proto;
    r->mask.ip_proto = UINT8_MAX;
}

static struct esw_flower_action *
add_action(struct esw_flower_rule *r, enum esw_flower_action_type type,
           int control)
{
    struct esw_flower_action *a = &r->actions[r->n_actions++];

    a->type = type;
    a->control = control;
    return a;
}

static void
add_mirred(struct esw_flower_rule *r, int eaction, int ifindex, int control)
{
    struct esw_flower_action *a = add_action(r, ESW_FLOWER_ACT_MIRRED,
                                             control);
    a->mirred.eaction = eaction;
    a->mirred.ifindex = ifindex;
}

static void
add_redirect(struct esw_flower_rule *r, int ifindex)
{
    add_mirred(r, TCA_EGRESS_REDIR, ifindex, TC_ACT_STOLEN);
}

static void
add_vlan(struct esw_flower_rule *r, int action, uint16_t id,
         uint16_t proto, uint8_t prio)
{
    struct esw_flower_action *a = add_action(r, ESW_FLOWER_ACT_VLAN,
                                             TC_ACT_PIPE);
    a->vlan.action = action;
    a->vlan.id = id;
    a->vlan.proto = htons(proto);
    a->vlan.prio = prio;
}

/* Adds to the pedit action 'a' a key whose value and mask are given as the
 * 4 bytes they are in memory. */
static void
add_pedit_key(struct esw_flower_action *a, uint8_t htype, uint8_t cmd,
              uint32_t offset, const uint8_t val[4], const uint8_t mask[4])
{
    struct esw_flower_pedit_key *k = &a->pedit.keys[a->pedit.n_keys++];

    k->htype = htype;
    k->cmd = cmd;
    k->offset = offset;
    memcpy(&k->val, val, 4);
    memcpy(&k->mask, mask, 4);
}

static void
add_cookie(struct esw_flower_action *a, const char *hex)
{
    a->cookie_len = strlen(hex) / 2;
    for (size_t i = 0; i < a->cookie_len; i++) {
        a->cookie[i] = hex_digit(hex[2 * i]) * 16 + hex_digit(hex[2 * i + 1]);
    }
}

/* The expected rule of each "tc filter add|replace" command, written from
 * the command line (see tests/data/capture-netlink.sh). */

static struct esw_flower_rule *
expect_flower_eth_exact(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ALL, 1, 1, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_mac(&r->key.eth_dst, &r->mask.eth_dst, "02:00:00:00:00:01",
            "ff:ff:ff:ff:ff:ff");
    set_mac(&r->key.eth_src, &r->mask.eth_src, "02:00:00:00:00:02",
            "ff:ff:ff:ff:ff:ff");
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_flower_eth_masked(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, 0x88cc, 7, 0x20, 0,
                                         TCA_CLS_FLAGS_SKIP_HW);
    set_mac(&r->key.eth_dst, &r->mask.eth_dst, "01:80:c2:00:00:00",
            "ff:ff:ff:00:00:f0");
    set_mac(&r->key.eth_src, &r->mask.eth_src, "02:00:00:00:00:00",
            "ff:ff:ff:00:00:00");
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_ipv4_tcp_redirect(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 2, 1, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_mac(&r->key.eth_dst, &r->mask.eth_dst, "00:11:22:33:44:55",
            "ff:ff:ff:ff:ff:ff");
    set_ip_proto(r, IPPROTO_TCP);
    r->key.tp_dst = htons(80);
    r->mask.tp_dst = OVS_BE16_MAX;
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_flower_ipv4_udp(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 3, 2, 1,
                                         TCA_CLS_FLAGS_SKIP_HW);
    set_ip_proto(r, IPPROTO_UDP);
    r->key.ip_tos = 0x10;
    r->mask.ip_tos = 0xfc;
    r->key.ip_ttl = 64;
    r->mask.ip_ttl = 0xff;
    set_ip4(&r->key.ipv4_dst, &r->mask.ipv4_dst, "10.1.0.0/16");
    set_ip4(&r->key.ipv4_src, &r->mask.ipv4_src, "192.168.1.7");
    r->key.tp_dst = htons(53);
    r->mask.tp_dst = OVS_BE16_MAX;
    r->key.tp_src = htons(4096);
    r->mask.tp_src = htons(0xf000);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_OK);
    return r;
}

static struct esw_flower_rule *
expect_flower_ipv4_tos_ttl_exact(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 3, 3, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    r->key.ip_tos = 184;
    r->mask.ip_tos = 0xff;
    r->key.ip_ttl = 1;
    r->mask.ip_ttl = 0xff;
    set_ip4(&r->key.ipv4_dst, &r->mask.ipv4_dst, "10.0.0.0/8");
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_tcp_flags(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 4, 4, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_TCP);
    r->key.tp_dst = htons(7936);
    r->mask.tp_dst = htons(0xff00);
    r->key.tp_src = htons(22);
    r->mask.tp_src = OVS_BE16_MAX;
    r->key.tcp_flags = htons(0x2);
    r->mask.tcp_flags = htons(0x12);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_tcp_flags_exact(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IPV6, 4, 5, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_TCP);
    r->key.tcp_flags = htons(0x10);
    r->mask.tcp_flags = htons(0xfff);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_OK);
    return r;
}

static struct esw_flower_rule *
expect_flower_ipv6_sctp(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IPV6, 5, 6, 2,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_SCTP);
    set_ip6(&r->key.ipv6_dst, &r->mask.ipv6_dst, "2001:db8::1");
    set_ip6(&r->key.ipv6_src, &r->mask.ipv6_src, "2001:db8:ff00::/40");
    r->key.tp_dst = htons(3868);
    r->mask.tp_dst = OVS_BE16_MAX;
    r->key.tp_src = htons(1024);
    r->mask.tp_src = htons(0xfc00);
    add_mirred(r, TCA_EGRESS_MIRROR, o->ifindex1, TC_ACT_PIPE);
    add_redirect(r, o->ifindex0);
    return r;
}

static struct esw_flower_rule *
expect_icmp(const struct oracle *o, uint16_t eth_type, uint32_t handle,
            uint8_t proto, uint8_t type, uint8_t type_mask, uint8_t code,
            uint8_t code_mask)
{
    struct esw_flower_rule *r = new_rule(o, eth_type, 6, handle, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, proto);
    r->key.icmp_type = type;
    r->mask.icmp_type = type_mask;
    r->key.icmp_code = code;
    r->mask.icmp_code = code_mask;
    return r;
}

static struct esw_flower_rule *
expect_flower_icmp(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_icmp(o, ETH_P_IP, 7, IPPROTO_ICMP,
                                            8, 0xff, 0, 0xff);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_icmp_masked(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_icmp(o, ETH_P_IP, 8, IPPROTO_ICMP,
                                            3, 15, 0, 0);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_icmpv6(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_icmp(o, ETH_P_IPV6, 9, IPPROTO_ICMPV6,
                                            135, 0xff, 0, 0xff);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_flower_arp(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ARP, 8, 10, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip4(&r->key.arp_tip, &r->mask.arp_tip, "10.0.0.1");
    set_ip4(&r->key.arp_sip, &r->mask.arp_sip, "10.0.0.0/24");
    r->key.arp_op = 1;
    r->mask.arp_op = 0xff;
    set_mac(&r->key.arp_tha, &r->mask.arp_tha, "02:00:00:00:00:09",
            "ff:ff:ff:ff:ff:ff");
    set_mac(&r->key.arp_sha, &r->mask.arp_sha, "02:00:00:00:00:00",
            "ff:ff:ff:00:00:00");
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_flower_arp_op_masked(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ARP, 8, 11, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    r->key.arp_op = 2;
    r->mask.arp_op = 3;
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_vlan_match(const struct oracle *o, uint16_t tpid, uint32_t handle,
                  int vlan_id, int vlan_prio, uint16_t inner)
{
    struct esw_flower_rule *r = new_rule(o, tpid, 9, handle, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    if (vlan_id >= 0) {
        r->key.vlan_id = vlan_id;
        r->mask.vlan_id = UINT16_MAX;
    }
    if (vlan_prio >= 0) {
        r->key.vlan_prio = vlan_prio;
        r->mask.vlan_prio = UINT8_MAX;
    }
    if (inner) {
        r->key.vlan_eth_type = htons(inner);
        r->mask.vlan_eth_type = OVS_BE16_MAX;
    }
    return r;
}

static struct esw_flower_rule *
expect_flower_vlan(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_vlan_match(o, ETH_P_8021Q, 12, 100, 3,
                                                  ETH_P_IP);
    set_ip_proto(r, IPPROTO_UDP);
    r->key.tp_dst = htons(4789);
    r->mask.tp_dst = OVS_BE16_MAX;
    add_vlan(r, TCA_VLAN_ACT_POP, 0, 0, 0);
    r->actions[0].vlan.proto = 0;
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_flower_vlan_8021ad(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_vlan_match(o, ETH_P_8021AD, 13, 5, -1,
                                                  ETH_P_IPV6);
    set_ip6(&r->key.ipv6_dst, &r->mask.ipv6_dst, "2001:db8::7");
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_vlan_id_only(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_vlan_match(o, ETH_P_8021Q, 14, 4094,
                                                  -1, 0);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_ip_flags(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 10, 15, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    r->key.ip_flags = ESW_FLOWER_IP_FLAG_FRAG | ESW_FLOWER_IP_FLAG_FIRSTFRAG;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG | ESW_FLOWER_IP_FLAG_FIRSTFRAG;
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_ip_flags_nofrag(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IPV6, 10, 16, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_UDP);
    r->key.ip_flags = 0;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_OK);
    return r;
}

static struct esw_flower_rule *
expect_flower_indev(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ALL, 11, 17, 0, 0);
    ovs_strzcpy(r->key.indev, "eswcap1", IFNAMSIZ);
    memset(r->mask.indev, 0xff, IFNAMSIZ);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_no_flags_chain(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 65535, 0xfffffffe,
                                         0x0fffffff, 0);
    set_ip4(&r->key.ipv4_dst, &r->mask.ipv4_dst, "10.0.0.1");
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_parent_ffff(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 12, 18, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    r->parent = TC_H_MAKE(TC_H_INGRESS, 0);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_flower_egress(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 12, 19, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    r->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_gact_cookie(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 13, 20, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    add_cookie(add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_OK),
               "0123456789abcdef0011223344556677");
    return r;
}

static struct esw_flower_rule *
expect_action_mirred_mirror_cookies(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 13, 21, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    add_mirred(r, TCA_EGRESS_MIRROR, o->ifindex1, TC_ACT_PIPE);
    add_cookie(&r->actions[0], "01");
    add_redirect(r, o->ifindex0);
    add_cookie(&r->actions[1], "a1b2c3d4");
    return r;
}

static struct esw_flower_rule *
expect_action_mirred_mirror_pipe(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 13, 22, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    add_mirred(r, TCA_EGRESS_MIRROR, o->ifindex1, TC_ACT_PIPE);
    add_action(r, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    return r;
}

static struct esw_flower_rule *
expect_action_vlan_push(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ALL, 14, 23, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    add_vlan(r, TCA_VLAN_ACT_PUSH, 10, ETH_P_8021Q, 5);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_vlan_push_8021ad(const struct oracle *o)
{
    struct esw_flower_rule *r = new_rule(o, ETH_P_ALL, 14, 24, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    add_vlan(r, TCA_VLAN_ACT_PUSH, 4000, ETH_P_8021AD, 0);
    add_vlan(r, TCA_VLAN_ACT_PUSH, 20, ETH_P_8021Q, 7);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_vlan_modify(const struct oracle *o)
{
    struct esw_flower_rule *r = expect_vlan_match(o, ETH_P_8021Q, 25, 30, -1,
                                                  0);
    r->prio = 14;
    add_vlan(r, TCA_VLAN_ACT_MODIFY, 31, ETH_P_8021Q, 2);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_pedit_eth(const struct oracle *o)
{
    static const uint8_t zero[4] = { 0, 0, 0, 0 };
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 15, 26, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    struct esw_flower_action *a = add_action(r, ESW_FLOWER_ACT_PEDIT,
                                             TC_ACT_PIPE);
    uint8_t eth = TCA_PEDIT_KEY_EX_HDR_TYPE_ETH;
    uint8_t set = TCA_PEDIT_KEY_EX_CMD_SET;

    /* dst 02:00:00:00:00:aa at bytes 0-5, src 02:00:00:00:00:bb at 6-11. */
    add_pedit_key(a, eth, set, 0, (uint8_t[4]) { 0x02, 0, 0, 0 }, zero);
    add_pedit_key(a, eth, set, 4, (uint8_t[4]) { 0, 0xaa, 0, 0 },
                  (uint8_t[4]) { 0, 0, 0xff, 0xff });
    add_pedit_key(a, eth, set, 4, (uint8_t[4]) { 0, 0, 0x02, 0 },
                  (uint8_t[4]) { 0xff, 0xff, 0, 0 });
    add_pedit_key(a, eth, set, 8, (uint8_t[4]) { 0, 0, 0, 0xbb }, zero);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_pedit_ip4_csum(const struct oracle *o)
{
    static const uint8_t zero[4] = { 0, 0, 0, 0 };
    struct esw_flower_rule *r = new_rule(o, ETH_P_IP, 15, 27, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_TCP);
    struct esw_flower_action *a = add_action(r, ESW_FLOWER_ACT_PEDIT,
                                             TC_ACT_PIPE);
    uint8_t ip4 = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
    uint8_t set = TCA_PEDIT_KEY_EX_CMD_SET;

    add_pedit_key(a, ip4, set, 12, (uint8_t[4]) { 10, 0, 0, 1 }, zero);
    add_pedit_key(a, ip4, set, 16, (uint8_t[4]) { 10, 0, 0, 2 }, zero);
    /* ttl is byte 8. */
    add_pedit_key(a, ip4, TCA_PEDIT_KEY_EX_CMD_ADD, 8,
                  (uint8_t[4]) { 0xff, 0, 0, 0 },
                  (uint8_t[4]) { 0, 0xff, 0xff, 0xff });
    /* dport is bytes 2-3 of TCP; 8080 = 0x1f90. */
    add_pedit_key(a, TCA_PEDIT_KEY_EX_HDR_TYPE_TCP, set, 0,
                  (uint8_t[4]) { 0, 0, 0x1f, 0x90 },
                  (uint8_t[4]) { 0xff, 0xff, 0, 0 });
    a = add_action(r, ESW_FLOWER_ACT_CSUM, TC_ACT_PIPE);
    a->csum.update_flags = (TCA_CSUM_UPDATE_FLAG_IPV4HDR
                            | TCA_CSUM_UPDATE_FLAG_TCP);
    add_redirect(r, o->ifindex1);
    return r;
}

static struct esw_flower_rule *
expect_action_pedit_ip6_udp(const struct oracle *o)
{
    static const uint8_t zero[4] = { 0, 0, 0, 0 };
    struct esw_flower_rule *r = new_rule(o, ETH_P_IPV6, 15, 28, 0,
                                         TCA_CLS_FLAGS_SKIP_SW);
    set_ip_proto(r, IPPROTO_UDP);
    struct esw_flower_action *a = add_action(r, ESW_FLOWER_ACT_PEDIT,
                                             TC_ACT_PIPE);
    uint8_t ip6 = TCA_PEDIT_KEY_EX_HDR_TYPE_IP6;
    uint8_t set = TCA_PEDIT_KEY_EX_CMD_SET;

    /* dst 2001:db8::2 at bytes 24-39. */
    add_pedit_key(a, ip6, set, 24, (uint8_t[4]) { 0x20, 0x01, 0x0d, 0xb8 },
                  zero);
    add_pedit_key(a, ip6, set, 28, zero, zero);
    add_pedit_key(a, ip6, set, 32, zero, zero);
    add_pedit_key(a, ip6, set, 36, (uint8_t[4]) { 0, 0, 0, 2 }, zero);
    /* hop limit is byte 7. */
    add_pedit_key(a, ip6, TCA_PEDIT_KEY_EX_CMD_ADD, 4,
                  (uint8_t[4]) { 0, 0, 0, 0xff },
                  (uint8_t[4]) { 0xff, 0xff, 0xff, 0 });
    /* sport is bytes 0-1 of UDP. */
    add_pedit_key(a, TCA_PEDIT_KEY_EX_HDR_TYPE_UDP, set, 0,
                  (uint8_t[4]) { 0, 53, 0, 0 },
                  (uint8_t[4]) { 0, 0, 0xff, 0xff });
    a = add_action(r, ESW_FLOWER_ACT_CSUM, TC_ACT_PIPE);
    a->csum.update_flags = TCA_CSUM_UPDATE_FLAG_UDP;
    add_redirect(r, o->ifindex1);
    return r;
}

/* Compares 'rule' with 'expected' field by field. */
static void
check_rule(const struct oracle *o, const struct esw_flower_rule *rule,
           const struct esw_flower_rule *expected)
{
    CU_ASSERT_EQUAL(rule->ifindex, expected->ifindex);
    CU_ASSERT_EQUAL(rule->parent, expected->parent);
    CU_ASSERT_EQUAL(rule->prio, expected->prio);
    CU_ASSERT_EQUAL(rule->protocol, expected->protocol);
    CU_ASSERT_EQUAL(rule->handle, expected->handle);
    CU_ASSERT_EQUAL(rule->chain, expected->chain);
    CU_ASSERT_EQUAL(rule->flags, expected->flags);
    CU_ASSERT(!memcmp(&rule->key, &expected->key, sizeof rule->key));
    CU_ASSERT(!memcmp(&rule->mask, &expected->mask, sizeof rule->mask));
    CU_ASSERT_EQUAL(rule->n_actions, expected->n_actions);
    for (size_t i = 0; i < MIN(rule->n_actions, expected->n_actions); i++) {
        CU_ASSERT(!memcmp(&rule->actions[i], &expected->actions[i],
                          sizeof rule->actions[i]));
    }
    CU_ASSERT(esw_flower_rule_same_match(rule, expected));

    /* The same, readable. */
    struct ds got = DS_EMPTY_INITIALIZER;
    struct ds want = DS_EMPTY_INITIALIZER;
    esw_flower_rule_format(rule, &got);
    esw_flower_rule_format(expected, &want);
    CU_ASSERT_STRING_EQUAL(ds_cstr(&got), ds_cstr(&want));
    if (strcmp(ds_cstr(&got), ds_cstr(&want))) {
        fprintf(stderr, "%s\n decoded:  %s\n expected: %s\n", o->command,
                ds_cstr(&got), ds_cstr(&want));
    }
    ds_destroy(&got);
    ds_destroy(&want);
}

/* Runs the oracle for the "tc filter add|replace" capture 'name'. */
static void
run_new(const char *name,
        struct esw_flower_rule *(*expect)(const struct oracle *),
        uint16_t nlm_flags)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    struct oracle o;
    char *err = NULL;

    if (!oracle_load(name, &o)) {
        free(rule);
        return;
    }
    const struct nlmsghdr *nlh = oracle_nlh(&o);
    CU_ASSERT_EQUAL(nlh->nlmsg_type, RTM_NEWTFILTER);
    CU_ASSERT_EQUAL(nlh->nlmsg_flags,
                    NLM_F_REQUEST | NLM_F_ACK | nlm_flags);

    int error = tc_flower_decode(o.msg, o.len, rule, &err);
    CU_ASSERT_EQUAL(error, 0);
    if (error) {
        fprintf(stderr, "%s: %s\n", o.command, err);
        free(err);
    } else {
        struct esw_flower_rule *expected = expect(&o);
        char *check_err = NULL;

        check_rule(&o, rule, expected);
        CU_ASSERT_EQUAL(esw_flower_rule_check(rule, &check_err), 0);
        if (check_err) {
            fprintf(stderr, "%s: %s\n", o.command, check_err);
            free(check_err);
        }

        /* Byte for byte. */
        uint8_t buf[4096];
        size_t len;
        CU_ASSERT_EQUAL(tc_flower_encode_new(buf, sizeof buf, rule,
                                             nlm_flags, nlh->nlmsg_seq,
                                             &len), 0);
        check_bytes(&o, buf, len);

        /* And from the rule written by hand too. */
        CU_ASSERT_EQUAL(tc_flower_encode_new(buf, sizeof buf, expected,
                                             nlm_flags, nlh->nlmsg_seq,
                                             &len), 0);
        check_bytes(&o, buf, len);
        free(expected);
    }
    free(rule);
    oracle_destroy(&o);
}

#define NEW_CASE(NAME, FUNC)                                             \
    static void                                                         \
    test_##FUNC(void)                                                   \
    {                                                                   \
        run_new(NAME, expect_##FUNC, NLM_F_CREATE | NLM_F_EXCL);        \
    }

NEW_CASE("flower-eth-exact", flower_eth_exact)
NEW_CASE("flower-eth-masked", flower_eth_masked)
NEW_CASE("flower-ipv4-tcp-redirect", flower_ipv4_tcp_redirect)
NEW_CASE("flower-ipv4-udp", flower_ipv4_udp)
NEW_CASE("flower-ipv4-tos-ttl-exact", flower_ipv4_tos_ttl_exact)
NEW_CASE("flower-tcp-flags", flower_tcp_flags)
NEW_CASE("flower-tcp-flags-exact", flower_tcp_flags_exact)
NEW_CASE("flower-ipv6-sctp", flower_ipv6_sctp)
NEW_CASE("flower-icmp", flower_icmp)
NEW_CASE("flower-icmp-masked", flower_icmp_masked)
NEW_CASE("flower-icmpv6", flower_icmpv6)
NEW_CASE("flower-arp", flower_arp)
NEW_CASE("flower-arp-op-masked", flower_arp_op_masked)
NEW_CASE("flower-vlan", flower_vlan)
NEW_CASE("flower-vlan-8021ad", flower_vlan_8021ad)
NEW_CASE("flower-vlan-id-only", flower_vlan_id_only)
NEW_CASE("flower-ip-flags", flower_ip_flags)
NEW_CASE("flower-ip-flags-nofrag", flower_ip_flags_nofrag)
NEW_CASE("flower-indev", flower_indev)
NEW_CASE("flower-no-flags-chain", flower_no_flags_chain)
NEW_CASE("flower-parent-ffff", flower_parent_ffff)
NEW_CASE("flower-egress", flower_egress)
NEW_CASE("action-gact-cookie", action_gact_cookie)
NEW_CASE("action-mirred-mirror-cookies", action_mirred_mirror_cookies)
NEW_CASE("action-mirred-mirror-pipe", action_mirred_mirror_pipe)
NEW_CASE("action-vlan-push", action_vlan_push)
NEW_CASE("action-vlan-push-8021ad", action_vlan_push_8021ad)
NEW_CASE("action-vlan-modify", action_vlan_modify)
NEW_CASE("action-pedit-eth", action_pedit_eth)
NEW_CASE("action-pedit-ip4-csum", action_pedit_ip4_csum)
NEW_CASE("action-pedit-ip6-udp", action_pedit_ip6_udp)

/* "tc filter replace" sends NLM_F_CREATE without NLM_F_EXCL. */
static void
test_flower_replace(void)
{
    run_new("flower-replace", expect_flower_ipv4_tcp_redirect,
            NLM_F_CREATE);
}

/* "tc filter del|get ... protocol ip prio 2 handle 1 chain 0 flower". */
static void
run_del_or_get(const char *name, uint16_t type, uint16_t flags)
{
    struct esw_flower_rule rule;
    struct oracle o;
    char *err = NULL;

    if (!oracle_load(name, &o)) {
        return;
    }
    const struct nlmsghdr *nlh = oracle_nlh(&o);
    CU_ASSERT_EQUAL(nlh->nlmsg_type, type);
    CU_ASSERT_EQUAL(nlh->nlmsg_flags, flags);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(o.msg, o.len, &rule, &err), 0);
    CU_ASSERT_EQUAL(rule.ifindex, o.ifindex0);
    CU_ASSERT_EQUAL(rule.parent, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
    CU_ASSERT_EQUAL(rule.protocol, htons(ETH_P_IP));
    CU_ASSERT_EQUAL(rule.prio, 2);
    CU_ASSERT_EQUAL(rule.handle, 1);
    CU_ASSERT_EQUAL(rule.chain, 0);
    CU_ASSERT_EQUAL(rule.flags, 0);
    CU_ASSERT_EQUAL(rule.n_actions, 0);

    uint8_t buf[1024];
    size_t len;
    int error = (type == RTM_DELTFILTER
                 ? tc_flower_encode_del(buf, sizeof buf, &rule,
                                        nlh->nlmsg_seq, &len)
                 : tc_flower_encode_get(buf, sizeof buf, &rule,
                                        nlh->nlmsg_seq, &len));
    CU_ASSERT_EQUAL(error, 0);
    check_bytes(&o, buf, len);
    oracle_destroy(&o);
}

static void
test_filter_del(void)
{
    run_del_or_get("filter-del", RTM_DELTFILTER, NLM_F_REQUEST | NLM_F_ACK);
}

static void
test_filter_get(void)
{
    run_del_or_get("filter-get", RTM_GETTFILTER, NLM_F_REQUEST | NLM_F_ECHO);
}

static void
run_dump(const char *name, bool terse)
{
    struct oracle o;
    uint32_t parent;
    int ifindex;
    bool is_terse;

    if (!oracle_load(name, &o)) {
        return;
    }
    const struct nlmsghdr *nlh = oracle_nlh(&o);
    CU_ASSERT_EQUAL(nlh->nlmsg_type, RTM_GETTFILTER);
    CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode_dump_request(o.msg, o.len,
                                                        &ifindex, &parent,
                                                        &is_terse, NULL), 0);
    CU_ASSERT_EQUAL(ifindex, o.ifindex0);
    CU_ASSERT_EQUAL(parent, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
    CU_ASSERT_EQUAL(is_terse, terse);

    uint8_t buf[256];
    size_t len;
    CU_ASSERT_EQUAL(tc_flower_encode_dump_request(buf, sizeof buf, ifindex,
                                                  parent, is_terse,
                                                  nlh->nlmsg_seq, &len), 0);
    check_bytes(&o, buf, len);
    oracle_destroy(&o);
}

static void
test_filter_dump(void)
{
    run_dump("filter-dump", false);
}

static void
test_filter_dump_terse(void)
{
    run_dump("filter-dump-terse", true);
}

static void
run_qdisc(const char *name, bool add, enum tc_qdisc_kind kind)
{
    enum tc_qdisc_kind got_kind;
    struct oracle o;
    bool got_add;
    int ifindex;

    if (!oracle_load(name, &o)) {
        return;
    }
    const struct nlmsghdr *nlh = oracle_nlh(&o);
    CU_ASSERT_EQUAL(nlh->nlmsg_type, add ? RTM_NEWQDISC : RTM_DELQDISC);
    CU_ASSERT_EQUAL_FATAL(tc_qdisc_decode(o.msg, o.len, &got_add, &ifindex,
                                          &got_kind, NULL), 0);
    CU_ASSERT_EQUAL(got_add, add);
    CU_ASSERT_EQUAL(ifindex, o.ifindex0);
    CU_ASSERT_EQUAL(got_kind, kind);

    uint8_t buf[256];
    size_t len;
    CU_ASSERT_EQUAL(tc_qdisc_encode(buf, sizeof buf, add, ifindex, kind,
                                    nlh->nlmsg_seq, &len), 0);
    check_bytes(&o, buf, len);
    oracle_destroy(&o);
}

static void
test_qdisc_add_ingress(void)
{
    run_qdisc("qdisc-add-ingress", true, TC_QDISC_INGRESS);
}

static void
test_qdisc_del_ingress(void)
{
    run_qdisc("qdisc-del-ingress", false, TC_QDISC_INGRESS);
}

static void
test_qdisc_add_clsact(void)
{
    run_qdisc("qdisc-add-clsact", true, TC_QDISC_CLSACT);
}

static void
test_qdisc_del_clsact(void)
{
    run_qdisc("qdisc-del-clsact", false, TC_QDISC_CLSACT);
}

CU_pSuite
test_tc_oracle_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(flower_eth_exact), T(flower_eth_masked),
        T(flower_ipv4_tcp_redirect), T(flower_ipv4_udp),
        T(flower_ipv4_tos_ttl_exact), T(flower_tcp_flags),
        T(flower_tcp_flags_exact), T(flower_ipv6_sctp), T(flower_icmp),
        T(flower_icmp_masked), T(flower_icmpv6), T(flower_arp),
        T(flower_arp_op_masked), T(flower_vlan), T(flower_vlan_8021ad),
        T(flower_vlan_id_only), T(flower_ip_flags),
        T(flower_ip_flags_nofrag), T(flower_indev),
        T(flower_no_flags_chain), T(flower_parent_ffff), T(flower_egress),
        T(flower_replace), T(action_gact_cookie),
        T(action_mirred_mirror_cookies), T(action_mirred_mirror_pipe),
        T(action_vlan_push), T(action_vlan_push_8021ad),
        T(action_vlan_modify), T(action_pedit_eth),
        T(action_pedit_ip4_csum), T(action_pedit_ip6_udp),
        T(filter_del), T(filter_get), T(filter_dump), T(filter_dump_terse),
        T(qdisc_add_ingress), T(qdisc_del_ingress), T(qdisc_add_clsact),
        T(qdisc_del_clsact),
#undef T
    };
    CU_pSuite suite = CU_add_suite("tc_oracle", NULL, NULL);

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
