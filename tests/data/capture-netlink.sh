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

# Captures the netlink requests that iproute2's "tc" sends for a set of
# TC flower, filter and qdisc commands, as the oracle of
# tests/unit/test-tc-oracle.c.
#
# usage: tests/data/capture-netlink.sh [OUTDIR]
#
# Needs root, strace, tc, ip and unshare.  Runs in a private network
# namespace (so nothing on the host changes and ifindexes are always the
# same), on two devices "eswcap0" and "eswcap1": dummy devices if the kernel
# has them, otherwise a veth pair.  The kernel does not need the flower
# classifier: tc builds its request in userspace and strace prints it
# whether or not the kernel accepts it.
#
# Writes one file per command into OUTDIR (default: tests/data/tc beside
# this script), named after the case, in this format (lines of "key: value",
# '#' starts a comment line):
#
#   command: the tc command line exactly as it was run
#   iproute2: the output of "tc -V"
#   ifindex: NAME=IFINDEX for each device the command names
#   hex: the netlink message tc sent, as hex digits, 64 per line; every
#        "hex:" line continues the message (nlmsg_seq and nlmsg_pid are
#        whatever tc chose and are not meaningful)
#
# Only the message whose nlmsg_type is a TC filter or qdisc message is kept
# (tc first sends RTM_GETLINK to resolve device names).

set -e

if test "$ESW_CAPTURE_IN_NETNS" != yes; then
    for tool in strace tc ip unshare; do
        command -v $tool >/dev/null 2>&1 || {
            echo "$0: $tool not found" >&2
            exit 1
        }
    done
    outdir=${1:-$(cd "$(dirname "$0")" && pwd)/tc}
    mkdir -p "$outdir"
    outdir=$(cd "$outdir" && pwd)
    ESW_CAPTURE_IN_NETNS=yes exec unshare -n sh "$0" "$outdir"
fi
outdir=$1

ip link set lo up
if ! ip link add eswcap0 type dummy 2>/dev/null \
   || ! ip link add eswcap1 type dummy 2>/dev/null; then
    ip link del eswcap0 2>/dev/null || true
    ip link add eswcap0 type veth peer name eswcap1
fi
ip link set eswcap0 up
ip link set eswcap1 up
ifindex0=$(ip -o link show dev eswcap0 | cut -d: -f1)
ifindex1=$(ip -o link show dev eswcap1 | cut -d: -f1)
version=$(tc -V)

# Prints the hex of the TC message in the "strace -xx -e write=all" output
# read from stdin: the buffers of each sendmsg/sendto are concatenated, and
# the last message whose nlmsg_type is RTM_{NEW,DEL,GET}{QDISC,TFILTER} is
# kept.
extract_tc_message() {
    awk '
        function hex(s,    i, v) {
            v = 0
            for (i = 1; i <= length(s); i++)
                v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
            return v
        }
        function flush(    type) {
            if (msg != "") {
                type = hex(substr(msg, 11, 2) substr(msg, 9, 2))
                if ((type >= 36 && type <= 38) || (type >= 44 && type <= 46))
                    keep = msg
            }
            msg = ""
        }
        /(^|\] )(sendmsg|sendto)\(/ { flush(); next }
        /^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / {
            # The bytes are in columns 11 to 59, then comes their ASCII.
            n = split(substr($0, 11, 49), bytes, " ")
            for (i = 1; i <= n; i++)
                msg = msg bytes[i]
            next
        }
        END { flush(); printf "%s", keep }
    '
}

# capture NAME COMMAND...: runs COMMAND under strace and writes
# $outdir/NAME.txt.
capture() {
    name=$1
    shift
    hex=$(strace -f -e trace=sendmsg,sendto -e write=all -xx "$@" 2>&1 \
          >/dev/null | extract_tc_message)
    if test -z "$hex"; then
        echo "$0: $name: no TC message captured" >&2
        exit 1
    fi
    {
        echo "# Captured by tests/data/capture-netlink.sh: do not edit."
        echo "command: $*"
        echo "iproute2: $version"
        echo "ifindex: eswcap0=$ifindex0 eswcap1=$ifindex1"
        echo "$hex" | fold -w 64 | sed 's/^/hex: /'
    } >"$outdir/$name.txt"
    echo "$name: $*"
}

# The flower cases give keys in the order of f_flower.c's parser and of
# tc-flower-codec.c (see tc_flower_encode_new()), and masked values with no
# bit outside their mask: the request is byte-equal only in that form.

# Ethernet keys, exact and masked; protocol all (no eth_type key).
capture flower-eth-exact \
    tc filter add dev eswcap0 ingress protocol all prio 1 handle 1 chain 0 \
    flower skip_sw dst_mac 02:00:00:00:00:01 src_mac 02:00:00:00:00:02 \
    action mirred egress redirect dev eswcap1
capture flower-eth-masked \
    tc filter add dev eswcap0 ingress protocol 0x88cc prio 7 handle 0x20 \
    chain 0 flower skip_hw dst_mac 01:80:c2:00:00:00/ff:ff:ff:00:00:f0 \
    src_mac 02:00:00:00:00:00/24 action drop

# The example of the design: IPv4, TCP port.
capture flower-ipv4-tcp-redirect \
    tc filter add dev eswcap0 ingress protocol ip prio 2 handle 1 chain 0 \
    flower skip_sw dst_mac 00:11:22:33:44:55 ip_proto tcp dst_port 80 \
    action mirred egress redirect dev eswcap1

# IPv4 addresses, UDP ports exact and masked, tos and ttl.
capture flower-ipv4-udp \
    tc filter add dev eswcap0 ingress protocol ip prio 3 handle 2 chain 1 \
    flower skip_hw ip_proto udp ip_tos 0x10/0xfc ip_ttl 64 \
    dst_ip 10.1.0.0/16 src_ip 192.168.1.7 dst_port 53 src_port 4096/0xf000 \
    action pass
capture flower-ipv4-tos-ttl-exact \
    tc filter add dev eswcap0 ingress protocol ip prio 3 handle 3 chain 0 \
    flower skip_sw ip_tos 184 ip_ttl 1/0xff dst_ip 10.0.0.0/8 action drop

# TCP flags and ports, masked and exact.
capture flower-tcp-flags \
    tc filter add dev eswcap0 ingress protocol ip prio 4 handle 4 chain 0 \
    flower skip_sw ip_proto tcp dst_port 7936/0xff00 src_port 22 \
    tcp_flags 0x2/0x12 action drop
capture flower-tcp-flags-exact \
    tc filter add dev eswcap0 ingress protocol ipv6 prio 4 handle 5 chain 0 \
    flower skip_sw ip_proto tcp tcp_flags 0x10 action pass

# IPv6 and SCTP.
capture flower-ipv6-sctp \
    tc filter add dev eswcap0 ingress protocol ipv6 prio 5 handle 6 chain 2 \
    flower skip_sw ip_proto sctp dst_ip 2001:db8::1 src_ip 2001:db8:ff00::/40 \
    dst_port 3868 src_port 1024/0xfc00 \
    action mirred egress mirror dev eswcap1 \
    action mirred egress redirect dev eswcap0

# ICMP and ICMPv6.
capture flower-icmp \
    tc filter add dev eswcap0 ingress protocol ip prio 6 handle 7 chain 0 \
    flower skip_sw ip_proto icmp type 8 code 0 action drop
capture flower-icmp-masked \
    tc filter add dev eswcap0 ingress protocol ip prio 6 handle 8 chain 0 \
    flower skip_sw ip_proto icmp type 3/15 action drop
capture flower-icmpv6 \
    tc filter add dev eswcap0 ingress protocol ipv6 prio 6 handle 9 chain 0 \
    flower skip_sw ip_proto icmpv6 type 135 code 0/255 \
    action mirred egress redirect dev eswcap1

# ARP.
capture flower-arp \
    tc filter add dev eswcap0 ingress protocol arp prio 8 handle 10 chain 0 \
    flower skip_sw arp_tip 10.0.0.1 arp_sip 10.0.0.0/24 arp_op request \
    arp_tha 02:00:00:00:00:09 arp_sha 02:00:00:00:00:00/ff:ff:ff:00:00:00 \
    action mirred egress redirect dev eswcap1
capture flower-arp-op-masked \
    tc filter add dev eswcap0 ingress protocol arp prio 8 handle 11 chain 0 \
    flower skip_sw arp_op 2/3 action drop

# VLAN: 802.1Q and 802.1ad, with the inner type.
capture flower-vlan \
    tc filter add dev eswcap0 ingress protocol 802.1Q prio 9 handle 12 \
    chain 0 flower skip_sw vlan_id 100 vlan_prio 3 vlan_ethtype ip \
    ip_proto udp dst_port 4789 \
    action vlan pop action mirred egress redirect dev eswcap1
capture flower-vlan-8021ad \
    tc filter add dev eswcap0 ingress protocol 802.1ad prio 9 handle 13 \
    chain 0 flower skip_sw vlan_id 5 vlan_ethtype ipv6 dst_ip 2001:db8::7 \
    action drop
capture flower-vlan-id-only \
    tc filter add dev eswcap0 ingress protocol 802.1Q prio 9 handle 14 \
    chain 0 flower skip_sw vlan_id 4094 action drop

# IP fragment flags and indev.
capture flower-ip-flags \
    tc filter add dev eswcap0 ingress protocol ip prio 10 handle 15 chain 0 \
    flower skip_sw ip_flags frag/firstfrag action drop
capture flower-ip-flags-nofrag \
    tc filter add dev eswcap0 ingress protocol ipv6 prio 10 handle 16 \
    chain 0 flower skip_sw ip_proto udp ip_flags nofrag action pass
capture flower-indev \
    tc filter add dev eswcap0 ingress protocol all prio 11 handle 17 \
    chain 0 flower indev eswcap1 action drop

# Identity: no flags, another chain, big prio and handle, egress parent,
# replace.
capture flower-no-flags-chain \
    tc filter add dev eswcap0 ingress protocol ip prio 65535 \
    handle 0xfffffffe chain 268435455 flower dst_ip 10.0.0.1 action drop
capture flower-parent-ffff \
    tc filter add dev eswcap0 parent ffff: protocol ip prio 12 handle 18 \
    chain 0 flower skip_sw action drop
capture flower-egress \
    tc filter add dev eswcap0 egress protocol ip prio 12 handle 19 chain 0 \
    flower skip_sw action mirred egress redirect dev eswcap1
capture flower-replace \
    tc filter replace dev eswcap0 ingress protocol ip prio 2 handle 1 \
    chain 0 flower skip_sw dst_mac 00:11:22:33:44:55 ip_proto tcp \
    dst_port 80 action mirred egress redirect dev eswcap1

# Actions: gact, mirred with a control, cookies.
capture action-gact-cookie \
    tc filter add dev eswcap0 ingress protocol ip prio 13 handle 20 chain 0 \
    flower skip_sw action pass cookie 0123456789abcdef0011223344556677
capture action-mirred-mirror-cookies \
    tc filter add dev eswcap0 ingress protocol ip prio 13 handle 21 chain 0 \
    flower skip_sw action mirred egress mirror dev eswcap1 cookie 01 \
    action mirred egress redirect dev eswcap0 cookie a1b2c3d4
capture action-mirred-mirror-pipe \
    tc filter add dev eswcap0 ingress protocol ip prio 13 handle 22 chain 0 \
    flower skip_sw action mirred egress mirror dev eswcap1 pipe \
    action drop

# vlan actions.
capture action-vlan-push \
    tc filter add dev eswcap0 ingress protocol all prio 14 handle 23 \
    chain 0 flower skip_sw \
    action vlan push id 10 protocol 802.1Q priority 5 pipe \
    action mirred egress redirect dev eswcap1
capture action-vlan-push-8021ad \
    tc filter add dev eswcap0 ingress protocol all prio 14 handle 24 \
    chain 0 flower skip_sw \
    action vlan push id 4000 protocol 802.1ad priority 0 \
    action vlan push id 20 protocol 802.1Q priority 7 \
    action mirred egress redirect dev eswcap1
capture action-vlan-modify \
    tc filter add dev eswcap0 ingress protocol 802.1Q prio 14 handle 25 \
    chain 0 flower skip_sw vlan_id 30 \
    action vlan modify id 31 protocol 802.1Q priority 2 pipe \
    action mirred egress redirect dev eswcap1

# pedit (extended) and csum, as Open vSwitch's TC offload writes them.
capture action-pedit-eth \
    tc filter add dev eswcap0 ingress protocol ip prio 15 handle 26 chain 0 \
    flower skip_sw \
    action pedit ex munge eth dst set 02:00:00:00:00:aa \
    munge eth src set 02:00:00:00:00:bb pipe \
    action mirred egress redirect dev eswcap1
capture action-pedit-ip4-csum \
    tc filter add dev eswcap0 ingress protocol ip prio 15 handle 27 chain 0 \
    flower skip_sw ip_proto tcp \
    action pedit ex munge ip src set 10.0.0.1 munge ip dst set 10.0.0.2 \
    munge ip ttl add 255 munge tcp dport set 8080 pipe \
    action csum ip4h tcp pipe \
    action mirred egress redirect dev eswcap1
capture action-pedit-ip6-udp \
    tc filter add dev eswcap0 ingress protocol ipv6 prio 15 handle 28 \
    chain 0 flower skip_sw ip_proto udp \
    action pedit ex munge ip6 dst set 2001:db8::2 \
    munge ip6 hoplimit add 255 munge udp sport set 53 pipe \
    action csum udp pipe \
    action mirred egress redirect dev eswcap1

# Delete and get one filter; dump filters, full and terse.
capture filter-del \
    tc filter del dev eswcap0 ingress protocol ip prio 2 handle 1 chain 0 \
    flower
capture filter-get \
    tc filter get dev eswcap0 ingress protocol ip prio 2 handle 1 chain 0 \
    flower
capture filter-dump \
    tc filter show dev eswcap0 ingress
capture filter-dump-terse \
    tc -brief filter show dev eswcap0 ingress

# Qdiscs.
capture qdisc-add-ingress tc qdisc add dev eswcap0 ingress
capture qdisc-del-ingress tc qdisc del dev eswcap0 ingress
capture qdisc-add-clsact tc qdisc add dev eswcap0 clsact
capture qdisc-del-clsact tc qdisc del dev eswcap0 clsact
