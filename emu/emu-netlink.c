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

#include "emu-netlink.h"

#include <errno.h>
#include <linux/if_arp.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "coverage.h"
#include "nl-extack.h"
#include "openvswitch/list.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_netlink);

COVERAGE_DEFINE(emu_nl_request);
COVERAGE_DEFINE(emu_nl_error);
COVERAGE_DEFINE(emu_nl_bad_message);

/* Largest datagram a client may send.  Batches of rules fill this. */
#define MAX_REQUEST 65536

/* Largest reply to one non-dump request, acknowledgement included. */
#define MAX_REPLY 65536

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Port ids given to clients, as the kernel gives sockets theirs. */
static uint32_t next_portid = 0x40000000;

/* A dump under way on a connection. */
struct emu_nl_dump {
    struct ofpbuf request;          /* Copy of the request message. */
    struct emu_nl_dump_cursor cursor;
};

struct emu_nl_conn {
    struct ovs_list node;           /* In emu_nl_server's 'conns'. */
    int fd;
    uint32_t portid;

    /* Requests of the current datagram not yet handled. */
    struct ofpbuf rx;

    /* Replies not yet sent (the socket was full). */
    struct ovs_list tx;             /* Of struct ofpbuf, via list_node. */

    struct emu_nl_dump *dump;       /* Dump under way, or NULL. */
};

struct emu_nl_server {
    char *path;
    int fd;
    int protocol;
    emu_nl_handler *handler;
    void *aux;
    struct ovs_list conns;
};

struct emu_nl_txn {
    struct ofpbuf *reply;           /* The datagram being built. */
    size_t limit;                   /* Its maximum size. */
    size_t reserved;                /* Size of the last reservation. */
    uint32_t seq;
    uint32_t portid;
    char *error_msg;
};

/* Netlink capture. */

static FILE *capture_file;
static char *capture_path;

/* The pseudo-header that precedes each netlink message in a
 * LINKTYPE_NETLINK capture: the Linux "cooked" header, whose hardware type
 * is ARPHRD_NETLINK and whose protocol is the netlink family. */
struct nl_cooked_header {
    ovs_be16 pkttype;               /* 0: to us, 4: sent by us. */
    ovs_be16 hatype;                /* ARPHRD_NETLINK. */
    ovs_be16 halen;
    uint8_t addr[8];
    ovs_be16 protocol;              /* NETLINK_ROUTE, NETLINK_GENERIC. */
};

int
emu_nl_capture(const char *path)
{
    if (capture_file) {
        fclose(capture_file);
        capture_file = NULL;
        free(capture_path);
        capture_path = NULL;
    }
    if (!path) {
        return 0;
    }

    FILE *file = fopen(path, "wb");
    if (!file) {
        return errno;
    }
    struct {
        uint32_t magic;
        uint16_t version_major, version_minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } header = { 0xa1b2c3d4, 2, 4, 0, 0, 262144, 253 };
    if (fwrite(&header, sizeof header, 1, file) != 1 || fflush(file)) {
        int error = errno;
        fclose(file);
        return error;
    }
    capture_file = file;
    capture_path = xstrdup(path);
    return 0;
}

const char *
emu_nl_capture_path(void)
{
    return capture_path;
}

/* Writes every netlink message in the 'size' bytes at 'data' to the
 * capture, as received ('outgoing' false) or sent. */
static void
capture(const void *data, size_t size, int protocol, bool outgoing)
{
    if (!capture_file) {
        return;
    }

    const struct nlmsghdr *nlh = data;
    size_t left = size;
    struct timeval now;

    gettimeofday(&now, NULL);
    while (left >= sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh
           && nlh->nlmsg_len <= left) {
        struct nl_cooked_header cooked = {
            .pkttype = htons(outgoing ? 4 : 0),
            .hatype = htons(ARPHRD_NETLINK),
            .protocol = htons(protocol),
        };
        uint32_t rec[4] = { now.tv_sec, now.tv_usec,
                            sizeof cooked + nlh->nlmsg_len,
                            sizeof cooked + nlh->nlmsg_len };

        fwrite(rec, sizeof rec, 1, capture_file);
        fwrite(&cooked, sizeof cooked, 1, capture_file);
        fwrite(nlh, nlh->nlmsg_len, 1, capture_file);

        size_t step = NLMSG_ALIGN(nlh->nlmsg_len);
        if (step >= left) {
            break;
        }
        left -= step;
        nlh = ALIGNED_CAST(const struct nlmsghdr *,
                           (const char *) nlh + step);
    }
    fflush(capture_file);
}

/* Transactions. */

void *
emu_nl_txn_reserve(struct emu_nl_txn *txn, size_t size)
{
    size_t ofs = NLMSG_ALIGN(txn->reply->size);

    /* As the kernel does, a message that is larger than a dump datagram
     * goes alone in a larger one. */
    if (ofs + size > (ofs ? txn->limit : MAX(txn->limit, MAX_REPLY))) {
        return NULL;
    }
    ofpbuf_put_zeros(txn->reply, ofs - txn->reply->size);
    txn->reserved = size;
    return ofpbuf_put_zeros(txn->reply, size);
}

void
emu_nl_txn_commit(struct emu_nl_txn *txn)
{
    struct nlmsghdr *nlh = ofpbuf_tail(txn->reply);

    nlh = ALIGNED_CAST(struct nlmsghdr *, (char *) nlh - txn->reserved);
    ovs_assert(nlh->nlmsg_len >= sizeof *nlh
               && nlh->nlmsg_len <= txn->reserved);
    txn->reply->size -= txn->reserved - nlh->nlmsg_len;
    txn->reserved = 0;
}

bool
emu_nl_txn_put(struct emu_nl_txn *txn, const struct nlmsghdr *nlh)
{
    void *dst = emu_nl_txn_reserve(txn, nlh->nlmsg_len);

    if (!dst) {
        return false;
    }
    memcpy(dst, nlh, nlh->nlmsg_len);
    emu_nl_txn_commit(txn);
    return true;
}

uint32_t
emu_nl_txn_seq(const struct emu_nl_txn *txn)
{
    return txn->seq;
}

uint32_t
emu_nl_txn_portid(const struct emu_nl_txn *txn)
{
    return txn->portid;
}

void
emu_nl_txn_set_error_msg(struct emu_nl_txn *txn, char *msg)
{
    free(txn->error_msg);
    txn->error_msg = msg;
}

/* Connections. */

static void
conn_queue(struct emu_nl_server *server, struct emu_nl_conn *conn,
           struct ofpbuf *reply)
{
    if (!reply->size) {
        ofpbuf_delete(reply);
        return;
    }
    capture(reply->data, reply->size, server->protocol, true);
    ovs_list_push_back(&conn->tx, &reply->list_node);
}

/* Sends queued replies.  Returns 0 if all went, EAGAIN if the socket is
 * full, or another errno if the connection is broken. */
static int
conn_flush(struct emu_nl_conn *conn)
{
    while (!ovs_list_is_empty(&conn->tx)) {
        struct ofpbuf *reply = CONTAINER_OF(ovs_list_front(&conn->tx),
                                            struct ofpbuf, list_node);
        ssize_t n = send(conn->fd, reply->data, reply->size,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            return errno == EINTR ? EAGAIN : errno;
        }
        ovs_list_remove(&reply->list_node);
        ofpbuf_delete(reply);
    }
    return 0;
}

static void
conn_close(struct emu_nl_conn *conn)
{
    struct ofpbuf *reply;

    ovs_list_remove(&conn->node);
    LIST_FOR_EACH_POP (reply, list_node, &conn->tx) {
        ofpbuf_delete(reply);
    }
    if (conn->dump) {
        ofpbuf_uninit(&conn->dump->request);
        free(conn->dump);
    }
    ofpbuf_uninit(&conn->rx);
    close(conn->fd);
    free(conn);
}

/* Appends to 'reply' the NLMSG_ERROR (or ACK, if 'error' is 0) for
 * 'request'. */
static void
put_error(struct ofpbuf *reply, const struct nlmsghdr *request,
          uint32_t portid, int error, const char *msg)
{
    size_t len;
    size_t ofs = NLMSG_ALIGN(reply->size);
    size_t room = NLMSG_ALIGN(request->nlmsg_len) + 256
                  + (msg ? strlen(msg) : 0);

    ofpbuf_put_zeros(reply, ofs - reply->size);
    void *buf = ofpbuf_put_uninit(reply, room);
    /* The kernel echoes the whole request in an error, only its header in
     * an ACK (without NETLINK_CAP_ACK). */
    if (nl_extack_encode(buf, room, request, portid, error, msg, !error,
                         &len)) {
        /* Cannot happen: 'room' is enough for the request and the
         * message.  Fall back to a capped reply without a message. */
        nl_extack_encode(buf, room, request, portid, error, NULL, true,
                         &len);
    }
    reply->size -= room - len;
}

/* Runs one more datagram of 'conn''s dump. */
static void
conn_continue_dump(struct emu_nl_server *server, struct emu_nl_conn *conn)
{
    struct emu_nl_dump *dump = conn->dump;
    const struct nlmsghdr *request = dump->request.data;
    size_t chunk = (server->protocol == NETLINK_ROUTE
                    ? EMU_NL_DUMP_CHUNK_ROUTE : EMU_NL_DUMP_CHUNK_GENERIC);
    struct ofpbuf *reply = ofpbuf_new(chunk);
    struct emu_nl_txn txn = {
        .reply = reply,
        .limit = chunk,
        .seq = request->nlmsg_seq,
        .portid = conn->portid,
    };
    bool more = false;

    int error = server->handler(&txn, request, &dump->cursor, &more,
                                server->aux);
    if (!error && more && !reply->size) {
        VLOG_ERR_RL(&rl,
                    "dump handler made no progress; ending the dump");
        error = EIO;
    }
    if (error || !more) {
        /* NLMSG_DONE carries the dump's final status. */
        struct nlmsghdr *done;
        size_t ofs = NLMSG_ALIGN(reply->size);

        ofpbuf_put_zeros(reply, ofs - reply->size);
        done = ofpbuf_put_zeros(reply, NLMSG_HDRLEN + sizeof(int));
        done->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
        done->nlmsg_type = NLMSG_DONE;
        done->nlmsg_flags = NLM_F_MULTI;
        done->nlmsg_seq = request->nlmsg_seq;
        done->nlmsg_pid = conn->portid;
        *(int *) NLMSG_DATA(done) = -error;
        if (error) {
            COVERAGE_INC(emu_nl_error);
        }

        ofpbuf_uninit(&dump->request);
        free(dump);
        conn->dump = NULL;
    }
    free(txn.error_msg);
    conn_queue(server, conn, reply);
}

/* Handles the next request message in 'conn->rx'. */
static void
conn_handle_one(struct emu_nl_server *server, struct emu_nl_conn *conn)
{
    struct nlmsghdr *request = conn->rx.data;
    size_t size = conn->rx.size;

    if (size < sizeof *request || request->nlmsg_len < sizeof *request
        || request->nlmsg_len > size) {
        /* A truncated message: the kernel drops the rest of the
         * datagram. */
        COVERAGE_INC(emu_nl_bad_message);
        VLOG_WARN_RL(&rl,
                     "dropping %"PRIuSIZE" bytes of truncated netlink "
                     "message", size);
        ofpbuf_clear(&conn->rx);
        return;
    }
    size_t step = MIN(NLMSG_ALIGN(request->nlmsg_len), size);

    if (!(request->nlmsg_flags & NLM_F_REQUEST)
        || request->nlmsg_type < NLMSG_MIN_TYPE) {
        /* The kernel ignores messages that are not requests, and control
         * messages. */
        ofpbuf_pull(&conn->rx, step);
        return;
    }

    COVERAGE_INC(emu_nl_request);
    /* NLM_F_DUMP is NLM_F_ROOT | NLM_F_MATCH, the same bits as
     * NLM_F_REPLACE | NLM_F_EXCL: in rtnetlink only GET requests (type % 4
     * == 2) are dumps, as in the kernel; in generic netlink any command. */
    if ((request->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP
        && (server->protocol != NETLINK_ROUTE
            || request->nlmsg_type % 4 == 2)) {
        conn->dump = xzalloc(sizeof *conn->dump);
        ofpbuf_init(&conn->dump->request, request->nlmsg_len);
        ofpbuf_put(&conn->dump->request, request, request->nlmsg_len);
        ofpbuf_pull(&conn->rx, step);
        conn_continue_dump(server, conn);
        return;
    }

    struct ofpbuf *reply = ofpbuf_new(1024);
    struct emu_nl_txn txn = {
        .reply = reply,
        .limit = MAX_REPLY,
        .seq = request->nlmsg_seq,
        .portid = conn->portid,
    };
    bool more = false;
    int error = server->handler(&txn, request, NULL, &more, server->aux);
    if (error) {
        COVERAGE_INC(emu_nl_error);
        put_error(reply, request, conn->portid, error, txn.error_msg);
    } else if (request->nlmsg_flags & NLM_F_ACK) {
        put_error(reply, request, conn->portid, 0, NULL);
    }
    free(txn.error_msg);
    ofpbuf_pull(&conn->rx, step);
    conn_queue(server, conn, reply);
}

/* Makes progress on 'conn'.  Returns false if the connection is gone. */
static bool
conn_run(struct emu_nl_server *server, struct emu_nl_conn *conn)
{
    /* Bounded work per call, so that one busy client cannot starve the
     * dataplane.  The answers to all the requests of a datagram are sent
     * together, once the last is handled. */
    for (int i = 0; i < 64; i++) {
        if (conn->rx.size && !conn->dump) {
            conn_handle_one(server, conn);
            continue;
        }

        int error = conn_flush(conn);
        if (error == EAGAIN) {
            return true;
        } else if (error) {
            return false;
        }

        if (conn->dump) {
            conn_continue_dump(server, conn);
        } else {
            ofpbuf_clear(&conn->rx);
            ofpbuf_prealloc_tailroom(&conn->rx, MAX_REQUEST);

            struct iovec iov = {
                .iov_base = conn->rx.data,
                .iov_len = MAX_REQUEST,
            };
            struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
            ssize_t n = recvmsg(conn->fd, &msg, MSG_DONTWAIT);
            if (n < 0) {
                return errno == EAGAIN || errno == EINTR;
            } else if (n == 0) {
                return false;
            } else if (msg.msg_flags & MSG_TRUNC) {
                COVERAGE_INC(emu_nl_bad_message);
                VLOG_WARN_RL(&rl,
                             "dropping netlink datagram longer than %d "
                             "bytes", MAX_REQUEST);
                continue;
            }
            conn->rx.size = n;
            capture(conn->rx.data, n, server->protocol, false);
        }
    }
    poll_immediate_wake();
    return true;
}

int
emu_nl_server_open(const char *path, int protocol, emu_nl_handler *handler,
                   void *aux, struct emu_nl_server **serverp)
{
    *serverp = NULL;
    unlink(path);

    int fd = make_unix_socket(SOCK_SEQPACKET, true, path, NULL);
    if (fd < 0) {
        VLOG_ERR("%s: could not create netlink socket (%s)", path,
                 ovs_strerror(-fd));
        return -fd;
    }
    if (listen(fd, 64) < 0) {
        int error = errno;
        VLOG_ERR("%s: listen failed (%s)", path, ovs_strerror(error));
        close(fd);
        return error;
    }

    struct emu_nl_server *server = xzalloc(sizeof *server);
    server->path = xstrdup(path);
    server->fd = fd;
    server->protocol = protocol;
    server->handler = handler;
    server->aux = aux;
    ovs_list_init(&server->conns);
    *serverp = server;
    return 0;
}

void
emu_nl_server_close(struct emu_nl_server *server)
{
    if (server) {
        struct emu_nl_conn *conn;

        LIST_FOR_EACH_SAFE (conn, node, &server->conns) {
            conn_close(conn);
        }
        close(server->fd);
        unlink(server->path);
        free(server->path);
        free(server);
    }
}

void
emu_nl_server_run(struct emu_nl_server *server)
{
    /* accept() costs a socket allocation in the kernel even when it fails:
     * call it only when a client is waiting. */
    struct pollfd pfd = { .fd = server->fd, .events = POLLIN };
    while (poll(&pfd, 1, 0) > 0 && pfd.revents & POLLIN) {
        int fd = accept(server->fd, NULL, NULL);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                VLOG_WARN_RL(&rl,
                             "%s: accept failed (%s)", server->path,
                             ovs_strerror(errno));
            }
            break;
        }
        int error = set_nonblocking(fd);
        if (error) {
            close(fd);
            continue;
        }

        struct emu_nl_conn *conn = xzalloc(sizeof *conn);
        conn->fd = fd;
        conn->portid = next_portid++;
        ofpbuf_init(&conn->rx, MAX_REQUEST);
        ovs_list_init(&conn->tx);
        ovs_list_push_back(&server->conns, &conn->node);
        VLOG_DBG("%s: client connected (port id %"PRIu32")", server->path,
                 conn->portid);
    }

    struct emu_nl_conn *conn;
    LIST_FOR_EACH_SAFE (conn, node, &server->conns) {
        if (!conn_run(server, conn)) {
            VLOG_DBG("%s: client %"PRIu32" gone", server->path,
                     conn->portid);
            conn_close(conn);
        }
    }
}

void
emu_nl_server_wait(struct emu_nl_server *server)
{
    struct emu_nl_conn *conn;

    poll_fd_wait(server->fd, POLLIN);
    LIST_FOR_EACH (conn, node, &server->conns) {
        if (!ovs_list_is_empty(&conn->tx)) {
            poll_fd_wait(conn->fd, POLLOUT);
        } else if (conn->dump || conn->rx.size) {
            poll_immediate_wake();
        } else {
            poll_fd_wait(conn->fd, POLLIN);
        }
    }
}

size_t
emu_nl_server_n_clients(const struct emu_nl_server *server)
{
    return ovs_list_size(&server->conns);
}
