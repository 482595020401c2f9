package testcontainers

import (
	"context"
	"testing"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/reports"
)

// BenchmarkTaskManagerCPULimit runs one scenario on a TaskManager container
// limited to 0.5 and to 1.0 cores, interleaved, at a rate one core carries,
// and reports each limit's e2e p50/p99, source read rate, input-lag trend
// and the TaskManager's throttled share, plus the 0.5/1.0 ratios. Run it
// with `make bench-docker`.
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
			sc, err := scenarioWith("workload.rate=3000", "workload.warmup=10s", "workload.duration=40s",
				"env.taskmanagers=1", "env.slots=2", "job.parallelism=2", "env.taskmanager.cpus="+cpus,
				"workload.drain_timeout=120s", "workload.max_consumer_delay=60s")
			if err != nil {
				b.Fatal(err)
			}
			res, err := harness.Run(context.Background(), harness.Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Stderr: benchWriter{b}})
			if err != nil {
				b.Fatalf("cpus %s: %v", cpus, err)
			}
			got[cpus] = res
			e2e := res.Latency.E2E
			thr := 0.0
			n := 0
			for _, r := range res.Resources {
				if r.Component == "taskmanager-1" {
					for _, s := range r.Series {
						thr += s.ThrottledPct
						n++
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
