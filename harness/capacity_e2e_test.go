package harness

import (
	"context"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// The capacity search on a job whose one scoring slot costs 400 µs of real
// CPU per event (at most ~2500 events/s, less the pipeline's own cost):
// the sustainable rate it reports is below that ceiling, and the first
// failing rate is above it and comes with a reason.
func TestCapacityFindsCostCeiling(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "job.parallelism=1", "job.cost_per_event=400us", "workload.warmup=8s",
		"capacity.start_rate=500", "capacity.growth=2", "capacity.precision=0.25", "capacity.max_rate=20000",
		"capacity.settle=6s", "capacity.judge=10s", "capacity.budget=150s", "capacity.drain_timeout=40s",
		"capacity.slo.e2e_p99=1s", "capacity.slo.lag_slope_ratio=0.05")
	t0 := time.Now()
	out := t.TempDir()
	res, err := Capacity(context.Background(), CapacityOptions{Scenario: sc, OutDir: out, Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("capacity: %v", err)
	}
	if err := reports.WriteCapacity(out, res); err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Steps {
		t.Logf("step %d: %.0f events/s: %d events, e2e p50 %.0f p99 %.0f max %.0f ms, lag slope %.0f/s (%d samples, end %d), send p99 %.1f ms, failed ckpts %d, drained at %.1fs: %s %s",
			s.N, s.RateEPS, s.Events, s.E2EP50Ms, s.E2EP99Ms, s.E2EMaxMs, s.LagSlope, s.LagSamples, s.LagEnd, s.SendDelayP99Ms, s.FailedCheckpoints, s.DrainedS, s.Verdict, s.Reason)
	}
	t.Logf("%s (%.0f s searching, %.0f s in all)", reports.CapacityAnswer(res), res.ElapsedS, time.Since(t0).Seconds())
	if !(res.SustainableEPS > 0 && res.SustainableEPS < 2500) {
		t.Errorf("sustainable %.0f events/s, want in (0, 2500): one slot at 400 µs per event cannot do more", res.SustainableEPS)
	}
	if !(res.FirstFailingEPS > res.SustainableEPS) || res.FailReason == "" {
		t.Errorf("first failing %.0f events/s (%q), want above the sustainable %.0f with a reason", res.FirstFailingEPS, res.FailReason, res.SustainableEPS)
	}
	if res.StoppedBy != reports.StoppedByPrecision && res.StoppedBy != reports.StoppedByBudget {
		t.Errorf("stopped by %q", res.StoppedBy)
	}
	if res.Confidence <= 0 {
		t.Errorf("confidence %v", res.Confidence)
	}
	for _, s := range res.Steps {
		if s.Verdict == reports.VerdictPass && (s.Events == 0 || s.LagSamples < 5) {
			t.Errorf("step %d passed on %d events and %d lag samples", s.N, s.Events, s.LagSamples)
		}
	}
}
