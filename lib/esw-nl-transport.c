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

#include "esw-nl-transport.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "nl-extack.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "socket-util.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(esw_nl_transport);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Receive buffer asked for a kernel socket: the answers to several full
 * datagrams of requests (each ACK takes about 1 kB of buffer). */
#define KERNEL_RCVBUF (4 * 1024 * 1024)

/* Largest errno value in a netlink error. */
#define MAX_ERRNO 4095

struct esw_nl {
    char *path;                 /* Emulator socket, or NULL: the kernel. */
    int protocol;
    int fd;                     /* -1 if reconnecting failed. */
    int error;                  /* 0, or why the connection broke. */
    int timeout_ms;
    size_t max_datagram;
    void *rxbuf;                /* ESW_NL_MAX_RECV bytes. */
    struct esw_nl_stats stats;
};

struct esw_nl_batch_entry {
    struct esw_nl_result result;
    struct hmap_node node;      /* In the exchange's 'pending', by seq. */
    size_t ofs;                 /* Offset of the request in 'msgs'. */
    size_t len;                 /* Its length; 0 if it was not copied. */
    bool done;                  /* Whether 'result' is final. */
};

/* Returns the copy of the request of 'e', which must have one. */
static struct nlmsghdr *
entry_msg(const struct esw_nl_batch *batch,
          const struct esw_nl_batch_entry *e)
{
    return ALIGNED_CAST(struct nlmsghdr *,
                        (char *) batch->msgs.data + e->ofs);
}

/* Whether the copy of the request of 'e', which must have one, asks for an
 * ACK. */
static bool
entry_wants_ack(const struct esw_nl_batch *batch,
                const struct esw_nl_batch_entry *e)
{
    return (entry_msg(batch, e)->nlmsg_flags & NLM_F_ACK) != 0;
}

/* One exchange under way on a handle: a batch or a dump. */
struct exchange {
    struct esw_nl *nl;
    long long int deadline;     /* Moved on by every bit of progress. */
    bool overrun;               /* The kernel dropped answers. */

    /* A batch: its requests sent and not yet answered, by seq. */
    struct esw_nl_batch *batch;
    struct hmap pending;

    /* A dump. */
    uint32_t dump_seq;
    esw_nl_dump_cb *cb;
    void *aux;
    bool dump_done;             /* NLMSG_DONE or NLMSG_ERROR came. */
    int dump_error;             /* Its error. */
    int cb_error;               /* First error 'cb' returned. */
    int rx_error;               /* EMSGSIZE if a message was truncated. */
    bool dump_intr;             /* A message had NLM_F_DUMP_INTR. */
};

/* Sequence numbers: unique in the process, never 0 (which notifications
 * carry). */
static uint32_t
new_seq(void)
{
    static atomic_count next_seq = ATOMIC_COUNT_INIT(1);
    uint32_t seq;

    do {
        seq = atomic_count_inc(&next_seq);
    } while (!seq);
    return seq;
}

static long long int
monotonic_msec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Whether 'error', from send() or recv(), means that the connection to
 * the emulator is gone. */
static bool
is_disconnect(int error)
{
    return (error == ECONNRESET || error == EPIPE || error == ENOTCONN
            || error == ECONNREFUSED || error == ESHUTDOWN
            || error == EBADF);
}

/* Handles. */

/* Finds the emulator socket of 'target' for 'protocol'.  Stores its path
 * in '*pathp', or NULL for the kernel.  Returns 0 or a positive errno. */
static int
parse_target(const char *target, int protocol, char **pathp)
{
    static const char prefix[] = "unix:";
    const char *name;

    *pathp = NULL;
    if (!target || !strcmp(target, "kernel")) {
        return 0;
    }
    if (strncmp(target, prefix, strlen(prefix))
        || !target[strlen(prefix)]) {
        return EINVAL;
    }
    if (protocol == NETLINK_ROUTE) {
        name = "rtnetlink.sock";
    } else if (protocol == NETLINK_GENERIC) {
        name = "genetlink.sock";
    } else {
        return EPROTONOSUPPORT;
    }
    *pathp = xasprintf("%s/%s", target + strlen(prefix), name);
    return 0;
}

static int
set_int_option(int fd, int level, int option, int value)
{
    return setsockopt(fd, level, option, &value, sizeof value) ? errno : 0;
}

/* Opens an AF_NETLINK socket for 'protocol' into '*fdp'. */
static int
open_kernel_socket(int protocol, int *fdp)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    int error;

    if (fd < 0) {
        return errno;
    }
    error = set_int_option(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    if (!error) {
        error = set_int_option(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    }
    if (!error
        && set_int_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, KERNEL_RCVBUF)) {
        /* Without CAP_NET_ADMIN: as much as net.core.rmem_max allows. */
        set_int_option(fd, SOL_SOCKET, SO_RCVBUF, KERNEL_RCVBUF);
    }
    if (!error) {
        struct sockaddr_nl local = { .nl_family = AF_NETLINK };

        if (bind(fd, (struct sockaddr *) &local, sizeof local)) {
            error = errno;
        }
    }
    if (error) {
        close(fd);
        return error;
    }
    *fdp = fd;
    return 0;
}

/* Connects to the emulator socket 'path' into '*fdp'. */
static int
open_emu_socket(const char *path, int *fdp)
{
    int fd = make_unix_socket(SOCK_SEQPACKET, true, NULL, path);

    if (fd < 0) {
        return -fd;
    }
    if (fcntl(fd, F_SETFD, FD_CLOEXEC)) {
        int error = errno;

        close(fd);
        return error;
    }
    *fdp = fd;
    return 0;
}

static int
open_socket(struct esw_nl *nl)
{
    return (nl->path
            ? open_emu_socket(nl->path, &nl->fd)
            : open_kernel_socket(nl->protocol, &nl->fd));
}

int
esw_nl_open(const char *target, int protocol, struct esw_nl **nlp)
{
    char *path;
    int error;

    *nlp = NULL;
    error = parse_target(target, protocol, &path);
    if (error) {
        return error;
    }

    struct esw_nl *nl = xzalloc(sizeof *nl);
    nl->path = path;
    nl->protocol = protocol;
    nl->fd = -1;
    nl->timeout_ms = ESW_NL_DEFAULT_TIMEOUT_MS;
    nl->max_datagram = ESW_NL_MAX_DATAGRAM;
    error = open_socket(nl);
    if (error) {
        VLOG_DBG("%s: cannot open netlink socket (%s)",
                 path ? path : "kernel", ovs_strerror(error));
        free(nl->path);
        free(nl);
        return error;
    }
    nl->rxbuf = xmalloc(ESW_NL_MAX_RECV);
    *nlp = nl;
    return 0;
}

void
esw_nl_close(struct esw_nl *nl)
{
    if (nl) {
        if (nl->fd >= 0) {
            close(nl->fd);
        }
        free(nl->rxbuf);
        free(nl->path);
        free(nl);
    }
}

int
esw_nl_reconnect(struct esw_nl *nl)
{
    if (nl->fd >= 0) {
        close(nl->fd);
        nl->fd = -1;
    }
    nl->error = open_socket(nl);
    if (nl->error) {
        nl->fd = -1;
    }
    return nl->error;
}

int
esw_nl_get_status(const struct esw_nl *nl)
{
    return nl->error;
}

bool
esw_nl_is_kernel(const struct esw_nl *nl)
{
    return !nl->path;
}

int
esw_nl_fd(const struct esw_nl *nl)
{
    return nl->fd;
}

void
esw_nl_set_timeout(struct esw_nl *nl, int msec)
{
    nl->timeout_ms = MAX(msec, 1);
}

void
esw_nl_set_max_datagram(struct esw_nl *nl, size_t size)
{
    nl->max_datagram = MIN(MAX(size, NLMSG_HDRLEN), ESW_NL_MAX_DATAGRAM);
}

void
esw_nl_get_stats(const struct esw_nl *nl, struct esw_nl_stats *stats)
{
    *stats = nl->stats;
}

/* Marks 'nl' as broken by 'error', unless it is already. */
static void
set_broken(struct esw_nl *nl, int error)
{
    if (!nl->error) {
        VLOG_WARN_RL(&rl, "%s: netlink connection lost (%s)",
                     nl->path ? nl->path : "kernel", ovs_strerror(error));
        nl->error = error;
        nl->stats.disconnects++;
    }
}

/* Batches. */

void
esw_nl_batch_init(struct esw_nl_batch *batch)
{
    memset(batch, 0, sizeof *batch);
    ofpbuf_init(&batch->msgs, 0);
}

void
esw_nl_batch_uninit(struct esw_nl_batch *batch)
{
    if (batch) {
        esw_nl_batch_clear(batch);
        ofpbuf_uninit(&batch->msgs);
        free(batch->entries);
        batch->entries = NULL;
        batch->allocated = 0;
    }
}

void
esw_nl_batch_clear(struct esw_nl_batch *batch)
{
    for (size_t i = 0; i < batch->n; i++) {
        struct esw_nl_result *result = &batch->entries[i].result;

        free(result->extack);
        ofpbuf_delete(result->reply);
    }
    batch->n = 0;
    batch->sent = false;
    ofpbuf_clear(&batch->msgs);
}

uint32_t
esw_nl_batch_add(struct esw_nl_batch *batch, const struct nlmsghdr *nlh)
{
    ovs_assert(!batch->sent);
    if (batch->n >= batch->allocated) {
        batch->entries = x2nrealloc(batch->entries, &batch->allocated,
                                    sizeof *batch->entries);
    }

    struct esw_nl_batch_entry *e = &batch->entries[batch->n++];
    memset(e, 0, sizeof *e);
    e->result.seq = new_seq();

    uint32_t len = nlh->nlmsg_len;
    if (len < NLMSG_HDRLEN || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
        e->result.error = EINVAL;
        e->done = true;
    } else if (len > ESW_NL_MAX_DATAGRAM) {
        e->result.error = EMSGSIZE;
        e->done = true;
    } else {
        struct ofpbuf *msgs = &batch->msgs;

        ofpbuf_put_zeros(msgs, NLMSG_ALIGN(msgs->size) - msgs->size);
        e->ofs = msgs->size;
        e->len = len;

        struct nlmsghdr *copy = ofpbuf_put(msgs, nlh, len);
        copy->nlmsg_seq = e->result.seq;
        copy->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    }
    return e->result.seq;
}

size_t
esw_nl_batch_count(const struct esw_nl_batch *batch)
{
    return batch->n;
}

const struct nlmsghdr *
esw_nl_batch_msg(const struct esw_nl_batch *batch, size_t index)
{
    ovs_assert(index < batch->n);

    const struct esw_nl_batch_entry *e = &batch->entries[index];
    return e->len ? entry_msg(batch, e) : NULL;
}

const struct esw_nl_result *
esw_nl_batch_result(const struct esw_nl_batch *batch, size_t index)
{
    ovs_assert(index < batch->n);
    return &batch->entries[index].result;
}

size_t
esw_nl_batch_n_failed(const struct esw_nl_batch *batch)
{
    size_t n = 0;

    for (size_t i = 0; i < batch->n; i++) {
        n += batch->entries[i].result.error != 0;
    }
    return n;
}

/* Exchanges. */

static void
exchange_init(struct exchange *x, struct esw_nl *nl)
{
    memset(x, 0, sizeof *x);
    x->nl = nl;
    x->deadline = monotonic_msec() + nl->timeout_ms;
    hmap_init(&x->pending);
}

static void
exchange_destroy(struct exchange *x)
{
    hmap_destroy(&x->pending);
}

/* Notes that the exchange made progress: the timeout starts again. */
static void
exchange_progress(struct exchange *x)
{
    x->deadline = monotonic_msec() + x->nl->timeout_ms;
}

static struct esw_nl_batch_entry *
exchange_find(const struct exchange *x, uint32_t seq)
{
    struct esw_nl_batch_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, hash_int(seq, 0), &x->pending) {
        if (e->result.seq == seq) {
            return e;
        }
    }
    return NULL;
}

/* Gives pending entry 'e' its final result; takes 'extack'. */
static void
exchange_complete(struct exchange *x, struct esw_nl_batch_entry *e,
                  int error, char *extack)
{
    hmap_remove(&x->pending, &e->node);
    e->done = true;
    e->result.error = error;
    free(e->result.extack);
    e->result.extack = extack;
}

/* Request 'e', which asked for an ACK, has been answered.  The peer
 * handles the messages of a datagram in order, and answers a request that
 * asks for no ACK only if it fails, after which it goes on with the next
 * message; so the requests before 'e' in its datagram have been handled,
 * and those of them that asked for no ACK and are still pending
 * succeeded.  (The request before the first of those asked for an ACK:
 * either it is in the datagram of 'e', and its own answer settled the
 * requests before it, or it is the last of the previous datagram.)
 *
 * Not after an overrun: then an error may have been lost. */
static void
exchange_settle_implied(struct exchange *x,
                        const struct esw_nl_batch_entry *e)
{
    struct esw_nl_batch *batch = x->batch;

    if (x->overrun) {
        return;
    }
    for (size_t i = e - batch->entries; i-- > 0; ) {
        struct esw_nl_batch_entry *prev = &batch->entries[i];

        if (!prev->len) {
            continue;           /* Never sent. */
        } else if (entry_wants_ack(batch, prev)) {
            break;
        } else if (!prev->done) {
            exchange_complete(x, prev, 0, NULL);
        }
    }
}

/* Gives pending entry 'e' the final result of its answer, 'error' and
 * 'extack' (which it takes), and settles the requests whose success that
 * answer implies. */
static void
exchange_answered(struct exchange *x, struct esw_nl_batch_entry *e,
                  int error, char *extack)
{
    if (entry_wants_ack(x->batch, e)) {
        exchange_settle_implied(x, e);
    }
    exchange_complete(x, e, error, extack);
}

/* Gives every request of the batch that has no result yet, sent or not,
 * 'error'. */
static void
exchange_fail_all(struct exchange *x, int error)
{
    struct esw_nl_batch *batch = x->batch;

    for (size_t i = 0; i < batch->n; i++) {
        struct esw_nl_batch_entry *e = &batch->entries[i];

        if (!e->done) {
            if (e->len && exchange_find(x, e->result.seq)) {
                hmap_remove(&x->pending, &e->node);
            }
            e->done = true;
            e->result.error = error;
            if (error == ETIMEDOUT) {
                x->nl->stats.timeouts++;
            }
        }
    }
}

/* If 'nlh' ends the answer to a request (NLMSG_ERROR, NLMSG_DONE), returns
 * true and stores the answer's errno in '*errorp' and, if 'extackp' is
 * nonnull, its extack message or NULL in '*extackp'. */
static bool
decode_end(const struct nlmsghdr *nlh, int *errorp, char **extackp)
{
    if (extackp) {
        *extackp = NULL;
    }
    if (nlh->nlmsg_type == NLMSG_ERROR) {
        if (nl_extack_decode(nlh, nlh->nlmsg_len, errorp, NULL, extackp)) {
            VLOG_WARN_RL(&rl, "malformed NLMSG_ERROR for seq %"PRIu32,
                         nlh->nlmsg_seq);
            *errorp = EPROTO;
        }
        return true;
    } else if (nlh->nlmsg_type == NLMSG_DONE) {
        int error = 0;

        /* Only very old kernels send NLMSG_DONE without its int. */
        if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof error) {
            memcpy(&error, (const char *) nlh + NLMSG_HDRLEN, sizeof error);
        }
        *errorp = error <= 0 && error >= -MAX_ERRNO ? -error : EPROTO;
        return true;
    }
    return false;
}

/* Appends a copy of 'nlh' to '*replyp', at an aligned offset. */
static void
append_reply(struct ofpbuf **replyp, const struct nlmsghdr *nlh)
{
    if (!*replyp) {
        *replyp = ofpbuf_new(NLMSG_ALIGN(nlh->nlmsg_len));
    }
    ofpbuf_put(*replyp, nlh, nlh->nlmsg_len);
    ofpbuf_put_zeros(*replyp, NLMSG_ALIGN(nlh->nlmsg_len) - nlh->nlmsg_len);
}

static void
batch_handle(struct exchange *x, const struct nlmsghdr *nlh)
{
    struct esw_nl_batch_entry *e = exchange_find(x, nlh->nlmsg_seq);
    int error;
    char *extack;

    if (!e) {
        x->nl->stats.stale_messages++;
    } else if (decode_end(nlh, &error, &extack)) {
        if (error) {
            x->nl->stats.errors++;
        }
        exchange_answered(x, e, error, extack);
    } else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
        append_reply(&e->result.reply, nlh);
    }
}

static void
dump_handle(struct exchange *x, const struct nlmsghdr *nlh)
{
    int error;

    if (x->dump_done || nlh->nlmsg_seq != x->dump_seq) {
        x->nl->stats.stale_messages++;
    } else if (decode_end(nlh, &error, NULL)) {
        if (error) {
            x->nl->stats.errors++;
        }
        x->dump_done = true;
        x->dump_error = error;
    } else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
            x->dump_intr = true;
        }
        if (!x->cb_error) {
            x->cb_error = x->cb(nlh, x->aux);
        }
    }
}

/* The answer to request 'seq' was longer than ESW_NL_MAX_RECV. */
static void
exchange_truncated(struct exchange *x, uint32_t seq)
{
    VLOG_WARN_RL(&rl, "netlink answer to seq %"PRIu32" longer than %d "
                 "bytes", seq, ESW_NL_MAX_RECV);
    if (x->batch) {
        struct esw_nl_batch_entry *e = exchange_find(x, seq);

        if (e) {
            exchange_answered(x, e, EMSGSIZE, NULL);
        }
    } else if (seq == x->dump_seq) {
        x->rx_error = EMSGSIZE;
    }
}

/* Passes each message of the 'size' bytes at 'data', a datagram that was
 * 'truncated' or not, to the exchange. */
static void
exchange_handle_datagram(struct exchange *x, const void *data, size_t size,
                         bool truncated)
{
    const char *p = data;
    size_t left = size;

    while (left >= NLMSG_HDRLEN) {
        const struct nlmsghdr *nlh = ALIGNED_CAST(const struct nlmsghdr *,
                                                  p);

        if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > left) {
            x->nl->stats.malformed_datagrams++;
            if (truncated && nlh->nlmsg_len > left) {
                exchange_truncated(x, nlh->nlmsg_seq);
            } else {
                VLOG_WARN_RL(&rl, "dropping malformed netlink message "
                             "(nlmsg_len %"PRIu32", %"PRIuSIZE" bytes "
                             "left)", nlh->nlmsg_len, left);
            }
            return;
        }

        x->nl->stats.rx_messages++;
        if (x->batch) {
            batch_handle(x, nlh);
        } else {
            dump_handle(x, nlh);
        }

        size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
        if (step >= left) {
            return;
        }
        p += step;
        left -= step;
    }
    if (truncated) {
        x->nl->stats.malformed_datagrams++;
    }
}

/* Receives one datagram without blocking and passes its messages to the
 * exchange.  Returns 0 if one came, EAGAIN if none was there, ENOBUFS if
 * the kernel dropped some, or the error of a broken connection
 * (ECONNRESET when the emulator closed it). */
static int
exchange_recv(struct exchange *x)
{
    struct esw_nl *nl = x->nl;
    struct iovec iov = {
        .iov_base = nl->rxbuf,
        .iov_len = ESW_NL_MAX_RECV,
    };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    do {
        /* With MSG_TRUNC, the datagram's real length. */
        n = recvmsg(nl->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EWOULDBLOCK ? EAGAIN : errno;
    } else if (!n && nl->path) {
        return ECONNRESET;
    }

    nl->stats.rx_datagrams++;
    bool truncated = n > ESW_NL_MAX_RECV || msg.msg_flags & MSG_TRUNC;
    exchange_handle_datagram(x, nl->rxbuf, MIN(n, ESW_NL_MAX_RECV),
                             truncated);
    return 0;
}

/* Receives every datagram there is, without blocking.  Notes a broken
 * connection in the handle, after reading what had come before. */
static void
exchange_drain(struct exchange *x)
{
    struct esw_nl *nl = x->nl;

    for (;;) {
        int error = exchange_recv(x);

        if (!error) {
            exchange_progress(x);
        } else if (error == EAGAIN) {
            break;
        } else if (error == ENOBUFS && !nl->path) {
            VLOG_WARN_RL(&rl, "netlink receive buffer overrun: answers "
                         "lost");
            nl->stats.overruns++;
            x->overrun = true;
        } else if (nl->error) {
            /* Broken, and what had come is read. */
            break;
        } else {
            /* Go on reading: answers sent before the emulator closed the
             * connection may follow the error. */
            set_broken(nl, error);
        }
    }

    if (x->overrun && x->batch) {
        /* The kernel answers the requests of a datagram before sendmsg()
         * returns, so an answer that is not here now is lost. */
        struct esw_nl_batch_entry *e;

        HMAP_FOR_EACH_SAFE (e, node, &x->pending) {
            exchange_complete(x, e, ENOBUFS, NULL);
        }
        x->overrun = false;
    }
}

/* Waits until the socket can be read (or written, if 'want_send').
 * Returns 0, ETIMEDOUT if the deadline passed, or poll()'s error. */
static int
exchange_wait(struct exchange *x, bool want_send)
{
    for (;;) {
        long long int now = monotonic_msec();
        if (now >= x->deadline) {
            return ETIMEDOUT;
        }

        struct pollfd pfd = {
            .fd = x->nl->fd,
            .events = POLLIN | (want_send ? POLLOUT : 0),
        };
        int retval = poll(&pfd, 1, MIN(x->deadline - now, INT_MAX));
        if (retval >= 0) {
            return 0;
        } else if (errno != EINTR) {
            return errno;
        }
    }
}

/* Sends the 'size' bytes at 'data' as one datagram.  Returns 0, EAGAIN if
 * the socket is full, or another errno. */
static int
send_datagram(struct esw_nl *nl, const void *data, size_t size)
{
    ssize_t n;

    do {
        n = send(nl->fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return errno == EWOULDBLOCK ? EAGAIN : errno;
    } else if (n != size) {
        /* Datagrams go whole or not at all. */
        return EIO;
    }
    nl->stats.tx_datagrams++;
    return 0;
}

/* Returns the index of the first request of 'batch' at or after 'i' that
 * has no result yet, or the batch's count. */
static size_t
next_to_send(const struct esw_nl_batch *batch, size_t i)
{
    while (i < batch->n && batch->entries[i].done) {
        i++;
    }
    return i;
}

/* Returns the index just past the requests that go in one datagram with
 * request 'first' (which has a copy): as many as fit in the handle's
 * limit, at least one.  Requests without a copy in between are passed
 * over.  Stores the datagram's size in '*sizep'. */
static size_t
datagram_end(const struct esw_nl *nl, const struct esw_nl_batch *batch,
             size_t first, size_t *sizep)
{
    size_t start = batch->entries[first].ofs;
    size_t i;

    *sizep = batch->entries[first].len;
    for (i = first + 1; i < batch->n; i++) {
        const struct esw_nl_batch_entry *e = &batch->entries[i];

        if (e->len) {
            size_t size = e->ofs + e->len - start;
            if (size > nl->max_datagram) {
                break;
            }
            *sizep = size;
        }
    }
    return i;
}

/* Whether request 'nlh', sent on a handle of netlink 'protocol', may go
 * without NLM_F_ACK when a later request of its datagram asks for one: an
 * rtnetlink request that creates, changes or deletes an object, and whose
 * only answer is thus its NLMSG_ERROR, which the kernel and the emulator
 * send without NLM_F_ACK only if it fails.  Requests that expect replies
 * (NLM_F_ECHO, GET, dumps), those of other types, and every generic
 * netlink request (whose nlmsg_type is a family, not an operation) keep
 * their ACK. */
static bool
ack_can_be_implied(int protocol, const struct nlmsghdr *nlh)
{
    if (protocol != NETLINK_ROUTE
        || nlh->nlmsg_flags & NLM_F_ECHO
        || (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
        return false;
    }
    switch (nlh->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
    case RTM_SETLINK:
    case RTM_NEWQDISC:
    case RTM_DELQDISC:
    case RTM_NEWTFILTER:
    case RTM_DELTFILTER:
        return true;
    default:
        return false;
    }
}

/* Sets or clears NLM_F_ACK in the copies of the requests 'first' up to
 * 'end' (exclusive) of 'batch', which go in one datagram on 'nl': the last
 * request of the datagram asks for an ACK, and so does every other one
 * whose ACK cannot be implied by a later answer (ack_can_be_implied()). */
static void
datagram_set_acks(const struct esw_nl *nl, struct esw_nl_batch *batch,
                  size_t first, size_t end)
{
    size_t last = end;

    while (last > first && !batch->entries[last - 1].len) {
        last--;
    }
    for (size_t i = first; i < last; i++) {
        const struct esw_nl_batch_entry *e = &batch->entries[i];

        if (e->len) {
            struct nlmsghdr *msg = entry_msg(batch, e);

            if (i + 1 < last && ack_can_be_implied(nl->protocol, msg)) {
                msg->nlmsg_flags &= ~NLM_F_ACK;
            } else {
                msg->nlmsg_flags |= NLM_F_ACK;
            }
        }
    }
}

/* Sends the next datagram of the batch, whose first request is 'first'.
 * Returns the index of the request after the last one it settled (sent, or
 * failed), or 'first' if the socket is full or broken. */
static size_t
batch_send_datagram(struct exchange *x, size_t first)
{
    struct esw_nl *nl = x->nl;
    struct esw_nl_batch *batch = x->batch;
    size_t size;
    size_t end = datagram_end(nl, batch, first, &size);
    const char *data = (const char *) batch->msgs.data;

    datagram_set_acks(nl, batch, first, end);
    int error = send_datagram(nl, data + batch->entries[first].ofs, size);

    if (error == EAGAIN) {
        return first;
    } else if (error && is_disconnect(error)) {
        set_broken(nl, error);
        return first;
    }

    for (size_t i = first; i < end; i++) {
        struct esw_nl_batch_entry *e = &batch->entries[i];

        if (e->done) {
            continue;
        } else if (error) {
            e->done = true;
            e->result.error = error;
        } else {
            hmap_insert(&x->pending, &e->node, hash_int(e->result.seq, 0));
            nl->stats.tx_messages++;
        }
    }
    if (error) {
        VLOG_WARN_RL(&rl, "sending a netlink datagram of %"PRIuSIZE" "
                     "bytes failed (%s)", size, ovs_strerror(error));
    } else {
        exchange_progress(x);
    }
    return end;
}

int
esw_nl_batch_send(struct esw_nl *nl, struct esw_nl_batch *batch)
{
    struct exchange x;
    int retval = 0;

    if (batch->sent) {
        return EALREADY;
    }
    batch->sent = true;

    exchange_init(&x, nl);
    x.batch = batch;
    size_t next = next_to_send(batch, 0);
    for (;;) {
        bool sent = false;

        if (nl->error) {
            retval = nl->error;
            exchange_fail_all(&x, retval);
            break;
        }
        if (next < batch->n) {
            size_t end = batch_send_datagram(&x, next);

            sent = end != next;
            next = next_to_send(batch, end);
        }

        exchange_drain(&x);
        if (nl->error) {
            continue;
        } else if (next >= batch->n && hmap_is_empty(&x.pending)) {
            break;
        } else if (sent) {
            /* Keep sending while the socket takes datagrams. */
            continue;
        }

        int error = exchange_wait(&x, next < batch->n);
        if (error) {
            if (error == ETIMEDOUT) {
                VLOG_WARN_RL(&rl, "%s: netlink requests timed out",
                             nl->path ? nl->path : "kernel");
            }
            retval = error;
            exchange_fail_all(&x, retval);
            break;
        }
    }
    exchange_destroy(&x);
    return retval;
}

/* Single requests. */

int
esw_nl_transact(struct esw_nl *nl, const struct nlmsghdr *request,
                struct ofpbuf **replyp, char **extackp)
{
    struct esw_nl_batch batch;

    esw_nl_batch_init(&batch);
    esw_nl_batch_add(&batch, request);
    esw_nl_batch_send(nl, &batch);

    struct esw_nl_result *result = &batch.entries[0].result;
    int error = result->error;
    if (replyp) {
        *replyp = error ? NULL : result->reply;
        if (!error) {
            result->reply = NULL;
        }
    }
    if (extackp) {
        *extackp = result->extack;
        result->extack = NULL;
    }
    esw_nl_batch_uninit(&batch);
    return error;
}

int
esw_nl_dump(struct esw_nl *nl, const struct nlmsghdr *request,
            esw_nl_dump_cb *cb, void *aux)
{
    uint32_t len = request->nlmsg_len;

    if (len < NLMSG_HDRLEN || request->nlmsg_type < NLMSG_MIN_TYPE
        || (request->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP) {
        return EINVAL;
    } else if (len > ESW_NL_MAX_DATAGRAM) {
        return EMSGSIZE;
    } else if (nl->error) {
        return nl->error;
    }

    /* A copy with our sequence number.  NLMSG_DONE ends a dump: no ACK. */
    struct nlmsghdr *copy = xmemdup(request, len);
    copy->nlmsg_seq = new_seq();
    copy->nlmsg_flags |= NLM_F_REQUEST;
    copy->nlmsg_flags &= ~NLM_F_ACK;

    struct exchange x;
    exchange_init(&x, nl);
    x.dump_seq = copy->nlmsg_seq;
    x.cb = cb;
    x.aux = aux;

    bool sent = false;
    int retval = 0;
    for (;;) {
        if (!sent) {
            int error = send_datagram(nl, copy, len);

            if (!error) {
                sent = true;
                nl->stats.tx_messages++;
                exchange_progress(&x);
            } else if (is_disconnect(error)) {
                set_broken(nl, error);
            } else if (error != EAGAIN) {
                retval = error;
                break;
            }
        }

        /* Read even before the request goes: the emulator does not read
         * from a client that does not read. */
        exchange_drain(&x);
        if (x.dump_done) {
            break;
        } else if (nl->error) {
            retval = nl->error;
            break;
        }

        int error = exchange_wait(&x, !sent);
        if (error) {
            if (error == ETIMEDOUT) {
                VLOG_WARN_RL(&rl, "%s: netlink dump timed out",
                             nl->path ? nl->path : "kernel");
                nl->stats.timeouts++;
            }
            retval = error;
            break;
        }
    }
    exchange_destroy(&x);
    free(copy);

    if (!retval) {
        retval = (x.rx_error ? x.rx_error
                  : x.dump_error ? x.dump_error
                  : x.cb_error ? x.cb_error
                  : x.dump_intr ? EAGAIN
                  : 0);
    }
    return retval;
}
