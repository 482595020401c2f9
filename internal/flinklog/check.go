package flinklog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// LogProblems logs the last n WARN/ERROR lines, exception causes and state
// switches of the Flink log at path: what Flink said about a run whose
// claims failed.
func LogProblems(t testing.TB, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("%s: %v", path, err)
		return
	}
	var keep []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, " WARN ") || strings.Contains(l, " ERROR ") || strings.HasPrefix(l, "Caused by:") ||
			strings.Contains(l, "switched from") {
			keep = append(keep, l)
		}
	}
	if len(keep) > n {
		keep = keep[len(keep)-n:]
	}
	t.Logf("%s: last %d problem/state lines:\n%s", filepath.Base(path), len(keep), strings.Join(keep, "\n"))
}

// CheckKillRecovery holds abload's timing of a killed TaskManager's
// recovery (rc, from a run with env.restart_delay = downFor: the killed
// TaskManager stays down that long, and the job needs its slots) against
// what is known independently of it:
//   - the TaskManager's time down: the job can't run again sooner;
//   - Flink's restart strategy (abload's cluster config: exponential delay
//     from 1 s, doubling to at most 8 s, 10% jitter): restarts can't come
//     faster than its backoff;
//   - the JobManager's log at jmLog: abload's "running
//     again" is when Flink's last task switched to RUNNING, seen through the
//     REST API (polled every 250 ms, job details cached by Flink for
//     web.refresh-interval, 1 s), so between 0.5 s before (the log's
//     millisecond truncation and the stamp) and 4 s after;
//   - the output gap the kill left: events born at the kill wait until
//     output resumes, so the largest e2e latency after the kill is that gap,
//     give or take the read-committed output's checkpoint cadence.
//
// How long Flink takes to recover is Flink's, not abload's: it is bounded
// only by recovering at all (60 s, the slot request timeout, after which
// Flink gives up waiting for the TaskManager and restarts again). On this
// 2-core machine with the other test lanes busy it took 21–23 s in
// containers (a new container, a cold JVM,
// initializing tasks), 34 s when Flink restarted twice, and 8–9 s with
// local processes. injectedAt is when abload reported the injection (Stamp).
func CheckKillRecovery(t testing.TB, rc reports.Recovery, downFor time.Duration, injectedAt time.Time, jmLog string) {
	t.Helper()
	if rc.RunningS == nil || rc.OutputResumedS == nil {
		t.Errorf("recovery not timed: running %v, output resumed %v", rc.RunningS, rc.OutputResumedS)
		return
	}
	down := downFor.Seconds()
	ok := true
	took := *rc.RunningS - rc.AtS
	if took < down || took > 60 {
		t.Errorf("running again %.1f s after the kill: want within [%.0f, 60] s (the TaskManager is down %.0f s)", took, down, down)
		ok = false
	}
	if limit := restartsWithin(took); rc.Restarts < 1 || rc.Restarts > limit {
		t.Errorf("%d restarts in %.1f s: want 1 to %d with Flink's restart backoff", rc.Restarts, took, limit)
		ok = false
	}
	if lag, err := RunningLag(rc, injectedAt, jmLog); err != nil {
		t.Errorf("the JobManager's record of the recovery: %v", err)
		ok = false
	} else if lag < -500*time.Millisecond || lag > 4*time.Second {
		t.Errorf("running again timed %v after the JobManager logged the last task running: want within [-0.5 s, 4 s]", lag.Round(time.Millisecond))
		ok = false
	} else {
		t.Logf("running again timed %v after the JobManager logged it", lag.Round(time.Millisecond))
	}
	gap := (*rc.OutputResumedS - rc.AtS) * 1000
	if rc.MaxE2EMs < down*1000 || rc.MaxE2EMs < gap-2000 || rc.MaxE2EMs > gap+5000 {
		t.Errorf("max e2e after the kill %.0f ms: want at least the %.0f s the TaskManager is down and within [-2 s, +5 s] of the %.0f ms the output stopped", rc.MaxE2EMs, down, gap)
		ok = false
	}
	if !ok {
		LogProblems(t, jmLog, 60)
	}
}

// restartsWithin is the most restarts Flink's restart strategy in abload's
// clusters (exponential delay: 1 s, doubling, at most 8 s, jitter 10%) can
// make in s seconds: each waits its backoff first.
func restartsWithin(s float64) int {
	n, waited := 0, 0.0
	for b := 0.9; waited+b <= s+0.5; b = min(b*2, 7.2) {
		waited += b
		n++
	}
	return max(n, 1)
}
