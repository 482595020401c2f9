package reports

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/abload/abload/reports/gate"
)

func parseGate(t *testing.T, s string) *gate.Expr {
	t.Helper()
	g, err := gate.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// evalGates is EvaluateGates without its warnings.
func evalGates(exprs []*gate.Expr, r *Result, base *Baseline) []Gate {
	g, _ := EvaluateGates(exprs, r, base, CompareOptions{})
	return g
}

func TestEvaluateGates(t *testing.T) {
	r := sampleResult()
	b := sampleResult()
	b.Latency.E2E.P99 = 40
	base := &Baseline{Name: "b", Results: []*Result{b}}
	gates := []*gate.Expr{parseGate(t, "e2e.p99 < 50ms"), parseGate(t, "e2e.p99 < 40ms"), parseGate(t, "e2e.p99 <= baseline * 1.10"),
		parseGate(t, "e2e.p99 <= baseline * 1.5"), parseGate(t, "checkpoints.duration_ms.p99 < 1s"), parseGate(t, "in_eps >= 1000/s")}
	got := evalGates(gates, r, base)
	want := []bool{true, false, false, true, false, true}
	for i, g := range got {
		if g.Pass != want[i] {
			t.Errorf("%s: pass %v (value %v, error %q), want %v", g.Expr, g.Pass, g.Value, g.Error, want[i])
		}
	}
	if got[4].Error == "" || !strings.Contains(got[4].Error, "checkpoints were not measured") || !got[4].NoData {
		t.Errorf("missing metric: %+v", got[4])
	}
	if got[2].Limit == nil || math.Abs(*got[2].Limit-44) > 1e-9 {
		t.Errorf("baseline limit = %v, want 44", got[2].Limit)
	}
	// A baseline gate's reference is the history's median, not its last run.
	hist := &Baseline{Name: "h"}
	for _, p99 := range []float64{40, 30, 100} {
		h := sampleResult()
		h.Latency.E2E.P99 = p99
		hist.Results = append(hist.Results, h)
	}
	if g := evalGates(gates[2:3], r, hist); g[0].Limit == nil || math.Abs(*g[0].Limit-44) > 1e-9 {
		t.Errorf("baseline limit over a history = %v, want 44 (median 40 × 1.1)", g[0].Limit)
	}
	// No baseline: a baseline gate fails with a reason.
	if g := EvaluateGate(parseGate(t, "e2e.p99 <= baseline"), r, nil); g.Pass || g.Error == "" {
		t.Errorf("baseline gate without a baseline: %+v", g)
	}
	// An invalid run passes no gate.
	r.MarkInvalid("generator fell behind")
	for _, g := range evalGates(gates[:1], r, nil) {
		if g.Pass || !strings.Contains(g.Error, "invalid") {
			t.Errorf("invalid run: %+v", g)
		}
	}
}

// A gate never passes on nothing: a metric whose section measured nothing
// fails, saying why; counts stay data.
func TestGatesNeverPassOnNothing(t *testing.T) {
	noUpdates := sampleResult()
	noUpdates.Latency.E2E = LatencyStats{} // job.outputs.updates=false
	noCheckpoints := sampleResult()
	noCheckpoints.Checkpoints = &Checkpoints{Completed: 0, Failed: 0} // durations 0: nothing completed
	withOverhead := sampleResult()
	withOverhead.Checkpoints = &Checkpoints{Completed: 3, DurationMs: DelayStats{P99: 80},
		Overhead: &CheckpointOverhead{InFlightShare: 0.1, OutRPSInFlight: 100, OutRPSBetween: 100}} // no e2e on either side
	for _, tc := range []struct {
		r      *Result
		gate   string
		pass   bool
		reason string
	}{
		{noUpdates, "e2e.p99 < 500ms", false, "no e2e latency was measured (latency_ms.e2e.count is 0"},
		{noUpdates, "latency_ms.e2e.max <= 1s", false, "no e2e latency was measured"},
		{noUpdates, "e2e.count >= 0", true, ""},
		{noUpdates, "window.p99 < 1h", true, ""},
		{noCheckpoints, "checkpoints.duration_ms.p99 < 2s", false, "no checkpoint completed in the measurement phase (checkpoints.completed is 0)"},
		{noCheckpoints, "checkpoints.state_size_bytes.max < 1GB", false, "no checkpoint completed"},
		{noCheckpoints, "checkpoints.completed >= 0", true, ""},
		{noCheckpoints, "checkpoints.failed <= 0", true, ""},
		{sampleResult(), "checkpoints.duration_ms.p99 < 2s", false, "checkpoints were not measured"},
		{withOverhead, "checkpoints.overhead.p99_ratio < 2", false, "no e2e latency both while a checkpoint was in flight and between"},
		{withOverhead, "checkpoints.overhead.out_rps_in_flight > 10", true, ""},
		{withOverhead, "checkpoints.duration_ms.p99 < 2s", true, ""},
		{sampleResult(), "lag.slope_per_s < 10/s", false, "the input lag was not measured"},
		{sampleResult(), "skew < 2", false, "skew was not measured"},
		{sampleResult(), "recovery.running_after_s < 1m", false, "no fault was injected"},
		{sampleResult(), "resources.taskmanager_cpu_pct < 100", false, "taskmanager"},
		{sampleResult(), "clock.offset_ms < 10", false, "the broker's clock was not checked"},
		{sampleResult(), "no.such.field < 1", false, "metric not in the result"},
	} {
		g := evalGates([]*gate.Expr{parseGate(t, tc.gate)}, tc.r, nil)[0]
		if g.Pass != tc.pass || !strings.Contains(g.Error, tc.reason) || g.NoData == tc.pass {
			t.Errorf("%s: pass %v no data %v error %q; want pass %v, error mentioning %q", tc.gate, g.Pass, g.NoData, g.Error, tc.pass, tc.reason)
		}
	}
}

// baseline * F moves the limit by |baseline|·(F − 1): a factor above 1
// loosens an upper bound for a negative metric too.
func TestBaselineFactorSigned(t *testing.T) {
	g := parseGate(t, "lag.slope_per_s <= baseline * 1.10")
	for _, tc := range []struct{ base, v, limit float64 }{{-50, -46, -45}, {50, 54, 55}, {0, 0, 0}} {
		b := tc.base
		got := EvaluateGateValue(g, tc.v, &b)
		if got.Limit == nil || math.Abs(*got.Limit-tc.limit) > 1e-9 || !got.Pass {
			t.Errorf("baseline %v, value %v: %+v, want limit %v and a pass", tc.base, tc.v, got, tc.limit)
		}
	}
	low := parseGate(t, "in_eps >= baseline * 0.9")
	b := 2000.0
	if got := EvaluateGateValue(low, 1850, &b); !got.Pass || *got.Limit != 1800 {
		t.Errorf("in_eps 1850 vs 0.9 × 2000: %+v", got)
	}
	if got := EvaluateGateValue(low, 1750, &b); got.Pass {
		t.Errorf("in_eps 1750 vs 0.9 × 2000: %+v", got)
	}
}

// worse_by gates: fail on a regression beyond the noise and past the limit,
// pass on none, fail on nothing to judge.
func TestWorseByGates(t *testing.T) {
	run := func(p50, p99 float64) *Result {
		r := sampleResult()
		r.Latency.E2E.P50, r.Latency.E2E.P99 = p50, p99
		return r
	}
	history := &Baseline{Name: "main", Results: []*Result{run(12.0, 45), run(12.6, 47), run(11.7, 44)}}
	gates := []*gate.Expr{parseGate(t, "e2e.p99 worse_by > 10%"), parseGate(t, "e2e.p50 worse_by <= 10%")}
	// Doubled: worse, and at least ~+70% even with 1 vs 3 runs.
	got := evalGates(gates, run(24.6, 92), history)
	for _, g := range got {
		if g.Pass || g.Verdict != string(VerdictWorse) || g.Interval == nil || g.Interval[0] <= 10 || g.Value < 90 || *g.Limit != 10 || !strings.Contains(g.Detail, "worse by") {
			t.Errorf("doubled: %+v", g)
		}
	}
	// The same run as the history: passes.
	for _, g := range evalGates(gates, run(12.2, 46), history) {
		if !g.Pass || g.Verdict == string(VerdictWorse) {
			t.Errorf("unchanged: %+v", g)
		}
	}
	// Worse beyond the noise, but by less than the limit: passes.
	tight := &Baseline{Name: "tight", Results: []*Result{run(12, 45.0), run(12, 45.1), run(12, 44.9), run(12, 45.05)}}
	g := evalGates(gates[:1], run(12, 47.5), tight)[0]
	if !g.Pass || g.Verdict != string(VerdictWorse) || g.Value > 10 {
		t.Errorf("+5.5%% against a tight history with a 10%% limit: %+v", g)
	}
	if g := evalGates([]*gate.Expr{parseGate(t, "e2e.p99 worse_by > 2%")}, run(12, 47.5), tight)[0]; g.Pass {
		t.Errorf("+5.5%% against a tight history with a 2%% limit: %+v", g)
	}
	// Nothing to judge: updates off in the run, or percentiles too short.
	off := run(0, 0)
	off.Latency.E2E.Count = 0
	if g := evalGates(gates[:1], off, history)[0]; g.Pass || !g.NoData || !strings.Contains(g.Error, "not compared") {
		t.Errorf("no e2e in the run: %+v", g)
	}
	short := run(12, 46)
	short.Latency.E2E.Count = 5000 // p99 rests on 50
	if g := evalGates(gates[:1], short, history)[0]; g.Pass || g.Verdict != string(VerdictTooShort) {
		t.Errorf("short run: %+v", g)
	}
	// No baseline: refuses.
	if g := evalGates(gates[:1], run(12, 46), nil); g[0].Pass || !strings.Contains(g[0].Error, "needs a baseline") {
		t.Errorf("no baseline: %+v", g[0])
	}
	// A family of k gates is judged at alpha/k: the interval widens.
	one := evalGates(gates[:1], run(24.6, 92), history)[0]
	two := evalGates(gates, run(24.6, 92), history)[0]
	if !(two.Interval[0] < one.Interval[0]) || !strings.Contains(two.Detail, "over 2 gated metrics") {
		t.Errorf("family of 2: %v vs alone %v; %s", two.Interval, one.Interval, two.Detail)
	}
}

// worse_by for a higher-is-better metric: a drop in throughput is a
// worsening, a rise is not.
func TestWorseByHigherIsBetter(t *testing.T) {
	run := func(out float64) *Result {
		r := sampleResult()
		r.Throughput.OutRPS = out
		return r
	}
	history := &Baseline{Name: "main", Results: []*Result{run(2000), run(2010), run(1995), run(2005)}}
	g := parseGate(t, "out_rps worse_by > 10%")
	half := evalGates([]*gate.Expr{g}, run(1000), history)[0]
	if half.Pass || half.Value < 49 || half.Value > 51 || half.Interval[0] <= 10 || half.Unit != "%" {
		t.Errorf("throughput halved: %+v, want a failure, worse by ~+50%%", half)
	}
	double := evalGates([]*gate.Expr{g}, run(4000), history)[0]
	if !double.Pass || double.Value > -90 || double.Verdict != string(VerdictBetter) {
		t.Errorf("throughput doubled: %+v, want a pass, worse by ~-100%%", double)
	}
}

// worse_by for the lag slope (linear, in events/s): the limit is a share
// of the offered rate, and a history whose slopes are all equal still has
// a noise floor.
func TestWorseByLagSlope(t *testing.T) {
	run := func(slope float64) *Result {
		r := sampleResult() // target_rate 2000
		r.Lag = &Lag{SlopePerS: slope}
		return r
	}
	history := &Baseline{Name: "main", Results: []*Result{run(0), run(1), run(-1), run(0.5)}}
	g := parseGate(t, "lag.slope_per_s worse_by > 5%") // 100 events/s
	if got := evalGates([]*gate.Expr{g}, run(150), history)[0]; got.Pass || *got.Limit != 100 || got.Unit != "events/s" {
		t.Errorf("lag slope +150 events/s: %+v, want a failure against 100 events/s", got)
	}
	if got := evalGates([]*gate.Expr{g}, run(20), history)[0]; !got.Pass {
		t.Errorf("lag slope +20 events/s: %+v, want a pass (limit 100)", got)
	}
	flat := &Baseline{Name: "flat", Results: []*Result{run(0), run(0), run(0)}}
	c := Compare([]Config{flat.Config(), {Name: "x", Results: []*Result{run(0.01)}}}, 0, CompareOptions{})
	if m := metricByPath(t, c.Comparisons[0], "lag.slope_per_s"); m.Verdict != VerdictNoChange {
		t.Errorf("a 0.01 events/s change against flat slopes: %s (noise %+v), want no significant change", m.Verdict, m.Noise)
	}
	noRate := run(5)
	noRate.Events.TargetRate = 0
	c = Compare([]Config{{Name: "b", Results: []*Result{noRate, noRate, noRate}}, {Name: "x", Results: []*Result{noRate}}}, 0, CompareOptions{})
	if m := metricByPath(t, c.Comparisons[0], "lag.slope_per_s"); m.Verdict != VerdictInsufficient {
		t.Errorf("lag slope without an offered rate: %s, want insufficient", m.Verdict)
	}
}

// The family is the distinct metrics gated: the same metric twice is one.
func TestWorseByFamilyDistinctMetrics(t *testing.T) {
	run := func(p99 float64) *Result {
		r := sampleResult()
		r.Latency.E2E.P99 = p99
		return r
	}
	history := &Baseline{Name: "main", Results: []*Result{run(45), run(47), run(44)}}
	one := evalGates([]*gate.Expr{parseGate(t, "e2e.p99 worse_by > 10%")}, run(60), history)[0]
	same := evalGates([]*gate.Expr{parseGate(t, "e2e.p99 worse_by > 10%"), parseGate(t, "e2e.p99 worse_by > 20%")}, run(60), history)[0]
	if *one.Interval != *same.Interval || strings.Contains(same.Detail, "gated metrics") {
		t.Errorf("one metric gated twice widened the interval: %v vs %v; %s", one.Interval, same.Interval, same.Detail)
	}
	two := evalGates([]*gate.Expr{parseGate(t, "e2e.p99 worse_by > 10%"), parseGate(t, "e2e.p50 worse_by > 10%")}, run(60), history)[0]
	if !(two.Interval[0] < one.Interval[0]) || !strings.Contains(two.Detail, "over 2 gated metrics") {
		t.Errorf("two metrics: %v vs one %v; %s", two.Interval, one.Interval, two.Detail)
	}
	// The gate's bound is one-sided at alpha/k: the interval's coverage is 1 − 2·alpha/k.
	if !strings.Contains(one.Detail, "with 95% confidence") || !strings.Contains(two.Detail, "with 97.5% confidence") {
		t.Errorf("confidence: %q / %q", one.Detail, two.Detail)
	}
}

// A worse_by limit is a strict bound: a bound equal to it passes.
func TestWorseByAtTheLimit(t *testing.T) {
	g := parseGate(t, "e2e.p99 worse_by > 10%")
	c := &Comparison{Alpha: 0.1, Comparisons: []ConfigComparison{{Metrics: []MetricComparison{{
		Metric: "latency_ms.e2e.p99", Better: LowerIsBetter, Scale: ScaleRatio, Verdict: VerdictWorse, Coverage: 0.9,
		Change: ptr(0.2), Interval: &[2]float64{0.1, 0.3}, Noise: &Noise{Sigma: 0.05, DF: 4, Source: NoiseFromRuns},
		Values: []float64{1}, BaselineValues: []float64{1, 1, 1}, tolRef: 1}}}}}
	if got := judgeGate(g, c, 0.05, 1); !got.Pass {
		t.Errorf("bound at the limit: %+v, want a pass", got)
	}
	c.Comparisons[0].Metrics[0].Interval[0] = 0.1000001
	if got := judgeGate(g, c, 0.05, 1); got.Pass {
		t.Errorf("bound just past the limit: %+v, want a failure", got)
	}
}

// Gating a run against a baseline of another configuration warns.
func TestGatesWarnAboutAnotherConfiguration(t *testing.T) {
	base := sampleResult()
	r := sampleResult()
	r.Scenario = scenarioOf("quick", 3000, "20s")
	_, ws := EvaluateGates([]*gate.Expr{parseGate(t, "e2e.p99 worse_by > 10%")}, r, &Baseline{Name: "main", Results: []*Result{base, base, base}}, CompareOptions{})
	if !strings.Contains(strings.Join(ws, "\n"), "scenario.workload.rate 3000 vs 2000") {
		t.Errorf("warnings: %q", ws)
	}
}

// The metrics a worse_by gate may name are exactly those compare judges.
func TestWorseByMetricsAreCompareMetrics(t *testing.T) {
	var paths []string
	for _, m := range CompareMetrics() {
		paths = append(paths, m.Path)
	}
	if !slices.Equal(paths, gate.WorseByMetrics) {
		t.Errorf("gate.WorseByMetrics %v, compare's metrics %v: keep them equal", gate.WorseByMetrics, paths)
	}
}
