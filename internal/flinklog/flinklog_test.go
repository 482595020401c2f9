package flinklog

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// A failover as the JobManager logs it: the job back RUNNING before its
// tasks, which run again one by one; the job's own switch is not a task's.
const jmLog = `2026-12-07 03:03:57,083 INFO  o.a.f.r.e.ExecutionGraph - Source: events-source -> late-filter (1/2) (bc4e_0_0) switched from RUNNING to CANCELING.
2026-12-07 03:04:01,124 INFO  o.a.f.r.e.ExecutionGraph - Job abload-quick (dd5b) switched from state RESTARTING to RUNNING.
2026-12-07 03:04:07,999 INFO  o.a.f.r.e.ExecutionGraph - Source: events-source -> late-filter (1/2) (bc4e_0_1) switched from DEPLOYING to INITIALIZING.
2026-12-07 03:04:09,154 INFO  o.a.f.r.e.ExecutionGraph - Source: events-source -> late-filter (1/2) (bc4e_0_1) switched from INITIALIZING to RUNNING.
2026-12-07 03:04:17,812 INFO  o.a.f.r.e.ExecutionGraph - updates-sink: Writer -> updates-sink: Committer (2/2) (bc4e_1_1) switched from INITIALIZING to RUNNING.
2026-12-07 03:04:20,422 INFO  o.a.f.r.e.ExecutionGraph - Job abload-quick (dd5b) switched from state RUNNING to CANCELLING.
`

func TestLastTaskRunning(t *testing.T) {
	p := filepath.Join(t.TempDir(), "jobmanager.log")
	if err := os.WriteFile(p, []byte("2026-12-07 03:03:40,000 INFO  x - map (1/1) (a_0_0) switched from DEPLOYING to RUNNING.\n"+jmLog), 0o644); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 12, 7, 3, 3, 57, 0, time.UTC)
	end := from.Add(time.Minute)
	got, err := LastTaskRunning(p, from, end)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 7, 3, 4, 17, 812e6, time.UTC); !got.Equal(want) {
		t.Errorf("last task running at %v, want %v", got, want)
	}
	// Up to until only: a later failover's switches are not this one's.
	if got, err := LastTaskRunning(p, from, time.Date(2026, 12, 7, 3, 4, 10, 0, time.UTC)); err != nil || !got.Equal(time.Date(2026, 12, 7, 3, 4, 9, 154e6, time.UTC)) {
		t.Errorf("until 03:04:10: %v, %v; want 03:04:09.154", got, err)
	}
	// Nothing after from: an error that says so, not a zero time.
	if _, err := LastTaskRunning(p, from.Add(time.Hour), end.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "no task switched to RUNNING") {
		t.Errorf("after the last line: %v", err)
	}
	if _, err := LastTaskRunning(filepath.Join(t.TempDir(), "none.log"), from, end); err == nil {
		t.Error("a missing log: no error")
	}
}

func TestStamp(t *testing.T) {
	var out bytes.Buffer
	s := &Stamp{W: &out, Substr: "fault kill"}
	s.Write([]byte("abload: phase=measure\n"))
	if !s.At().IsZero() {
		t.Fatalf("stamped before the line: %v", s.At())
	}
	before := time.Now()
	s.Write([]byte("abload: fault kill_taskmanager at 12s\n"))
	first := s.At()
	if first.Before(before) || first.After(time.Now()) {
		t.Errorf("stamp %v not when the line was written (after %v)", first, before)
	}
	time.Sleep(2 * time.Millisecond)
	s.Write([]byte("abload: fault kill_taskmanager done\n"))
	if !s.At().Equal(first) {
		t.Errorf("the stamp moved on a later line: %v then %v", first, s.At())
	}
	if !strings.Contains(out.String(), "phase=measure") || strings.Count(out.String(), "\n") != 3 {
		t.Errorf("not passed through: %q", out.String())
	}
}

func TestRunningLag(t *testing.T) {
	p := filepath.Join(t.TempDir(), "jobmanager.log")
	if err := os.WriteFile(p, []byte(jmLog), 0o644); err != nil {
		t.Fatal(err)
	}
	// Injected at 03:03:56.5, 30.0 s into the run; abload saw every task
	// running again 22.0 s later, 52.0 s into the run: 03:04:18.5, 0.688 s after
	// the JobManager's 03:04:17.812.
	at := time.Date(2026, 12, 7, 3, 3, 56, 500e6, time.UTC)
	up, out := 52.0, 53.0
	lag, err := RunningLag(reports.Recovery{Fault: "kill_taskmanager", AtS: 30, RunningS: &up, OutputResumedS: &out}, at, p)
	if err != nil {
		t.Fatal(err)
	}
	if lag != 688*time.Millisecond {
		t.Errorf("lag %v, want 688ms", lag)
	}
	early := 45.0
	if lag, err := RunningLag(reports.Recovery{AtS: 30, RunningS: &early, OutputResumedS: &out}, at, p); err != nil || lag != -6312*time.Millisecond {
		t.Errorf("timed before Flink: %v, %v; want -6.312s", lag, err)
	}
	// Output resumed (by abload's timeline) at 03:04:10.5: the last switch
	// up to a second later is 03:04:09.154; the 03:04:17.812 one came after.
	soon := 44.0
	if lag, err := RunningLag(reports.Recovery{AtS: 30, RunningS: &up, OutputResumedS: &soon}, at, p); err != nil || lag != 9346*time.Millisecond {
		t.Errorf("output resumed at 44 s: %v, %v; want 9.346s", lag, err)
	}
	if _, err := RunningLag(reports.Recovery{AtS: 30, OutputResumedS: &out}, at, p); err == nil {
		t.Error("no running time: no error")
	}
	if _, err := RunningLag(reports.Recovery{AtS: 30, RunningS: &up, OutputResumedS: &out}, time.Time{}, p); err == nil {
		t.Error("never injected: no error")
	}
}

func TestRestartsWithin(t *testing.T) {
	// Backoffs 0.9, 1.8, 3.6, 7.2, 7.2, … s (1 s doubling to 8 s, less 10% jitter).
	for _, c := range []struct {
		s    float64
		want int
	}{{0.2, 1}, {1, 1}, {2.3, 2}, {6.0, 3}, {13, 4}, {22, 5}, {34, 6}} {
		if got := restartsWithin(c.s); got != c.want {
			t.Errorf("restartsWithin(%v) = %d, want %d", c.s, got, c.want)
		}
	}
}
