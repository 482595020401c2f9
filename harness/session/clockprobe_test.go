package session

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/clockcheck"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/internal/testlock"
	"github.com/abload/abload/scenarios"
)

// Against a real broker: with this host's clock as it is, the offset is
// 0 within its uncertainty; with the harness's view of its clock shifted by
// a known amount, the check finds that amount and a run (against a job
// whose Flink is fake: the clock is the broker's) is marked invalid.
func TestClockCheckFindsAKnownOffset(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real Kafka broker")
	}
	testlock.Shared(t)
	rt, err := cluster.FindRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	broker := local.New(local.Config{Runtime: rt, LogDir: t.TempDir(), WorkDir: t.TempDir(), KafkaOnly: true,
		Settings: cluster.Settings{StartupTimeout: 3 * time.Minute}})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ep, err := broker.Start(ctx)
	defer func() { _ = broker.Stop(context.Background()) }()
	if err != nil {
		t.Fatal(err)
	}
	sc := fakeScenario(t)
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
	fenv, _, _ := fakeRigOn(t, ep.KafkaBootstrap, 20*time.Millisecond)
	res, err := Run(ctx, Options{Scenario: fakeScenario(t, "workload.rate=200", "workload.warmup=1s", "workload.duration=2s"),
		OutDir: t.TempDir(), Runtime: fakeRuntime(t), Env: fenv, Stderr: testWriter{t}, clockSkew: 400 * time.Millisecond})
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
