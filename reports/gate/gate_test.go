package gate

import (
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestParseGate(t *testing.T) {
	for _, tc := range []struct {
		in       string
		path, op string
		value    float64
		baseline bool
		factor   float64
	}{
		{"e2e.p99 < 500ms", "latency_ms.e2e.p99", "<", 500, false, 0},
		{"e2e.p99<0.5s", "latency_ms.e2e.p99", "<", 500, false, 0},
		{"latency_ms.window.p50 <= 2s", "latency_ms.window.p50", "<=", 2000, false, 0},
		{"throughput.in_eps >= 20000", "throughput.in_eps", ">=", 20000, false, 0},
		{"in_eps >= 2e4/s", "throughput.in_eps", ">=", 20000, false, 0},
		{"checkpoints.duration_ms.p99 < 2s", "checkpoints.duration_ms.p99", "<", 2000, false, 0},
		{"checkpoints.state_size_bytes.max < 64MiB", "checkpoints.state_size_bytes.max", "<", 64 << 20, false, 0},
		{"checkpoints.state_size_bytes.max < 64MB", "checkpoints.state_size_bytes.max", "<", 64e6, false, 0},
		{"skew > 1.5", "skew.max_over_mean", ">", 1.5, false, 0},
		{"e2e.p99 <= baseline * 1.10", "latency_ms.e2e.p99", "<=", 0, true, 1.10},
		{"out_rps >= baseline", "throughput.out_rps", ">=", 0, true, 1},
		{"send_delay.max < 1000us", "events.send_delay_ms.max", "<", 1, false, 0},
		{"e2e.max < 1h", "latency_ms.e2e.max", "<", 3600e3, false, 0},
		{"recovery.running_after_s < 2m", "recovery.running_after_s", "<", 120, false, 0},
	} {
		g, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if g.Path != tc.path || g.Op != tc.op || math.Abs(g.Value-tc.value) > 1e-9 || g.Baseline != tc.baseline || g.Factor != tc.factor {
			t.Errorf("Parse(%q) = %+v", tc.in, g)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"e2e.p99 500ms", "OP one of"},
		{"e2e.p99 < ", "METRIC OP VALUE"},
		{"e2e.p99 < 5 parsecs", "does not fit"},
		{"e2e.p99 < 5GB", "does not fit the metric, which is in ms"},
		{"skew < 2ms", "the metric has no unit"},
		{"E2E.P99 < 5ms", "not a result.json path"},
		{"e2e.p99 < fast", "not a number"},
		{"e2e.p99 < baseline * -1", "factor > 0"},
		{"e2e.p99 < 2 < 3", "one comparison per gate"},
		{"1.5 < e2e.p99", "not a result.json path"},
	} {
		if _, err := Parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
}

func TestParseWorseBy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		path string
		op   string
		v    float64
	}{
		{"e2e.p99 worse_by > 10%", "latency_ms.e2e.p99", ">", 0.10},
		{"e2e.p99  worse_by<=5.5%", "latency_ms.e2e.p99", "<=", 0.055},
		{"throughput.in_eps worse_by > 0%", "throughput.in_eps", ">", 0},
		{"lag.slope_per_s worse_by > 2 %", "lag.slope_per_s", ">", 0.02},
	} {
		g, err := Parse(tc.in)
		if err != nil || !g.WorseBy || !g.NeedsBaseline() || g.Path != tc.path || g.Op != tc.op || math.Abs(g.Value-tc.v) > 1e-12 {
			t.Errorf("Parse(%q) = %+v, %v", tc.in, g, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"e2e.p99 worse_by > 10", "percentage"},
		{"e2e.p99 worse_by > -5%", "percentage of 0 or more"},
		{"e2e.max worse_by > 10%", "worse_by takes one of compare's metrics"},
		{"e2e.p99 better_by > 10%", "want a metric, or a metric and worse_by"},
		{"e2e.p99 worse_by > baseline", "percentage"},
		{"e2e.p99 worse_by >= 10%", "worse_by takes > "},
		{"e2e.p99 worse_by < 10%", "not <"},
	} {
		if _, err := Parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
}

var gatePathRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// A gate parses to one comparison on a result.json path, and the text it
// keeps parses back to the same gate.
func FuzzParseGate(f *testing.F) {
	for _, s := range []string{"e2e.p99 < 500ms", "e2e.p99 worse_by > 10%", "e2e.p99 <= baseline", "e2e.p99 < 1.1 * baseline", "in_eps >= 1900/s",
		"skew < 2", "window.p99 < 1h", "e2e.p99 500ms", "a < b < c", "e2e.P99 < 1s", "e2e.p99 worse_by >= 10%", "x.y > -1e309", "e2e.p99 < NaN", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := Parse(s)
		if err != nil {
			return
		}
		switch g.Op {
		case "<", "<=", ">", ">=":
		default:
			t.Fatalf("%q: op %q", s, g.Op)
		}
		if !gatePathRE.MatchString(g.Path) {
			t.Fatalf("%q: path %q is not a result.json path", s, g.Path)
		}
		if g.Value != g.Value || g.Factor != g.Factor {
			t.Fatalf("%q: NaN in %+v", s, g)
		}
		again, err := Parse(g.Text)
		if err != nil || !reflect.DeepEqual(again, g) {
			t.Fatalf("%q: parsed %+v, its text parses to %+v, %v", s, g, again, err)
		}
	})
}
