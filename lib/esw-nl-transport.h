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

#ifndef ESW_NL_TRANSPORT_H
#define ESW_NL_TRANSPORT_H 1

/* The offload engine's netlink transport: the client side of one netlink
 * protocol (NETLINK_ROUTE or NETLINK_GENERIC), talking either to the Linux
 * kernel over AF_NETLINK (real NICs) or to sriov-nic-emu over the unix
 * SOCK_SEQPACKET sockets of emu-netlink.h (emulated NICs).  The messages
 * and their answers are the same either way.
 *
 * Three kinds of exchange:
 *
 *   - A batch (struct esw_nl_batch) of requests, sent in as few datagrams
 *     (sendmsg() calls) as the size limit allows.  The kernel and the
 *     emulator process the messages of a datagram in order, each one even
 *     if an earlier one failed, and answer each with its replies, if any,
 *     then with an NLMSG_ERROR if it failed or if it asked for an ACK
 *     (NLM_F_ACK; an ACK is an NLMSG_ERROR whose error is 0).  So that a
 *     datagram of requests is not answered by as many ACKs, only its last
 *     request, and those that expect replies, ask for an ACK (the exact
 *     rule is at esw_nl_batch_send()); a request that asked for none
 *     succeeded if a later request of its datagram is answered and no
 *     error of its own came before.  Each request gets its own result:
 *     errno, extack message, and a copy of the replies that came before
 *     its ACK (NLM_F_ECHO, GET).
 *
 *   - esw_nl_transact(): a batch of one.
 *
 *   - esw_nl_dump(): one NLM_F_DUMP request, whose messages go to a
 *     callback until NLMSG_DONE.
 *
 * Answers are matched to requests by sequence number, which the transport
 * assigns from a counter of the process, so that a late answer to a request
 * that timed out is recognized as such and dropped (counted in
 * 'stale_messages').
 *
 * Every exchange blocks in poll(2) until it is complete or until nothing
 * has come or gone for the handle's timeout (esw_nl_set_timeout()); then
 * every request still unanswered gets ETIMEDOUT.  The timeout bounds the
 * time without progress, not the whole exchange, so that a batch of a
 * hundred thousand rules or a dump of a million is not cut short while the
 * peer is answering.
 *
 * If the connection breaks (the emulator exited, closed the socket, or was
 * restarted), the answers that had already arrived are still delivered,
 * every other request gets the error (ECONNRESET, or EPIPE if a send found
 * the connection closed), a request without NLM_F_ACK whose success no
 * answer had implied yet included, and the handle stays broken:
 * esw_nl_get_status() returns that error, every later exchange fails with
 * it at once, and the caller reconnects with esw_nl_reconnect().  A kernel
 * socket never breaks.
 *
 * Every received message is checked (header length, nlmsg_len within the
 * datagram, NLMSG_ERROR through nl_extack_decode()) before it is used; a
 * malformed datagram is dropped from the first bad message on and counted
 * in 'malformed_datagrams'.  What a reply message contains is the caller's
 * to validate, with the codecs.
 *
 * Thread safety: a handle, and a batch while it is being sent, must be
 * used by one thread at a time; different handles may be used by
 * different threads at once. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/ofpbuf.h"

struct esw_nl;
struct esw_nl_batch_entry;
struct nlmsghdr;

/* Largest request message, and largest datagram: what sriov-nic-emu reads
 * at once (a larger datagram would be dropped whole). */
#define ESW_NL_MAX_DATAGRAM 65536

/* Default timeout of a handle, in milliseconds. */
#define ESW_NL_DEFAULT_TIMEOUT_MS 5000

/* Largest answer datagram that can be received: more than the emulator's
 * largest (a 64 kB reply and its ACK) and than the kernel's (dump skbs of
 * 32 kB, unicast replies of a link with hundreds of VFs). */
#define ESW_NL_MAX_RECV (256 * 1024)

/* Counters of a handle, since it was opened (reconnecting keeps them). */
struct esw_nl_stats {
    uint64_t tx_messages;       /* Request messages sent. */
    uint64_t tx_datagrams;      /* Datagrams (sendmsg() calls) sent. */
    uint64_t rx_messages;       /* Messages received, of any kind. */
    uint64_t rx_datagrams;      /* Datagrams received. */
    uint64_t errors;            /* Requests answered with an error. */
    uint64_t timeouts;          /* Requests given ETIMEDOUT. */
    uint64_t stale_messages;    /* Received messages that answered no
                                 * request under way (late answers). */
    uint64_t malformed_datagrams;   /* Received datagrams with a malformed
                                     * or truncated message. */
    uint64_t overruns;          /* Kernel receive buffer overruns
                                 * (ENOBUFS): answers were lost. */
    uint64_t disconnects;       /* Times the connection broke. */
};

/* Handles. */

/* Opens a handle for netlink 'protocol' (NETLINK_ROUTE, NETLINK_GENERIC,
 * ...) on 'target':
 *
 *   - NULL or "kernel": an AF_NETLINK socket of the running kernel, with
 *     NETLINK_EXT_ACK (extack messages in errors) and NETLINK_CAP_ACK
 *     (errors carry only the request's header) set, and a receive buffer
 *     large enough for the answers of several full datagrams.
 *
 *   - "unix:DIR": sriov-nic-emu's socket for 'protocol' in directory DIR
 *     (its --netlink-dir): DIR/rtnetlink.sock for NETLINK_ROUTE,
 *     DIR/genetlink.sock for NETLINK_GENERIC.
 *
 * Returns 0 and the handle in '*nlp', or a positive errno (EINVAL for a
 * malformed target, EPROTONOSUPPORT for a protocol the emulator does not
 * serve, the socket's error otherwise, such as ENOENT or ECONNREFUSED when
 * no emulator listens) and NULL in '*nlp'. */
int esw_nl_open(const char *target, int protocol, struct esw_nl **nlp);

/* Closes 'nl' (which may be NULL). */
void esw_nl_close(struct esw_nl *nl);

/* Reopens the socket of 'nl', with the same target and protocol, for
 * example after the connection broke.  Answers not yet received on the
 * old socket are lost.  Returns 0, or a positive errno as esw_nl_open()
 * does; then 'nl' is broken with that error, and can be reconnected
 * again. */
int esw_nl_reconnect(struct esw_nl *nl);

/* Returns 0 if 'nl' can be used, or the positive errno with which its
 * connection broke. */
int esw_nl_get_status(const struct esw_nl *nl);

/* Returns true if 'nl' talks to the kernel, false for the emulator. */
bool esw_nl_is_kernel(const struct esw_nl *nl);

/* Returns the socket of 'nl', to poll for readability: for diagnostics or
 * a poll loop.  Reading from it would steal answers. */
int esw_nl_fd(const struct esw_nl *nl);

/* Sets the timeout of 'nl' to 'msec' milliseconds (at least 1). */
void esw_nl_set_timeout(struct esw_nl *nl, int msec);

/* Sets the largest datagram 'nl' sends to 'size' bytes, clamped to
 * [NLMSG_HDRLEN, ESW_NL_MAX_DATAGRAM] (the default is the maximum).  A
 * message larger than the limit still goes, alone in its datagram. */
void esw_nl_set_max_datagram(struct esw_nl *nl, size_t size);

/* Copies the counters of 'nl' into '*stats'. */
void esw_nl_get_stats(const struct esw_nl *nl, struct esw_nl_stats *stats);

/* Batches. */

/* The result of one request of a batch. */
struct esw_nl_result {
    uint32_t seq;               /* The request's sequence number. */

    /* 0 if the request succeeded, otherwise a positive errno: the one of
     * its NLMSG_ERROR (or NLMSG_DONE), or one of the transport:
     *
     *   EINVAL      not a request esw_nl_batch_add() can send (never sent)
     *   EMSGSIZE    longer than ESW_NL_MAX_DATAGRAM (never sent), or its
     *               answer was longer than ESW_NL_MAX_RECV
     *   ETIMEDOUT   no answer within the timeout (it may have been
     *               applied)
     *   ECONNRESET  the connection broke before it was answered (it may
     *   EPIPE       have been applied)
     *   ENOBUFS     the kernel dropped its answer (receive buffer
     *               overrun; it may have been applied)
     *   EPROTO      its NLMSG_ERROR was malformed
     *   EALREADY    the batch was sent already
     *
     * or the error sendmsg() gave for its datagram. */
    int error;

    /* The extack message (NLMSGERR_ATTR_MSG) of its answer, or NULL.  An
     * ACK may carry one too: a warning. */
    char *extack;

    /* The messages that answered the request before its ACK (the filter
     * for NLM_F_ECHO, the object for a GET), one after another, each at
     * NLMSG_ALIGN()ed offsets and each complete (nlmsg_len within the
     * buffer); NULL if there was none. */
    struct ofpbuf *reply;
};

/* A batch of requests for one esw_nl_batch_send(). */
struct esw_nl_batch {
    struct ofpbuf msgs;         /* The requests to send, one after another
                                 * at NLMSG_ALIGN()ed offsets. */
    struct esw_nl_batch_entry *entries;     /* One per request. */
    size_t n;                   /* Number of requests. */
    size_t allocated;           /* Number of elements of 'entries'. */
    bool sent;                  /* Whether esw_nl_batch_send() ran. */
};

/* Initializes 'batch' to be empty. */
void esw_nl_batch_init(struct esw_nl_batch *batch);

/* Frees what 'batch' holds: requests, results, replies. */
void esw_nl_batch_uninit(struct esw_nl_batch *batch);

/* Empties 'batch', which can then be filled and sent again. */
void esw_nl_batch_clear(struct esw_nl_batch *batch);

/* Appends a copy of request 'nlh' (its nlmsg_len bytes) to 'batch', which
 * must not have been sent yet, and returns the sequence number the copy
 * carries.  The copy gets that sequence number and NLM_F_REQUEST |
 * NLM_F_ACK, whatever flags 'nlh' has; esw_nl_batch_send() clears
 * NLM_F_ACK again where the answer to a later request implies the result
 * (see there).  The rest of it is sent as it is.  The request's index in
 * the batch is the number of requests added before it.
 *
 * A message that cannot be sent is not copied: its result is already
 * EINVAL (nlmsg_len shorter than a header, or a control message type) or
 * EMSGSIZE (longer than ESW_NL_MAX_DATAGRAM).  Dump requests belong to
 * esw_nl_dump(): a batch cannot tell them apart (NLM_F_DUMP's bits mean
 * NLM_F_REPLACE | NLM_F_EXCL in a request that creates). */
uint32_t esw_nl_batch_add(struct esw_nl_batch *batch,
                          const struct nlmsghdr *nlh);

/* Returns the number of requests in 'batch'. */
size_t esw_nl_batch_count(const struct esw_nl_batch *batch);

/* Returns the request at 'index' (less than the count) as it is sent, with
 * its sequence number and flags (after esw_nl_batch_send(), with or
 * without NLM_F_ACK as it went), or NULL if it was not copied.  Useful to
 * send again, with esw_nl_batch_add() (which sets NLM_F_ACK again), the
 * requests that a broken connection left unanswered. */
const struct nlmsghdr *esw_nl_batch_msg(const struct esw_nl_batch *batch,
                                        size_t index);

/* Returns the result of the request at 'index' (less than the count).
 * Before esw_nl_batch_send(), only a request that cannot be sent has a
 * nonzero 'error'. */
const struct esw_nl_result *esw_nl_batch_result(
    const struct esw_nl_batch *batch, size_t index);

/* Returns the number of requests of 'batch' whose result is an error. */
size_t esw_nl_batch_n_failed(const struct esw_nl_batch *batch);

/* Sends every request of 'batch' on 'nl' in datagrams of up to the
 * handle's size limit, in order, and waits for the answer to each, as the
 * top of this file says; then every request has its result.
 *
 * In each datagram, the last request asks for an ACK.  An earlier request
 * asks for none if 'nl' is a NETLINK_ROUTE handle, the request's type is
 * RTM_NEWLINK, RTM_DELLINK, RTM_SETLINK, RTM_NEWQDISC, RTM_DELQDISC,
 * RTM_NEWTFILTER or RTM_DELTFILTER, and it has neither NLM_F_ECHO nor
 * NLM_F_DUMP (both of its bits): a request whose only answer is an
 * NLMSG_ERROR, sent only if it fails.  Every other request asks for an ACK,
 * every generic netlink request among them.  A request without NLM_F_ACK
 * that gets no NLMSG_ERROR succeeded (no extack, no reply) once the answer,
 * ACK or error, to a later request of its datagram that asked for an ACK
 * arrives; if that answer does not come, it fails as an unanswered request
 * does (ETIMEDOUT, ECONNRESET, EPIPE, ENOBUFS).
 *
 * Returns 0 if every request was answered (each result says whether it
 * succeeded), ETIMEDOUT if some were not within the timeout (the handle
 * remains usable), the error of the connection if it broke (see
 * esw_nl_get_status()), or EALREADY, changing nothing, if 'batch' was sent
 * already. */
int esw_nl_batch_send(struct esw_nl *nl, struct esw_nl_batch *batch);

/* Single requests. */

/* Sends 'request' on 'nl', as a batch of one, and waits for its answer.
 * Returns 0 or a positive errno, as the result's 'error' of a batch.  If
 * 'replyp' is nonnull, stores in it the reply messages that came before
 * the ACK on success (see struct esw_nl_result), or NULL if none came or
 * on error; the caller frees it with ofpbuf_delete().  If 'extackp' is
 * nonnull, stores in it the answer's extack message or NULL; the caller
 * frees it. */
int esw_nl_transact(struct esw_nl *nl, const struct nlmsghdr *request,
                    struct ofpbuf **replyp, char **extackp);

/* A callback of esw_nl_dump(): 'msg' is one message of the dump, whose
 * header has been checked (its nlmsg_len bytes are there).  Returns 0 to
 * go on, or a positive errno to stop being called. */
typedef int esw_nl_dump_cb(const struct nlmsghdr *msg, void *aux);

/* Sends dump request 'request' (its nlmsg_flags must include NLM_F_DUMP)
 * on 'nl' with a new sequence number and NLM_F_REQUEST, and calls 'cb'
 * with 'aux' for each message of the dump, in order, until NLMSG_DONE.
 *
 * Returns 0 if the dump ended well and 'cb' always returned 0.  Otherwise
 * returns the error of the dump's NLMSG_DONE or NLMSG_ERROR, or the first
 * error 'cb' returned (the rest of the dump is then read but not passed to
 * 'cb'), or EAGAIN if a message had NLM_F_DUMP_INTR (the kernel's state
 * changed during the dump: it may be inconsistent, dump again), or an
 * error of the transport as for a batch (ETIMEDOUT, ECONNRESET, EPIPE,
 * EMSGSIZE), or EINVAL for a request that is not a dump. */
int esw_nl_dump(struct esw_nl *nl, const struct nlmsghdr *request,
                esw_nl_dump_cb *cb, void *aux);

#endif /* esw-nl-transport.h */
