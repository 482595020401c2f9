package gate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// WorseByMetrics are the result.json paths a worse_by gate can name: the
// metrics compare judges (reports' compare metrics, in their order; a test
// there keeps the two lists equal).
var WorseByMetrics = []string{
	"latency_ms.e2e.p50",
	"latency_ms.e2e.p99",
	"latency_ms.e2e.p999",
	"latency_ms.window.p99",
	"throughput.in_eps",
	"throughput.out_rps",
	"checkpoints.duration_ms.p99",
	"checkpoints.state_size_bytes.max",
	"recovery.running_after_s",
	"recovery.lag_recovered_after_s",
	"resources.taskmanager_cpu_pct",
	"lag.slope_per_s",
}

// A gate is `METRIC OP VALUE[unit]`, `METRIC OP baseline [* FACTOR]` or
// `METRIC worse_by OP PERCENT%`:
//
//	e2e.p99 < 500ms
//	throughput.in_eps >= 20000/s
//	checkpoints.duration_ms.p99 < 2s
//	e2e.p99 <= baseline * 1.10
//	e2e.p99 worse_by > 10%
//
// METRIC is a result.json path (latency_ms.e2e.p99) or a short alias
// (e2e.p99); OP is one of < <= > >=; a unit converts VALUE into the
// metric's own unit, which its path names (…_ms, …_s, …_bytes, …_eps,
// …_rps, …_pct).
//
// A threshold or baseline gate is a condition the run must meet; it fails
// when the metric has no data (nothing measured for it), never passing on a
// zero that stands for nothing. A worse_by gate is a regression check
// against a baseline that understands noise: it fails only when the
// comparison shows the metric worse beyond the run-to-run noise (the
// interval of the change excludes zero) and the interval's bound nearest to
// no change is past PERCENT, i.e. it got worse by more than PERCENT with the
// interval's confidence. It reads either way — `worse_by > 10%` (fail when
// worse by more than 10%) and `worse_by <= 10%` (pass unless worse by more
// than 10%) are the same gate — and it takes compare's metrics only.

// Expr is a parsed gate.
type Expr struct {
	Text   string  // as written
	Path   string  // the result.json path the metric resolves to
	Op     string  // <, <=, > or >=
	Value  float64 // in the metric's unit; for worse_by the tolerated change (0.10 = 10%); unused for a baseline gate
	Factor float64 // baseline gates: the right side is baseline × Factor
	// Baseline marks a gate whose right side is the same metric of a baseline.
	Baseline bool
	// WorseBy marks a regression gate (METRIC worse_by OP PERCENT%).
	WorseBy bool
}

// NeedsBaseline reports whether the gate compares with a baseline.
func (g *Expr) NeedsBaseline() bool { return g.Baseline || g.WorseBy }

// gateAliases maps a metric's first path element to its result.json prefix.
var gateAliases = map[string]string{
	"e2e":            "latency_ms.e2e",
	"window":         "latency_ms.window",
	"send_delay":     "events.send_delay_ms",
	"consumer_delay": "consumer_delay_ms",
	"in_eps":         "throughput.in_eps",
	"out_rps":        "throughput.out_rps",
	"skew":           "skew.max_over_mean",
}

// Parse parses one gate expression.
func Parse(text string) (*Expr, error) {
	s := strings.TrimSpace(text)
	var op string
	var i int
	for j := 0; j < len(s); j++ {
		if s[j] == '<' || s[j] == '>' {
			op, i = s[j:j+1], j
			if j+1 < len(s) && s[j+1] == '=' {
				op = s[j : j+2]
			}
			break
		}
	}
	if op == "" {
		return nil, fmt.Errorf("gate %q: want METRIC OP VALUE with OP one of < <= > >= (e.g. \"e2e.p99 < 500ms\" or \"e2e.p99 worse_by > 10%%\")", text)
	}
	metric := strings.TrimSpace(s[:i])
	rhs := strings.TrimSpace(s[i+len(op):])
	if metric == "" || rhs == "" {
		return nil, fmt.Errorf("gate %q: want METRIC OP VALUE (e.g. \"e2e.p99 < 500ms\")", text)
	}
	if strings.ContainsAny(rhs, "<>=") {
		return nil, fmt.Errorf("gate %q: one comparison per gate", text)
	}
	worseBy := false
	if f := strings.Fields(metric); len(f) == 2 && f[1] == "worse_by" {
		metric, worseBy = f[0], true
	} else if len(f) > 1 {
		return nil, fmt.Errorf("gate %q: %q: want a metric, or a metric and worse_by (e.g. \"e2e.p99 worse_by > 10%%\")", text, metric)
	}
	g := &Expr{Text: text, Op: op, Path: resolveAlias(metric), WorseBy: worseBy}
	for _, part := range strings.Split(g.Path, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' || strings.IndexFunc(part, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) >= 0 {
			return nil, fmt.Errorf("gate %q: %q is not a result.json path (lower-case names joined by dots, e.g. latency_ms.e2e.p99) or an alias (%s)", text, metric, aliasList())
		}
	}
	if worseBy {
		if op != ">" && op != "<=" {
			return nil, fmt.Errorf("gate %q: worse_by takes > (\"%s worse_by > 10%%\": fail when worse by more than 10%%) or <= (the same gate, read as what must hold), not %s", text, metric, op)
		}
		if !slices.Contains(WorseByMetrics, g.Path) {
			return nil, fmt.Errorf("gate %q: worse_by takes one of compare's metrics (%s), not %s", text, strings.Join(WorseByMetrics, ", "), g.Path)
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(rhs), "%")
		v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if !ok || err != nil || !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gate %q: worse_by wants a percentage of 0 or more, e.g. 10%%, got %q", text, rhs)
		}
		g.Value = v / 100
		return g, nil
	}
	if b, ok := strings.CutPrefix(rhs, "baseline"); ok {
		g.Baseline, g.Factor = true, 1
		b = strings.TrimSpace(b)
		if b != "" {
			f, ok := strings.CutPrefix(b, "*")
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if !ok || err != nil || !(v > 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("gate %q: want \"baseline\" or \"baseline * FACTOR\" with a factor > 0, got %q", text, rhs)
			}
			g.Factor = v
		}
		return g, nil
	}
	v, err := parseGateValue(rhs, UnitOf(g.Path))
	if err != nil {
		return nil, fmt.Errorf("gate %q: %v", text, err)
	}
	g.Value = v
	return g, nil
}

func aliasList() string {
	return "e2e.*, window.*, send_delay.*, consumer_delay.*, in_eps, out_rps, skew"
}

func resolveAlias(metric string) string {
	head, rest, _ := strings.Cut(metric, ".")
	if p, ok := gateAliases[head]; ok {
		if rest == "" {
			return p
		}
		return p + "." + rest
	}
	return metric
}

// UnitOf is the unit a result.json path's value is in, from the names the
// schema gives its fields.
func UnitOf(path string) string {
	for _, part := range reverse(strings.Split(path, ".")) {
		switch {
		case strings.HasSuffix(part, "_ms"):
			return "ms"
		case strings.HasSuffix(part, "_s") && part != "slope_per_s":
			return "s"
		case strings.HasSuffix(part, "_bytes"):
			return "bytes"
		case strings.HasSuffix(part, "_eps"), strings.HasSuffix(part, "_rps"), part == "slope_per_s":
			return "/s"
		case strings.HasSuffix(part, "_pct"):
			return "%"
		case strings.HasSuffix(part, "_mb"):
			return "MB"
		}
	}
	return ""
}

func reverse(s []string) []string {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
	return s
}

// gateUnits converts a value with a unit suffix into the field's unit.
var gateUnits = map[string]map[string]float64{
	"ms":    {"us": 1e-3, "µs": 1e-3, "ms": 1, "s": 1e3, "m": 60e3, "h": 3600e3},
	"s":     {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600},
	"bytes": {"b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30},
	"/s":    {"/s": 1},
	"%":     {"%": 1},
	"MB":    {"mb": 1, "gb": 1e3},
}

func parseGateValue(s, unit string) (float64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+' || s[i] == 'e' && i > 0 && i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '-' || s[i+1] == '+')) {
		i++
	}
	num, suffix := s[:i], strings.TrimSpace(s[i:])
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a number with an optional unit (e.g. 500ms, 2s, 20000/s, 64MB)", s)
	}
	if suffix == "" {
		return v, nil
	}
	conv, ok := gateUnits[unit][strings.ToLower(suffix)]
	if !ok {
		if unit == "" {
			return 0, fmt.Errorf("unit %q: the metric has no unit; give a plain number", suffix)
		}
		return 0, fmt.Errorf("unit %q does not fit the metric, which is in %s", suffix, unit)
	}
	return v * conv, nil
}
