#!/usr/bin/env bash
# The Go tests in two lanes: two `go test` processes at once, each starting
# its own clusters (make test-go runs this). Tests that must have the machine
# to themselves take the end-to-end lock alone (package testlock); the rest
# share it. The lanes are balanced by hand from a CI run's per-test times:
# about 12 minutes of tests each.
#
# Usage: lanes.sh [go test flags...]   (e.g. -v; ABLOAD_BIN names the binary)
set -uo pipefail
cd "$(dirname "$0")/../.."
GO=${GO:-go}
flags=("$@")

# Lane b: the harness tests that start clusters of their own (zz_own_e2e_test.go),
# the capacity and checkpoint tests, harness/session and the Docker environment.
# Lane a: everything else (a new test lands there unless named here).
b_harness='^(TestCapacityFindsCostCeiling|TestCheckpointTruth|TestCheckpointControlRun|TestInjectedCheckpointCostShowsInOverhead|TestReactiveModeRescalesWhenTaskManagerJoins|TestEnvKnobsReachFlink|TestKillTaskManagerExactlyOnce|TestNetworkShapingEndToEnd|TestSecureListener)$'
mapfile -t units < <($GO list ./... | grep -v -e '/testcontainers$' -e '/harness$' -e '/harness/session$' -e '/cmd/abload$')
# The lock file package testlock uses: the unit-test packages hold it shared
# (flock(1) takes the same flock(2) lock), so a test running alone in the
# other lane waits for them too.
lock=${ABLOAD_TEST_LOCK:-${TMPDIR:-/tmp}/abload-e2e.lock}

lane_a() {
	trap 'exit 130' INT TERM
	local rc=0
	flock -s "$lock" $GO test -p 1 -count=1 -timeout 10m "${flags[@]}" "${units[@]}" || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" ./cmd/abload || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "$b_harness" ./harness || rc=1
	return $rc
}
lane_b() {
	trap 'exit 130' INT TERM
	local rc=0
	$GO test -count=1 -timeout 25m "${flags[@]}" -run "$b_harness" ./harness || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" ./harness/session || rc=1
	TESTCONTAINERS_RYUK_DISABLED=true $GO test -count=1 -timeout 20m "${flags[@]}" ./testcontainers || rc=1
	return $rc
}

# Build every test binary first: a lane compiling its next package while the
# other runs a test alone would take CPU from it (the lanes' own builds then
# hit the build cache and only link).
$GO test -count=1 -run '^$' -exec true "${flags[@]}" ./... >/dev/null || exit 1

# Each lane in a process group of its own (set -m), its lines prefixed; Ctrl-C
# or a kill of this script interrupts both lanes (a lane stops at its current
# go test). As with any go test, an interrupted test binary runs no cleanup:
# its JVMs die with it (parent-death signal), but cmd/abload's standing
# environment (abload env down --dir) or a Docker test's containers (label
# org.abload.run) can stay.
#
# ABLOAD_TEST_LANES=1 (make test's default) runs lane b after lane a, as one
# lane: beside each other, some tests' bounds hold only on a quiet machine
# (docs/building.md, Tests); 2 runs them at once.
if [ "${ABLOAD_TEST_LANES:-1}" = 1 ]; then
	trap 'exit 130' INT TERM
	rc=0
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
rc=0
wait $a || { echo "lane a failed" >&2; rc=1; }
wait $b || { echo "lane b failed" >&2; rc=1; }
exit $rc
