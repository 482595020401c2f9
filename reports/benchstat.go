package reports

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// WriteBenchstat writes each result as one line of the Go benchmark format
// (https://go.dev/design/14313-benchmark-format), which benchstat reads:
//
//	BenchmarkAbload/<scenario>[/<settings>] 1 245.1 e2e-p50-ms 380.2 e2e-p99-ms … 1999 in-eps
//
// One line per run: repetitions of a config share the name, so benchstat
// computes their spread. Invalid runs are written as comments, not lines.
func WriteBenchstat(w io.Writer, runs []BenchRun) error {
	if _, err := fmt.Fprintln(w, "goos: linux\npkg: abload"); err != nil {
		return err
	}
	for _, br := range runs {
		r := br.Result
		name := "BenchmarkAbload/" + benchName(scenarioName(r.Scenario))
		if br.Point != "" {
			name += "/" + benchName(br.Point)
		}
		if !r.Valid {
			if _, err := fmt.Fprintf(w, "# %s: invalid run %s skipped: %s\n", name, r.RunID, strings.Join(r.InvalidReasons, "; ")); err != nil {
				return err
			}
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s 1", name)
		add := func(v float64, unit string) { fmt.Fprintf(&b, " %s %s", fmtBench(v), unit) }
		e := r.Latency.E2E
		if e.Count > 0 {
			add(e.P50, "e2e-p50-ms")
			add(e.P99, "e2e-p99-ms")
			add(e.P999, "e2e-p999-ms")
			add(e.Max, "e2e-max-ms")
		}
		if wl := r.Latency.Window; wl.Count > 0 {
			add(wl.P50, "window-p50-ms")
			add(wl.P99, "window-p99-ms")
		}
		add(r.Throughput.InEPS, "in-eps")
		add(r.Throughput.OutRPS, "out-rps")
		if c := r.Checkpoints; c != nil && c.Completed > 0 {
			add(c.DurationMs.P99, "checkpoint-p99-ms")
			add(float64(c.StateSizeBytes.Max), "state-B")
		}
		if s := r.Skew; s != nil {
			add(s.MaxOverMean, "skew-max/mean")
		}
		if _, err := fmt.Fprintln(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// BenchRun is one run to export: its result and, for a matrix run, its
// point's name.
type BenchRun struct {
	Result *Result
	Point  string
}

var benchNameRE = regexp.MustCompile(`[^A-Za-z0-9._/=-]+`)

func benchName(s string) string {
	if s == "" {
		s = "run"
	}
	return benchNameRE.ReplaceAllString(s, "-")
}

func fmtBench(v float64) string { return fmt.Sprintf("%.6g", v) }
