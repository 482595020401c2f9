package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The compare fixtures under testdata/compare are written by
// writeCompareFixtures (deterministic: its own noise generator, no
// math/rand), and TestCompareFixturesUpToDate keeps the files equal to what
// it writes; `go test ./reports -run CompareFixtures -update` rewrites them.
// They hold only what compare reads, plus schema, status, validity,
// environment and the scenario's name and settings.
//
//	sweep/  a matrix output (index.json): checkpoint interval 30s (first
//	        point, the baseline) vs 200ms, 5 repetitions each, steady state
//	aa/     the same configuration twice (run-a, run-b), 5 repetitions each
//	warn/   a fault scenario, restart_delay 5s (base) vs 10s (other), 3
//	        repetitions each; other/rep-2 is invalid, other/rep-3 ran on
//	        another host

// noise is splitmix64: a fixed stream of uniform values in [-1, 1).
type noise struct{ s uint64 }

func (n *noise) next() float64 {
	n.s += 0x9e3779b97f4a7c15
	z := n.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11)/float64(1<<53)*2 - 1
}

// around is v × (1 ± rel), uniformly, rounded to the given decimals.
func (n *noise) around(v, rel float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(v*(1+rel*n.next())*p) / p
}

// plusMinus is v ± abs, rounded to the given decimals.
func (n *noise) plusMinus(v, abs float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round((v+abs*n.next())*p) / p
}

type fixtureLatency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

type fixtureResult struct {
	Schema         string         `json:"schema"`
	Status         string         `json:"status"`
	Valid          bool           `json:"valid"`
	InvalidReasons []string       `json:"invalid_reasons"`
	Scenario       map[string]any `json:"scenario"`
	Environment    Environment    `json:"environment"`
	Events         Events         `json:"events"`
	Latency        struct {
		E2E    fixtureLatency `json:"e2e"`
		Window fixtureLatency `json:"window"`
	} `json:"latency_ms"`
	Throughput  Throughput `json:"throughput"`
	Checkpoints *struct {
		Completed      int64      `json:"completed"`
		Failed         int64      `json:"failed"`
		DurationMs     DelayStats `json:"duration_ms"`
		StateSizeBytes StateSize  `json:"state_size_bytes"`
	} `json:"checkpoints,omitempty"`
	Lag       *Lag       `json:"lag,omitempty"`
	Recovery  []Recovery `json:"recovery,omitempty"`
	Resources []struct {
		Component string   `json:"component"`
		CPUPct    CPUStats `json:"cpu_pct"`
	} `json:"resources"`
}

// profile is a configuration's typical figures; each repetition draws
// around them.
type profile struct {
	scenario                  map[string]any
	e2eP50, e2eP99, e2eP999   float64 // ms
	windowP99                 float64 // ms
	ckptCompleted             int64
	ckptP99                   float64 // ms
	stateMax                  float64 // bytes
	tmCPU                     float64 // % of a core, the TaskManager's median
	runningAfter, lagRecAfter float64 // s after the fault; 0: no fault
}

func (p profile) repetition(n *noise) fixtureResult {
	r := fixtureResult{Schema: Schema, Status: "ok", Valid: true, InvalidReasons: []string{}, Scenario: p.scenario,
		Environment: Environment{Kind: "local", FlinkVersion: "2.2.1", KafkaVersion: "4.1.1", Host: "bench-1",
			CPUModel: "AMD EPYC 7B13", CPUs: 8, MemoryMB: 32091, OS: "linux/amd64"}}
	r.Events = Events{Sent: 120000, SentTotal: 140000, TargetRate: 2000, AchievedRate: 2000}
	r.Latency.E2E = fixtureLatency{Count: 120000, P50: n.around(p.e2eP50, 0.06, 3)}
	r.Latency.E2E.P90 = n.around(p.e2eP50*1.6, 0.06, 3)
	r.Latency.E2E.P99 = n.around(p.e2eP99, 0.10, 3)
	r.Latency.E2E.P999 = n.around(p.e2eP999, 0.15, 3)
	r.Latency.E2E.Max = n.around(p.e2eP999*1.8, 0.25, 3)
	r.Latency.Window = fixtureLatency{Count: 1440, P50: n.around(p.windowP99*0.45, 0.08, 3), P90: n.around(p.windowP99*0.75, 0.08, 3),
		P99: n.around(p.windowP99, 0.10, 3), P999: n.around(p.windowP99*1.2, 0.12, 3), Max: n.around(p.windowP99*1.3, 0.12, 3)}
	// Open loop at 2000 events/s: every measured event comes out, so the
	// input throughput is the same in every run.
	r.Throughput = Throughput{InEPS: 2000, OutRPS: n.plusMinus(2024, 0.4, 1)}
	r.Checkpoints = &struct {
		Completed      int64      `json:"completed"`
		Failed         int64      `json:"failed"`
		DurationMs     DelayStats `json:"duration_ms"`
		StateSizeBytes StateSize  `json:"state_size_bytes"`
	}{Completed: p.ckptCompleted}
	p99 := n.around(p.ckptP99, 0.15, 0)
	r.Checkpoints.DurationMs = DelayStats{P50: math.Round(p99 * 0.55), P99: p99, Max: math.Round(p99 * 1.05)}
	smax := n.around(p.stateMax, 0.03, 0)
	r.Checkpoints.StateSizeBytes = StateSize{Last: int64(smax * 0.98), Max: int64(smax)}
	r.Lag = &Lag{Max: int64(n.around(180, 0.3, 0)), Final: int64(n.around(40, 0.5, 0)), SlopePerS: n.plusMinus(0, 0.8, 2)}
	if p.runningAfter > 0 {
		at := 41.25
		running := at + n.around(p.runningAfter, 0.08, 2)
		lagRec := at + n.around(p.lagRecAfter, 0.10, 2)
		detected := at + 0.25
		r.Recovery = []Recovery{{Fault: "kill_taskmanager", AtS: at, DetectedS: &detected, RunningS: &running, LagRecoveredS: &lagRec, Restarts: 1}}
	}
	for _, c := range []struct {
		name string
		cpu  float64
	}{{"abload", 38}, {"kafka", 31}, {"jobmanager", 6}, {"taskmanager-1", p.tmCPU}} {
		r.Resources = append(r.Resources, struct {
			Component string   `json:"component"`
			CPUPct    CPUStats `json:"cpu_pct"`
		}{c.name, CPUStats{P50: n.around(c.cpu, 0.06, 1), Max: n.around(c.cpu*1.5, 0.1, 1)}})
	}
	return r
}

func sweepScenario(interval string) map[string]any {
	return map[string]any{"name": "checkpoint-sweep",
		"workload": map[string]any{"rate": 2000, "warmup": "10s", "duration": "1m"},
		"job":      map[string]any{"parallelism": 2, "checkpoint": map[string]any{"interval": interval}}}
}

func writeJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeCompareFixtures(t *testing.T, root string) {
	t.Helper()
	// (a) sweep: a matrix output, baseline first.
	sweep := []struct {
		point string
		p     profile
	}{
		{"interval-30s", profile{scenario: sweepScenario("30s"), e2eP50: 38, e2eP99: 96, e2eP999: 210, windowP99: 140,
			ckptCompleted: 2, ckptP99: 410, stateMax: 14.2e6, tmCPU: 92}},
		{"interval-200ms", profile{scenario: sweepScenario("200ms"), e2eP50: 45, e2eP99: 182, e2eP999: 330, windowP99: 205,
			ckptCompleted: 290, ckptP99: 128, stateMax: 14.3e6, tmCPU: 121}},
	}
	type indexRun struct {
		Point      string `json:"point"`
		Repetition int    `json:"repetition"`
		Dir        string `json:"dir"`
		Status     string `json:"status"`
		Valid      bool   `json:"valid"`
	}
	index := struct {
		Schema      string           `json:"schema"`
		Scenario    string           `json:"scenario"`
		Points      []map[string]any `json:"points"`
		Repetitions int              `json:"repetitions"`
		Runs        []indexRun       `json:"runs"`
		StartedAt   string           `json:"started_at"`
		FinishedAt  string           `json:"finished_at"`
	}{Schema: "abload.index/v1", Scenario: "checkpoint-sweep.yaml", Repetitions: 5,
		StartedAt: "2026-03-02T09:00:00Z", FinishedAt: "2026-03-02T09:24:10Z"}
	n := &noise{s: 1}
	for _, s := range sweep {
		index.Points = append(index.Points, map[string]any{"name": s.point,
			"settings": []string{"job.checkpoint.interval=" + strings.TrimPrefix(s.point, "interval-")}})
	}
	for rep := 1; rep <= 5; rep++ { // interleaved, as a matrix runs them
		for _, s := range sweep {
			dir := filepath.Join(s.point, fmt.Sprintf("rep-%d", rep))
			writeJSONFile(t, filepath.Join(root, "sweep", dir, ResultFile), s.p.repetition(n))
			index.Runs = append(index.Runs, indexRun{Point: s.point, Repetition: rep, Dir: dir, Status: "ok", Valid: true})
		}
	}
	writeJSONFile(t, filepath.Join(root, "sweep", "index.json"), index)

	// (b) A/A: one configuration, run twice.
	aa := profile{scenario: sweepScenario("10s"), e2eP50: 40, e2eP99: 110, e2eP999: 240, windowP99: 150,
		ckptCompleted: 6, ckptP99: 300, stateMax: 14.2e6, tmCPU: 98}
	n = &noise{s: 2}
	for rep := 1; rep <= 5; rep++ {
		for _, run := range []string{"run-a", "run-b"} {
			writeJSONFile(t, filepath.Join(root, "aa", run, fmt.Sprintf("rep-%d", rep), ResultFile), aa.repetition(n))
		}
	}

	// Warnings: too few repetitions, an invalid run, another host.
	recovery := func(delay string) map[string]any {
		return map[string]any{"name": "recovery",
			"env":    map[string]any{"taskmanagers": 2, "restart_delay": delay},
			"job":    map[string]any{"parallelism": 2, "checkpoint": map[string]any{"interval": "1s"}},
			"faults": []any{map[string]any{"at": "30s", "kind": "kill_taskmanager", "taskmanager": 2}}}
	}
	warn := []struct {
		name string
		p    profile
	}{
		{"base", profile{scenario: recovery("5s"), e2eP50: 41, e2eP99: 5200, e2eP999: 7400, windowP99: 6100,
			ckptCompleted: 52, ckptP99: 240, stateMax: 14.1e6, tmCPU: 64, runningAfter: 6.4, lagRecAfter: 9.8}},
		{"other", profile{scenario: recovery("10s"), e2eP50: 42, e2eP99: 9300, e2eP999: 12400, windowP99: 10900,
			ckptCompleted: 47, ckptP99: 250, stateMax: 14.1e6, tmCPU: 63, runningAfter: 11.5, lagRecAfter: 15.9}},
	}
	n = &noise{s: 3}
	for rep := 1; rep <= 3; rep++ {
		for _, w := range warn {
			r := w.p.repetition(n)
			if w.name == "other" && rep == 2 {
				r.Valid = false
				r.InvalidReasons = []string{"max send delay 1.84s exceeds workload.max_send_delay 1s"}
			}
			if w.name == "other" && rep == 3 {
				r.Environment.Host, r.Environment.CPUs, r.Environment.MemoryMB = "bench-2", 4, 16034
			}
			writeJSONFile(t, filepath.Join(root, "warn", w.name, fmt.Sprintf("rep-%d", rep), ResultFile), r)
		}
	}
}

func TestCompareFixturesUpToDate(t *testing.T) {
	root := filepath.Join("testdata", "compare")
	if *update {
		for _, d := range []string{"sweep", "aa", "warn"} {
			if err := os.RemoveAll(filepath.Join(root, d)); err != nil {
				t.Fatal(err)
			}
		}
		writeCompareFixtures(t, root)
	}
	tmp := t.TempDir()
	writeCompareFixtures(t, tmp)
	err := filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, p)
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("fixture %s: %v (run with -update)", rel, err)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("fixture %s differs from what writeCompareFixtures writes (run with -update)", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// loadRepDirs reads dir/rep-*/result.json as one configuration.
func loadRepDirs(t *testing.T, name, dir string) Config {
	t.Helper()
	reps, err := filepath.Glob(filepath.Join(dir, "rep-*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(reps)
	cfg := Config{Name: name}
	for _, d := range reps {
		r, err := ReadResult(filepath.Join(d, ResultFile))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Results = append(cfg.Results, r)
		cfg.Dirs = append(cfg.Dirs, filepath.ToSlash(d))
	}
	if len(cfg.Results) == 0 {
		t.Fatalf("no repetitions in %s", dir)
	}
	return cfg
}

// loadMatrix reads a matrix output's points (from index.json) as configurations.
func loadMatrix(t *testing.T, dir string) []Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Points []struct{ Name string }
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	var out []Config
	for _, p := range idx.Points {
		out = append(out, loadRepDirs(t, p.Name, filepath.Join(dir, p.Name)))
	}
	return out
}

func renderAll(t *testing.T, c *Comparison, name string) {
	t.Helper()
	for _, f := range []struct {
		ext   string
		write func(*bytes.Buffer, *Comparison) error
	}{
		{"txt", func(b *bytes.Buffer, c *Comparison) error { return WriteCompareText(b, c) }},
		{"md", func(b *bytes.Buffer, c *Comparison) error { return WriteCompareMarkdown(b, c) }},
		{"json", func(b *bytes.Buffer, c *Comparison) error { return WriteCompareJSON(b, c) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b, c); err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("compare", name+"."+f.ext+".golden"), b.Bytes())
	}
}

func metricByPath(t *testing.T, cc ConfigComparison, path string) MetricComparison {
	t.Helper()
	for _, m := range cc.Metrics {
		if m.Metric == path {
			return m
		}
	}
	t.Fatalf("%s not compared; not compared: %+v", path, cc.NotCompared)
	return MetricComparison{}
}

// Checkpointing every 200 ms against every 30 s: latency and CPU clearly
// worse, checkpoint duration clearly better; the rest unchanged.
func TestCompareSweepSignificant(t *testing.T) {
	configs := loadMatrix(t, filepath.Join("testdata", "compare", "sweep"))
	c := Compare(configs, 0, CompareOptions{})
	if c.Schema != CompareSchema || c.Baseline != "interval-30s" || len(c.Comparisons) != 1 {
		t.Fatalf("comparison: schema %q baseline %q, %d comparisons", c.Schema, c.Baseline, len(c.Comparisons))
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
	cc := c.Comparisons[0]
	if cc.Config != "interval-200ms" || cc.Repetitions != 5 || cc.BaselineRepetitions != 5 {
		t.Errorf("comparison of %s: %d vs %d repetitions", cc.Config, cc.Repetitions, cc.BaselineRepetitions)
	}
	want := map[string]Verdict{
		"latency_ms.e2e.p50":            VerdictWorse,
		"latency_ms.e2e.p99":            VerdictWorse,
		"latency_ms.e2e.p999":           VerdictWorse,
		"checkpoints.duration_ms.p99":   VerdictBetter,
		"resources.taskmanager_cpu_pct": VerdictWorse,
		// A constant offered rate: the same in every run, no change.
		"throughput.in_eps": VerdictNoChange,
		// 2024 ± 0.4 records/s in both: an interval far inside ±10%.
		"throughput.out_rps": VerdictNoChange,
		// 14.2 vs 14.3 MB, ±3% per run: inside ±10%.
		"checkpoints.state_size_bytes.max": VerdictNoChange,
		// 0 ± 0.8 events/s in both against a tolerance of 10% of 2000 events/s.
		"lag.slope_per_s": VerdictNoChange,
		// 1440 windows per run: p99 rests on 14.
		"latency_ms.window.p99": VerdictTooShort,
	}
	if len(cc.Metrics) != len(want) {
		t.Errorf("%d metrics compared, want %d (no recovery: no fault)", len(cc.Metrics), len(want))
	}
	for path, v := range want {
		m := metricByPath(t, cc, path)
		if m.Verdict != v {
			t.Errorf("%s: %s (%s), want %s", path, m.Verdict, m.Reason, v)
		}
		if m.Verdict.Decided() {
			t.Logf("%-34s median %10.3f vs %10.3f  change %+.3f [%+.3f, %+.3f] p %.4g  %s", path, m.Median, m.BaselineMedian, *m.Change, m.Interval[0], m.Interval[1], *m.P, m.Verdict)
		}
	}
	// Verdicts and intervals agree; p < alpha exactly when the interval excludes 0.
	for _, m := range cc.Metrics {
		if !m.Verdict.Decided() {
			if m.Change != nil || m.Interval != nil || m.Reason == "" {
				t.Errorf("%s: %s with a change or interval, or without a reason", m.Metric, m.Verdict)
			}
			continue
		}
		excludes := m.Interval[0] > 0 || m.Interval[1] < 0
		if excludes != (m.Verdict == VerdictBetter || m.Verdict == VerdictWorse) || excludes != (*m.P < c.Alpha) {
			t.Errorf("%s: verdict %s, interval %v, p %v disagree", m.Metric, m.Verdict, *m.Interval, *m.P)
		}
		if *m.Change < m.Interval[0] || *m.Change > m.Interval[1] {
			t.Errorf("%s: change %v outside its interval %v", m.Metric, *m.Change, *m.Interval)
		}
		if m.Noise == nil || m.Noise.Source != NoiseFromRuns || m.DF != 8 {
			t.Errorf("%s: noise %+v df %d, want the runs' own with 8 df", m.Metric, m.Noise, m.DF)
		}
	}
	// The change of e2e p99 is the ratio of the geometric means.
	p99 := metricByPath(t, cc, "latency_ms.e2e.p99")
	if want := math.Exp(meanLog(p99.Values)-meanLog(p99.BaselineValues)) - 1; !closeTo(*p99.Change, want, 1e-12) || want < 0.5 {
		t.Errorf("e2e p99 change %v, want %v", *p99.Change, want)
	}
	if p99.Median != Median(p99.Values) || p99.BaselineMedian != Median(p99.BaselineValues) {
		t.Errorf("e2e p99 medians %v vs %v", p99.Median, p99.BaselineMedian)
	}
	if in := metricByPath(t, cc, "throughput.in_eps"); *in.Change != 0 || in.Noise.Sigma != RatioResolution {
		t.Errorf("in_eps: change %v noise %+v, want 0 and the resolution", *in.Change, in.Noise)
	}
	if cc.Detectable == nil || !closeTo(*cc.Detectable, TCritical(0.05, 8)*math.Sqrt(0.4), 1e-12) {
		t.Errorf("detectable %v", cc.Detectable)
	}
	renderAll(t, c, "sweep")
}

func meanLog(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += math.Log(x)
	}
	return s / float64(len(xs))
}

// Identical inputs never give a verdict beyond "no significant change" or
// "inconclusive", whatever the repetition counts.
func TestCompareIdenticalInputsNoVerdict(t *testing.T) {
	root := filepath.Join("testdata", "compare", "aa")
	a := loadRepDirs(t, "a", filepath.Join(root, "run-a"))
	for _, n := range []int{1, 2, 5} {
		x := Config{Name: "x", Results: a.Results[:n]}
		y := Config{Name: "y", Results: a.Results[:n]}
		c := Compare([]Config{y, x}, 0, CompareOptions{})
		cc := c.Comparisons[0]
		if len(cc.Metrics) != 10 {
			t.Errorf("%d vs %d: %d metrics compared, want 10", n, n, len(cc.Metrics))
		}
		for _, m := range cc.Metrics {
			switch m.Verdict {
			case VerdictNoChange, VerdictInconclusive:
			case VerdictTooShort:
				if m.Metric != "latency_ms.window.p99" {
					t.Errorf("%d vs %d: %s: %s", n, n, m.Metric, m.Verdict)
				}
			case VerdictInsufficient:
				// 1 vs 1 of a metric the default noise does not stand in for.
				if n != 1 || DefaultNoise().Metrics[m.Metric].StandsIn {
					t.Errorf("%d vs %d: %s: %s (%s)", n, n, m.Metric, m.Verdict, m.Reason)
				}
			default:
				t.Errorf("%d vs %d: %s: %s (%s) on identical inputs", n, n, m.Metric, m.Verdict, m.Reason)
			}
			if m.Change != nil && *m.Change != 0 {
				t.Errorf("%d vs %d: %s: change %v on identical inputs", n, n, m.Metric, *m.Change)
			}
		}
	}
}

// The review's case: eight copies of one real result.json, four as they
// are, four with every e2e percentile doubled. 4 vs 4 must call e2e p50
// and p99 worse, with an interval around +100%; p99.9 of a 20 s run is too
// short to test; nothing else changes.
func TestCompareDoubledLatencyFourVsFour(t *testing.T) {
	real, err := ReadResult(filepath.Join("testdata", "corpus", "aa", "run-01", ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	base, worse := Config{Name: "base"}, Config{Name: "worse"}
	for i := 0; i < 4; i++ {
		b := *real
		w := *real
		w.Latency.E2E.P50 *= 2
		w.Latency.E2E.P90 *= 2
		w.Latency.E2E.P99 *= 2
		w.Latency.E2E.P999 *= 2
		w.Latency.E2E.Max *= 2
		base.Results = append(base.Results, &b)
		worse.Results = append(worse.Results, &w)
	}
	c := Compare([]Config{base, worse}, 0, CompareOptions{})
	cc := c.Comparisons[0]
	for _, path := range []string{"latency_ms.e2e.p50", "latency_ms.e2e.p99"} {
		m := metricByPath(t, cc, path)
		if m.Verdict != VerdictWorse || m.Interval == nil || m.Interval[0] < 0.99 || m.Interval[1] > 1.01 || !closeTo(*m.Change, 1, 1e-9) {
			t.Errorf("%s: %s, change %v interval %v; want worse, +100%% within [+99%%, +101%%]", path, m.Verdict, m.Change, m.Interval)
		}
	}
	if m := metricByPath(t, cc, "latency_ms.e2e.p999"); m.Verdict != VerdictTooShort {
		t.Errorf("e2e p99.9 of %d events: %s, want too short to test", real.Latency.E2E.Count, m.Verdict)
	}
	for _, m := range cc.Metrics {
		if strings.HasPrefix(m.Metric, "latency_ms.e2e.") {
			continue
		}
		if m.Verdict != VerdictNoChange && m.Verdict != VerdictTooShort {
			t.Errorf("%s: %s, want no significant change (unchanged)", m.Metric, m.Verdict)
		}
	}
	// One run against one: the default noise stands in, and says so.
	c = Compare([]Config{{Name: "base", Results: base.Results[:1]}, {Name: "worse", Results: worse.Results[:1]}}, 0, CompareOptions{})
	m := metricByPath(t, c.Comparisons[0], "latency_ms.e2e.p50")
	if m.Noise == nil || m.Noise.Source != NoiseFromDefault || m.Verdict != VerdictWorse {
		t.Errorf("1 vs 1 doubled p50: %s noise %+v", m.Verdict, m.Noise)
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "the default noise measured on abload's A/A corpus stands in") {
		t.Errorf("1 vs 1: no warning about the default noise: %q", c.Warnings)
	}
	// One run against two: the default's spread pooled with the one degree
	// of freedom the runs have, (df₀σ₀² + SS) / (df₀ + 1).
	p50 := DefaultNoise().Metrics["latency_ms.e2e.p50"]
	b2 := Config{Name: "base", Results: []*Result{base.Results[0], withP50(real, real.Latency.E2E.P50*1.1)}}
	c = Compare([]Config{b2, {Name: "worse", Results: worse.Results[:1]}}, 0, CompareOptions{})
	m = metricByPath(t, c.Comparisons[0], "latency_ms.e2e.p50")
	ss := math.Pow(math.Log(1.1), 2) / 2
	if want := math.Sqrt((float64(p50.DF)*p50.Sigma*p50.Sigma + ss) / float64(p50.DF+1)); m.Noise == nil || !closeTo(m.Noise.Sigma, want, 1e-9) || m.DF != p50.DF+1 {
		t.Errorf("1 vs 2: noise %+v df %d, want sigma %v df %d", m.Noise, m.DF, want, p50.DF+1)
	}
	// Without a default, 1 vs 1 is insufficient.
	c = Compare([]Config{{Name: "base", Results: base.Results[:1]}, {Name: "worse", Results: worse.Results[:1]}}, 0, CompareOptions{Noise: map[string]NoiseRef{}})
	if m := metricByPath(t, c.Comparisons[0], "latency_ms.e2e.p50"); m.Verdict != VerdictInsufficient {
		t.Errorf("1 vs 1 without a default noise: %s", m.Verdict)
	}
}

func withP50(r *Result, p50 float64) *Result {
	c := *r
	c.Latency.E2E.P50 = p50
	return &c
}

// Inconclusive: not significant, but the interval reaches beyond the
// tolerance; a wider tolerance turns the same data into "no significant
// change".
func TestCompareInconclusive(t *testing.T) {
	mk := func(name string, p99s ...float64) Config {
		c := Config{Name: name}
		for _, v := range p99s {
			r := &Result{Valid: true, Latency: Latencies{E2E: LatencyStats{Count: 100000, P50: 100, P99: v, P999: 2 * v}}}
			c.Results = append(c.Results, r)
		}
		return c
	}
	base, other := mk("base", 200, 260, 230), mk("other", 250, 210, 270)
	c := Compare([]Config{base, other}, 0, CompareOptions{})
	m := metricByPath(t, c.Comparisons[0], "latency_ms.e2e.p99")
	if m.Verdict != VerdictInconclusive || !strings.Contains(m.Reason, "beyond the tolerance ±10%") {
		t.Fatalf("3 vs 3 noisy p99: %s (%s), interval %v", m.Verdict, m.Reason, m.Interval)
	}
	if m.Interval[0] > 0 || m.Interval[1] < 0 {
		t.Errorf("inconclusive with an interval excluding 0: %v", *m.Interval)
	}
	tol := -m.Interval[0]
	if m.Interval[1] > tol {
		tol = m.Interval[1]
	}
	c = Compare([]Config{base, other}, 0, CompareOptions{Tolerances: map[string]float64{"latency_ms.e2e.p99": tol * 1.01}})
	if m := metricByPath(t, c.Comparisons[0], "latency_ms.e2e.p99"); m.Verdict != VerdictNoChange {
		t.Errorf("with a tolerance of %.3f: %s", tol*1.01, m.Verdict)
	}
}

func TestCompareWarnings(t *testing.T) {
	root := filepath.Join("testdata", "compare", "warn")
	base, other := loadRepDirs(t, "base", filepath.Join(root, "base")), loadRepDirs(t, "other", filepath.Join(root, "other"))
	c := Compare([]Config{base, other}, 0, CompareOptions{})
	all := strings.Join(c.Warnings, "\n")
	for _, w := range []string{
		"other: invalid result testdata/compare/warn/other/rep-2 left out of medians, tests, spectra and gates (max send delay 1.84s exceeds workload.max_send_delay 1s)",
		"other: environment differs from base's (testdata/compare/warn/base/rep-1) in 1 of 2 results (testdata/compare/warn/other/rep-3): cpus 4 vs 8, host \"bench-2\" vs \"bench-1\", memory_mb 16034 vs 32091",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("no warning %q in:\n%s", w, all)
		}
	}
	s := c.Config("other")
	if s == nil || s.Repetitions != 2 || len(s.Excluded) != 1 || s.Excluded[0] != "testdata/compare/warn/other/rep-2" || s.Insufficient != "" {
		t.Errorf("other: %+v", s)
	}
	cc := c.Comparisons[0]
	// 2 vs 3: 3 df of their own; significant beyond t(0.975, 3) × √(1/2+1/3) σ.
	if cc.Detectable == nil || !closeTo(*cc.Detectable, TCritical(0.05, 3)*math.Sqrt(1.0/2+1.0/3), 1e-12) {
		t.Errorf("detectable %v", cc.Detectable)
	}
	// The recovery metrics are compared (every run has a fault): 6.4 s vs
	// 11.5 s to running again, ±8% per run, is worse even at 2 vs 3.
	if m := metricByPath(t, cc, "recovery.running_after_s"); m.Verdict != VerdictWorse {
		t.Errorf("recovery running: %v vs %v: %s", m.Median, m.BaselineMedian, m.Verdict)
	}
	metricByPath(t, cc, "recovery.lag_recovered_after_s")
	renderAll(t, c, "warn")

	// Every environment field counts, including fields the struct may gain:
	// the whole section is compared through its JSON form.
	b2 := loadRepDirs(t, "b2", filepath.Join(root, "base"))
	r := *b2.Results[0]
	r.Environment.FlinkVersion = "2.2.0"
	r.Environment.CPUModel = ""
	b2.Results[0] = &r
	c = Compare([]Config{base, b2}, 0, CompareOptions{})
	if !strings.Contains(strings.Join(c.Warnings, "\n"), `cpu_model (absent) vs "AMD EPYC 7B13", flink_version "2.2.0" vs "2.2.1"`) {
		t.Errorf("environment difference not warned: %q", c.Warnings)
	}
	if strings.Contains(strings.Join(c.Warnings, "\n"), "abload versions") {
		t.Errorf("one abload version, warned: %q", c.Warnings)
	}
	// Another abload version on one side: its figures may mean something else.
	r2 := *b2.Results[1]
	r2.AbloadVersion = "0.0.1-old"
	b2.Results[1] = &r2
	c = Compare([]Config{base, b2}, 0, CompareOptions{})
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "different abload versions:") || !strings.Contains(strings.Join(c.Warnings, "\n"), "0.0.1-old (1)") {
		t.Errorf("abload versions differ, not warned: %q", c.Warnings)
	}
}

// Most repetitions invalid: the configuration is insufficient (the valid
// few would be a biased sample), and so is every metric against it.
func TestCompareInsufficient(t *testing.T) {
	root := filepath.Join("testdata", "compare", "aa")
	a, b := loadRepDirs(t, "a", filepath.Join(root, "run-a")), loadRepDirs(t, "b", filepath.Join(root, "run-b"))
	for i := range b.Results[:3] {
		r := *b.Results[i]
		r.Valid, r.InvalidReasons = false, []string{"the generator fell behind"}
		b.Results[i] = &r
	}
	c := Compare([]Config{a, b}, 0, CompareOptions{})
	if s := c.Config("b"); s.Insufficient == "" || s.Repetitions != 2 || len(s.Excluded) != 3 {
		t.Errorf("b: %+v", s)
	}
	for _, m := range c.Comparisons[0].Metrics {
		if m.Verdict != VerdictInsufficient || !strings.Contains(m.Reason, "only 2 of its 5 results are valid") {
			t.Errorf("%s: %s (%s)", m.Metric, m.Verdict, m.Reason)
		}
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "b: insufficient: only 2 of its 5 results are valid") {
		t.Errorf("warnings: %q", c.Warnings)
	}
	// The baseline insufficient: every comparison against it too.
	c = Compare([]Config{b, a}, 0, CompareOptions{})
	for _, m := range c.Comparisons[0].Metrics {
		if m.Verdict != VerdictInsufficient || !strings.HasPrefix(m.Reason, "the baseline: ") {
			t.Errorf("against an insufficient baseline: %s: %s (%s)", m.Metric, m.Verdict, m.Reason)
		}
	}
}

// A metric one side lacks is not compared, and says why.
func TestCompareMetricMissing(t *testing.T) {
	root := filepath.Join("testdata", "compare", "aa")
	a, b := loadRepDirs(t, "a", filepath.Join(root, "run-a")), loadRepDirs(t, "b", filepath.Join(root, "run-b"))
	for i, r := range b.Results { // b without checkpoints in one repetition, without lag in all
		c := *r
		if i == 2 {
			c.Checkpoints = nil
		}
		c.Lag = nil
		b.Results[i] = &c
	}
	c := Compare([]Config{a, b}, 0, CompareOptions{})
	cc := c.Comparisons[0]
	reasons := map[string]string{}
	for _, nc := range cc.NotCompared {
		reasons[nc.Metric] = nc.Reason
	}
	if got := reasons["checkpoints.duration_ms.p99"]; !strings.Contains(got, "b lacks it in 1 of 5 repetitions (testdata/compare/aa/run-b/rep-3)") {
		t.Errorf("checkpoint duration reason %q", got)
	}
	if got := reasons["lag.slope_per_s"]; got != "b does not have it" {
		t.Errorf("lag reason %q", got)
	}
	if _, ok := reasons["recovery.running_after_s"]; ok {
		t.Error("a metric neither has is listed as not compared")
	}
	for _, m := range cc.Metrics {
		if m.Metric == "lag.slope_per_s" || strings.HasPrefix(m.Metric, "checkpoints.") {
			t.Errorf("%s compared although b lacks it", m.Metric)
		}
	}
	if _, ok := c.Config("b").Medians["checkpoints.duration_ms.p99"]; ok {
		t.Error("b has a checkpoint median although a repetition lacks checkpoints")
	}
	if _, ok := c.Config("a").Medians["checkpoints.duration_ms.p99"]; !ok {
		t.Error("a has no checkpoint median")
	}
}

// The gates hook: medians per configuration of compare metrics and of any
// result.json path.
func TestCompareMedianOf(t *testing.T) {
	configs := loadMatrix(t, filepath.Join("testdata", "compare", "sweep"))
	c := Compare(configs, 1, CompareOptions{})
	if c.Baseline != "interval-200ms" || !c.Configs[1].Baseline || c.Comparisons[0].Config != "interval-30s" {
		t.Fatalf("baseline index 1: baseline %q, comparing %q", c.Baseline, c.Comparisons[0].Config)
	}
	var p99s []float64
	for _, r := range configs[0].Results {
		p99s = append(p99s, r.Latency.E2E.P99)
	}
	got, err := c.MedianOf("interval-30s", "latency_ms.e2e.p99")
	if err != nil || got != Median(p99s) || got != c.Config("interval-30s").Medians["latency_ms.e2e.p99"] {
		t.Errorf("MedianOf e2e p99 = %v, %v; want %v", got, err, Median(p99s))
	}
	// Any result.json path, not only compare's metrics.
	if got, err := c.MedianOf("interval-30s", "checkpoints.completed"); err != nil || got != 2 {
		t.Errorf("MedianOf checkpoints.completed = %v, %v", got, err)
	}
	if got, err := c.MedianOf("interval-200ms", "resources.taskmanager_cpu_pct"); err != nil || got < 100 {
		t.Errorf("MedianOf TaskManager CPU = %v, %v", got, err)
	}
	if _, err := c.MedianOf("interval-30s", "recovery.running_after_s"); !errors.Is(err, ErrNoMetric) && !errors.Is(err, ErrNoData) {
		t.Errorf("MedianOf a metric no run has: %v, want ErrNoMetric or ErrNoData", err)
	}
	if _, err := c.MedianOf("interval-30s", "no.such.path"); !errors.Is(err, ErrNoMetric) {
		t.Errorf("MedianOf a missing path: %v, want ErrNoMetric", err)
	}
	if _, err := c.MedianOf("nope", "latency_ms.e2e.p99"); err == nil {
		t.Error("MedianOf an unknown configuration: no error")
	}
}

func TestCompareJSONSchemaStable(t *testing.T) {
	c := Compare(loadMatrix(t, filepath.Join("testdata", "compare", "sweep")), 0, CompareOptions{})
	if c.Alpha != DefaultAlpha || c.Coverage != 1-DefaultAlpha || c.Tolerance != DefaultTolerance {
		t.Errorf("defaults: alpha %v coverage %v tolerance %v", c.Alpha, c.Coverage, c.Tolerance)
	}
	var b bytes.Buffer
	if err := WriteCompareJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "alpha", "coverage", "method", "tolerance", "baseline", "configs", "comparisons", "warnings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in the JSON", k)
		}
	}
	if m["schema"] != "abload.compare/v2" {
		t.Errorf("schema %v", m["schema"])
	}
	// Empty lists are [], never null.
	if ws, ok := m["warnings"].([]any); !ok || len(ws) != 0 {
		t.Errorf("warnings = %#v, want []", m["warnings"])
	}
}

func TestCompareEdgeCases(t *testing.T) {
	if c := Compare(nil, 0, CompareOptions{}); len(c.Configs) != 0 || c.Warnings == nil {
		t.Errorf("no configs: %+v", c)
	}
	root := filepath.Join("testdata", "compare", "aa")
	a := loadRepDirs(t, "a", filepath.Join(root, "run-a"))
	empty := Config{Name: "empty", Results: []*Result{nil}}
	c := Compare([]Config{a, empty}, 7, CompareOptions{})
	all := strings.Join(c.Warnings, "\n")
	for _, w := range []string{"baseline index 7 is out of range", "empty: no result for empty repetition 1", "empty: insufficient: no valid result"} {
		if !strings.Contains(all, w) {
			t.Errorf("no warning %q in:\n%s", w, all)
		}
	}
	if len(c.Comparisons) != 1 || len(c.Comparisons[0].Metrics) != 0 {
		t.Errorf("comparison with an empty configuration: %+v", c.Comparisons)
	}
	var b bytes.Buffer
	if err := WriteCompareText(&b, c); err != nil || !strings.Contains(b.String(), "no metric to compare") {
		t.Errorf("text: %v\n%s", err, b.String())
	}
}

// Flink defaults that differ between two versions are listed, the keys
// either scenario set are not (they are the comparison), and keys that hold
// a value on one side only are counted; equal configurations warn of
// nothing; a side without a recorded configuration is said; a long list is
// cut and counted.
func TestCompareFlinkDefaultsDiffer(t *testing.T) {
	real, err := ReadResult(filepath.Join("testdata", "corpus", "aa", "run-01", ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	mk := func(name, version string, eff map[string]string, set ...string) Config {
		r := *real
		r.Environment.FlinkVersion = version
		r.FlinkConfig = &FlinkConfig{Effective: eff, Set: set}
		return Config{Name: name, Results: []*Result{&r}}
	}
	flinkWarnings := func(c *Comparison) []string {
		var got []string
		for _, w := range c.Warnings {
			if strings.Contains(w, "Flink") {
				got = append(got, w)
			}
		}
		return got
	}
	old := mk("flink_version-1.20", "1.20.0", map[string]string{
		"execution.buffer-timeout.interval": "100 ms",
		"state.backend.type":                "hashmap",
		"execution.checkpointing.interval":  "5000 ms",  // set on both, differently: the comparison itself
		"heartbeat.timeout":                 "10000 ms", // set on the baseline's side only
		"table.exec.mini-batch.enabled":     "false",
		"security.ssl.algorithms":           "A,B",
		"only.in.old":                       "1",
	}, "execution.checkpointing.interval", "heartbeat.timeout")
	newer := mk("flink_version-2.2", "2.2.1", map[string]string{
		"execution.buffer-timeout.interval": "100 ms",
		"state.backend.type":                "rocksdb",
		"execution.checkpointing.interval":  "10000 ms",
		"heartbeat.timeout":                 "50 s",
		"table.exec.mini-batch.enabled":     "true",
		"security.ssl.algorithms":           "C",
		"only.in.new.a":                     "x",
		"only.in.new.b":                     "",
	}, "execution.checkpointing.interval")
	want := []string{
		"flink_version-2.2: 3 Flink defaults differ from flink_version-1.20's (Flink 1.20.0 → 2.2.1), set by neither scenario; part of any difference may be theirs (set one in env.flink_config or job.flink_config on both sides to leave it out): security.ssl.algorithms A,B → C; state.backend.type hashmap → rocksdb; table.exec.mini-batch.enabled false → true",
		"flink_version-2.2: 1 Flink configuration keys hold a value only in flink_version-1.20's Flink 1.20.0, 2 only in flink_version-2.2's Flink 2.2.1 (an option one version alone has, or has without a default, or a renamed one; result.json flink_config)",
	}
	if got := flinkWarnings(Compare([]Config{old, newer}, 0, CompareOptions{})); !slices.Equal(got, want) {
		t.Errorf("warnings about Flink's configuration:\n got %q\nwant %q", got, want)
	}
	// The other way round (baseline 1): the same keys, from the other side.
	if got := flinkWarnings(Compare([]Config{old, newer}, 1, CompareOptions{})); len(got) != 2 ||
		!strings.HasPrefix(got[0], "flink_version-1.20: 3 Flink defaults differ from flink_version-2.2's (Flink 2.2.1 → 1.20.0)") ||
		!strings.Contains(got[0], "state.backend.type rocksdb → hashmap") || strings.Contains(got[0], "heartbeat") {
		t.Errorf("baseline 1: %q", got)
	}
	// A key one scenario set and the other left at a default that differs
	// is the comparison too (the set side's value is the setting).
	newer.Results[0].FlinkConfig.Set = append(newer.Results[0].FlinkConfig.Set, "state.backend.type")
	if w := strings.Join(flinkWarnings(Compare([]Config{old, newer}, 0, CompareOptions{})), "\n"); strings.Contains(w, "state.backend.type") || !strings.Contains(w, "2 Flink defaults differ") {
		t.Errorf("state.backend.type set on one side is listed as a default: %s", w)
	}
	// The same configuration on both sides: nothing to say.
	if got := flinkWarnings(Compare([]Config{old, mk("again", "1.20.0", old.Results[0].FlinkConfig.Effective, "execution.checkpointing.interval", "heartbeat.timeout")}, 0, CompareOptions{})); len(got) > 0 {
		t.Errorf("equal configurations: %q", got)
	}
	// A side that recorded none (an external cluster) is said, either way.
	bare := Config{Name: "external", Results: []*Result{real}}
	for _, cs := range [][]Config{{old, bare}, {bare, old}} {
		got := flinkWarnings(Compare(cs, 0, CompareOptions{}))
		if len(got) != 1 || !strings.HasPrefix(got[0], "external's results record no Flink configuration") {
			t.Errorf("%s vs %s: %q", cs[1].Name, cs[0].Name, got)
		}
	}
	// Neither side recorded one (results from before it was): nothing.
	if got := flinkWarnings(Compare([]Config{bare, {Name: "bare2", Results: []*Result{real}}}, 0, CompareOptions{})); len(got) > 0 {
		t.Errorf("no configuration on either side: %q", got)
	}
	// More than maxDefaultsListed differences: the first ones, and a count.
	a, b := map[string]string{}, map[string]string{}
	for i := 0; i < maxDefaultsListed+5; i++ {
		k := fmt.Sprintf("k.%03d", i)
		a[k], b[k] = "1", "2"
	}
	got := flinkWarnings(Compare([]Config{mk("a", "1.20.0", a), mk("b", "2.2.1", b)}, 0, CompareOptions{}))
	if len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("%d Flink defaults differ", maxDefaultsListed+5)) ||
		!strings.HasSuffix(got[0], fmt.Sprintf("k.%03d 1 → 2; and 5 more (each result's flink_config)", maxDefaultsListed-1)) {
		t.Errorf("a long list: %q", got)
	}
}
