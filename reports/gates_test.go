package reports

import (
	"math"
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
		g, err := ParseGate(tc.in)
		if err != nil {
			t.Errorf("ParseGate(%q): %v", tc.in, err)
			continue
		}
		if g.Path != tc.path || g.Op != tc.op || math.Abs(g.Value-tc.value) > 1e-9 || g.Baseline != tc.baseline || g.Factor != tc.factor {
			t.Errorf("ParseGate(%q) = %+v", tc.in, g)
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
		if _, err := ParseGate(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseGate(%q) error = %v, want it to mention %q", tc.in, err, tc.want)
		}
	}
}

func TestEvaluateGates(t *testing.T) {
	r := sampleResult()
	base := sampleResult()
	base.Latency.E2E.P99 = 40
	parse := func(s string) *GateExpr {
		g, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	gates := []*GateExpr{parse("e2e.p99 < 50ms"), parse("e2e.p99 < 40ms"), parse("e2e.p99 <= baseline * 1.10"),
		parse("e2e.p99 <= baseline * 1.5"), parse("checkpoints.duration_ms.p99 < 1s"), parse("in_eps >= 1000/s")}
	got := EvaluateGates(gates, r, base)
	want := []bool{true, false, false, true, false, true}
	for i, g := range got {
		if g.Pass != want[i] {
			t.Errorf("%s: pass %v (value %v, error %q), want %v", g.Expr, g.Pass, g.Value, g.Error, want[i])
		}
	}
	if got[4].Error == "" || !strings.Contains(got[4].Error, "not in the result") {
		t.Errorf("missing metric: %+v", got[4])
	}
	if got[2].Limit == nil || math.Abs(*got[2].Limit-44) > 1e-9 {
		t.Errorf("baseline limit = %v, want 44", got[2].Limit)
	}
	// No baseline: a baseline gate fails with a reason.
	if g := parse("e2e.p99 <= baseline").Evaluate(r, nil); g.Pass || g.Error == "" {
		t.Errorf("baseline gate without a baseline: %+v", g)
	}
	// An invalid run passes no gate.
	r.MarkInvalid("generator fell behind")
	for _, g := range EvaluateGates(gates[:1], r, nil) {
		if g.Pass || !strings.Contains(g.Error, "invalid") {
			t.Errorf("invalid run: %+v", g)
		}
	}
}
