package harness

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// Reactive Mode on an application cluster of one TaskManager with one slot:
// a second TaskManager joins at t=30 s and the job rescales to parallelism
// 2 (read back from Flink's REST API); the result times the rescale and
// nothing is lost. The load (400 µs of scoring per event at 1200 events/s)
// is more than one slot holds, so the job's read rate after the rescale is
// reported next to the one before.
func TestReactiveModeRescalesWhenTaskManagerJoins(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "env.scheduler=reactive", "env.taskmanagers=1", "env.slots=1", "job.parallelism=1",
		"job.cost_per_event=400us", "workload.rate=1200", "workload.warmup=5s", "workload.duration=40s")
	sc.Scaling = []scenarios.ScalingAction{{At: scenarios.Duration{Duration: 22 * time.Second}, Action: scenarios.ScaleAddTaskManager}}
	if probs := sc.Validate(); probs != nil {
		t.Fatalf("scenario: %v", probs)
	}
	out := t.TempDir()
	if d := os.Getenv("ABLOAD_TEST_OUT"); d != "" {
		out = d // keep the run's outputs for a look
	}
	t0 := time.Now()
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: out, Runtime: shared.rt, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("run: %v (logs in %s)", err, out)
	}
	t.Logf("run took %.0fs; valid %v %v", time.Since(t0).Seconds(), res.Valid, res.InvalidReasons)
	if res.Status != reports.StatusOK {
		t.Fatalf("status %q", res.Status)
	}
	if len(res.Rescales) != 1 {
		t.Fatalf("rescales: %+v, want one", res.Rescales)
	}
	rs := res.Rescales[0]
	f := func(p *float64) any {
		if p == nil {
			return "never"
		}
		return *p
	}
	t.Logf("rescale: %s %v at %.1fs: slots %d → %d at %v; parallelism %d → %d at %v (rescale time %v s); lag recovered %v; output gap %.1fs; max e2e %.0f ms; read %.0f → %.0f events/s; restarts %d",
		rs.Action, rs.TaskManagers, rs.AtS, rs.SlotsBefore, rs.SlotsAfter, f(rs.SlotsChangedS), rs.ParallelismBefore, rs.ParallelismAfter,
		f(rs.RescaledS), f(rs.RescaleTimeS), f(rs.LagRecoveredS), rs.OutputGapS, rs.MaxE2EMs, rs.ReadBeforeEPS, rs.ReadAfterEPS, rs.Restarts)
	if rs.ParallelismBefore != 1 || rs.ParallelismAfter != 2 {
		t.Errorf("parallelism %d → %d, want 1 → 2", rs.ParallelismBefore, rs.ParallelismAfter)
	}
	if rs.SlotsBefore != 1 || rs.SlotsAfter != 2 || rs.SlotsChangedS == nil {
		t.Errorf("slots %d → %d (changed at %v), want 1 → 2", rs.SlotsBefore, rs.SlotsAfter, f(rs.SlotsChangedS))
	}
	if rs.RescaleTimeS == nil || *rs.RescaleTimeS <= 0 || *rs.RescaleTimeS > 60 {
		t.Errorf("rescale time %v, want in (0, 60] s", f(rs.RescaleTimeS))
	}
	if rs.RescaledS != nil && rs.SlotsChangedS != nil && *rs.RescaledS < *rs.SlotsChangedS {
		t.Errorf("rescaled at %.1fs before the slot appeared at %.1fs", *rs.RescaledS, *rs.SlotsChangedS)
	}
	if rs.OutputGapS <= 0 {
		t.Errorf("output gap %.2fs: a rescale restarts the job, output must pause", rs.OutputGapS)
	}
	if rs.ReadBeforeEPS <= 0 || rs.ReadAfterEPS <= 0 {
		t.Errorf("read rates %.0f → %.0f", rs.ReadBeforeEPS, rs.ReadAfterEPS)
	}
	if rc := res.Reconciliation; rc == nil || rc.Lost != 0 {
		t.Errorf("reconciliation %+v: the rescale must lose nothing", rc)
	}
}
