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

#ifndef EMU_NETLINK_H
#define EMU_NETLINK_H 1

/* Netlink over unix sockets: how sriov-nic-emu serves the kernel UAPI.
 *
 * Each emulated netlink family (NETLINK_ROUTE, NETLINK_GENERIC) listens on
 * a unix SOCK_SEQPACKET socket.  A datagram carries what one sendmsg() on a
 * netlink socket carries: one or more netlink messages.  The server answers
 * each request message as the kernel does: the handler's reply messages,
 * then, on error, NLMSG_ERROR with the request header and an extack
 * message, or on success an ACK if the request had NLM_F_ACK.  A dump
 * (NLM_F_DUMP) is answered in datagrams of at most EMU_NL_DUMP_CHUNK_* bytes
 * of NLM_F_MULTI messages, ended by NLMSG_DONE; the handler is called again
 * with its cursor for each datagram, so a dump of a million rules is never
 * held in memory at once.  A client that does not read is not read from
 * until it does.
 *
 * Every message in and out can be written to a pcap file of link type 253
 * (LINKTYPE_NETLINK), which tshark decodes.
 *
 * Single-threaded: driven by run/wait from the daemon's poll loop. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct emu_nl_server;
struct emu_nl_txn;

/* Size of one dump datagram.  The kernel starts a dump with NLMSG_GOODSIZE
 * skbs and grows them up to 32 kB for readers that have shown larger
 * buffers; the emulator cannot see the reader's buffer, so it uses what
 * the usual readers of each family take: libmnl's 4 kB buffers for generic
 * netlink (devlink), and 32 kB for rtnetlink, whose readers (iproute2, OVS,
 * the offload engine) size their buffers to the datagram.  A larger message
 * goes alone. */
#define EMU_NL_DUMP_CHUNK_GENERIC 3776
#define EMU_NL_DUMP_CHUNK_ROUTE 32768

/* State a dump handler keeps between its calls: zero at the start. */
struct emu_nl_dump_cursor {
    uint64_t pos[8];
};

/* Handles one request message 'request' (already checked to be a complete
 * netlink message with NLM_F_REQUEST).
 *
 * A handler appends reply messages with emu_nl_txn_reserve() and
 * emu_nl_txn_commit(), and returns 0 on success or a positive errno,
 * after calling emu_nl_txn_set_error_msg() to say why if it can.
 *
 * For a dump, 'cursor' is nonnull: the handler appends as many messages as
 * fit in the datagram (emu_nl_txn_reserve() returns NULL when one does
 * not), records where it stopped in '*cursor', and sets '*more' to true if
 * it has more to send; it is then called again, with the same request and
 * cursor, for the next datagram.  It must append at least one message per
 * call in which it sets '*more'.  For other requests 'cursor' is NULL and
 * '*more' is ignored. */
typedef int emu_nl_handler(struct emu_nl_txn *txn,
                           const struct nlmsghdr *request,
                           struct emu_nl_dump_cursor *cursor, bool *more,
                           void *aux);

/* Starts serving netlink protocol 'protocol' (NETLINK_ROUTE, ...; for the
 * capture) on a unix SOCK_SEQPACKET socket at 'path' (an old socket file
 * there is removed), dispatching requests to 'handler'.  Returns 0 and the
 * server in '*serverp', or a positive errno. */
int emu_nl_server_open(const char *path, int protocol,
                       emu_nl_handler *handler, void *aux,
                       struct emu_nl_server **serverp);
void emu_nl_server_close(struct emu_nl_server *);
void emu_nl_server_run(struct emu_nl_server *);
void emu_nl_server_wait(struct emu_nl_server *);

/* Number of clients connected now. */
size_t emu_nl_server_n_clients(const struct emu_nl_server *);

/* Returns room for a reply message of up to 'size' bytes at the end of the
 * current datagram, aligned for struct nlmsghdr, or NULL if it does not
 * fit (in a dump: come back in the next datagram).  The handler writes a
 * complete message there, whose nlmsg_len says its length, and calls
 * emu_nl_txn_commit(). */
void *emu_nl_txn_reserve(struct emu_nl_txn *txn, size_t size);
void emu_nl_txn_commit(struct emu_nl_txn *txn);

/* Appends the complete message 'nlh' (nlmsg_len bytes) to the current
 * datagram and returns true, or returns false if it does not fit. */
bool emu_nl_txn_put(struct emu_nl_txn *txn, const struct nlmsghdr *nlh);

/* The sequence number and port id that replies to the current request
 * carry. */
uint32_t emu_nl_txn_seq(const struct emu_nl_txn *txn);
uint32_t emu_nl_txn_portid(const struct emu_nl_txn *txn);

/* Sets the extack message of the error the handler is about to return;
 * takes ownership of 'msg' (malloc'd), which may be NULL. */
void emu_nl_txn_set_error_msg(struct emu_nl_txn *txn, char *msg);

/* Starts (with a nonnull 'path') or stops capturing every netlink message
 * that every server receives or sends, to a pcap file of link type 253.
 * Returns 0 or a positive errno. */
int emu_nl_capture(const char *path);

/* Returns the capture file's name, or NULL if not capturing. */
const char *emu_nl_capture_path(void);

#endif /* emu-netlink.h */
