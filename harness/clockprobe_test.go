package harness

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The estimate comes from the probe with the shortest round trip, and the
// verdict allows for the uncertainty.
func TestEstimateClockOffset(t *testing.T) {
	ms := int64(time.Millisecond)
	base := int64(1_700_000_000_000) * ms
	ps := []clockProbe{
		{sendNs: base, ackNs: base + 40*ms, appendMs: base/ms + 300},           // slow: ignored
		{sendNs: base + 100*ms, ackNs: base + 104*ms, appendMs: base/ms + 352}, // mid 102 → +250 (+0.5)
		{sendNs: base, ackNs: base + 10*ms, appendMs: 0},                       // never read back
	}
	off, unc, rtt, ok := estimateClockOffset(ps)
	if !ok || math.Abs(off-250.5) > 1e-9 || math.Abs(unc-2.5) > 1e-9 || math.Abs(rtt-4) > 1e-9 {
		t.Fatalf("offset %v ± %v (rtt %v, ok %v), want 250.5 ± 2.5 (rtt 4)", off, unc, rtt, ok)
	}
	if _, _, _, ok := estimateClockOffset([]clockProbe{{sendNs: 1, ackNs: 2}}); ok {
		t.Error("no append time: want no estimate")
	}
	for _, c := range []struct {
		off, unc float64
		bound    time.Duration
		within   bool
	}{
		{250.5, 2.5, 100 * time.Millisecond, false},
		{-250.5, 2.5, 100 * time.Millisecond, false},
		{101, 2.5, 100 * time.Millisecond, true}, // beyond only by less than the uncertainty
		{3, 2, 100 * time.Millisecond, true},
	} {
		chk := reports.ClockCheck{OffsetMs: c.off, UncertaintyMs: c.unc}
		clockVerdict(&chk, c.bound)
		if chk.Within != c.within {
			t.Errorf("offset %v ± %v, bound %s: within %v, want %v", c.off, c.unc, c.bound, chk.Within, c.within)
		}
	}
}

// Against the real broker: with this host's clock as it is, the offset is
// 0 within its uncertainty; with the harness's view of its clock shifted by
// a known amount, the check finds that amount and a run is marked invalid.
func TestClockCheckFindsAKnownOffset(t *testing.T) {
	needEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ep := shared.env.Endpoints()
	sc := scenario(t)
	plan := kafka.PlanTopics(sc, newRunID())
	created, err := kafka.CreateTopics(ctx, ep, []kafka.TopicSpec{plan.Create[len(plan.Create)-1]}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = kafka.DeleteTopics(context.Background(), ep, created) }()
	for _, skew := range []time.Duration{0, 400 * time.Millisecond, -400 * time.Millisecond} {
		clockProbeSkew = skew
		r := &runner{sc: sc, ep: ep, con: live.NewConsole(testWriter{t}, nil), clock: NewClock()}
		r.measureClock(ctx, plan.Clock)
		clockProbeSkew = 0
		c := r.clockChk
		if c.Error != "" {
			t.Fatalf("skew %s: %s", skew, c.Error)
		}
		// The harness's clock ahead by skew means the broker's is behind by it.
		want := -float64(skew) / 1e6
		if math.Abs(c.OffsetMs-want) > c.UncertaintyMs+1 {
			t.Errorf("skew %s: offset %.1f ± %.1f ms, want %.0f", skew, c.OffsetMs, c.UncertaintyMs, want)
		}
		if c.Probes != clockProbes || c.UncertaintyMs > 50 {
			t.Errorf("skew %s: %d probes, uncertainty %.1f ms", skew, c.Probes, c.UncertaintyMs)
		}
		if wantWithin := skew == 0; c.Within != wantWithin {
			t.Errorf("skew %s: within %v (bound %s), want %v", skew, c.Within, scenarios.Defaults().Env.MaxClockOffset, wantWithin)
		}
	}

	// A whole run whose clock check finds the broker 400 ms off is invalid,
	// saying why; its figures are still there.
	clockProbeSkew = 400 * time.Millisecond
	defer func() { clockProbeSkew = 0 }()
	res, err := Run(ctx, Options{Scenario: scenario(t, "workload.rate=200", "workload.warmup=1s", "workload.duration=2s"),
		OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	clockProbeSkew = 0
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	reasons := strings.Join(res.InvalidReasons, "; ")
	if res.Valid || !strings.Contains(reasons, "clock") || res.Clock == nil || res.Clock.Within {
		t.Errorf("a run 400 ms off the broker's clock: valid %v, reasons %q, clock %+v; want invalid, naming the clock", res.Valid, reasons, res.Clock)
	}
	if res.Latency.E2E.Count == 0 {
		t.Errorf("the invalid run kept no figures")
	}
}
