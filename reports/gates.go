package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// A gate is `METRIC OP VALUE[unit]` or `METRIC OP baseline [* FACTOR]`:
//
//	e2e.p99 < 500ms
//	throughput.in_eps >= 20000/s
//	checkpoints.duration_ms.p99 < 2s
//	e2e.p99 <= baseline * 1.10
//
// METRIC is a result.json path (latency_ms.e2e.p99) or a short alias
// (e2e.p99); OP is one of < <= > >=; a unit converts VALUE into the
// metric's own unit, which its path names (…_ms, …_s, …_bytes, …_eps,
// …_rps, …_pct).

// GateExpr is a parsed gate.
type GateExpr struct {
	Text   string  // as written
	Path   string  // the result.json path the metric resolves to
	Op     string  // <, <=, > or >=
	Value  float64 // in the metric's unit; unused for a baseline gate
	Factor float64 // baseline gates: the right side is baseline × Factor
	// Baseline marks a gate whose right side is the same metric of a baseline.
	Baseline bool
}

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

// ParseGate parses one gate expression.
func ParseGate(text string) (*GateExpr, error) {
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
		return nil, fmt.Errorf("gate %q: want METRIC OP VALUE with OP one of < <= > >= (e.g. \"e2e.p99 < 500ms\")", text)
	}
	metric := strings.TrimSpace(s[:i])
	rhs := strings.TrimSpace(s[i+len(op):])
	if metric == "" || rhs == "" {
		return nil, fmt.Errorf("gate %q: want METRIC OP VALUE (e.g. \"e2e.p99 < 500ms\")", text)
	}
	if strings.ContainsAny(rhs, "<>=") {
		return nil, fmt.Errorf("gate %q: one comparison per gate", text)
	}
	g := &GateExpr{Text: text, Op: op, Path: resolveAlias(metric)}
	for _, part := range strings.Split(g.Path, ".") {
		if part == "" || part[0] < 'a' || part[0] > 'z' || strings.IndexFunc(part, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		}) >= 0 {
			return nil, fmt.Errorf("gate %q: %q is not a result.json path (lower-case names joined by dots, e.g. latency_ms.e2e.p99) or an alias (%s)", text, metric, aliasList())
		}
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
	v, err := parseGateValue(rhs, unitOf(g.Path))
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

// unitOf is the unit a result.json path's value is in, from the names the
// schema gives its fields.
func unitOf(path string) string {
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

// ErrNoMetric is wrapped when a gate's metric is not in a result.
var ErrNoMetric = errors.New("metric not in the result")

// MetricValue looks a result.json path up in a result (through its JSON
// form, so any field the schema has can be gated on).
func MetricValue(r *Result, path string) (float64, error) {
	m, err := jsonForm(r)
	if err != nil {
		return 0, err
	}
	return lookup(m, path)
}

// jsonForm is the result as result.json would hold it.
func jsonForm(r *Result) (any, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var m any
	return m, json.Unmarshal(b, &m)
}

func lookup(m any, path string) (float64, error) {
	cur := m
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("%s: %w", path, ErrNoMetric)
		}
		if cur, ok = obj[part]; !ok {
			return 0, fmt.Errorf("%s: %w", path, ErrNoMetric)
		}
	}
	switch v := cur.(type) {
	case float64:
		return v, nil
	case bool:
		if v {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("%s is not a number", path)
}

// Evaluate checks the gate against a result (and, for a baseline gate, the
// baseline's same metric). A gate whose metric is missing fails with the
// reason in Gate.Error.
func (g *GateExpr) Evaluate(r, baseline *Result) Gate {
	rm, err := jsonForm(r)
	if err != nil {
		return Gate{Expr: g.Text, Error: err.Error()}
	}
	var bm any
	if baseline != nil {
		if bm, err = jsonForm(baseline); err != nil {
			return Gate{Expr: g.Text, Error: "baseline: " + err.Error()}
		}
	}
	return g.evaluate(rm, bm)
}

// evaluate checks the gate against results in their JSON form (bm nil: no baseline).
func (g *GateExpr) evaluate(rm, bm any) Gate {
	v, err := lookup(rm, g.Path)
	if err != nil {
		return Gate{Expr: g.Text, Error: err.Error()}
	}
	if !g.Baseline {
		return g.EvaluateValue(v, nil)
	}
	if bm == nil {
		return Gate{Expr: g.Text, Value: v, Error: "a baseline gate needs a baseline (--baseline)"}
	}
	b, err := lookup(bm, g.Path)
	if err != nil {
		return Gate{Expr: g.Text, Value: v, Error: "baseline: " + err.Error()}
	}
	return g.EvaluateValue(v, &b)
}

// EvaluateValue checks the gate against a value already looked up (compare
// evaluates on medians); baseline is the baseline's value of the metric.
func (g *GateExpr) EvaluateValue(v float64, baseline *float64) Gate {
	out := Gate{Expr: g.Text, Value: v}
	limit := g.Value
	if g.Baseline {
		if baseline == nil {
			out.Error = "a baseline gate needs a baseline"
			return out
		}
		limit = *baseline * g.Factor
		out.Limit = &limit
	}
	out.Pass = compare(v, g.Op, limit)
	return out
}

func compare(v float64, op string, limit float64) bool {
	switch op {
	case "<":
		return v < limit
	case "<=":
		return v <= limit
	case ">":
		return v > limit
	case ">=":
		return v >= limit
	}
	return false
}

// EvaluateGates evaluates every gate; a run that is not valid passes none
// (its numbers cannot be trusted), which Error says.
func EvaluateGates(exprs []*GateExpr, r, baseline *Result) []Gate {
	var out []Gate
	// Each result's JSON form once, not once per gate.
	rm, rerr := jsonForm(r)
	var bm any
	var berr error
	if baseline != nil {
		bm, berr = jsonForm(baseline)
	}
	for _, g := range exprs {
		var res Gate
		switch {
		case rerr != nil:
			res = Gate{Expr: g.Text, Error: rerr.Error()}
		case berr != nil:
			res = Gate{Expr: g.Text, Error: "baseline: " + berr.Error()}
		default:
			res = g.evaluate(rm, bm)
		}
		if !r.Valid && res.Pass {
			res.Pass = false
			res.Error = "the run is invalid: no gate passes on numbers that cannot be trusted"
		}
		out = append(out, res)
	}
	return out
}
