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

/* The "punix:" and "unix:" endpoints: frames over an OVS stream, framed as
 * OVS netdev-dummy frames them (a 2-byte big-endian length, then the
 * frame).
 *
 * Receiving reads as much as the socket has into a buffer that can hold
 * the longest frame, and cuts whole frames out of it, so that one read can
 * give many frames and a frame can come over many reads.  Sending queues
 * each frame, with its length prefix, on a bounded list and writes the
 * list out as far as the socket takes it, a frame possibly in pieces. */

#include <config.h>

#include "emu-endpoint.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "dirs.h"
#include "dp-packet.h"
#include "fatal-signal.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "reconnect.h"
#include "socket-util.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_endpoint_stream);

/* The length prefix of a frame. */
#define FRAME_PREFIX_LEN 2

/* The receive buffer: a whole frame, its prefix and more, so that one read
 * usually gives many frames. */
#define RXBUF_SIZE 65536
BUILD_ASSERT_DECL(RXBUF_SIZE >= FRAME_PREFIX_LEN + EMU_ENDPOINT_MAX_FRAME);

/* At most this many frames wait for the socket; more are dropped. */
#define TXQ_MAX_FRAMES 128

/* "unix:" reconnection backoff, in milliseconds (reconnect.h allows no less
 * than 1000). */
#define MIN_BACKOFF 1000
#define MAX_BACKOFF 4000

/* A frame waiting for the socket. */
struct tx_frame {
    struct ovs_list list_node;  /* In struct endpoint_stream's 'txq'. */
    size_t size;                /* Bytes in 'data': prefix and frame. */
    size_t sent;                /* Bytes of 'data' already sent. */
    uint8_t data[];
};

struct endpoint_stream {
    struct emu_endpoint up;

    struct pstream *pstream;    /* "punix:": the listener.  Else NULL. */
    struct reconnect *reconnect;/* "unix:": the connection's FSM.  Else
                                 * NULL. */

    /* The peer, or NULL.  For "unix:", it may be still connecting:
     * 'reconnect' says whether it is connected. */
    struct stream *stream;

    uint8_t *rxbuf;             /* RXBUF_SIZE bytes. */
    size_t rx_ofs;              /* Unread bytes: rxbuf[rx_ofs, rx_len). */
    size_t rx_len;

    struct ovs_list txq;        /* Contains struct tx_frame. */
    size_t txq_len;             /* Frames in 'txq'. */
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static struct endpoint_stream *
endpoint_stream_cast(const struct emu_endpoint *ep)
{
    ovs_assert(ep->class == &emu_endpoint_punix_class
               || ep->class == &emu_endpoint_unix_class);
    return CONTAINER_OF(ep, struct endpoint_stream, up);
}

static struct endpoint_stream *
endpoint_stream_create(const struct emu_endpoint_class *class)
{
    struct endpoint_stream *eps = xzalloc(sizeof *eps);

    eps->up.class = class;
    eps->rxbuf = xmalloc(RXBUF_SIZE);
    ovs_list_init(&eps->txq);

    /* A peer that goes away while we write to it must not kill us. */
    fatal_ignore_sigpipe();
    return eps;
}

static bool
endpoint_stream_connected(const struct endpoint_stream *eps)
{
    return (eps->stream
            && (!eps->reconnect || reconnect_is_connected(eps->reconnect)));
}

/* Closes the connection to the peer, if any, dropping the frames queued
 * for it and what was received of a frame. */
static void
endpoint_stream_drop_peer(struct endpoint_stream *eps)
{
    struct tx_frame *frame;

    stream_close(eps->stream);
    eps->stream = NULL;
    eps->rx_ofs = eps->rx_len = 0;

    LIST_FOR_EACH_POP (frame, list_node, &eps->txq) {
        eps->up.stats.tx_dropped++;
        free(frame);
    }
    eps->txq_len = 0;
}

/* The connection to the peer broke with 'error' (a positive errno value,
 * or EOF if the peer closed it). */
static void
endpoint_stream_lost_peer(struct endpoint_stream *eps, int error)
{
    if (eps->reconnect) {
        /* Logs it. */
        reconnect_disconnected(eps->reconnect, time_msec(), error);
    } else if (error == EOF) {
        VLOG_INFO("%s: %s closed the connection", eps->up.spec,
                  stream_get_name(eps->stream));
    } else {
        VLOG_WARN_RL(&rl, "%s: connection from %s dropped (%s)",
                     eps->up.spec, stream_get_name(eps->stream),
                     ovs_strerror(error));
    }
    endpoint_stream_drop_peer(eps);
}

static void
endpoint_stream_note_activity(struct endpoint_stream *eps)
{
    if (eps->reconnect) {
        reconnect_activity(eps->reconnect, time_msec());
    }
}

/* Receiving. */

static size_t
endpoint_stream_rx_avail(const struct endpoint_stream *eps)
{
    return eps->rx_len - eps->rx_ofs;
}

static size_t
endpoint_stream_rx_frame_len(const struct endpoint_stream *eps)
{
    const uint8_t *p = &eps->rxbuf[eps->rx_ofs];

    return (p[0] << 8) | p[1];
}

static bool
frame_len_is_valid(size_t len)
{
    return len >= EMU_ENDPOINT_MIN_FRAME && len <= EMU_ENDPOINT_MAX_FRAME;
}

/* Returns true if the receive buffer has a whole frame, or a length prefix
 * that cannot be right: something that recv() handles without reading. */
static bool
endpoint_stream_rx_ready(const struct endpoint_stream *eps)
{
    size_t avail = endpoint_stream_rx_avail(eps);
    if (avail < FRAME_PREFIX_LEN) {
        return false;
    }

    size_t len = endpoint_stream_rx_frame_len(eps);
    return !frame_len_is_valid(len) || avail >= FRAME_PREFIX_LEN + len;
}

/* Cuts the first frame out of the receive buffer.  Returns 0 and the frame
 * in '*packetp', EAGAIN if the buffer does not hold a whole frame, or
 * EPROTO if its length prefix is out of bounds. */
static int
endpoint_stream_rx_pop(struct endpoint_stream *eps, struct dp_packet **packetp)
{
    size_t avail = endpoint_stream_rx_avail(eps);
    if (avail < FRAME_PREFIX_LEN) {
        return EAGAIN;
    }

    size_t len = endpoint_stream_rx_frame_len(eps);
    if (!frame_len_is_valid(len)) {
        VLOG_WARN_RL(&rl, "%s: closing the connection from %s: frame length "
                     "%"PRIuSIZE" out of bounds (%d to %d)",
                     eps->up.spec, stream_get_name(eps->stream), len,
                     EMU_ENDPOINT_MIN_FRAME, EMU_ENDPOINT_MAX_FRAME);
        return EPROTO;
    }
    if (avail < FRAME_PREFIX_LEN + len) {
        return EAGAIN;
    }

    *packetp = dp_packet_clone_data_with_headroom(
        &eps->rxbuf[eps->rx_ofs + FRAME_PREFIX_LEN], len,
        EMU_ENDPOINT_HEADROOM);
    eps->rx_ofs += FRAME_PREFIX_LEN + len;
    if (eps->rx_ofs == eps->rx_len) {
        eps->rx_ofs = eps->rx_len = 0;
    }
    return 0;
}

static int
endpoint_stream_recv(struct emu_endpoint *ep, struct dp_packet **packetp)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    if (!endpoint_stream_connected(eps)) {
        return EAGAIN;
    }

    for (;;) {
        int error = endpoint_stream_rx_pop(eps, packetp);
        if (error != EAGAIN) {
            if (error) {
                eps->up.stats.rx_errors++;
                endpoint_stream_lost_peer(eps, error);
                return EAGAIN;
            }
            return 0;
        }

        /* The buffer lacks the rest of a frame, shorter than the buffer:
         * move what there is to the front, and read. */
        size_t avail = endpoint_stream_rx_avail(eps);
        if (eps->rx_ofs) {
            memmove(eps->rxbuf, &eps->rxbuf[eps->rx_ofs], avail);
            eps->rx_ofs = 0;
            eps->rx_len = avail;
        }

        int retval = stream_recv(eps->stream, &eps->rxbuf[eps->rx_len],
                                 RXBUF_SIZE - eps->rx_len);
        if (retval > 0) {
            eps->rx_len += retval;
            endpoint_stream_note_activity(eps);
        } else if (retval == -EAGAIN) {
            return EAGAIN;
        } else if (!retval && avail) {
            VLOG_WARN_RL(&rl, "%s: %s closed the connection in the middle "
                         "of a frame (%"PRIuSIZE" bytes of it received)",
                         eps->up.spec, stream_get_name(eps->stream), avail);
            eps->up.stats.rx_errors++;
            endpoint_stream_lost_peer(eps, EPROTO);
            return EAGAIN;
        } else {
            endpoint_stream_lost_peer(eps, retval ? -retval : EOF);
            return EAGAIN;
        }
    }
}

/* Sending. */

/* Sends queued frames until the queue is empty or the socket is full. */
static void
endpoint_stream_flush(struct endpoint_stream *eps)
{
    while (!ovs_list_is_empty(&eps->txq)) {
        struct tx_frame *frame = CONTAINER_OF(ovs_list_front(&eps->txq),
                                              struct tx_frame, list_node);

        int retval = stream_send(eps->stream, &frame->data[frame->sent],
                                 frame->size - frame->sent);
        if (retval > 0) {
            frame->sent += retval;
            if (frame->sent == frame->size) {
                eps->up.stats.tx_packets++;
                eps->up.stats.tx_bytes += frame->size - FRAME_PREFIX_LEN;
                ovs_list_remove(&frame->list_node);
                eps->txq_len--;
                free(frame);
            }
            endpoint_stream_note_activity(eps);
        } else if (retval == -EAGAIN || !retval) {
            break;
        } else {
            endpoint_stream_lost_peer(eps, -retval);
            break;
        }
    }
}

static int
endpoint_stream_send(struct emu_endpoint *ep, const void *data, size_t size)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    if (!endpoint_stream_connected(eps)) {
        return ENOTCONN;
    }
    if (eps->txq_len >= TXQ_MAX_FRAMES) {
        return ENOBUFS;
    }

    struct tx_frame *frame = xmalloc(sizeof *frame + FRAME_PREFIX_LEN + size);
    frame->size = FRAME_PREFIX_LEN + size;
    frame->sent = 0;
    frame->data[0] = size >> 8;
    frame->data[1] = size;
    memcpy(&frame->data[FRAME_PREFIX_LEN], data, size);
    ovs_list_push_back(&eps->txq, &frame->list_node);
    eps->txq_len++;

    endpoint_stream_flush(eps);
    return 0;
}

/* Waiting, closing, state. */

static void
endpoint_stream_wait_peer(struct endpoint_stream *eps)
{
    stream_run_wait(eps->stream);
    stream_recv_wait(eps->stream);
    if (!ovs_list_is_empty(&eps->txq)) {
        stream_send_wait(eps->stream);
    }
    if (endpoint_stream_rx_ready(eps)) {
        poll_immediate_wake();
    }
}

static void
endpoint_stream_close(struct emu_endpoint *ep)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    endpoint_stream_drop_peer(eps);
    pstream_close(eps->pstream);
    if (eps->reconnect) {
        reconnect_destroy(eps->reconnect);
    }
    free(eps->rxbuf);
    free(eps);
}

static bool
endpoint_stream_is_connected(const struct emu_endpoint *ep)
{
    return endpoint_stream_connected(endpoint_stream_cast(ep));
}

/* "punix:". */

static int
punix_open(const char *spec, const char *arg OVS_UNUSED,
           struct emu_endpoint **epp, char **errp)
{
    struct pstream *pstream;

    int error = pstream_open(spec, &pstream, DSCP_DEFAULT);
    if (error) {
        *errp = xasprintf("\"%s\": cannot listen (%s)",
                          spec, ovs_strerror(error));
        return error;
    }

    struct endpoint_stream *eps
        = endpoint_stream_create(&emu_endpoint_punix_class);
    eps->pstream = pstream;
    *epp = &eps->up;
    return 0;
}

static void
punix_run(struct emu_endpoint *ep)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    for (;;) {
        struct stream *stream;

        int error = pstream_accept(eps->pstream, &stream);
        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&rl, "%s: accept failed (%s)",
                             ep->spec, ovs_strerror(error));
            }
            break;
        }

        if (eps->stream) {
            VLOG_INFO("%s: connection from %s replaces the one from %s",
                      ep->spec, stream_get_name(stream),
                      stream_get_name(eps->stream));
            endpoint_stream_drop_peer(eps);
        } else {
            VLOG_INFO("%s: connection from %s",
                      ep->spec, stream_get_name(stream));
        }
        eps->stream = stream;
    }

    if (eps->stream) {
        stream_run(eps->stream);
        endpoint_stream_flush(eps);
    }
}

static void
punix_wait(struct emu_endpoint *ep)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    pstream_wait(eps->pstream);
    if (eps->stream) {
        endpoint_stream_wait_peer(eps);
    }
}

const struct emu_endpoint_class emu_endpoint_punix_class = {
    .type = "punix",
    .open = punix_open,
    .close = endpoint_stream_close,
    .recv = endpoint_stream_recv,
    .send = endpoint_stream_send,
    .run = punix_run,
    .wait = punix_wait,
    .is_connected = endpoint_stream_is_connected,
    .ifindex = NULL,
};

/* "unix:". */

/* Makes one step towards a connection: opens a new stream or completes the
 * connection of the one being opened.  Returns 0 if connected, EAGAIN if
 * still connecting, otherwise the error of the attempt, which is over. */
static int
unix_connect_step(struct endpoint_stream *eps)
{
    int error = 0;

    if (!eps->stream) {
        error = stream_open(reconnect_get_name(eps->reconnect), &eps->stream,
                            DSCP_DEFAULT);
    }
    if (!error) {
        error = stream_connect(eps->stream);
    }

    long long int now = time_msec();
    if (!error) {
        reconnect_connected(eps->reconnect, now);
    } else if (error == EAGAIN) {
        reconnect_connecting(eps->reconnect, now);
    } else {
        reconnect_connect_failed(eps->reconnect, now, error);
        stream_close(eps->stream);
        eps->stream = NULL;
    }
    return error;
}

/* Runs the reconnection FSM.  Returns the error of the connection attempt
 * that it made, if any, otherwise 0. */
static int
unix_run_reconnect(struct endpoint_stream *eps)
{
    switch (reconnect_run(eps->reconnect, time_msec())) {
    case RECONNECT_CONNECT:
        return unix_connect_step(eps);

    case RECONNECT_DISCONNECT:
        /* A connection attempt took too long. */
        stream_close(eps->stream);
        eps->stream = NULL;
        reconnect_connect_failed(eps->reconnect, time_msec(), ETIMEDOUT);
        return ETIMEDOUT;

    case RECONNECT_PROBE:
    default:
        if (eps->stream && !reconnect_is_connected(eps->reconnect)) {
            return unix_connect_step(eps);
        }
        return 0;
    }
}

/* Returns true if 'error', the outcome of a first connection attempt, does
 * not rule out connecting later: no error, still connecting, or no peer
 * listening yet. */
static bool
unix_error_is_transient(int error)
{
    return (!error || error == EAGAIN || error == ENOENT
            || error == ECONNREFUSED);
}

/* Checks that the directory of the socket 'arg' exists.  Returns 0, or a
 * positive errno value and a message in '*errp'. */
static int
unix_check_dir(const char *spec, const char *arg, char **errp)
{
    char *path = abs_file_name(ovs_rundir(), arg);
    char *dir = dir_name(path);
    struct stat s;
    int error = 0;

    if (stat(dir, &s)) {
        error = errno;
        *errp = xasprintf("\"%s\": directory %s: %s",
                          spec, dir, ovs_strerror(error));
    } else if (!S_ISDIR(s.st_mode)) {
        error = ENOTDIR;
        *errp = xasprintf("\"%s\": %s is not a directory", spec, dir);
    }

    free(dir);
    free(path);
    return error;
}

static int
unix_open(const char *spec, const char *arg, struct emu_endpoint **epp,
          char **errp)
{
    int error = unix_check_dir(spec, arg, errp);
    if (error) {
        return error;
    }

    long long int now = time_msec();
    struct reconnect *reconnect = reconnect_create(now);
    reconnect_set_name(reconnect, spec);
    reconnect_set_backoff(reconnect, MIN_BACKOFF, MAX_BACKOFF);
    reconnect_set_probe_interval(reconnect, 0);
    reconnect_set_passive(reconnect, false, now);
    reconnect_enable(reconnect, now);

    struct endpoint_stream *eps
        = endpoint_stream_create(&emu_endpoint_unix_class);
    eps->reconnect = reconnect;

    /* Tries to connect now, to report a path that can never work. */
    error = unix_run_reconnect(eps);
    if (!unix_error_is_transient(error)) {
        *errp = xasprintf("\"%s\": cannot connect (%s)",
                          spec, ovs_strerror(error));
        endpoint_stream_close(&eps->up);
        return error;
    }

    *epp = &eps->up;
    return 0;
}

static void
unix_run(struct emu_endpoint *ep)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    unix_run_reconnect(eps);
    if (endpoint_stream_connected(eps)) {
        stream_run(eps->stream);
        endpoint_stream_flush(eps);
    }
}

static void
unix_wait(struct emu_endpoint *ep)
{
    struct endpoint_stream *eps = endpoint_stream_cast(ep);

    reconnect_wait(eps->reconnect, time_msec());
    if (endpoint_stream_connected(eps)) {
        endpoint_stream_wait_peer(eps);
    } else if (eps->stream) {
        stream_connect_wait(eps->stream);
    }
}

const struct emu_endpoint_class emu_endpoint_unix_class = {
    .type = "unix",
    .open = unix_open,
    .close = endpoint_stream_close,
    .recv = endpoint_stream_recv,
    .send = endpoint_stream_send,
    .run = unix_run,
    .wait = unix_wait,
    .is_connected = endpoint_stream_is_connected,
    .ifindex = NULL,
};
