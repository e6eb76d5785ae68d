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

/* The TC flower codec beyond tc's requests (test-tc-oracle.c has those):
 * the kernel's replies (full and terse, with stats), the errors of the
 * decoder, buffers too small, and garbled input. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
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
#include "packets.h"
#include "random.h"
#include "tc-flower-codec.h"
#include "util.h"

/* A buffer for one message, aligned for netlink. */
union msg_buf {
    struct nlmsghdr nlh;
    uint8_t bytes[8192];
};

/* A rule with a bit of everything: VLAN, IPv4, TCP, ip_flags, and four
 * kinds of actions, with cookies, stats and times. */
static struct esw_flower_rule *
sample_rule(void)
{
    struct esw_flower_rule *r = xmalloc(sizeof *r);
    struct esw_flower_action *a;

    esw_flower_rule_init(r);
    r->ifindex = 7;
    r->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    r->prio = 3;
    r->protocol = htons(ETH_P_8021Q);
    r->handle = 42;
    r->chain = 2;
    r->flags = TCA_CLS_FLAGS_SKIP_SW | TCA_CLS_FLAGS_IN_HW;
    r->in_hw_count = 1;
    r->key.eth_type = htons(ETH_P_8021Q);
    r->mask.eth_type = OVS_BE16_MAX;
    r->key.vlan_id = 100;
    r->mask.vlan_id = UINT16_MAX;
    r->key.vlan_prio = 5;
    r->mask.vlan_prio = UINT8_MAX;
    r->key.vlan_eth_type = htons(ETH_P_IP);
    r->mask.vlan_eth_type = OVS_BE16_MAX;
    r->key.eth_dst = (struct eth_addr) ETH_ADDR_C(02, 00, 00, 00, 00, 01);
    r->mask.eth_dst = eth_addr_exact;
    r->key.ip_proto = IPPROTO_TCP;
    r->mask.ip_proto = UINT8_MAX;
    r->key.ipv4_dst = htonl(0x0a000000);
    r->mask.ipv4_dst = htonl(0xff000000);
    r->key.tp_dst = htons(80);
    r->mask.tp_dst = OVS_BE16_MAX;
    r->key.tcp_flags = htons(0x2);
    r->mask.tcp_flags = htons(0x12);
    r->key.ip_flags = 0;
    r->mask.ip_flags = ESW_FLOWER_IP_FLAG_FRAG;

    a = &r->actions[r->n_actions++];
    a->type = ESW_FLOWER_ACT_VLAN;
    a->control = TC_ACT_PIPE;
    a->index = 1;
    a->vlan.action = TCA_VLAN_ACT_POP;
    a->stats.packets = 10;
    a->stats.bytes = 1000;
    a->stats.packets_hw = 9;
    a->stats.bytes_hw = 900;
    a->stats.install_ms = 5000;
    a->stats.lastuse_ms = 20;
    a->stats.firstuse_ms = 4000;

    a = &r->actions[r->n_actions++];
    a->type = ESW_FLOWER_ACT_PEDIT;
    a->control = TC_ACT_PIPE;
    a->index = 2;
    a->pedit.n_keys = 1;
    a->pedit.keys[0].htype = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;
    a->pedit.keys[0].cmd = TCA_PEDIT_KEY_EX_CMD_ADD;
    a->pedit.keys[0].offset = 8;
    a->pedit.keys[0].val = htonl(0xff000000);
    a->pedit.keys[0].mask = htonl(0x00ffffff);
    a->stats.packets = 1ULL << 33;         /* Needs TCA_STATS_PKT64. */
    a->stats.bytes = 1ULL << 40;

    a = &r->actions[r->n_actions++];
    a->type = ESW_FLOWER_ACT_CSUM;
    a->control = TC_ACT_PIPE;
    a->index = 3;
    a->csum.update_flags = TCA_CSUM_UPDATE_FLAG_IPV4HDR;

    a = &r->actions[r->n_actions++];
    a->type = ESW_FLOWER_ACT_MIRRED;
    a->control = TC_ACT_STOLEN;
    a->index = 4;
    a->mirred.eaction = TCA_EGRESS_REDIR;
    a->mirred.ifindex = 9;
    a->cookie_len = 3;
    memcpy(a->cookie, "\x01\x02\x03", 3);
    a->stats.packets_hw = 1ULL << 34;
    return r;
}

static size_t
encode_reply(union msg_buf *buf, const struct esw_flower_rule *rule,
             bool terse)
{
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_reply(buf, sizeof *buf, rule,
                                                 NLM_F_MULTI, 77, 1234,
                                                 terse, &len), 0);
    CU_ASSERT_EQUAL(buf->nlh.nlmsg_len, len);
    CU_ASSERT_EQUAL(buf->nlh.nlmsg_type, RTM_NEWTFILTER);
    CU_ASSERT_EQUAL(buf->nlh.nlmsg_flags, NLM_F_MULTI);
    CU_ASSERT_EQUAL(buf->nlh.nlmsg_seq, 77);
    CU_ASSERT_EQUAL(buf->nlh.nlmsg_pid, 1234);
    return len;
}

static void
test_reply_round_trip(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    union msg_buf buf;
    char *err = NULL;

    CU_ASSERT_EQUAL(esw_flower_rule_check(rule, NULL), 0);
    size_t len = encode_reply(&buf, rule, false);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(&buf, len, got, &err), 0);
    CU_ASSERT_PTR_NULL(err);

    /* Times are in 1/100 s on the wire: the sample's are multiples. */
    CU_ASSERT(!memcmp(rule, got, sizeof *rule));
    CU_ASSERT_EQUAL(got->actions[1].stats.packets, 1ULL << 33);
    CU_ASSERT_EQUAL(got->actions[3].stats.packets_hw, 1ULL << 34);
    CU_ASSERT_EQUAL(got->actions[0].stats.install_ms, 5000);
    free(rule);
    free(got);
}

/* The kernel reports the inner type of a VLAN rule in
 * TCA_FLOWER_KEY_ETH_TYPE, where tc's request has the outer one. */
static void
test_reply_vlan_eth_type_is_inner(void)
{
    struct esw_flower_rule *rule = sample_rule();
    union msg_buf buf;

    size_t len = encode_reply(&buf, rule, false);
    const struct nlattr *opts = NULL;
    const struct nlattr *attr;
    mnl_attr_for_each (attr, &buf.nlh, sizeof(struct tcmsg)) {
        if (mnl_attr_get_type(attr) == TCA_OPTIONS) {
            opts = attr;
        }
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(opts);
    CU_ASSERT_FALSE(opts->nla_type & NLA_F_NESTED);
    bool found = false;
    mnl_attr_for_each_nested (attr, opts) {
        if (mnl_attr_get_type(attr) == TCA_FLOWER_KEY_ETH_TYPE) {
            CU_ASSERT_EQUAL(mnl_attr_get_u16(attr), htons(ETH_P_IP));
            found = true;
        }
    }
    CU_ASSERT(found);
    CU_ASSERT(len > 0);

    /* The request has the outer type. */
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&buf, sizeof buf, rule,
                                               NLM_F_CREATE, 1, &len), 0);
    found = false;
    mnl_attr_for_each (attr, &buf.nlh, sizeof(struct tcmsg)) {
        if (mnl_attr_get_type(attr) == TCA_OPTIONS) {
            const struct nlattr *key;
            mnl_attr_for_each_nested (key, attr) {
                if (mnl_attr_get_type(key) == TCA_FLOWER_KEY_ETH_TYPE) {
                    CU_ASSERT_EQUAL(mnl_attr_get_u16(key),
                                    htons(ETH_P_8021Q));
                    found = true;
                }
            }
        }
    }
    CU_ASSERT(found);
    free(rule);
}

/* A terse reply has the flags and, for every action, kind, stats and
 * cookie; no key, no parameters. */
static void
test_reply_terse(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    union msg_buf full, terse;

    size_t full_len = encode_reply(&full, rule, false);
    size_t len = encode_reply(&terse, rule, true);
    CU_ASSERT(len < full_len);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(&terse, len, got, NULL), 0);
    CU_ASSERT_EQUAL(got->flags, rule->flags);
    CU_ASSERT_EQUAL(got->handle, rule->handle);
    CU_ASSERT_EQUAL(got->in_hw_count, 0);
    CU_ASSERT(is_all_zeros(&got->mask, sizeof got->mask));
    CU_ASSERT_EQUAL_FATAL(got->n_actions, rule->n_actions);
    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &got->actions[i];
        const struct esw_flower_action *b = &rule->actions[i];

        CU_ASSERT_EQUAL(a->type, b->type);
        CU_ASSERT_EQUAL(a->stats.packets, b->stats.packets);
        CU_ASSERT_EQUAL(a->stats.bytes, b->stats.bytes);
        CU_ASSERT_EQUAL(a->stats.packets_hw, b->stats.packets_hw);
        CU_ASSERT_EQUAL(a->stats.bytes_hw, b->stats.bytes_hw);
        CU_ASSERT_EQUAL(a->cookie_len, b->cookie_len);
        CU_ASSERT(!memcmp(a->cookie, b->cookie, b->cookie_len));
        CU_ASSERT_EQUAL(a->index, 0);
        CU_ASSERT_EQUAL(a->stats.install_ms, 0);
    }
    CU_ASSERT_EQUAL(got->actions[3].mirred.ifindex, 0);
    free(rule);
    free(got);
}

/* The counter-refresh decoder reads the identity and the first action's
 * counters from full and terse replies alike, and refuses truncation. */
static void
test_decode_stats(void)
{
    struct esw_flower_rule *rule = sample_rule();
    union msg_buf buf;

    rule->actions[0].stats.packets = 123456789012ULL;
    rule->actions[0].stats.bytes = 987654321098ULL;
    for (int terse = 0; terse < 2; terse++) {
        struct esw_flower_action_stats stats;
        uint32_t handle;
        uint16_t prio;
        size_t len = encode_reply(&buf, rule, terse);

        CU_ASSERT_EQUAL_FATAL(tc_flower_decode_stats(&buf, len, &prio,
                                                     &handle, &stats, NULL),
                              0);
        CU_ASSERT_EQUAL(prio, rule->prio);
        CU_ASSERT_EQUAL(handle, rule->handle);
        CU_ASSERT_EQUAL(stats.packets, rule->actions[0].stats.packets);
        CU_ASSERT_EQUAL(stats.bytes, rule->actions[0].stats.bytes);

        for (size_t cut = 0; cut < NLMSG_HDRLEN + sizeof(struct tcmsg);
             cut++) {
            char *err = NULL;

            CU_ASSERT_EQUAL(tc_flower_decode_stats(&buf, cut, &prio,
                                                   &handle, &stats, &err),
                            EINVAL);
            free(err);
        }
    }
    free(rule);
}

/* A filter dump starts each (chain, priority) with a header, what the
 * kernel's tcf_fill_node() sends without a filter: handle 0, TCA_KIND and
 * TCA_CHAIN, no TCA_OPTIONS.  The counter-refresh decoder refuses it, and
 * a message with a handle but no TCA_OPTIONS, as no filter, and reads a
 * terse reply as before. */
static void
test_decode_stats_refuses_header(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_action_stats stats;
    union msg_buf buf;
    uint32_t handle;
    uint16_t prio;
    char *err;

    /* The header of the sample rule's priority, as the kernel dumps it. */
    memset(&buf, 0, sizeof buf);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(&buf);
    nlh->nlmsg_type = RTM_NEWTFILTER;
    nlh->nlmsg_flags = NLM_F_MULTI;
    nlh->nlmsg_seq = 77;
    nlh->nlmsg_pid = 1234;
    struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof *tcm);
    tcm->tcm_family = AF_UNSPEC;
    tcm->tcm_ifindex = rule->ifindex;
    tcm->tcm_parent = rule->parent;
    tcm->tcm_handle = 0;
    tcm->tcm_info = TC_H_MAKE((uint32_t) rule->prio << 16,
                              (OVS_FORCE uint16_t) rule->protocol);
    mnl_attr_put_strz(nlh, TCA_KIND, "flower");
    mnl_attr_put_u32(nlh, TCA_CHAIN, rule->chain);

    err = NULL;
    CU_ASSERT_EQUAL(tc_flower_decode_stats(nlh, nlh->nlmsg_len, &prio,
                                           &handle, &stats, &err), ENOENT);
    CU_ASSERT_PTR_NOT_NULL(err);
    if (err && !strstr(err, "priority header")) {
        fprintf(stderr, "error \"%s\" lacks \"priority header\"\n", err);
        CU_FAIL("the error does not say what the message is");
    }
    free(err);
    CU_ASSERT_EQUAL(tc_flower_decode_stats(nlh, nlh->nlmsg_len, &prio,
                                           &handle, &stats, NULL), ENOENT);

    /* With a handle, but still without TCA_OPTIONS: no filter either. */
    tcm->tcm_handle = rule->handle;
    err = NULL;
    CU_ASSERT_EQUAL(tc_flower_decode_stats(nlh, nlh->nlmsg_len, &prio,
                                           &handle, &stats, &err), EINVAL);
    CU_ASSERT_PTR_NOT_NULL(err);
    free(err);

    /* A terse reply, what a terse dump has after the header, is a filter:
     * its identity and its first action's counters. */
    rule->actions[0].stats.packets = 5;
    rule->actions[0].stats.bytes = 600;
    size_t len = encode_reply(&buf, rule, true);
    err = NULL;
    CU_ASSERT_EQUAL(tc_flower_decode_stats(&buf, len, &prio, &handle,
                                           &stats, &err), 0);
    CU_ASSERT_PTR_NULL(err);
    free(err);
    CU_ASSERT_EQUAL(prio, rule->prio);
    CU_ASSERT_EQUAL(handle, rule->handle);
    CU_ASSERT_EQUAL(stats.packets, 5);
    CU_ASSERT_EQUAL(stats.bytes, 600);
    free(rule);
}

static void
test_request_round_trip(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    union msg_buf buf;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&buf, sizeof buf, rule,
                                               NLM_F_CREATE | NLM_F_EXCL
                                               | NLM_F_ECHO, 5, &len), 0);
    CU_ASSERT_EQUAL(buf.nlh.nlmsg_flags, (NLM_F_REQUEST | NLM_F_ACK
                                          | NLM_F_CREATE | NLM_F_EXCL
                                          | NLM_F_ECHO));
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(&buf, len, got, NULL), 0);

    /* A request carries neither stats nor what only the kernel reports. */
    for (size_t i = 0; i < rule->n_actions; i++) {
        memset(&rule->actions[i].stats, 0, sizeof rule->actions[i].stats);
    }
    rule->flags &= ~TCA_CLS_FLAGS_IN_HW;
    rule->in_hw_count = 0;
    CU_ASSERT(!memcmp(rule, got, sizeof *rule));
    free(rule);
    free(got);
}

static void
test_vlan_modify_keep_prio(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    union msg_buf buf;
    size_t len;

    rule->actions[0].vlan.action = TCA_VLAN_ACT_MODIFY;
    rule->actions[0].vlan.id = 7;
    rule->actions[0].vlan.proto = htons(ETH_P_8021Q);
    rule->actions[0].vlan.keep_prio = true;
    CU_ASSERT_EQUAL(esw_flower_rule_check(rule, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&buf, sizeof buf, rule, 0, 5,
                                               &len), 0);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(&buf, len, got, NULL), 0);
    CU_ASSERT(got->actions[0].vlan.keep_prio);
    CU_ASSERT_EQUAL(got->actions[0].vlan.id, 7);
    free(rule);
    free(got);
}

/* Every buffer smaller than the message gives ENOBUFS and writes nothing
 * past its end. */
static void
test_buffer_too_small(void)
{
    struct esw_flower_rule *rule = sample_rule();
    union msg_buf buf;
    size_t full_reply, full_new, len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_reply(&buf, sizeof buf, rule, 0,
                                                 1, 1, false, &full_reply),
                          0);
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&buf, sizeof buf, rule, 0, 1,
                                               &full_new), 0);
    for (size_t size = 0; size <= full_reply; size++) {
        memset(&buf, 0xa5, sizeof buf);
        CU_ASSERT_EQUAL(tc_flower_encode_reply(&buf, size, rule, 0, 1, 1,
                                               false, &len),
                        size < full_reply ? ENOBUFS : 0);
        bool untouched = true;
        for (size_t i = size; i < sizeof buf; i++) {
            untouched &= buf.bytes[i] == 0xa5;
        }
        CU_ASSERT(untouched);

        memset(&buf, 0xa5, sizeof buf);
        CU_ASSERT_EQUAL(tc_flower_encode_new(&buf, size, rule, 0, 1, &len),
                        size < full_new ? ENOBUFS : 0);
        for (size_t i = size; i < sizeof buf; i++) {
            untouched &= buf.bytes[i] == 0xa5;
        }
        CU_ASSERT(untouched);
    }
    free(rule);
}

/* Appends attribute 'type' with 'len' bytes of 'data' to the TCA_OPTIONS
 * of the filter message in 'buf', and fixes the lengths. */
static void
add_option(union msg_buf *buf, uint16_t type, const void *data, size_t len)
{
    struct nlattr *opts = NULL;
    struct nlattr *attr;

    mnl_attr_for_each (attr, &buf->nlh, sizeof(struct tcmsg)) {
        if (mnl_attr_get_type(attr) == TCA_OPTIONS) {
            opts = attr;
        }
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(opts);
    /* TCA_OPTIONS is the last attribute of a request. */
    CU_ASSERT_EQUAL_FATAL((uint8_t *) opts + opts->nla_len,
                          buf->bytes + buf->nlh.nlmsg_len);
    mnl_attr_put(&buf->nlh, type, len, data);
    opts->nla_len = buf->bytes + buf->nlh.nlmsg_len - (uint8_t *) opts;
}

static size_t
simple_request(union msg_buf *buf)
{
    struct esw_flower_rule *rule = sample_rule();
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(buf, sizeof *buf, rule,
                                               NLM_F_CREATE, 1, &len), 0);
    free(rule);
    return len;
}

static void
expect_decode_error(const union msg_buf *buf, int error, const char *msg)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    char *err = NULL;

    memset(rule, 0x5a, sizeof *rule);
    CU_ASSERT_EQUAL(tc_flower_decode(buf, buf->nlh.nlmsg_len, rule, &err),
                    error);
    CU_ASSERT_PTR_NOT_NULL(err);
    if (err && msg) {
        CU_ASSERT_STRING_EQUAL(err, msg);
    }
    free(err);

    /* Unchanged on failure. */
    bool unchanged = true;
    for (size_t i = 0; i < sizeof *rule; i++) {
        unchanged &= ((uint8_t *) rule)[i] == 0x5a;
    }
    CU_ASSERT(unchanged);
    free(rule);
}

static void
test_unsupported_key(void)
{
    union msg_buf buf;
    ovs_be32 key_id = htonl(5);

    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_KEY_ENC_KEY_ID, &key_id, sizeof key_id);
    expect_decode_error(&buf, EOPNOTSUPP,
                        "flower key TCA_FLOWER_KEY_ENC_KEY_ID not supported");

    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_CLASSID, &key_id, sizeof key_id);
    expect_decode_error(&buf, EOPNOTSUPP,
                        "flower attribute TCA_FLOWER_CLASSID not supported");

    simple_request(&buf);
    add_option(&buf, 250, &key_id, sizeof key_id);
    expect_decode_error(&buf, EOPNOTSUPP,
                        "flower attribute 250 not supported");
}

static void
test_unsupported_action(void)
{
    union msg_buf buf;

    simple_request(&buf);
    /* Rename the first action "vlan" to "ct  ". */
    uint8_t *p = memmem(buf.bytes, buf.nlh.nlmsg_len, "vlan", 5);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, "ct\0\0", 5);
    expect_decode_error(&buf, EOPNOTSUPP, "action \"ct\" not supported");
}

static void
test_unsupported_classifier(void)
{
    union msg_buf buf;

    simple_request(&buf);
    uint8_t *p = memmem(buf.bytes, buf.nlh.nlmsg_len, "flower", 7);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, "u32\0\0\0", 7);
    expect_decode_error(&buf, EOPNOTSUPP, "classifier \"u32\" not supported");
}

static void
test_malformed(void)
{
    union msg_buf buf;
    uint16_t port = htons(1);

    /* A key of the wrong length. */
    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_KEY_UDP_SRC, &port, 1);
    expect_decode_error(&buf, EINVAL, NULL);

    /* A UDP port in a TCP rule. */
    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_KEY_UDP_SRC, &port, 2);
    expect_decode_error(&buf, EINVAL, NULL);

    /* A key given twice. */
    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_KEY_TCP_DST, &port, 2);
    expect_decode_error(&buf, EINVAL, NULL);

    /* A mask without its key. */
    simple_request(&buf);
    add_option(&buf, TCA_FLOWER_KEY_TCP_SRC_MASK, &port, 2);
    expect_decode_error(&buf, EINVAL, NULL);

    /* Not a filter message. */
    simple_request(&buf);
    buf.nlh.nlmsg_type = RTM_NEWQDISC;
    expect_decode_error(&buf, EINVAL, NULL);
}

/* Truncated and garbled copies of valid messages never crash the decoders
 * (run under valgrind or ASan to see more than a crash), and a decoder that
 * fails leaves its output alone. */
static void
test_fuzz(void)
{
    struct esw_flower_rule *rule = sample_rule();
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    union msg_buf msgs[4];
    size_t lens[4];
    unsigned int n_ok = 0, n_err = 0;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&msgs[0], sizeof msgs[0],
                                               rule, 0, 1, &lens[0]), 0);
    lens[1] = encode_reply(&msgs[1], rule, false);
    lens[2] = encode_reply(&msgs[2], rule, true);
    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(&msgs[3], sizeof msgs[3], true, 3,
                                          TC_QDISC_CLSACT, 1, &lens[3]), 0);

    random_set_seed(12345);
    for (size_t m = 0; m < ARRAY_SIZE(msgs); m++) {
        union msg_buf *copy = xmalloc(sizeof *copy);

        for (size_t iter = 0; iter < 20000; iter++) {
            size_t len = lens[m];

            memcpy(copy, &msgs[m], len);
            if (iter < len) {
                /* Truncate at every length, fixing nlmsg_len or not. */
                len = iter;
                if (iter % 2 && len >= sizeof copy->nlh) {
                    copy->nlh.nlmsg_len = len;
                }
            } else {
                /* Garble 1 to 4 random bytes. */
                int n = 1 + random_range(4);
                for (int i = 0; i < n; i++) {
                    copy->bytes[random_range(len)] = random_uint8();
                }
            }

            char *err = NULL;
            int error = tc_flower_decode(copy, len, got, &err);
            if (error) {
                CU_ASSERT(error == EINVAL || error == EOPNOTSUPP);
                CU_ASSERT_PTR_NOT_NULL(err);
                n_err++;
            } else {
                CU_ASSERT_PTR_NULL(err);
                n_ok++;
            }
            free(err);

            bool add, terse;
            int ifindex;
            uint32_t parent;
            enum tc_qdisc_kind kind;
            err = NULL;
            tc_qdisc_decode(copy, len, &add, &ifindex, &kind, &err);
            free(err);
            err = NULL;
            tc_flower_decode_dump_request(copy, len, &ifindex, &parent,
                                          &terse, &err);
            free(err);
        }
        free(copy);
    }
    /* Both outcomes happened: the garbling reached deep attributes. */
    CU_ASSERT(n_ok > 0);
    CU_ASSERT(n_err > 0);
    free(rule);
    free(got);
}

static void
test_dump_request_round_trip(void)
{
    union msg_buf buf;
    uint32_t parent;
    int ifindex;
    bool terse;
    size_t len;

    for (int t = 0; t < 2; t++) {
        CU_ASSERT_EQUAL_FATAL(tc_flower_encode_dump_request(
                                  &buf, sizeof buf, 12, TC_H_INGRESS, t, 9,
                                  &len), 0);
        CU_ASSERT_EQUAL_FATAL(tc_flower_decode_dump_request(
                                  &buf, len, &ifindex, &parent, &terse,
                                  NULL), 0);
        CU_ASSERT_EQUAL(ifindex, 12);
        CU_ASSERT_EQUAL(parent, TC_H_INGRESS);
        CU_ASSERT_EQUAL(terse, t);
    }
}

static void
test_qdisc_other_kind(void)
{
    union msg_buf buf;
    char *err = NULL;
    enum tc_qdisc_kind kind;
    bool add;
    int ifindex;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(&buf, sizeof buf, true, 3,
                                          TC_QDISC_INGRESS, 1, &len), 0);
    uint8_t *p = memmem(buf.bytes, len, "ingress", 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    memcpy(p, "htb\0\0\0\0", 8);
    CU_ASSERT_EQUAL(tc_qdisc_decode(&buf, len, &add, &ifindex, &kind, &err),
                    EOPNOTSUPP);
    CU_ASSERT_STRING_EQUAL(err, "qdisc \"htb\" not supported");
    free(err);
}

CU_pSuite
test_tc_flower_codec_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(reply_round_trip), T(reply_vlan_eth_type_is_inner),
        T(reply_terse), T(decode_stats), T(decode_stats_refuses_header),
        T(request_round_trip),
        T(vlan_modify_keep_prio),
        T(buffer_too_small), T(unsupported_key), T(unsupported_action),
        T(unsupported_classifier), T(malformed), T(fuzz),
        T(dump_request_round_trip), T(qdisc_other_kind),
#undef T
    };
    CU_pSuite suite = CU_add_suite("tc_flower_codec", NULL, NULL);

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
