package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

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

// GateExpr is a parsed gate.
type GateExpr struct {
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
func (g *GateExpr) NeedsBaseline() bool { return g.Baseline || g.WorseBy }

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
	g := &GateExpr{Text: text, Op: op, Path: resolveAlias(metric), WorseBy: worseBy}
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
		if _, ok := LookupCompareMetric(g.Path); !ok {
			var names []string
			for _, m := range compareMetrics {
				names = append(names, m.Path)
			}
			return nil, fmt.Errorf("gate %q: worse_by takes one of compare's metrics (%s), not %s", text, strings.Join(names, ", "), g.Path)
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

// ErrNoData is wrapped when a result has the metric's field but nothing
// was measured for it (its value would be a zero that stands for nothing).
var ErrNoData = errors.New("nothing was measured for it")

// MetricValue looks a metric up in a result: one of compare's metrics
// (derived ones included, such as resources.taskmanager_cpu_pct), or any
// numeric result.json path (through the result's JSON form, so any field
// the schema has can be gated on). It fails, wrapping ErrNoData, when the
// result has the field but measured nothing for it (see NoData), and
// wrapping ErrNoMetric when the result does not have it.
func MetricValue(r *Result, path string) (float64, error) {
	m, err := jsonForm(r)
	if err != nil {
		return 0, err
	}
	return metricValue(r, m, path)
}

// metricValue is MetricValue with the result's JSON form at hand.
func metricValue(r *Result, rm any, path string) (float64, error) {
	if why := NoData(r, path); why != "" {
		return 0, fmt.Errorf("%s: %s: %w", path, why, ErrNoData)
	}
	if m, ok := LookupCompareMetric(path); ok {
		if v, ok := m.value(r); ok {
			return v, nil
		}
		return 0, fmt.Errorf("%s: measured only %s: %w", path, m.Doc, ErrNoData)
	}
	return lookup(rm, path)
}

// NoData says why a result has nothing measured for a metric path, or ""
// when it has: latencies with no event measured, checkpoint figures with
// no checkpoint completed, overhead with nothing on one side, send or
// consumer delays with nothing sent or read, sections a run did not
// measure. Counts (latency_ms.e2e.count, checkpoints.completed, …) are
// data whatever their value.
func NoData(r *Result, path string) string {
	under := func(prefix string) bool { return path == prefix || strings.HasPrefix(path, prefix+".") }
	leaf := path[strings.LastIndex(path, ".")+1:]
	switch {
	case under("latency_ms.e2e") && leaf != "count" && r.Latency.E2E.Count == 0:
		return "no e2e latency was measured (latency_ms.e2e.count is 0: the updates output is off, or no update came out)"
	case under("latency_ms.window") && leaf != "count" && r.Latency.Window.Count == 0:
		return "no window latency was measured (latency_ms.window.count is 0: the windows output is off, or no window result came out)"
	case under("events.send_delay_ms") && r.Events.SentTotal == 0:
		return "no event was sent"
	case under("consumer_delay_ms") && r.Latency.E2E.Count == 0 && r.Latency.Window.Count == 0:
		return "no output was read"
	case under("checkpoints"):
		c := r.Checkpoints
		switch {
		case c == nil:
			return "checkpoints were not measured (checkpointing off, or no checkpoint statistics)"
		case under("checkpoints.control"):
			if c.Control == nil {
				return "no control run (job.checkpoint.control_run)"
			}
		case under("checkpoints.overhead"):
			o := c.Overhead
			if o == nil {
				return "no checkpoint overhead: no checkpoint completed in the measurement phase, or no time between checkpoints"
			}
			if strings.HasPrefix(leaf, "p") || leaf == "max" || leaf == "p99_ratio" || strings.Contains(path, ".e2e_") {
				if o.E2EInFlight.Count == 0 || o.E2EBetween.Count == 0 {
					return "no e2e latency both while a checkpoint was in flight and between checkpoints"
				}
			}
		case leaf != "completed" && leaf != "failed" && c.Completed == 0:
			return "no checkpoint completed in the measurement phase (checkpoints.completed is 0)"
		}
	case under("skew") && r.Skew == nil:
		return "skew was not measured"
	case under("lag") && r.Lag == nil:
		return "the input lag was not measured"
	case under("reconciliation") && r.Reconciliation == nil:
		return "nothing was reconciled"
	case under("clock"):
		if r.Clock == nil {
			return "the broker's clock was not checked"
		}
		if r.Clock.Error != "" {
			return "the clock check failed: " + r.Clock.Error
		}
	case under("recovery") && len(r.Recovery) == 0:
		return "no fault was injected"
	}
	return ""
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

// Baseline is what gates and comparisons hold a run against: one result,
// or a saved baseline's history (runs of one configuration, oldest first).
type Baseline struct {
	Name    string
	Results []*Result
	Dirs    []string
}

// Config is the baseline as a configuration to compare.
func (b *Baseline) Config() Config {
	return Config{Name: b.Name, Results: b.Results, Dirs: b.Dirs}
}

// Valid returns the baseline's valid results, and the places of the
// invalid ones.
func (b *Baseline) Valid() (valid []*Result, invalid []string) {
	for i, r := range b.Results {
		if r != nil && r.Valid {
			valid = append(valid, r)
			continue
		}
		where := fmt.Sprintf("%s entry %d", b.Name, i+1)
		if i < len(b.Dirs) {
			where = b.Dirs[i]
		}
		invalid = append(invalid, where)
	}
	return valid, invalid
}

// Insufficient says why the baseline cannot be used ("" when it can): no
// valid result, or fewer valid than invalid ones.
func (b *Baseline) Insufficient() string {
	valid, _ := b.Valid()
	return insufficient(len(valid), len(b.Results))
}

// baselineValue is a baseline gate's reference: the median of the metric
// over the baseline's valid results (a history's median, not its last run).
func baselineValue(b *Baseline, path string) (float64, error) {
	valid, _ := b.Valid()
	if why := b.Insufficient(); why != "" {
		return 0, fmt.Errorf("baseline %s is insufficient: %s", b.Name, why)
	}
	vals := make([]float64, 0, len(valid))
	for _, r := range valid {
		v, err := MetricValue(r, path)
		if err != nil {
			return 0, err
		}
		vals = append(vals, v)
	}
	return Median(vals), nil
}

// Evaluate checks a threshold or baseline gate against a result (and, for
// a baseline gate, the baseline's median of the same metric). A gate whose
// metric is missing or has no data fails with the reason in Gate.Error.
// worse_by gates need a comparison: see EvaluateGates and RegressionGates.
func (g *GateExpr) Evaluate(r *Result, base *Baseline) Gate {
	rm, err := jsonForm(r)
	if err != nil {
		return Gate{Expr: g.Text, Error: err.Error()}
	}
	return g.evaluate(r, rm, base)
}

func (g *GateExpr) evaluate(r *Result, rm any, base *Baseline) Gate {
	if g.WorseBy {
		return Gate{Expr: g.Text, Error: "a worse_by gate is judged on a comparison with a baseline"}
	}
	v, err := metricValue(r, rm, g.Path)
	if err != nil {
		return noDataGate(g, err)
	}
	if !g.Baseline {
		return g.EvaluateValue(v, nil)
	}
	if base == nil {
		return Gate{Expr: g.Text, Value: v, Error: "a baseline gate needs a baseline (--baseline)"}
	}
	b, err := baselineValue(base, g.Path)
	if err != nil {
		out := noDataGate(g, err)
		out.Value, out.Error = v, "baseline: "+out.Error
		return out
	}
	return g.EvaluateValue(v, &b)
}

// noDataGate is a gate that failed because its metric could not be read.
func noDataGate(g *GateExpr, err error) Gate {
	return Gate{Expr: g.Text, Error: err.Error(), NoData: errors.Is(err, ErrNoData) || errors.Is(err, ErrNoMetric)}
}

// EvaluateValue checks a threshold or baseline gate against a value
// already looked up (compare evaluates on medians); baseline is the
// baseline's value of the metric. The limit of `baseline * F` is the
// baseline moved by |baseline|·(F − 1), so a factor above 1 loosens an
// upper bound even for a metric that can be negative (the lag slope).
func (g *GateExpr) EvaluateValue(v float64, baseline *float64) Gate {
	out := Gate{Expr: g.Text, Value: v}
	limit := g.Value
	if g.Baseline {
		if baseline == nil {
			out.Error = "a baseline gate needs a baseline"
			return out
		}
		limit = *baseline + math.Abs(*baseline)*(g.Factor-1)
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

// RegressionGates evaluates the worse_by gates among gates for cfg against
// the baseline base, and returns the comparison's warnings. The gates are
// one family over the k distinct metrics they gate: each metric's worsening
// is bounded from below at confidence 1 − alpha/k (one-sided: the low end
// of the interval at coverage 1 − 2·alpha/k), and a gate fails when that
// bound is past its limit, so a configuration that did not change fails any
// of them with probability at most alpha. The result is indexed like gates
// (zero Gates for the others).
func RegressionGates(gates []*GateExpr, cfg, base Config, opts CompareOptions) ([]Gate, []string) {
	out := make([]Gate, len(gates))
	tol := map[string]float64{}
	for _, g := range gates {
		if g.WorseBy {
			if t, ok := tol[g.Path]; !ok || g.Value < t {
				tol[g.Path] = g.Value
			}
		}
	}
	k := len(tol)
	if k == 0 {
		return out, nil
	}
	fam := opts
	fam.Alpha = math.Min(0.5, 2*opts.alpha()/float64(k))
	fam.Tolerances = tol
	c := Compare([]Config{base, cfg}, 0, fam)
	for i, g := range gates {
		if g.WorseBy {
			out[i] = g.judge(c, opts.alpha(), k)
		}
	}
	return out, c.Warnings
}

// judge evaluates a worse_by gate on a comparison of one configuration
// against the baseline made at twice the family's per-metric level (k
// metrics gated at alpha in all).
func (g *GateExpr) judge(c *Comparison, alpha float64, k int) Gate {
	out := Gate{Expr: g.Text, Limit: ptr(100 * g.Value)}
	if len(c.Comparisons) != 1 {
		out.Error = "nothing to compare"
		return out
	}
	cc := c.Comparisons[0]
	var m *MetricComparison
	for i := range cc.Metrics {
		if cc.Metrics[i].Metric == g.Path {
			m = &cc.Metrics[i]
		}
	}
	if m == nil {
		why := "neither the run nor the baseline has it"
		if cm, ok := LookupCompareMetric(g.Path); ok {
			why += " (it is measured " + cm.Doc + ")"
		}
		for _, nc := range cc.NotCompared {
			if nc.Metric == g.Path {
				why = nc.Reason
			}
		}
		out.Error, out.NoData = "not compared: "+g.Path+": "+why, true
		return out
	}
	out.Verdict = string(m.Verdict)
	if !m.Verdict.Decided() {
		out.Error, out.NoData = fmt.Sprintf("%s: %s", m.Verdict, m.Reason), true
		return out
	}
	est, atLeast, _ := m.WorseBy()
	lo, hi := m.Interval[0], m.Interval[1]
	if m.Better == HigherIsBetter {
		lo, hi = -hi, -lo
	}
	limit := g.Value
	unit := "%"
	scale := 100.0
	if m.Scale == ScaleLinear {
		limit *= m.tolRef
		unit, scale = " "+m.Unit, 1
		out.Limit = ptr(limit)
	}
	out.Value = scale * est
	out.Interval = &[2]float64{scale * lo, scale * hi}
	out.Unit = strings.TrimSpace(unit)
	// The low end of the interval is the one-sided bound; past a limit of 0
	// or more it is also significant.
	out.Pass = !(atLeast > limit)
	fam := ""
	if k > 1 {
		fam = fmt.Sprintf(" (alpha %g over %d gated metrics)", alpha, k)
	}
	seen := fmt.Sprintf("+%.3g%s", scale*m.Detectable, unit)
	if m.Scale == ScaleRatio { // the interval's half-width is symmetric in logs
		h := math.Log1p(m.Detectable)
		seen = fmt.Sprintf("+%.3g%s/%.3g%s", 100*math.Expm1(h), unit, 100*math.Expm1(-h), unit)
	}
	out.Detail = fmt.Sprintf("worse by %+.3g%s, at least %+.3g%s with %.4g%% confidence%s; %d vs %d run(s), noise ±%.3g%s per run (%s), so only changes beyond %s can be told from it; limit %.3g%s",
		scale*est, unit, scale*lo, unit, 100*(1-alpha/float64(k)), fam, len(m.Values), len(m.BaselineValues),
		scale*m.NoisePerRun, unit, m.Noise.Source, seen, scale*limit, unit)
	return out
}

func ptr(v float64) *float64 { return &v }

// EvaluateGates evaluates every gate on a run's result: threshold gates on
// its values, baseline gates against the baseline's median, worse_by gates
// on the comparison of the run with the baseline (RegressionGates). A run
// that is not valid passes none (its numbers cannot be trusted), which
// Error says. The warnings say what the comparison with the baseline found
// worth knowing (a different environment or configuration, the default
// noise standing in, invalid baseline entries left out).
func EvaluateGates(exprs []*GateExpr, r *Result, base *Baseline, opts CompareOptions) ([]Gate, []string) {
	var out []Gate
	var warnings []string
	// The result's JSON form once, not once per gate.
	rm, rerr := jsonForm(r)
	var reg []Gate
	if base != nil {
		var ws []string
		reg, ws = RegressionGates(exprs, Config{Name: "this run", Results: []*Result{r}}, base.Config(), opts)
		warnings = append(warnings, ws...)
		if valid, _ := base.Valid(); len(valid) > 0 {
			if d := configDiff(valid[len(valid)-1], r); d != "" {
				warnings = append(warnings, fmt.Sprintf("this run's configuration differs from baseline %s's (%s): the gates compare different things", base.Name, d))
			}
		}
	}
	for i, g := range exprs {
		var res Gate
		switch {
		case rerr != nil:
			res = Gate{Expr: g.Text, Error: rerr.Error()}
		case g.WorseBy && base == nil:
			res = Gate{Expr: g.Text, Error: "a worse_by gate needs a baseline (--baseline)"}
		case g.WorseBy:
			res = reg[i]
		default:
			res = g.evaluate(r, rm, base)
		}
		if !r.Valid {
			res.Pass = false
			res.Error = "the run is invalid: no gate passes on numbers that cannot be trusted"
		}
		out = append(out, res)
	}
	return out, warnings
}
