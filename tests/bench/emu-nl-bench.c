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

/* Benchmark of sriov-nic-emu's netlink control plane, through its
 * rtnetlink socket, as the offload engine uses it: prints TC flower rule
 * inserts per second sent one per transaction and batched (with an ACK
 * per request, and with one per datagram, as the engine sends them), their
 * ratio,
 * and the cost of a counter refresh by terse dump and of a full dump,
 * against the target of at least 500 K inserts/s batched.
 *
 * It starts the real daemon (--emu, default emu/sriov-nic-emu) in a
 * temporary directory, and stops it and removes the directory when it
 * exits, on failure and on a fatal signal too.
 *
 * The rules are OVS-like megaflows on the ingress of representor esw0_0:
 * "protocol ip prio 1 handle N flower skip_sw dst_mac M ip_proto tcp dst_ip
 * D src_ip S dst_port P action mirred egress redirect dev esw0_1", with a
 * distinct src_ip per rule.  Their messages are encoded before the clock
 * starts (the encoding rate is printed apart), so that the insert rates
 * measure the socket and the daemon. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-emu.h"
#include "bitmap.h"
#include "emu-netlink.h"
#include "esw-flower.h"
#include "esw-nic-model.h"
#include "nl-extack.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "tc-flower-codec.h"
#include "util.h"

/* The emulated NIC: its table holds EMU_CAPACITY rules. */
#define IN_PORT "esw0_0"        /* Representor of VF 0: the rules' port. */
#define OUT_PORT "esw0_1"       /* Representor of VF 1: their output. */

/* The target. */
#define TARGET_BATCHED_INSERTS_PER_SEC 500e3

/* Largest request datagram the emulator reads (MAX_REQUEST in
 * emu/emu-netlink.c); it drops longer ones. */
#define MAX_REQUEST_DATAGRAM 65536

/* Receive buffer: larger than any datagram the emulator sends (a dump
 * datagram of EMU_NL_DUMP_CHUNK_ROUTE bytes, or one message of up to 64 kB, or
 * an error that echoes a request). */
#define RECV_BUFFER_SIZE 131072
BUILD_ASSERT_DECL(RECV_BUFFER_SIZE >= EMU_NL_DUMP_CHUNK_ROUTE);

/* How long to wait for a reply, and for the daemon to start or stop. */
#define REPLY_TIMEOUT_SEC 60
#define DAEMON_TIMEOUT_MSEC 10000

/* Command line. */
static size_t n_rules = 50000;
static size_t batch_size = 64;

/* Time spent between two instants, by the clock on the wall and on the
 * CPUs of each process: a process whose CPU time is close to the wall time
 * is the bottleneck. */
struct span {
    double wall;
    double client_cpu;
    double daemon_cpu;          /* Negative if unknown. */
};

/* The daemon's CPU-time clock, if clock_getcpuclockid() gave one. */
static clockid_t daemon_cpu_clock;
static bool have_daemon_cpu_clock;

/* Returns the time of 'clock' in seconds, or -1 if it cannot be read. */
static double
clock_sec(clockid_t clock)
{
    struct timespec ts;

    if (clock_gettime(clock, &ts)) {
        return -1;
    }
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Starts measuring '*span'. */
static void
span_start(struct span *span)
{
    span->wall = bench_now_sec();
    span->client_cpu = clock_sec(CLOCK_PROCESS_CPUTIME_ID);
    span->daemon_cpu = (have_daemon_cpu_clock
                        ? clock_sec(daemon_cpu_clock) : -1);
}

/* Ends measuring '*span': from now on it holds the time spent since
 * span_start(). */
static void
span_end(struct span *span)
{
    struct span now;

    span_start(&now);
    span->wall = now.wall - span->wall;
    span->client_cpu = now.client_cpu - span->client_cpu;
    span->daemon_cpu = (now.daemon_cpu >= 0 && span->daemon_cpu >= 0
                        ? now.daemon_cpu - span->daemon_cpu : -1);
}

/* Netlink over the emulator's socket. */

struct nl_conn {
    int fd;
    uint32_t seq;               /* Sequence number of the last request. */
};

/* Received datagrams. */
static uint32_t recv_buffer[RECV_BUFFER_SIZE / sizeof(uint32_t)];

/* Connects to the emulator's rtnetlink socket, retrying until it accepts a
 * connection or DAEMON_TIMEOUT_MSEC have passed. */
static void
nl_conn_open(struct nl_conn *conn)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int error = 0;

    ovs_strlcpy(sun.sun_path, bench_rtnl_sock_path, sizeof sun.sun_path);
    for (int i = 0; i < DAEMON_TIMEOUT_MSEC / 10; i++) {
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            ovs_fatal(errno, "socket");
        }
        if (!connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
            struct timeval timeout = { REPLY_TIMEOUT_SEC, 0 };

            if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
                           sizeof timeout)) {
                ovs_fatal(errno, "setsockopt(SO_RCVTIMEO)");
            }
            conn->fd = fd;
            conn->seq = 0;
            return;
        }
        error = errno;
        close(fd);
        bench_sleep_msec(10);
    }
    ovs_fatal(error, "%s: could not connect", bench_rtnl_sock_path);
}

static void
nl_conn_close(struct nl_conn *conn)
{
    close(conn->fd);
    conn->fd = -1;
}

/* Sends the 'size' bytes at 'data' as one datagram. */
static void
nl_send(const struct nl_conn *conn, const void *data, size_t size)
{
    ssize_t n = send(conn->fd, data, size, MSG_NOSIGNAL);

    if (n < 0) {
        ovs_fatal(errno, "%s: send", bench_rtnl_sock_path);
    } else if (n != size) {
        ovs_fatal(0, "%s: sent %"PRIdSIZE" bytes of %"PRIuSIZE,
                  bench_rtnl_sock_path, n, size);
    }
}

/* Receives one datagram into recv_buffer and returns its length. */
static size_t
nl_recv(const struct nl_conn *conn)
{
    struct iovec iov = { recv_buffer, sizeof recv_buffer };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(conn->fd, &msg, 0);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        ovs_fatal(0, "%s: no reply within %d s", bench_rtnl_sock_path,
                  REPLY_TIMEOUT_SEC);
    } else if (n < 0) {
        ovs_fatal(errno, "%s: receive", bench_rtnl_sock_path);
    } else if (n == 0) {
        ovs_fatal(0, "%s: the daemon closed the connection",
                  bench_rtnl_sock_path);
    } else if (msg.msg_flags & MSG_TRUNC) {
        ovs_fatal(0, "%s: datagram longer than %d bytes", bench_rtnl_sock_path,
                  RECV_BUFFER_SIZE);
    }
    return n;
}

/* Exits with the error that NLMSG_ERROR 'nlh' (within 'len' bytes)
 * carries, or with a protocol error if it is malformed or an ACK. */
OVS_NO_RETURN static void
fatal_nl_error(const struct nlmsghdr *nlh, size_t len, const char *what)
{
    char *extack = NULL;
    uint32_t seq;
    int error;

    if (nl_extack_decode(nlh, len, &error, &seq, &extack)) {
        ovs_fatal(0, "%s: malformed NLMSG_ERROR", what);
    }
    ovs_fatal(0, "%s: request seq %"PRIu32" failed: %s%s%s", what, seq,
              error ? ovs_strerror(error) : "unexpected ACK",
              extack ? ": " : "", extack ? extack : "");
}

/* Receives the ACKs of the 'n' requests with sequence numbers 'first_seq'
 * onwards, in order, and exits if a request failed or a reply is not the
 * expected ACK.  'what' names the requests in messages. */
static void
nl_wait_acks(const struct nl_conn *conn, uint32_t first_seq, size_t n,
             const char *what)
{
    size_t n_acked = 0;

    while (n_acked < n) {
        int len = nl_recv(conn);
        const struct nlmsghdr *nlh;

        for (nlh = (const struct nlmsghdr *) recv_buffer;
             mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
            uint32_t expected = first_seq + n_acked;
            uint32_t seq;
            int error;

            if (nlh->nlmsg_type != NLMSG_ERROR) {
                ovs_fatal(0, "%s: reply of type %"PRIu16" to request seq "
                          "%"PRIu32", expected an ACK", what,
                          nlh->nlmsg_type, expected);
            }
            if (nl_extack_decode(nlh, nlh->nlmsg_len, &error, &seq, NULL)
                || error) {
                fatal_nl_error(nlh, nlh->nlmsg_len, what);
            }
            if (seq != expected || n_acked >= n) {
                ovs_fatal(0, "%s: ACK of request seq %"PRIu32", expected "
                          "%"PRIu32, what, seq, expected);
            }
            n_acked++;
        }
        if (len > 0) {
            ovs_fatal(0, "%s: %d bytes of truncated reply", what, len);
        }
    }
}

/* Sends request 'nlh', with the next sequence number, and waits for its
 * ACK. */
static void
nl_transact(struct nl_conn *conn, struct nlmsghdr *nlh, const char *what)
{
    nlh->nlmsg_seq = ++conn->seq;
    nl_send(conn, nlh, nlh->nlmsg_len);
    nl_wait_acks(conn, conn->seq, 1, what);
}

/* Returns the ifindex of link 'name', asked for with RTM_GETLINK. */
static int
get_ifindex(struct nl_conn *conn, const char *name)
{
    struct esw_link_request request = { .family = AF_UNSPEC };
    uint32_t buf[256];
    struct esw_link *link = xmalloc(sizeof *link);
    char *msg = NULL;

    ovs_strlcpy(request.name, name, sizeof request.name);
    if (esw_rtnl_link_encode_request(buf, sizeof buf, ++conn->seq,
                                     &request)) {
        ovs_fatal(0, "%s: cannot encode RTM_GETLINK", name);
    }
    nl_send(conn, buf, ((struct nlmsghdr *) buf)->nlmsg_len);

    int len = nl_recv(conn);
    const struct nlmsghdr *nlh = (const struct nlmsghdr *) recv_buffer;
    if (!mnl_nlmsg_ok(nlh, len)) {
        ovs_fatal(0, "%s: truncated RTM_GETLINK reply", name);
    } else if (nlh->nlmsg_type == NLMSG_ERROR) {
        fatal_nl_error(nlh, nlh->nlmsg_len, name);
    } else if (nlh->nlmsg_seq != conn->seq) {
        ovs_fatal(0, "%s: reply seq %"PRIu32", expected %"PRIu32, name,
                  nlh->nlmsg_seq, conn->seq);
    }
    int error = esw_rtnl_link_decode_link(nlh, link, &msg);
    if (error) {
        ovs_fatal(error, "%s: bad RTM_NEWLINK reply (%s)", name,
                  msg ? msg : "no detail");
    } else if (strcmp(link->name, name) || link->ifindex <= 0) {
        ovs_fatal(0, "%s: RTM_GETLINK answered with link %s, ifindex %d",
                  name, link->name, link->ifindex);
    }

    int ifindex = link->ifindex;
    free(link);
    return ifindex;
}

/* "tc qdisc add dev DEV ingress" */
static void
add_ingress_qdisc(struct nl_conn *conn, int ifindex)
{
    uint32_t buf[64];
    size_t len;

    if (tc_qdisc_encode(buf, sizeof buf, true, ifindex, TC_QDISC_INGRESS, 0,
                        &len)) {
        ovs_fatal(0, "cannot encode RTM_NEWQDISC");
    }
    nl_transact(conn, (struct nlmsghdr *) buf, "tc qdisc add ingress");
}

/* The rules. */

/* Rule i's source address, 10.0.0.1 onwards: what makes keys distinct. */
static ovs_be32
rule_src_ip(size_t i)
{
    return htonl(0x0a000000 | (i + 1));
}

/* Sets the key and identity of rule i in 'rule', which make_rule_base()
 * prepared. */
static void
make_rule(struct esw_flower_rule *rule, size_t i)
{
    static const uint16_t ports[] = { 80, 443, 8080, 22 };

    rule->handle = i + 1;
    rule->key.ipv4_src = rule_src_ip(i);
    rule->key.ipv4_dst = htonl(0xc0a80100 | (1 + i % 254));
    rule->key.tp_dst = htons(ports[i % ARRAY_SIZE(ports)]);
}

/* Initializes 'rule' with what every rule of the benchmark has. */
static void
make_rule_base(struct esw_flower_rule *rule, int in_ifindex,
               int out_ifindex)
{
    esw_flower_rule_init(rule);
    rule->ifindex = in_ifindex;
    rule->parent = TC_H_MAKE(TC_H_INGRESS, 0);
    rule->prio = 1;
    rule->protocol = htons(ETH_P_IP);
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;

    rule->key.eth_type = htons(ETH_P_IP);
    rule->mask.eth_type = OVS_BE16_MAX;
    rule->key.eth_dst = (struct eth_addr) ETH_ADDR_C(02, 00, 00, 00, 01, 01);
    rule->mask.eth_dst = eth_addr_exact;
    rule->key.ip_proto = IPPROTO_TCP;
    rule->mask.ip_proto = UINT8_MAX;
    rule->mask.ipv4_src = OVS_BE32_MAX;
    rule->mask.ipv4_dst = OVS_BE32_MAX;
    rule->mask.tp_dst = OVS_BE16_MAX;

    rule->n_actions = 1;
    rule->actions[0].type = ESW_FLOWER_ACT_MIRRED;
    rule->actions[0].control = TC_ACT_STOLEN;
    rule->actions[0].mirred.eaction = TCA_EGRESS_REDIR;
    rule->actions[0].mirred.ifindex = out_ifindex;
}

/* The RTM_NEWTFILTER requests of every rule, back to back, each padded to
 * NLMSG_ALIGNTO, so that consecutive rules make one datagram as they
 * are. */
struct rule_msgs {
    char *buf;                  /* Aligned for struct nlmsghdr. */
    size_t *ofs;                /* Rule i's at ofs[i]; ofs[n] is the end. */
    size_t n;
};

static struct nlmsghdr *
rule_msg(const struct rule_msgs *msgs, size_t i)
{
    return ALIGNED_CAST(struct nlmsghdr *, msgs->buf + msgs->ofs[i]);
}

/* Encodes the requests of 'n' rules and returns the time it took. */
static double
encode_rules(struct rule_msgs *msgs, size_t n, int in_ifindex,
             int out_ifindex)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    size_t allocated = n * 256;

    msgs->buf = xmalloc(allocated);
    msgs->ofs = xmalloc((n + 1) * sizeof *msgs->ofs);
    msgs->n = n;
    msgs->ofs[0] = 0;

    double start = bench_now_sec();
    make_rule_base(rule, in_ifindex, out_ifindex);
    for (size_t i = 0; i < n; i++) {
        size_t ofs = msgs->ofs[i];
        size_t len;
        int error;

        make_rule(rule, i);
        while ((error = tc_flower_encode_new(msgs->buf + ofs,
                                             allocated - ofs, rule,
                                             NLM_F_CREATE | NLM_F_EXCL, 0,
                                             &len)) == ENOBUFS) {
            allocated *= 2;
            msgs->buf = xrealloc(msgs->buf, allocated);
        }
        if (error) {
            ovs_fatal(error, "rule %"PRIuSIZE": cannot encode", i + 1);
        }
        msgs->ofs[i + 1] = ofs + NLMSG_ALIGN(len);
    }
    double secs = bench_now_sec() - start;

    free(rule);
    return secs;
}

static void
free_rule_msgs(struct rule_msgs *msgs)
{
    free(msgs->buf);
    free(msgs->ofs);
}

/* Phase 1: sends every rule alone and waits for its ACK.  Stores the time
 * it took in '*span'. */
static void
insert_one_per_transaction(struct nl_conn *conn,
                           const struct rule_msgs *msgs, struct span *span)
{
    span_start(span);
    for (size_t i = 0; i < msgs->n; i++) {
        nl_transact(conn, rule_msg(msgs, i), "tc filter add");
    }
    span_end(span);
}

/* Phase 2: sends the rules 'batch' per datagram, then waits for the ACKs
 * of the datagram.  If 'ack_last_only', only the last request of each
 * datagram asks for an ACK, which settles the others (netlink handles a
 * datagram's requests in order and answers one without NLM_F_ACK only if
 * it fails), as the engine's transport does; otherwise every request asks
 * for one.  Stores the time it took in '*span'. */
static void
insert_batched(struct nl_conn *conn, const struct rule_msgs *msgs,
               size_t batch, bool ack_last_only, struct span *span)
{
    for (size_t i = 0; i < msgs->n; i++) {
        struct nlmsghdr *nlh = rule_msg(msgs, i);
        bool last = (i + 1) % batch == 0 || i + 1 == msgs->n;

        nlh->nlmsg_flags = ((nlh->nlmsg_flags & ~NLM_F_ACK)
                            | (ack_last_only && !last ? 0 : NLM_F_ACK));
    }

    span_start(span);
    for (size_t i = 0; i < msgs->n; i += batch) {
        size_t n = MIN(batch, msgs->n - i);
        uint32_t first_seq = conn->seq + 1;

        for (size_t j = i; j < i + n; j++) {
            rule_msg(msgs, j)->nlmsg_seq = ++conn->seq;
        }
        nl_send(conn, rule_msg(msgs, i), msgs->ofs[i + n] - msgs->ofs[i]);
        if (ack_last_only) {
            nl_wait_acks(conn, conn->seq, 1, "tc filter add (batched)");
        } else {
            nl_wait_acks(conn, first_seq, n, "tc filter add (batched)");
        }
    }
    span_end(span);
}

/* "tc filter del dev DEV ingress protocol ip prio 1 flower": deletes every
 * rule.  Returns the time it took. */
static double
delete_rules(struct nl_conn *conn, int in_ifindex, int out_ifindex)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    uint32_t buf[256];
    size_t len;

    make_rule_base(rule, in_ifindex, out_ifindex);
    rule->handle = 0;
    if (tc_flower_encode_del(buf, sizeof buf, rule, 0, &len)) {
        ovs_fatal(0, "cannot encode RTM_DELTFILTER");
    }
    free(rule);

    double start = bench_now_sec();
    nl_transact(conn, (struct nlmsghdr *) buf, "tc filter del prio 1");
    return bench_now_sec() - start;
}

/* Phase 3: dumps. */

struct dump_result {
    size_t n_rules;             /* Rules received. */
    size_t n_headers;           /* Priority headers received. */
    size_t n_datagrams;
    size_t n_bytes;
    struct span span;           /* From the request to NLMSG_DONE. */
    double decode_secs;         /* Of which decoding the rules. */
};

/* Checks rule 'rule', decoded from a dump, against what the benchmark
 * installed; 'seen' has a bit per handle. */
static void
check_dumped_rule(const struct esw_flower_rule *rule, bool terse,
                  int out_ifindex, unsigned long *seen)
{
    uint32_t handle = rule->handle;

    if (handle < 1 || handle > n_rules || bitmap_is_set(seen, handle - 1)) {
        ovs_fatal(0, "dump: unexpected or repeated handle %"PRIu32,
                  handle);
    }
    bitmap_set1(seen, handle - 1);
    if (rule->prio != 1 || rule->n_actions != 1
        || rule->actions[0].type != ESW_FLOWER_ACT_MIRRED
        || !(rule->flags & TCA_CLS_FLAGS_IN_HW)) {
        ovs_fatal(0, "dump: handle %"PRIu32" is not the rule installed",
                  handle);
    }
    if (!terse && (rule->key.ipv4_src != rule_src_ip(handle - 1)
                   || rule->actions[0].mirred.ifindex != out_ifindex)) {
        ovs_fatal(0, "dump: handle %"PRIu32" has another key or output",
                  handle);
    }
}

/* Handles the messages of one dump datagram of 'len' bytes.  Returns true
 * when NLMSG_DONE has come. */
static bool
handle_dump_datagram(int len, uint32_t seq, bool terse, int out_ifindex,
                     struct esw_flower_rule *rule, unsigned long *seen,
                     struct dump_result *result)
{
    const struct nlmsghdr *nlh;

    for (nlh = (const struct nlmsghdr *) recv_buffer;
         mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
        if (nlh->nlmsg_type == NLMSG_ERROR) {
            fatal_nl_error(nlh, nlh->nlmsg_len, "tc filter show");
        } else if (nlh->nlmsg_seq != seq) {
            ovs_fatal(0, "dump: message seq %"PRIu32", expected %"PRIu32,
                      nlh->nlmsg_seq, seq);
        } else if (nlh->nlmsg_type == NLMSG_DONE) {
            if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int)) {
                ovs_fatal(0, "dump: truncated NLMSG_DONE");
            }
            int error;
            memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof error);
            if (error) {
                ovs_fatal(-error, "dump: failed");
            }
            mnl_nlmsg_next(nlh, &len);
            if (len > 0) {
                ovs_fatal(0, "dump: %d bytes after NLMSG_DONE", len);
            }
            return true;
        } else if (nlh->nlmsg_type != RTM_NEWTFILTER) {
            ovs_fatal(0, "dump: message of type %"PRIu16, nlh->nlmsg_type);
        } else if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct tcmsg))
                   && !((const struct tcmsg *)
                        mnl_nlmsg_get_payload(nlh))->tcm_handle) {
            /* The header the kernel starts each priority with. */
            if (result->n_headers++) {
                ovs_fatal(0, "dump: a second priority header (one "
                          "priority was dumped)");
            }
            continue;
        }

        char *msg = NULL;
        double start = bench_now_sec();
        int error = tc_flower_decode(nlh, nlh->nlmsg_len, rule, &msg);
        result->decode_secs += bench_now_sec() - start;
        if (error) {
            ovs_fatal(error, "dump: cannot decode rule %"PRIuSIZE" (%s)",
                      result->n_rules + 1, msg ? msg : "no detail");
        }
        check_dumped_rule(rule, terse, out_ifindex, seen);
        result->n_rules++;
    }
    if (len > 0) {
        ovs_fatal(0, "dump: %d bytes of truncated message", len);
    }
    return false;
}

/* Dumps the rules of the ingress of 'ifindex', tersely or not, decodes and
 * checks each of them, and stores what it measured in '*result'. */
static void
dump_rules(struct nl_conn *conn, int ifindex, int out_ifindex, bool terse,
           struct dump_result *result)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    unsigned long *seen = bitmap_allocate(n_rules);
    uint32_t buf[64];
    size_t len;

    memset(result, 0, sizeof *result);
    if (tc_flower_encode_dump_request(buf, sizeof buf, ifindex,
                                      TC_H_MAKE(TC_H_INGRESS, 0), terse,
                                      ++conn->seq, &len)) {
        ovs_fatal(0, "cannot encode RTM_GETTFILTER dump request");
    }

    span_start(&result->span);
    nl_send(conn, buf, len);
    bool done = false;
    while (!done) {
        int n = nl_recv(conn);

        result->n_datagrams++;
        result->n_bytes += n;
        done = handle_dump_datagram(n, conn->seq, terse, out_ifindex, rule,
                                    seen, result);
    }
    span_end(&result->span);

    if (result->n_rules != n_rules || result->n_headers != 1) {
        ovs_fatal(0, "dump: %"PRIuSIZE" rules and %"PRIuSIZE" priority "
                  "headers, expected %"PRIuSIZE" and 1", result->n_rules,
                  result->n_headers, n_rules);
    }
    bitmap_free(seen);
    free(rule);
}

/* Output. */

/* Prints how busy each process was during 'span'. */
static void
print_load(const struct span *span)
{
    printf("CPU busy: client %.0f%%, daemon ", 100 * span->client_cpu
           / span->wall);
    if (span->daemon_cpu >= 0) {
        printf("%.0f%%", 100 * span->daemon_cpu / span->wall);
    } else {
        printf("unknown");
    }
}

/* Prints which process limited the rate during 'span': one that was busy
 * most of the time, or neither. */
static void
print_bottleneck(const char *name, const struct span *span)
{
    double daemon = span->daemon_cpu / span->wall;
    double client = span->client_cpu / span->wall;

    printf("  bottleneck, %-17s ", name);
    if (span->daemon_cpu < 0) {
        printf("unknown (the daemon's CPU time cannot be read)\n");
    } else if (daemon >= 0.8 && client >= 0.8) {
        printf("both processes (daemon busy %.0f%%, client %.0f%% of the "
               "time)\n", 100 * daemon, 100 * client);
    } else if (daemon >= 0.8) {
        printf("the daemon (busy %.0f%% of the time)\n", 100 * daemon);
    } else if (client >= 0.8) {
        printf("the client (busy %.0f%% of the time)\n", 100 * client);
    } else {
        printf("neither process is saturated (daemon %.0f%%, client "
               "%.0f%%): latency of the round trips\n", 100 * daemon,
               100 * client);
    }
}

static void
print_inserts(const char *name, const struct span *span)
{
    printf("  %-24s %9.0f inserts/s (%.2f s, %.1f us/insert; ", name,
           n_rules / span->wall, span->wall, span->wall / n_rules * 1e6);
    print_load(span);
    printf(")\n");
}

static void
print_dump(const char *name, const struct dump_result *r)
{
    printf("  %-24s %9.0f rules/s (%.1f ms; %"PRIuSIZE" datagrams, %.0f "
           "bytes/rule; client decoding %.1f ms; ", name,
           r->n_rules / r->span.wall, r->span.wall * 1e3, r->n_datagrams,
           (double) r->n_bytes / r->n_rules, r->decode_secs * 1e3);
    print_load(&r->span);
    printf(")\n");
}

static void
print_target(double rate, double target)
{
    if (rate >= target) {
        printf("MET\n");
    } else {
        printf("MISSED by %.0f K/s (%.0f%% of the target)\n",
               (target - rate) / 1e3, 100 * rate / target);
    }
}

OVS_NO_RETURN static void
usage(void)
{
    printf("%s: benchmark of sriov-nic-emu's netlink control plane\n"
           "usage: %s [OPTIONS]\n"
           "  --emu=PATH     the daemon (default: emu/sriov-nic-emu)\n"
           "  --rules=N      rules to insert (default: 50000, at most %d)\n"
           "  --batch=N      rules per datagram when batched (default: 64)\n"
           "  -h, --help     print this message\n",
           program_name, program_name, EMU_CAPACITY);
    exit(EXIT_SUCCESS);
}

static size_t
parse_count(const char *option, const char *arg, size_t max)
{
    char *end;
    unsigned long long value;

    errno = 0;
    value = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || !value
        || value > max) {
        ovs_fatal(0, "--%s=%s: expected a number from 1 to %"PRIuSIZE,
                  option, arg, max);
    }
    return value;
}

static void
parse_options(int argc, char *argv[])
{
    enum { OPT_EMU = UCHAR_MAX + 1, OPT_RULES, OPT_BATCH };
    static const struct option long_options[] = {
        {"emu", required_argument, NULL, OPT_EMU},
        {"rules", required_argument, NULL, OPT_RULES},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_EMU:
            bench_emu_path = optarg;
            break;
        case OPT_RULES:
            n_rules = parse_count("rules", optarg, EMU_CAPACITY);
            break;
        case OPT_BATCH:
            batch_size = parse_count("batch", optarg, UINT16_MAX);
            break;
        case 'h':
            usage();
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (optind < argc) {
        ovs_fatal(0, "%s: unexpected argument (use --help for help)",
                  argv[optind]);
    }
}

/* Checks, before the daemon starts, that 'batch' rules fit in the
 * datagrams that the emulator reads: every rule's request has the same
 * length, whatever its key and ports. */
static void
check_batch_size(size_t batch)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    uint32_t buf[256];
    size_t len;

    make_rule_base(rule, 1, 2);
    make_rule(rule, 0);
    if (tc_flower_encode_new(buf, sizeof buf, rule,
                             NLM_F_CREATE | NLM_F_EXCL, 0, &len)) {
        ovs_fatal(0, "cannot encode a rule");
    }
    free(rule);
    if (batch * NLMSG_ALIGN(len) > MAX_REQUEST_DATAGRAM) {
        ovs_fatal(0, "--batch=%"PRIuSIZE": datagrams of %"PRIuSIZE" bytes "
                  "exceed the emulator's %d", batch,
                  batch * NLMSG_ALIGN(len), MAX_REQUEST_DATAGRAM);
    }
}

/* Checks that 'batch' of the rules in 'msgs' fit in the datagrams that the
 * emulator reads. */
static void
check_batch_fits(const struct rule_msgs *msgs, size_t batch)
{
    for (size_t i = 0; i < msgs->n; i += batch) {
        size_t n = MIN(batch, msgs->n - i);
        size_t size = msgs->ofs[i + n] - msgs->ofs[i];

        if (size > MAX_REQUEST_DATAGRAM) {
            ovs_fatal(0, "--batch=%"PRIuSIZE": datagrams of %"PRIuSIZE
                      " bytes exceed the emulator's %d", batch, size,
                      MAX_REQUEST_DATAGRAM);
        }
    }
}

int
main(int argc, char *argv[])
{
    struct nl_conn conn;
    struct rule_msgs msgs;

    set_program_name(argv[0]);
    parse_options(argc, argv);
    check_batch_size(batch_size);
    setvbuf(stdout, NULL, _IOLBF, 0);

    bench_make_tmp_dir();
    bench_start_daemon();
    have_daemon_cpu_clock = !clock_getcpuclockid(bench_daemon_pid,
                                                 &daemon_cpu_clock);
    nl_conn_open(&conn);

    int in_ifindex = get_ifindex(&conn, IN_PORT);
    int out_ifindex = get_ifindex(&conn, OUT_PORT);
    add_ingress_qdisc(&conn, in_ifindex);

    printf("sriov-nic-emu netlink benchmark: %"PRIuSIZE" rules \"ip prio 1 "
           "flower skip_sw dst_mac ip_proto tcp dst_ip/32 src_ip/32 "
           "dst_port, mirred redirect\" on the ingress of %s (ifindex %d) "
           "to %s (ifindex %d)\n", n_rules, IN_PORT, in_ifindex, OUT_PORT,
           out_ifindex);
    printf("daemon %s, pid %d, sockets in %s\n", bench_emu_path,
           (int) bench_daemon_pid, bench_tmp_dir);

    double encode_secs = encode_rules(&msgs, n_rules, in_ifindex,
                                      out_ifindex);
    check_batch_fits(&msgs, batch_size);
    printf("  client encode            %9.0f rules/s (%"PRIuSIZE" bytes/rule;"
           " before the clock starts, not in the rates below)\n",
           n_rules / encode_secs, msgs.ofs[1]);

    struct span single;
    insert_one_per_transaction(&conn, &msgs, &single);
    print_inserts("one per transaction", &single);

    double del_secs = delete_rules(&conn, in_ifindex, out_ifindex);
    printf("  delete prio 1            %9.1f ms for %"PRIuSIZE" rules\n",
           del_secs * 1e3, n_rules);

    struct span batched;
    char *batched_name = xasprintf("batched, %"PRIuSIZE" per datagram",
                                   batch_size);
    insert_batched(&conn, &msgs, batch_size, false, &batched);
    print_inserts(batched_name, &batched);
    free(batched_name);

    delete_rules(&conn, in_ifindex, out_ifindex);
    struct span implied;
    insert_batched(&conn, &msgs, batch_size, true, &implied);
    print_inserts("batched, one ACK per datagram", &implied);

    struct dump_result terse, full;
    dump_rules(&conn, in_ifindex, out_ifindex, true, &terse);
    print_dump("terse dump (counters)", &terse);
    dump_rules(&conn, in_ifindex, out_ifindex, false, &full);
    print_dump("full dump", &full);

    double single_rate = n_rules / single.wall;
    double batched_rate = n_rules / batched.wall;
    double implied_rate = n_rules / implied.wall;
    printf("\nsummary (%"PRIuSIZE" rules, %"PRIuSIZE" per datagram when "
           "batched):\n", n_rules, batch_size);
    printf("  inserts, batched             %8.1f K/s   target >= %.0f K/s: ",
           batched_rate / 1e3, TARGET_BATCHED_INSERTS_PER_SEC / 1e3);
    print_target(batched_rate, TARGET_BATCHED_INSERTS_PER_SEC);
    printf("  inserts, batched, one ACK per datagram (as the engine sends)\n"
           "                               %8.1f K/s   target >= %.0f K/s: ",
           implied_rate / 1e3, TARGET_BATCHED_INSERTS_PER_SEC / 1e3);
    print_target(implied_rate, TARGET_BATCHED_INSERTS_PER_SEC);
    printf("  inserts, one per transaction %8.1f K/s\n", single_rate / 1e3);
    printf("  batched / one per transaction %7.2fx\n",
           batched_rate / single_rate);
    printf("  counter refresh, terse dump  %8.1f ms for %"PRIuSIZE" rules "
           "(%.2f M rules/s)\n", terse.span.wall * 1e3, terse.n_rules,
           terse.n_rules / terse.span.wall / 1e6);
    printf("  full dump                    %8.1f ms for %"PRIuSIZE" rules "
           "(%.2f M rules/s)\n", full.span.wall * 1e3, full.n_rules,
           full.n_rules / full.span.wall / 1e6);
    print_bottleneck("one per txn:", &single);
    print_bottleneck("batched:", &batched);
    print_bottleneck("one ACK/datagram:", &implied);
    print_bottleneck("terse dump:", &terse.span);

    free_rule_msgs(&msgs);
    nl_conn_close(&conn);
    bench_succeeded = true;
    return 0;
}
