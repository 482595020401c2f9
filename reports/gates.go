package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/abload/abload/reports/gate"
)

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

// EvaluateGate checks a threshold or baseline gate against a result (and, for
// a baseline gate, the baseline's median of the same metric). A gate whose
// metric is missing or has no data fails with the reason in Gate.Error.
// worse_by gates need a comparison: see EvaluateGates and RegressionGates.
func EvaluateGate(g *gate.Expr, r *Result, base *Baseline) Gate {
	rm, err := jsonForm(r)
	if err != nil {
		return Gate{Expr: g.Text, Error: err.Error()}
	}
	return evaluateGate(g, r, rm, base)
}

func evaluateGate(g *gate.Expr, r *Result, rm any, base *Baseline) Gate {
	if g.WorseBy {
		return Gate{Expr: g.Text, Error: "a worse_by gate is judged on a comparison with a baseline"}
	}
	v, err := metricValue(r, rm, g.Path)
	if err != nil {
		return noDataGate(g, err)
	}
	if !g.Baseline {
		return EvaluateGateValue(g, v, nil)
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
	return EvaluateGateValue(g, v, &b)
}

// noDataGate is a gate that failed because its metric could not be read.
func noDataGate(g *gate.Expr, err error) Gate {
	return Gate{Expr: g.Text, Error: err.Error(), NoData: errors.Is(err, ErrNoData) || errors.Is(err, ErrNoMetric)}
}

// EvaluateGateValue checks a threshold or baseline gate against a value
// already looked up (compare evaluates on medians); baseline is the
// baseline's value of the metric. The limit of `baseline * F` is the
// baseline moved by |baseline|·(F − 1), so a factor above 1 loosens an
// upper bound even for a metric that can be negative (the lag slope).
func EvaluateGateValue(g *gate.Expr, v float64, baseline *float64) Gate {
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
func RegressionGates(gates []*gate.Expr, cfg, base Config, opts CompareOptions) ([]Gate, []string) {
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
			out[i] = judgeGate(g, c, opts.alpha(), k)
		}
	}
	return out, c.Warnings
}

// judgeGate evaluates a worse_by gate on a comparison of one configuration
// against the baseline made at twice the family's per-metric level (k
// metrics gated at alpha in all).
func judgeGate(g *gate.Expr, c *Comparison, alpha float64, k int) Gate {
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
func EvaluateGates(exprs []*gate.Expr, r *Result, base *Baseline, opts CompareOptions) ([]Gate, []string) {
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
			res = evaluateGate(g, r, rm, base)
		}
		if !r.Valid {
			res.Pass = false
			res.Error = "the run is invalid: no gate passes on numbers that cannot be trusted"
		}
		out = append(out, res)
	}
	return out, warnings
}
