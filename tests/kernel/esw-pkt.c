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

/* esw-pkt: sends and captures exact Ethernet frames on a Linux netdev, for
 * the kernel tests (tests/kernel/README.rst).
 *
 *   esw-pkt send IFNAME FILE
 *       Sends each frame of FILE ("-": standard input) on IFNAME, in order,
 *       one send() each, through an AF_PACKET SOCK_RAW socket, so that the
 *       frame leaves IFNAME exactly as written (no checksum or VLAN
 *       offload is asked).
 *
 *   esw-pkt capture IFNAME OUTFILE
 *       Writes every frame IFNAME receives (not those it sends) to OUTFILE
 *       as one line of hex, in the order received, until SIGTERM or SIGINT.
 *       The kernel moves a frame's outer VLAN tag out of the frame on
 *       receive; PACKET_AUXDATA reports it and it is put back, so the line
 *       is the frame as it was on the wire.  OUTFILE is created only once
 *       the socket is listening: a script that waits for OUTFILE to exist
 *       misses no frame sent after that.  Each line is flushed as written.
 *
 * Frame files: one frame per line, as hex digits (upper or lower case);
 * white space between digits is ignored; '#' starts a comment that runs to
 * the end of the line; a line with no digits is skipped.
 *
 * Only libc is used (not Open vSwitch's library).  Exit status: 0 on
 * success, 1 on an error (with a message on standard error), 2 on bad
 * usage. */

#include <config.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define EXIT_USAGE 2

/* The largest frame handled: more than any MTU a test uses, and the
 * largest GSO frame a veth may deliver. */
#define MAX_FRAME (64 * 1024 + 64)

/* Bytes of a VLAN tag (TPID and TCI) and where it goes in a frame. */
#define VLAN_TAG_LEN 4
#define VLAN_TAG_OFFSET (2 * ETH_ALEN)

static const char *program_name = "esw-pkt";

static void
usage(void)
{
    printf("%s: sends and captures Ethernet frames on a Linux netdev\n"
           "usage: %s send IFNAME FILE\n"
           "         sends each frame of FILE (\"-\" for standard input),\n"
           "         one hex frame a line ('#' comments allowed), on IFNAME\n"
           "       %s capture IFNAME OUTFILE\n"
           "         writes each frame received on IFNAME to OUTFILE as a\n"
           "         line of hex, VLAN tags included, until SIGTERM/SIGINT;\n"
           "         OUTFILE appears once the capture is listening\n"
           "       %s --help\n",
           program_name, program_name, program_name, program_name);
}

static void usage_error(const char *format, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void fatal(int err_no, const char *format, ...)
    __attribute__((format(printf, 2, 3), noreturn));

static void
usage_error(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, " (use --help)\n");
    exit(EXIT_USAGE);
}

/* Prints an error message, with strerror(err_no) if 'err_no' is nonzero,
 * and exits with status 1. */
static void
fatal(int err_no, const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    if (err_no) {
        fprintf(stderr, ": %s", strerror(err_no));
    }
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

/* Returns the value of hex digit 'c', or -1 if it is not one. */
static int
hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses the frame in 'line' (a line of a frame file, without its end of
 * line) into 'frame' (room for 'max' bytes).  Stores its length in '*lenp'
 * (0 for a line with no frame) and returns NULL, or returns a static
 * string that says what is wrong with the line. */
static const char *
parse_frame_line(const char *line, uint8_t *frame, size_t max, size_t *lenp)
{
    size_t n_digits = 0;

    *lenp = 0;
    for (const char *p = line; *p && *p != '#'; p++) {
        int value = hex_value((unsigned char) *p);

        if (value >= 0) {
            if (n_digits / 2 >= max) {
                return "frame too long";
            }
            if (n_digits % 2) {
                frame[n_digits / 2] |= value;
            } else {
                frame[n_digits / 2] = value << 4;
            }
            n_digits++;
        } else if (!isspace((unsigned char) *p)) {
            return "not a hex digit";
        }
    }
    if (n_digits % 2) {
        return "odd number of hex digits";
    }
    if (n_digits && n_digits / 2 < ETH_HLEN) {
        return "shorter than an Ethernet header (14 bytes)";
    }
    *lenp = n_digits / 2;
    return NULL;
}

/* Returns the ifindex of netdev 'ifname', exiting with an error if there is
 * none. */
static int
lookup_ifindex(const char *ifname)
{
    if (strlen(ifname) >= IFNAMSIZ) {
        usage_error("%s: interface name too long", ifname);
    }

    unsigned int ifindex = if_nametoindex(ifname);
    if (!ifindex) {
        fatal(errno, "%s: no such interface in this network namespace",
              ifname);
    }
    return ifindex;
}

/* Returns an AF_PACKET SOCK_RAW socket bound to 'ifindex' that receives
 * frames of protocol 'protocol' (network byte order; 0 for none), exiting
 * with an error on failure.  The socket is made with protocol 0, so that it
 * gets no frame of another interface before bind(). */
static int
open_packet_socket(const char *ifname, int ifindex, uint16_t protocol)
{
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fatal(errno, "socket(AF_PACKET, SOCK_RAW)");
    }

    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = protocol,
        .sll_ifindex = ifindex,
    };
    if (bind(fd, (struct sockaddr *) &sll, sizeof sll)) {
        fatal(errno, "%s: bind", ifname);
    }
    return fd;
}

static int
do_send(const char *ifname, const char *file_name)
{
    int ifindex = lookup_ifindex(ifname);
    bool is_stdin = !strcmp(file_name, "-");
    FILE *file = is_stdin ? stdin : fopen(file_name, "r");
    if (!file) {
        fatal(errno, "%s: cannot open", file_name);
    }

    int fd = open_packet_socket(ifname, ifindex, 0);
    struct sockaddr_ll dst = {
        .sll_family = AF_PACKET,
        .sll_ifindex = ifindex,
        .sll_halen = ETH_ALEN,
    };
    uint8_t *frame = malloc(MAX_FRAME);
    char *line = NULL;
    size_t line_size = 0;
    unsigned int line_number = 0;
    unsigned int n_sent = 0;

    if (!frame) {
        fatal(ENOMEM, "cannot allocate a frame buffer");
    }
    while (getline(&line, &line_size, file) >= 0) {
        size_t len;
        const char *error;

        line_number++;
        error = parse_frame_line(line, frame, MAX_FRAME, &len);
        if (error) {
            fatal(0, "%s:%u: %s", file_name, line_number, error);
        }
        if (!len) {
            continue;
        }

        memcpy(dst.sll_addr, frame, ETH_ALEN);
        ssize_t retval = sendto(fd, frame, len, 0,
                                (struct sockaddr *) &dst, sizeof dst);
        if (retval < 0) {
            fatal(errno, "%s:%u: sending %zu bytes on %s", file_name,
                  line_number, len, ifname);
        } else if ((size_t) retval != len) {
            fatal(0, "%s:%u: sent %zd of %zu bytes on %s", file_name,
                  line_number, retval, len, ifname);
        }
        n_sent++;
    }
    if (ferror(file)) {
        fatal(errno, "%s: read error", file_name);
    }
    if (!n_sent) {
        fprintf(stderr, "%s: %s: no frame to send\n", program_name,
                file_name);
    }

    free(line);
    free(frame);
    close(fd);
    if (!is_stdin) {
        fclose(file);
    }
    return EXIT_SUCCESS;
}

static volatile sig_atomic_t stop_signal;

static void
note_signal(int signal_number)
{
    stop_signal = signal_number;
}

/* Handles SIGTERM and SIGINT with note_signal(), blocked except while
 * ppoll() waits (so that a signal is never lost between a check of
 * 'stop_signal' and the wait), and stores in '*wait_mask' the mask to wait
 * with. */
static void
catch_stop_signals(sigset_t *wait_mask)
{
    static const int signals[] = { SIGTERM, SIGINT };
    struct sigaction sa;
    sigset_t blocked;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&blocked);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &sa, NULL)) {
            fatal(errno, "sigaction");
        }
        sigaddset(&blocked, signals[i]);
    }
    if (sigprocmask(SIG_BLOCK, &blocked, wait_mask)) {
        fatal(errno, "sigprocmask");
    }
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        sigdelset(wait_mask, signals[i]);
    }
}

/* Returns the VLAN tag that the kernel took out of the frame whose control
 * messages are in 'msg', in '*tpid' and '*tci' (host byte order), or false
 * if there was none. */
static bool
get_stripped_vlan(struct msghdr *msg, uint16_t *tpid, uint16_t *tci)
{
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg); cmsg;
         cmsg = CMSG_NXTHDR(msg, cmsg)) {
        struct tpacket_auxdata aux;

        if (cmsg->cmsg_level != SOL_PACKET
            || cmsg->cmsg_type != PACKET_AUXDATA
            || cmsg->cmsg_len < CMSG_LEN(sizeof aux)) {
            continue;
        }
        memcpy(&aux, CMSG_DATA(cmsg), sizeof aux);
        if (!(aux.tp_status & TP_STATUS_VLAN_VALID)) {
            return false;
        }
        *tci = aux.tp_vlan_tci;
        *tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID
                 && aux.tp_vlan_tpid ? aux.tp_vlan_tpid : ETH_P_8021Q);
        return true;
    }
    return false;
}

static void
write_hex(FILE *out, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fprintf(out, "%02x", data[i]);
    }
}

/* Writes the 'len' bytes of 'frame' to 'out' as one line of hex, with the
 * VLAN tag 'tpid'/'tci' inserted after the MAC addresses if 'tagged' (which
 * requires 'len' >= VLAN_TAG_OFFSET). */
static void
write_frame(FILE *out, const uint8_t *frame, size_t len,
            bool tagged, uint16_t tpid, uint16_t tci)
{
    if (tagged) {
        const uint8_t tag[VLAN_TAG_LEN] = {
            tpid >> 8, tpid & 0xff, tci >> 8, tci & 0xff,
        };

        write_hex(out, frame, VLAN_TAG_OFFSET);
        write_hex(out, tag, VLAN_TAG_LEN);
        write_hex(out, frame + VLAN_TAG_OFFSET, len - VLAN_TAG_OFFSET);
    } else {
        write_hex(out, frame, len);
    }
    fputc('\n', out);
}

static int
do_capture(const char *ifname, const char *out_name)
{
    int ifindex = lookup_ifindex(ifname);
    sigset_t wait_mask;
    int one = 1;

    catch_stop_signals(&wait_mask);
    int fd = open_packet_socket(ifname, ifindex, htons(ETH_P_ALL));
    if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one)) {
        fatal(errno, "%s: setsockopt(PACKET_AUXDATA)", ifname);
    }

    /* Only now, listening, does OUTFILE appear. */
    FILE *out = fopen(out_name, "w");
    if (!out) {
        fatal(errno, "%s: cannot create", out_name);
    }

    uint8_t *frame = malloc(MAX_FRAME);
    unsigned long long int n_frames = 0;
    if (!frame) {
        fatal(ENOMEM, "cannot allocate a frame buffer");
    }
    while (!stop_signal) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (ppoll(&pfd, 1, NULL, &wait_mask) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fatal(errno, "%s: poll", ifname);
        }

        union {
            struct cmsghdr cmsg;
            char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
        } control;
        struct sockaddr_ll from;
        struct iovec iov = { .iov_base = frame, .iov_len = MAX_FRAME };
        struct msghdr msg = {
            .msg_name = &from,
            .msg_namelen = sizeof from,
            .msg_iov = &iov,
            .msg_iovlen = 1,
            .msg_control = &control,
            .msg_controllen = sizeof control,
        };
        ssize_t len = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
        if (len < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                continue;
            }
            fatal(errno, "%s: receive", ifname);
        }
        if (from.sll_pkttype == PACKET_OUTGOING) {
            continue;
        }
        if ((size_t) len > MAX_FRAME) {
            fatal(0, "%s: frame %llu is %zd bytes, more than %d", ifname,
                  n_frames + 1, len, MAX_FRAME);
        }

        uint16_t tpid = 0, tci = 0;
        bool tagged = (len >= VLAN_TAG_OFFSET
                       && get_stripped_vlan(&msg, &tpid, &tci));
        write_frame(out, frame, len, tagged, tpid, tci);
        if (fflush(out)) {
            fatal(errno, "%s: write error", out_name);
        }
        n_frames++;
    }

    free(frame);
    close(fd);
    if (fclose(out)) {
        fatal(errno, "%s: write error", out_name);
    }
    return EXIT_SUCCESS;
}

int
main(int argc, char *argv[])
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")
                      || !strcmp(argv[1], "help"))) {
        usage();
        return EXIT_SUCCESS;
    }
    if (argc < 2) {
        usage_error("missing command");
    }

    const char *command = argv[1];
    if (!strcmp(command, "send") || !strcmp(command, "capture")) {
        if (argc != 4) {
            usage_error("%s needs exactly IFNAME and a file name", command);
        }
        return (command[0] == 's'
                ? do_send(argv[2], argv[3])
                : do_capture(argv[2], argv[3]));
    }
    usage_error("unknown command \"%s\"", command);
}
