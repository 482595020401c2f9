package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Comparing configurations: each configuration is a set of repetitions (one
// result.json each); every metric is summarised by its median over the
// repetitions and tested against the baseline configuration with the
// two-sided Mann–Whitney U test, the repetition being the unit (never the
// event). The p-values of one configuration's metrics are adjusted together
// with Benjamini–Hochberg.

// CompareSchema identifies the JSON form of a Comparison.
const CompareSchema = "abload.compare/v1"

// DefaultAlpha is the significance level compare uses unless told otherwise.
const DefaultAlpha = 0.05

// Better says which direction of a metric is an improvement.
type Better string

// Directions.
const (
	LowerIsBetter  Better = "lower"
	HigherIsBetter Better = "higher"
)

// Verdict is the outcome for one metric of one configuration.
type Verdict string

// Verdicts. A change is significant when its adjusted p-value is below alpha.
const (
	VerdictBetter   Verdict = "better"
	VerdictWorse    Verdict = "worse"
	VerdictNoChange Verdict = "no significant change"
)

// CompareMetric is a metric compare looks at. Path is its result.json path
// (latency_ms.e2e.p99), or for a metric derived from several fields a name
// in the same style whose last element carries its unit (_s, _pct), so
// gates can name it the same way.
type CompareMetric struct {
	Path   string `json:"metric"`
	Label  string `json:"label"`
	Unit   string `json:"unit"`
	Better Better `json:"better"`
	// Doc says where the value comes from and when a run has it.
	Doc string `json:"-"`

	value func(*Result) (float64, bool)
}

// Value returns the metric's value in r, and whether r has it.
func (m CompareMetric) Value(r *Result) (float64, bool) { return m.value(r) }

var compareMetrics = []CompareMetric{
	{Path: "latency_ms.e2e.p50", Label: "e2e p50", Unit: "ms", Better: LowerIsBetter,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P50, r.Latency.E2E.Count > 0 }},
	{Path: "latency_ms.e2e.p99", Label: "e2e p99", Unit: "ms", Better: LowerIsBetter,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P99, r.Latency.E2E.Count > 0 }},
	{Path: "latency_ms.e2e.p999", Label: "e2e p99.9", Unit: "ms", Better: LowerIsBetter,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P999, r.Latency.E2E.Count > 0 }},
	{Path: "latency_ms.window.p99", Label: "window p99", Unit: "ms", Better: LowerIsBetter,
		Doc:   "when latency_ms.window.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.Window.P99, r.Latency.Window.Count > 0 }},
	{Path: "throughput.in_eps", Label: "throughput in", Unit: "events/s", Better: HigherIsBetter,
		Doc:   "when the updates output was measured (latency_ms.e2e.count > 0)",
		value: func(r *Result) (float64, bool) { return r.Throughput.InEPS, r.Latency.E2E.Count > 0 }},
	{Path: "throughput.out_rps", Label: "throughput out", Unit: "records/s", Better: HigherIsBetter,
		Doc: "when an output was measured (latency_ms.e2e.count or latency_ms.window.count > 0)",
		value: func(r *Result) (float64, bool) {
			return r.Throughput.OutRPS, r.Latency.E2E.Count > 0 || r.Latency.Window.Count > 0
		}},
	{Path: "checkpoints.duration_ms.p99", Label: "checkpoint duration p99", Unit: "ms", Better: LowerIsBetter,
		Doc: "when checkpoints.completed > 0",
		value: func(r *Result) (float64, bool) {
			c := r.Checkpoints
			if c == nil || c.Completed == 0 {
				return 0, false
			}
			return c.DurationMs.P99, true
		}},
	{Path: "checkpoints.state_size_bytes.max", Label: "checkpoint state max", Unit: "bytes", Better: LowerIsBetter,
		Doc: "when checkpoints.completed > 0",
		value: func(r *Result) (float64, bool) {
			c := r.Checkpoints
			if c == nil || c.Completed == 0 {
				return 0, false
			}
			return float64(c.StateSizeBytes.Max), true
		}},
	{Path: "recovery.running_after_s", Label: "recovery: job running", Unit: "s", Better: LowerIsBetter,
		Doc: "max over recovery[] of running_s − at_s; when every fault has a running_s",
		value: func(r *Result) (float64, bool) {
			return maxAfterFault(r, func(rc Recovery) *float64 { return rc.RunningS })
		}},
	{Path: "recovery.lag_recovered_after_s", Label: "recovery: lag recovered", Unit: "s", Better: LowerIsBetter,
		Doc: "max over recovery[] of lag_recovered_s − at_s; when every fault has a lag_recovered_s",
		value: func(r *Result) (float64, bool) {
			return maxAfterFault(r, func(rc Recovery) *float64 { return rc.LagRecoveredS })
		}},
	{Path: "resources.taskmanager_cpu_pct", Label: "TaskManager CPU p50", Unit: "%", Better: LowerIsBetter,
		Doc: "sum over resources[] whose component starts with \"taskmanager-\" of cpu_pct.p50; when there is one",
		value: func(r *Result) (float64, bool) {
			sum, ok := 0.0, false
			for _, res := range r.Resources {
				if strings.HasPrefix(res.Component, "taskmanager-") {
					sum += res.CPUPct.P50
					ok = true
				}
			}
			return sum, ok
		}},
	{Path: "lag.slope_per_s", Label: "input lag slope", Unit: "events/s", Better: LowerIsBetter,
		Doc:   "when lag is present",
		value: func(r *Result) (float64, bool) { return slopeOf(r.Lag) }},
}

func slopeOf(l *Lag) (float64, bool) {
	if l == nil {
		return 0, false
	}
	return l.SlopePerS, true
}

func maxAfterFault(r *Result, at func(Recovery) *float64) (float64, bool) {
	if len(r.Recovery) == 0 {
		return 0, false
	}
	best := math.Inf(-1)
	for _, rc := range r.Recovery {
		t := at(rc)
		if t == nil {
			return 0, false
		}
		best = math.Max(best, *t-rc.AtS)
	}
	return best, true
}

// CompareMetrics lists the metrics compare looks at, in report order.
func CompareMetrics() []CompareMetric { return append([]CompareMetric(nil), compareMetrics...) }

func compareMetric(path string) (CompareMetric, bool) {
	for _, m := range compareMetrics {
		if m.Path == path {
			return m, true
		}
	}
	return CompareMetric{}, false
}

// Config is one configuration to compare: its repetitions' results, and
// where each came from (Dirs[i] names Results[i] in warnings; may be
// shorter than Results).
type Config struct {
	Name    string
	Results []*Result
	Dirs    []string
}

// Comparison is the outcome of Compare, and the JSON schema
// abload.compare/v1.
type Comparison struct {
	Schema string  `json:"schema"`
	Alpha  float64 `json:"alpha"`
	// Baseline is the baseline configuration's name.
	Baseline string `json:"baseline"`
	// Configs summarises every configuration, the baseline included, in
	// the order given.
	Configs []ConfigSummary `json:"configs"`
	// Comparisons holds one entry per configuration other than the
	// baseline, in the order given.
	Comparisons []ConfigComparison `json:"comparisons"`
	Warnings    []string           `json:"warnings"`

	valid map[string][]*Result // per config name, the results used
}

// ConfigSummary is one configuration: what was used, and the median over
// its repetitions of every compare metric it has in all of them.
type ConfigSummary struct {
	Name     string `json:"name"`
	Baseline bool   `json:"baseline"`
	// Scenario is the scenario name of its first result used.
	Scenario string `json:"scenario"`
	// Repetitions counts the valid results used.
	Repetitions int `json:"repetitions"`
	// Results names the results used; Excluded the invalid ones left out.
	Results  []string `json:"results"`
	Excluded []string `json:"excluded"`
	// Medians maps a compare metric's path to its median over the
	// repetitions (metrics missing from some repetition are absent). Gates
	// in compare are evaluated on these; MedianOf covers other paths.
	Medians map[string]float64 `json:"medians"`
}

// ConfigComparison is one configuration against the baseline.
type ConfigComparison struct {
	Config              string `json:"config"`
	Baseline            string `json:"baseline"`
	Repetitions         int    `json:"repetitions"`
	BaselineRepetitions int    `json:"baseline_repetitions"`
	// MinP is the smallest p-value the exact test can give with these
	// repetition counts, 2/C(n+m, n): at or above alpha nothing can be
	// significant.
	MinP float64 `json:"min_p"`
	// Metrics holds the metrics both configurations have in every
	// repetition, in CompareMetrics order.
	Metrics []MetricComparison `json:"metrics"`
	// NotCompared lists the metrics that one of them has in some
	// repetition but not both in all.
	NotCompared []NotCompared `json:"not_compared"`
}

// MetricComparison is one metric of a configuration against the baseline.
// Values are in Unit.
type MetricComparison struct {
	Metric         string  `json:"metric"`
	Label          string  `json:"label"`
	Unit           string  `json:"unit"`
	Better         Better  `json:"better"`
	BaselineMedian float64 `json:"baseline_median"`
	Median         float64 `json:"median"`
	// Change is (median − baseline median) / |baseline median|; null when
	// the baseline median is 0.
	Change *float64 `json:"change"`
	// U is the configuration's Mann–Whitney U against the baseline (n·m/2:
	// no shift; above: larger values).
	U float64 `json:"u"`
	// P is the two-sided p-value; PAdjusted the Benjamini–Hochberg adjusted
	// one over this configuration's compared metrics. Significant means
	// PAdjusted < alpha.
	P         float64 `json:"p"`
	PAdjusted float64 `json:"p_adjusted"`
	// Exact is false when P comes from the normal approximation (more than
	// MannWhitneyExactMax repetitions in all).
	Exact          bool      `json:"exact"`
	Verdict        Verdict   `json:"verdict"`
	Values         []float64 `json:"values"`
	BaselineValues []float64 `json:"baseline_values"`
}

// NotCompared is a metric left out, and why.
type NotCompared struct {
	Metric string `json:"metric"`
	Label  string `json:"label"`
	Reason string `json:"reason"`
}

// Compare compares every configuration with configs[baseline]. alpha is
// the significance level (DefaultAlpha when not in (0, 1)). Invalid results
// (valid: false) and nil ones are left out with a warning; so are
// differences between the results' environments and repetition counts too
// small for the test to reach alpha.
func Compare(configs []Config, baseline int, alpha float64) *Comparison {
	if !(alpha > 0 && alpha < 1) {
		alpha = DefaultAlpha
	}
	c := &Comparison{Schema: CompareSchema, Alpha: alpha, Configs: []ConfigSummary{}, Comparisons: []ConfigComparison{},
		Warnings: []string{}, valid: map[string][]*Result{}}
	if len(configs) == 0 {
		return c
	}
	if baseline < 0 || baseline >= len(configs) {
		c.warn("baseline index %d is out of range: using the first configuration", baseline)
		baseline = 0
	}
	c.Baseline = configs[baseline].Name

	used := make([][]*Result, len(configs))
	usedDirs := make([][]string, len(configs))
	for i, cfg := range configs {
		s := ConfigSummary{Name: cfg.Name, Baseline: i == baseline, Results: []string{}, Excluded: []string{}, Medians: map[string]float64{}}
		for j, r := range cfg.Results {
			where := cfg.where(j)
			if r == nil {
				c.warn("%s: no result for %s: left out", cfg.Name, where)
				continue
			}
			if !r.Valid {
				reason := "valid: false"
				if len(r.InvalidReasons) > 0 {
					reason = strings.Join(r.InvalidReasons, "; ")
				}
				c.warn("%s: invalid result %s left out (%s)", cfg.Name, where, reason)
				s.Excluded = append(s.Excluded, where)
				continue
			}
			used[i] = append(used[i], r)
			usedDirs[i] = append(usedDirs[i], where)
			s.Results = append(s.Results, where)
		}
		s.Repetitions = len(used[i])
		if len(used[i]) > 0 {
			s.Scenario = scenarioName(used[i][0].Scenario)
		} else {
			c.warn("%s: no valid result: nothing to compare", cfg.Name)
		}
		for _, m := range compareMetrics {
			if vals, ok := metricValues(m, used[i]); ok {
				s.Medians[m.Path] = Median(vals)
			}
		}
		c.valid[cfg.Name] = used[i]
		c.Configs = append(c.Configs, s)
	}
	c.environmentWarnings(configs, used, usedDirs, baseline)

	base := used[baseline]
	for i, cfg := range configs {
		if i == baseline {
			continue
		}
		cc := ConfigComparison{Config: cfg.Name, Baseline: c.Baseline, Repetitions: len(used[i]), BaselineRepetitions: len(base),
			MinP: MinTwoSidedP(len(used[i]), len(base)), Metrics: []MetricComparison{}, NotCompared: []NotCompared{}}
		if len(used[i]) > 0 && len(base) > 0 && cc.MinP >= alpha {
			k := MinRepetitions(alpha)
			c.warn("%s: %d repetition(s) against the baseline's %d: the smallest p-value the exact test can give is 2/C(%d,%d) = %.3g, not below alpha %g, so no change can be significant; run at least %d repetitions of each",
				cfg.Name, len(used[i]), len(base), len(used[i])+len(base), len(used[i]), cc.MinP, alpha, k)
		}
		var ps []float64
		for _, m := range compareMetrics {
			xs, okX := metricValues(m, used[i])
			ys, okY := metricValues(m, base)
			if !okX || !okY {
				if why := missingReason(m, cfg.Name, used[i], usedDirs[i], c.Baseline, base, usedDirs[baseline]); why != "" {
					cc.NotCompared = append(cc.NotCompared, NotCompared{Metric: m.Path, Label: m.Label, Reason: why})
				}
				continue
			}
			mw := MannWhitneyU(xs, ys)
			mc := MetricComparison{Metric: m.Path, Label: m.Label, Unit: m.Unit, Better: m.Better,
				BaselineMedian: Median(ys), Median: Median(xs), U: mw.U, P: mw.P, Exact: mw.Exact,
				Values: xs, BaselineValues: ys}
			if mc.BaselineMedian != 0 {
				ch := (mc.Median - mc.BaselineMedian) / math.Abs(mc.BaselineMedian)
				mc.Change = &ch
			}
			cc.Metrics = append(cc.Metrics, mc)
			ps = append(ps, mw.P)
		}
		for j, adj := range BenjaminiHochberg(ps) {
			mc := &cc.Metrics[j]
			mc.PAdjusted = adj
			mc.Verdict = VerdictNoChange
			half := float64(len(mc.Values)*len(mc.BaselineValues)) / 2
			if adj < alpha && mc.U != half {
				larger := mc.U > half
				if larger == (mc.Better == HigherIsBetter) {
					mc.Verdict = VerdictBetter
				} else {
					mc.Verdict = VerdictWorse
				}
			}
		}
		c.Comparisons = append(c.Comparisons, cc)
	}
	return c
}

func (cfg Config) where(i int) string {
	if i < len(cfg.Dirs) && cfg.Dirs[i] != "" {
		return cfg.Dirs[i]
	}
	return fmt.Sprintf("%s repetition %d", cfg.Name, i+1)
}

func (c *Comparison) warn(format string, args ...any) {
	c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...))
}

// metricValues is the metric in every result, or false if some result (or
// every one, there being none) lacks it.
func metricValues(m CompareMetric, rs []*Result) ([]float64, bool) {
	if len(rs) == 0 {
		return nil, false
	}
	out := make([]float64, 0, len(rs))
	for _, r := range rs {
		v, ok := m.value(r)
		if !ok {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// missingReason explains why a metric was not compared, or "" when neither
// configuration has it in any repetition (nothing worth mentioning).
func missingReason(m CompareMetric, name string, rs []*Result, dirs []string, baseName string, base []*Result, baseDirs []string) string {
	missing := func(rs []*Result, dirs []string) (have int, lack []string) {
		for i, r := range rs {
			if _, ok := m.value(r); ok {
				have++
			} else {
				lack = append(lack, dirs[i])
			}
		}
		return have, lack
	}
	haveX, lackX := missing(rs, dirs)
	haveY, lackY := missing(base, baseDirs)
	if haveX == 0 && haveY == 0 {
		return ""
	}
	var parts []string
	for _, side := range []struct {
		name string
		n    int
		have int
		lack []string
	}{{name, len(rs), haveX, lackX}, {baseName, len(base), haveY, lackY}} {
		switch {
		case side.n == 0:
			parts = append(parts, side.name+" has no valid result")
		case side.have == 0:
			parts = append(parts, side.name+" does not have it")
		case len(side.lack) > 0:
			parts = append(parts, fmt.Sprintf("%s lacks it in %d of %d repetitions (%s)", side.name, len(side.lack), side.n, strings.Join(side.lack, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}

// environmentWarnings compares every result's environment (the whole
// section, through its JSON form, so fields added later count too) with the
// baseline's first result's.
func (c *Comparison) environmentWarnings(configs []Config, used [][]*Result, dirs [][]string, baseline int) {
	refCfg := baseline
	if len(used[refCfg]) == 0 {
		refCfg = -1
		for i := range used {
			if len(used[i]) > 0 {
				refCfg = i
				break
			}
		}
		if refCfg < 0 {
			return
		}
	}
	ref := envFields(used[refCfg][0].Environment)
	refWhere := dirs[refCfg][0]
	for i, cfg := range configs {
		var order []string
		byDiff := map[string][]string{}
		for j, r := range used[i] {
			d := envDiff(ref, envFields(r.Environment))
			if d == "" {
				continue
			}
			if _, ok := byDiff[d]; !ok {
				order = append(order, d)
			}
			byDiff[d] = append(byDiff[d], dirs[i][j])
		}
		for _, d := range order {
			c.warn("%s: environment differs from %s's (%s) in %d of %d results (%s): %s",
				cfg.Name, configs[refCfg].Name, refWhere, len(byDiff[d]), len(used[i]), strings.Join(byDiff[d], ", "), d)
		}
	}
}

func envFields(e Environment) map[string]any {
	b, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func envDiff(ref, got map[string]any) string {
	keys := map[string]bool{}
	for k := range ref {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var diffs []string
	for _, k := range names {
		a, b := jsonText(ref, k), jsonText(got, k)
		if a != b {
			diffs = append(diffs, fmt.Sprintf("%s %s vs %s", k, b, a))
		}
	}
	return strings.Join(diffs, ", ")
}

func jsonText(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Config returns the summary of the named configuration, or nil.
func (c *Comparison) Config(name string) *ConfigSummary {
	for i := range c.Configs {
		if c.Configs[i].Name == name {
			return &c.Configs[i]
		}
	}
	return nil
}

// MedianOf is the median over a configuration's repetitions (the valid
// results used) of a metric: a compare metric's path (derived ones
// included) or any numeric result.json path (as MetricValue reads it).
// It fails when the configuration is unknown or has no valid result, or
// when some repetition lacks the metric. This is what compare's gates are
// evaluated on: MedianOf(config, path) against MedianOf(Baseline, path).
func (c *Comparison) MedianOf(config, path string) (float64, error) {
	rs, ok := c.valid[config]
	if !ok {
		return 0, fmt.Errorf("no configuration %q", config)
	}
	if len(rs) == 0 {
		return 0, fmt.Errorf("%s: no valid result", config)
	}
	vals := make([]float64, 0, len(rs))
	if m, ok := compareMetric(path); ok {
		v, ok := metricValues(m, rs)
		if !ok {
			return 0, fmt.Errorf("%s: %s: not in every repetition: %w", config, path, ErrNoMetric)
		}
		return Median(v), nil
	}
	for _, r := range rs {
		v, err := MetricValue(r, path)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", config, err)
		}
		vals = append(vals, v)
	}
	return Median(vals), nil
}

// WriteCompareJSON writes c as indented JSON (schema abload.compare/v1).
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteCompareText writes c as aligned plain-text tables, one per
// configuration against the baseline.
func WriteCompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "abload compare: %d configuration(s), baseline %s\n", len(c.Configs), c.Baseline)
	fmt.Fprintf(ew, "medians over repetitions; p: two-sided Mann–Whitney U over repetitions, Benjamini–Hochberg adjusted per configuration; significant: p adj < %g\n", c.Alpha)
	fmt.Fprintln(ew)
	var rows [][]string
	for _, s := range c.Configs {
		role := ""
		if s.Baseline {
			role = "baseline"
		}
		excl := ""
		if len(s.Excluded) > 0 {
			excl = fmt.Sprintf("%d invalid left out", len(s.Excluded))
		}
		rows = append(rows, []string{s.Name, role, fmt.Sprintf("%d rep(s)", s.Repetitions), "scenario " + orDash(s.Scenario), excl})
	}
	writeAligned(ew, "  ", rows, nil)
	for _, cc := range c.Comparisons {
		fmt.Fprintf(ew, "\n%s vs %s (%d vs %d repetitions)\n", cc.Config, cc.Baseline, cc.Repetitions, cc.BaselineRepetitions)
		if len(cc.Metrics) == 0 {
			fmt.Fprintln(ew, "  no metric to compare")
		} else {
			rows := [][]string{{"metric", "unit", cc.Baseline, cc.Config, "change", "p", "p adj", "verdict"}}
			for _, m := range cc.Metrics {
				rows = append(rows, metricCells(m))
			}
			writeAligned(ew, "  ", rows, []bool{false, false, true, true, true, true, true, false})
		}
		for _, nc := range cc.NotCompared {
			fmt.Fprintf(ew, "  not compared: %s: %s\n", nc.Label, nc.Reason)
		}
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintln(ew, "\nwarnings:")
		for _, wn := range c.Warnings {
			fmt.Fprintf(ew, "  - %s\n", wn)
		}
	}
	return ew.err
}

// WriteCompareMarkdown writes c as Markdown: a table of configurations, then
// one table per configuration against the baseline, then the warnings.
func WriteCompareMarkdown(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# abload compare\n\n")
	fmt.Fprintf(ew, "Baseline: **%s**. Medians over repetitions; p: two-sided Mann–Whitney U over repetitions, "+
		"Benjamini–Hochberg adjusted per configuration; significant: p adj < %g.\n\n", cmpMd(c.Baseline), c.Alpha)
	fmt.Fprintln(ew, "| configuration | repetitions | invalid left out | scenario |")
	fmt.Fprintln(ew, "|---|--:|--:|---|")
	for _, s := range c.Configs {
		name := cmpMd(s.Name)
		if s.Baseline {
			name += " (baseline)"
		}
		fmt.Fprintf(ew, "| %s | %d | %d | %s |\n", name, s.Repetitions, len(s.Excluded), cmpMd(orDash(s.Scenario)))
	}
	for _, cc := range c.Comparisons {
		fmt.Fprintf(ew, "\n## %s vs %s\n\n%d vs %d repetitions.\n\n", cmpMd(cc.Config), cmpMd(cc.Baseline), cc.Repetitions, cc.BaselineRepetitions)
		if len(cc.Metrics) == 0 {
			fmt.Fprintln(ew, "No metric to compare.")
		} else {
			fmt.Fprintf(ew, "| metric | unit | %s | %s | change | p | p adj | verdict |\n", cmpMd(cc.Baseline), cmpMd(cc.Config))
			fmt.Fprintln(ew, "|---|---|--:|--:|--:|--:|--:|---|")
			for _, m := range cc.Metrics {
				cells := metricCells(m)
				if m.Verdict != VerdictNoChange {
					cells[7] = "**" + cells[7] + "**"
				}
				for i := range cells {
					cells[i] = cmpMd(cells[i])
				}
				fmt.Fprintf(ew, "| %s |\n", strings.Join(cells, " | "))
			}
		}
		if len(cc.NotCompared) > 0 {
			fmt.Fprintln(ew)
			for _, nc := range cc.NotCompared {
				fmt.Fprintf(ew, "- not compared: %s: %s\n", cmpMd(nc.Label), cmpMd(nc.Reason))
			}
		}
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintf(ew, "\n## Warnings\n\n")
		for _, wn := range c.Warnings {
			fmt.Fprintf(ew, "- %s\n", cmpMd(wn))
		}
	}
	return ew.err
}

func metricCells(m MetricComparison) []string {
	scale, unit := displayScale(m.Unit, math.Max(math.Abs(m.Median), math.Abs(m.BaselineMedian)))
	change := "n/a"
	if m.Change != nil {
		change = fmt.Sprintf("%+.1f%%", 100**m.Change)
		if change == "-0.0%" || change == "+0.0%" {
			change = "0.0%"
		}
	}
	return []string{m.Label, unit, fmtCmp(m.BaselineMedian / scale), fmtCmp(m.Median / scale), change,
		fmtP(m.P), fmtP(m.PAdjusted), string(m.Verdict)}
}

// displayScale picks how a row shows its values: bytes in B/kB/MB/GB by
// magnitude, other units as they are.
func displayScale(unit string, magnitude float64) (float64, string) {
	if unit != "bytes" {
		return 1, unit
	}
	switch {
	case magnitude >= 1e9:
		return 1e9, "GB"
	case magnitude >= 1e6:
		return 1e6, "MB"
	case magnitude >= 1e3:
		return 1e3, "kB"
	}
	return 1, "B"
}

// fmtCmp shows about three significant digits, never in exponent form.
func fmtCmp(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.001:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func fmtP(p float64) string {
	if p >= 0.001 {
		return strconv.FormatFloat(p, 'f', 4, 64)
	}
	return strconv.FormatFloat(p, 'e', 1, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmpMd(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeAligned writes rows as columns separated by two spaces; right[i]
// right-aligns column i.
func writeAligned(w io.Writer, indent string, rows [][]string, right []bool) {
	var width []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(cell)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(right) && right[i] {
				b.WriteString(pad + cell)
			} else if i < len(r)-1 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(cell)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
