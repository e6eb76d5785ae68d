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

#ifndef EMU_ENDPOINT_H
#define EMU_ENDPOINT_H 1

/* Packet endpoints of sriov-nic-emu: where Ethernet frames enter and leave
 * the emulated NIC (the VM side of a VF, the wire side of the uplink, the
 * host side of a representor).
 *
 * An endpoint is opened from a spec:
 *
 *   punix:PATH     Listens on a unix stream socket and accepts one peer at a
 *                  time; a new connection replaces the current one.  Frames
 *                  are framed as OVS netdev-dummy frames them: a 2-byte
 *                  big-endian length, then the frame.  An OVS port
 *                  "type=dummy options:stream=unix:PATH" connects to it.
 *
 *   unix:PATH      Connects to a listening netdev-dummy
 *                  ("options:pstream=punix:PATH"), same framing, and
 *                  reconnects with backoff (1 s, doubling up to 4 s)
 *                  whenever the peer is absent or goes away.
 *
 *   afpacket:IFNAME  An AF_PACKET socket bound to the Linux netdev IFNAME,
 *                  which must be an Ethernet device (veth, tap, ...):
 *                  receives every frame that arrives on it (promiscuous;
 *                  not the frames sent through it) and sends whole frames
 *                  out of it.  Frames are received as they were on the
 *                  wire: a VLAN tag that the kernel moved out of the frame
 *                  is put back; a frame whose L4 checksum a local sender
 *                  left to offload (CHECKSUM_PARTIAL, typical of veth) gets
 *                  its checksum completed; a TCP or UDP GSO frame (from a
 *                  local sender, or merged by GRO) is split into the
 *                  segments it stands for, each with correct lengths, IPv4
 *                  ID and checksums.  The kernel describes those offloads
 *                  through PACKET_VNET_HDR, which gives the exact checksum
 *                  position.  GSO frames of other kinds (SCTP, tunnels)
 *                  are dropped and counted as receive errors: turn those
 *                  offloads off on the sender ("ethtool -K PEER
 *                  tx-sctp-segmentation off tx-udp_tnl-segmentation off").
 *                  Needs CAP_NET_RAW.  The socket stays bound to the
 *                  ifindex it found at open: a netdev deleted and created
 *                  again needs a new endpoint.
 *
 * PATH is resolved as OVS resolves unix stream names: a relative PATH is
 * relative to OVS's run directory.
 *
 * Frames are whole Ethernet frames without FCS, from EMU_ENDPOINT_MIN_FRAME
 * to EMU_ENDPOINT_MAX_FRAME bytes.  The netdev-dummy framing could carry up
 * to 65535, but a length outside these bounds means that the peer is
 * broken or out of step: the connection is closed, with a rate-limited log
 * and a receive error counted, rather than misread.  The same bounds apply
 * to frames received from an afpacket netdev (after GSO segmentation) and
 * to every frame sent.
 *
 * Use: single-threaded, from OVS's poll loop.  Every iteration, the owner
 * calls emu_endpoint_run(), then emu_endpoint_recv() until it returns
 * EAGAIN (or as many times as it wants: what is left is reported by
 * emu_endpoint_wait()), then emu_endpoint_wait() before poll_block().
 * Nothing ever blocks.  A stream endpoint ignores SIGPIPE process-wide, as
 * OVS daemons do, so that a peer that goes away cannot kill the process. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_packet;

/* Bounds of a frame, FCS excluded: an Ethernet header; a 9216-byte MTU plus
 * an Ethernet header and two VLAN tags. */
#define EMU_ENDPOINT_MIN_FRAME 14
#define EMU_ENDPOINT_MAX_FRAME (9216 + 14 + 2 * 4)

/* Headroom of every received packet, enough to push two VLAN tags without
 * copying it. */
#define EMU_ENDPOINT_HEADROOM 8

struct emu_endpoint;

/* Counters of an endpoint, since it was opened.  Bytes are frame bytes
 * (netdev-dummy's length prefixes and the kernel's headers not counted). */
struct emu_endpoint_stats {
    uint64_t rx_packets;        /* Frames returned by emu_endpoint_recv(). */
    uint64_t rx_bytes;
    uint64_t rx_errors;         /* Bad framing, truncated or oversized
                                 * frames, frames with an offload that
                                 * cannot be completed: each one dropped. */
    uint64_t tx_packets;        /* Frames that left the endpoint whole. */
    uint64_t tx_bytes;
    uint64_t tx_dropped;        /* Frames that emu_endpoint_send() refused,
                                 * or that were queued on a connection that
                                 * then broke. */
};

/* Opens the endpoint that 'spec' describes (see above) and stores it in
 * '*epp'.  Returns 0 on success.  On failure returns a positive errno
 * value, stores NULL in '*epp' and, if 'errp' is nonnull, a message that
 * names 'spec' and says what is wrong in '*errp', which the caller must
 * free (on success '*errp' is set to NULL).  Errors: EINVAL for a spec
 * that is not TYPE:ARG, has an empty ARG or an interface name too long for
 * Linux, EAFNOSUPPORT for an unknown TYPE, EOPNOTSUPP for a netdev that is
 * not Ethernet, and whatever listening on, connecting to or binding to ARG
 * gives (ENOENT or ENOTDIR for a socket directory that does not exist,
 * ENODEV for an unknown interface, EPERM without CAP_NET_RAW, ...).
 * "unix:" succeeds while its peer is not listening yet (the socket file
 * does not exist or refuses connections), and connects when it is. */
int emu_endpoint_open(const char *spec, struct emu_endpoint **epp,
                      char **errp);

/* Closes 'ep' (which may be NULL) and frees it: closes its sockets, drops
 * the frames it still queued and, for "punix:", removes the socket file. */
void emu_endpoint_close(struct emu_endpoint *ep);

/* Receives one frame from 'ep' without blocking.  Returns 0 and stores in
 * '*packetp' a packet that the caller owns (its data is the whole frame,
 * with EMU_ENDPOINT_HEADROOM bytes of headroom), or returns EAGAIN and
 * stores NULL if no whole frame is available.  Bad input from the peer
 * never comes out as a frame: it is counted and dropped (afpacket) or
 * closes the connection (stream endpoints), and EAGAIN is returned. */
int emu_endpoint_recv(struct emu_endpoint *ep, struct dp_packet **packetp);

/* Sends the frame in 'packet' through 'ep'.  Does not take ownership of
 * 'packet' and never blocks.  Returns 0 if the frame was sent or queued
 * for sending (a stream endpoint queues at most a bounded number of frames
 * that its socket could not take yet; if its connection breaks before they
 * are sent, they are counted in tx_dropped).  Otherwise the frame is
 * dropped and counted in tx_dropped, and the return value is a positive
 * errno value: EINVAL or EMSGSIZE for a frame outside the bounds above,
 * ENOTCONN if the endpoint has no peer, ENOBUFS or EAGAIN if its queue or
 * socket is full, or the error of the socket. */
int emu_endpoint_send(struct emu_endpoint *ep,
                      const struct dp_packet *packet);

/* Does the endpoint's background work: accepts a new peer ("punix:"),
 * connects or reconnects ("unix:"), sends queued frames. */
void emu_endpoint_run(struct emu_endpoint *ep);

/* Arranges for poll_block() to wake up when emu_endpoint_run() or
 * emu_endpoint_recv() has something to do for 'ep': a frame to receive,
 * a peer to accept, a reconnection to try, queued frames to send. */
void emu_endpoint_wait(struct emu_endpoint *ep);

/* Returns the spec that 'ep' was opened with.  It lives as long as 'ep'. */
const char *emu_endpoint_spec(const struct emu_endpoint *ep);

/* Returns true if 'ep' can send and receive: a "punix:" or "unix:"
 * endpoint has a connected peer; an afpacket endpoint always can. */
bool emu_endpoint_is_connected(const struct emu_endpoint *ep);

/* Stores the counters of 'ep' in '*stats'. */
void emu_endpoint_get_stats(const struct emu_endpoint *ep,
                            struct emu_endpoint_stats *stats);

/* Returns the ifindex of the netdev that an afpacket endpoint is bound to
 * (in the network namespace it was opened in), or 0 for other endpoints. */
int emu_endpoint_ifindex(const struct emu_endpoint *ep);

/* Endpoint classes: for the implementations (emu-endpoint-*.c) only.
 *
 * An implementation embeds 'struct emu_endpoint' in its own structure.
 * emu-endpoint.c parses the spec, calls the class and keeps the common
 * state: it sets 'class' and 'spec' after open(), counts rx_packets and
 * rx_bytes for every frame that recv() returns, checks the bounds of every
 * frame before send() sees it, and counts tx_dropped for every send() that
 * fails.  The class counts the rest of 'stats': tx_packets and tx_bytes
 * when a frame has left, tx_dropped for frames it queued and then lost,
 * rx_errors. */
struct emu_endpoint {
    const struct emu_endpoint_class *class;
    char *spec;
    struct emu_endpoint_stats stats;
};

struct emu_endpoint_class {
    /* The TYPE of the specs of this class, e.g. "punix". */
    const char *type;

    /* Opens an endpoint for 'spec', whose ARG (what follows "TYPE:") is
     * 'arg', never empty.  On success returns 0 and stores in '*epp' a new
     * endpoint, all of its 'struct emu_endpoint' zeroed.  On failure
     * returns a positive errno value and stores in '*errp' a malloc()ed
     * message that names 'spec'. */
    int (*open)(const char *spec, const char *arg, struct emu_endpoint **epp,
                char **errp);

    /* Closes 'ep' and frees it (its 'spec' is freed by the caller). */
    void (*close)(struct emu_endpoint *ep);

    /* Returns 0 and a frame of EMU_ENDPOINT_MIN_FRAME to
     * EMU_ENDPOINT_MAX_FRAME bytes in '*packetp', owned by the caller, or
     * EAGAIN.  Never blocks. */
    int (*recv)(struct emu_endpoint *ep, struct dp_packet **packetp);

    /* Sends or queues the 'size' bytes of 'frame', which are within the
     * bounds above, and returns 0, or returns a positive errno value if
     * the frame is dropped.  Never blocks, never keeps 'frame'. */
    int (*send)(struct emu_endpoint *ep, const void *frame, size_t size);

    /* Background work, as emu_endpoint_run(). */
    void (*run)(struct emu_endpoint *ep);

    /* As emu_endpoint_wait(). */
    void (*wait)(struct emu_endpoint *ep);

    /* As emu_endpoint_is_connected(). */
    bool (*is_connected)(const struct emu_endpoint *ep);

    /* As emu_endpoint_ifindex().  NULL means 0. */
    int (*ifindex)(const struct emu_endpoint *ep);
};

extern const struct emu_endpoint_class emu_endpoint_punix_class;
extern const struct emu_endpoint_class emu_endpoint_unix_class;
extern const struct emu_endpoint_class emu_endpoint_afpacket_class;

#endif /* emu-endpoint.h */
