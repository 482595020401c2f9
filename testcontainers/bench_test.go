package testcontainers

import (
	"context"
	"testing"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/reports"
)

// BenchmarkTaskManagerCPULimit runs one scenario on a TaskManager container
// limited to 0.5 and to 1.0 cores, one after the other, at a load that needs about
// 0.7 of a core in the job's scoring step alone (3,500 events/s at a known
// 200 µs of CPU an event, job.cost_per_event): more than half a core
// carries, well within one. It reports each limit's e2e p50/p99, processed
// rate, input-lag trend and the TaskManager's throttled share, plus the
// 0.5/1.0 ratios, and fails unless the load shows the limit: at 1.0 the job
// keeps up (processed within 5% of the offered rate), at 0.5 it does not
// (processed below 85% of it, or lag growing by more than 10% of the rate)
// while throttled in at least 20% of the CPU periods of its measurement
// phase. One pair, 0.5 first. Run it with `make bench-docker`.
func BenchmarkTaskManagerCPULimit(b *testing.B) {
	if testing.Short() {
		b.Skip("needs Docker and the local images: make bench-docker")
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		got := map[string]*reports.Result{}
		for _, cpus := range []string{"0.5", "1.0"} {
			sc, err := scenarioWith("workload.rate=3500", "job.cost_per_event=200us", "workload.warmup=10s", "workload.duration=40s",
				"env.taskmanagers=1", "env.slots=2", "job.parallelism=2", "env.taskmanager.cpus="+cpus,
				"workload.drain_timeout=180s", "workload.max_consumer_delay=120s")
			if err != nil {
				b.Fatal(err)
			}
			res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Stderr: benchWriter{b}})
			if err != nil {
				b.Fatalf("cpus %s: %v", cpus, err)
			}
			got[cpus] = res
			e2e := res.Latency.E2E
			// Throttling while measuring only: start-up and drain throttle
			// a half-core container whatever the load.
			var measure reports.Phase
			for _, p := range res.Phases {
				if p.Name == harness.PhaseMeasure {
					measure = p
				}
			}
			thr := 0.0
			n := 0
			for _, r := range res.Resources {
				if r.Component == "taskmanager-1" {
					for _, s := range r.Series {
						if s.TS >= measure.StartS && s.TS < measure.EndS {
							thr += s.ThrottledPct
							n++
						}
					}
				}
			}
			if n > 0 {
				thr /= float64(n)
			}
			slope := 0.0
			if res.Lag != nil {
				slope = res.Lag.SlopePerS
			}
			b.Logf("taskmanager.cpus=%s: e2e p50 %.0f ms p99 %.0f ms; in %.0f events/s; lag trend %+.0f events/s; throttled %.0f%% of periods; valid %v %v",
				cpus, e2e.P50, e2e.P99, res.Throughput.InEPS, slope, thr, res.Valid, res.InvalidReasons)
			b.ReportMetric(e2e.P50, "cpus"+cpus+"-e2e-p50-ms")
			b.ReportMetric(e2e.P99, "cpus"+cpus+"-e2e-p99-ms")
			b.ReportMetric(thr, "cpus"+cpus+"-throttled-pct")
			b.ReportMetric(slope, "cpus"+cpus+"-lag-trend-eps")
			const rate = 3500.0
			switch cpus {
			case "1.0":
				if res.Throughput.InEPS < 0.95*rate {
					b.Errorf("1.0 core: processed %.0f of %.0f events/s: the load must fit one core for the comparison to show the limit", res.Throughput.InEPS, rate)
				}
			case "0.5":
				if !(res.Throughput.InEPS < 0.85*rate || slope > 0.1*rate) || thr < 20 {
					b.Errorf("0.5 core: processed %.0f of %.0f events/s, lag trend %+.0f/s, throttled %.0f%%: the load does not saturate half a core", res.Throughput.InEPS, rate, slope, thr)
				} else {
					b.Logf("0.5 core saturated: processed %.0f of %.0f events/s (%.0f%%), lag trend %+.0f/s, throttled in %.0f%% of periods", res.Throughput.InEPS, rate, 100*res.Throughput.InEPS/rate, slope, thr)
				}
			}
		}
		half, one := got["0.5"].Latency.E2E, got["1.0"].Latency.E2E
		if one.P50 > 0 && one.P99 > 0 {
			b.ReportMetric(half.P50/one.P50, "p50-ratio-0.5/1.0")
			b.ReportMetric(half.P99/one.P99, "p99-ratio-0.5/1.0")
		}
	}
}

type benchWriter struct{ b *testing.B }

func (w benchWriter) Write(p []byte) (int, error) { return len(p), nil }
