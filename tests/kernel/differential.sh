#!/bin/bash
# differential.sh: sriov-nic-emu against the real kernel's TC flower.
#
# Runs INSIDE the esw-testbed VM (tests/kernel/esw-testbed run
# tests/kernel/differential.sh; "make check-kernel" does).  The same
# OpenFlow pipeline and the same frames go through our ovs-vswitchd twice:
#
#   emu     offloaded into sriov-nic-emu (eswitch-netlink=unix:DIR), whose
#           VFs, uplink and representors are veths it holds with AF_PACKET;
#   kernel  offloaded into the VM kernel's TC (tc-policy=skip_hw), each
#           port bound to its vport with other_config:eswitch-vport, the
#           eswitch's default path being TC rules at prio 65535 (see
#           lib-kernel-net.sh).
#
# Both must give, frame for frame, the same frames to each VM namespace,
# the same megaflows placed the same way (hardware, or software and why),
# the same per-megaflow hardware packet counters and the same OpenFlow
# n_packets.  Each mode is also checked on its own: every frame reaches whom
# the pipeline says, the frames of one kind are the same whether OVS (the
# first) or the NIC (the rest) switched them, nothing was refused, and in
# kernel mode each offloaded megaflow is a flower rule in the kernel.
#
# Counters are made deterministic by sending the first frame of a kind,
# waiting until OVS has accounted for it and its megaflow is placed, and
# only then sending the rest.
#
# Exit status 0 if everything matches; 1 with a diff otherwise.

set -u
exec 2>&1

# shellcheck source=lib-kernel-net.sh
. "$(dirname "$0")/lib-kernel-net.sh"

knet_init
knet_step "kernel $(uname -r)"
knet_modprobe veth tun sch_ingress cls_flower act_mirred act_vlan act_pedit \
    act_gact act_csum
knet_no_ipv6

# ---------------------------------------------------------------------------
# The logical network.  Ports 1 and 2 are VMs on VFs 0 and 1, "ext" a host
# on the wire behind the uplink, on VLAN 100.

PORTS="1 2 ext"
VLAN=100
declare -A MAC=([1]=02:00:00:00:00:01 [2]=02:00:00:00:00:02
                [ext]=02:00:00:00:00:64)
declare -A IP=([1]=10.0.0.1 [2]=10.0.0.2 [ext]=10.0.0.100)
declare -A OFPORT=([1]=1 [2]=2 [ext]=10)
declare -A EMU_VPORT=([1]=pf0vf0 [2]=pf0vf1 [ext]=p0)
NIC=pci/0000:03:00.0
BCAST=ff:ff:ff:ff:ff:ff
IP6_1=fd000000000000000000000000000001
IP6_2=fd000000000000000000000000000002

WAIT=30       # seconds, for each wait

# The pipeline.  Every frame matches exactly one rule (priority 0 catches
# the rest), so the sum of n_packets is the number of frames sent.
write_flows() {
    local m1=${MAC[1]} m2=${MAC[2]} mx=${MAC[ext]} up=${OFPORT[ext]}
    cat <<EOF
priority=300,tcp,tp_dst=23,actions=drop
priority=250,in_port=1,udp,dl_dst=$m2,tp_dst=6000,actions=mod_tp_dst:6001,output:2
priority=250,in_port=1,udp,dl_dst=$m2,tp_dst=6100,actions=mod_nw_tos:32,output:2
priority=250,in_port=1,udp,dl_dst=$m2,tp_dst=7000,actions=controller,output:2
priority=200,in_port=$up,dl_vlan=$VLAN,dl_dst=$m1,actions=strip_vlan,output:1
priority=200,in_port=$up,dl_vlan=$VLAN,dl_dst=$m2,actions=strip_vlan,output:2
priority=190,in_port=$up,dl_vlan=$VLAN,dl_dst=$BCAST,actions=strip_vlan,output:1,output:2
priority=180,in_port=$up,actions=drop
priority=100,in_port=1,dl_dst=$m2,actions=output:2
priority=100,in_port=2,dl_dst=$m1,actions=output:1
priority=100,in_port=1,dl_dst=$mx,actions=mod_vlan_vid:$VLAN,output:$up
priority=100,in_port=2,dl_dst=$mx,actions=mod_vlan_vid:$VLAN,output:$up
priority=90,in_port=1,dl_dst=$BCAST,actions=output:2,mod_vlan_vid:$VLAN,output:$up
priority=90,in_port=2,dl_dst=$BCAST,actions=output:1,mod_vlan_vid:$VLAN,output:$up
priority=0,actions=drop
EOF
}

# The frames, in kinds: "NAME FROM COUNT RECEIVERS FRAME [REWRITTEN]" per
# line, where COUNT copies of FRAME (hex) are sent by port FROM and
# RECEIVERS is "-" (dropped) or a comma-separated list of the ports that
# must get each, as REWRITTEN (default FRAME) with VLAN 100 pushed towards
# ext and popped from it (expected_frame).
write_kinds() {
    local m1=${MAC[1]} m2=${MAC[2]} mx=${MAC[ext]}
    local i1=${IP[1]} i2=${IP[2]} ix=${IP[ext]}
    echo "udp-5001 1 5 2 $(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 5001 18)"
    echo "udp-5002 1 3 2 $(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 5002 30)"
    echo "udp-reply 2 3 1 $(knet_udp4 "$m1" "$m2" "$i2" "$i1" 5001 1000 18)"
    local zero=00:00:00:00:00:00
    echo "arp-request 1 3 2,ext $(knet_arp "$BCAST" "$m1" 1 "$i1" $zero "$i2")"
    echo "arp-reply 2 3 1 $(knet_arp "$m1" "$m2" 2 "$i2" "$m1" "$i1")"
    echo "tcp-23 1 4 - $(knet_tcp4 "$m2" "$m1" "$i1" "$i2" 40000 23 6)"
    echo "tcp-80 1 4 2 $(knet_tcp4 "$m2" "$m1" "$i1" "$i2" 40001 80 6)"
    echo "udp6 1 3 2 $(knet_udp6 "$m2" "$m1" "$IP6_1" "$IP6_2" 1000 5001 20)"
    echo "to-ext 1 4 ext $(knet_udp4 "$mx" "$m1" "$i1" "$ix" 1000 5001 18)"
    echo "to-ext-2 2 3 ext $(knet_udp4 "$mx" "$m2" "$i2" "$ix" 1000 5001 18)"
    local v=$VLAN
    echo "from-ext ext 4 1" \
         "$(knet_udp4 "$m1" "$mx" "$ix" "$i1" 5001 1000 18 0 $v)"
    echo "from-ext-tcp-80 ext 3 2" \
         "$(knet_tcp4 "$m2" "$mx" "$ix" "$i2" 40002 80 6 $v)"
    echo "from-ext-tcp-23 ext 3 -" \
         "$(knet_tcp4 "$m2" "$mx" "$ix" "$i2" 40003 23 6 $v)"
    echo "from-ext-untagged ext 3 -" \
         "$(knet_udp4 "$m1" "$mx" "$ix" "$i1" 5001 1000 18)"
    echo "from-ext-vlan-200 ext 3 -" \
         "$(knet_udp4 "$m1" "$mx" "$ix" "$i1" 5001 1000 18 0 200)"
    echo "from-ext-arp ext 3 1,2" \
         "$(knet_arp "$BCAST" "$mx" 1 "$ix" $zero "$i1" $v)"
    echo "set-tp-dst 1 4 2 $(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 6000 18)" \
         "$(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 6001 18)"
    echo "set-tos 1 4 2 $(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 6100 18)" \
         "$(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 6100 18 32)"
    echo "controller 1 3 2 $(knet_udp4 "$m2" "$m1" "$i1" "$i2" 1000 7000 18)"
}

# expected_frame FROM RECEIVER FRAME: FRAME as RECEIVER must get it: with
# VLAN 100 pushed if it goes to ext, popped if it comes from ext.
expected_frame() {
    local from=$1 to=$2 frame=$3
    if [ "$to" = ext ] && [ "$from" != ext ]; then
        frame=${frame:0:24}$(printf '8100%04x' "$VLAN")${frame:24}
    elif [ "$from" = ext ] && [ "$to" != ext ]; then
        frame=${frame:0:24}${frame:32}
    fi
    echo "$frame"
}

# ---------------------------------------------------------------------------
# Observations, each normalised so that the two modes can be compared.

# The sum of n_packets of br0's OpenFlow rules.
of_packets_sum() {
    ovs-ofctl dump-flows br0 |
        sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p' |
        awk '{ s += $1 } END { print s + 0 }'
}

# Whether the sum of n_packets is $1.
of_packets_are() { [ "$(of_packets_sum)" = "$1" ]; }

# Whether every datapath flow is placed (the offload engine lists as many
# flows as the datapath has; offload-show places pending rules first).
flows_placed() {
    local n_dp n_engine
    n_dp=$(ovs-appctl dpctl/dump-flows | grep -c 'actions:')
    n_engine=$(ovs-appctl eswitch/offload-show | grep -c '^  ufid:')
    [ "$n_dp" = "$n_engine" ]
}

# fail_count NAME N: reports that OpenFlow did not count N frames.
fail_count() {
    knet_fail "$mode: $1: OpenFlow counted $(of_packets_sum) of $2 frames"
}

# Whether the engine claimed the three representors.
ports_claimed() {
    [ "$(ovs-appctl eswitch/offload-show |
         grep -cE '^  rep(1|2|ext): eswitch vport')" = 3 ]
}

# Whether every port has got its expected number of frames.
all_received() {
    local x
    for x in $PORTS; do
        [ "$(knet_lines "$out/rx-$x.frames")" -ge "${expect_rx[$x]}" ] ||
            return 1
    done
}

# OpenFlow rules: match, actions, n_packets and n_bytes.
dump_openflow() {
    ovs-ofctl dump-flows br0 |
        sed -e '/NXST_FLOW\|OFPST_FLOW/d' \
            -e 's/ cookie=[^,]*,//; s/ duration=[^,]*,//; s/ table=0,//' \
            -e 's/ idle_age=[^,]*,//' |
        sort
}

# Offloaded megaflows with their hardware packet counters.  (Only the
# flows: dpctl's "flow-dump from the main thread:" title comes and goes
# with the order of the dump.)
dump_offloaded() {
    ovs-appctl dpctl/dump-flows type=offloaded | grep 'actions:' |
        sed -e 's/, bytes:[0-9]*//; s/, used:[^,]*//' | sort
}

# Every megaflow (verbose match and actions) and where it is, as OVS sees
# it: "hardware" (offloaded:yes) or "software".  (The engine knows flows by
# dpif-netdev's mega_ufid, which dpctl does not show: the engine's own view
# is in dump_reasons and dump_rules.)
dump_placement() {
    ovs-appctl dpctl/dump-flows -m | grep 'actions:' |
        sed -e 's/^ufid:[^ ]* //' \
            -e 's/packets:[0-9]*, bytes:[0-9]*, //' \
            -e 's/^\(.*, \)\{0,1\}flags:[^ ]* /\1/; s/used:[^,]*, //' \
            -e 's/, dp-extra-info:.*//' \
            -e 's/offloaded:yes, dp:[a-z]*, \(.*\)/\1 => hardware/' \
            -e 's/dp:[a-z]*, \(.*\)/\1 => software/' |
        sort
}

# The engine's reasons for the megaflows it left in software.
dump_reasons() {
    ovs-appctl eswitch/offload-show |
        sed -n 's/^  ufid:[^ ]* \(in_port [^:]*: software .*\)/\1/p' | sort
}

# The engine's rules, as tc command lines, the same in both modes: vports
# named by their representor, the handle (the NIC's business) left out,
# skip_sw and skip_hw as "skip_X".
dump_rules() {
    ovs-appctl eswitch/offload-show | sed -n 's/^    tc: //p' |
        sed -e 's/ handle 0x[0-9a-f]*//' -e 's/skip_[hs]w/skip_X/' \
            -e 's/ dev vf\([0-9a-z]*\)/ dev rep\1/g' | sort
}

# ---------------------------------------------------------------------------
# One mode.

# run_mode MODE: builds MODE's topology (emu or kernel), sends every kind of
# frame and stores the observations in $KNET_RUNDIR/MODE-results/.
run_mode() {
    local mode=$1 x
    out=$KNET_RUNDIR/$mode-results
    mkdir -p "$out"
    knet_step "$mode: topology"
    knet_teardown
    local emu_args=() other_config=()
    for x in $PORTS; do
        if [ "$mode" = kernel ]; then
            knet_port_kernel "$x" "${MAC[$x]}"
        else
            knet_port "$x" "${MAC[$x]}"
            # shellcheck disable=SC2207
            emu_args+=($(knet_emu_attach_args "$NIC" "$x" "${EMU_VPORT[$x]}"))
        fi
    done
    other_config=(hw-offload=true eswitch-stats-interval=50
                  max-revalidator=100 max-idle=600000)
    if [ "$mode" = kernel ]; then
        other_config+=(tc-policy=skip_hw)
    else
        knet_emu_start "$mode" \
            "--nic=$NIC,totalvfs=8,vfs=2,mode=switchdev,pf=repext" \
            "${emu_args[@]}"
        other_config+=("eswitch-netlink=unix:$KNET_RUNDIR/$mode/emu")
    fi
    knet_ovs_start "$mode" "$KNET_VSWITCHD" "${other_config[@]}"

    ovs-vsctl add-br br0 -- set bridge br0 datapath_type=eswitch \
        fail-mode=secure || knet_fatal "$mode: cannot add bridge br0"
    for x in $PORTS; do
        local bind=()
        [ "$mode" != kernel ] ||
            bind=("other_config:eswitch-vport=vf$x")
        ovs-vsctl add-port br0 "rep$x" -- set interface "rep$x" \
            ofport_request="${OFPORT[$x]}" "${bind[@]}" ||
            knet_fatal "$mode: cannot add port rep$x"
    done
    if knet_wait_until "$WAIT" "the engine to claim rep1, rep2, repext" \
           ports_claimed; then
        knet_ok "$mode: the engine claimed the 3 ports"
    else
        knet_fail "$mode: the engine did not claim the 3 ports"
    fi
    ovs-appctl eswitch/offload-show | sed -n '/^ports:/,/^flows:/p' |
        sed '1d;$d' | sort > "$out/ports.txt"
    sed 's/^/  /' "$out/ports.txt"

    write_flows > "$out/openflow.flows"
    ovs-ofctl add-flows br0 "$out/openflow.flows" ||
        knet_fatal "$mode: cannot add the OpenFlow rules"
    for x in $PORTS; do
        knet_capture_start "vm$x" "v$x" "$out/rx-$x.frames"
    done

    knet_step "$mode: frames"
    declare -gA expect_rx
    for x in $PORTS; do
        expect_rx[$x]=0
    done
    local sent=0 name from count receivers frame r t0
    : > "$out/kinds.txt"
    t0=$(knet_now)
    write_kinds > "$out/kinds.in"
    while read -r name from count receivers frame rewritten; do
        [ "$count" -gt 0 ] || continue
        echo "$frame" > "$out/$name.frames"
        local start_line
        for r in ${receivers//,/ }; do
            [ "$r" = - ] && continue
            start_line=$((expect_rx[$r] + 1))
            expect_rx[$r]=$((expect_rx[$r] + count))
            echo "$name $r $start_line ${expect_rx[$r]}" \
                 "$(expected_frame "$from" "$r" "${rewritten:-$frame}")" \
                 >> "$out/kinds.txt"
        done

        # The first: misses in the NIC, goes up to OVS, makes (or hits) a
        # megaflow; wait until it is counted and placed.
        knet_send "vm$from" "v$from" "$out/$name.frames"
        sent=$((sent + 1))
        knet_wait_until "$WAIT" "$mode: $name: the first frame counted" \
            of_packets_are "$sent" || fail_count "$name" "$sent"
        knet_wait_until "$WAIT" "$mode: $name: every megaflow placed" \
            flows_placed ||
            knet_fail "$mode: $name: megaflows left unplaced"

        # The rest, switched by the NIC if the megaflow is offloaded.
        if [ "$count" -gt 1 ]; then
            for ((i = 1; i < count; i++)); do
                echo "$frame"
            done > "$out/$name-rest.frames"
            knet_send "vm$from" "v$from" "$out/$name-rest.frames"
            sent=$((sent + count - 1))
        fi
        knet_wait_until "$WAIT" "$mode: $name: every frame received" \
            all_received ||
            knet_fail "$mode: $name: not every frame arrived"
        knet_wait_until "$WAIT" "$mode: $name: every frame counted" \
            of_packets_are "$sent" || fail_count "$name" "$sent"
        printf '  %-18s from %-3s x%d -> %s\n' "$name" "$from" "$count" \
            "$receivers"
    done < "$out/kinds.in"
    knet_ok "$mode: $sent frames sent and counted in $(knet_elapsed "$t0") s"

    knet_step "$mode: observations"
    # Counters are final once OpenFlow has them all; read them again after
    # one more refresh so the offloaded flows' own counters are current.
    ovs-appctl eswitch/offload-refresh > /dev/null 2>&1 || true
    dump_openflow > "$out/openflow.txt"
    dump_offloaded > "$out/offloaded.txt"
    ovs-appctl dpctl/dump-flows type=offloaded | grep 'actions:' |
        sed -e 's/packets:[0-9]*, //; s/, used:[^,]*//' | sort \
        > "$out/offloaded-bytes.txt"
    dump_placement > "$out/placement.txt"
    dump_reasons > "$out/reasons.txt"
    dump_rules > "$out/rules.txt"
    ovs-appctl eswitch/offload-show > "$out/offload-show.txt"
    ovs-appctl dpctl/dump-flows -m | grep 'actions:' > "$out/dpctl-flows.txt"
    if [ "$mode" = kernel ]; then
        for x in $PORTS; do
            tc -s filter show dev "vf$x" ingress > "$out/tc-vf$x.txt"
        done
    else
        knet_emu_appctl "$mode" sriov-nic-emu/dump-rules > "$out/emu-rules.txt"
    fi
    knet_capture_stop_all
    check_mode "$mode"
    knet_save_logs "$mode"
}

# check_mode MODE: the checks of one mode on its own.
check_mode() {
    local mode=$1 x
    for x in $PORTS; do
        local n
        n=$(knet_lines "$out/rx-$x.frames")
        if [ "$n" = "${expect_rx[$x]}" ]; then
            knet_ok "$mode: vm$x received $n frames, as expected"
        else
            knet_fail "$mode: vm$x received $n frames," \
                      "expected ${expect_rx[$x]}"
        fi
    done

    # Each kind's frames are, at each receiver, what the pipeline makes of
    # the frame sent, whether OVS (the first) or the NIC (the rest)
    # switched them.
    local name r first last expected line n_wrong=0
    while read -r name r first last expected; do
        local got
        got=$(sed -n "${first},${last}p" "$out/rx-$r.frames" | sort | uniq -c)
        local n=$((last - first + 1))
        if [ "$got" != "$(printf '%7d %s' $n "$expected")" ]; then
            knet_fail "$mode: $name: vm$r did not get $n times"
            echo "    $expected"
            echo "  but (count, frame):"
            while IFS= read -r line; do
                echo "  $line"
            done <<< "$got"
            n_wrong=$((n_wrong + 1))
        fi
    done < "$out/kinds.txt"
    [ "$n_wrong" != 0 ] ||
        knet_ok "$mode: every frame received is the frame sent," \
                "as the pipeline changes it"

    local n_hw n_sw
    n_hw=$(grep -c '=> hardware$' "$out/placement.txt")
    n_sw=$(grep -c '=> software' "$out/placement.txt")
    local hw_packets
    hw_packets=$(sed -n 's/.* packets:\([0-9]*\),.*/\1/p' \
                     "$out/offloaded.txt" |
                 awk '{ s += $1 } END { print s + 0 }')
    local placed="$n_hw megaflows in hardware, $n_sw in software"
    if [ "$n_hw" -gt 0 ] && [ "$hw_packets" -gt 0 ]; then
        knet_ok "$mode: $placed; the NIC switched $hw_packets frames"
    else
        knet_fail "$mode: $placed; the NIC switched $hw_packets frames"
    fi
    local n_engine
    n_engine=$(grep -c '^  ufid:' "$out/offload-show.txt")
    if [ "$n_engine" != $((n_hw + n_sw)) ]; then
        knet_fail "$mode: the engine knows $n_engine megaflows," \
                  "the datapath has $((n_hw + n_sw))"
    fi
    local n_shown
    n_shown=$(grep -c . "$out/rules.txt")
    if [ "$n_shown" != "$n_hw" ]; then
        knet_fail "$mode: the engine shows $n_shown rules" \
                  "for $n_hw offloaded megaflows"
    fi
    if ! grep -q 'userspace' "$out/reasons.txt"; then
        knet_fail "$mode: the controller's megaflow is not in software" \
                  "for its userspace action:"
        sed 's/^/    /' "$out/reasons.txt"
    fi
    if grep -q 'refused-by-hardware' "$out/offload-show.txt"; then
        knet_fail "$mode: the NIC refused rules:"
        grep 'not offloaded' "$out/offload-show.txt" | sed 's/^/    /'
    else
        knet_ok "$mode: no rule refused (offload-show)"
    fi
    if knet_log_grep "$mode" 'refused' > "$out/refused.txt"; then
        knet_fail "$mode: ovs-vswitchd's log says \"refused\":"
        sed 's/^/    /' "$out/refused.txt"
    else
        knet_ok "$mode: no \"refused\" in ovs-vswitchd's log"
    fi
    if knet_log_grep "$mode" '\|(WARN|ERR|EMER)\|' > "$out/warnings.txt"; then
        echo "  $mode: warnings in ovs-vswitchd's log (not a failure):"
        sed 's/^/    /' "$out/warnings.txt"
    fi

    if [ "$mode" = kernel ]; then
        # Every offloaded megaflow is a flower rule in the kernel, on the
        # vport of its in_port, beside the default path.
        local n_rules
        n_rules=$(cat "$out"/tc-vf*.txt | awk '
            /^filter / && / handle / {
                for (i = 1; i < NF; i++) {
                    if ($i == "pref" && $(i + 1) < 65535) { n++ }
                }
            }
            END { print n + 0 }')
        if [ "$n_rules" = "$n_hw" ]; then
            knet_ok "kernel: $n_rules flower rules in the kernel" \
                    "for $n_hw offloaded megaflows"
        else
            knet_fail "kernel: $n_rules flower rules in the kernel" \
                      "for $n_hw offloaded megaflows"
            cat "$out"/tc-vf*.txt | sed 's/^/    /'
        fi
    fi
}

# ---------------------------------------------------------------------------
# Both modes, then the comparison.

t_start=$(knet_now)
run_mode emu
run_mode kernel
knet_teardown

knet_step "emu versus kernel"
A=$KNET_RUNDIR/emu-results
B=$KNET_RUNDIR/kernel-results
compare() {
    local what=$1 file=$2
    if diff -u --label "emu/$file" --label "kernel/$file" \
            "$A/$file" "$B/$file" > "$KNET_RUNDIR/diff.txt"; then
        knet_ok "same $what ($(knet_lines "$A/$file") lines)"
    else
        knet_fail "different $what:"
        sed 's/^/    /' "$KNET_RUNDIR/diff.txt"
    fi
}
for x in $PORTS; do
    compare "frames received by vm$x" "rx-$x.frames"
done
compare "megaflows and their placement" placement.txt
compare "reasons for megaflows in software" reasons.txt
compare "rules (as tc commands)" rules.txt
compare "hardware counters of offloaded megaflows" offloaded.txt
compare "OpenFlow rules, n_packets and n_bytes" openflow.txt

# Byte counters too: the kernel's software TC counts a frame from its
# network header (skb->len at ingress), a NIC (and sriov-nic-emu) the whole
# frame; under tc-policy=skip_hw the engine adds the Ethernet header back.
compare "hardware byte counters of offloaded megaflows" offloaded-bytes.txt

knet_save_logs results
echo "differential: $(knet_elapsed "$t_start") s"
if [ "$KNET_FAILURES" -ne 0 ]; then
    printf 'differential: %d check(s) FAILED\n' "$KNET_FAILURES"
    exit 1
fi
printf 'differential: all checks passed\n'
