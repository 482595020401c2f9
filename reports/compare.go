package reports

import (
	"fmt"
	"math"
	"strings"
)

// Comparing configurations: each configuration is a set of repetitions (one
// result.json each, or a saved baseline's history); every metric is tested
// on its own (benchstat's convention: no adjustment across metrics or
// configurations) by the difference of the configurations' mean log values
// against the run-to-run noise, with Student's t (see stats.go). A verdict
// says better or worse only when the confidence interval of the change
// excludes zero; "no significant change" only when the interval also lies
// within ±tolerance, so that the data could have seen a change of that
// size; otherwise "inconclusive".

// CompareSchema identifies the JSON form of a Comparison.
const CompareSchema = "abload.compare/v2"

// DefaultAlpha is the significance level compare uses unless told otherwise.
const DefaultAlpha = 0.05

// DefaultTolerance is the relative change (10%) a "no significant change"
// verdict must rule out unless told otherwise.
const DefaultTolerance = 0.10

// MinTailEvents is how many events above a latency percentile each run must
// have for compare to test that percentile: p99.9 of a 20 s run at 2000
// events/s rests on 40 events, a GC pause's worth, and is marked "too short
// to test" instead.
const MinTailEvents = 100

// Better says which direction of a metric is an improvement.
type Better string

// Directions.
const (
	LowerIsBetter  Better = "lower"
	HigherIsBetter Better = "higher"
)

// Verdict is the outcome for one metric of one configuration.
type Verdict string

// Verdicts.
const (
	// VerdictBetter and VerdictWorse: the interval of the change excludes
	// zero (p < alpha) against the run-to-run noise.
	VerdictBetter Verdict = "better"
	VerdictWorse  Verdict = "worse"
	// VerdictNoChange: not significant, and the interval lies within
	// ±tolerance: a change of that size would have been seen.
	VerdictNoChange Verdict = "no significant change"
	// VerdictInconclusive: not significant, but the interval reaches beyond
	// ±tolerance: the runs are too few or too noisy to rule such a change out.
	VerdictInconclusive Verdict = "inconclusive"
	// VerdictInsufficient: too few valid runs to estimate the noise (or most
	// of a configuration's runs were invalid).
	VerdictInsufficient Verdict = "insufficient"
	// VerdictTooShort: a latency percentile that rests on fewer than
	// MinTailEvents events in some run.
	VerdictTooShort Verdict = "too short to test"
)

// Decided reports whether v is a verdict drawn from the data (better,
// worse, no significant change or inconclusive), not a refusal to test.
func (v Verdict) Decided() bool {
	switch v {
	case VerdictBetter, VerdictWorse, VerdictNoChange, VerdictInconclusive:
		return true
	}
	return false
}

// CompareMetric is a metric compare looks at. Path is its result.json path
// (latency_ms.e2e.p99), or for a metric derived from several fields a name
// in the same style whose last element carries its unit (_s, _pct), so
// gates can name it the same way.
type CompareMetric struct {
	Path   string `json:"metric"`
	Label  string `json:"label"`
	Unit   string `json:"unit"`
	Better Better `json:"better"`
	Scale  Scale  `json:"scale"`
	// Doc says where the value comes from and when a run has it.
	Doc string `json:"-"`

	value func(*Result) (float64, bool)
	// tail is the share of events above a latency percentile (0.01 for
	// p99) and events the count it is taken over; 0 for other metrics.
	tail   float64
	events func(*Result) int64
	// tolRef, for linear metrics, is what a relative tolerance is a share
	// of (the lag slope's: the offered rate).
	tolRef func(*Result) float64
}

// Value returns the metric's value in r, and whether r has it.
func (m CompareMetric) Value(r *Result) (float64, bool) { return m.value(r) }

func e2eCount(r *Result) int64    { return r.Latency.E2E.Count }
func windowCount(r *Result) int64 { return r.Latency.Window.Count }

var compareMetrics = []CompareMetric{
	{Path: "latency_ms.e2e.p50", Label: "e2e p50", Unit: "ms", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P50, r.Latency.E2E.Count > 0 }, tail: 0.5, events: e2eCount},
	{Path: "latency_ms.e2e.p99", Label: "e2e p99", Unit: "ms", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P99, r.Latency.E2E.Count > 0 }, tail: 0.01, events: e2eCount},
	{Path: "latency_ms.e2e.p999", Label: "e2e p99.9", Unit: "ms", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc:   "when latency_ms.e2e.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.E2E.P999, r.Latency.E2E.Count > 0 }, tail: 0.001, events: e2eCount},
	{Path: "latency_ms.window.p99", Label: "window p99", Unit: "ms", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc:   "when latency_ms.window.count > 0",
		value: func(r *Result) (float64, bool) { return r.Latency.Window.P99, r.Latency.Window.Count > 0 }, tail: 0.01, events: windowCount},
	{Path: "throughput.in_eps", Label: "throughput in", Unit: "events/s", Better: HigherIsBetter, Scale: ScaleRatio,
		Doc:   "when the updates output was measured (latency_ms.e2e.count > 0)",
		value: func(r *Result) (float64, bool) { return r.Throughput.InEPS, r.Latency.E2E.Count > 0 }},
	{Path: "throughput.out_rps", Label: "throughput out", Unit: "records/s", Better: HigherIsBetter, Scale: ScaleRatio,
		Doc: "when an output was measured (latency_ms.e2e.count or latency_ms.window.count > 0)",
		value: func(r *Result) (float64, bool) {
			return r.Throughput.OutRPS, r.Latency.E2E.Count > 0 || r.Latency.Window.Count > 0
		}},
	{Path: "checkpoints.duration_ms.p99", Label: "checkpoint duration p99", Unit: "ms", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc: "when checkpoints.completed > 0",
		value: func(r *Result) (float64, bool) {
			c := r.Checkpoints
			if c == nil || c.Completed == 0 {
				return 0, false
			}
			return c.DurationMs.P99, true
		}},
	{Path: "checkpoints.state_size_bytes.max", Label: "checkpoint state max", Unit: "bytes", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc: "when checkpoints.completed > 0",
		value: func(r *Result) (float64, bool) {
			c := r.Checkpoints
			if c == nil || c.Completed == 0 {
				return 0, false
			}
			return float64(c.StateSizeBytes.Max), true
		}},
	{Path: "recovery.running_after_s", Label: "recovery: job running", Unit: "s", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc: "max over recovery[] of running_s − at_s; when every fault has a running_s",
		value: func(r *Result) (float64, bool) {
			return maxAfterFault(r, func(rc Recovery) *float64 { return rc.RunningS })
		}},
	{Path: "recovery.lag_recovered_after_s", Label: "recovery: lag recovered", Unit: "s", Better: LowerIsBetter, Scale: ScaleRatio,
		Doc: "max over recovery[] of lag_recovered_s − at_s; when every fault has a lag_recovered_s",
		value: func(r *Result) (float64, bool) {
			return maxAfterFault(r, func(rc Recovery) *float64 { return rc.LagRecoveredS })
		}},
	{Path: "resources.taskmanager_cpu_pct", Label: "TaskManager CPU p50", Unit: "%", Better: LowerIsBetter, Scale: ScaleRatio,
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
	{Path: "lag.slope_per_s", Label: "input lag slope", Unit: "events/s", Better: LowerIsBetter, Scale: ScaleLinear,
		Doc:    "when lag is present; compared as a difference in events/s (it is near 0 and of either sign), its tolerance a share of events.target_rate",
		value:  func(r *Result) (float64, bool) { return slopeOf(r.Lag) },
		tolRef: func(r *Result) float64 { return r.Events.TargetRate }},
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

// LookupCompareMetric returns the compare metric with this path.
func LookupCompareMetric(path string) (CompareMetric, bool) {
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

// CompareOptions tune Compare; the zero value means the defaults.
type CompareOptions struct {
	// Alpha is the significance level (DefaultAlpha when not in (0, 1)):
	// the intervals' coverage is 1 − Alpha.
	Alpha float64
	// Tolerance is the relative change (0.10 = 10%) a "no significant
	// change" must rule out (DefaultTolerance when not > 0); Tolerances
	// overrides it per metric path.
	Tolerance  float64
	Tolerances map[string]float64
	// Noise is the run-to-run noise per metric path, measured on a
	// reference corpus, that stands in when a comparison has too few runs
	// to estimate its own (nil: DefaultNoise(); an empty map: none).
	Noise map[string]NoiseRef
}

func (o CompareOptions) alpha() float64 {
	if o.Alpha > 0 && o.Alpha < 1 {
		return o.Alpha
	}
	return DefaultAlpha
}

func (o CompareOptions) tolerance(path string) float64 {
	if t, ok := o.Tolerances[path]; ok && t > 0 {
		return t
	}
	if o.Tolerance > 0 {
		return o.Tolerance
	}
	return DefaultTolerance
}

// Comparison is the outcome of Compare, and the JSON schema
// abload.compare/v2.
type Comparison struct {
	Schema string  `json:"schema"`
	Alpha  float64 `json:"alpha"`
	// Coverage is the confidence intervals' nominal coverage, 1 − Alpha.
	Coverage float64 `json:"coverage"`
	// Method names the test and the interval.
	Method string `json:"method"`
	// Tolerance is the default tolerance (per-metric ones are in each
	// metric's comparison).
	Tolerance float64 `json:"tolerance"`
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

// CompareMethod is Comparison.Method.
const CompareMethod = "Student's t on the difference of mean log values (ratio metrics; of mean values for linear ones) with the pooled run-to-run variance; interval: estimate ± t(1−alpha/2, df) × standard error, back-transformed to a relative change; each metric its own question"

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
	// Insufficient says why the configuration cannot be compared (most of
	// its repetitions invalid, or none valid); "" when it can.
	Insufficient string `json:"insufficient,omitempty"`
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
	// Detectable is how many run-to-run standard deviations a change must
	// exceed to be significant with these repetition counts when the runs
	// estimate the noise themselves: t(1−alpha/2, n+m−2) × √(1/n + 1/m)
	// (null when they are too few to).
	Detectable *float64 `json:"detectable_sigmas"`
	// Metrics holds the metrics both configurations have in every
	// repetition, in CompareMetrics order.
	Metrics []MetricComparison `json:"metrics"`
	// NotCompared lists the metrics that one of them has in some
	// repetition but not both in all.
	NotCompared []NotCompared `json:"not_compared"`
}

// MetricComparison is one metric of a configuration against the baseline.
// Medians and values are in Unit; Change, Interval and Tolerance are
// relative (0.12 = +12%) for ratio metrics and in Unit for linear ones.
type MetricComparison struct {
	Metric         string  `json:"metric"`
	Label          string  `json:"label"`
	Unit           string  `json:"unit"`
	Better         Better  `json:"better"`
	Scale          Scale   `json:"scale"`
	BaselineMedian float64 `json:"baseline_median"`
	Median         float64 `json:"median"`
	// Change is the estimated change: the ratio of the geometric means − 1
	// (ratio metrics) or the difference of the means (linear ones). Null
	// when the metric was not tested.
	Change *float64 `json:"change"`
	// Interval is the change's confidence interval [low, high] at
	// Coverage; null when not tested.
	Interval *[2]float64 `json:"interval"`
	Coverage float64     `json:"coverage"`
	// P is the two-sided p-value of Student's t with DF degrees of
	// freedom; P < alpha exactly when Interval excludes zero.
	P  *float64 `json:"p"`
	DF int      `json:"df"`
	// Noise is the run-to-run spread the change was judged against: σ on
	// the metric's scale (log units for ratio metrics), and where it came
	// from ("runs", or "default" when the runs were too few and
	// DefaultNoise stood in). NoisePerRun is σ as a relative spread
	// (e^σ − 1) for ratio metrics, σ in Unit for linear ones.
	Noise       *Noise  `json:"noise"`
	NoisePerRun float64 `json:"noise_per_run"`
	// Detectable is the smallest change that could have been significant
	// here (the interval's half-width, relative or in Unit).
	Detectable float64 `json:"detectable"`
	// Tolerance is the change a "no significant change" rules out.
	Tolerance float64 `json:"tolerance"`
	Verdict   Verdict `json:"verdict"`
	// Reason explains an inconclusive, insufficient or too-short verdict.
	Reason         string    `json:"reason,omitempty"`
	Values         []float64 `json:"values"`
	BaselineValues []float64 `json:"baseline_values"`

	// tolRef is what a relative tolerance is a share of: 1 for ratio
	// metrics, the baseline's offered rate for the lag slope.
	tolRef float64
}

// WorseBy is how much worse the metric got by the estimate, and by the
// interval's bound nearest to no change (the least it got worse with
// Coverage confidence); negative when it got better. Both are relative
// (or in Unit for linear metrics); ok is false when it was not tested.
func (m MetricComparison) WorseBy() (estimate, atLeast float64, ok bool) {
	if m.Change == nil || m.Interval == nil {
		return 0, 0, false
	}
	if m.Better == LowerIsBetter {
		return *m.Change, m.Interval[0], true
	}
	return -*m.Change, -m.Interval[1], true
}

// NotCompared is a metric left out, and why.
type NotCompared struct {
	Metric string `json:"metric"`
	Label  string `json:"label"`
	Reason string `json:"reason"`
}

// Compare compares every configuration with configs[baseline]. Invalid
// results (valid: false) and nil ones are left out with a warning; a
// configuration most of whose results are invalid is "insufficient" (the
// valid ones would be a biased few). Differences between the results'
// environments are warned about.
func Compare(configs []Config, baseline int, opts CompareOptions) *Comparison {
	alpha := opts.alpha()
	if opts.Noise == nil {
		opts.Noise = DefaultNoise().Metrics
	}
	c := &Comparison{Schema: CompareSchema, Alpha: alpha, Coverage: 1 - alpha, Method: CompareMethod, Tolerance: opts.tolerance(""),
		Configs: []ConfigSummary{}, Comparisons: []ConfigComparison{}, Warnings: []string{}, valid: map[string][]*Result{}}
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
				c.warn("%s: invalid result %s left out of medians, tests, spectra and gates (%s)", cfg.Name, where, reason)
				s.Excluded = append(s.Excluded, where)
				continue
			}
			used[i] = append(used[i], r)
			usedDirs[i] = append(usedDirs[i], where)
			s.Results = append(s.Results, where)
		}
		s.Repetitions = len(used[i])
		if s.Insufficient = insufficient(len(used[i]), len(cfg.Results)); s.Insufficient != "" {
			c.warn("%s: insufficient: %s", cfg.Name, s.Insufficient)
		}
		if len(used[i]) > 0 {
			s.Scenario = scenarioName(used[i][0].Scenario)
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
	c.flinkConfigWarnings(configs, used, baseline)
	c.versionWarning(used)

	base := used[baseline]
	for i, cfg := range configs {
		if i == baseline {
			continue
		}
		cc := ConfigComparison{Config: cfg.Name, Baseline: c.Baseline, Repetitions: len(used[i]), BaselineRepetitions: len(base),
			Metrics: []MetricComparison{}, NotCompared: []NotCompared{}}
		if df := len(used[i]) + len(base) - 2; len(used[i]) > 0 && len(base) > 0 && df >= MinNoiseDF {
			d := TCritical(alpha, df) * math.Sqrt(1/float64(len(used[i]))+1/float64(len(base)))
			cc.Detectable = &d
		} else if len(used[i]) > 0 && len(base) > 0 {
			c.warn("%s: %d run(s) against the baseline's %d are too few to estimate the run-to-run noise (4 in all are needed: one run against a history of 3): "+
				"the default noise measured on abload's A/A corpus stands in for it (see `abload compare --help`), which may not be your machine's or scenario's; "+
				"save a baseline history of 3 or more runs (`abload baseline save`) or run repetitions", cfg.Name, len(used[i]), len(base))
		}
		insufficient := c.Configs[i].Insufficient
		if insufficient == "" && c.Configs[baseline].Insufficient != "" {
			insufficient = "the baseline: " + c.Configs[baseline].Insufficient
		}
		for _, m := range compareMetrics {
			xs, okX := metricValues(m, used[i])
			ys, okY := metricValues(m, base)
			if !okX || !okY {
				if why := missingReason(m, cfg.Name, used[i], usedDirs[i], c.Baseline, base, usedDirs[baseline]); why != "" {
					cc.NotCompared = append(cc.NotCompared, NotCompared{Metric: m.Path, Label: m.Label, Reason: why})
				}
				continue
			}
			mc := MetricComparison{Metric: m.Path, Label: m.Label, Unit: m.Unit, Better: m.Better, Scale: m.Scale,
				BaselineMedian: Median(ys), Median: Median(xs), Coverage: 1 - alpha, Tolerance: opts.tolerance(m.Path),
				Values: xs, BaselineValues: ys}
			mc.tolRef = 1
			if m.Scale == ScaleLinear && m.tolRef != nil {
				var refs []float64
				for _, r := range base {
					refs = append(refs, m.tolRef(r))
				}
				mc.tolRef = math.Abs(Median(refs))
				mc.Tolerance *= mc.tolRef
			}
			switch {
			case insufficient != "":
				mc.Verdict, mc.Reason = VerdictInsufficient, insufficient
			default:
				if why := tooShort(m, used[i], base); why != "" {
					mc.Verdict, mc.Reason = VerdictTooShort, why
				} else {
					test(&mc, m, opts.Noise, alpha)
				}
			}
			cc.Metrics = append(cc.Metrics, mc)
		}
		c.Comparisons = append(c.Comparisons, cc)
	}
	return c
}

// insufficient says why a configuration with valid of its total results
// (missing ones counted) cannot be compared, or "": none valid, or fewer
// than half (the valid few would be a biased sample of its runs).
func insufficient(valid, total int) string {
	switch {
	case valid == 0:
		return "no valid result"
	case 2*valid < total:
		return fmt.Sprintf("only %d of its %d results are valid: the valid few would be a biased sample", valid, total)
	}
	return ""
}

// tooShort says why a latency percentile can't be tested: some run's
// percentile rests on fewer than MinTailEvents events.
func tooShort(m CompareMetric, rs ...[]*Result) string {
	if m.tail == 0 || m.events == nil {
		return ""
	}
	least := int64(-1)
	for _, side := range rs {
		for _, r := range side {
			if n := m.events(r); least < 0 || n < least {
				least = n
			}
		}
	}
	if above := float64(least) * m.tail; above < MinTailEvents {
		return fmt.Sprintf("rests on %.0f events in the shortest run (%d measured), fewer than %d: runs too short to test it",
			math.Floor(above), least, MinTailEvents)
	}
	return ""
}

// test fills in mc's change, interval and verdict: Student's t against
// the runs' own noise when they are enough to estimate it, else against the
// default noise (where it stands in) pooled with what the runs have.
func test(mc *MetricComparison, m CompareMetric, refs map[string]NoiseRef, alpha float64) {
	xs, okX := Transform(mc.Values, m.Scale)
	ys, okY := Transform(mc.BaselineValues, m.Scale)
	if !okX || !okY {
		mc.Verdict, mc.Reason = VerdictInsufficient, "a value is 0 or below, so no ratio can be taken"
		return
	}
	floor := RatioResolution
	if m.Scale == ScaleLinear {
		// A linear metric's resolution and tolerance are shares of its
		// reference (the lag slope's: the offered rate).
		if !(mc.tolRef > 0) {
			mc.Verdict, mc.Reason = VerdictInsufficient, "no offered rate (events.target_rate) to scale it by"
			return
		}
		floor = LinearResolution * mc.tolRef
	}
	noise, ok := RunNoise(xs, ys, floor)
	if !ok {
		ref, have := refs[m.Path]
		switch {
		case !have:
			mc.Verdict, mc.Reason = VerdictInsufficient, fmt.Sprintf("%d vs %d runs can't estimate the run-to-run noise and there is no default noise for %s: run 4 or more in all", len(xs), len(ys), m.Label)
			return
		case !ref.StandsIn:
			mc.Verdict, mc.Reason = VerdictInsufficient, fmt.Sprintf("%d vs %d runs can't estimate the run-to-run noise, and the default stands in for the e2e latencies only "+
				"(the spread of %s between short A/A runs would not be yours); run 4 or more in all", len(xs), len(ys), m.Label)
			return
		}
		// The default's spread and the runs' own sum of squares (one run
		// against two has one degree of freedom of its own) pooled.
		d := len(xs) + len(ys) - 2
		ss := SumSquares(xs) + SumSquares(ys)
		noise = Noise{Sigma: math.Max(math.Sqrt((float64(ref.DF)*ref.Sigma*ref.Sigma+ss)/float64(ref.DF+d)), floor), DF: ref.DF + d, Source: NoiseFromDefault}
	}
	sh := TShift(xs, ys, noise, alpha)
	mc.Noise, mc.DF = &noise, sh.DF
	pv := sh.P
	mc.P = &pv
	back := func(v float64) float64 { return v }
	if m.Scale == ScaleRatio {
		back = func(v float64) float64 { return math.Expm1(v) }
		mc.NoisePerRun = math.Expm1(noise.Sigma)
		mc.Detectable = math.Expm1(sh.Detectable)
	} else {
		mc.NoisePerRun = noise.Sigma
		mc.Detectable = sh.Detectable
	}
	ch := back(sh.Estimate)
	mc.Change = &ch
	mc.Interval = &[2]float64{back(sh.Lo), back(sh.Hi)}
	tol := mc.Tolerance
	switch {
	case sh.Lo > 0 || sh.Hi < 0: // the interval excludes zero: significant
		if (sh.Estimate > 0) == (m.Better == HigherIsBetter) {
			mc.Verdict = VerdictBetter
		} else {
			mc.Verdict = VerdictWorse
		}
	case mc.Interval[0] >= -tol && mc.Interval[1] <= tol:
		mc.Verdict = VerdictNoChange
	default:
		mc.Verdict = VerdictInconclusive
		mc.Reason = fmt.Sprintf("the interval %s reaches beyond the tolerance ±%s: more runs (or less noise) would tell",
			fmtInterval(*mc.Interval, m.Scale), fmtTol(tol, m.Scale))
	}
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
// included) or any numeric result.json path, as MetricValue reads it. It
// fails when the configuration is unknown or has no valid result, or when
// some repetition lacks the metric or measured nothing for it (wrapping
// ErrNoMetric or ErrNoData). This is what compare's threshold gates are
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
	for _, r := range rs {
		v, err := MetricValue(r, path)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", config, err)
		}
		vals = append(vals, v)
	}
	return Median(vals), nil
}
