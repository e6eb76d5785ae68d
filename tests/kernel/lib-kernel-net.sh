# shellcheck shell=bash
# lib-kernel-net.sh: shell functions shared by the kernel tests that run
# Open vSwitch, sriov-nic-emu and network namespaces inside the esw-testbed
# VM (differential.sh, tc-offload-bench.sh).  Source it from bash:
#
#     . "$(dirname "$0")/lib-kernel-net.sh"
#
# Every name it defines starts with "knet_" (functions) or "KNET_"
# (variables).  See tests/kernel/README.rst.
#
# Logical ports.  A test names its ports with short ids such as "1", "2",
# "ext".  Port X is:
#
#     ns vmX: vX ==veth== vfX  (root ns)   vfX: the vport, the VF's switch
#                                                port, where rules go
#             repX ==veth== repXp (root ns)  repX: the representor that OVS
#                                                opens; repXp: the NIC's end
#
# In kernel mode (knet_port_kernel) the "eswitch default path" is two TC
# rules at prio 65535 with skip_hw: vfX ingress -> redirect to repXp (a miss
# goes up to the representor), repXp ingress -> redirect to vfX (what OVS
# sends on repX reaches the VM).  In emulator mode (knet_port_emu)
# sriov-nic-emu holds vfX (the function side) and repXp (the rep side) with
# AF_PACKET.  The names are the same in both modes, so OVS sees the same
# port names.

# ---------------------------------------------------------------------------
# Reporting.

KNET_FAILURES=0

# knet_step TEXT...: prints a heading.
knet_step() { printf '=== %s\n' "$*"; }

# knet_ok TEXT...: reports a passed check.
knet_ok() { printf 'ok: %s\n' "$*"; }

# knet_fail TEXT...: reports a failed check and counts it.
knet_fail() {
    printf 'FAIL: %s\n' "$*"
    KNET_FAILURES=$((KNET_FAILURES + 1))
}

# knet_fatal TEXT...: reports a failure that ends the test (status 1).
knet_fatal() {
    printf 'FATAL: %s\n' "$*"
    exit 1
}

# knet_now: seconds since the epoch, with nanoseconds (for timings).
knet_now() { date +%s.%N; }

# knet_elapsed START [END]: END (default now) - START in seconds, 3 decimals.
knet_elapsed() {
    local end=${2:-$(knet_now)}
    awk -v s="$1" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

# knet_wait_until SECONDS WHAT COMMAND...: runs COMMAND every 0.1 s until it
# succeeds (returns 0) or SECONDS have passed (prints "timed out waiting for
# WHAT" and returns 1).
knet_wait_until() {
    local limit=$1 what=$2 deadline
    shift 2
    deadline=$(awk -v t="$limit" -v n="$(knet_now)" \
                   'BEGIN { printf "%.3f", n + t }')
    while :; do
        if "$@"; then
            return 0
        fi
        if awk -v d="$deadline" -v n="$(knet_now)" \
               'BEGIN { exit !(n > d) }'; then
            printf 'timed out after %s s waiting for %s\n' "$limit" "$what"
            return 1
        fi
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# Where things are.

# knet_init: checks that we run inside the test bed, finds the build tree
# and sets:
#   KNET_SRCDIR       the source tree
#   KNET_BUILDDIR     the build tree (the current directory if it is one,
#                     as under "make check-kernel"; else $KNET_SRCDIR/_build)
#   KNET_OVS_BUILDDIR Open vSwitch's build tree, KNET_OVS_SRCDIR its sources
#   KNET_VSWITCHD     our ovs-vswitchd (OVS's objects + the eswitch plugins)
#   KNET_OVS_VSWITCHD Open vSwitch's own, unmodified ovs-vswitchd
#   KNET_EMU          sriov-nic-emu
#   KNET_PKT          tests/kernel/esw-pkt
#   KNET_RUNDIR       a fresh directory for this run's daemons (/tmp)
# and puts OVS's utilities and ovsdb-server first in PATH.
knet_init() {
    [ "${ESW_TESTBED:-}" = 1 ] ||
        knet_fatal "run me in the test bed: tests/kernel/esw-testbed run $0"

    KNET_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    if [ -f Makefile ] && grep -q '^OVS_BUILDDIR = ' Makefile; then
        KNET_BUILDDIR=$PWD
    else
        KNET_BUILDDIR=$KNET_SRCDIR/_build
    fi
    [ -f "$KNET_BUILDDIR/Makefile" ] ||
        knet_fatal "no build tree: run from the build tree (_build)"
    local makefile=$KNET_BUILDDIR/Makefile
    KNET_OVS_BUILDDIR=$(sed -n 's/^OVS_BUILDDIR = //p' "$makefile")
    KNET_OVS_SRCDIR=$(sed -n 's/^OVS_SRCDIR = //p' "$makefile")
    KNET_VSWITCHD=$KNET_BUILDDIR/vswitchd/ovs-vswitchd
    KNET_OVS_VSWITCHD=$KNET_OVS_BUILDDIR/vswitchd/ovs-vswitchd
    KNET_EMU=$KNET_BUILDDIR/emu/sriov-nic-emu
    KNET_PKT=$KNET_BUILDDIR/tests/kernel/esw-pkt
    local f
    for f in "$KNET_VSWITCHD" "$KNET_OVS_VSWITCHD" "$KNET_EMU" "$KNET_PKT" \
             "$KNET_OVS_BUILDDIR/ovsdb/ovsdb-server" \
             "$KNET_OVS_BUILDDIR/utilities/ovs-vsctl"; do
        [ -x "$f" ] || knet_fatal "$f is missing: run make first"
    done
    PATH=$KNET_OVS_BUILDDIR/utilities:$KNET_OVS_BUILDDIR/ovsdb:$PATH
    PATH=$KNET_BUILDDIR/utilities:$KNET_SRCDIR/utilities:$PATH
    export PATH
    KNET_RUNDIR=$(mktemp -d /tmp/knet.XXXXXX)
    KNET_MADE=$KNET_RUNDIR/made
    : > "$KNET_MADE"
    KNET_CAPTURE_PIDS=
    trap knet_cleanup EXIT
}

# knet_modprobe MODULE...: loads modules (esw-testbed's helper).  For
# "tun", also makes /dev/net/tun (the tap behind a bridge's internal port
# in OVS's userspace datapath) if the VM's /dev lacks it.
knet_modprobe() {
    # shellcheck source=/dev/null
    . "$ESW_TESTBED_LIB"
    esw_modprobe "$@" || knet_fatal "cannot load kernel modules: $*"
    case " $* " in
        *" tun "*)
            if [ ! -c /dev/net/tun ]; then
                mkdir -p /dev/net
                mknod /dev/net/tun c 10 200 ||
                    knet_fatal "cannot make /dev/net/tun"
            fi
            ;;
    esac
}

# knet_save_logs NAME: copies the run directory's logs to the test bed's
# work directory (brought back by "esw-testbed run --keep") as NAME/.
knet_save_logs() {
    [ -n "${ESW_TESTBED_WORKDIR:-}" ] || return 0
    local dest=$ESW_TESTBED_WORKDIR/$1
    mkdir -p "$dest"
    find "$KNET_RUNDIR" -maxdepth 2 \( -name '*.log' -o -name '*.txt' \
        -o -name '*.flows' -o -name '*.frames' \) \
        -exec cp --parents {} "$dest" \; 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Links and namespaces.

# knet_made KIND NAME: records something made (netns or link) for
# knet_teardown.
knet_made() { echo "$1 $2" >> "$KNET_MADE"; }

# knet_no_ipv6 [NS]: disables IPv6 (its neighbour discovery is noise in the
# flow tables) for every existing and future link of namespace NS (default
# the root namespace).
knet_no_ipv6() {
    local run=()
    [ -z "${1:-}" ] || run=(ip netns exec "$1")
    "${run[@]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
}

# knet_veth A B: a veth pair A <-> B in the root namespace, both up, no
# IPv6.
knet_veth() {
    ip link add "$1" type veth peer name "$2" ||
        knet_fatal "cannot add veth $1"
    knet_made link "$1"
    local dev
    for dev in "$1" "$2"; do
        sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
        ip link set "$dev" up
    done
}

# knet_vm X MAC: namespace vmX (no IPv6, no address: it receives frames
# without answering any) with link vX (MAC), up, whose peer is vfX in the
# root namespace, up.
knet_vm() {
    local x=$1 mac=$2 ns=vm$1
    ip netns add "$ns" || knet_fatal "cannot add namespace $ns"
    knet_made netns "$ns"
    knet_no_ipv6 "$ns"
    ip link add "vf$x" type veth peer name "v$x" netns "$ns" ||
        knet_fatal "cannot add veth vf$x"
    knet_made link "vf$x"
    sysctl -qw "net.ipv6.conf.vf$x.disable_ipv6=1"
    ip link set "vf$x" up
    ip -n "$ns" link set "v$x" address "$mac"
    ip -n "$ns" link set lo up
    ip -n "$ns" link set "v$x" up
}

# knet_port X MAC: logical port X (see the top of this file) without its
# default path: namespace vmX, vX <-> vfX, repX <-> repXp.
knet_port() {
    knet_vm "$1" "$2"
    knet_veth "rep$1" "rep$1p"
}

# knet_port_kernel X MAC: logical port X with the eswitch default path in
# the kernel's TC (skip_hw rules at prio 65535 on vfX and repXp).
knet_port_kernel() {
    local x=$1
    knet_port "$x" "$2"
    tc qdisc add dev "vf$x" ingress
    tc qdisc add dev "rep${x}p" ingress
    tc filter add dev "vf$x" ingress prio 65535 protocol all \
        flower skip_hw action mirred egress redirect dev "rep${x}p" ||
        knet_fatal "cannot add the default path of vf$x"
    tc filter add dev "rep${x}p" ingress prio 65535 protocol all \
        flower skip_hw action mirred egress redirect dev "vf$x" ||
        knet_fatal "cannot add the default path of rep${x}p"
}

# knet_emu_attach_args NIC X VPORT: the sriov-nic-emu --attach options that
# make vfX the function side and repXp the rep side (host netdev repX) of
# VPORT (p0, pf0vfN) of NIC.
knet_emu_attach_args() {
    printf -- '--attach=%s,%s,function,afpacket:vf%s ' "$1" "$3" "$2"
    printf -- '--attach=%s,%s,rep,afpacket:rep%sp,rep%s ' "$1" "$3" "$2" "$2"
}

# knet_teardown: stops the captures and daemons and removes every namespace
# and link made so far (so that a test can build another topology).
knet_teardown() {
    knet_capture_stop_all
    local pidfile
    for pidfile in "$KNET_RUNDIR"/*/*.pid; do
        [ -f "$pidfile" ] || continue
        kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || true
    done
    local kind name
    while read -r kind name; do
        case $kind in
            netns) ip netns del "$name" 2>/dev/null || true ;;
            link) ip link del "$name" 2>/dev/null || true ;;
        esac
    done < "$KNET_MADE"
    : > "$KNET_MADE"
    for pidfile in "$KNET_RUNDIR"/*/*.pid; do
        [ -f "$pidfile" ] || continue
        local pid i
        pid=$(cat "$pidfile" 2>/dev/null) || continue
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
}

knet_cleanup() {
    local status=$?
    [ "$status" = 0 ] || knet_save_logs at-exit
    knet_teardown
    exit "$status"
}

# ---------------------------------------------------------------------------
# Daemons.  Each instance lives in its own directory $KNET_RUNDIR/NAME,
# which is also its OVS_RUNDIR, OVS_LOGDIR and OVS_DBDIR.

# knet_use NAME: points the OVS tools (ovs-vsctl, ovs-appctl, ovs-ofctl) at
# instance NAME.
knet_use() {
    OVS_RUNDIR=$KNET_RUNDIR/$1
    OVS_LOGDIR=$OVS_RUNDIR OVS_DBDIR=$OVS_RUNDIR OVS_SYSCONFDIR=$OVS_RUNDIR
    export OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR
}

# knet_wait_uptime SECONDS: waits until the system has been up SECONDS.
knet_wait_uptime() {
    while ! awk -v s="$1" '{ exit !($1 >= s) }' /proc/uptime; do
        sleep 0.2
    done
}

# knet_ovs_start NAME VSWITCHD [OTHER_CONFIG...]: starts ovsdb-server and
# the ovs-vswitchd binary VSWITCHD in instance NAME (see knet_use), with
# Open_vSwitch other_config keys OTHER_CONFIG (KEY=VALUE) set before it
# starts (hw-offload is read only then).  Leaves the tools pointed at NAME.
knet_ovs_start() {
    local name=$1 vswitchd=$2
    shift 2
    mkdir -p "$KNET_RUNDIR/$name"
    knet_use "$name"
    ovsdb-tool create "$OVS_DBDIR/conf.db" \
        "$KNET_OVS_SRCDIR/vswitchd/vswitch.ovsschema" ||
        knet_fatal "$name: cannot create the database"
    ovsdb-server -vconsole:off --detach --no-chdir --pidfile --log-file \
        --remote="punix:$OVS_RUNDIR/db.sock" "$OVS_DBDIR/conf.db" ||
        knet_fatal "$name: ovsdb-server did not start"
    ovs-vsctl --no-wait init
    local kv
    for kv in "$@"; do
        ovs-vsctl --no-wait set Open_vSwitch . "other_config:$kv" ||
            knet_fatal "$name: cannot set other_config:$kv"
    done
    # Open vSwitch 3.1 counts the CPUs only once its monotonic clock (the
    # uptime) passes 10 s, and sees 0 before: in a VM that booted moments
    # ago its upcall threads start for 0 CPUs, and restart when it sees 2,
    # which deletes every datapath flow (count_cpu_cores() in
    # lib/ovs-thread.c, udpif_set_threads()).  Start it after that.
    knet_wait_uptime 11
    "$vswitchd" -vconsole:off -vfile:info --detach --no-chdir --pidfile \
        --log-file ||
        knet_fatal "$name: $vswitchd did not start"
}

# knet_emu_start NAME ARGS...: starts sriov-nic-emu in instance NAME with
# --netlink-dir=$KNET_RUNDIR/NAME/emu and ARGS (--nic, --attach...).
knet_emu_start() {
    local name=$1
    shift
    mkdir -p "$KNET_RUNDIR/$name"
    (
        knet_use "$name"
        "$KNET_EMU" -vconsole:off --detach --no-chdir --pidfile --log-file \
            --netlink-dir="$OVS_RUNDIR/emu" "$@"
    ) || knet_fatal "$name: sriov-nic-emu did not start"
}

# knet_emu_appctl NAME COMMAND...: ovs-appctl to instance NAME's emulator.
knet_emu_appctl() {
    local name=$1
    shift
    (knet_use "$name" && ovs-appctl -t sriov-nic-emu "$@")
}

# knet_log_grep NAME PATTERN: the lines of instance NAME's ovs-vswitchd log
# that match extended regular expression PATTERN.
knet_log_grep() {
    grep -E "$2" "$KNET_RUNDIR/$1/ovs-vswitchd.log"
}

# ---------------------------------------------------------------------------
# Frames: esw-pkt send and capture.

# knet_capture_start NS IFNAME FILE: starts capturing what IFNAME in
# namespace NS receives into FILE and waits until the capture listens.
knet_capture_start() {
    rm -f "$3"
    ip netns exec "$1" "$KNET_PKT" capture "$2" "$3" &
    KNET_CAPTURE_PIDS="$KNET_CAPTURE_PIDS $!"
    knet_wait_until 20 "the capture on $1/$2" test -e "$3" ||
        knet_fatal "esw-pkt capture on $1/$2 did not start"
}

# knet_capture_stop_all: stops every capture (which flushes its file).
knet_capture_stop_all() {
    local pid
    for pid in $KNET_CAPTURE_PIDS; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $KNET_CAPTURE_PIDS; do
        wait "$pid" 2>/dev/null || true
    done
    KNET_CAPTURE_PIDS=
}

# knet_send NS IFNAME FILE: sends the frames of FILE on IFNAME in NS.
knet_send() {
    ip netns exec "$1" "$KNET_PKT" send "$2" "$3" ||
        knet_fail "esw-pkt send $2 $3 in $1 failed"
}

# knet_lines FILE: the number of lines of FILE (0 if it does not exist).
knet_lines() {
    if [ -f "$1" ]; then
        wc -l < "$1" | tr -d ' '
    else
        echo 0
    fi
}

# ---------------------------------------------------------------------------
# Frame building: each function prints a frame as hex (no spaces), with
# correct IPv4 header and L4 checksums.  MACs are aa:bb:cc:dd:ee:ff, IPv4
# addresses dotted quads, IPv6 addresses 32 hex digits.

# knet_hex_mac MAC
knet_hex_mac() { local m=$1; echo "${m//:/}"; }

# knet_hex_ip4 A.B.C.D
knet_hex_ip4() {
    local IFS=.
    # shellcheck disable=SC2086
    printf '%02x%02x%02x%02x' $1
}

# knet_csum HEX: the Internet checksum of HEX (an even number of digits),
# as 4 hex digits.
knet_csum() {
    local hex=$1 sum=0 i
    [ $((${#hex} % 4)) -eq 0 ] || hex=${hex}00
    for ((i = 0; i < ${#hex}; i += 4)); do
        sum=$((sum + 16#${hex:i:4}))
    done
    while [ $((sum >> 16)) -ne 0 ]; do
        sum=$(((sum & 0xffff) + (sum >> 16)))
    done
    printf '%04x' $((~sum & 0xffff))
}

# knet_payload LEN: LEN bytes 00 01 02 ... ff 00 ...
knet_payload() {
    local i out=
    for ((i = 0; i < $1; i++)); do
        out+=$(printf '%02x' $((i & 0xff)))
    done
    echo "$out"
}

# knet_eth DST SRC ETHERTYPE [VLAN_TCI]: an Ethernet header (with an
# 802.1Q tag if VLAN_TCI, a number, is given).
knet_eth() {
    local tag=
    [ -z "${4:-}" ] || tag=$(printf '8100%04x' "$4")
    printf '%s%s%s%s' "$(knet_hex_mac "$1")" "$(knet_hex_mac "$2")" "$tag" "$3"
}

# knet_ip4 SRC DST PROTO TOS L4HEX: an IPv4 header (TTL 64, ID 1, DF unset)
# and its payload L4HEX.
knet_ip4() {
    local len=$((20 + ${#5} / 2)) hdr
    hdr=$(printf '45%02x%04x00010000' "$4" "$len")$(printf '40%02x' "$3")
    local addrs
    addrs=$(knet_hex_ip4 "$1")$(knet_hex_ip4 "$2")
    printf '%s%s%s%s' "$hdr" "$(knet_csum "$hdr$addrs")" "$addrs" "$5"
}

# knet_l4_ip4 SRC DST PROTO L4HEX_WITH_ZERO_CSUM CSUM_OFFSET: L4HEX with its
# checksum (at byte CSUM_OFFSET) over the IPv4 pseudo-header.
knet_l4_ip4() {
    local pseudo csum l4=$4 off=$(($5 * 2))
    pseudo=$(knet_hex_ip4 "$1")$(knet_hex_ip4 "$2")
    pseudo+=$(printf '00%02x%04x' "$3" $((${#l4} / 2)))
    csum=$(knet_csum "$pseudo$l4")
    printf '%s%s%s' "${l4:0:off}" "$csum" "${l4:off+4}"
}

# knet_udp4 DST_MAC SRC_MAC SRC_IP DST_IP SPORT DPORT PAYLOAD_LEN [TOS]
#           [VLAN_TCI]
knet_udp4() {
    local payload udp tos=${8:-0}
    payload=$(knet_payload "$7")
    udp=$(printf '%04x%04x%04x0000' "$5" "$6" $((8 + $7)))$payload
    udp=$(knet_l4_ip4 "$3" "$4" 17 "$udp" 6)
    printf '%s%s\n' "$(knet_eth "$1" "$2" 0800 "${9:-}")" \
        "$(knet_ip4 "$3" "$4" 17 "$tos" "$udp")"
}

# knet_tcp4 DST_MAC SRC_MAC SRC_IP DST_IP SPORT DPORT PAYLOAD_LEN [VLAN_TCI]:
# a TCP SYN.
knet_tcp4() {
    local tcp
    # Sequence number 1, SYN, window 0x7210, checksum 0 (for now).
    tcp=$(printf '%04x%04x00000001000000005002721000000000' "$5" "$6")
    tcp+=$(knet_payload "$7")
    tcp=$(knet_l4_ip4 "$3" "$4" 6 "$tcp" 16)
    printf '%s%s\n' "$(knet_eth "$1" "$2" 0800 "${8:-}")" \
        "$(knet_ip4 "$3" "$4" 6 0 "$tcp")"
}

# knet_arp DST_MAC SRC_MAC OP SENDER_IP TARGET_MAC TARGET_IP [VLAN_TCI]:
# an ARP packet (OP 1 request, 2 reply), padded to 60 bytes.
knet_arp() {
    printf '%s000108000604%04x%s%s%s%s%036d\n' \
        "$(knet_eth "$1" "$2" 0806 "${7:-}")" "$3" \
        "$(knet_hex_mac "$2")" "$(knet_hex_ip4 "$4")" \
        "$(knet_hex_mac "$5")" "$(knet_hex_ip4 "$6")" 0
}

# knet_udp6 DST_MAC SRC_MAC SRC_IP6 DST_IP6 SPORT DPORT PAYLOAD_LEN
knet_udp6() {
    local len=$((8 + $7)) udp pseudo csum
    udp=$(printf '%04x%04x%04x0000' "$5" "$6" "$len")$(knet_payload "$7")
    pseudo=$3$4$(printf '%08x000000%02x' "$len" 17)
    csum=$(knet_csum "$pseudo$udp")
    udp=${udp:0:12}$csum${udp:16}
    printf '%s60000000%04x%02x40%s%s%s\n' \
        "$(knet_eth "$1" "$2" 86dd)" "$len" 17 "$3" "$4" "$udp"
}
