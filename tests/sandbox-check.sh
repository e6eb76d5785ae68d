#! /bin/bash
# Runs the sandbox (the README's main job) non-interactively and checks
# its report: traffic delivered, flows in hardware, counters consistent;
# then checks that "stop" leaves no namespace, link or process behind.
#
# usage: tests/sandbox-check.sh BUILDDIR
# Prints "sandbox: N passed, N failed"; exits 0 only if all passed.
# Skips (exit 77) when not root.

set -u
builddir=$(cd "${1:?usage: $0 BUILDDIR}" && pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
sandbox=$srcdir/utilities/ovs-eswitch-sandbox
passed=0 failed=0

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: sandbox: needs root"
    exit 77
fi

check() {
    local what=$1; shift
    if "$@"; then
        echo "ok: $what"
        passed=$((passed + 1))
    else
        echo "FAILED: $what"
        failed=$((failed + 1))
    fi
}

report=$(mktemp)
trap 'rm -f "$report"' EXIT

"$sandbox" --builddir="$builddir" --quiet start > "$report" 2>&1
status=$?
check "the sandbox starts and all its traffic gets through" \
    test $status = 0
check "every traffic check passed" \
    test "$(grep -c ' ok$' "$report")" -ge 5
check "flows between VFs are in hardware" \
    grep -q 'in_port vm1: hardware, packets:[1-9]' "$report"
check "flows to the software-only port stay in software, with the reason" \
    grep -q 'software (output to port [0-9]* (esw-vm3): not on eswitch' \
        "$report"
check "the NIC switched most of vm1's packets itself" \
    awk '/^  pf0vf0: / { if ($4 > 10 * $8) ok = 1 } END { exit !ok }' \
        "$report"
check "OpenFlow counters include the hardware packets" \
    grep -Eq 'n_packets=[0-9]{5,}.*dl_dst=02:00:00:00:00:02' "$report"

# Failover: vm1 moves to its synthetic NIC and back; the traffic gets
# through each time, and the port keeps its OpenFlow port.
out=$("$sandbox" --builddir="$builddir" failover vm1 synthetic 2>&1)
check "vm1 fails over to its synthetic path, keeping OpenFlow port 1" \
    grep -q 'on its synthetic path now (status:path=synthetic), OpenFlow port 1' \
        <<< "$out"
traffic() {
    "$sandbox" --builddir="$builddir" traffic > /dev/null 2>&1
}
check "all traffic gets through with vm1 on its synthetic path" traffic
check "vm1's flows are in software, with the reason" \
    grep -q 'vm1: software only: no VF' <<< "$out"
out=$("$sandbox" --builddir="$builddir" failover vm1 vf 2>&1)
check "vm1 comes back to its VF, keeping OpenFlow port 1" \
    grep -q 'on its vf path now (status:path=vf), OpenFlow port 1' <<< "$out"
check "all traffic gets through with vm1 back on its VF" traffic

"$sandbox" --builddir="$builddir" --quiet stop > /dev/null 2>&1
check "stop leaves no namespace behind" \
    test -z "$(ip netns list | grep '^esw-')"
check "stop leaves no link behind" \
    test -z "$(ip -br link | grep -E '^(esw-|tor-)')"
check "stop leaves no daemon behind" \
    test ! -d "$builddir/sandbox"

if [ $failed != 0 ]; then
    echo "--- report ---"
    cat "$report"
fi
echo "sandbox: $passed passed, $failed failed"
test $failed = 0
