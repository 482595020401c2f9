#!/usr/bin/env bash
# The Go tests in two phases (make test and make test-go run this, after
# the build and vet; make test also has lane d run the jobs' Maven tests,
# ABLOAD_TEST_JAVA):
#
#  1. alone: the tests whose claims need the machine to themselves (they call
#     testlock.Alone(t) first: a capacity ceiling, a configured cost, tails
#     compared within a few percent), one after another with nothing else
#     running;
#  2. lanes: every other test, in four lanes: four `go test` processes at
#     once (the default), each starting its own clusters, or one after the
#     other (ABLOAD_TEST_LANES=1). The lanes are balanced by hand from a CI
#     run's per-test times (this script prints each lane's).
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

# alone PKGDIR: the regexp of the package's tests whose first statement
# (blank and comment lines aside) is testlock.Alone(T), T the test's
# parameter; empty when there are none. Package testlock fails an Alone test
# this misses (it finds it running in a lane).
alone() {
	local names
	names=$(awk '
		match($0, /^func Test[A-Za-z0-9_]*\([A-Za-z_][A-Za-z0-9_]* \*testing\.T\) \{[ \t]*$/) {
			name = $2; sub(/\(.*/, "", name)
			param = $0; sub(/^[^(]*\(/, "", param); sub(/ .*/, "", param)
			next
		}
		name != "" && /^[ \t]*(\/\/.*)?$/ { next }
		name != "" && index($0, "testlock.Alone(" param ")") && $0 ~ /^[ \t]*testlock\.Alone\(/ { print name }
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

# Lane a: the unit-test packages and cmd/abload. Lane b: harness's tests
# on its shared cluster (a new harness test lands there unless named below),
# then those of zz_own_e2e_test.go not named below (the env knobs, network
# shaping and secure listener tests: that file sorts last, so they start
# their own clusters after the shared one stopped). Lane c: the Docker
# environment. Lane d: the jobs' Maven tests ($ABLOAD_TEST_JAVA, a shell
# command: make test sets it), harness/session and the harness tests of
# d_harness (clusters of their own: the local kill test, the knob read-back on Flink 1.20
# and 2.3).
# The Alone test of zz_own_e2e_test.go
# (reactive rescaling) runs in phase 1.
# The unit-test packages are not scanned for Alone tests: they take no
# cluster, so none may be Alone.
d_harness='^(TestKillTaskManagerExactlyOnce|TestJobKnobsReachFlink120|TestJobKnobsReachFlink23)$'
mapfile -t units < <($GO list ./... | grep -v -e '/testcontainers$' -e '/harness$' -e '/harness/session$' -e '/cmd/abload$')
# The lock file package testlock uses: the unit-test packages hold it shared
# (flock(1) takes the same flock(2) lock), so an Alone test run by hand
# beside `make test` waits for them too.
lock=${ABLOAD_TEST_LOCK:-${TMPDIR:-/tmp}/abload-e2e.lock}

# cpu: "<busy> <total>" jiffies of the whole machine from /proc/stat (busy:
# user, nice, system, irq, softirq; total adds idle and iowait; steal is
# neither, as in package testlock). took SINCE CPU WHAT: how long WHAT took
# and how busy the machine was meanwhile, in cores: how much room the phase
# left (a lane more, or a shorter test, is worth it only where there is).
cpu() { awk '/^cpu /{b=$2+$3+$4+$7+$8; print b, b+$5+$6; exit}' /proc/stat; }
took() {
	local b0 t0 b1 t1
	read -r b0 t0 <<<"$2"
	read -r b1 t1 <<<"$(cpu)"
	awk -v s=$((SECONDS - $1)) -v db=$((b1 - b0)) -v dt=$((t1 - t0)) -v n="$(nproc)" -v what="$3" \
		'BEGIN { printf "lanes.sh: %s took %d s; the machine was %.2f of %d cores busy\n", what, s, (dt > 0 ? db / dt * n : 0), n }' >&2
}
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
	return $rc
}
lane_b() {
	trap 'exit 130' INT TERM
	local rc=0
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "$d_harness${alone_harness:+|$alone_harness}" ./harness || rc=1
	return $rc
}
lane_c() {
	trap 'exit 130' INT TERM
	local rc=0
	TESTCONTAINERS_RYUK_DISABLED=true $GO test -count=1 -timeout 20m "${flags[@]}" -skip "${alone_tc:-$none}" ./testcontainers || rc=1
	return $rc
}
lane_d() {
	trap 'exit 130' INT TERM
	local rc=0
	if [ -n "${ABLOAD_TEST_JAVA:-}" ]; then
		# The jobs' Maven tests (make test), holding the lock shared like the
		# unit-test packages.
		flock -s "$lock" bash -c "$ABLOAD_TEST_JAVA" || { echo "the jobs' Maven tests failed" >&2; rc=1; }
	fi
	$GO test -count=1 -timeout 25m "${flags[@]}" -skip "${alone_session:-$none}" ./harness/session || rc=1
	$GO test -count=1 -timeout 25m "${flags[@]}" -run "$d_harness" -skip "${alone_harness:-$none}" ./harness || rc=1
	return $rc
}

# Build every test binary first: a lane compiling its next package while the
# other runs a test would take CPU from it (the lanes' own builds then hit
# the build cache and only link). make test and make test-go did it already
# (ABLOAD_TEST_PREBUILT=1), beside the rest of the build.
if [ "${ABLOAD_TEST_PREBUILT:-}" != 1 ]; then
	$GO test -count=1 -run '^$' -exec true "${flags[@]}" ./... >/dev/null || exit 1
fi

# Each phase and lane runs in a process group of its own (set -m), its lines
# prefixed (1| for the alone phase, a| to d| for the lanes); Ctrl-C, or an
# INT or TERM to this script (make forwards a CI's cancel to it), interrupts
# the running ones (each stops at its current go test). An interrupted test
# binary runs no t.Cleanup: its local JVMs die with it (parent-death
# signal), and cmd/abload's and testcontainers' TestMain stop the standing
# environments and Docker containers their tests started
# (internal/testcleanup).
pids=()
trap '[ ${#pids[@]} -gt 0 ] && for p in "${pids[@]}"; do kill -INT -- -"$p" 2>/dev/null; done; wait; exit 130' INT TERM
# timed NAME FUNC: FUNC, then how long it took and how busy the machine was.
timed() {
	local s0=$SECONDS c0 rc
	c0=$(cpu)
	"$2"
	rc=$?
	took "$s0" "$c0" "$1"
	return $rc
}
start() { # start PREFIX NAME FUNC: FUNC in a group of its own, its pid appended to pids
	set -m
	(timed "$2" "$3" 2>&1 | (trap '' INT; exec sed -u "s/^/$1| /"); exit "${PIPESTATUS[0]}") &
	pids+=($!)
	set +m
}
rc=0
# The alone phase's clusters run the JVMs' defaults: its claims (a capacity
# ceiling, a configured cost, the JIT settling before measuring) are about
# the JVMs as a benchmark runs them. (The Reactive Mode rescale test sets
# C1 only in its own scenario: the TaskManager that joins starts cold.)
unset ABLOAD_JVM_OPTIONS
start 1 "the alone phase" phase_alone
wait "${pids[0]}" || { echo "alone phase failed" >&2; rc=1; }
pids=()
export ABLOAD_TEST_PHASE=lanes # package testlock: no test may run Alone from here on
# The lanes' clusters compile with C1 only (env.jvm_options' default, which
# every test's scenario, shared environment and `abload` run takes; recorded
# in each result): their claims are about abload's figures, which don't
# depend on the JIT tier, and C2's compiles were most of the CPU the
# clusters used. ABLOAD_TEST_JVM_OPTIONS replaces the options ("" for none).
export ABLOAD_JVM_OPTIONS=${ABLOAD_TEST_JVM_OPTIONS--XX:TieredStopAtLevel=1}
s0=$SECONDS c0=$(cpu)
if [ "${ABLOAD_TEST_LANES:-4}" = 1 ]; then
	for lane in a b c d; do
		start $lane "lane $lane" lane_$lane
		wait "${pids[0]}" || { echo "lane $lane failed" >&2; rc=1; }
		pids=()
	done
	took "$s0" "$c0" "the lanes"
	exit $rc
fi
start a "lane a" lane_a
start b "lane b" lane_b
start c "lane c" lane_c
start d "lane d" lane_d
for i in 0 1 2 3; do
	wait "${pids[$i]}" || { echo "lane $(echo abcd | cut -c$((i + 1))) failed" >&2; rc=1; }
done
took "$s0" "$c0" "the lanes"
exit $rc
