#! /bin/sh
# Copyright (c) 2026 The ovs-eswitch authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Captures the netlink messages that iproute2's "ip link" and "devlink" send
# (and a few that the kernel answers), as the oracle of
# tests/unit/test-link-oracle.c.
#
# usage: tests/data/capture-link-netlink.sh [OUTDIR]
#
# Needs root, strace, ip, devlink, genl, unshare and a C compiler.  Runs in
# a private network namespace (nothing on the host changes, ifindexes are
# always the same) on a device "eswlink0": a dummy device if the kernel has
# them, otherwise one end of a veth pair.  The kernel does not need SR-IOV:
# "ip link set ... vf" builds its request in userspace, and strace prints it
# before the kernel refuses it.
#
# devlink is different: it first resolves the "devlink" generic netlink
# family, and exits if the kernel has none (as here).  So devlink runs with
# a small LD_PRELOAD library, written and compiled by this script, that
# answers on the kernel's behalf: CTRL_CMD_GETFAMILY "devlink" gets a
# CTRL_CMD_NEWFAMILY with family ID $FAMILY_ID, a devlink dump gets
# NLMSG_DONE, any other devlink request an acknowledgement.  The library
# passes every request to the kernel unchanged (and throws away what the
# kernel answers), so strace still prints the bytes devlink sent.
#
# Writes one file per case into OUTDIR (default: tests/data/link beside
# this script), named after the case, in lines of "key: value" ('#' starts
# a comment line):
#
#   command: the command line exactly as it was run
#   iproute2: the version of the tool
#   ifindex: NAME=IFINDEX of eswlink0 ("ip" cases)
#   genl-family: devlink=ID, the family ID that devlink was given
#   expect: KEY=VALUE..., what "ip -o link show" printed about the link a
#           kernel reply describes (reply cases)
#   message: request (sent by the tool) or reply (sent by the kernel)
#   hex: the message, as hex digits, 64 per line; every "hex:" line
#        continues it (nlmsg_seq and nlmsg_pid are whatever the tool or the
#        kernel chose)

set -e

FAMILY_ID=1000

if test "$ESW_CAPTURE_IN_NETNS" != yes; then
    for tool in strace ip devlink genl unshare cc; do
        command -v $tool >/dev/null 2>&1 || {
            echo "$0: $tool not found" >&2
            exit 1
        }
    done
    outdir=${1:-$(cd "$(dirname "$0")" && pwd)/link}
    mkdir -p "$outdir"
    outdir=$(cd "$outdir" && pwd)
    ESW_CAPTURE_IN_NETNS=yes exec unshare -n sh "$0" "$outdir"
fi
outdir=$1

tmpdir=$(mktemp -d)
trap 'rm -rf "$tmpdir"' EXIT

ip link set lo up
if ! ip link add eswlink0 type dummy 2>/dev/null; then
    ip link add eswlink0 type veth peer name eswlink1
fi
ifindex=$(ip -o link show dev eswlink0 | cut -d: -f1)
ip_version=$(ip -V)
devlink_version=$(devlink -V)

if genl ctrl list 2>/dev/null | grep -qi "ID: $(printf '0x%x' $FAMILY_ID) "
then
    echo "$0: generic netlink family ID $FAMILY_ID is in use" >&2
    exit 1
fi

# The LD_PRELOAD library that stands in for the kernel's devlink family.
cat >"$tmpdir/fake-devlink.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

static uint16_t family_id;
static int generic_fds[1024];
static unsigned char reply[8192];
static size_t reply_len;
static int reply_fd = -1;

static void *
append(size_t len)
{
    void *p = reply + reply_len;

    len = NLMSG_ALIGN(len);
    if (reply_len + len > sizeof reply) {
        abort();
    }
    memset(p, 0, len);
    reply_len += len;
    return p;
}

static void
append_attr(struct nlmsghdr *nlh, uint16_t type, const void *data,
            size_t len)
{
    struct nlattr *nla = append(NLA_HDRLEN + len);

    nla->nla_type = type;
    nla->nla_len = NLA_HDRLEN + len;
    memcpy((char *) nla + NLA_HDRLEN, data, len);
    nlh->nlmsg_len += NLA_ALIGN(nla->nla_len);
}

static void
append_family(const struct nlmsghdr *req)
{
    struct nlmsghdr *nlh = append(NLMSG_HDRLEN);
    struct genlmsghdr *genl = append(GENL_HDRLEN);
    uint32_t version = DEVLINK_GENL_VERSION, hdrsize = 0;
    uint32_t maxattr = DEVLINK_ATTR_MAX;

    nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
    nlh->nlmsg_type = GENL_ID_CTRL;
    nlh->nlmsg_seq = req->nlmsg_seq;
    genl->cmd = CTRL_CMD_NEWFAMILY;
    genl->version = 2;
    append_attr(nlh, CTRL_ATTR_FAMILY_NAME, DEVLINK_GENL_NAME,
                sizeof DEVLINK_GENL_NAME);
    append_attr(nlh, CTRL_ATTR_FAMILY_ID, &family_id, sizeof family_id);
    append_attr(nlh, CTRL_ATTR_VERSION, &version, sizeof version);
    append_attr(nlh, CTRL_ATTR_HDRSIZE, &hdrsize, sizeof hdrsize);
    append_attr(nlh, CTRL_ATTR_MAXATTR, &maxattr, sizeof maxattr);
}

/* Appends an acknowledgement (NLMSG_ERROR 0) or NLMSG_DONE for 'req'. */
static void
append_end(const struct nlmsghdr *req, uint16_t type)
{
    struct nlmsghdr *nlh = append(NLMSG_HDRLEN);

    nlh->nlmsg_type = type;
    nlh->nlmsg_seq = req->nlmsg_seq;
    if (type == NLMSG_ERROR) {
        struct nlmsgerr *err = append(sizeof *err);

        err->msg = *req;
        err->msg.nlmsg_len = NLMSG_HDRLEN;
        nlh->nlmsg_flags = NLM_F_CAPPED;
        nlh->nlmsg_len = NLMSG_HDRLEN + sizeof *err;
    } else {
        append(sizeof(int));
        nlh->nlmsg_flags = NLM_F_MULTI;
        nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
    }
}

static void
prepare_reply(int fd, const void *buf, size_t len)
{
    const struct nlmsghdr *nlh;

    reply_len = 0;
    for (nlh = buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
        const struct genlmsghdr *genl = NLMSG_DATA(nlh);
        size_t attrs_len = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

        if (nlh->nlmsg_type == GENL_ID_CTRL
            && genl->cmd == CTRL_CMD_GETFAMILY
            && memmem(genl + 1, attrs_len, DEVLINK_GENL_NAME,
                      sizeof DEVLINK_GENL_NAME)) {
            append_family(nlh);
            if (nlh->nlmsg_flags & NLM_F_ACK) {
                append_end(nlh, NLMSG_ERROR);
            }
        } else if (nlh->nlmsg_type == family_id) {
            append_end(nlh, ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP
                             ? NLMSG_DONE : NLMSG_ERROR));
        }
    }
    reply_fd = reply_len ? fd : -1;
}

int
socket(int domain, int type, int protocol)
{
    static int (*real_socket)(int, int, int);

    if (!real_socket) {
        real_socket = dlsym(RTLD_NEXT, "socket");
        family_id = strtoul(getenv("FAKE_DEVLINK_FAMILY_ID"), NULL, 0);
    }

    int fd = real_socket(domain, type, protocol);
    if (fd >= 0 && fd < 1024) {
        generic_fds[fd] = (domain == AF_NETLINK
                           && protocol == NETLINK_GENERIC);
    }
    return fd;
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
       const struct sockaddr *addr, socklen_t addrlen)
{
    static ssize_t (*real_sendto)(int, const void *, size_t, int,
                                  const struct sockaddr *, socklen_t);

    if (!real_sendto) {
        real_sendto = dlsym(RTLD_NEXT, "sendto");
    }

    ssize_t n = real_sendto(fd, buf, len, flags, addr, addrlen);
    if (n >= 0 && fd >= 0 && fd < 1024 && generic_fds[fd]) {
        prepare_reply(fd, buf, len);
    }
    return n;
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
    static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
    unsigned char discard[8192];

    if (!real_recvmsg) {
        real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
    }
    if (fd != reply_fd) {
        return real_recvmsg(fd, msg, flags);
    }

    /* The kernel has answered (ENOENT: no such family) by now. */
    while (recv(fd, discard, sizeof discard, MSG_DONTWAIT) > 0) {
        continue;
    }
    if (msg->msg_iovlen < 1 || msg->msg_iov[0].iov_len < reply_len) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(msg->msg_iov[0].iov_base, reply, reply_len);
    if (msg->msg_name && msg->msg_namelen >= sizeof(struct sockaddr_nl)) {
        struct sockaddr_nl *nl = msg->msg_name;

        memset(nl, 0, sizeof *nl);
        nl->nl_family = AF_NETLINK;
        msg->msg_namelen = sizeof *nl;
    }
    msg->msg_controllen = 0;
    msg->msg_flags = 0;
    reply_fd = -1;
    return reply_len;
}
EOF
cc -shared -fPIC -O2 -o "$tmpdir/fake-devlink.so" "$tmpdir/fake-devlink.c" \
    -ldl

# Reads "strace -xx -e write=all" or "-e read=all" output on stdin and
# prints each netlink message of each buffer on a line of its own, as hex.
extract_messages() {
    awk '
        function hex(s,    i, v) {
            v = 0
            for (i = 1; i <= length(s); i++)
                v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        function flush(    len) {
            while (length(buf) >= 32) {
                len = hex(substr(buf, 7, 2) substr(buf, 5, 2) \
                          substr(buf, 3, 2) substr(buf, 1, 2))
                if (len < 16 || 2 * len > length(buf))
                    break
                print substr(buf, 1, 2 * len)
                len = 2 * (int((len + 3) / 4) * 4)
                buf = substr(buf, len + 1)
            }
            buf = ""
        }
        /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
            # The bytes are in columns 11 to 59, then comes their ASCII.
            n = split(substr($0, 11, 49), bytes, " ")
            for (i = 1; i <= n; i++)
                buf = buf bytes[i]
            next
        }
        { flush() }
        END { flush() }
    '
}

# Prints the nlmsg_type of hex message $1, in decimal.
msg_type() {
    echo $((0x$(echo "$1" | cut -c11-12)$(echo "$1" | cut -c9-10)))
}

# Prints the byte at offset $2 of hex message $1, in decimal.
msg_byte() {
    echo $((0x$(echo "$1" | cut -c$(($2 * 2 + 1))-$(($2 * 2 + 2)))))
}

# Prints the nlmsg_flags of hex message $1, in decimal.
msg_flags() {
    echo $(($(msg_byte "$1" 7) * 256 + $(msg_byte "$1" 6)))
}

# write_case NAME MESSAGE HEX KEY=VALUE... COMMAND: writes $outdir/NAME.txt.
# Each KEY=VALUE argument up to "--" becomes a "KEY: VALUE" line.
write_case() {
    name=$1 kind=$2 hex=$3
    shift 3
    {
        echo "# Captured by tests/data/capture-link-netlink.sh: do not edit."
        while test "$1" != --; do
            echo "${1%%=*}: ${1#*=}"
            shift
        done
        shift
        echo "command: $*"
        echo "message: $kind"
        echo "$hex" | fold -w 64 | sed 's/^/hex: /'
    } >"$outdir/$name.txt"
    echo "$name: $*"
}

# capture_ip NAME SELECT COMMAND...: runs "ip" COMMAND under strace and
# keeps the request that shell function SELECT accepts (the last one).
capture_ip() {
    name=$1 select=$2
    shift 2
    strace -f -e trace=sendmsg,sendto -e write=all -xx "$@" \
        2>"$tmpdir/strace" >/dev/null || true
    hex=
    for msg in $(extract_messages <"$tmpdir/strace"); do
        if $select "$msg"; then
            hex=$msg
        fi
    done
    if test -z "$hex"; then
        echo "$0: $name: no message captured" >&2
        exit 1
    fi
    write_case "$name" request "$hex" "iproute2=$ip_version" \
        "ifindex=eswlink0=$ifindex" -- "$@"
}

# Selectors for capture_ip.  RTM_NEWLINK is 16, RTM_GETLINK 18, AF_PACKET
# 17; NLM_F_DUMP is 0x300.
is_vf_request() {       # RTM_NEWLINK with attributes
    test $(msg_type "$1") = 16 && test ${#1} -gt 64
}
is_dump() {             # RTM_GETLINK with NLM_F_DUMP
    test $(msg_type "$1") = 18 && test $(($(msg_flags "$1") & 768)) = 768
}
is_show_dev() {         # iplink's own RTM_GETLINK, with AF_PACKET (not
                        # the AF_UNSPEC lookups of ip's name cache)
    test $(msg_type "$1") = 18 && test $(msg_byte "$1" 16) = 17
}

# capture_devlink NAME COMMAND...: runs "devlink" COMMAND under strace
# with the fake family and keeps its devlink request (for the case
# "devlink-getfamily", its CTRL_CMD_GETFAMILY request instead).
capture_devlink() {
    name=$1
    shift
    want_type=$FAMILY_ID
    if test "$name" = devlink-getfamily; then
        want_type=16            # GENL_ID_CTRL
    fi
    FAKE_DEVLINK_FAMILY_ID=$FAMILY_ID \
    LD_PRELOAD="$tmpdir/fake-devlink.so" \
        strace -f -e trace=sendmsg,sendto -e write=all -xx "$@" \
        2>"$tmpdir/strace" >/dev/null
    hex=
    for msg in $(extract_messages <"$tmpdir/strace"); do
        if test $(msg_type "$msg") = $want_type; then
            hex=$msg
        fi
    done
    if test -z "$hex"; then
        echo "$0: $name: no message captured" >&2
        exit 1
    fi
    write_case "$name" request "$hex" "iproute2=$devlink_version" \
        "genl-family=devlink=$FAMILY_ID" -- "$@"
}

# ip link show: the dump, and one link by name.
capture_ip link-show-dump is_dump ip link show
capture_ip link-show-dev is_show_dev ip link show dev eswlink0

# ip link set ... vf: each option alone, then several, in the order of
# ip-link(8)'s synopsis (the order in which iproute2 and
# esw_rtnl_link_encode_vf_request() put them).
capture_ip vf-mac is_vf_request \
    ip link set dev eswlink0 vf 0 mac 00:11:22:33:44:55
capture_ip vf-vlan is_vf_request \
    ip link set dev eswlink0 vf 1 vlan 100
capture_ip vf-vlan-qos is_vf_request \
    ip link set dev eswlink0 vf 1 vlan 100 qos 3
capture_ip vf-vlan-8021q is_vf_request \
    ip link set dev eswlink0 vf 1 vlan 4095 qos 7 proto 802.1Q
capture_ip vf-vlan-8021ad is_vf_request \
    ip link set dev eswlink0 vf 1 vlan 200 qos 2 proto 802.1ad
capture_ip vf-vlan-clear is_vf_request \
    ip link set dev eswlink0 vf 1 vlan 0
capture_ip vf-rate is_vf_request \
    ip link set dev eswlink0 vf 2 rate 1000
capture_ip vf-min-max-rate is_vf_request \
    ip link set dev eswlink0 vf 2 min_tx_rate 10 max_tx_rate 100
capture_ip vf-spoofchk-on is_vf_request \
    ip link set dev eswlink0 vf 3 spoofchk on
capture_ip vf-spoofchk-off is_vf_request \
    ip link set dev eswlink0 vf 3 spoofchk off
capture_ip vf-query-rss is_vf_request \
    ip link set dev eswlink0 vf 3 query_rss on
capture_ip vf-state-auto is_vf_request \
    ip link set dev eswlink0 vf 4 state auto
capture_ip vf-state-enable is_vf_request \
    ip link set dev eswlink0 vf 4 state enable
capture_ip vf-state-disable is_vf_request \
    ip link set dev eswlink0 vf 4 state disable
capture_ip vf-trust-on is_vf_request \
    ip link set dev eswlink0 vf 5 trust on
capture_ip vf-trust-off is_vf_request \
    ip link set dev eswlink0 vf 5 trust off
capture_ip vf-all is_vf_request \
    ip link set dev eswlink0 vf 63 mac 02:00:00:00:00:3f vlan 10 qos 5 \
    rate 500 spoofchk off query_rss off state enable trust on
capture_ip vf-all-8021ad is_vf_request \
    ip link set dev eswlink0 vf 7 mac 02:00:00:00:00:07 vlan 20 \
    proto 802.1ad spoofchk on state auto trust off \
    min_tx_rate 1 max_tx_rate 25000

# devlink: the family lookup every command begins with, then each command.
capture_devlink devlink-getfamily devlink dev show
capture_devlink devlink-dev-show-dump devlink dev show
capture_devlink devlink-dev-show devlink dev show pci/0000:03:00.0
capture_devlink devlink-port-show-dump devlink port show
capture_devlink devlink-port-show devlink port show pci/0000:03:00.0/1
capture_devlink devlink-eswitch-show \
    devlink dev eswitch show pci/0000:03:00.0
capture_devlink devlink-eswitch-set-switchdev \
    devlink dev eswitch set pci/0000:03:00.0 mode switchdev
capture_devlink devlink-eswitch-set-legacy \
    devlink dev eswitch set pci/0000:03:00.0 mode legacy
capture_devlink devlink-eswitch-set-all \
    devlink dev eswitch set pci/0000:03:00.0 mode switchdev \
    inline-mode transport encap-mode basic
capture_devlink devlink-port-function-set \
    devlink port function set pci/0000:03:00.0/1 \
    hw_addr 00:11:22:33:44:55 state active
capture_devlink devlink-port-function-set-hw-addr \
    devlink port function set pci/0000:03:00.0/2 hw_addr 02:00:00:00:00:02
capture_devlink devlink-port-function-set-inactive \
    devlink port function set pci/0000:03:00.0/65535 state inactive

# Kernel replies: the nlctrl family, which every kernel has, and eswlink0
# as a link dump describes it.
strace -e trace=recvmsg -e read=all -xx genl ctrl get name nlctrl \
    2>"$tmpdir/strace" >/dev/null
hex=
for msg in $(extract_messages <"$tmpdir/strace"); do
    if test $(msg_type "$msg") = 16 && test $(msg_byte "$msg" 16) = 1; then
        hex=$msg
    fi
done
write_case genl-reply-nlctrl reply "$hex" "kernel=$(uname -r)" -- \
    genl ctrl get name nlctrl

strace -e trace=recvmsg -e read=all -xx ip link show \
    2>"$tmpdir/strace" >/dev/null
hex=
for msg in $(extract_messages <"$tmpdir/strace"); do
    if test $(msg_type "$msg") = 16 \
       && test $(msg_byte "$msg" 20) = $((ifindex % 256)); then
        hex=$msg
    fi
done
# "2: eswlink0@eswlink1: <BROADCAST,MULTICAST> mtu 1500 ... state DOWN
# ... link/ether 4a:0f:... brd ..."
set -- $(ip -o link show dev eswlink0)
flags=$3 mtu= state= mac=
while test $# -gt 1; do
    case $1 in
        mtu) mtu=$2 ;;
        state) state=$2 ;;
        link/ether) mac=$2 ;;
    esac
    shift
done
write_case link-reply-eswlink0 reply "$hex" "kernel=$(uname -r)" \
    "ifindex=eswlink0=$ifindex" \
    "expect=name=eswlink0 flags=$flags mtu=$mtu state=$state mac=$mac" -- \
    ip link show
