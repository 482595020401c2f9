package harness

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/clockcheck"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/scenarios"
)

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
		r := &session{opts: Options{clockSkew: skew}, sc: sc, ep: ep, con: live.NewConsole(testWriter{t}, nil), clock: NewClock()}
		r.measureClock(ctx, plan.Clock)
		c := r.clockChk
		if c.Error != "" {
			t.Fatalf("skew %s: %s", skew, c.Error)
		}
		// The harness's clock ahead by skew means the broker's is behind by it.
		want := -float64(skew) / 1e6
		if math.Abs(c.OffsetMs-want) > c.UncertaintyMs+1 {
			t.Errorf("skew %s: offset %.1f ± %.1f ms, want %.0f", skew, c.OffsetMs, c.UncertaintyMs, want)
		}
		if c.Probes != clockcheck.Probes || c.UncertaintyMs > 50 {
			t.Errorf("skew %s: %d probes, uncertainty %.1f ms", skew, c.Probes, c.UncertaintyMs)
		}
		if wantWithin := skew == 0; c.Within != wantWithin {
			t.Errorf("skew %s: within %v (bound %s), want %v", skew, c.Within, scenarios.Defaults().Env.MaxClockOffset, wantWithin)
		}
	}

	// A whole run whose clock check finds the broker 400 ms off is invalid,
	// saying why; its figures are still there.
	res, err := Run(ctx, Options{Scenario: scenario(t, "workload.rate=200", "workload.warmup=1s", "workload.duration=2s"),
		OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}, clockSkew: 400 * time.Millisecond})
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
