#!/bin/bash
# smoke.sh: the kernel test bed's smoke test.  Runs INSIDE the esw-testbed
# VM (tests/kernel/esw-testbed run tests/kernel/smoke.sh): it needs the real
# kernel's flower classifier, TC actions and openvswitch module.
#
#   ns "left"  [l1] ---veth--- [l0]  root ns  [r0] ---veth--- [r1]  ns "right"
#   10.11.0.1                   |    ingress   |                   10.11.0.2
#                               +-- flower skip_hw: mirred egress redirect --+
#
# l0 and r0 are not bridged or routed: packets only cross between them
# through the flower filters, in both directions (IPv4 to one filter, ARP to
# another).  A ping from "left" to "right" must succeed, and the ICMP filters
# must have counted exactly the echo requests and replies.

set -eu
# One ordered log: the checks and the tools' complaints interleaved.
exec 2>&1

COUNT=3
failures=0
step() { printf '=== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }
fatal() { printf 'FATAL: %s\n' "$*" >&2; exit 1; }

[ "${ESW_TESTBED:-}" = 1 ] ||
    fatal "run me inside the test bed: tests/kernel/esw-testbed run $0"
# shellcheck source=/dev/null
. "$ESW_TESTBED_LIB"

step "kernel $(uname -r)"

step "loading modules"
MODULES="veth sch_ingress cls_flower act_mirred act_vlan act_pedit act_gact act_csum openvswitch"
for m in $MODULES; do
    esw_modprobe "$m" || fatal "cannot load $m"
    [ -d "/sys/module/$m" ] || fatal "module $m loaded but /sys/module/$m is missing"
done
ok "loaded: $MODULES"
if genl ctrl list 2>/dev/null | grep -q 'ovs_datapath'; then
    ok "openvswitch: generic netlink family ovs_datapath registered"
else
    fail "openvswitch: no ovs_datapath generic netlink family"
fi

if command -v ping >/dev/null 2>&1; then
    PING=(ping)
else
    PING=("$ESW_TESTBED_BUSYBOX" ping)
fi

step "topology: two veth pairs, two namespaces"
ip netns add left
ip netns add right
ip link add l0 type veth peer name l1 netns left
ip link add r0 type veth peer name r1 netns right
ip link set l0 up
ip link set r0 up
ip -n left addr add 10.11.0.1/24 dev l1
ip -n right addr add 10.11.0.2/24 dev r1
ip -n left link set l1 up
ip -n right link set r1 up
ip -n left link set lo up
ip -n right link set lo up
ok "veth l0<->l1 (ns left), r0<->r1 (ns right)"

step "no filters yet: left cannot reach right"
if ip netns exec left "${PING[@]}" -c 1 -W 1 10.11.0.2 >/dev/null 2>&1; then
    fail "ping crossed without any filter: the topology is wrong"
else
    ok "ping fails without the redirects"
fi
# Drop the unanswered neighbour entry and the echo request queued behind it,
# so that it is not sent late, once the filters exist, and counted.
ip -n left neigh flush all

step "ingress qdiscs and flower skip_hw filters with mirred egress redirect"
for pair in l0:r0 r0:l0; do
    from=${pair%:*} to=${pair#*:}
    tc qdisc add dev "$from" ingress
    tc filter add dev "$from" ingress pref 10 protocol ip \
        flower skip_hw ip_proto icmp \
        action mirred egress redirect dev "$to"
    tc filter add dev "$from" ingress pref 20 protocol arp \
        flower skip_hw \
        action mirred egress redirect dev "$to"
done
tc filter show dev l0 ingress
for dev in l0 r0; do
    out=$(tc filter show dev "$dev" ingress pref 10)
    case $out in
        *skip_hw*not_in_hw*) ok "$dev: flower filter is skip_hw and not_in_hw" ;;
        *) fail "$dev: flower filter lacks skip_hw/not_in_hw: $out" ;;
    esac
done

# packets counted by the mirred action of filter PREF on DEV's ingress.
action_packets() {
    tc -s filter show dev "$1" ingress pref "$2" |
        sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n1
}
l0_before=$(action_packets l0 10)
r0_before=$(action_packets r0 10)

step "sending $COUNT pings from left to right through the filters"
if ip netns exec left "${PING[@]}" -c "$COUNT" -W 2 10.11.0.2; then
    ok "ping left -> right succeeded"
else
    fail "ping left -> right failed"
fi

step "checking the counters (tc -s filter show)"
tc -s filter show dev l0 ingress
tc -s filter show dev r0 ingress
n=$(action_packets l0 10)
if [ "$l0_before" = 0 ] && [ "$n" = "$COUNT" ]; then
    ok "l0 ingress icmp filter redirected $n packets (the echo requests)"
else
    fail "l0 ingress icmp filter redirected '${n:-none}' packets (before: '$l0_before'), expected $COUNT"
fi
n=$(action_packets r0 10)
if [ "$r0_before" = 0 ] && [ "$n" = "$COUNT" ]; then
    ok "r0 ingress icmp filter redirected $n packets (the echo replies)"
else
    fail "r0 ingress icmp filter redirected '${n:-none}' packets (before: '$r0_before'), expected $COUNT"
fi
n=$(action_packets l0 20)
if [ -n "$n" ] && [ "$n" -ge 1 ]; then
    ok "l0 ingress arp filter redirected $n packets"
else
    fail "l0 ingress arp filter redirected '${n:-none}' packets, expected at least 1"
fi
rx=$(ip -n right -s -j link show r1 | sed -n 's/.*"rx":{"bytes":[0-9]*,"packets":\([0-9]*\).*/\1/p')
if [ -n "$rx" ] && [ "$rx" -ge "$COUNT" ]; then
    ok "r1 (ns right) received $rx packets"
else
    fail "r1 (ns right) received '${rx:-?}' packets, expected at least $COUNT"
fi

step "deleting the icmp filter on l0: pings must stop crossing"
tc filter del dev l0 ingress pref 10
if ip netns exec left "${PING[@]}" -c 1 -W 1 10.11.0.2 >/dev/null 2>&1; then
    fail "ping still crosses without the icmp redirect"
else
    ok "ping fails without the icmp redirect"
fi

if [ "$failures" -ne 0 ]; then
    printf 'smoke: %d check(s) FAILED\n' "$failures"
    exit 1
fi
printf 'smoke: all checks passed\n'
