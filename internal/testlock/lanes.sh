#!/usr/bin/env bash
# The Go tests in two phases (make test-go runs this):
#
#  1. alone: the tests whose claims need the machine to themselves (they call
#     testlock.Alone(t) first: a capacity ceiling, a configured cost, tails
#     compared within a few percent), one after another with nothing else
#     running;
#  2. lanes: every other test, in two lanes: two `go test` processes at once
#     (ABLOAD_TEST_LANES=2, the default), each starting its own clusters, or
#     one after the other (ABLOAD_TEST_LANES=1). The lanes are balanced by
#     hand from a CI run's per-test times.
#
# The end-to-end lock (package testlock) still orders the tests: the
# unit-test packages and every end-to-end test hold it shared, an Alone test
# exclusively (so a test run alone by hand, or a second `make test` on the
# machine, waits too).
#
# Usage: lanes.sh [go test flags...]   (e.g. -v; ABLOAD_BIN names the binary)
set -uo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
flags=("$@")

# alone PKGDIR: the regexp of the package's tests that call testlock.Alone(t)
# as their first statement (empty when none does).
alone() {
	local names
	names=$(awk '
		/^func Test[A-Za-z0-9_]*\(t \*testing\.T\) \{/ { name = $2; sub(/\(.*/, "", name); next }
		name != "" && /testlock\.Alone\(t\)/ { print name }
		{ name = "" }' "$1"/*_test.go | paste -sd'|')
	[ -n "$names" ] && echo "^($names)\$"
}
alone_cmd=$(alone cmd/abload)
alone_harness=$(alone harness)
alone_session=$(alone harness/session)
alone_tc=$(alone testcontainers)
# -skip with an empty regexp would skip nothing, but say so: a pattern that
# matches no test name.
none='^$'

# Lane b: the harness tests that start clusters of their own (zz_own_e2e_test.go),
# the capacity and checkpoint tests, harness/session and the Docker environment.
# Lane a: everything else (a new test lands there unless named here).
b_harness='^(TestCapacityFindsCostCeiling|TestCheckpointTruth|TestCheckpointControlRun|TestInjectedCheckpointCostShowsInOverhead|TestReactiveModeRescalesWhenTaskManagerJoins|TestEnvKnobsReachFlink|TestKillTaskManagerExactlyOnce|TestNetworkShapingEndToEnd|TestSecureListener)$'
mapfile -t units < <($GO list ./... | grep -v -e '/testcontainers$' -e '/harness$' -e '/harness/session$' -e '/cmd/abload$')
# The lock file package testlock uses: the unit-test packages hold it shared
# (flock(1) takes the same flock(2) lock), so an Alone test run by hand
# beside `make test` waits for them too.
lock=${ABLOAD_TEST_LOCK:-${TMPDIR:-/tmp}/abload-e2e.lock}

phase_alone() {
	trap 'exit 130' INT TERM
	local rc=0 pkg re
	for pkg in cmd/abload harness harness/session testcontainers; do
		case $pkg in
		cmd/abload) re=$alone_cmd ;;
		harness) re=$alone_harness ;;
		harness/session) re=$alone_session ;;
		testcontainers) re=$alone_tc ;;
		esac
		[ -n "$re" ] || continue
		TESTCONTAINERS_RYUK_DISABLED=true $GO test -count=1 -timeout 25m "${flags[@]}" -run "$re" ./$pkg || rc=1
	done
	return $rc
}
lane_a() {
	trap 'exit 130' INT TERM
	local rc=0
	flock -s "$lock" $GO test -p 1 -count=1 -timeout 10m "${flags[@]}" "${units[@]}" || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "${alone_cmd:-$none}" ./cmd/abload || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "$b_harness${alone_harness:+|$alone_harness}" ./harness || rc=1
	return $rc
}
lane_b() {
	trap 'exit 130' INT TERM
	local rc=0
	$GO test -count=1 -timeout 25m "${flags[@]}" -run "$b_harness" -skip "${alone_harness:-$none}" ./harness || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "${alone_session:-$none}" ./harness/session || rc=1
	TESTCONTAINERS_RYUK_DISABLED=true $GO test -count=1 -timeout 20m "${flags[@]}" -skip "${alone_tc:-$none}" ./testcontainers || rc=1
	return $rc
}

# Build every test binary first: a lane compiling its next package while the
# other runs a test would take CPU from it (the lanes' own builds then hit
# the build cache and only link).
$GO test -count=1 -run '^$' -exec true "${flags[@]}" ./... >/dev/null || exit 1

# Each phase and lane in a process group of its own (set -m), its lines
# prefixed (1| for the alone phase, a| and b| for the lanes); Ctrl-C or a
# kill of this script interrupts them (a lane stops at its current go
# test). As with any go test, an interrupted test binary runs no cleanup:
# its JVMs die with it (parent-death signal), but cmd/abload's standing
# environment (abload env down --dir) or a Docker test's containers (label
# org.abload.run) can stay.
trap 'exit 130' INT TERM
rc=0
phase_alone 2>&1 | (trap '' INT; exec sed -u 's/^/1| /') || rc=1
if [ "${ABLOAD_TEST_LANES:-2}" = 1 ]; then
	lane_a 2>&1 | (trap '' INT; exec sed -u 's/^/a| /') || rc=1
	lane_b 2>&1 | (trap '' INT; exec sed -u 's/^/b| /') || rc=1
	exit $rc
fi
set -m
(lane_a 2>&1 | (trap '' INT; exec sed -u 's/^/a| /'); exit "${PIPESTATUS[0]}") &
a=$!
(lane_b 2>&1 | (trap '' INT; exec sed -u 's/^/b| /'); exit "${PIPESTATUS[0]}") &
b=$!
set +m
trap 'kill -INT -- -$a -$b 2>/dev/null; wait; exit 130' INT TERM
wait $a || { echo "lane a failed" >&2; rc=1; }
wait $b || { echo "lane b failed" >&2; rc=1; }
exit $rc
