package harness

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/abload/abload/internal/testlock"

	"github.com/abload/abload/reports"
)

// The capacity search on a job whose one scoring slot costs 400 µs of real
// CPU per event (at most ~2500 events/s, less the pipeline's own cost):
// the sustainable rate it reports is near that ceiling (see the bounds
// below), and the first failing rate is above it and comes with a reason.
// Growing by 1.5 from 2,000 events/s, the search passes 2,000, fails 3,000
// and then judges 2,500 between them: a bisection, after a failed step.
func TestCapacityFindsCostCeiling(t *testing.T) {
	testlock.Alone(t) // its steps saturate a core: another test's load would lower the ceiling it finds
	needEnv(t)
	sc := scenario(t, "job.parallelism=1", "job.cost_per_event=400us", "workload.warmup=6s",
		"capacity.start_rate=2000", "capacity.growth=1.5", "capacity.precision=0.25", "capacity.max_rate=20000",
		"capacity.settle=2s", "capacity.judge=7s", "capacity.budget=130s", "capacity.drain_timeout=40s",
		"capacity.slo.e2e_p99=1s", "capacity.slo.lag_slope_ratio=0.05")
	t0 := time.Now()
	out := t.TempDir()
	res, err := Capacity(context.Background(), Options{Scenario: sc, OutDir: out, Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
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
	// The truth: one slot spending 400 µs of CPU per event scores at most
	// 2500 events/s. A step passes while lag grows by less than 5% of its
	// rate (capacity.slo.lag_slope_ratio), so a rate up to 5% above the
	// ceiling can pass a judge window: that is the upper bound. The
	// lower bound is half the ceiling: the rest of the pipeline, Kafka and
	// abload share the machine's other core, and the search stops within
	// 25% (capacity.precision); a step failing at 60% of the ceiling would
	// be a misjudged one.
	const ceiling = 1e6 / 400.0
	if lo, hi := 0.5*ceiling, 1.05*ceiling; res.SustainableEPS < lo || res.SustainableEPS > hi {
		t.Errorf("sustainable %.0f events/s, want in [%.0f, %.0f]: one slot at 400 µs of CPU per event scores at most %.0f events/s", res.SustainableEPS, lo, hi, ceiling)
	}
	if c := res.Clock; c == nil || c.Error != "" || !c.Within || c.Probes == 0 || math.Abs(c.OffsetMs) > 50 {
		t.Errorf("clock check %+v: want one made on this host's own broker, within a few ms", c)
	}
	if !(res.FirstFailingEPS > res.SustainableEPS) || res.FailReason == "" {
		t.Errorf("first failing %.0f events/s (%q), want above the sustainable %.0f with a reason", res.FirstFailingEPS, res.FailReason, res.SustainableEPS)
	}
	if res.StoppedBy != reports.StoppedByPrecision && res.StoppedBy != reports.StoppedByBudget {
		t.Errorf("stopped by %q", res.StoppedBy)
	}
	// The search's own stopping rule: stopped by precision, the failing
	// rate is within capacity.precision (25%) above the sustainable one.
	if res.StoppedBy == reports.StoppedByPrecision && (res.Confidence <= 0 || res.Confidence > 0.25+1e-9 || res.FirstFailingEPS > 1.25*res.SustainableEPS+1) {
		t.Errorf("stopped by precision with confidence %v, first failing %.0f, sustainable %.0f: want within 25%%", res.Confidence, res.FirstFailingEPS, res.SustainableEPS)
	}
	if res.Confidence <= 0 || res.Confidence > 0.5+1e-9 {
		t.Errorf("confidence %v, want within (0, 0.5] (growth 1.5: a failing step is at most 1.5 × a passing one)", res.Confidence)
	}
	for _, s := range res.Steps {
		if s.Verdict == reports.VerdictPass && (s.Events == 0 || s.LagSamples < 5) {
			t.Errorf("step %d passed on %d events and %d lag samples", s.N, s.Events, s.LagSamples)
		}
	}
}
