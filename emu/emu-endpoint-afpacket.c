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

/* The "afpacket:" endpoint: an AF_PACKET socket bound to a Linux netdev.
 *
 * The socket gives frames as the kernel holds them, which is not always as
 * they were on the wire, and this file undoes the difference:
 *
 *   - The kernel moves a frame's outer VLAN tag out of the frame (into
 *     skb->vlan_tci) on receive.  PACKET_AUXDATA reports it (tp_vlan_tci,
 *     tp_vlan_tpid) and it is put back after the MAC addresses.
 *
 *   - A frame from a local sender through a veth carries CHECKSUM_PARTIAL:
 *     its L4 checksum field holds only the pseudo-header sum, the rest was
 *     left to a NIC that does not exist.  PACKET_VNET_HDR reports that
 *     (VIRTIO_NET_HDR_F_NEEDS_CSUM) with the exact place of the sum
 *     (csum_start, csum_offset), which PACKET_AUXDATA's
 *     TP_STATUS_CSUMNOTREADY does not give; the checksum is completed as
 *     the kernel's skb_checksum_help() would (an Internet checksum from
 *     csum_start to the end, 0 sent as 0xffff; CRC32c for SCTP).
 *
 *   - A TCP or UDP GSO frame (up to 64 kB, from a local sender through a
 *     veth, or merged by GRO) comes whole, with its segment size in the
 *     vnet header.  It is split into its segments as the kernel's
 *     tcp_gso_segment() and __udp_gso_segment() do: each gets the headers
 *     of the frame with its own IPv4 total length, ID (incremented) and
 *     header checksum or IPv6 payload length, TCP sequence number (FIN
 *     and PSH only on the last segment, CWR only on the first) or UDP
 *     length, and a complete L4 checksum.  The offsets of the headers are
 *     taken from the frame itself, not from the vnet header.
 *
 * The vnet header also precedes every frame sent; it is all zeros (no
 * offload asked). */

#include <config.h>

#include "emu-endpoint.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>

#include "coverage.h"
#include "crc32c.h"
#include "csum.h"
#include "dp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_endpoint_afpacket);

COVERAGE_DEFINE(emu_endpoint_csum_completed);
COVERAGE_DEFINE(emu_endpoint_gso_segmented);
COVERAGE_DEFINE(emu_endpoint_vlan_restored);

/* Linux 4.18+; not in every <linux/virtio_net.h>. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* The receive buffer: the longest GSO frame that a netdev makes by default
 * (64 kB, its gso_max_size) with its Ethernet header.  A longer frame
 * (BIG TCP) is truncated, and counted as a receive error. */
#define RXBUF_SIZE (65536 + 256)

/* TCP flags in byte 13 of the TCP header. */
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_CWR 0x80

struct endpoint_afpacket {
    struct emu_endpoint up;
    int fd;                     /* AF_PACKET socket. */
    int ifindex;                /* Of the netdev it is bound to. */
    uint8_t *rxbuf;             /* RXBUF_SIZE bytes. */

    /* Frames received and not returned yet: the segments of a GSO frame,
     * pending[next_pending, n_pending). */
    struct dp_packet **pending;
    size_t next_pending;
    size_t n_pending;
    size_t allocated_pending;
};

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

static struct endpoint_afpacket *
endpoint_afpacket_cast(const struct emu_endpoint *ep)
{
    ovs_assert(ep->class == &emu_endpoint_afpacket_class);
    return CONTAINER_OF(ep, struct endpoint_afpacket, up);
}

/* Network byte order fields at any alignment. */

static uint16_t
get_be16_at(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
put_be16_at(uint8_t *p, uint16_t value)
{
    p[0] = value >> 8;
    p[1] = value;
}

static uint32_t
get_be32_at(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void
put_be32_at(uint8_t *p, uint32_t value)
{
    put_be16_at(p, value >> 16);
    put_be16_at(p + 2, value);
}

/* Headers. */

/* Where the IP and L4 headers of a frame are. */
struct frame_layout {
    size_t l3_ofs;              /* IPv4 or IPv6 header, after every VLAN
                                 * tag in the frame. */
    size_t l4_ofs;              /* After the IPv4 header or the IPv6 header
                                 * and its hop-by-hop, routing and
                                 * destination options headers. */
    uint8_t l4_proto;
    bool ipv6;
};

/* Finds the IP header and the L4 header of the 'len'-byte 'frame'.
 * Returns false if it is not IPv4 or IPv6, if a header is truncated, or if
 * it is an IPv4 fragment. */
static bool
frame_parse(const uint8_t *frame, size_t len, struct frame_layout *layout)
{
    size_t ofs = 2 * ETH_ADDR_LEN;
    uint16_t type;

    for (;;) {
        if (len < ofs + 2) {
            return false;
        }
        type = get_be16_at(&frame[ofs]);
        ofs += 2;
        if (type != ETH_TYPE_VLAN_8021Q && type != ETH_TYPE_VLAN_8021AD) {
            break;
        }
        ofs += 2;               /* TCI. */
    }
    layout->l3_ofs = ofs;

    if (type == ETH_TYPE_IP) {
        const uint8_t *ip = &frame[ofs];
        if (len - ofs < IP_HEADER_LEN) {
            return false;
        }

        size_t ihl = (ip[0] & 0x0f) * 4;
        if (ip[0] >> 4 != 4 || ihl < IP_HEADER_LEN || len - ofs < ihl
            || (get_be16_at(&ip[6]) & 0x3fff)) {
            return false;
        }
        layout->ipv6 = false;
        layout->l4_proto = ip[9];
        layout->l4_ofs = ofs + ihl;
        return true;
    } else if (type == ETH_TYPE_IPV6) {
        const uint8_t *ip6 = &frame[ofs];
        if (len - ofs < IPV6_HEADER_LEN || ip6[0] >> 4 != 6) {
            return false;
        }

        uint8_t next = ip6[6];
        ofs += IPV6_HEADER_LEN;
        while (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING
               || next == IPPROTO_DSTOPTS) {
            if (len - ofs < 8 || len - ofs < (frame[ofs + 1] + 1) * 8) {
                return false;
            }
            next = frame[ofs];
            ofs += (frame[ofs + 1] + 1) * 8;
        }
        layout->ipv6 = true;
        layout->l4_proto = next;
        layout->l4_ofs = ofs;
        return true;
    }
    return false;
}

/* Returns the sum of the pseudo-header of an L4 header of 'l4_len' bytes
 * in 'frame', laid out as 'layout' says. */
static uint32_t
pseudo_header_sum(const uint8_t *frame, const struct frame_layout *layout,
                  size_t l4_len)
{
    const uint8_t *l3 = &frame[layout->l3_ofs];
    uint32_t sum = (layout->ipv6
                    ? csum_continue(0, &l3[8], 2 * sizeof(struct in6_addr))
                    : csum_continue(0, &l3[12], 2 * sizeof(ovs_be32)));

    sum = csum_add16(sum, htons(layout->l4_proto));
    return csum_add32(sum, htonl(l4_len));
}

/* Checksum completion. */

/* Completes the checksum of the 'len'-byte 'frame', whose L4 checksum field
 * at 'csum_start' + 'csum_offset' holds the pseudo-header sum of a
 * checksum that covers 'csum_start' to the end.  Returns NULL, or why it
 * cannot be done. */
static const char *
frame_complete_csum(uint8_t *frame, size_t len, size_t csum_start,
                    size_t csum_offset)
{
    if (csum_start >= len || len - csum_start < csum_offset + 2) {
        return "its checksum offsets are out of the frame";
    }

    struct frame_layout layout;
    if (frame_parse(frame, len, &layout)
        && layout.l4_ofs == csum_start
        && layout.l4_proto == IPPROTO_SCTP
        && csum_offset == 8 && len - csum_start >= SCTP_HEADER_LEN) {
        /* SCTP's CRC32c, which the kernel also offloads as a partial
         * checksum. */
        uint8_t *sctp = &frame[csum_start];
        ovs_be32 crc;

        memset(&sctp[8], 0, sizeof crc);
        crc = crc32c(sctp, len - csum_start);
        memcpy(&sctp[8], &crc, sizeof crc);
    } else {
        ovs_be16 sum = csum_finish(csum_continue(0, &frame[csum_start],
                                                 len - csum_start));
        if (!sum) {
            sum = htons(0xffff);
        }
        memcpy(&frame[csum_start + csum_offset], &sum, sizeof sum);
    }
    COVERAGE_INC(emu_endpoint_csum_completed);
    return NULL;
}

/* Received frames. */

static void
endpoint_afpacket_push_pending(struct endpoint_afpacket *epa,
                               struct dp_packet *packet)
{
    if (epa->n_pending >= epa->allocated_pending) {
        epa->pending = x2nrealloc(epa->pending, &epa->allocated_pending,
                                  sizeof *epa->pending);
    }
    epa->pending[epa->n_pending++] = packet;
}

/* Writes the segments of the 'len'-byte GSO 'frame', which 'vnet'
 * describes, to the pending frames.  'tag_len' bytes are to be added to
 * each.  Returns NULL, or why the frame cannot be segmented (and then
 * writes nothing). */
static const char *
endpoint_afpacket_segment(struct endpoint_afpacket *epa, const uint8_t *frame,
                          size_t len, const struct virtio_net_hdr *vnet,
                          size_t tag_len)
{
    struct frame_layout layout;
    if (!frame_parse(frame, len, &layout)) {
        return "it is a GSO frame without an IPv4 or IPv6 header";
    }

    switch (vnet->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
        if (layout.ipv6 || layout.l4_proto != IPPROTO_TCP) {
            return "it is a TCPv4 GSO frame that is not TCP over IPv4";
        }
        break;

    case VIRTIO_NET_HDR_GSO_TCPV6:
        if (!layout.ipv6 || layout.l4_proto != IPPROTO_TCP) {
            return "it is a TCPv6 GSO frame that is not TCP over IPv6";
        }
        break;

    case VIRTIO_NET_HDR_GSO_UDP_L4:
        if (layout.l4_proto != IPPROTO_UDP) {
            return "it is a UDP GSO frame that is not UDP";
        }
        break;

    default:
        return "its GSO type is not supported";
    }

    bool tcp = layout.l4_proto == IPPROTO_TCP;
    size_t l4_hdr_len = UDP_HEADER_LEN;
    if (tcp) {
        if (len - layout.l4_ofs < TCP_HEADER_LEN) {
            return "its TCP header is truncated";
        }
        l4_hdr_len = (frame[layout.l4_ofs + 12] >> 4) * 4;
        if (l4_hdr_len < TCP_HEADER_LEN) {
            return "its TCP header is too short";
        }
    }
    if (len - layout.l4_ofs < l4_hdr_len) {
        return "its L4 header is truncated";
    }

    size_t hdr_len = layout.l4_ofs + l4_hdr_len;
    size_t payload_len = len - hdr_len;
    size_t mss = vnet->gso_size;
    if (!mss || !payload_len) {
        return "it is a GSO frame without segment size or payload";
    }
    if (hdr_len + MIN(mss, payload_len) + tag_len > EMU_ENDPOINT_MAX_FRAME) {
        return "its segments would be too long";
    }

    size_t csum_ofs = layout.l4_ofs + (tcp ? 16 : 6);
    uint16_t ip_id = layout.ipv6 ? 0 : get_be16_at(&frame[layout.l3_ofs + 4]);
    uint32_t seq = tcp ? get_be32_at(&frame[layout.l4_ofs + 4]) : 0;

    for (size_t ofs = 0, i = 0; ofs < payload_len; ofs += mss, i++) {
        size_t seg_payload_len = MIN(mss, payload_len - ofs);
        size_t seg_len = hdr_len + seg_payload_len;
        size_t l4_len = seg_len - layout.l4_ofs;

        struct dp_packet *seg = dp_packet_new_with_headroom(
            seg_len, EMU_ENDPOINT_HEADROOM);
        dp_packet_put(seg, frame, hdr_len);
        dp_packet_put(seg, &frame[hdr_len + ofs], seg_payload_len);

        uint8_t *s = dp_packet_data(seg);
        uint8_t *l3 = &s[layout.l3_ofs];
        uint8_t *l4 = &s[layout.l4_ofs];
        if (layout.ipv6) {
            put_be16_at(&l3[4], seg_len - layout.l3_ofs - IPV6_HEADER_LEN);
        } else {
            size_t ihl = (l3[0] & 0x0f) * 4;
            ovs_be16 ip_csum;

            put_be16_at(&l3[2], seg_len - layout.l3_ofs);
            put_be16_at(&l3[4], ip_id + i);
            put_be16_at(&l3[10], 0);
            ip_csum = csum(l3, ihl);
            memcpy(&l3[10], &ip_csum, sizeof ip_csum);
        }

        if (tcp) {
            put_be32_at(&l4[4], seq + ofs);
            if (ofs + seg_payload_len < payload_len) {
                l4[13] &= ~(TCP_FLAG_FIN | TCP_FLAG_PSH);
            }
            if (ofs) {
                l4[13] &= ~TCP_FLAG_CWR;
            }
        } else {
            put_be16_at(&l4[4], l4_len);
        }

        put_be16_at(&s[csum_ofs], 0);
        ovs_be16 l4_csum = csum_finish(
            csum_continue(pseudo_header_sum(s, &layout, l4_len), l4, l4_len));
        if (!l4_csum && !tcp) {
            l4_csum = htons(0xffff);
        }
        memcpy(&s[csum_ofs], &l4_csum, sizeof l4_csum);

        endpoint_afpacket_push_pending(epa, seg);
    }
    COVERAGE_INC(emu_endpoint_gso_segmented);
    return NULL;
}

/* Inserts an outer VLAN tag with 'tpid' and 'tci' (host byte order) after
 * the MAC addresses of 'packet', TCI bits (DEI included) as they are. */
static void
packet_insert_vlan_tag(struct dp_packet *packet, uint16_t tpid, uint16_t tci)
{
    uint8_t *eth = dp_packet_push_uninit(packet, VLAN_HEADER_LEN);

    memmove(eth, &eth[VLAN_HEADER_LEN], 2 * ETH_ADDR_LEN);
    put_be16_at(&eth[2 * ETH_ADDR_LEN], tpid);
    put_be16_at(&eth[2 * ETH_ADDR_LEN + 2], tci);
}

/* Turns the 'len'-byte 'frame' that the socket gave, with its vnet header
 * and auxiliary data ('aux' may be NULL), into whole frames on the pending
 * list.  Returns NULL, or why the frame is dropped (and then adds nothing
 * to the list). */
static const char *
endpoint_afpacket_rx_frame(struct endpoint_afpacket *epa, uint8_t *frame,
                           size_t len, const struct virtio_net_hdr *vnet,
                           const struct tpacket_auxdata *aux)
{
    bool tagged = aux && (aux->tp_status & TP_STATUS_VLAN_VALID);
    size_t tag_len = tagged ? VLAN_HEADER_LEN : 0;
    size_t first = epa->n_pending;

    if (len < ETH_HEADER_LEN) {
        return "it is shorter than an Ethernet header";
    }

    if (vnet->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
        const char *reason = endpoint_afpacket_segment(epa, frame, len, vnet,
                                                       tag_len);
        if (reason) {
            return reason;
        }
    } else {
        if (len + tag_len > EMU_ENDPOINT_MAX_FRAME) {
            return "it is too long";
        }
        if (vnet->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
            const char *reason = frame_complete_csum(frame, len,
                                                     vnet->csum_start,
                                                     vnet->csum_offset);
            if (reason) {
                return reason;
            }
        }
        endpoint_afpacket_push_pending(
            epa, dp_packet_clone_data_with_headroom(frame, len,
                                                    EMU_ENDPOINT_HEADROOM));
    }

    if (tagged) {
        uint16_t tpid = ((aux->tp_status & TP_STATUS_VLAN_TPID_VALID)
                         && aux->tp_vlan_tpid
                         ? aux->tp_vlan_tpid : ETH_TYPE_VLAN_8021Q);

        for (size_t i = first; i < epa->n_pending; i++) {
            packet_insert_vlan_tag(epa->pending[i], tpid, aux->tp_vlan_tci);
        }
        COVERAGE_INC(emu_endpoint_vlan_restored);
    }
    return NULL;
}

/* Reads one frame from the socket into the pending list.  Returns 0 if a
 * frame was read (whether it was good or dropped), EAGAIN if there was
 * none to read or reading failed. */
static int
endpoint_afpacket_read(struct endpoint_afpacket *epa)
{
    struct virtio_net_hdr vnet;
    union {
        struct cmsghdr cmsg;
        uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec iov[2] = {
        { .iov_base = &vnet, .iov_len = sizeof vnet },
        { .iov_base = epa->rxbuf, .iov_len = RXBUF_SIZE },
    };
    struct msghdr msg = {
        .msg_iov = iov,
        .msg_iovlen = ARRAY_SIZE(iov),
        .msg_control = &control,
        .msg_controllen = sizeof control,
    };
    ssize_t retval;

    do {
        retval = recvmsg(epa->fd, &msg, MSG_TRUNC | MSG_DONTWAIT);
    } while (retval < 0 && errno == EINTR);

    if (retval < 0) {
        int error = errno;

        if (error == EAGAIN) {
            return EAGAIN;
        } else if (error == EINVAL) {
            /* The kernel dropped a frame that a vnet header cannot
             * describe. */
            epa->up.stats.rx_errors++;
            VLOG_WARN_RL(&rl, "%s: the kernel dropped a frame whose offload "
                         "a vnet header cannot describe (SCTP or tunnel GSO "
                         "from the sender?)", epa->up.spec);
            return 0;
        }
        VLOG_WARN_RL(&rl, "%s: receive failed (%s)",
                     epa->up.spec, ovs_strerror(error));
        return EAGAIN;
    }

    if (retval < sizeof vnet || msg.msg_flags & MSG_TRUNC) {
        epa->up.stats.rx_errors++;
        VLOG_WARN_RL(&rl, "%s: dropping a frame longer than %d bytes",
                     epa->up.spec, RXBUF_SIZE);
        return 0;
    }

    const struct tpacket_auxdata *aux = NULL;
    struct tpacket_auxdata aux_buf;
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg); cmsg;
         cmsg = CMSG_NXTHDR(&msg, cmsg)) {
        if (cmsg->cmsg_level == SOL_PACKET
            && cmsg->cmsg_type == PACKET_AUXDATA
            && cmsg->cmsg_len >= CMSG_LEN(sizeof aux_buf)) {
            memcpy(&aux_buf, CMSG_DATA(cmsg), sizeof aux_buf);
            aux = &aux_buf;
        }
    }

    size_t len = retval - sizeof vnet;
    const char *reason = endpoint_afpacket_rx_frame(epa, epa->rxbuf, len,
                                                    &vnet, aux);
    if (reason) {
        epa->up.stats.rx_errors++;
        VLOG_WARN_RL(&rl, "%s: dropping a received %"PRIuSIZE"-byte frame: "
                     "%s", epa->up.spec, len, reason);
    }
    return 0;
}

static int
endpoint_afpacket_recv(struct emu_endpoint *ep, struct dp_packet **packetp)
{
    struct endpoint_afpacket *epa = endpoint_afpacket_cast(ep);

    for (;;) {
        if (epa->next_pending < epa->n_pending) {
            *packetp = epa->pending[epa->next_pending++];
            if (epa->next_pending == epa->n_pending) {
                epa->next_pending = epa->n_pending = 0;
            }
            return 0;
        }

        if (endpoint_afpacket_read(epa)) {
            return EAGAIN;
        }
    }
}

/* Sending. */

static int
endpoint_afpacket_send(struct emu_endpoint *ep, const void *frame,
                       size_t size)
{
    struct endpoint_afpacket *epa = endpoint_afpacket_cast(ep);
    struct virtio_net_hdr vnet;
    struct iovec iov[2] = {
        { .iov_base = &vnet, .iov_len = sizeof vnet },
        { .iov_base = CONST_CAST(void *, frame), .iov_len = size },
    };
    struct msghdr msg = {
        .msg_iov = iov,
        .msg_iovlen = ARRAY_SIZE(iov),
    };
    ssize_t retval;

    memset(&vnet, 0, sizeof vnet);
    do {
        retval = sendmsg(epa->fd, &msg, MSG_DONTWAIT);
    } while (retval < 0 && errno == EINTR);

    if (retval < 0) {
        int error = errno;

        if (error != EAGAIN && error != ENOBUFS) {
            VLOG_WARN_RL(&rl, "%s: send failed (%s)",
                         ep->spec, ovs_strerror(error));
        }
        return error;
    }

    ep->stats.tx_packets++;
    ep->stats.tx_bytes += size;
    return 0;
}

/* Opening and closing. */

/* Configures 'fd' as the endpoint needs, and binds it to 'ifindex'.
 * Returns 0, or a positive errno value and, in '*whatp', the step that
 * failed. */
static int
afpacket_configure(int fd, int ifindex, const char **whatp)
{
    static const int one = 1;

    *whatp = "PACKET_AUXDATA";
    if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)) {
        return errno;
    }

    *whatp = "PACKET_VNET_HDR";
    if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one)) {
        return errno;
    }

    *whatp = "PACKET_IGNORE_OUTGOING";
    if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING,
                   &one, sizeof one)) {
        return errno;
    }

    /* Binding with a protocol starts receiving, on this netdev only. */
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    *whatp = "bind";
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll)) {
        return errno;
    }

    struct packet_mreq mreq = {
        .mr_ifindex = ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };
    *whatp = "PACKET_ADD_MEMBERSHIP (promiscuous mode)";
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP,
                   &mreq, sizeof mreq)) {
        return errno;
    }
    return 0;
}

/* Finds the netdev 'ifname' with 'fd' and checks that it is an Ethernet
 * device.  Returns 0 and its ifindex in '*ifindexp', or a positive errno
 * value and a message in '*errp'. */
static int
afpacket_lookup(int fd, const char *spec, const char *ifname, int *ifindexp,
                char **errp)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
    if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
        int error = errno;
        *errp = xasprintf("\"%s\": no network device %s (%s)",
                          spec, ifname, ovs_strerror(error));
        return error;
    }
    *ifindexp = ifr.ifr_ifindex;

    if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
        int error = errno;
        *errp = xasprintf("\"%s\": cannot get the link type of %s (%s)",
                          spec, ifname, ovs_strerror(error));
        return error;
    }
    if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
        *errp = xasprintf("\"%s\": %s is not an Ethernet device (link type "
                          "%d)", spec, ifname, ifr.ifr_hwaddr.sa_family);
        return EOPNOTSUPP;
    }
    return 0;
}

static int
endpoint_afpacket_open(const char *spec, const char *ifname,
                       struct emu_endpoint **epp, char **errp)
{
    if (strlen(ifname) >= IFNAMSIZ) {
        *errp = xasprintf("\"%s\": interface name longer than %d bytes",
                          spec, IFNAMSIZ - 1);
        return EINVAL;
    }

    /* Protocol 0: no frame is received before bind(). */
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int error = errno;
        *errp = xasprintf("\"%s\": cannot create a packet socket (%s)%s",
                          spec, ovs_strerror(error),
                          error == EPERM ? ": CAP_NET_RAW is needed" : "");
        return error;
    }

    int ifindex = 0;
    int error = afpacket_lookup(fd, spec, ifname, &ifindex, errp);
    if (!error) {
        const char *what;

        error = afpacket_configure(fd, ifindex, &what);
        if (error) {
            *errp = xasprintf("\"%s\": %s on %s failed (%s)",
                              spec, what, ifname, ovs_strerror(error));
        }
    }
    if (error) {
        close(fd);
        return error;
    }

    struct endpoint_afpacket *epa = xzalloc(sizeof *epa);
    epa->fd = fd;
    epa->ifindex = ifindex;
    epa->rxbuf = xmalloc(RXBUF_SIZE);
    *epp = &epa->up;
    return 0;
}

static void
endpoint_afpacket_close(struct emu_endpoint *ep)
{
    struct endpoint_afpacket *epa = endpoint_afpacket_cast(ep);

    for (size_t i = epa->next_pending; i < epa->n_pending; i++) {
        dp_packet_delete(epa->pending[i]);
    }
    free(epa->pending);
    close(epa->fd);
    free(epa->rxbuf);
    free(epa);
}

/* The rest. */

static void
endpoint_afpacket_run(struct emu_endpoint *ep OVS_UNUSED)
{
}

static void
endpoint_afpacket_wait(struct emu_endpoint *ep)
{
    struct endpoint_afpacket *epa = endpoint_afpacket_cast(ep);

    if (epa->next_pending < epa->n_pending) {
        poll_immediate_wake();
    }
    poll_fd_wait(epa->fd, POLLIN);
}

static bool
endpoint_afpacket_is_connected(const struct emu_endpoint *ep OVS_UNUSED)
{
    return true;
}

static int
endpoint_afpacket_ifindex(const struct emu_endpoint *ep)
{
    return endpoint_afpacket_cast(ep)->ifindex;
}

const struct emu_endpoint_class emu_endpoint_afpacket_class = {
    .type = "afpacket",
    .open = endpoint_afpacket_open,
    .close = endpoint_afpacket_close,
    .recv = endpoint_afpacket_recv,
    .send = endpoint_afpacket_send,
    .run = endpoint_afpacket_run,
    .wait = endpoint_afpacket_wait,
    .is_connected = endpoint_afpacket_is_connected,
    .ifindex = endpoint_afpacket_ifindex,
};
