package harness

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/reports"
)

// BenchmarkSoak runs the quick scenario at 2,000 events/s for 30 minutes
// (ABLOAD_SOAK overrides the length) on a local cluster and checks that
// abload itself does not grow heavier as it runs: its CPU and RSS over the
// last five minutes within 1.2× of the first five after warmup (medians of
// the per-second samples). `make bench-soak`.
func BenchmarkSoak(b *testing.B) {
	if testing.Short() {
		b.Skip("needs the real local environment")
	}
	length := 30 * time.Minute
	if s := os.Getenv("ABLOAD_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 12*time.Minute {
			b.Fatalf("ABLOAD_SOAK=%q: want a duration of 12m or more", s)
		}
		length = d
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	sc := benchScenario(b, "workload.rate=2000", "workload.warmup=60s", "workload.duration="+length.String(), "workload.cooldown=0s")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: b.TempDir(), Runtime: rt, Stderr: testWriter{b}})
	if res == nil {
		b.Fatalf("soak run: %v", err)
	}
	if !res.Valid {
		b.Errorf("the soak run is invalid: %v", res.InvalidReasons)
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
		window := func(from, to float64) (cpu, rss []float64) {
			for _, s := range rs.Series {
				if s.TS >= from && s.TS < to {
					cpu, rss = append(cpu, s.CPUPct), append(rss, s.RSSMb)
				}
			}
			return
		}
		cpu1, rss1 := window(measure.StartS, measure.StartS+300)
		cpu2, rss2 := window(measure.EndS-300, measure.EndS)
		if len(cpu1) < 250 || len(cpu2) < 250 {
			b.Fatalf("%d and %d samples in the first and last five minutes", len(cpu1), len(cpu2))
		}
		c1, c2, r1, r2 := reports.Median(cpu1), reports.Median(cpu2), reports.Median(rss1), reports.Median(rss2)
		b.ReportMetric(c1, "cpu-first-%")
		b.ReportMetric(c2, "cpu-last-%")
		b.ReportMetric(c2/c1, "cpu-last/first")
		b.ReportMetric(r2/r1, "rss-last/first")
		b.Logf("abload over %s at 2,000 events/s: CPU %.1f%% → %.1f%% of a core (×%.2f), RSS %.0f → %.0f MB (×%.2f)", length, c1, c2, c2/c1, r1, r2, r2/r1)
		if c2 > 1.2*c1 || r2 > 1.2*r1 {
			b.Errorf("abload grew heavier: CPU ×%.2f, RSS ×%.2f over the run (want both within 1.2)", c2/c1, r2/r1)
		}
		return
	}
	b.Fatal("no resources of abload itself in the result")
}
