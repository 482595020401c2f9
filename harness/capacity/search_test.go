package capacity

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// A fake system that sustains exactly `limit` events/s: the search must
// bracket it within the precision, and each step must cost budget.
func TestCapacitySearchConverges(t *testing.T) {
	for _, tc := range []struct {
		start, growth, precision, max, limit float64
	}{
		{1000, 2, 0.1, 1e6, 2345},
		{1000, 2, 0.05, 1e6, 1000}, // the start rate is exactly the limit
		{500, 1.5, 0.02, 1e6, 77777},
		{1000, 2, 0.1, 1e6, 300}, // the start rate already fails
		{1000, 3, 0.1, 1e6, 999999},
	} {
		s := &capSearch{start: tc.start, growth: tc.growth, precision: tc.precision, max: tc.max}
		var rates []float64
		clock := time.Unix(0, 0)
		stop, err := runSearch(context.Background(), s, clock.Add(time.Hour), time.Second, func() time.Time { return clock },
			func(_ context.Context, n int, rate float64) (bool, string, error) {
				clock = clock.Add(time.Second)
				rates = append(rates, rate)
				if rate <= tc.limit {
					return true, "", nil
				}
				return false, "too fast", nil
			})
		if err != nil || stop != reports.StoppedByPrecision {
			t.Fatalf("%+v: stopped by %q (%v) after %v", tc, stop, err, rates)
		}
		if !(s.pass <= tc.limit && s.fail > tc.limit) {
			t.Errorf("%+v: pass %v, fail %v do not bracket the limit", tc, s.pass, s.fail)
		}
		if c := s.confidence(); c > tc.precision || c <= 0 {
			t.Errorf("%+v: confidence %v, want in (0, %v]", tc, c, tc.precision)
		}
		if s.failReason != "too fast" {
			t.Errorf("fail reason %q", s.failReason)
		}
		t.Logf("limit %v: %d steps %v → pass %v fail %v", tc.limit, len(rates), rates, s.pass, s.fail)
	}
}

func TestCapacitySearchStops(t *testing.T) {
	pass := func(context.Context, int, float64) (bool, string, error) { return true, "", nil }
	// max_rate passes: stop there.
	s := &capSearch{start: 1000, growth: 2, precision: 0.1, max: 5000}
	var rates []float64
	stop, _ := runSearch(context.Background(), s, time.Unix(1e6, 0), time.Second, func() time.Time { return time.Unix(0, 0) },
		func(ctx context.Context, n int, r float64) (bool, string, error) {
			rates = append(rates, r)
			return pass(ctx, n, r)
		})
	if stop != reports.StoppedByMaxRate || s.pass != 5000 || len(rates) != 4 || rates[3] != 5000 {
		t.Errorf("max rate: stopped by %q, pass %v, rates %v", stop, s.pass, rates)
	}
	// The budget: 10 s of 35 s steps has room for none; 100 s for two.
	for _, tc := range []struct {
		budget time.Duration
		steps  int
	}{{10 * time.Second, 0}, {100 * time.Second, 2}} {
		s = &capSearch{start: 1000, growth: 2, precision: 0.1, max: 1e6}
		clock := time.Unix(0, 0)
		n := 0
		stop, _ = runSearch(context.Background(), s, clock.Add(tc.budget), 35*time.Second, func() time.Time { return clock },
			func(context.Context, int, float64) (bool, string, error) {
				n++
				clock = clock.Add(40 * time.Second) // a step plus its drain
				return true, "", nil
			})
		if stop != reports.StoppedByBudget || n != tc.steps {
			t.Errorf("budget %s: stopped by %q after %d steps, want budget after %d", tc.budget, stop, n, tc.steps)
		}
	}
	// An error aborts.
	s = &capSearch{start: 1000, growth: 2, precision: 0.1, max: 1e6}
	stop, err := runSearch(context.Background(), s, time.Unix(1e6, 0), time.Second, func() time.Time { return time.Unix(0, 0) },
		func(context.Context, int, float64) (bool, string, error) { return false, "", errTestAborted })
	if stop != reports.StoppedByAborted || !errors.Is(err, errTestAborted) {
		t.Errorf("abort: %q %v", stop, err)
	}
	// Everything fails: down to start/1000, then stop.
	s = &capSearch{start: 1000, growth: 10, precision: 0.1, max: 1e6}
	stop, _ = runSearch(context.Background(), s, time.Unix(1e6, 0), time.Second, func() time.Time { return time.Unix(0, 0) },
		func(context.Context, int, float64) (bool, string, error) { return false, "no", nil })
	if stop != reports.StoppedByMinRate || s.pass != 0 || s.fail != 1 {
		t.Errorf("all fail: %q pass %v fail %v", stop, s.pass, s.fail)
	}
}

func TestLagSlope(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4, 5}
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = 500 + 123*x + 10*math.Sin(7*x)*0 // exact line
	}
	if got := lagSlope(xs, ys); math.Abs(got-123) > 1e-9 {
		t.Errorf("slope = %v, want 123", got)
	}
	// Noise around a flat lag gives a slope near 0.
	flat := []float64{100, 140, 90, 130, 95, 125}
	if got := lagSlope(xs, flat); math.Abs(got) > 10 {
		t.Errorf("flat slope = %v", got)
	}
	if lagSlope(nil, nil) != 0 || lagSlope([]float64{1}, []float64{2}) != 0 || lagSlope([]float64{1, 1}, []float64{2, 3}) != 0 {
		t.Error("degenerate inputs must give 0")
	}
}

func TestSampledIn(t *testing.T) {
	for _, tc := range []struct{ a, b, n, want int64 }{
		{0, 10, 1, 10}, {0, 10, 10, 1}, {1, 10, 10, 0}, {0, 11, 10, 2}, {5, 25, 10, 2}, {7, 7, 3, 0},
	} {
		if got := sampledIn(tc.a, tc.b, tc.n); got != tc.want {
			t.Errorf("sampledIn(%d, %d, %d) = %d, want %d", tc.a, tc.b, tc.n, got, tc.want)
		}
	}
}

// A capacity step's verdict from its figures: each SLO alone, and steps
// the harness or the broker limited, which are never the job's capacity.
func TestJudgeStep(t *testing.T) {
	k := scenarios.Defaults().Capacity // e2e p99 1 s, lag slope ratio 0.05, drain 60 s
	ok := reports.CapacityStep{Events: 20000, E2EP50Ms: 80, E2EP99Ms: 300, LagSlope: 3, LagEnd: 200, SendDelayP99Ms: 2, ConsumerDelayP99Ms: 5, ProducerBuffered: 100}
	facts := stepFacts{rate: 1000, drained: true, owed: 20000, maxSendDelayMs: 1000, maxConsumerDelayMs: 2000}
	for _, tc := range []struct {
		name    string
		edit    func(*reports.CapacityStep, *stepFacts)
		verdict string
		reason  string
		limited string
	}{
		{"every SLO held", func(*reports.CapacityStep, *stepFacts) {}, reports.VerdictPass, "", ""},
		{"tail over the SLO", func(s *reports.CapacityStep, _ *stepFacts) { s.E2EP99Ms = 1500 }, reports.VerdictFail, "e2e p99 1500 ms > 1000 ms", ""},
		{"lag growing", func(s *reports.CapacityStep, _ *stepFacts) { s.LagSlope, s.LagEnd = 200, 5000 }, reports.VerdictFail, "lag growing: slope 200 events/s > 50", ""},
		{"lag slope but small lag", func(s *reports.CapacityStep, _ *stepFacts) { s.LagSlope, s.LagEnd = 200, 500 }, reports.VerdictPass, "", ""},
		{"no drain", func(_ *reports.CapacityStep, f *stepFacts) { f.drained, f.lagNow = false, 9000 }, reports.VerdictFail, "backlog did not drain in 1m (lag 9000 events", ""},
		{"updates missing", func(s *reports.CapacityStep, _ *stepFacts) { s.Events = 19000 }, reports.VerdictFail, "1000 of 20000 judged updates missing", ""},
		{"failed checkpoint", func(s *reports.CapacityStep, _ *stepFacts) { s.FailedCheckpoints = 1 }, reports.VerdictFail, "1 failed checkpoint(s)", ""},
		{"restart", func(s *reports.CapacityStep, _ *stepFacts) { s.Restarts = 2 }, reports.VerdictFail, "the job restarted 2 time(s)", ""},
		{"sender behind", func(s *reports.CapacityStep, _ *stepFacts) { s.SendDelayP99Ms = 1500 }, reports.VerdictFail, "the harness could not send at this rate", "harness"},
		{"consumer behind", func(s *reports.CapacityStep, _ *stepFacts) { s.ConsumerDelayP99Ms = 2500 }, reports.VerdictFail, "the harness could not read the outputs as fast", "harness"},
		{"broker backlog", func(s *reports.CapacityStep, _ *stepFacts) { s.ProducerBuffered = 1500 }, reports.VerdictFail, "the broker did not take the load", "broker"},
		{"broker backlog and a slow job", func(s *reports.CapacityStep, _ *stepFacts) { s.ProducerBuffered, s.E2EP99Ms = 1500, 1500 }, reports.VerdictFail, "e2e p99 1500 ms > 1000 ms", "broker"},
		{"exactly-once output waits a checkpoint cycle", func(s *reports.CapacityStep, f *stepFacts) {
			s.ConsumerDelayP99Ms = 2500
			sc := scenarios.Defaults()
			sc.Job.Delivery = scenarios.DeliveryExactlyOnce
			bound, text := measure.ConsumerDelayBound(sc)
			f.maxConsumerDelayMs, f.consumerDelayText = ms(bound), text
		}, reports.VerdictPass, "", ""},
	} {
		st, f := ok, facts
		tc.edit(&st, &f)
		v, why, lim := judgeStep(f, st, k)
		if v != tc.verdict || !strings.Contains(why, tc.reason) || lim != tc.limited {
			t.Errorf("%s: %s %q limited %q; want %s containing %q, limited %q", tc.name, v, why, lim, tc.verdict, tc.reason, tc.limited)
		}
	}
}

// A capacity search writes the clock check, and one beyond the bound says
// what it costs the answer; within it, or not made, changes nothing.
func TestCapacityClockNote(t *testing.T) {
	bound := scenarios.Duration{Duration: 100 * time.Millisecond}
	beyond := &reports.ClockCheck{OffsetMs: 250, UncertaintyMs: 1, BoundMs: 100, Within: false, Probes: 5}
	if got := ClockNote("stopped", beyond, bound); !strings.HasPrefix(got, "stopped; the broker's clock is +250.0 ms ± 1.0 ms off") || !strings.Contains(got, "consumer delay") {
		t.Errorf("beyond: %q", got)
	}
	if got := ClockNote("", beyond, bound); !strings.HasPrefix(got, "the broker's clock") {
		t.Errorf("beyond, no note: %q", got)
	}
	for _, c := range []*reports.ClockCheck{nil, {OffsetMs: 3, Within: true}, {Error: "no probe came back"}} {
		if got := ClockNote("stopped", c, bound); got != "stopped" {
			t.Errorf("%+v: %q", c, got)
		}
	}
}

// errTestAborted stands for the run's abort error.
var errTestAborted = errors.New("run aborted")
