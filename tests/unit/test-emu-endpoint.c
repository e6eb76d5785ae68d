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

/* sriov-nic-emu's packet endpoints, over real sockets.
 *
 * Stream endpoints: the peers are plain unix sockets, and the netdev-dummy
 * framing (2-byte big-endian length, then the frame) is written and parsed
 * here, independently of the code under test.
 *
 * afpacket endpoints: each test creates two network namespaces joined by a
 * veth pair (ept1 in the "peer" namespace, ept0 in the "endpoint" one),
 * opens the endpoint on ept0 and talks to it through ept1 with its own
 * packet sockets, or with the kernel's UDP and TCP.  They need root; as
 * another user they report themselves skipped and pass.  Checksums are
 * verified with this file's own RFC 1071 code.
 *
 * Nothing here measures time: deadlines only keep a broken test from
 * hanging. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "dp-packet.h"
#include "emu-endpoint.h"
#include "esw-unittest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

/* A guard against hanging, never a measure. */
#define DEADLINE_MS 10000

#define TEST_ETH_TYPE 0x88b5    /* IEEE 802 local experimental. */

static const uint8_t mac_peer[6] = { 0x02, 0xe5, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_ep[6] = { 0x02, 0xe5, 0x00, 0x00, 0x00, 0x02 };

static char tmp_dir[64];

/* Bytes. */

static void
put16(uint8_t *p, uint16_t value)
{
    p[0] = value >> 8;
    p[1] = value;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
put32(uint8_t *p, uint32_t value)
{
    put16(p, value >> 16);
    put16(p + 2, value);
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) get16(p) << 16) | get16(p + 2);
}

/* Reference checksums (RFC 1071), independent of the code under test. */

static uint32_t
ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* Test frames. */

/* A 'len'-byte Ethernet frame from 'src', of TEST_ETH_TYPE, whose payload
 * starts with 'seq' and goes on with bytes that depend on 'seq'. */
static void
make_frame(uint8_t *frame, size_t len, const uint8_t src[6], uint32_t seq)
{
    memcpy(frame, mac_ep, 6);
    memcpy(frame + 6, src, 6);
    put16(frame + 12, TEST_ETH_TYPE);
    for (size_t i = 14; i < len; i++) {
        frame[i] = seq * 7 + i;
    }
    if (len >= 18) {
        put32(frame + 14, seq);
    }
}

static struct dp_packet *
packet_from(const uint8_t *frame, size_t len)
{
    return dp_packet_clone_data(frame, len);
}

static bool
packet_equals(const struct dp_packet *packet, const uint8_t *frame,
              size_t len)
{
    return (packet && dp_packet_size(packet) == len
            && !memcmp(dp_packet_data(packet), frame, len));
}

/* An IPv4 or IPv6 frame with a TCP or UDP header. */
struct ip_frame {
    uint8_t data[2048];
    size_t len;
    size_t l3, l4;              /* Offsets of the IP and L4 headers. */
    size_t csum_offset;         /* Of the L4 checksum, from 'l4'. */
    bool ipv6;
    uint8_t proto;
};

/* Builds in 'f' a frame from mac_peer, with an outer VLAN tag if 'tpid' is
 * nonzero, an IPv4 (10.99.0.2 to 10.99.0.1) or IPv6 (2001:db8::2 to
 * 2001:db8::1) header, a TCP header of 'tcp_hdr_len' bytes or a UDP header,
 * and 'payload_len' bytes of payload.  Its IPv4 checksum is right, its L4
 * checksum field zero. */
static void
ip_frame_build(struct ip_frame *f, uint16_t tpid, uint16_t tci, bool ipv6,
               uint8_t proto, size_t tcp_hdr_len, size_t payload_len)
{
    uint8_t *p = f->data;
    size_t ofs = 12;

    memset(f, 0, sizeof *f);
    memcpy(p, mac_ep, 6);
    memcpy(p + 6, mac_peer, 6);
    if (tpid) {
        put16(p + ofs, tpid);
        put16(p + ofs + 2, tci);
        ofs += 4;
    }
    put16(p + ofs, ipv6 ? 0x86dd : 0x0800);
    ofs += 2;

    size_t l4_hdr_len = proto == IPPROTO_TCP ? tcp_hdr_len : 8;
    size_t l4_len = l4_hdr_len + payload_len;
    f->l3 = ofs;
    f->ipv6 = ipv6;
    f->proto = proto;
    if (!ipv6) {
        uint8_t *ip = p + ofs;
        ip[0] = 0x45;
        put16(ip + 2, 20 + l4_len);
        put16(ip + 4, 0x1234);
        ip[6] = 0x40;           /* DF. */
        ip[8] = 64;
        ip[9] = proto;
        put32(ip + 12, 0x0a630002);
        put32(ip + 16, 0x0a630001);
        put16(ip + 10, ~ref_fold(ref_sum(0, ip, 20)));
        f->l4 = ofs + 20;
    } else {
        uint8_t *ip6 = p + ofs;
        ip6[0] = 0x60;
        put16(ip6 + 4, l4_len);
        ip6[6] = proto;
        ip6[7] = 64;
        put32(ip6 + 8, 0x20010db8);
        ip6[23] = 2;
        put32(ip6 + 24, 0x20010db8);
        ip6[39] = 1;
        f->l4 = ofs + 40;
    }

    uint8_t *l4 = p + f->l4;
    put16(l4, 1234);
    put16(l4 + 2, 5678);
    if (proto == IPPROTO_TCP) {
        put32(l4 + 4, 0x01020304);
        put32(l4 + 8, 0x0a0b0c0d);
        l4[12] = (tcp_hdr_len / 4) << 4;
        l4[13] = 0x18;          /* PSH, ACK. */
        put16(l4 + 14, 65535);
        for (size_t i = 20; i < tcp_hdr_len; i++) {
            l4[i] = 1;          /* NOP options. */
        }
        f->csum_offset = 16;
    } else {
        put16(l4 + 4, l4_len);
        f->csum_offset = 6;
    }
    for (size_t i = 0; i < payload_len; i++) {
        l4[l4_hdr_len + i] = i * 13 + 5;
    }
    f->len = f->l4 + l4_len;
}

/* Returns the sum of the pseudo-header of the L4 header at 'l4' in the
 * 'len'-byte 'frame' whose IP header is at 'l3'. */
static uint32_t
ref_pseudo_sum(const uint8_t *frame, size_t len, size_t l3, size_t l4,
               bool ipv6, uint8_t proto)
{
    uint32_t sum = (ipv6
                    ? ref_sum(0, frame + l3 + 8, 32)
                    : ref_sum(0, frame + l3 + 12, 8));
    return sum + proto + (len - l4);
}

/* Returns true if the L4 checksum of the frame is right. */
static bool
ref_l4_csum_ok(const uint8_t *frame, size_t len, size_t l3, size_t l4,
               bool ipv6, uint8_t proto)
{
    uint32_t sum = ref_pseudo_sum(frame, len, l3, l4, ipv6, proto);
    return ref_fold(ref_sum(sum, frame + l4, len - l4)) == 0xffff;
}

/* Endpoints. */

/* Runs 'ep' and receives from it until it gives a frame, and returns it, or
 * NULL at the deadline. */
static struct dp_packet *
ep_recv_wait(struct emu_endpoint *ep)
{
    long long int deadline = time_msec() + DEADLINE_MS;

    for (;;) {
        struct dp_packet *packet;

        emu_endpoint_run(ep);
        if (!emu_endpoint_recv(ep, &packet)) {
            return packet;
        }
        if (time_msec() >= deadline) {
            return NULL;
        }
        emu_endpoint_wait(ep);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* Receives from 'ep' until it gives a frame whose source MAC is 'src', and
 * returns it, or NULL at the deadline.  Other frames are dropped. */
static struct dp_packet *
ep_recv_from(struct emu_endpoint *ep, const uint8_t src[6])
{
    long long int deadline = time_msec() + DEADLINE_MS;

    while (time_msec() < deadline) {
        struct dp_packet *packet = ep_recv_wait(ep);
        if (!packet || (dp_packet_size(packet) >= 12
                        && !memcmp((uint8_t *) dp_packet_data(packet) + 6,
                                   src, 6))) {
            return packet;
        }
        dp_packet_delete(packet);
    }
    return NULL;
}

/* Runs and receives from 'ep' until emu_endpoint_is_connected() is
 * 'connected'.  Frames received meanwhile are counted in '*n_framesp' if
 * it is nonnull.  Returns false at the deadline. */
static bool
ep_wait_connected(struct emu_endpoint *ep, bool connected, int *n_framesp)
{
    long long int deadline = time_msec() + DEADLINE_MS;

    for (;;) {
        struct dp_packet *packet;

        emu_endpoint_run(ep);
        while (!emu_endpoint_recv(ep, &packet)) {
            dp_packet_delete(packet);
            if (n_framesp) {
                (*n_framesp)++;
            }
        }
        if (emu_endpoint_is_connected(ep) == connected) {
            return true;
        }
        if (time_msec() >= deadline) {
            return false;
        }
        emu_endpoint_wait(ep);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static void
ep_get_stats(const struct emu_endpoint *ep, struct emu_endpoint_stats *s)
{
    memset(s, 0xcc, sizeof *s);
    emu_endpoint_get_stats(ep, s);
}

static struct emu_endpoint *
ep_open(const char *spec)
{
    struct emu_endpoint *ep;
    char *err;

    int error = emu_endpoint_open(spec, &ep, &err);
    if (error) {
        fprintf(stderr, "%s: %s\n", spec, err);
    }
    CU_ASSERT_EQUAL(error, 0);
    CU_ASSERT_PTR_NULL(err);
    free(err);
    return error ? NULL : ep;
}

/* Plain unix socket peers, with netdev-dummy framing done here. */

static char *
tmp_path(const char *name)
{
    return xasprintf("%s/%s", tmp_dir, name);
}

static void
make_sun(struct sockaddr_un *sun, const char *path)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    ovs_assert(strlen(path) < sizeof sun->sun_path);
    ovs_strlcpy(sun->sun_path, path, sizeof sun->sun_path);
}

/* Connects to the unix socket 'path'.  Returns the socket, or -1. */
static int
peer_connect(const char *path)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    make_sun(&sun, path);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
        fprintf(stderr, "connect %s: %s\n", path, ovs_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Listens on the unix socket 'path'.  Returns the socket, or -1. */
static int
peer_listen(const char *path)
{
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    make_sun(&sun, path);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sun, sizeof sun)
        || listen(fd, 8)) {
        fprintf(stderr, "listen %s: %s\n", path, ovs_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Waits until 'fd' is readable.  Returns false at the deadline. */
static bool
fd_wait_readable(int fd, long long int deadline)
{
    for (;;) {
        long long int now = time_msec();
        if (now >= deadline) {
            return false;
        }

        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int retval = poll(&pfd, 1, deadline - now);
        if (retval > 0) {
            return true;
        } else if (retval < 0 && errno != EINTR) {
            return false;
        }
    }
}

static bool
peer_write(int fd, const void *data, size_t n)
{
    return write(fd, data, n) == n;
}

/* Writes 'frame' with its length prefix, in one write. */
static bool
peer_write_frame(int fd, const uint8_t *frame, size_t len)
{
    uint8_t *buf = xmalloc(len + 2);
    put16(buf, len);
    memcpy(buf + 2, frame, len);

    bool ok = peer_write(fd, buf, len + 2);
    free(buf);
    return ok;
}

/* Reads exactly 'n' bytes.  Returns false on EOF, error or deadline. */
static bool
peer_read_exact(int fd, void *buf_, size_t n)
{
    long long int deadline = time_msec() + DEADLINE_MS;
    uint8_t *buf = buf_;

    while (n) {
        if (!fd_wait_readable(fd, deadline)) {
            return false;
        }
        ssize_t retval = read(fd, buf, n);
        if (retval <= 0) {
            return false;
        }
        buf += retval;
        n -= retval;
    }
    return true;
}

/* Reads a frame into 'frame' (at least EMU_ENDPOINT_MAX_FRAME bytes) and
 * stores its length in '*lenp'.  Returns false on EOF, error or
 * deadline. */
static bool
peer_read_frame(int fd, uint8_t *frame, size_t *lenp)
{
    uint8_t prefix[2];

    if (!peer_read_exact(fd, prefix, 2)) {
        return false;
    }
    *lenp = get16(prefix);
    return (*lenp <= EMU_ENDPOINT_MAX_FRAME
            && peer_read_exact(fd, frame, *lenp));
}

/* Returns true if 'fd' reads end of file (or a reset) before the
 * deadline. */
static bool
peer_sees_eof(int fd)
{
    long long int deadline = time_msec() + DEADLINE_MS;

    for (;;) {
        uint8_t buf[256];

        if (!fd_wait_readable(fd, deadline)) {
            return false;
        }
        ssize_t retval = read(fd, buf, sizeof buf);
        if (!retval || (retval < 0 && errno == ECONNRESET)) {
            return true;
        } else if (retval < 0) {
            return false;
        }
    }
}

/* Stream endpoint tests. */

static void
test_punix_exchange(void)
{
    char *path = tmp_path("exchange.sock");
    char *spec = xasprintf("punix:%s", path);
    uint8_t frame[EMU_ENDPOINT_MAX_FRAME];
    struct emu_endpoint_stats s;
    size_t len;

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    CU_ASSERT_STRING_EQUAL(emu_endpoint_spec(ep), spec);
    CU_ASSERT_FALSE(emu_endpoint_is_connected(ep));
    CU_ASSERT_EQUAL(emu_endpoint_ifindex(ep), 0);
    CU_ASSERT_EQUAL(access(path, F_OK), 0);

    int fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

    /* Peer to endpoint. */
    make_frame(frame, 60, mac_peer, 1);
    CU_ASSERT_TRUE(peer_write_frame(fd, frame, 60));
    struct dp_packet *packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, frame, 60));
    CU_ASSERT_TRUE(packet && dp_packet_headroom(packet)
                   >= EMU_ENDPOINT_HEADROOM);
    dp_packet_delete(packet);

    /* Endpoint to peer. */
    make_frame(frame, 100, mac_ep, 2);
    packet = packet_from(frame, 100);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
    dp_packet_delete(packet);
    uint8_t got[EMU_ENDPOINT_MAX_FRAME];
    CU_ASSERT_TRUE(peer_read_frame(fd, got, &len));
    CU_ASSERT_EQUAL(len, 100);
    CU_ASSERT_EQUAL(memcmp(got, frame, 100), 0);

    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_packets, 1);
    CU_ASSERT_EQUAL(s.rx_bytes, 60);
    CU_ASSERT_EQUAL(s.rx_errors, 0);
    CU_ASSERT_EQUAL(s.tx_packets, 1);
    CU_ASSERT_EQUAL(s.tx_bytes, 100);
    CU_ASSERT_EQUAL(s.tx_dropped, 0);

    /* Closing hangs up on the peer and removes the socket file. */
    emu_endpoint_close(ep);
    CU_ASSERT_TRUE(peer_sees_eof(fd));
    CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);

    close(fd);
    free(spec);
    free(path);
}

static void
test_punix_framing(void)
{
    char *path = tmp_path("framing.sock");
    char *spec = xasprintf("punix:%s", path);
    uint8_t f1[64], f2[EMU_ENDPOINT_MIN_FRAME], f3[300];
    uint8_t buf[1024];

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    int fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

    /* Two frames, the second the shortest, in one write. */
    make_frame(f1, sizeof f1, mac_peer, 1);
    make_frame(f2, sizeof f2, mac_peer, 2);
    put16(buf, sizeof f1);
    memcpy(buf + 2, f1, sizeof f1);
    put16(buf + 2 + sizeof f1, sizeof f2);
    memcpy(buf + 4 + sizeof f1, f2, sizeof f2);
    CU_ASSERT_TRUE(peer_write(fd, buf, 4 + sizeof f1 + sizeof f2));

    struct dp_packet *packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, f1, sizeof f1));
    dp_packet_delete(packet);
    packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, f2, sizeof f2));
    dp_packet_delete(packet);

    /* One frame over three writes, the first splitting its prefix.  A unix
     * socket has written bytes readable at once, so EAGAIN below means
     * that the endpoint holds what it got and waits for the rest. */
    make_frame(f3, sizeof f3, mac_peer, 3);
    put16(buf, sizeof f3);
    memcpy(buf + 2, f3, sizeof f3);
    CU_ASSERT_TRUE(peer_write(fd, buf, 1));
    emu_endpoint_run(ep);
    CU_ASSERT_EQUAL(emu_endpoint_recv(ep, &packet), EAGAIN);
    CU_ASSERT_PTR_NULL(packet);
    CU_ASSERT_TRUE(peer_write(fd, buf + 1, 100));
    CU_ASSERT_EQUAL(emu_endpoint_recv(ep, &packet), EAGAIN);
    CU_ASSERT_TRUE(emu_endpoint_is_connected(ep));
    CU_ASSERT_TRUE(peer_write(fd, buf + 101, sizeof f3 + 2 - 101));
    packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, f3, sizeof f3));
    dp_packet_delete(packet);

    struct emu_endpoint_stats s;
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_packets, 3);
    CU_ASSERT_EQUAL(s.rx_bytes, sizeof f1 + sizeof f2 + sizeof f3);
    CU_ASSERT_EQUAL(s.rx_errors, 0);

    emu_endpoint_close(ep);
    close(fd);
    free(spec);
    free(path);
}

/* The length of the 'i'th frame of test_punix_stream_of_frames(). */
static size_t
stream_frame_len(size_t i)
{
    return (i % 50 == 49
            ? EMU_ENDPOINT_MAX_FRAME
            : EMU_ENDPOINT_MIN_FRAME + (i * 389) % 1600);
}

/* Many frames of many lengths, written as fast as the socket takes them,
 * which cuts them anywhere: every frame comes out whole and in order. */
static void
test_punix_stream_of_frames(void)
{
    enum { N_FRAMES = 400 };
    char *path = tmp_path("many.sock");
    char *spec = xasprintf("punix:%s", path);

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    int fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));
    CU_ASSERT_EQUAL(fcntl(fd, F_SETFL, O_NONBLOCK), 0);

    size_t total = 0;
    for (size_t i = 0; i < N_FRAMES; i++) {
        total += 2 + stream_frame_len(i);
    }
    uint8_t *stream = xmalloc(total);
    size_t ofs = 0;
    for (size_t i = 0; i < N_FRAMES; i++) {
        size_t len = stream_frame_len(i);
        put16(stream + ofs, len);
        make_frame(stream + ofs + 2, len, mac_peer, i);
        ofs += 2 + len;
    }

    long long int deadline = time_msec() + DEADLINE_MS;
    size_t written = 0, n_received = 0, rx_ofs = 0, n_bad = 0;
    while (n_received < N_FRAMES && time_msec() < deadline) {
        if (written < total) {
            ssize_t retval = write(fd, stream + written, total - written);
            if (retval > 0) {
                written += retval;
            }
        }

        struct dp_packet *packet;
        emu_endpoint_run(ep);
        while (!emu_endpoint_recv(ep, &packet)) {
            size_t len = get16(stream + rx_ofs);
            if (n_received >= N_FRAMES
                || !packet_equals(packet, stream + rx_ofs + 2, len)) {
                n_bad++;
            }
            rx_ofs += 2 + len;
            n_received++;
            dp_packet_delete(packet);
        }
        if (n_received >= N_FRAMES) {
            break;
        }
        emu_endpoint_wait(ep);
        if (written < total) {
            poll_fd_wait(fd, POLLOUT);
        }
        poll_timer_wait_until(deadline);
        poll_block();
    }
    CU_ASSERT_EQUAL(n_received, N_FRAMES);
    CU_ASSERT_EQUAL(n_bad, 0);
    CU_ASSERT_TRUE(total > 4 * 65536);

    struct emu_endpoint_stats s;
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_packets, N_FRAMES);
    CU_ASSERT_EQUAL(s.rx_bytes, total - 2 * N_FRAMES);
    CU_ASSERT_EQUAL(s.rx_errors, 0);

    emu_endpoint_close(ep);
    close(fd);
    free(stream);
    free(spec);
    free(path);
}

/* A bad length prefix closes the connection, after the good frames before
 * it; the endpoint goes on listening. */
static void
test_punix_bad_framing(void)
{
    static const uint16_t bad_lens[] = {
        0, 1, EMU_ENDPOINT_MIN_FRAME - 1, EMU_ENDPOINT_MAX_FRAME + 1, 65535,
    };
    char *path = tmp_path("bad.sock");
    char *spec = xasprintf("punix:%s", path);
    struct emu_endpoint_stats s;
    uint8_t frame[80], buf[256];
    int fd;

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);

    for (size_t i = 0; i < ARRAY_SIZE(bad_lens); i++) {
        fd = peer_connect(path);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

        make_frame(frame, sizeof frame, mac_peer, i);
        put16(buf, sizeof frame);
        memcpy(buf + 2, frame, sizeof frame);
        put16(buf + 2 + sizeof frame, bad_lens[i]);
        memset(buf + 4 + sizeof frame, 0x55, 100);
        CU_ASSERT_TRUE(peer_write(fd, buf, 4 + sizeof frame + 100));

        struct dp_packet *packet = ep_recv_wait(ep);
        CU_ASSERT_TRUE(packet_equals(packet, frame, sizeof frame));
        dp_packet_delete(packet);

        int n_frames = 0;
        CU_ASSERT_TRUE(ep_wait_connected(ep, false, &n_frames));
        CU_ASSERT_EQUAL(n_frames, 0);
        CU_ASSERT_TRUE(peer_sees_eof(fd));
        close(fd);

        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_errors, i + 1);
        CU_ASSERT_EQUAL(s.rx_packets, i + 1);
    }

    /* A peer that hangs up in the middle of a frame: an error. */
    fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));
    put16(buf, 100);
    memset(buf + 2, 0x66, 50);
    CU_ASSERT_TRUE(peer_write(fd, buf, 52));
    close(fd);
    int n_frames = 0;
    CU_ASSERT_TRUE(ep_wait_connected(ep, false, &n_frames));
    CU_ASSERT_EQUAL(n_frames, 0);
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_errors, ARRAY_SIZE(bad_lens) + 1);

    /* A peer that hangs up between frames: no error. */
    fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));
    close(fd);
    CU_ASSERT_TRUE(ep_wait_connected(ep, false, NULL));
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_errors, ARRAY_SIZE(bad_lens) + 1);

    /* Still listening, still in step with a good peer. */
    fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    make_frame(frame, sizeof frame, mac_peer, 99);
    CU_ASSERT_TRUE(peer_write_frame(fd, frame, sizeof frame));
    struct dp_packet *packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, frame, sizeof frame));
    dp_packet_delete(packet);

    emu_endpoint_close(ep);
    close(fd);
    free(spec);
    free(path);
}

/* A new connection replaces the current one. */
static void
test_punix_replace(void)
{
    char *path = tmp_path("replace.sock");
    char *spec = xasprintf("punix:%s", path);
    uint8_t frame[70], got[EMU_ENDPOINT_MAX_FRAME];
    size_t len;

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    int fd1 = peer_connect(path);
    CU_ASSERT_FATAL(fd1 >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

    int fd2 = peer_connect(path);
    CU_ASSERT_FATAL(fd2 >= 0);
    emu_endpoint_run(ep);
    CU_ASSERT_TRUE(peer_sees_eof(fd1));
    CU_ASSERT_TRUE(emu_endpoint_is_connected(ep));

    make_frame(frame, sizeof frame, mac_ep, 5);
    struct dp_packet *packet = packet_from(frame, sizeof frame);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
    dp_packet_delete(packet);
    CU_ASSERT_TRUE(peer_read_frame(fd2, got, &len));
    CU_ASSERT_TRUE(len == sizeof frame && !memcmp(got, frame, len));

    make_frame(frame, sizeof frame, mac_peer, 6);
    CU_ASSERT_TRUE(peer_write_frame(fd2, frame, sizeof frame));
    packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, frame, sizeof frame));
    dp_packet_delete(packet);

    emu_endpoint_close(ep);
    close(fd1);
    close(fd2);
    free(spec);
    free(path);
}

/* Frames that cannot be sent are dropped and counted. */
static void
test_send_errors(void)
{
    char *path = tmp_path("send.sock");
    char *spec = xasprintf("punix:%s", path);
    uint8_t frame[EMU_ENDPOINT_MAX_FRAME + 1], got[EMU_ENDPOINT_MAX_FRAME];
    struct emu_endpoint_stats s;
    struct dp_packet *packet;
    size_t len;

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);

    make_frame(frame, sizeof frame, mac_ep, 7);
    packet = packet_from(frame, 60);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), ENOTCONN);
    dp_packet_delete(packet);

    int fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

    packet = packet_from(frame, EMU_ENDPOINT_MIN_FRAME - 1);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), EINVAL);
    dp_packet_delete(packet);

    packet = packet_from(frame, EMU_ENDPOINT_MAX_FRAME + 1);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), EMSGSIZE);
    dp_packet_delete(packet);

    /* The longest frame goes, and the connection is still in step. */
    packet = packet_from(frame, EMU_ENDPOINT_MAX_FRAME);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
    dp_packet_delete(packet);
    packet = packet_from(frame, 61);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
    dp_packet_delete(packet);

    for (size_t i = 0; i < 2; i++) {
        size_t want = i ? 61 : EMU_ENDPOINT_MAX_FRAME;

        emu_endpoint_run(ep);
        CU_ASSERT_TRUE(peer_read_frame(fd, got, &len));
        CU_ASSERT_TRUE(len == want && !memcmp(got, frame, want));
    }

    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.tx_dropped, 3);
    CU_ASSERT_EQUAL(s.tx_packets, 2);
    CU_ASSERT_EQUAL(s.tx_bytes, EMU_ENDPOINT_MAX_FRAME + 61);

    emu_endpoint_close(ep);
    close(fd);
    free(spec);
    free(path);
}

/* Sends numbered 1000-byte frames through 'ep' until it refuses one.
 * Returns how many it took, stores its error in '*errorp'. */
static size_t
send_until_refused(struct emu_endpoint *ep, uint32_t first_seq, int *errorp)
{
    uint8_t frame[1000];

    *errorp = 0;
    for (size_t i = 0; i < 100000; i++) {
        make_frame(frame, sizeof frame, mac_ep, first_seq + i);
        struct dp_packet *packet = packet_from(frame, sizeof frame);
        *errorp = emu_endpoint_send(ep, packet);
        dp_packet_delete(packet);
        if (*errorp) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* A peer that does not read: the endpoint queues a bounded number of
 * frames, drops the rest, and sends the queue whole and in order once the
 * peer reads.  Frames queued on a connection that breaks are dropped. */
static void
test_punix_tx_bounded(void)
{
    char *path = tmp_path("txq.sock");
    char *spec = xasprintf("punix:%s", path);
    struct emu_endpoint_stats s;
    int error;

    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    int fd = peer_connect(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));
    CU_ASSERT_EQUAL(fcntl(fd, F_SETFL, O_NONBLOCK), 0);

    size_t n_sent = send_until_refused(ep, 0, &error);
    CU_ASSERT_EQUAL(error, ENOBUFS);
    CU_ASSERT_TRUE(n_sent > 0 && n_sent < 100000);

    /* Read everything. */
    enum { BUF_SIZE = 65536 };
    uint8_t *buf = xmalloc(BUF_SIZE);
    size_t buf_len = 0, n_received = 0, n_bad = 0;
    long long int deadline = time_msec() + DEADLINE_MS;
    while (n_received < n_sent && time_msec() < deadline) {
        ssize_t retval = read(fd, buf + buf_len, BUF_SIZE - buf_len);
        if (retval > 0) {
            buf_len += retval;
        }
        while (buf_len >= 2 && buf_len >= 2 + get16(buf)) {
            size_t len = get16(buf);
            uint8_t want[1000];

            make_frame(want, sizeof want, mac_ep, n_received);
            if (len != sizeof want || memcmp(buf + 2, want, len)) {
                n_bad++;
            }
            n_received++;
            buf_len -= 2 + len;
            memmove(buf, buf + 2 + len, buf_len);
        }
        if (n_received >= n_sent) {
            break;
        }

        emu_endpoint_run(ep);
        emu_endpoint_wait(ep);
        poll_fd_wait(fd, POLLIN);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    CU_ASSERT_EQUAL(n_received, n_sent);
    CU_ASSERT_EQUAL(n_bad, 0);
    CU_ASSERT_EQUAL(buf_len, 0);

    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.tx_packets, n_sent);
    CU_ASSERT_EQUAL(s.tx_bytes, n_sent * 1000);
    CU_ASSERT_EQUAL(s.tx_dropped, 1);

    /* Fill it again, then break the connection: whatever was queued is
     * dropped, and every frame is counted once. */
    size_t n_sent2 = send_until_refused(ep, 0, &error);
    CU_ASSERT_EQUAL(error, ENOBUFS);
    close(fd);
    CU_ASSERT_TRUE(ep_wait_connected(ep, false, NULL));
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.tx_packets + s.tx_dropped, n_sent + n_sent2 + 2);
    CU_ASSERT_TRUE(s.tx_dropped > 2);

    emu_endpoint_close(ep);
    free(buf);
    free(spec);
    free(path);
}

/* Exchanges one frame each way between 'ep' and the peer 'fd'. */
static void
exchange_one_frame(struct emu_endpoint *ep, int fd, uint32_t seq)
{
    uint8_t frame[90], got[EMU_ENDPOINT_MAX_FRAME];
    size_t len;

    make_frame(frame, sizeof frame, mac_peer, seq);
    CU_ASSERT_TRUE(peer_write_frame(fd, frame, sizeof frame));
    struct dp_packet *packet = ep_recv_wait(ep);
    CU_ASSERT_TRUE(packet_equals(packet, frame, sizeof frame));
    dp_packet_delete(packet);

    make_frame(frame, sizeof frame, mac_ep, seq + 1);
    packet = packet_from(frame, sizeof frame);
    CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
    dp_packet_delete(packet);
    CU_ASSERT_TRUE(peer_read_frame(fd, got, &len));
    CU_ASSERT_TRUE(len == sizeof frame && !memcmp(got, frame, len));
}

/* "unix:" connects when its peer listens, and again after the peer
 * restarts. */
static void
test_unix_reconnect(void)
{
    char *path = tmp_path("active.sock");
    char *spec = xasprintf("unix:%s", path);

    /* No listener yet: opens anyway, not connected. */
    struct emu_endpoint *ep = ep_open(spec);
    CU_ASSERT_FATAL(ep != NULL);
    emu_endpoint_run(ep);
    CU_ASSERT_FALSE(emu_endpoint_is_connected(ep));
    CU_ASSERT_EQUAL(emu_endpoint_ifindex(ep), 0);

    for (int round = 0; round < 2; round++) {
        int listener = peer_listen(path);
        CU_ASSERT_FATAL(listener >= 0);
        CU_ASSERT_TRUE(ep_wait_connected(ep, true, NULL));

        int fd = accept(listener, NULL, NULL);
        CU_ASSERT_FATAL(fd >= 0);
        exchange_one_frame(ep, fd, round * 10);

        /* The listener goes away. */
        close(fd);
        close(listener);
        unlink(path);
        CU_ASSERT_TRUE(ep_wait_connected(ep, false, NULL));

        struct dp_packet *packet = dp_packet_new(64);
        dp_packet_put_zeros(packet, 64);
        CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), ENOTCONN);
        dp_packet_delete(packet);
    }

    struct emu_endpoint_stats s;
    ep_get_stats(ep, &s);
    CU_ASSERT_EQUAL(s.rx_packets, 2);
    CU_ASSERT_EQUAL(s.tx_packets, 2);
    CU_ASSERT_EQUAL(s.tx_dropped, 2);
    CU_ASSERT_EQUAL(s.rx_errors, 0);

    emu_endpoint_close(ep);
    free(spec);
    free(path);
}

/* Specs that cannot work. */
static void
test_bad_specs(void)
{
    bool root = !geteuid();
    struct {
        const char *spec;
        int error;
    } cases[] = {
        { NULL, EINVAL },
        { "", EINVAL },
        { "punix", EINVAL },
        { "eth0", EINVAL },
        { "tcp:127.0.0.1:6653", EAFNOSUPPORT },
        { "pipe:x", EAFNOSUPPORT },
        { ":x", EAFNOSUPPORT },
        { "PUNIX:/tmp/x", EAFNOSUPPORT },
        { "punix:", EINVAL },
        { "unix:", EINVAL },
        { "afpacket:", EINVAL },
        { "punix:/nonexistent-esw-dir/x.sock", ENOENT },
        { "unix:/nonexistent-esw-dir/x.sock", ENOENT },
        { "unix:/etc/passwd/x.sock", ENOTDIR },
        { "afpacket:esw-no-such0", root ? ENODEV : EPERM },
        { "afpacket:a-name-longer-than-ifnamsiz", EINVAL },
        { "afpacket:lo", root ? EOPNOTSUPP : EPERM },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const char *spec = cases[i].spec;
        struct emu_endpoint dummy, *ep = &dummy;
        char *err = NULL;

        int error = emu_endpoint_open(spec, &ep, &err);
        if (error != cases[i].error) {
            fprintf(stderr, "\"%s\": error %d (%s), expected %d\n",
                    spec ? spec : "(null)", error, err ? err : "",
                    cases[i].error);
        }
        CU_ASSERT_EQUAL(error, cases[i].error);
        CU_ASSERT_PTR_NULL(ep);
        CU_ASSERT_PTR_NOT_NULL(err);
        if (err && spec && *spec) {
            CU_ASSERT_PTR_NOT_NULL(strstr(err, spec));
        }
        free(err);
    }

    /* A socket that refuses stream connections for good (a datagram
     * socket): "unix:" reports it rather than retrying forever. */
    char *path = tmp_path("dgram.sock");
    struct sockaddr_un sun;
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    make_sun(&sun, path);
    CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    char *spec = xasprintf("unix:%s", path);
    struct emu_endpoint *ep;
    char *err;
    CU_ASSERT_EQUAL(emu_endpoint_open(spec, &ep, &err), EPROTOTYPE);
    CU_ASSERT_PTR_NULL(ep);
    CU_ASSERT_TRUE(err && strstr(err, spec));
    free(err);
    free(spec);
    close(fd);
    unlink(path);
    free(path);

    /* No room for a message: none given. */
    CU_ASSERT_EQUAL(emu_endpoint_open("bogus", &ep, NULL), EINVAL);
    CU_ASSERT_PTR_NULL(ep);
}

/* afpacket: network namespaces and veths. */

struct netns_pair {
    char peer_name[32];         /* Namespace of ept1, the test's side. */
    char ep_name[32];           /* Namespace of ept0, the endpoint's. */
    int peer_fd;
    int ep_fd;
    int orig_fd;
};

static bool
run_command(const char *format, ...)
    OVS_PRINTF_FORMAT(1, 2);

static bool
run_command(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *command = xvasprintf(format, args);
    va_end(args);

    char *quiet = xasprintf("%s >/dev/null 2>&1", command);
    int status = system(quiet);
    if (status) {
        fprintf(stderr, "\"%s\" failed (status %d)\n", command, status);
    }
    free(quiet);
    free(command);
    return !status;
}

static void
netns_enter(int fd)
{
    ovs_assert(!setns(fd, CLONE_NEWNET));
}

/* Creates the two namespaces and the veth pair, both ends up, IPv6 off
 * (no stray frames).  Returns false if that cannot be done, or if the test
 * is not root: then the test reports itself skipped. */
static bool
netns_pair_create(struct netns_pair *nsp)
{
    memset(nsp, 0, sizeof *nsp);
    nsp->peer_fd = nsp->ep_fd = nsp->orig_fd = -1;
    if (geteuid()) {
        printf("\n    SKIPPED (afpacket tests need root to create network "
               "namespaces): ");
        return false;
    }

    snprintf(nsp->peer_name, sizeof nsp->peer_name, "esw-ept-peer-%ld",
             (long int) getpid());
    snprintf(nsp->ep_name, sizeof nsp->ep_name, "esw-ept-ep-%ld",
             (long int) getpid());

    bool ok = (run_command("ip netns add %s", nsp->peer_name)
               && run_command("ip netns add %s", nsp->ep_name));
    for (int i = 0; ok && i < 2; i++) {
        ok = run_command("ip netns exec %s sysctl -qw "
                         "net.ipv6.conf.all.disable_ipv6=1 "
                         "net.ipv6.conf.default.disable_ipv6=1",
                         i ? nsp->ep_name : nsp->peer_name);
    }
    ok = (ok
          && run_command("ip -n %s link add ept1 address "
                         "02:e5:00:00:00:01 type veth peer name ept0 "
                         "address 02:e5:00:00:00:02 netns %s",
                         nsp->peer_name, nsp->ep_name)
          && run_command("ip -n %s link set ept1 up", nsp->peer_name)
          && run_command("ip -n %s link set ept0 up", nsp->ep_name));
    if (ok) {
        char *peer = xasprintf("/run/netns/%s", nsp->peer_name);
        char *ep = xasprintf("/run/netns/%s", nsp->ep_name);

        nsp->peer_fd = open(peer, O_RDONLY | O_CLOEXEC);
        nsp->ep_fd = open(ep, O_RDONLY | O_CLOEXEC);
        nsp->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        ok = nsp->peer_fd >= 0 && nsp->ep_fd >= 0 && nsp->orig_fd >= 0;
        free(peer);
        free(ep);
    }
    if (!ok) {
        CU_FAIL("cannot create the network namespaces and veths");
    }
    return ok;
}

static void
netns_pair_destroy(struct netns_pair *nsp)
{
    if (nsp->peer_fd >= 0) {
        close(nsp->peer_fd);
    }
    if (nsp->ep_fd >= 0) {
        close(nsp->ep_fd);
    }
    if (nsp->orig_fd >= 0) {
        close(nsp->orig_fd);
    }
    if (nsp->peer_name[0]) {
        run_command("ip netns del %s", nsp->peer_name);
        run_command("ip netns del %s", nsp->ep_name);
    }
}

/* Opens "afpacket:ept0" in the endpoint's namespace. */
static struct emu_endpoint *
netns_open_endpoint(const struct netns_pair *nsp)
{
    netns_enter(nsp->ep_fd);
    struct emu_endpoint *ep = ep_open("afpacket:ept0");
    int ifindex = if_nametoindex("ept0");
    netns_enter(nsp->orig_fd);

    CU_ASSERT_TRUE(ifindex > 0);
    CU_ASSERT_TRUE(!ep || emu_endpoint_ifindex(ep) == ifindex);
    CU_ASSERT_TRUE(!ep || emu_endpoint_is_connected(ep));
    return ep;
}

/* Returns the promiscuity count of 'ifname' in the namespace 'ns_name', as
 * "ip -d link show" reports it, or -1.  (SIOCGIFFLAGS does not report
 * promiscuity that packet sockets asked for.) */
static int
netns_get_promiscuity(const char *ns_name, const char *ifname)
{
    char *command = xasprintf("ip -n %s -d link show %s", ns_name, ifname);
    FILE *stream = popen(command, "r");
    int promiscuity = -1;
    char line[1024];

    while (stream && fgets(line, sizeof line, stream)) {
        const char *p = strstr(line, " promiscuity ");
        if (p) {
            promiscuity = atoi(p + strlen(" promiscuity "));
        }
    }
    if (stream) {
        pclose(stream);
    }
    free(command);
    return promiscuity;
}

/* The test's own packet sockets. */

/* Opens a packet socket on 'ifname' in the namespace 'ns_fd', with a vnet
 * header if 'vnet'.  It gets VLAN tags as auxiliary data, and does not see
 * what it sends. */
static int
raw_open(const struct netns_pair *nsp, int ns_fd, const char *ifname,
         bool vnet)
{
    static const int one = 1;

    netns_enter(ns_fd);
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = if_nametoindex(ifname),
    };
    bool ok = (fd >= 0
               && !setsockopt(fd, SOL_PACKET, PACKET_AUXDATA,
                              &one, sizeof one)
               && !setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
                              &one, sizeof one)
               && (!vnet || !setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR,
                                        &one, sizeof one))
               && !bind(fd, (struct sockaddr *) &sll, sizeof sll));
    netns_enter(nsp->orig_fd);

    if (!ok) {
        fprintf(stderr, "packet socket on %s: %s\n",
                ifname, ovs_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

/* Sends 'frame' through the packet socket 'fd', with the vnet header
 * 'vnet' if it is nonnull (which it must be for a socket opened with
 * one). */
static bool
raw_send(int fd, const struct virtio_net_hdr *vnet, const uint8_t *frame,
         size_t len)
{
    struct iovec iov[2] = {
        { .iov_base = CONST_CAST(struct virtio_net_hdr *, vnet),
          .iov_len = sizeof *vnet },
        { .iov_base = CONST_CAST(uint8_t *, frame), .iov_len = len },
    };
    struct msghdr msg = {
        .msg_iov = vnet ? iov : iov + 1,
        .msg_iovlen = vnet ? 2 : 1,
    };

    ssize_t retval = sendmsg(fd, &msg, 0);
    if (retval < 0) {
        fprintf(stderr, "raw send: %s\n", ovs_strerror(errno));
    }
    return retval == (vnet ? sizeof *vnet : 0) + len;
}

/* Receives a frame from the packet socket 'fd' into 'frame' (65536 bytes
 * at least), with its outer VLAN tag, if the kernel took it out, put back
 * by this function, and its length in '*lenp'.  Stores the vnet header in
 * '*vnet' if it is nonnull (the socket must have been opened with one).
 * Returns false at the deadline. */
static bool
raw_recv(int fd, struct virtio_net_hdr *vnet, uint8_t *frame, size_t *lenp)
{
    struct virtio_net_hdr vnet_buf;
    union {
        struct cmsghdr cmsg;
        uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec iov[2] = {
        { .iov_base = vnet ? vnet : &vnet_buf, .iov_len = sizeof vnet_buf },
        { .iov_base = frame + 4, .iov_len = 65536 - 4 },
    };
    struct msghdr msg = {
        .msg_iov = vnet ? iov : iov + 1,
        .msg_iovlen = vnet ? 2 : 1,
        .msg_control = &control,
        .msg_controllen = sizeof control,
    };

    if (!fd_wait_readable(fd, time_msec() + DEADLINE_MS)) {
        return false;
    }
    ssize_t retval = recvmsg(fd, &msg, 0);
    if (retval < 0) {
        return false;
    }
    size_t len = retval - (vnet ? sizeof *vnet : 0);

    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg;
         cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        struct tpacket_auxdata aux;

        if (cmsg->cmsg_level == SOL_PACKET
            && cmsg->cmsg_type == PACKET_AUXDATA) {
            memcpy(&aux, CMSG_DATA(cmsg), sizeof aux);
            if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                /* Frame at 'frame + 4': move its MACs 4 bytes down. */
                memmove(frame, frame + 4, 12);
                put16(frame + 12, (aux.tp_status & TP_STATUS_VLAN_TPID_VALID
                                   ? aux.tp_vlan_tpid : 0x8100));
                put16(frame + 14, aux.tp_vlan_tci);
                *lenp = len + 4;
                return true;
            }
        }
    }
    memmove(frame, frame + 4, len);
    *lenp = len;
    return true;
}

/* Receives from 'fd' until a frame whose source MAC is 'src'.  Returns
 * false at the deadline. */
static bool
raw_recv_from(int fd, const uint8_t src[6], uint8_t *frame, size_t *lenp)
{
    long long int deadline = time_msec() + DEADLINE_MS;

    while (time_msec() < deadline) {
        if (!raw_recv(fd, NULL, frame, lenp)) {
            return false;
        }
        if (*lenp >= 12 && !memcmp(frame + 6, src, 6)) {
            return true;
        }
    }
    return false;
}

/* afpacket tests. */

static void
test_afpacket_exchange(void)
{
    struct netns_pair nsp;
    if (!netns_pair_create(&nsp)) {
        netns_pair_destroy(&nsp);
        return;
    }

    struct emu_endpoint *ep = netns_open_endpoint(&nsp);
    int raw = raw_open(&nsp, nsp.peer_fd, "ept1", false);
    if (ep && raw >= 0) {
        uint8_t frame[200], *got = xmalloc(65536);
        struct emu_endpoint_stats s;
        size_t len;

        /* Promiscuous while open. */
        CU_ASSERT_EQUAL(netns_get_promiscuity(nsp.ep_name, "ept0"), 1);

        /* Into ept1, out of the endpoint. */
        make_frame(frame, 60, mac_peer, 1);
        CU_ASSERT_TRUE(raw_send(raw, NULL, frame, 60));
        struct dp_packet *packet = ep_recv_from(ep, mac_peer);
        CU_ASSERT_TRUE(packet_equals(packet, frame, 60));
        dp_packet_delete(packet);

        /* Into the endpoint, out of ept1. */
        make_frame(frame, sizeof frame, mac_ep, 2);
        packet = packet_from(frame, sizeof frame);
        CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
        dp_packet_delete(packet);
        CU_ASSERT_TRUE(raw_recv_from(raw, mac_ep, got, &len));
        CU_ASSERT_TRUE(len == sizeof frame && !memcmp(got, frame, len));

        /* Frames that others send out of ept0 are not received: the kernel
         * gives packet sockets a copy of them at once, so the frame from
         * ept1 that follows must be the next one. */
        int other = raw_open(&nsp, nsp.ep_fd, "ept0", false);
        CU_ASSERT_TRUE(other >= 0);
        if (other >= 0) {
            make_frame(frame, 70, mac_peer, 3);
            CU_ASSERT_TRUE(raw_send(other, NULL, frame, 70));
            close(other);
        }
        make_frame(frame, 80, mac_peer, 4);
        CU_ASSERT_TRUE(raw_send(raw, NULL, frame, 80));
        packet = ep_recv_wait(ep);
        CU_ASSERT_TRUE(packet_equals(packet, frame, 80));
        dp_packet_delete(packet);

        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_packets, 2);
        CU_ASSERT_EQUAL(s.rx_errors, 0);
        CU_ASSERT_EQUAL(s.tx_packets, 1);
        CU_ASSERT_EQUAL(s.tx_bytes, sizeof frame);
        CU_ASSERT_EQUAL(s.tx_dropped, 0);

        /* Too long for the MTU: refused by the kernel, counted. */
        uint8_t *big = xzalloc(3000);
        make_frame(big, 3000, mac_ep, 3);
        packet = packet_from(big, 3000);
        CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), EMSGSIZE);
        dp_packet_delete(packet);
        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.tx_dropped, 1);
        free(big);

        emu_endpoint_close(ep);
        ep = NULL;
        CU_ASSERT_EQUAL(netns_get_promiscuity(nsp.ep_name, "ept0"), 0);
        free(got);
    }

    emu_endpoint_close(ep);
    if (raw >= 0) {
        close(raw);
    }
    netns_pair_destroy(&nsp);
}

/* Builds a frame from 'src' with the VLAN tags 'tags' ('n_tags' TPID, TCI
 * pairs), then TEST_ETH_TYPE, 'len' bytes in all. */
static void
make_tagged_frame(uint8_t *frame, size_t len, const uint8_t src[6],
                  const uint16_t *tags, size_t n_tags, uint32_t seq)
{
    make_frame(frame, len, src, seq);
    size_t ofs = 12;
    for (size_t i = 0; i < n_tags; i++) {
        put16(frame + ofs, tags[2 * i]);
        put16(frame + ofs + 2, tags[2 * i + 1]);
        ofs += 4;
    }
    put16(frame + ofs, TEST_ETH_TYPE);
}

/* VLAN tags, which the kernel takes out of received frames, come out of the
 * endpoint where they were, every TCI bit kept; tagged frames sent by the
 * endpoint arrive tagged. */
static void
test_afpacket_vlan(void)
{
    static const uint16_t dot1q[] = { 0x8100, 0xb064 };  /* PCP 5, DEI. */
    static const uint16_t qinq[] = { 0x88a8, 0x0123, 0x8100, 0x0456 };
    static const uint16_t prio[] = { 0x8100, 0x6000 };   /* VID 0. */
    static const struct {
        const uint16_t *tags;
        size_t n_tags;
    } cases[] = {
        { dot1q, 1 },
        { qinq, 2 },
        { prio, 1 },
    };
    struct netns_pair nsp;

    if (!netns_pair_create(&nsp)) {
        netns_pair_destroy(&nsp);
        return;
    }

    struct emu_endpoint *ep = netns_open_endpoint(&nsp);
    int raw = raw_open(&nsp, nsp.peer_fd, "ept1", false);
    if (ep && raw >= 0) {
        uint8_t frame[300], *got = xmalloc(65536);
        size_t len;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
            make_tagged_frame(frame, 80 + i, mac_peer, cases[i].tags,
                              cases[i].n_tags, i);
            CU_ASSERT_TRUE(raw_send(raw, NULL, frame, 80 + i));
            struct dp_packet *packet = ep_recv_from(ep, mac_peer);
            CU_ASSERT_TRUE(packet_equals(packet, frame, 80 + i));
            dp_packet_delete(packet);

            make_tagged_frame(frame, 90 + i, mac_ep, cases[i].tags,
                              cases[i].n_tags, i);
            packet = packet_from(frame, 90 + i);
            CU_ASSERT_EQUAL(emu_endpoint_send(ep, packet), 0);
            dp_packet_delete(packet);
            CU_ASSERT_TRUE(raw_recv_from(raw, mac_ep, got, &len));
            CU_ASSERT_TRUE(len == 90 + i && !memcmp(got, frame, len));
        }

        /* A full-sized tagged frame (1500-byte payload). */
        uint8_t *big = xmalloc(1518);
        make_tagged_frame(big, 1518, mac_peer, dot1q, 1, 9);
        CU_ASSERT_TRUE(raw_send(raw, NULL, big, 1518));
        struct dp_packet *packet = ep_recv_from(ep, mac_peer);
        CU_ASSERT_TRUE(packet_equals(packet, big, 1518));
        dp_packet_delete(packet);
        free(big);

        struct emu_endpoint_stats s;
        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_errors, 0);
        free(got);
    }

    emu_endpoint_close(ep);
    if (raw >= 0) {
        close(raw);
    }
    netns_pair_destroy(&nsp);
}

/* Sends 'f' into ept1 as a local sender with checksum offload would
 * (CHECKSUM_PARTIAL: the L4 checksum field holds the pseudo-header sum),
 * and checks that the endpoint gives it with its checksum complete and
 * every other byte as sent. */
static void
check_partial_csum(struct emu_endpoint *ep, int raw_vnet,
                   struct ip_frame *f)
{
    uint8_t *csum_field = f->data + f->l4 + f->csum_offset;
    put16(csum_field, ref_fold(ref_pseudo_sum(f->data, f->len, f->l3, f->l4,
                                              f->ipv6, f->proto)));

    struct virtio_net_hdr vnet = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
        .gso_type = VIRTIO_NET_HDR_GSO_NONE,
        .csum_start = f->l4,
        .csum_offset = f->csum_offset,
    };
    CU_ASSERT_TRUE(raw_send(raw_vnet, &vnet, f->data, f->len));

    struct dp_packet *packet = ep_recv_from(ep, mac_peer);
    CU_ASSERT_PTR_NOT_NULL(packet);
    if (!packet) {
        return;
    }
    uint8_t *got = dp_packet_data(packet);
    CU_ASSERT_EQUAL(dp_packet_size(packet), f->len);
    if (dp_packet_size(packet) == f->len) {
        CU_ASSERT_TRUE(ref_l4_csum_ok(got, f->len, f->l3, f->l4, f->ipv6,
                                      f->proto));
        /* The rest as sent. */
        size_t field = f->l4 + f->csum_offset;
        CU_ASSERT_EQUAL(memcmp(got, f->data, field), 0);
        CU_ASSERT_EQUAL(memcmp(got + field + 2, f->data + field + 2,
                               f->len - field - 2), 0);
    }
    dp_packet_delete(packet);
}

/* Frames whose checksum the sender left to offload (CHECKSUM_PARTIAL, as a
 * veth gives them) come out of the endpoint with their checksum right. */
static void
test_afpacket_partial_csum(void)
{
    struct netns_pair nsp;

    if (!netns_pair_create(&nsp)) {
        netns_pair_destroy(&nsp);
        return;
    }

    struct emu_endpoint *ep = netns_open_endpoint(&nsp);
    int raw = raw_open(&nsp, nsp.peer_fd, "ept1", true);
    if (ep && raw >= 0) {
        struct ip_frame *f = xmalloc(sizeof *f);

        ip_frame_build(f, 0, 0, false, IPPROTO_UDP, 0, 37);
        check_partial_csum(ep, raw, f);

        ip_frame_build(f, 0, 0, false, IPPROTO_TCP, 32, 200);
        check_partial_csum(ep, raw, f);

        ip_frame_build(f, 0, 0, true, IPPROTO_TCP, 20, 1001);
        check_partial_csum(ep, raw, f);

        ip_frame_build(f, 0, 0, true, IPPROTO_UDP, 0, 0);
        check_partial_csum(ep, raw, f);

        /* Tagged: the kernel takes the tag out, the endpoint puts it back
         * and completes the checksum where it belongs. */
        ip_frame_build(f, 0x8100, 0x0007, false, IPPROTO_UDP, 0, 100);
        check_partial_csum(ep, raw, f);

        struct emu_endpoint_stats s;
        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_errors, 0);
        free(f);
    }

    emu_endpoint_close(ep);
    if (raw >= 0) {
        close(raw);
    }
    netns_pair_destroy(&nsp);
}

/* Creates a socket of 'type' in the namespace 'ns_fd'. */
static int
netns_socket(const struct netns_pair *nsp, int ns_fd, int type)
{
    netns_enter(ns_fd);
    int fd = socket(AF_INET, type, 0);
    netns_enter(nsp->orig_fd);
    return fd;
}

static struct sockaddr_in
make_sin(uint32_t addr, uint16_t port)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(addr),
    };
    return sin;
}

/* Checks the IPv4 header of the IPv4 'frame' (IP header at 'l3'): version,
 * checksum, total length. */
static bool
ipv4_header_ok(const uint8_t *frame, size_t len, size_t l3)
{
    const uint8_t *ip = frame + l3;
    return (len >= l3 + 20 && ip[0] == 0x45
            && ref_fold(ref_sum(0, ip, 20)) == 0xffff
            && get16(ip + 2) == len - l3);
}

/* A UDP GSO send (UDP_SEGMENT) into ept1 reaches ept0 as one 4.5 kB frame
 * (checked with a packet socket of this test's own); the endpoint gives
 * the datagrams it stands for. */
static void
test_afpacket_udp_gso(void)
{
    enum { SEG = 1000, TOTAL = 4500, PORT = 4000 };
    struct netns_pair nsp;

    if (!netns_pair_create(&nsp)) {
        netns_pair_destroy(&nsp);
        return;
    }
    bool ok = (run_command("ip -n %s addr add 10.99.0.2/24 dev ept1",
                           nsp.peer_name)
               && run_command("ip -n %s neigh add 10.99.0.1 lladdr "
                              "02:e5:00:00:00:02 dev ept1 nud permanent",
                              nsp.peer_name));
    CU_ASSERT_TRUE(ok);

    struct emu_endpoint *ep = netns_open_endpoint(&nsp);
    int observer = raw_open(&nsp, nsp.ep_fd, "ept0", true);
    int udp = netns_socket(&nsp, nsp.peer_fd, SOCK_DGRAM);
    if (ok && ep && observer >= 0 && udp >= 0) {
        uint8_t *payload = xmalloc(TOTAL), *got = xmalloc(65536);
        int gso_size = SEG;

        for (size_t i = 0; i < TOTAL; i++) {
            payload[i] = i * 7 + i / 251;
        }
        struct sockaddr_in dst = make_sin(0x0a630001, PORT);
        CU_ASSERT_EQUAL(setsockopt(udp, SOL_UDP, UDP_SEGMENT,
                                   &gso_size, sizeof gso_size), 0);
        CU_ASSERT_EQUAL(sendto(udp, payload, TOTAL, 0,
                               (struct sockaddr *) &dst, sizeof dst), TOTAL);

        /* What the kernel gave: one GSO frame. */
        struct virtio_net_hdr vnet;
        size_t len;
        CU_ASSERT_TRUE(raw_recv(observer, &vnet, got, &len));
        CU_ASSERT_EQUAL(vnet.gso_type, 5 /* VIRTIO_NET_HDR_GSO_UDP_L4 */);
        CU_ASSERT_EQUAL(vnet.gso_size, SEG);
        CU_ASSERT_EQUAL(len, 14 + 20 + 8 + TOTAL);

        /* What the endpoint gives: the datagrams. */
        size_t n_segs = 0, received = 0;
        uint16_t first_id = 0;
        while (received < TOTAL) {
            struct dp_packet *packet = ep_recv_from(ep, mac_peer);
            if (!packet) {
                break;
            }

            const uint8_t *p = dp_packet_data(packet);
            size_t plen = dp_packet_size(packet);
            size_t want = MIN(SEG, TOTAL - received);
            CU_ASSERT_EQUAL(plen, 14 + 20 + 8 + want);
            if (plen == 14 + 20 + 8 + want) {
                CU_ASSERT_TRUE(ipv4_header_ok(p, plen, 14));
                if (!n_segs) {
                    first_id = get16(p + 18);
                }
                CU_ASSERT_EQUAL(get16(p + 18), (uint16_t) (first_id + n_segs));
                CU_ASSERT_EQUAL(p[23], IPPROTO_UDP);
                CU_ASSERT_EQUAL(get16(p + 36), PORT);
                CU_ASSERT_EQUAL(get16(p + 38), 8 + want);
                CU_ASSERT_TRUE(ref_l4_csum_ok(p, plen, 14, 34, false,
                                              IPPROTO_UDP));
                CU_ASSERT_EQUAL(memcmp(p + 42, payload + received, want), 0);
            }
            received += want;
            n_segs++;
            dp_packet_delete(packet);
        }
        CU_ASSERT_EQUAL(n_segs, (TOTAL + SEG - 1) / SEG);
        CU_ASSERT_EQUAL(received, TOTAL);

        struct emu_endpoint_stats s;
        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_errors, 0);
        free(payload);
        free(got);
    }

    emu_endpoint_close(ep);
    if (observer >= 0) {
        close(observer);
    }
    if (udp >= 0) {
        close(udp);
    }
    netns_pair_destroy(&nsp);
}

/* A TCP connection from the peer namespace to the endpoint's: the frames
 * that the endpoint gives carry the whole byte stream, each at most the
 * MTU, with checksums right, although the kernel gave big GSO frames
 * (checked with a packet socket of this test's own). */
static void
test_afpacket_tcp_gso(void)
{
    enum { TOTAL = 30000, PORT = 4001 };
    struct netns_pair nsp;

    if (!netns_pair_create(&nsp)) {
        netns_pair_destroy(&nsp);
        return;
    }
    bool ok = (run_command("ip -n %s addr add 10.99.0.2/24 dev ept1",
                           nsp.peer_name)
               && run_command("ip -n %s addr add 10.99.0.1/24 dev ept0",
                              nsp.ep_name));
    CU_ASSERT_TRUE(ok);

    struct emu_endpoint *ep = netns_open_endpoint(&nsp);
    int observer = raw_open(&nsp, nsp.ep_fd, "ept0", true);
    int server = netns_socket(&nsp, nsp.ep_fd, SOCK_STREAM);
    int client = netns_socket(&nsp, nsp.peer_fd, SOCK_STREAM);
    struct sockaddr_in addr = make_sin(0x0a630001, PORT);
    if (ok && ep && observer >= 0 && server >= 0 && client >= 0
        && !bind(server, (struct sockaddr *) &addr, sizeof addr)
        && !listen(server, 1)
        && !connect(client, (struct sockaddr *) &addr, sizeof addr)) {
        uint8_t *data = xmalloc(TOTAL), *got = xmalloc(65536);
        uint8_t *stream = xzalloc(TOTAL), *covered = xzalloc(TOTAL);

        for (size_t i = 0; i < TOTAL; i++) {
            data[i] = i * 11 + i / 509;
        }
        int conn = accept(server, NULL, NULL);
        CU_ASSERT_TRUE(conn >= 0);
        CU_ASSERT_EQUAL(write(client, data, TOTAL), TOTAL);
        size_t n_read = 0;
        while (n_read < TOTAL) {
            ssize_t retval = read(conn, got, 65536);
            if (retval <= 0) {
                break;
            }
            n_read += retval;
        }
        CU_ASSERT_EQUAL(n_read, TOTAL);
        close(conn);

        /* What the kernel gave: GSO frames among them. */
        size_t n_gso = 0, len;
        struct virtio_net_hdr vnet;
        while (fd_wait_readable(observer, time_msec() + 100)
               && raw_recv(observer, &vnet, got, &len)) {
            n_gso += vnet.gso_type == VIRTIO_NET_HDR_GSO_TCPV4;
        }
        CU_ASSERT_TRUE(n_gso > 0);

        /* What the endpoint gives: every byte, in frames of at most 1514
         * bytes with right checksums. */
        uint32_t isn = 0;
        bool have_isn = false;
        size_t n_frames = 0, n_bad = 0;
        for (;;) {
            struct dp_packet *packet;
            if (emu_endpoint_recv(ep, &packet)) {
                break;
            }

            const uint8_t *p = dp_packet_data(packet);
            size_t plen = dp_packet_size(packet);
            if (plen >= 54 && !memcmp(p + 6, mac_peer, 6)
                && get16(p + 12) == 0x0800 && p[23] == IPPROTO_TCP) {
                size_t l4 = 14 + 20, doff = (p[l4 + 12] >> 4) * 4;
                size_t payload_len = plen - l4 - doff;
                uint32_t seq = get32(p + l4 + 4);

                if (plen > 1514 || !ipv4_header_ok(p, plen, 14)
                    || !ref_l4_csum_ok(p, plen, 14, l4, false,
                                       IPPROTO_TCP)) {
                    n_bad++;
                }
                if (p[l4 + 13] & 0x02) {
                    isn = seq;
                    have_isn = true;
                } else if (have_isn && payload_len) {
                    size_t ofs = seq - isn - 1;
                    if (ofs + payload_len <= TOTAL) {
                        memcpy(stream + ofs, p + l4 + doff, payload_len);
                        memset(covered + ofs, 1, payload_len);
                    } else {
                        n_bad++;
                    }
                }
                n_frames++;
            }
            dp_packet_delete(packet);
        }
        CU_ASSERT_TRUE(have_isn);
        CU_ASSERT_EQUAL(n_bad, 0);
        CU_ASSERT_TRUE(n_frames >= TOTAL / 1460);
        CU_ASSERT_EQUAL(memchr(covered, 0, TOTAL), NULL);
        CU_ASSERT_EQUAL(memcmp(stream, data, TOTAL), 0);

        struct emu_endpoint_stats s;
        ep_get_stats(ep, &s);
        CU_ASSERT_EQUAL(s.rx_errors, 0);
        free(data);
        free(got);
        free(stream);
        free(covered);
    } else {
        CU_FAIL("cannot set up the TCP connection");
    }

    emu_endpoint_close(ep);
    int fds[] = { observer, server, client };
    for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
    netns_pair_destroy(&nsp);
}

/* Suite. */

static struct {
    const char *module;
    enum vlog_level level;
} quiet_modules[] = {
    { "emu_endpoint", VLL_OFF },
    { "emu_endpoint_stream", VLL_OFF },
    { "emu_endpoint_afpacket", VLL_OFF },
    { "reconnect", VLL_OFF },
    { "stream_unix", VLL_OFF },
    { "socket_util", VLL_OFF },
    { "fatal_signal", VLL_OFF },
};

/* Silences the expected warnings of these tests (bad framing, reconnection
 * attempts) on the console, and creates a directory for their sockets. */
static int
suite_init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(quiet_modules); i++) {
        struct vlog_module *module
            = vlog_module_from_name(quiet_modules[i].module);
        if (module) {
            quiet_modules[i].level = vlog_get_level(module, VLF_CONSOLE);
            vlog_set_levels(module, VLF_CONSOLE, VLL_OFF);
        }
    }

    ovs_strlcpy(tmp_dir, "/tmp/esw-endpoint-XXXXXX", sizeof tmp_dir);
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static int
suite_cleanup(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(quiet_modules); i++) {
        struct vlog_module *module
            = vlog_module_from_name(quiet_modules[i].module);
        if (module) {
            vlog_set_levels(module, VLF_CONSOLE, quiet_modules[i].level);
        }
    }
    return rmdir(tmp_dir) ? -1 : 0;
}

CU_pSuite
test_emu_endpoint_suite(void)
{
    CU_pSuite suite = CU_add_suite("emu-endpoint", suite_init,
                                   suite_cleanup);

    if (!suite
        || !CU_add_test(suite, "punix exchange", test_punix_exchange)
        || !CU_add_test(suite, "punix framing across writes",
                        test_punix_framing)
        || !CU_add_test(suite, "punix stream of frames",
                        test_punix_stream_of_frames)
        || !CU_add_test(suite, "punix bad framing", test_punix_bad_framing)
        || !CU_add_test(suite, "punix new peer replaces old",
                        test_punix_replace)
        || !CU_add_test(suite, "send errors", test_send_errors)
        || !CU_add_test(suite, "punix bounded transmit queue",
                        test_punix_tx_bounded)
        || !CU_add_test(suite, "unix reconnects", test_unix_reconnect)
        || !CU_add_test(suite, "bad specs", test_bad_specs)
        || !CU_add_test(suite, "afpacket exchange", test_afpacket_exchange)
        || !CU_add_test(suite, "afpacket VLAN tags", test_afpacket_vlan)
        || !CU_add_test(suite, "afpacket partial checksums",
                        test_afpacket_partial_csum)
        || !CU_add_test(suite, "afpacket UDP GSO", test_afpacket_udp_gso)
        || !CU_add_test(suite, "afpacket TCP GSO", test_afpacket_tcp_gso)) {
        return NULL;
    }
    return suite;
}
