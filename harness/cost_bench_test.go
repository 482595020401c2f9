package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// BenchmarkPerEventCost (make bench-cost) measures what one event costs
// abload itself: producing it, consuming its update, decoding it and
// recording it (reconciliation, histograms). It runs the pass-through
// example job (a real Flink job on a real broker; make examples builds it)
// at 1 event/s, at 1,000 and at ABLOAD_COST_RATE (default 100,000
// events/s) on one local environment, in interleaved rounds, and reads
// abload's CPU (its own process, sampled once a second over the
// measurement phase, median). The run at 1 event/s is the fixed cost: the
// monitor, the ticker, the consumers and the REST polls with no load. The
// per-event cost is the slope between 1,000 and the high rate; the line's
// intercept is larger than the fixed cost, because at low rates each
// produce and fetch request carries a few events (linger 5 ms), so their
// per-request cost is spread over few. It reports all three, and the
// events per second one core could drive with full measurement.
func BenchmarkPerEventCost(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the real local environment")
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	jar, _ := filepath.Abs(filepath.Join("..", "jobs", "examples", "passthrough", "target", "passthrough.jar"))
	if _, err := os.Stat(jar); err != nil {
		b.Fatalf("the pass-through job: %v (make examples)", err)
	}
	high := 100000.0
	if v, err := strconv.ParseFloat(os.Getenv("ABLOAD_COST_RATE"), 64); err == nil && v > 0 {
		high = v
	}
	const low = 1000.0
	env, _ := ownEnv(b, local.Config{Runtime: rt, Settings: cluster.Settings{TaskManagers: 1, Slots: 2}})
	cpuAt := func(rate float64) (float64, *reports.Result) {
		sc, err := scenarios.Load(filepath.Join("..", "scenarios", "passthrough.yaml"), []string{"job.jar=" + jar,
			fmt.Sprintf("workload.rate=%.0f", rate), "workload.warmup=10s", "workload.duration=20s", "workload.cooldown=0s",
			"kafka.partitions=4", "workload.max_send_delay=1s", "workload.max_consumer_delay=5s", "workload.drain_timeout=60s"})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Run(context.Background(), Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Env: env, Stderr: testWriter{b}})
		if res == nil {
			b.Fatalf("run at %.0f events/s: %v", rate, err)
		}
		var measure reports.Phase
		for _, p := range res.Phases {
			if p.Name == PhaseMeasure {
				measure = p
			}
		}
		for _, rs := range res.Resources {
			if rs.Component != "abload" {
				continue
			}
			var cpu []float64
			for _, s := range rs.Series {
				if s.TS >= measure.StartS && s.TS < measure.EndS {
					cpu = append(cpu, s.CPUPct)
				}
			}
			if len(cpu) < 10 {
				b.Fatalf("run at %.0f events/s: %d CPU samples of abload while measuring", rate, len(cpu))
			}
			return reports.Median(cpu), res
		}
		b.Fatal("no resources of abload itself in the result")
		return 0, nil
	}
	pairs := 2
	var idles, lows, highs, lowRates, highRates []float64
	for i := 0; i < pairs; i++ {
		ci, ri := cpuAt(1)
		cl, rl := cpuAt(low)
		ch, rh := cpuAt(high)
		idles = append(idles, ci)
		for _, r := range []*reports.Result{ri, rl, rh} {
			lost := int64(-1)
			if r.Reconciliation != nil {
				lost = r.Reconciliation.Lost
			}
			b.Logf("round %d: %.0f events/s offered, %.0f/s achieved, processed %.0f/s, e2e p99 %.0f ms, lost %d, valid %v %v",
				i+1, r.Events.TargetRate, r.Events.AchievedRate, r.Throughput.InEPS, r.Latency.E2E.P99, lost, r.Valid, r.InvalidReasons)
			// The cost is of events sent and measured end to end while
			// measuring: a run that fell behind (and caught up in the
			// drain, outside the window) would under-state it.
			if lost != 0 || !r.Valid || r.Events.AchievedRate < 0.98*r.Events.TargetRate || r.Throughput.InEPS < 0.95*r.Events.TargetRate {
				b.Fatalf("round %d at %.0f events/s: sent %.0f/s, processed %.0f/s, lost %d, valid %v: the pipeline must keep up for the cost to be abload's per event",
					i+1, r.Events.TargetRate, r.Events.AchievedRate, r.Throughput.InEPS, lost, r.Valid)
			}
		}
		b.Logf("round %d: abload %.1f%% of a core at 1 event/s, %.1f%% at %.0f events/s, %.1f%% at %.0f", i+1, ci, cl, rl.Events.AchievedRate, ch, rh.Events.AchievedRate)
		lows, highs = append(lows, cl), append(highs, ch)
		lowRates, highRates = append(lowRates, rl.Events.AchievedRate), append(highRates, rh.Events.AchievedRate)
	}
	cl, ch := reports.Median(lows), reports.Median(highs)
	rl, rh := reports.Median(lowRates), reports.Median(highRates)
	perEventUs := (ch - cl) / 100 / (rh - rl) * 1e6
	intercept := cl - perEventUs*rl/1e6*100
	fixedPct := reports.Median(idles)
	perCore := (100 - intercept) / 100 * 1e6 / perEventUs
	b.ReportMetric(perEventUs, "us/event")
	b.ReportMetric(fixedPct, "fixed-%core")
	b.ReportMetric(intercept, "intercept-%core")
	b.ReportMetric(perCore, "events/s/core")
	b.Logf("abload: fixed %.1f%% of a core (at 1 event/s); per event (produce + consume + decode + record) %.2f µs, the slope between the achieved rates %.0f and %.0f events/s, whose line meets 0 events/s at %.1f%% (requests of few events at low rates); %.1f%% at %.0f events/s; one core, less that intercept, drives about %.0f events/s with full measurement (a linear extrapolation beyond %.0f/s)",
		fixedPct, perEventUs, rl, rh, intercept, cl, rl, perCore, rh)
}
