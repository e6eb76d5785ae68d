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

/* The offload engine's netlink transport (esw-nl-transport.c), as a client
 * of three peers:
 *
 *   - sriov-nic-emu's own NETLINK_ROUTE server (emu-netlink.c with
 *     emu-rtnl.c and an emulated NIC), run by a second thread, since the
 *     client blocks;
 *
 *   - a scripted server, in a second thread too, that misbehaves on
 *     purpose: closes the connection mid-batch, answers late, sends
 *     malformed answers; or that answers as the kernel does (an ACK only
 *     when asked, an error always) and records the flags it got;
 *
 *   - the running kernel (NETLINK_ROUTE links and qdiscs, read-only or
 *     refused requests only; generic netlink's nlctrl), and a kernel
 *     network namespace of the test's own, where requests change things. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "emu-flow-table.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "emu-rtnl.h"
#include "esw-flower.h"
#include "esw-nl-transport.h"
#include "esw-unittest.h"
#include "fatal-signal.h"
#include "latch.h"
#include "nl-extack.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "ovs-thread.h"
#include "rtnl-link-codec.h"
#include "socket-util.h"
#include "tc-flower-codec.h"
#include "util.h"

#define NIC_NAME "pci/0000:03:00.0"

/* How long a scripted server waits for the client before it gives up, so
 * that a broken client fails the test instead of hanging it. */
#define FAKE_SERVER_PATIENCE_MS 10000

/* A buffer for one request, aligned for netlink. */
union msg_buf {
    struct nlmsghdr nlh;
    uint8_t bytes[8192];
};

static union msg_buf request_buf;

/* Rules. */

/* Returns a flower filter on the ingress of 'from' that redirects IPv4
 * packets to 'dst' to 'to', with 'handle'. */
static struct esw_flower_rule *
redirect_rule(int from, int to, uint32_t handle, uint32_t dst)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);

    esw_flower_rule_init(rule);
    rule->ifindex = from;
    rule->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    rule->prio = 1;
    rule->protocol = htons(ETH_P_IP);
    rule->handle = handle;
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;
    rule->key.eth_type = htons(ETH_P_IP);
    rule->mask.eth_type = OVS_BE16_MAX;
    rule->key.ipv4_dst = htonl(dst);
    rule->mask.ipv4_dst = OVS_BE32_MAX;

    struct esw_flower_action *a = &rule->actions[rule->n_actions++];
    a->type = ESW_FLOWER_ACT_MIRRED;
    a->control = TC_ACT_STOLEN;
    a->mirred.eaction = TCA_EGRESS_REDIR;
    a->mirred.ifindex = to;
    return rule;
}

/* Encodes "tc filter add" of a redirect_rule() into 'request_buf' and
 * returns it.  Its sequence number is left 0: the transport sets it. */
static const struct nlmsghdr *
encode_add(int from, int to, uint32_t handle, uint32_t dst,
           uint16_t nlm_flags)
{
    struct esw_flower_rule *rule = redirect_rule(from, to, handle, dst);
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule, nlm_flags, 0, &len),
                          0);
    free(rule);
    return &request_buf.nlh;
}

/* Encodes "tc filter del" of filter 'handle' of 'from'. */
static const struct nlmsghdr *
encode_del(int from, uint32_t handle)
{
    struct esw_flower_rule *rule = redirect_rule(from, 0, handle, 0);
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_del(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule, 0, &len), 0);
    free(rule);
    return &request_buf.nlh;
}

/* Adds to 'batch' adds of filters 'first'...'last' (handles) on 'from',
 * each matching a different address. */
static void
add_filter_adds(struct esw_nl_batch *batch, int from, int to,
                uint32_t first, uint32_t last)
{
    for (uint32_t handle = first; handle <= last; handle++) {
        esw_nl_batch_add(batch, encode_add(from, to, handle,
                                           0x0a000000 + handle,
                                           NLM_F_CREATE | NLM_F_EXCL));
    }
}

/* Checks that the request at 'index' of 'batch' got 'error' and, for an
 * error, an extack message that contains 'text'. */
static void
check_result(const struct esw_nl_batch *batch, size_t index, int error,
             const char *text)
{
    const struct esw_nl_result *result = esw_nl_batch_result(batch, index);

    if (result->error != error) {
        fprintf(stderr, "request %"PRIuSIZE": error %d (%s), expected %d\n",
                index, result->error, ovs_strerror(result->error), error);
        CU_FAIL("wrong error");
    }
    if (text) {
        CU_ASSERT_PTR_NOT_NULL(result->extack);
        if (result->extack && !strstr(result->extack, text)) {
            fprintf(stderr, "extack \"%s\" lacks \"%s\"\n", result->extack,
                    text);
            CU_FAIL("extack message does not say what is wrong");
        }
    }
}

/* Checks that the requests of 'batch' (at most 64) that were sent with
 * NLM_F_ACK are exactly those whose bit is set in 'acked'. */
static void
check_acks(const struct esw_nl_batch *batch, uint64_t acked)
{
    CU_ASSERT_FATAL(esw_nl_batch_count(batch) <= 64);
    for (size_t i = 0; i < esw_nl_batch_count(batch); i++) {
        const struct nlmsghdr *msg = esw_nl_batch_msg(batch, i);
        bool expected = (acked >> i) & 1;

        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        if (!(msg->nlmsg_flags & NLM_F_ACK) == expected) {
            fprintf(stderr, "request %"PRIuSIZE": sent %s NLM_F_ACK\n",
                    i, expected ? "without" : "with");
            CU_FAIL("wrong NLM_F_ACK");
        }
    }
}

/* Counting a dump of filters.
 *
 * The kernel (tcf_chain_dump()) dumps filters one (chain, priority) at a
 * time and starts each with a header: an RTM_NEWTFILTER with NLM_F_MULTI,
 * handle 0, TCA_KIND and TCA_CHAIN, and no TCA_OPTIONS.  The counter
 * checks that exactly one header precedes the filters of each (chain,
 * priority), even when the dump spans several datagrams. */

struct filter_count {
    struct esw_flower_rule *rule;   /* Scratch for decoding. */
    uint8_t *seen;              /* Times each handle 1...'max' came. */
    uint32_t max;
    size_t n;                   /* Messages passed to the callback. */
    size_t n_filters;           /* ...that were a filter. */
    size_t n_headers;           /* ...that were a header, in place or not. */
    size_t n_bad;               /* ...that were neither, or out of place. */
    size_t stop_after;          /* Return EDOM at this count (0: never). */

    /* (chain << 16 | prio) of each header so far, in order: the last is
     * the group of the filters that follow it. */
    uint64_t *groups;
    size_t n_groups, allocated_groups;
    size_t n_in_group;          /* Filters since the last header. */
};

static void
filter_count_init(struct filter_count *c, uint32_t max)
{
    memset(c, 0, sizeof *c);
    c->rule = xmalloc(sizeof *c->rule);
    c->seen = xzalloc(max + 1);
    c->max = max;
}

static void
filter_count_destroy(struct filter_count *c)
{
    free(c->rule);
    free(c->seen);
    free(c->groups);
}

/* Returns true if every handle 1...'max' came exactly once. */
static bool
filter_count_complete(const struct filter_count *c)
{
    for (uint32_t i = 1; i <= c->max; i++) {
        if (c->seen[i] != 1) {
            return false;
        }
    }
    return true;
}

/* Returns true if no handle came more than once. */
static bool
filter_count_no_repeats(const struct filter_count *c)
{
    for (uint32_t i = 1; i <= c->max; i++) {
        if (c->seen[i] > 1) {
            return false;
        }
    }
    return true;
}

/* Returns true if the dump that 'c' counted to its end was grouped as the
 * kernel groups it: every filter came after the header of its (chain,
 * priority), each header came once and before at least one filter. */
static bool
filter_count_grouped(const struct filter_count *c)
{
    return (c->n_headers == c->n_groups
            && (!c->n_groups || c->n_in_group > 0));
}

/* Returns true if 'nlh' is a filter dump's priority header: handle 0, no
 * TCA_OPTIONS, TCA_KIND "flower" and TCA_CHAIN (stored in '*chain'), and
 * nothing else. */
static bool
is_filter_header(const struct nlmsghdr *nlh, uint32_t *chain)
{
    const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *attr;
    bool has_kind = false;
    bool has_chain = false;

    if (nlh->nlmsg_type != RTM_NEWTFILTER
        || !(nlh->nlmsg_flags & NLM_F_MULTI)
        || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof *tcm
        || tcm->tcm_handle) {
        return false;
    }
    mnl_attr_for_each (attr, nlh, sizeof *tcm) {
        uint16_t type = mnl_attr_get_type(attr);

        if (type == TCA_KIND
            && !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING)
            && !strcmp(mnl_attr_get_str(attr), "flower")) {
            has_kind = true;
        } else if (type == TCA_CHAIN
                   && !mnl_attr_validate(attr, MNL_TYPE_U32)) {
            *chain = mnl_attr_get_u32(attr);
            has_chain = true;
        } else {
            return false;
        }
    }
    return has_kind && has_chain;
}

static int
count_filter(const struct nlmsghdr *nlh, void *c_)
{
    struct filter_count *c = c_;
    uint32_t chain = 0;

    if (is_filter_header(nlh, &chain)) {
        const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
        uint64_t group = (uint64_t) chain << 16 | tcm->tcm_info >> 16;
        bool ok = (tcm->tcm_info >> 16
                   && (TC_H_MIN(tcm->tcm_info)
                       == (OVS_FORCE uint16_t) htons(ETH_P_IP))
                   && (!c->n_groups || c->n_in_group));
        for (size_t i = 0; i < c->n_groups; i++) {
            ok = ok && c->groups[i] != group;
        }
        if (ok) {
            if (c->n_groups >= c->allocated_groups) {
                c->groups = x2nrealloc(c->groups, &c->allocated_groups,
                                       sizeof *c->groups);
            }
            c->groups[c->n_groups++] = group;
            c->n_in_group = 0;
        } else {
            c->n_bad++;
        }
        c->n_headers++;
    } else if (nlh->nlmsg_type != RTM_NEWTFILTER
               || !(nlh->nlmsg_flags & NLM_F_MULTI)
               || tc_flower_decode(nlh, nlh->nlmsg_len, c->rule, NULL)
               || c->rule->handle < 1 || c->rule->handle > c->max
               || (ntohl(c->rule->key.ipv4_dst)
                   != 0x0a000000 + c->rule->handle)
               || !c->n_groups
               || (c->groups[c->n_groups - 1]
                   != ((uint64_t) c->rule->chain << 16 | c->rule->prio))) {
        c->n_bad++;
    } else {
        c->seen[c->rule->handle]++;
        c->n_filters++;
        c->n_in_group++;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after ? EDOM : 0;
}

/* Dumps the ingress filters of 'ifindex' on 'nl' into 'c'. */
static int
dump_filters(struct esw_nl *nl, int ifindex, struct filter_count *c)
{
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_dump_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              ifindex,
                              TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
                              false, 0, &len), 0);
    return esw_nl_dump(nl, &request_buf.nlh, count_filter, c);
}

/* Returns the number of ingress filters of 'ifindex', which must be
 * well-formed, have distinct handles in 1...'max', all in priority 1 of
 * chain 0 (as redirect_rule() makes them), and come after exactly one
 * header for that priority, or SIZE_MAX if the dump failed or had
 * anything else. */
static size_t
count_filters(struct esw_nl *nl, int ifindex, uint32_t max)
{
    struct filter_count c;

    filter_count_init(&c, max);
    int error = dump_filters(nl, ifindex, &c);
    size_t n = (!error && !c.n_bad && filter_count_no_repeats(&c)
                && filter_count_grouped(&c)
                && c.n_headers == (c.n_filters ? 1 : 0)
                ? c.n_filters : SIZE_MAX);
    if (n == SIZE_MAX) {
        fprintf(stderr, "filter dump: error %d, %"PRIuSIZE" messages, "
                "%"PRIuSIZE" filters, %"PRIuSIZE" headers, %"PRIuSIZE" "
                "bad\n", error, c.n, c.n_filters, c.n_headers, c.n_bad);
    }
    filter_count_destroy(&c);
    return n;
}

/* The emulator, served by a second thread. */

struct emu_fixture {
    char dir[32];
    char *target;               /* "unix:DIR". */
    char *path;                 /* DIR/rtnetlink.sock. */
    struct emu_nic *nic;
    struct emu_nl_server *server;
    struct latch exit;          /* Tells the server thread to stop. */
    pthread_t thread;
    bool running;
    struct esw_nl *nl;          /* A client. */
    int rep0, rep1;             /* Representors of VF 0 and VF 1. */
};

static void *
emu_server_main(void *f_)
{
    struct emu_fixture *f = f_;

    while (!latch_is_set(&f->exit)) {
        emu_nl_server_run(f->server);
        emu_nl_server_wait(f->server);
        latch_wait(&f->exit);
        poll_block();
    }
    return NULL;
}

/* Starts serving 'f->nic' on 'f->path'. */
static void
emu_fixture_start(struct emu_fixture *f)
{
    CU_ASSERT_EQUAL_FATAL(emu_nl_server_open(f->path, NETLINK_ROUTE,
                                             emu_rtnl_handle, NULL,
                                             &f->server), 0);
    latch_init(&f->exit);
    f->thread = ovs_thread_create("emu-nl-server", emu_server_main, f);
    f->running = true;
}

static void
emu_fixture_stop(struct emu_fixture *f)
{
    if (f->running) {
        latch_set(&f->exit);
        xpthread_join(f->thread, NULL);
        latch_destroy(&f->exit);
        emu_nl_server_close(f->server);
        f->server = NULL;
        f->running = false;
    }
}

/* Creates a NIC with 2 VFs in switchdev mode and the options 'options'
 * (",capacity=N" or ""), serves it from a second thread, connects a client
 * to it, and adds an ingress qdisc to VF 0's representor. */
static void
emu_fixture_init(struct emu_fixture *f, const char *options)
{
    char *spec = xasprintf(NIC_NAME ",vfs=2,mode=switchdev%s", options);
    char *err = NULL;

    memset(f, 0, sizeof *f);
    emu_nic_destroy_all();      /* In case a failed test left some. */
    ovs_strlcpy(f->dir, "/tmp/esw-nl-XXXXXX", sizeof f->dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(f->dir));
    f->target = xasprintf("unix:%s", f->dir);
    f->path = xasprintf("%s/rtnetlink.sock", f->dir);
    CU_ASSERT_EQUAL_FATAL(emu_nic_create(spec, &f->nic, &err), 0);
    free(spec);
    f->rep0 = f->nic->vfs[0].rep_ifindex;
    f->rep1 = f->nic->vfs[1].rep_ifindex;

    emu_fixture_start(f);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(f->target, NETLINK_ROUTE, &f->nl), 0);
    CU_ASSERT_FALSE(esw_nl_is_kernel(f->nl));

    size_t len;
    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(request_buf.bytes,
                                          sizeof request_buf.bytes, true,
                                          f->rep0, TC_QDISC_INGRESS, 0,
                                          &len), 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_transact(f->nl, &request_buf.nlh, NULL,
                                          NULL), 0);
}

static void
emu_fixture_destroy(struct emu_fixture *f)
{
    esw_nl_close(f->nl);
    emu_fixture_stop(f);
    emu_nic_destroy_all();
    CU_ASSERT_EQUAL(rmdir(f->dir), 0);
    free(f->target);
    free(f->path);
}

/* A scripted server, in a second thread. */

/* Most requests script_like_kernel() reads. */
#define FAKE_MAX_REQUESTS 64

struct fake_server {
    char dir[32];
    char *target;               /* "unix:DIR". */
    char *path;                 /* DIR/rtnetlink.sock. */
    int listen_fd;
    pthread_t thread;
    void (*script)(struct fake_server *, int fd);
    int n_acks;                 /* Parameter of the script. */
    int failures;               /* Things that went wrong in the thread. */

    /* Parameters of script_like_kernel(). */
    size_t n_requests;          /* Requests to read, at most
                                 * FAKE_MAX_REQUESTS. */
    size_t n_handled;           /* How many of them to handle. */
    uint64_t fail_mask;         /* Bit i: request i fails. */
    bool hang_up;               /* Close at once after handling. */

    /* What script_like_kernel() saw: the nlmsg_flags of each request. */
    uint16_t flags[FAKE_MAX_REQUESTS];
};

/* Waits until 'fd' can be read.  Returns false if it did not become
 * readable in time. */
static bool
fake_wait(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    return poll(&pfd, 1, FAKE_SERVER_PATIENCE_MS) == 1;
}

/* Receives a datagram into 'buf'.  Returns its size, or 0 at the end of the
 * connection or if nothing came in time. */
static size_t
fake_recv(struct fake_server *s, int fd, struct ofpbuf *buf)
{
    ofpbuf_clear(buf);
    ofpbuf_prealloc_tailroom(buf, ESW_NL_MAX_DATAGRAM);
    if (!fake_wait(fd)) {
        s->failures++;
        return 0;
    }

    ssize_t n = recv(fd, buf->data, ESW_NL_MAX_DATAGRAM, 0);
    if (n < 0) {
        s->failures++;
        return 0;
    }
    buf->size = n;
    return n;
}

/* Returns the messages of the datagram in 'buf', and their number in
 * '*n'. */
static const struct nlmsghdr **
fake_parse(const struct ofpbuf *buf, size_t *n)
{
    const struct nlmsghdr **msgs = NULL;
    const struct nlmsghdr *nlh = buf->data;
    int left = buf->size;
    size_t allocated = 0;

    *n = 0;
    while (mnl_nlmsg_ok(nlh, left)) {
        if (*n >= allocated) {
            msgs = x2nrealloc(msgs, &allocated, sizeof *msgs);
        }
        msgs[(*n)++] = nlh;
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    return msgs;
}

/* Sends the NLMSG_ERROR for 'request' with 'error' (0: an ACK) and
 * 'msg'. */
static void
fake_answer(struct fake_server *s, int fd, const struct nlmsghdr *request,
            int error, const char *msg)
{
    union msg_buf *buf = xmalloc(sizeof *buf);
    size_t len;

    if (nl_extack_encode(buf->bytes, sizeof buf->bytes, request, 1, error,
                         msg, true, &len)
        || send(fd, buf->bytes, len, 0) != len) {
        s->failures++;
    }
    free(buf);
}

/* Waits until the client closes the connection, dropping what it sends. */
static void
fake_wait_for_close(struct fake_server *s, int fd)
{
    struct ofpbuf buf;

    ofpbuf_init(&buf, 0);
    while (fake_recv(s, fd, &buf)) {
        continue;
    }
    ofpbuf_uninit(&buf);
}

static void *
fake_server_main(void *s_)
{
    struct fake_server *s = s_;

    if (!fake_wait(s->listen_fd)) {
        s->failures++;
        return NULL;
    }
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0) {
        s->failures++;
        return NULL;
    }
    s->script(s, fd);
    close(fd);
    return NULL;
}

/* Makes 's' listen, with no script yet. */
static void
fake_server_listen(struct fake_server *s)
{
    memset(s, 0, sizeof *s);
    ovs_strlcpy(s->dir, "/tmp/esw-nl-XXXXXX", sizeof s->dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(s->dir));
    s->target = xasprintf("unix:%s", s->dir);
    s->path = xasprintf("%s/rtnetlink.sock", s->dir);
    s->listen_fd = make_unix_socket(SOCK_SEQPACKET, false, s->path, NULL);
    CU_ASSERT_FATAL(s->listen_fd >= 0);
    CU_ASSERT_EQUAL_FATAL(listen(s->listen_fd, 4), 0);
}

/* Starts a server that runs 'script' for its first client. */
static void
fake_server_start(struct fake_server *s,
                  void (*script)(struct fake_server *, int fd), int n_acks)
{
    fake_server_listen(s);
    s->script = script;
    s->n_acks = n_acks;
    s->thread = ovs_thread_create("fake-nl-server", fake_server_main, s);
}

static void script_like_kernel(struct fake_server *, int fd);

/* Starts a server that runs script_like_kernel() for its first client:
 * reads 'n_requests' requests, handles the first 'n_handled' of them as
 * the kernel would, failing those in 'fail_mask' with EEXIST, then closes
 * the connection at once if 'hang_up', otherwise when the client does. */
static void
fake_server_start_like_kernel(struct fake_server *s, size_t n_requests,
                              size_t n_handled, uint64_t fail_mask,
                              bool hang_up)
{
    CU_ASSERT_FATAL(n_requests <= FAKE_MAX_REQUESTS);
    fake_server_listen(s);
    s->script = script_like_kernel;
    s->n_requests = n_requests;
    s->n_handled = n_handled;
    s->fail_mask = fail_mask;
    s->hang_up = hang_up;
    s->thread = ovs_thread_create("fake-nl-server", fake_server_main, s);
}

/* Waits for the script to end and checks that it went as planned. */
static void
fake_server_join(struct fake_server *s)
{
    xpthread_join(s->thread, NULL);
    CU_ASSERT_EQUAL(s->failures, 0);
}

/* Closes the listening socket: connecting is then refused. */
static void
fake_server_stop_listening(struct fake_server *s)
{
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
}

static void
fake_server_destroy(struct fake_server *s)
{
    fake_server_stop_listening(s);
    unlink(s->path);
    fatal_signal_remove_file_to_unlink(s->path);
    CU_ASSERT_EQUAL(rmdir(s->dir), 0);
    free(s->target);
    free(s->path);
}

/* Scripts. */

/* Receives one datagram, acknowledges its first 'n_acks' requests, and
 * closes the connection. */
static void
script_ack_then_close(struct fake_server *s, int fd)
{
    struct ofpbuf buf;
    size_t n;

    ofpbuf_init(&buf, 0);
    fake_recv(s, fd, &buf);
    const struct nlmsghdr **msgs = fake_parse(&buf, &n);
    for (size_t i = 0; i < n && i < s->n_acks; i++) {
        fake_answer(s, fd, msgs[i], 0, NULL);
    }
    free(msgs);
    ofpbuf_uninit(&buf);
}

/* Receives one datagram, waits until a second one is there, acknowledges
 * the first 'n_acks' requests of the first, and closes the connection with
 * the second unread, which the kernel reports to the client as ECONNRESET
 * before the acknowledgements. */
static void
script_ack_then_reset(struct fake_server *s, int fd)
{
    struct ofpbuf buf;
    size_t n;

    ofpbuf_init(&buf, 0);
    fake_recv(s, fd, &buf);
    if (!fake_wait(fd)) {
        s->failures++;
    }
    const struct nlmsghdr **msgs = fake_parse(&buf, &n);
    for (size_t i = 0; i < n && i < s->n_acks; i++) {
        fake_answer(s, fd, msgs[i], 0, NULL);
    }
    free(msgs);
    ofpbuf_uninit(&buf);
}

/* Receives two datagrams; then answers every request of the first with
 * EEXIST, too late, and acknowledges every request of the second. */
static void
script_late_answers(struct fake_server *s, int fd)
{
    struct ofpbuf first, second;
    size_t n1, n2;

    ofpbuf_init(&first, 0);
    ofpbuf_init(&second, 0);
    fake_recv(s, fd, &first);
    fake_recv(s, fd, &second);

    const struct nlmsghdr **msgs1 = fake_parse(&first, &n1);
    const struct nlmsghdr **msgs2 = fake_parse(&second, &n2);
    for (size_t i = 0; i < n1; i++) {
        fake_answer(s, fd, msgs1[i], EEXIST, "too late");
    }
    for (size_t i = 0; i < n2; i++) {
        fake_answer(s, fd, msgs2[i], 0, NULL);
    }
    free(msgs1);
    free(msgs2);
    ofpbuf_uninit(&first);
    ofpbuf_uninit(&second);
    fake_wait_for_close(s, fd);
}

/* Receives a datagram of two requests and answers with a datagram whose
 * message claims more bytes than it has, then an NLMSG_ERROR too short
 * for struct nlmsgerr for the first request, then EBUSY for the second. */
static void
script_malformed(struct fake_server *s, int fd)
{
    struct ofpbuf buf;
    size_t n;

    ofpbuf_init(&buf, 0);
    fake_recv(s, fd, &buf);
    const struct nlmsghdr **msgs = fake_parse(&buf, &n);
    if (n != 2) {
        s->failures++;
    } else {
        struct nlmsghdr junk[2];

        memset(junk, 0, sizeof junk);
        junk[0].nlmsg_len = 1000;
        junk[0].nlmsg_type = NLMSG_ERROR;
        junk[0].nlmsg_seq = msgs[0]->nlmsg_seq;
        if (send(fd, junk, sizeof junk, 0) != sizeof junk) {
            s->failures++;
        }

        memset(junk, 0, sizeof junk);
        junk[0].nlmsg_len = NLMSG_HDRLEN + sizeof(int);
        junk[0].nlmsg_type = NLMSG_ERROR;
        junk[0].nlmsg_seq = msgs[0]->nlmsg_seq;
        if (send(fd, junk, junk[0].nlmsg_len, 0) != junk[0].nlmsg_len) {
            s->failures++;
        }

        fake_answer(s, fd, msgs[1], EBUSY, "busy");
    }
    free(msgs);
    ofpbuf_uninit(&buf);
    fake_wait_for_close(s, fd);
}

/* Reads 's->n_requests' requests, in as many datagrams as they come, and
 * records their flags.  Then handles the first 's->n_handled' of them in
 * order as the kernel's netlink_rcv_skb() does: an NLMSG_ERROR for a
 * request that fails (those of 's->fail_mask', with EEXIST), an ACK for
 * one that succeeds only if it has NLM_F_ACK.  Then closes the connection,
 * at once if 's->hang_up', otherwise when the client closes it. */
static void
script_like_kernel(struct fake_server *s, int fd)
{
    const struct nlmsghdr *requests[FAKE_MAX_REQUESTS];
    struct ofpbuf datagrams[FAKE_MAX_REQUESTS];
    size_t n_datagrams = 0;
    size_t n = 0;

    while (n < s->n_requests && n_datagrams < FAKE_MAX_REQUESTS) {
        struct ofpbuf *buf = &datagrams[n_datagrams++];
        size_t n_msgs;

        ofpbuf_init(buf, 0);
        if (!fake_recv(s, fd, buf)) {
            break;
        }
        const struct nlmsghdr **msgs = fake_parse(buf, &n_msgs);
        for (size_t i = 0; i < n_msgs && n < FAKE_MAX_REQUESTS; i++) {
            s->flags[n] = msgs[i]->nlmsg_flags;
            requests[n++] = msgs[i];
        }
        free(msgs);
    }
    if (n != s->n_requests) {
        s->failures++;
    }

    for (size_t i = 0; i < n && i < s->n_handled; i++) {
        if (s->fail_mask & (UINT64_C(1) << i)) {
            char *msg = xasprintf("request %"PRIuSIZE" failed", i);

            fake_answer(s, fd, requests[i], EEXIST, msg);
            free(msg);
        } else if (requests[i]->nlmsg_flags & NLM_F_ACK) {
            fake_answer(s, fd, requests[i], 0, NULL);
        }
    }
    if (!s->hang_up) {
        fake_wait_for_close(s, fd);
    }
    for (size_t i = 0; i < n_datagrams; i++) {
        ofpbuf_uninit(&datagrams[i]);
    }
}

/* Statistics. */

/* Returns the counters of 'nl' minus those in 'before'. */
static struct esw_nl_stats
stats_since(const struct esw_nl *nl, const struct esw_nl_stats *before)
{
    struct esw_nl_stats now;

    esw_nl_get_stats(nl, &now);
    now.tx_messages -= before->tx_messages;
    now.tx_datagrams -= before->tx_datagrams;
    now.rx_messages -= before->rx_messages;
    now.rx_datagrams -= before->rx_datagrams;
    now.errors -= before->errors;
    now.timeouts -= before->timeouts;
    now.stale_messages -= before->stale_messages;
    now.malformed_datagrams -= before->malformed_datagrams;
    now.overruns -= before->overruns;
    now.disconnects -= before->disconnects;
    return now;
}

/* Tests: targets. */

static void
test_open_targets(void)
{
    static const char *const bad[] = {
        "", "unix:", "tcp:127.0.0.1:6653", "kernel:", "unix",
    };
    struct esw_nl *nl;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        nl = NULL;
        CU_ASSERT_EQUAL(esw_nl_open(bad[i], NETLINK_ROUTE, &nl), EINVAL);
        CU_ASSERT_PTR_NULL(nl);
    }
    CU_ASSERT_EQUAL(esw_nl_open("unix:/tmp", NETLINK_NETFILTER, &nl),
                    EPROTONOSUPPORT);
    CU_ASSERT_PTR_NULL(nl);
    CU_ASSERT_EQUAL(esw_nl_open("unix:/nonexistent-esw-nl-dir",
                                NETLINK_GENERIC, &nl), ENOENT);
    CU_ASSERT_PTR_NULL(nl);

    /* The kernel, by name. */
    CU_ASSERT_EQUAL_FATAL(esw_nl_open("kernel", NETLINK_GENERIC, &nl), 0);
    CU_ASSERT(esw_nl_is_kernel(nl));
    CU_ASSERT(esw_nl_fd(nl) >= 0);
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), 0);
    esw_nl_close(nl);
}

/* Tests: batches against the emulator. */

static void
test_batch_of_100_adds(void)
{
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct emu_fixture f;

    emu_fixture_init(&f, "");
    esw_nl_get_stats(f.nl, &before);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 100);
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 100);
    CU_ASSERT(batch.msgs.size < ESW_NL_MAX_DATAGRAM);

    /* Each copy carries its own sequence number and asks for an ACK. */
    for (size_t i = 0; i < 100; i++) {
        const struct esw_nl_result *result = esw_nl_batch_result(&batch, i);
        const struct nlmsghdr *msg = esw_nl_batch_msg(&batch, i);

        CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
        CU_ASSERT_EQUAL(msg->nlmsg_seq, result->seq);
        CU_ASSERT(msg->nlmsg_flags & NLM_F_ACK);
        CU_ASSERT(msg->nlmsg_flags & NLM_F_REQUEST);
        if (i) {
            CU_ASSERT_NOT_EQUAL(result->seq,
                                esw_nl_batch_result(&batch, i - 1)->seq);
        }
    }

    /* One datagram, in which only the last request asks for an ACK; that
     * ACK, the only answer, says that every request succeeded. */
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    for (size_t i = 0; i < 100; i++) {
        const struct esw_nl_result *result = esw_nl_batch_result(&batch, i);
        const struct nlmsghdr *msg = esw_nl_batch_msg(&batch, i);

        check_result(&batch, i, 0, NULL);
        CU_ASSERT_PTR_NULL(result->extack);
        CU_ASSERT_PTR_NULL(result->reply);
        CU_ASSERT_EQUAL(!!(msg->nlmsg_flags & NLM_F_ACK), i == 99);
        CU_ASSERT(msg->nlmsg_flags & NLM_F_REQUEST);
    }
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 0);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 100);
    CU_ASSERT_EQUAL(d.tx_datagrams, 1);
    CU_ASSERT_EQUAL(d.rx_messages, 1);
    CU_ASSERT_EQUAL(d.rx_datagrams, 1);
    CU_ASSERT_EQUAL(d.errors, 0);
    CU_ASSERT_EQUAL(d.stale_messages, 0);

    /* They are all there, as the dump and the NIC itself say. */
    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 100), 100);
    emu_fixture_stop(&f);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 100);

    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

static void
test_batch_errors_in_middle(void)
{
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct emu_fixture f;

    emu_fixture_init(&f, "");
    esw_nl_get_stats(f.nl, &before);
    esw_nl_batch_init(&batch);

    /* 0-3: good.  4: no such device.  5-8: good.  9: duplicate of handle
     * 2.  10: an egress filter.  11-12: good. */
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 4);
    esw_nl_batch_add(&batch, encode_add(0x7ffffff0, f.rep1, 50, 1,
                                        NLM_F_CREATE | NLM_F_EXCL));
    add_filter_adds(&batch, f.rep0, f.rep1, 5, 8);
    esw_nl_batch_add(&batch, encode_add(f.rep0, f.rep1, 2, 0x0a000002,
                                        NLM_F_CREATE | NLM_F_EXCL));

    struct esw_flower_rule *egress = redirect_rule(f.rep0, f.rep1, 60, 1);
    size_t len;
    egress->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS);
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               egress,
                                               NLM_F_CREATE | NLM_F_EXCL,
                                               0, &len), 0);
    esw_nl_batch_add(&batch, &request_buf.nlh);
    free(egress);
    add_filter_adds(&batch, f.rep0, f.rep1, 9, 10);

    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 13);
    for (size_t i = 0; i < 13; i++) {
        if (i == 4) {
            check_result(&batch, i, ENODEV, "Cannot find ifindex");
        } else if (i == 9) {
            check_result(&batch, i, EEXIST, "Filter already exists");
        } else if (i == 10) {
            check_result(&batch, i, EOPNOTSUPP,
                         "only ingress filters are offloaded");
        } else {
            check_result(&batch, i, 0, NULL);
            CU_ASSERT_PTR_NULL(esw_nl_batch_result(&batch, i)->extack);
        }
    }
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 3);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_datagrams, 1);
    CU_ASSERT_EQUAL(d.errors, 3);

    /* The answers: the three errors and the last request's ACK. */
    CU_ASSERT_EQUAL(d.rx_messages, 4);

    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 10), 10);
    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

static void
test_batch_nic_full(void)
{
    struct esw_nl_batch batch;
    struct emu_fixture f;

    emu_fixture_init(&f, ",capacity=20");
    esw_nl_batch_init(&batch);

    /* 0-19 fit, 20-21 do not, 22 makes room, 23 takes it, 24 does not
     * fit. */
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 22);
    esw_nl_batch_add(&batch, encode_del(f.rep0, 1));
    add_filter_adds(&batch, f.rep0, f.rep1, 23, 24);

    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 25);
    for (size_t i = 0; i < 25; i++) {
        if (i == 20 || i == 21 || i == 24) {
            check_result(&batch, i, ENOSPC, "flow table full (20 rules)");
        } else {
            check_result(&batch, i, 0, NULL);
        }
    }
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 3);
    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 24), 20);

    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

/* Returns the number of datagrams in which 'batch' goes when each holds as
 * many whole messages as fit in 'limit' bytes. */
static size_t
expected_datagrams(const struct esw_nl_batch *batch, size_t limit)
{
    size_t n = 0;
    size_t used = 0;

    for (size_t i = 0; i < esw_nl_batch_count(batch); i++) {
        size_t len = esw_nl_batch_msg(batch, i)->nlmsg_len;

        if (used && NLMSG_ALIGN(used) + len > limit) {
            n++;
            used = 0;
        }
        used = used ? NLMSG_ALIGN(used) + len : len;
    }
    return n + (used != 0);
}

static void
test_dump_of_1000(void)
{
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct filter_count c;
    struct emu_fixture f;

    emu_fixture_init(&f, "");
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 1000);
    size_t n_datagrams = expected_datagrams(&batch, ESW_NL_MAX_DATAGRAM);
    CU_ASSERT(n_datagrams > 1);

    /* The batch fills every datagram. */
    esw_nl_get_stats(f.nl, &before);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 0);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 1000);
    CU_ASSERT_EQUAL(d.tx_datagrams, n_datagrams);

    /* The dump has every filter once, in several datagrams, after the
     * header of their priority, which the datagrams after the first do
     * not repeat: 1 header + 1000 filters, then NLMSG_DONE. */
    esw_nl_get_stats(f.nl, &before);
    filter_count_init(&c, 1000);
    CU_ASSERT_EQUAL(dump_filters(f.nl, f.rep0, &c), 0);
    CU_ASSERT_EQUAL(c.n, 1001);
    CU_ASSERT_EQUAL(c.n_filters, 1000);
    CU_ASSERT_EQUAL(c.n_headers, 1);
    CU_ASSERT_EQUAL(c.n_bad, 0);
    CU_ASSERT(filter_count_complete(&c));
    CU_ASSERT(filter_count_grouped(&c));
    filter_count_destroy(&c);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 1);
    CU_ASSERT(d.rx_datagrams > 1);
    CU_ASSERT_EQUAL(d.rx_messages, 1002);

    /* A callback that stops early gets its error back, and the rest of
     * the dump is read, not left for the next request. */
    esw_nl_get_stats(f.nl, &before);
    filter_count_init(&c, 1000);
    c.stop_after = 10;
    CU_ASSERT_EQUAL(dump_filters(f.nl, f.rep0, &c), EDOM);
    CU_ASSERT_EQUAL(c.n, 10);
    CU_ASSERT_EQUAL(c.n_headers, 1);
    CU_ASSERT_EQUAL(c.n_filters, 9);
    CU_ASSERT_EQUAL(c.n_bad, 0);
    filter_count_destroy(&c);
    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 1000), 1000);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.stale_messages, 0);
    CU_ASSERT_EQUAL(d.rx_messages, 2 * 1002);

    /* A dump of a device that does not exist ends with its error. */
    filter_count_init(&c, 1000);
    CU_ASSERT_EQUAL(dump_filters(f.nl, 0x7ffffff0, &c), ENODEV);
    CU_ASSERT_EQUAL(c.n, 0);
    filter_count_destroy(&c);

    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

static void
test_transact_echo_and_get(void)
{
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    struct ofpbuf *reply;
    struct emu_fixture f;
    char *extack;
    size_t len;

    emu_fixture_init(&f, "");

    /* "tc filter add ... handle 7" with NLM_F_ECHO: the filter as
     * installed comes back. */
    CU_ASSERT_EQUAL(esw_nl_transact(f.nl,
                                    encode_add(f.rep0, f.rep1, 7, 0x0a000007,
                                               NLM_F_CREATE | NLM_F_EXCL
                                               | NLM_F_ECHO),
                                    &reply, &extack), 0);
    CU_ASSERT_PTR_NULL(extack);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    const struct nlmsghdr *nlh = reply->data;
    CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, reply->size));
    CU_ASSERT_EQUAL(NLMSG_ALIGN(nlh->nlmsg_len), reply->size);
    CU_ASSERT_EQUAL(nlh->nlmsg_type, RTM_NEWTFILTER);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(nlh, nlh->nlmsg_len, got, NULL),
                          0);
    CU_ASSERT_EQUAL(got->handle, 7);
    CU_ASSERT_EQUAL(got->ifindex, f.rep0);
    CU_ASSERT(got->flags & TCA_CLS_FLAGS_IN_HW);
    ofpbuf_delete(reply);

    /* "tc filter get" of it. */
    struct esw_flower_rule *rule = redirect_rule(f.rep0, f.rep1, 7, 0);
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_get(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule, 0, &len), 0);
    CU_ASSERT_EQUAL(esw_nl_transact(f.nl, &request_buf.nlh, &reply, NULL),
                    0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    nlh = reply->data;
    CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, reply->size));
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(nlh, nlh->nlmsg_len, got, NULL),
                          0);
    CU_ASSERT_EQUAL(got->handle, 7);
    CU_ASSERT_EQUAL(ntohl(got->key.ipv4_dst), 0x0a000007);
    CU_ASSERT_EQUAL_FATAL(got->n_actions, 1);
    CU_ASSERT_EQUAL(got->actions[0].mirred.ifindex, f.rep1);
    ofpbuf_delete(reply);

    /* A filter that is not there. */
    rule->handle = 8;
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_get(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule, 0, &len), 0);
    CU_ASSERT_EQUAL(esw_nl_transact(f.nl, &request_buf.nlh, &reply,
                                    &extack), ENOENT);
    CU_ASSERT_PTR_NULL(reply);
    CU_ASSERT_PTR_NOT_NULL(extack);
    CU_ASSERT(extack && strstr(extack, "Specified filter handle not found"));
    free(extack);

    /* The same add again. */
    CU_ASSERT_EQUAL(esw_nl_transact(f.nl,
                                    encode_add(f.rep0, f.rep1, 7, 0x0a000007,
                                               NLM_F_CREATE | NLM_F_EXCL),
                                    NULL, &extack), EEXIST);
    CU_ASSERT(extack && strstr(extack, "Filter already exists"));
    free(extack);

    free(rule);
    free(got);
    emu_fixture_destroy(&f);
}

static void
test_unsendable_requests(void)
{
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct emu_fixture f;

    emu_fixture_init(&f, "");
    esw_nl_get_stats(f.nl, &before);
    esw_nl_batch_init(&batch);

    /* 0: good.  1: shorter than a header.  2: a control message.  3:
     * longer than a datagram.  4: good. */
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 1);
    struct nlmsghdr bad = {
        .nlmsg_len = 8,
        .nlmsg_type = RTM_NEWTFILTER,
    };
    esw_nl_batch_add(&batch, &bad);
    bad.nlmsg_len = sizeof bad;
    bad.nlmsg_type = NLMSG_NOOP;
    esw_nl_batch_add(&batch, &bad);
    struct nlmsghdr *big = xzalloc(ESW_NL_MAX_DATAGRAM + 4);
    big->nlmsg_len = ESW_NL_MAX_DATAGRAM + 4;
    big->nlmsg_type = RTM_NEWTFILTER;
    esw_nl_batch_add(&batch, big);
    free(big);
    add_filter_adds(&batch, f.rep0, f.rep1, 2, 2);

    /* Known before sending. */
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 5);
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 3);
    CU_ASSERT_PTR_NOT_NULL(esw_nl_batch_msg(&batch, 0));
    CU_ASSERT_PTR_NULL(esw_nl_batch_msg(&batch, 1));
    CU_ASSERT_PTR_NULL(esw_nl_batch_msg(&batch, 3));

    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    check_result(&batch, 0, 0, NULL);
    check_result(&batch, 1, EINVAL, NULL);
    check_result(&batch, 2, EINVAL, NULL);
    check_result(&batch, 3, EMSGSIZE, NULL);
    check_result(&batch, 4, 0, NULL);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 2);
    CU_ASSERT_EQUAL(d.tx_datagrams, 1);

    /* Sent once only; cleared, it can be used again. */
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), EALREADY);
    check_result(&batch, 1, EINVAL, NULL);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 2);
    esw_nl_batch_clear(&batch);
    CU_ASSERT_EQUAL(esw_nl_batch_count(&batch), 0);
    add_filter_adds(&batch, f.rep0, f.rep1, 3, 3);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    check_result(&batch, 0, 0, NULL);

    /* An empty batch. */
    esw_nl_batch_clear(&batch);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);

    /* A dump needs a dump request. */
    CU_ASSERT_EQUAL(esw_nl_dump(f.nl, encode_add(f.rep0, f.rep1, 4, 4, 0),
                                count_filter, NULL), EINVAL);

    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 3), 3);
    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

static void
test_datagram_limit(void)
{
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct emu_fixture f;

    emu_fixture_init(&f, "");
    esw_nl_batch_init(&batch);

    /* A limit below any message: one message per datagram. */
    esw_nl_set_max_datagram(f.nl, 1);
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 10);
    esw_nl_get_stats(f.nl, &before);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 0);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 10);
    CU_ASSERT_EQUAL(d.tx_datagrams, 10);
    CU_ASSERT_EQUAL(d.rx_messages, 10);

    /* Room for exactly two. */
    esw_nl_batch_clear(&batch);
    add_filter_adds(&batch, f.rep0, f.rep1, 11, 20);
    size_t len = esw_nl_batch_msg(&batch, 0)->nlmsg_len;
    esw_nl_set_max_datagram(f.nl, NLMSG_ALIGN(len) + len);
    esw_nl_get_stats(f.nl, &before);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 0);
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_datagrams, 5);
    CU_ASSERT_EQUAL(d.rx_messages, 5);

    /* The second of each pair asks for the ACK. */
    for (size_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(!!(esw_nl_batch_msg(&batch, i)->nlmsg_flags
                           & NLM_F_ACK), i % 2 == 1);
    }

    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 20), 20);
    esw_nl_batch_uninit(&batch);
    emu_fixture_destroy(&f);
}

static void
test_batch_mixed_kinds(void)
{
    struct esw_flower_rule *got = xmalloc(sizeof *got);
    struct esw_nl_stats before, d;
    struct esw_nl_batch batch;
    struct emu_fixture f;
    size_t len;

    emu_fixture_init(&f, "");
    esw_nl_batch_init(&batch);

    /* 0-1: adds.  2: an add with NLM_F_ECHO.  3: an add.  4: a GET of
     * filter 1.  5: the delete of filter 2.  6: an add.  7: an add of
     * filter 1 again.  8: an add. */
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 2);
    esw_nl_batch_add(&batch, encode_add(f.rep0, f.rep1, 3, 0x0a000003,
                                        NLM_F_CREATE | NLM_F_EXCL
                                        | NLM_F_ECHO));
    add_filter_adds(&batch, f.rep0, f.rep1, 4, 4);
    struct esw_flower_rule *rule = redirect_rule(f.rep0, f.rep1, 1, 0);
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_get(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule, 0, &len), 0);
    free(rule);
    esw_nl_batch_add(&batch, &request_buf.nlh);
    esw_nl_batch_add(&batch, encode_del(f.rep0, 2));
    add_filter_adds(&batch, f.rep0, f.rep1, 5, 5);
    add_filter_adds(&batch, f.rep0, f.rep1, 1, 1);
    add_filter_adds(&batch, f.rep0, f.rep1, 6, 6);
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 9);

    /* The echo, the GET and the last ask for an ACK; 7 fails. */
    esw_nl_get_stats(f.nl, &before);
    CU_ASSERT_EQUAL(esw_nl_batch_send(f.nl, &batch), 0);
    check_acks(&batch, (1 << 2) | (1 << 4) | (1 << 8));
    for (size_t i = 0; i < 9; i++) {
        const struct esw_nl_result *result = esw_nl_batch_result(&batch, i);

        if (i == 7) {
            check_result(&batch, i, EEXIST, "Filter already exists");
        } else {
            check_result(&batch, i, 0, NULL);
            CU_ASSERT_PTR_NULL(result->extack);
        }
        if (i != 2 && i != 4) {
            CU_ASSERT_PTR_NULL(result->reply);
        }
    }

    /* The echo and the GET got their filters. */
    for (size_t i = 2; i <= 4; i += 2) {
        const struct ofpbuf *reply = esw_nl_batch_result(&batch, i)->reply;

        CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
        const struct nlmsghdr *nlh = reply->data;
        CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, reply->size));
        CU_ASSERT_EQUAL(NLMSG_ALIGN(nlh->nlmsg_len), reply->size);
        CU_ASSERT_EQUAL_FATAL(tc_flower_decode(nlh, nlh->nlmsg_len, got,
                                               NULL), 0);
        CU_ASSERT_EQUAL(got->handle, i == 2 ? 3 : 1);
        CU_ASSERT_EQUAL(ntohl(got->key.ipv4_dst),
                        0x0a000000 + got->handle);
    }

    /* Answers: 2 replies, 3 ACKs, 1 error. */
    d = stats_since(f.nl, &before);
    CU_ASSERT_EQUAL(d.tx_messages, 9);
    CU_ASSERT_EQUAL(d.tx_datagrams, 1);
    CU_ASSERT_EQUAL(d.rx_messages, 6);
    CU_ASSERT_EQUAL(d.errors, 1);
    CU_ASSERT_EQUAL(d.stale_messages, 0);

    /* Filters 1, 3, 4, 5 and 6. */
    CU_ASSERT_EQUAL(count_filters(f.nl, f.rep0, 6), 5);
    esw_nl_batch_uninit(&batch);
    free(got);
    emu_fixture_destroy(&f);
}

/* Tests: a misbehaving server. */

static void
test_server_closes_mid_batch(void)
{
    struct esw_nl_batch batch, retry;
    struct fake_server s;
    struct esw_nl *nl;
    char *err = NULL;

    /* The NIC the requests are for, served only later. */
    struct emu_fixture emu;
    memset(&emu, 0, sizeof emu);
    emu_nic_destroy_all();
    CU_ASSERT_EQUAL_FATAL(emu_nic_create(NIC_NAME ",vfs=2,mode=switchdev",
                                         &emu.nic, &err), 0);
    emu.rep0 = emu.nic->vfs[0].rep_ifindex;
    emu.rep1 = emu.nic->vfs[1].rep_ifindex;

    /* A server that acknowledges 4 of 10 requests and hangs up. */
    fake_server_start(&s, script_ack_then_close, 4);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, emu.rep0, emu.rep1, 1, 10);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), ECONNRESET);
    for (size_t i = 0; i < 10; i++) {
        check_result(&batch, i, i < 4 ? 0 : ECONNRESET, NULL);
    }
    fake_server_join(&s);

    /* The handle says so, and fails at once from then on. */
    struct esw_nl_stats stats;
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.disconnects, 1);
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), ECONNRESET);
    CU_ASSERT_EQUAL(esw_nl_transact(nl, esw_nl_batch_msg(&batch, 0), NULL,
                                    NULL), ECONNRESET);
    CU_ASSERT_EQUAL(dump_filters(nl, emu.rep0, NULL), ECONNRESET);

    /* Nobody listens: reconnecting fails, and says why. */
    fake_server_stop_listening(&s);
    CU_ASSERT_EQUAL(esw_nl_reconnect(nl), ECONNREFUSED);
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), ECONNREFUSED);
    CU_ASSERT_EQUAL(esw_nl_fd(nl), -1);
    CU_ASSERT_EQUAL(esw_nl_transact(nl, esw_nl_batch_msg(&batch, 0), NULL,
                                    NULL), ECONNREFUSED);

    /* The emulator comes back on the same socket: reconnect, and send the
     * requests that were not answered again. */
    emu.path = s.path;
    emu_fixture_start(&emu);
    CU_ASSERT_EQUAL_FATAL(esw_nl_reconnect(nl), 0);
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), 0);
    CU_ASSERT(esw_nl_fd(nl) >= 0);

    size_t len;
    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(request_buf.bytes,
                                          sizeof request_buf.bytes, true,
                                          emu.rep0, TC_QDISC_INGRESS, 0,
                                          &len), 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_transact(nl, &request_buf.nlh, NULL, NULL),
                          0);
    esw_nl_batch_init(&retry);
    for (size_t i = 0; i < 10; i++) {
        if (esw_nl_batch_result(&batch, i)->error) {
            esw_nl_batch_add(&retry, esw_nl_batch_msg(&batch, i));
        }
    }
    CU_ASSERT_EQUAL(esw_nl_batch_count(&retry), 6);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &retry), 0);
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&retry), 0);
    CU_ASSERT_EQUAL(count_filters(nl, emu.rep0, 10), 6);

    esw_nl_close(nl);
    esw_nl_batch_uninit(&batch);
    esw_nl_batch_uninit(&retry);
    emu_fixture_stop(&emu);
    emu_nic_destroy_all();
    fake_server_destroy(&s);
}

static void
test_server_resets_mid_batch(void)
{
    struct esw_nl_batch batch;
    struct fake_server s;
    struct esw_nl *nl;

    /* Two datagrams of 5 requests; the server reads the first, answers 3
     * of its requests and hangs up with the second unread. */
    fake_server_start(&s, script_ack_then_reset, 3);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, 5, 6, 1, 10);
    size_t len = esw_nl_batch_msg(&batch, 0)->nlmsg_len;
    esw_nl_set_max_datagram(nl, 4 * NLMSG_ALIGN(len) + len);

    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), ECONNRESET);
    for (size_t i = 0; i < 10; i++) {
        check_result(&batch, i, i < 3 ? 0 : ECONNRESET, NULL);
    }
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), ECONNRESET);

    struct esw_nl_stats stats;
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.tx_datagrams, 2);
    CU_ASSERT_EQUAL(stats.disconnects, 1);

    fake_server_join(&s);
    esw_nl_close(nl);
    esw_nl_batch_uninit(&batch);
    fake_server_destroy(&s);
}

static void
test_timeout_then_late_answers(void)
{
    struct esw_nl_batch first, second;
    struct esw_nl_stats stats;
    struct fake_server s;
    struct esw_nl *nl;

    fake_server_start(&s, script_late_answers, 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);

    /* No answer in time: every request times out, the handle lives on. */
    esw_nl_set_timeout(nl, 100);
    esw_nl_batch_init(&first);
    add_filter_adds(&first, 5, 6, 1, 3);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &first), ETIMEDOUT);
    for (size_t i = 0; i < 3; i++) {
        check_result(&first, i, ETIMEDOUT, NULL);
    }
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), 0);
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.timeouts, 3);

    /* The late answers (EEXIST) do not pass for those of the next
     * batch. */
    esw_nl_set_timeout(nl, ESW_NL_DEFAULT_TIMEOUT_MS);
    esw_nl_batch_init(&second);
    add_filter_adds(&second, 5, 6, 4, 5);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &second), 0);
    for (size_t i = 0; i < 2; i++) {
        check_result(&second, i, 0, NULL);
        CU_ASSERT_PTR_NULL(esw_nl_batch_result(&second, i)->extack);
    }
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.stale_messages, 3);
    CU_ASSERT_EQUAL(stats.errors, 0);

    esw_nl_close(nl);
    fake_server_join(&s);
    esw_nl_batch_uninit(&first);
    esw_nl_batch_uninit(&second);
    fake_server_destroy(&s);
}

static void
test_malformed_answers(void)
{
    struct esw_nl_batch batch;
    struct esw_nl_stats stats;
    struct fake_server s;
    struct esw_nl *nl;

    fake_server_start(&s, script_malformed, 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, 5, 6, 1, 2);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), 0);
    check_result(&batch, 0, EPROTO, NULL);
    check_result(&batch, 1, EBUSY, "busy");
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.malformed_datagrams, 1);
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), 0);

    esw_nl_close(nl);
    fake_server_join(&s);
    esw_nl_batch_uninit(&batch);
    fake_server_destroy(&s);
}

/* Tests: a server that answers as the kernel does. */

static void
test_acks_implied_by_later_answer(void)
{
    struct esw_nl_batch batch;
    struct esw_nl_stats stats;
    struct fake_server s;
    struct esw_nl *nl;

    /* Two datagrams of 5 requests, all handled; 3 and 9 fail. */
    fake_server_start_like_kernel(&s, 10, 10, (1 << 3) | (1 << 9), false);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);

    /* 2: an add with NLM_F_ECHO.  7: one with NLM_F_REPLACE |
     * NLM_F_EXCL, the bits of NLM_F_DUMP. */
    add_filter_adds(&batch, 5, 6, 1, 2);
    esw_nl_batch_add(&batch, encode_add(5, 6, 3, 0x0a000003,
                                        NLM_F_CREATE | NLM_F_ECHO));
    add_filter_adds(&batch, 5, 6, 4, 7);
    esw_nl_batch_add(&batch, encode_add(5, 6, 8, 0x0a000008,
                                        NLM_F_CREATE | NLM_F_REPLACE
                                        | NLM_F_EXCL));
    add_filter_adds(&batch, 5, 6, 9, 10);
    CU_ASSERT_EQUAL_FATAL(esw_nl_batch_count(&batch), 10);
    size_t len = esw_nl_batch_msg(&batch, 0)->nlmsg_len;
    esw_nl_set_max_datagram(nl, 4 * NLMSG_ALIGN(len) + len);
    CU_ASSERT_EQUAL(expected_datagrams(&batch, 4 * NLMSG_ALIGN(len) + len),
                    2);

    /* The last of each datagram, the echo and the "dump" ask for an ACK;
     * the error of the last of a datagram implies the others' success as
     * well as an ACK does. */
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), 0);
    check_acks(&batch, (1 << 2) | (1 << 4) | (1 << 7) | (1 << 9));
    for (size_t i = 0; i < 10; i++) {
        if (i == 3 || i == 9) {
            check_result(&batch, i, EEXIST, "failed");
        } else {
            check_result(&batch, i, 0, NULL);
            CU_ASSERT_PTR_NULL(esw_nl_batch_result(&batch, i)->extack);
        }
    }
    CU_ASSERT_EQUAL(esw_nl_batch_n_failed(&batch), 2);
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.tx_messages, 10);
    CU_ASSERT_EQUAL(stats.tx_datagrams, 2);
    CU_ASSERT_EQUAL(stats.rx_messages, 5);
    CU_ASSERT_EQUAL(stats.errors, 2);
    CU_ASSERT_EQUAL(stats.stale_messages, 0);

    /* The server got the requests as the batch says they went. */
    esw_nl_close(nl);
    fake_server_join(&s);
    for (size_t i = 0; i < 10; i++) {
        CU_ASSERT_EQUAL(s.flags[i], esw_nl_batch_msg(&batch, i)->nlmsg_flags);
    }
    esw_nl_batch_uninit(&batch);
    fake_server_destroy(&s);
}

static void
test_hang_up_before_last_ack(void)
{
    struct esw_nl_batch batch;
    struct esw_nl_stats stats;
    struct fake_server s;
    struct esw_nl *nl;

    /* One datagram of 8 requests; the server handles 5, of which 2 fails,
     * and hangs up. */
    fake_server_start_like_kernel(&s, 8, 5, 1 << 2, true);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, 5, 6, 1, 8);

    /* Nothing says that 0, 1, 3 and 4 succeeded. */
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), ECONNRESET);
    check_acks(&batch, 1 << 7);
    for (size_t i = 0; i < 8; i++) {
        if (i == 2) {
            check_result(&batch, i, EEXIST, "failed");
        } else {
            check_result(&batch, i, ECONNRESET, NULL);
        }
    }
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), ECONNRESET);
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.rx_messages, 1);
    CU_ASSERT_EQUAL(stats.errors, 1);
    CU_ASSERT_EQUAL(stats.disconnects, 1);

    fake_server_join(&s);
    esw_nl_close(nl);
    esw_nl_batch_uninit(&batch);
    fake_server_destroy(&s);
}

static void
test_timeout_before_last_ack(void)
{
    struct esw_nl_batch batch;
    struct esw_nl_stats stats;
    struct fake_server s;
    struct esw_nl *nl;

    /* One datagram of 4 requests; the server handles 2, of which 1 fails,
     * and then nothing more. */
    fake_server_start_like_kernel(&s, 4, 2, 1 << 1, false);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(s.target, NETLINK_ROUTE, &nl), 0);
    esw_nl_set_timeout(nl, 100);
    esw_nl_batch_init(&batch);
    add_filter_adds(&batch, 5, 6, 1, 4);

    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), ETIMEDOUT);
    check_acks(&batch, 1 << 3);
    for (size_t i = 0; i < 4; i++) {
        check_result(&batch, i, i == 1 ? EEXIST : ETIMEDOUT, NULL);
    }
    CU_ASSERT_EQUAL(esw_nl_get_status(nl), 0);
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.timeouts, 3);
    CU_ASSERT_EQUAL(stats.errors, 1);

    esw_nl_close(nl);
    fake_server_join(&s);
    esw_nl_batch_uninit(&batch);
    fake_server_destroy(&s);
}

/* Tests: the kernel. */

/* What a dump of the kernel's links found. */
struct link_search {
    size_t n_links;
    size_t n_bad;
    int lo_ifindex;             /* 0 if "lo" was not among them. */
};

static int
link_attr_cb(const struct nlattr *attr, void *tb_)
{
    const struct nlattr **tb = tb_;
    int type = mnl_attr_get_type(attr);

    if (type == IFLA_IFNAME) {
        if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0) {
            return MNL_CB_ERROR;
        }
        tb[type] = attr;
    }
    return MNL_CB_OK;
}

/* Returns the name of link message 'nlh' ("" if it has none) and its
 * ifindex in '*ifindex', or NULL if it is not a well-formed link. */
static const char *
link_name(const struct nlmsghdr *nlh, int *ifindex)
{
    const struct nlattr *tb[IFLA_MAX + 1] = { NULL };

    if (nlh->nlmsg_type != RTM_NEWLINK
        || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))
        || mnl_attr_parse(nlh, sizeof(struct ifinfomsg), link_attr_cb,
                          tb) != MNL_CB_OK) {
        return NULL;
    }
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    *ifindex = ifi->ifi_index;
    return tb[IFLA_IFNAME] ? mnl_attr_get_str(tb[IFLA_IFNAME]) : "";
}

static int
find_lo(const struct nlmsghdr *nlh, void *search_)
{
    struct link_search *search = search_;
    int ifindex;
    const char *name = link_name(nlh, &ifindex);

    if (!name) {
        search->n_bad++;
    } else if (!strcmp(name, "lo")) {
        search->lo_ifindex = ifindex;
    }
    search->n_links++;
    return 0;
}

static void
test_kernel_dump_links(void)
{
    struct esw_link_request req = { .dump = true };
    struct link_search search = { 0, 0, 0 };
    struct esw_nl *nl;

    CU_ASSERT_EQUAL_FATAL(esw_nl_open(NULL, NETLINK_ROUTE, &nl), 0);
    CU_ASSERT(esw_nl_is_kernel(nl));
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes, 0,
                              &req), 0);
    CU_ASSERT_EQUAL(esw_nl_dump(nl, &request_buf.nlh, find_lo, &search), 0);
    CU_ASSERT(search.n_links >= 1);
    CU_ASSERT_EQUAL(search.n_bad, 0);
    CU_ASSERT_EQUAL(search.lo_ifindex, (int) if_nametoindex("lo"));

    struct esw_nl_stats stats;
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.tx_messages, 1);
    CU_ASSERT_EQUAL(stats.rx_messages, search.n_links + 1);
    CU_ASSERT_EQUAL(stats.stale_messages, 0);
    esw_nl_close(nl);
}

/* Encodes into 'request_buf' "tc qdisc add dev DEV root KIND" for 'ifindex'
 * and a qdisc kind that does not exist: a request the kernel refuses with
 * an extack message, whatever the machine. */
static const struct nlmsghdr *
encode_unknown_qdisc(int ifindex)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(request_buf.bytes);

    nlh->nlmsg_type = RTM_NEWQDISC;
    nlh->nlmsg_flags = (NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE
                        | NLM_F_EXCL);

    struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof *tcm);
    tcm->tcm_family = AF_UNSPEC;
    tcm->tcm_ifindex = ifindex;
    tcm->tcm_handle = 0;
    tcm->tcm_parent = TC_H_ROOT;
    mnl_attr_put_strz(nlh, TCA_KIND, "esw-no-qdisc");
    return nlh;
}

static void
test_kernel_batch(void)
{
    int lo = if_nametoindex("lo");
    struct esw_nl_batch batch;
    struct esw_nl *nl;
    int ifindex;

    CU_ASSERT_FATAL(lo > 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(NULL, NETLINK_ROUTE, &nl), 0);
    esw_nl_batch_init(&batch);

    /* 0: "ip link show lo" by index.  1: a refused qdisc.  2: a link that
     * does not exist.  3: "ip link show lo" by name. */
    struct esw_link_request req = { .ifindex = lo };
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes, 0,
                              &req), 0);
    esw_nl_batch_add(&batch, &request_buf.nlh);
    esw_nl_batch_add(&batch, encode_unknown_qdisc(lo));
    req.ifindex = 0x7ffffff0;
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes, 0,
                              &req), 0);
    esw_nl_batch_add(&batch, &request_buf.nlh);
    req.ifindex = 0;
    ovs_strlcpy(req.name, "lo", sizeof req.name);
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes, 0,
                              &req), 0);
    esw_nl_batch_add(&batch, &request_buf.nlh);

    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), 0);

    for (size_t i = 0; i < 4; i += 3) {
        const struct esw_nl_result *r = esw_nl_batch_result(&batch, i);

        check_result(&batch, i, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r->reply);
        const struct nlmsghdr *nlh = r->reply->data;
        CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, r->reply->size));
        CU_ASSERT_EQUAL(nlh->nlmsg_seq, r->seq);
        const char *name = link_name(nlh, &ifindex);
        CU_ASSERT_PTR_NOT_NULL_FATAL(name);
        CU_ASSERT_STRING_EQUAL(name, "lo");
        CU_ASSERT_EQUAL(ifindex, lo);
    }

    const struct esw_nl_result *refused = esw_nl_batch_result(&batch, 1);
    CU_ASSERT_NOT_EQUAL(refused->error, 0);
    CU_ASSERT_PTR_NULL(refused->reply);
    CU_ASSERT_PTR_NOT_NULL(refused->extack);
    if (refused->extack) {
        CU_ASSERT_PTR_NOT_NULL(strstr(refused->extack, "qdisc"));
    }
    check_result(&batch, 2, ENODEV, NULL);

    struct esw_nl_stats stats;
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.tx_messages, 4);
    CU_ASSERT_EQUAL(stats.tx_datagrams, 1);
    CU_ASSERT_EQUAL(stats.errors, 2);

    /* And as a single transaction. */
    struct ofpbuf *reply = NULL;
    CU_ASSERT_EQUAL(esw_nl_transact(nl, esw_nl_batch_msg(&batch, 3), &reply,
                                    NULL), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    CU_ASSERT_FATAL(mnl_nlmsg_ok(reply->data, reply->size));
    CU_ASSERT_STRING_EQUAL(link_name(reply->data, &ifindex), "lo");
    ofpbuf_delete(reply);

    esw_nl_batch_uninit(&batch);
    esw_nl_close(nl);
}

/* Encodes into 'request_buf' the generic netlink request for the family
 * called 'name' (CTRL_CMD_GETFAMILY), which the kernel answers with the
 * family. */
static const struct nlmsghdr *
encode_get_family(const char *name)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(request_buf.bytes);

    nlh->nlmsg_type = GENL_ID_CTRL;
    nlh->nlmsg_flags = NLM_F_REQUEST;

    struct genlmsghdr *genl = mnl_nlmsg_put_extra_header(nlh, sizeof *genl);
    genl->cmd = CTRL_CMD_GETFAMILY;
    genl->version = 1;
    mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
    return nlh;
}

static void
test_kernel_genl_keeps_acks(void)
{
    struct esw_nl_batch batch;
    struct esw_nl *nl;

    /* GENL_ID_CTRL, the nlmsg_type of these requests, is also the number
     * of RTM_NEWLINK: in generic netlink, it names a family, not an
     * operation, and every request asks for its ACK. */
    CU_ASSERT_EQUAL_FATAL(GENL_ID_CTRL, RTM_NEWLINK);
    CU_ASSERT_EQUAL_FATAL(esw_nl_open(NULL, NETLINK_GENERIC, &nl), 0);
    esw_nl_batch_init(&batch);
    for (int i = 0; i < 3; i++) {
        esw_nl_batch_add(&batch, encode_get_family("nlctrl"));
    }

    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), 0);
    check_acks(&batch, 7);
    for (size_t i = 0; i < 3; i++) {
        const struct esw_nl_result *result = esw_nl_batch_result(&batch, i);

        check_result(&batch, i, 0, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(result->reply);
        const struct nlmsghdr *nlh = result->reply->data;
        CU_ASSERT_FATAL(mnl_nlmsg_ok(nlh, result->reply->size));
        CU_ASSERT_EQUAL(nlh->nlmsg_type, GENL_ID_CTRL);
    }

    struct esw_nl_stats stats;
    esw_nl_get_stats(nl, &stats);
    CU_ASSERT_EQUAL(stats.rx_messages, 6);
    esw_nl_batch_uninit(&batch);
    esw_nl_close(nl);
}

/* A kernel handle in a network namespace of its own. */
struct netns_handle {
    struct esw_nl *nl;
    int error;
};

/* Opens a kernel NETLINK_ROUTE handle in a new network namespace, which
 * its socket keeps alive.  Runs in a thread of its own, the only one that
 * enters the namespace. */
static void *
open_in_new_netns(void *h_)
{
    struct netns_handle *h = h_;

    h->error = (unshare(CLONE_NEWNET) ? errno
                : esw_nl_open(NULL, NETLINK_ROUTE, &h->nl));
    return NULL;
}

/* Encodes into 'request_buf' "ip link set dev DEV up" for 'ifindex', as an
 * RTM_SETLINK. */
static const struct nlmsghdr *
encode_link_up(int ifindex)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(request_buf.bytes);

    nlh->nlmsg_type = RTM_SETLINK;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;

    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    return nlh;
}

/* Encodes into 'request_buf' "tc qdisc add|del dev DEV ingress". */
static const struct nlmsghdr *
encode_ingress(bool add, int ifindex)
{
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(request_buf.bytes,
                                          sizeof request_buf.bytes, add,
                                          ifindex, TC_QDISC_INGRESS, 0,
                                          &len), 0);
    return &request_buf.nlh;
}

static void
test_kernel_implied_acks(void)
{
    struct netns_handle h = { NULL, 0 };
    struct esw_nl_batch batch;
    int ifindex;

    pthread_t thread = ovs_thread_create("esw-nl-netns", open_in_new_netns,
                                         &h);
    xpthread_join(thread, NULL);
    if (h.error == EPERM) {
        printf("\n    SKIPPED (creating a network namespace needs root): ");
        return;
    }
    CU_ASSERT_EQUAL_FATAL(h.error, 0);

    /* A new namespace has only "lo", down, with ifindex 1. */
    struct esw_nl *nl = h.nl;
    const int lo = 1;
    int error = esw_nl_transact(nl, encode_ingress(true, lo), NULL, NULL);
    if (error) {
        printf("\n    SKIPPED (no ingress qdisc in this kernel: %s): ",
               ovs_strerror(error));
        esw_nl_close(nl);
        return;
    }
    CU_ASSERT_EQUAL_FATAL(esw_nl_transact(nl, encode_ingress(false, lo),
                                          NULL, NULL), 0);

    /* 0: "ip link set lo up".  1: add an ingress qdisc.  2: add it again,
     * which fails.  3: delete it.  4: add a qdisc that does not exist,
     * which fails.  5: "ip link show lo". */
    struct esw_link_request req = { .ifindex = lo };
    esw_nl_batch_init(&batch);
    esw_nl_batch_add(&batch, encode_link_up(lo));
    esw_nl_batch_add(&batch, encode_ingress(true, lo));
    esw_nl_batch_add(&batch, encode_ingress(true, lo));
    esw_nl_batch_add(&batch, encode_ingress(false, lo));
    esw_nl_batch_add(&batch, encode_unknown_qdisc(lo));
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes, 0,
                              &req), 0);
    esw_nl_batch_add(&batch, &request_buf.nlh);

    struct esw_nl_stats before, d;
    esw_nl_get_stats(nl, &before);
    CU_ASSERT_EQUAL(esw_nl_batch_send(nl, &batch), 0);
    check_acks(&batch, 1 << 5);
    check_result(&batch, 0, 0, NULL);
    check_result(&batch, 1, 0, NULL);
    check_result(&batch, 2, EEXIST, NULL);
    check_result(&batch, 3, 0, NULL);
    CU_ASSERT_NOT_EQUAL(esw_nl_batch_result(&batch, 4)->error, 0);
    check_result(&batch, 5, 0, NULL);

    /* The kernel sent the two errors, the link and its ACK: nothing for
     * the requests that succeeded without asking for an ACK. */
    d = stats_since(nl, &before);
    CU_ASSERT_EQUAL(d.tx_datagrams, 1);
    CU_ASSERT_EQUAL(d.rx_messages, 4);
    CU_ASSERT_EQUAL(d.errors, 2);
    CU_ASSERT_EQUAL(d.stale_messages, 0);

    /* They were applied: "lo" is up, and the qdisc is gone. */
    const struct ofpbuf *reply = esw_nl_batch_result(&batch, 5)->reply;
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    CU_ASSERT_FATAL(mnl_nlmsg_ok(reply->data, reply->size));
    const char *name = link_name(reply->data, &ifindex);
    CU_ASSERT_PTR_NOT_NULL_FATAL(name);
    CU_ASSERT_STRING_EQUAL(name, "lo");
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(reply->data);
    CU_ASSERT(ifi->ifi_flags & IFF_UP);
    CU_ASSERT_EQUAL(esw_nl_transact(nl, encode_ingress(true, lo), NULL,
                                    NULL), 0);

    esw_nl_batch_uninit(&batch);
    esw_nl_close(nl);
}

CU_pSuite
test_esw_nl_transport_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(open_targets), T(batch_of_100_adds), T(batch_errors_in_middle),
        T(batch_nic_full), T(dump_of_1000), T(transact_echo_and_get),
        T(unsendable_requests), T(datagram_limit), T(batch_mixed_kinds),
        T(server_closes_mid_batch), T(server_resets_mid_batch),
        T(timeout_then_late_answers), T(malformed_answers),
        T(acks_implied_by_later_answer), T(hang_up_before_last_ack),
        T(timeout_before_last_ack),
        T(kernel_dump_links), T(kernel_batch), T(kernel_genl_keeps_acks),
        T(kernel_implied_acks),
#undef T
    };
    CU_pSuite suite = CU_add_suite("esw_nl_transport", NULL, NULL);

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
