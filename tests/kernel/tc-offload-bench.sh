#!/bin/bash
# tc-offload-bench.sh [N [ours|ovs|both]]: our offload engine against Open
# vSwitch's own TC offload, both putting megaflows into the VM kernel's TC
# flower (skip_hw).
#
# Runs INSIDE the esw-testbed VM ("make bench-kernel", or
# tests/kernel/esw-testbed run tests/kernel/tc-offload-bench.sh [N]).  Not
# a test: it prints figures, and fails only if a side cannot do the work.
#
#   OVS    Open vSwitch's own ovs-vswitchd, kernel datapath
#          (datapath_type=system), hw-offload=true, tc-policy=skip_hw, on
#          veth ports p1 and p2: its TC provider (lib/netdev-offload-tc.c)
#          puts each megaflow on the ingress of its in_port's netdev.
#   ours   our ovs-vswitchd, datapath_type=eswitch, kernel mode: ports rep1
#          and rep2 bound to vports vf1 and vf2 (other_config:eswitch-vport;
#          see lib-kernel-net.sh), rules on the ingress of vf1.
#
# For each (or only the side named), N megaflows (default 1000) that
# differ in their IPv4 source,
# from port 1 to port 2, are added with "ovs-appctl dpctl/add-flows DP
# FILE"; figures:
#
#   install   from the start of dpctl/add-flows until the kernel holds N
#             flower rules on the vport (tc -brief filter show);
#   refresh   reading the counters of the N rules: ours
#             "ovs-appctl eswitch/offload-refresh" (it also reports its own
#             time), OVS's "ovs-appctl dpctl/dump-flows type=tc" (OVS has no
#             refresh command; that dump reads every rule from TC); and
#             "dpctl/dump-flows type=offloaded" for both;
#   delete    from the start of "dpctl/del-flows DP" until no rule is left;
#   tc -s     "tc -s filter show" of the N rules, as a reference.
#
# N above 1000 is refused: the megaflows carry no traffic, and OVS's
# revalidators (in both daemons) lower their flow limit to its floor, 1000,
# when a dump of the flows takes over 1.3 s, as 2000 flows do under TCG;
# above the limit, idle flows expire after 100 ms whatever max-idle says,
# and the figures would measure that instead
# (ofproto/ofproto-dpif-upcall.c).
#
# Times are the median of 5 runs where a figure is cheap to repeat.  Every
# figure taken through ovs-appctl includes the start of an ovs-appctl
# process, which under TCG dominates small figures: "ovs-appctl version" is
# measured too, as that baseline.  Under
# TCG everything is several times slower than on real hardware: read the
# ratios, not the absolute times (tests/kernel/README.rst).

set -u
exec 2>&1

# shellcheck source=lib-kernel-net.sh
. "$(dirname "$0")/lib-kernel-net.sh"

N=${1:-1000}
SIDES=${2:-both}
case $N in
    ''|*[!0-9]*) knet_fatal "usage: $0 [N [ours|ovs|both]]" ;;
esac
if [ "$N" -lt 1 ] || [ "$N" -gt 1000 ]; then
    knet_fatal "N must be 1 to 1000 (see the comment at the top of $0)"
fi
case $SIDES in
    ours|ovs|both) ;;
    *) knet_fatal "usage: $0 [N [ours|ovs|both]]" ;;
esac
WAIT=$((60 + N / 10))  # seconds, for the install and delete waits

knet_init
knet_modprobe veth tun sch_ingress cls_flower act_mirred act_gact \
    openvswitch
knet_no_ipv6

# rules_on DEV: the number of flower rules on DEV's ingress below prio
# 65535 (the default path of kernel mode is at 65535).
rules_on() {
    tc -brief filter show dev "$1" ingress 2>/dev/null |
        awk '/^filter / && / handle / {
                 for (i = 1; i < NF; i++) {
                     if ($i == "pref" && $(i + 1) < 65535) { n++ }
                 }
             }
             END { print n + 0 }'
}
rules_are() { [ "$(rules_on "$1")" = "$2" ]; }

# claimed PORT...: whether our engine claimed every PORT.
claimed() {
    local port show
    show=$(ovs-appctl eswitch/offload-show)
    for port; do
        grep -q "^  $port: eswitch vport" <<< "$show" || return 1
    done
}

# has_flow_api PORT: whether OVS's log says PORT got a flow API.
has_flow_api() { knet_log_grep ovs "$1: Assigned flow API" > /dev/null; }

# to_ms SECONDS: SECONDS in ms, one decimal.
to_ms() { awk -v t="$1" 'BEGIN { printf "%.1f", t * 1000 }'; }

# median5 COMMAND...: runs COMMAND 5 times (the output of the last in
# $bench/last.out) and prints the median of its wall times in ms.
median5() {
    local i times=
    for i in 1 2 3 4 5; do
        times="$times $(ms "$@")"
    done
    # shellcheck disable=SC2086
    printf '%s\n' $times | sort -g | sed -n 3p
}

# ms COMMAND...: runs COMMAND (output to $bench/last.out) and prints its
# wall time in ms.
ms() {
    local t0
    t0=$(knet_now)
    "$@" > "$bench/last.out" 2>&1
    awk -v s="$t0" -v e="$(knet_now)" 'BEGIN { printf "%.1f", (e - s) * 1000 }'
}

# write_megaflows IN_PORT OUT_ODP_PORT [PACKET_TYPE]: N datapath flows, in
# dpctl syntax, as the OpenFlow rule "in_port=1,ip,actions=output:2" would
# make them (but narrower), so that the revalidators keep them: a flow
# broader than what the rule needs is deleted at once.  PACKET_TYPE is
# "packet_type(ns=0,id=0)," for the userspace datapath, whose megaflows
# match the packet type exactly (the kernel datapath's keys have none).
write_megaflows() {
    awk -v n="$N" -v in_port="$1" -v out="$2" -v pt="${3:-}" 'BEGIN {
        for (i = 0; i < n; i++) {
            printf "recirc_id(0),in_port(%s),%s", in_port, pt
            printf "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
            printf "eth_type(0x0800),"
            printf "ipv4(src=10.%d.%d.%d,dst=10.200.0.1,frag=no) %s\n",
                1 + int(i / 65536), int(i / 256) % 256, i % 256, out
        }
    }'
}

# odp_port NAME: the datapath port number of NAME.
odp_port() {
    ovs-appctl dpctl/show |
        sed -n "s/^ *port \\([0-9]*\\): $1\\( .*\\)\\{0,1\\}\$/\\1/p"
}

# measure SIDE DP IN_PORT OUT_PORT VPORT: the figures of one side, into
# fig[SIDE,...].
declare -A fig
measure() {
    local side=$1 dp=$2 in_port=$3 out_port=$4 vport=$5 out
    out=$(odp_port "$out_port")
    [ -n "$out" ] || knet_fatal "$side: no datapath port $out_port in $dp"
    local packet_type=
    [ "$side" != ours ] || packet_type='packet_type(ns=0,id=0),'
    write_megaflows "$in_port" "$out" "$packet_type" > "$bench/$side.flows"

    knet_step "$side: installing $N megaflows with dpctl/add-flows $dp"
    local t0 t_cmd t_all
    t0=$(knet_now)
    ovs-appctl dpctl/add-flows "$dp" "$bench/$side.flows" \
        > "$bench/$side-add.out" 2>&1 ||
        knet_fatal "$side: dpctl/add-flows failed"
    t_cmd=$(knet_elapsed "$t0")
    if ! knet_wait_until "$WAIT" "$side: $N rules on $vport" \
             rules_are "$vport" "$N"; then
        echo "  $side: $(rules_on "$vport") rules on $vport;" \
             "dpctl/add-flows said:"
        head -5 "$bench/$side-add.out" | sed 's/^/    /'
        knet_fatal "$side: the megaflows did not all reach TC"
    fi
    t_all=$(knet_elapsed "$t0")
    fig[$side,add_cmd]=$(to_ms "$t_cmd")
    fig[$side,install]=$(to_ms "$t_all")
    fig[$side,rate]=$(awk -v t="$t_all" -v n="$N" \
                          'BEGIN { printf "%.0f", n / t }')
    knet_ok "$side: $N rules in TC in ${fig[$side,install]} ms" \
            "(dpctl/add-flows returned after ${fig[$side,add_cmd]} ms)"

    knet_step "$side: reading the counters of $N rules"
    fig[$side,appctl]=$(median5 ovs-appctl version)
    if [ "$side" = ours ]; then
        fig[$side,refresh]=$(median5 ovs-appctl eswitch/offload-refresh)
        cat "$bench/last.out"
        fig[$side,refresh_self]=$(sed -n 's/.* in \([0-9.]*\) ms.*/\1/p' \
                                      "$bench/last.out")
        grep -q "refreshed $N rules" "$bench/last.out" ||
            knet_fail "ours: eswitch/offload-refresh did not refresh" \
                      "$N rules: $(cat "$bench/last.out")"
    else
        fig[$side,refresh]=$(median5 ovs-appctl dpctl/dump-flows "$dp" type=tc)
        local n_dumped
        n_dumped=$(grep -c 'actions:' "$bench/last.out")
        [ "$n_dumped" = "$N" ] ||
            knet_fail "OVS: dpctl/dump-flows type=tc listed $n_dumped" \
                      "flows, not $N"
    fi
    # The flows in TC as OVS's dpctl lists them: ours are "offloaded"
    # (in the eswitch); OVS's skip_hw rules are not in hardware, so OVS
    # lists them as type=tc, not type=offloaded.
    local type=offloaded
    [ "$side" = ours ] || type=tc
    fig[$side,dump_offloaded]=$(median5 ovs-appctl dpctl/dump-flows "$dp" \
                                        type=$type)
    local n_off
    n_off=$(grep -c 'actions:' "$bench/last.out")
    [ "$n_off" = "$N" ] ||
        knet_fail "$side: dpctl/dump-flows type=$type listed $n_off" \
                  "flows, not $N"
    local n_left
    n_left=$(rules_on "$vport")
    [ "$n_left" = "$N" ] ||
        knet_fail "$side: $n_left rules left on $vport after reading" \
                  "the counters, not $N"
    fig[$side,tc_show]=$(median5 tc -s filter show dev "$vport" ingress)
    fig[$side,tc_brief]=$(median5 tc -brief filter show dev "$vport" ingress)
    knet_ok "$side: refresh ${fig[$side,refresh]} ms," \
            "dump-flows type=$type ${fig[$side,dump_offloaded]} ms," \
            "tc -s filter show ${fig[$side,tc_show]} ms"

    knet_step "$side: deleting the $N megaflows"
    t0=$(knet_now)
    ovs-appctl dpctl/del-flows "$dp" > /dev/null 2>&1 ||
        knet_fail "$side: dpctl/del-flows failed"
    if knet_wait_until "$WAIT" "$side: no rule on $vport" \
           rules_are "$vport" 0; then
        fig[$side,delete]=$(to_ms "$(knet_elapsed "$t0")")
        knet_ok "$side: $N rules gone from TC in ${fig[$side,delete]} ms"
    else
        fig[$side,delete]=-
        knet_fail "$side: $(rules_on "$vport") rules left on $vport"
    fi
    knet_save_logs "bench-$side"
}

bench=$KNET_RUNDIR/bench
mkdir -p "$bench"
# Both daemons keep the flows, which carry no traffic: no idle expiry
# (max-idle), and revalidation rounds at most every 10 s (max-revalidator):
# with the default 500 ms, a dump slower than 250 ms (1000 TC rules under
# TCG) makes OVS delete, rather than revalidate, every flow that saw no
# packet for 200 ms (should_revalidate() in ofproto-dpif-upcall.c).
COMMON_CONFIG=(hw-offload=true tc-policy=skip_hw max-idle=3600000
               max-revalidator=10000)

# (i) Open vSwitch's own, kernel datapath.
bench_ovs() {
    knet_step "OVS: $KNET_OVS_VSWITCHD, datapath_type=system"
    knet_veth p1 p1peer
    knet_veth p2 p2peer
    knet_ovs_start ovs "$KNET_OVS_VSWITCHD" "${COMMON_CONFIG[@]}"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=system \
            fail-mode=secure \
        -- add-port br0 p1 -- set interface p1 ofport_request=1 \
        -- add-port br0 p2 -- set interface p2 ofport_request=2 ||
        knet_fatal "OVS: cannot make the bridge"
    # The OpenFlow rule that the megaflows implement, so that the revalidators
    # keep them.
    ovs-ofctl add-flow br0 in_port=1,ip,actions=output:2
    knet_wait_until 30 "OVS: its TC provider on p1" has_flow_api p1 ||
        knet_fatal "OVS: no flow API on p1"
    measure OVS system@ovs-system p1 p2 p1
    # Remove the kernel datapath (and its br0) as well.
    ovs-appctl exit --cleanup
    knet_teardown
}

# (ii) Ours, kernel mode.
bench_ours() {
    knet_step "ours: $KNET_VSWITCHD, datapath_type=eswitch, kernel mode"
    knet_port_kernel 1 02:00:00:00:00:01
    knet_port_kernel 2 02:00:00:00:00:02
    knet_ovs_start ours "$KNET_VSWITCHD" "${COMMON_CONFIG[@]}"
    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=eswitch \
            fail-mode=secure \
        -- add-port br0 rep1 -- set interface rep1 ofport_request=1 \
            other_config:eswitch-vport=vf1 \
        -- add-port br0 rep2 -- set interface rep2 ofport_request=2 \
            other_config:eswitch-vport=vf2 ||
        knet_fatal "ours: cannot make the bridge"
    ovs-ofctl add-flow br0 in_port=1,ip,actions=output:2
    knet_wait_until 30 "ours: the engine to claim rep1 and rep2" \
        claimed rep1 rep2 ||
        knet_fatal "ours: the engine did not claim rep1 and rep2"
    measure ours eswitch@ovs-eswitch rep1 rep2 vf1
    knet_teardown
}

[ "$SIDES" = ours ] || bench_ovs
[ "$SIDES" = ovs ] || bench_ours

# The table.  "gain" is how many times better ours is: OVS's time over
# ours, or our rate over OVS's (> 1: ours is better).
row() {
    # row FIGURE KEY [rate]: fig[ours,KEY] and fig[OVS,KEY], and the gain.
    local ours=${fig[ours,$2]:--} ovs=${fig[OVS,$2]:--} gain
    gain=$(awk -v a="$ours" -v b="$ovs" -v rate="${3:-}" 'BEGIN {
        if (a + 0 <= 0 || b + 0 <= 0) { print "-"; exit }
        printf "%.2f", rate ? a / b : b / a }')
    printf '%-44s %11s %11s %7s\n' "$1" "$ours" "$ovs" "$gain"
}
echo
echo "tc-offload-bench: N=$N megaflows, kernel $(uname -r)," \
     "qemu TCG (emulated CPU)"
printf '%-44s %11s %11s %7s\n' figure ours OVS gain
row "install N megaflows into TC (ms)" install
row "  megaflows into TC per second" rate rate
row "  dpctl/add-flows returned after (ms)" add_cmd
row "read N rules' counters (ms) [1]" refresh
row "dpctl/dump-flows of the N flows (ms) [2]" dump_offloaded
row "delete N megaflows from TC (ms)" delete
row "reference: ovs-appctl version (ms) [4]" appctl
row "reference: tc -s filter show (ms)" tc_show
row "reference: tc -brief filter show (ms) [3]" tc_brief
echo "gain: OVS's time / ours, or our rate / OVS's (> 1: ours is better)."
echo "[1] ours: ovs-appctl eswitch/offload-refresh (it says" \
     "${fig[ours,refresh_self]:--} ms"
echo "    itself); OVS: ovs-appctl dpctl/dump-flows type=tc (no refresh" \
     "command)."
echo "[2] ours: type=offloaded; OVS: type=tc (its skip_hw rules are not" \
     "\"offloaded\")."
echo "[3] the install and delete times include up to one such poll of TC."
echo "[4] the cost of one ovs-appctl command, included in [1] and [2]."

if [ "$KNET_FAILURES" -ne 0 ]; then
    printf 'tc-offload-bench: %d check(s) FAILED\n' "$KNET_FAILURES"
    exit 1
fi
