package harness

import (
	"context"
	"testing"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/reports"
)

// BenchmarkCapacityAccuracy checks the capacity search against a known
// truth on one local cluster (one TaskManager, two slots), with 400 µs of
// scoring per event:
//
//  1. calibration: a run at parallelism 1 under a slow ramp from 500 to
//     3000 events/s over 70 s; R is the highest 5 s mean of its read rate;
//  2. the capacity search at parallelism 1: its sustainable rate ÷ R must
//     be within [0.8, 1.2];
//  3. the search at parallelism 2: its sustainable rate ÷ parallelism 1's
//     must be at least 1.1 — a second scoring slot on a machine with a
//     second core must carry more. It can't reach 2 on two cores: the
//     broker, abload's producer and the pipeline's other operators share
//     them (at 5,000 events/s two slots alone would need both cores).
//
// The benchmark fails outside those bands. `make bench-capacity`; ratios
// are within one run.
func BenchmarkCapacityAccuracy(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the real local environment")
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	env, _ := ownEnv(b, local.Config{Runtime: rt, Settings: cluster.Settings{TaskManagers: 1, Slots: 2}})
	const cost = "job.cost_per_event=400us"

	// 1. Calibration: one slot's highest read rate under a slow ramp from
	// 500 to 3000 events/s over 70 s. Near the knee the offered load is
	// about what the job reads, so the producer and the broker take no more
	// CPU than at a step of the search would (a flat overload far above the
	// knee would also measure the cost of producing that much on the same
	// cores). R is the highest 5 s mean of the read rate (from the source's
	// position).
	cal := benchScenario(b, "job.parallelism=1", cost, "workload.rate=500", "workload.warmup=10s", "workload.duration=60s",
		"workload.profile.kind=ramp", "workload.profile.from=500", "workload.profile.to=3000", "workload.profile.over=70s",
		"workload.drain_timeout=2m")
	res, err := Run(context.Background(), Options{Scenario: cal, OutDir: b.TempDir(), Runtime: rt, Env: env, Stderr: testWriter{b}})
	if res == nil {
		b.Fatalf("calibration run: %v", err)
	}
	var r, at float64
	for i := 4; i < len(res.Timeseries); i++ {
		if res.Timeseries[i].Phase == PhaseDrain || res.Timeseries[i].Phase == PhaseCooldown {
			break
		}
		m := 0.0
		for _, p := range res.Timeseries[i-4 : i+1] {
			m += p.ReadEPS / 5
		}
		if m > r {
			r, at = m, res.Timeseries[i].TS
		}
	}
	if r <= 0 {
		b.Fatalf("calibration run: no read rate in the timeline")
	}
	b.Logf("calibration: one slot at 400 µs/event under a 500→3000 events/s ramp reads at most R = %.0f events/s (5 s mean ending at %.0f s)", r, at)

	search := func(par string) *reports.Capacity {
		sc := benchScenario(b, par, cost, "workload.warmup=8s",
			"capacity.start_rate=500", "capacity.growth=2", "capacity.precision=0.1", "capacity.max_rate=20000",
			"capacity.settle=5s", "capacity.judge=15s", "capacity.budget=300s", "capacity.drain_timeout=40s",
			"capacity.slo.e2e_p99=1s", "capacity.slo.lag_slope_ratio=0.05")
		t0 := time.Now()
		c, err := Capacity(context.Background(), Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Env: env, Stderr: testWriter{b}})
		if err != nil {
			b.Fatalf("capacity %s: %v", par, err)
		}
		b.Logf("%s: %s; saturation %.0f events/s (%.0f s)", par, reports.CapacityAnswer(c), c.SaturationEPS, time.Since(t0).Seconds())
		return c
	}
	b.ResetTimer()
	p1 := search("job.parallelism=1")
	p2 := search("job.parallelism=2")
	b.StopTimer()
	b.ReportMetric(r, "R_eps")
	b.ReportMetric(p1.SustainableEPS, "p1_sustainable_eps")
	b.ReportMetric(p1.SustainableEPS/r, "p1/R")
	b.ReportMetric(p2.SustainableEPS, "p2_sustainable_eps")
	if p1.SustainableEPS > 0 {
		b.ReportMetric(p2.SustainableEPS/p1.SustainableEPS, "p2/p1")
	}
	b.ReportMetric(p1.SaturationEPS, "p1_saturation_eps")
	b.ReportMetric(p1.ElapsedS, "p1_search_s")
	if q := p1.SustainableEPS / r; q < 0.8 || q > 1.2 {
		b.Errorf("p1/R = %.2f (sustainable %.0f events/s, calibrated R %.0f): outside [0.8, 1.2]", q, p1.SustainableEPS, r)
	}
	if p1.SustainableEPS <= 0 || p2.SustainableEPS/p1.SustainableEPS < 1.1 {
		b.Errorf("p2/p1 = %.0f/%.0f events/s: want at least 1.1 (a second slot and a second core carry more)", p2.SustainableEPS, p1.SustainableEPS)
	}
}
