package reports

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCapacity(t *testing.T) {
	c := &Capacity{Schema: CapacitySchema, Name: "quick", SustainableEPS: 2000, FirstFailingEPS: 2200,
		FailReason: "e2e p99 4100.0 ms > 1000 ms", Confidence: 0.1, StoppedBy: StoppedByPrecision,
		SLO: CapacitySLO{E2EP99Ms: 1000, LagSlopeRatio: 0.05, MaxSendDelay: 1000},
		Steps: []CapacityStep{
			{N: 1, RateEPS: 1000, Verdict: VerdictPass},
			{N: 2, RateEPS: 2200, Verdict: VerdictFail, Reason: "e2e p99 4100.0 ms > 1000 ms | x"},
		}}
	dir := t.TempDir()
	if err := WriteCapacity(dir, c); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "capacity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Capacity
	if err := json.Unmarshal(b, &back); err != nil || back.SustainableEPS != 2000 || len(back.Steps) != 2 {
		t.Fatalf("capacity.json round trip: %v %+v", err, back)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "capacity.md"))
	for _, want := range []string{"| sustainable | **2000 events/s** |", "| first failing | 2200 events/s |", "10.0%", `4100.0 ms > 1000 ms \| x`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("capacity.md lacks %q:\n%s", want, md)
		}
	}
	if a := CapacityAnswer(c); !strings.Contains(a, "sustainable: 2000 events/s; first failing: 2200 events/s") {
		t.Errorf("answer %q", a)
	}
}

// capacityFixture is a search as `abload capacity` writes it: the rate
// doubles from 500 events/s, fails at 1000 (the job saturates at 880
// events/s: e2e p99 3.4 s, the lag grows by 120/s), then bisects: 750 and
// 875 pass, 937 fails on its latency alone (its lag grows by 27/s, within
// the 5% SLO) and the search stops within 7.1%.
func capacityFixture() *Capacity {
	c := &Capacity{Schema: CapacitySchema, Name: "quick", AbloadVersion: "v0-test", RunID: "20260301-120000-ab12",
		StartedAt: "2026-03-01T12:00:00Z", FinishedAt: "2026-03-01T12:09:40Z",
		Scenario:       scenarioOf("quick", 0, ""),
		Environment:    Environment{Kind: "local", FlinkVersion: "1.20.1", KafkaVersion: "3.9.0", CPUs: 2, CPUModel: "AMD EPYC 7B13"},
		SLO:            CapacitySLO{E2EP99Ms: 1000, LagSlopeRatio: 0.05, MaxSendDelay: 1000},
		SustainableEPS: 875, FirstFailingEPS: 937, FailReason: "e2e p99 1450.0 ms > 1000 ms",
		Confidence: 937.0/875 - 1, StoppedBy: StoppedByPrecision,
		Note:     "the last pass (875/s) and the first failure (937/s) are within capacity.precision (10%)",
		ElapsedS: 560,
		Steps: []CapacityStep{
			{N: 1, RateEPS: 500, StartS: 30, JudgeS: 60, EndS: 120, DrainedS: 121, Events: 30000, E2EP50Ms: 38, E2EP99Ms: 95, E2EMaxMs: 180,
				LagSlope: 0.4, LagEnd: 12, LagSamples: 60, ProcessedEPS: 499.6, SendDelayP99Ms: 0.8, Verdict: VerdictPass},
			{N: 2, RateEPS: 1000, StartS: 122, JudgeS: 152, EndS: 212, DrainedS: 251, Events: 58400, E2EP50Ms: 1620, E2EP99Ms: 3400, E2EMaxMs: 3720,
				LagSlope: 120, LagEnd: 10830, LagSamples: 60, ProcessedEPS: 880, SendDelayP99Ms: 1.1, Verdict: VerdictFail,
				Reason: "e2e p99 3400.0 ms > 1000 ms; lag slope 120.0/s > 50.0/s"},
			{N: 3, RateEPS: 750, StartS: 252, JudgeS: 282, EndS: 342, DrainedS: 343, Events: 45000, E2EP50Ms: 44, E2EP99Ms: 160, E2EMaxMs: 310,
				LagSlope: -1.2, LagEnd: 30, LagSamples: 60, ProcessedEPS: 750.3, SendDelayP99Ms: 0.9, Verdict: VerdictPass},
			{N: 4, RateEPS: 875, StartS: 344, JudgeS: 374, EndS: 434, DrainedS: 436, Events: 52500, E2EP50Ms: 61, E2EP99Ms: 420, E2EMaxMs: 690,
				LagSlope: 3.5, LagEnd: 240, LagSamples: 60, ProcessedEPS: 871.9, SendDelayP99Ms: 1, Verdict: VerdictPass},
			{N: 5, RateEPS: 937, StartS: 437, JudgeS: 467, EndS: 527, DrainedS: 541, Events: 55900, E2EP50Ms: 700, E2EP99Ms: 1450, E2EMaxMs: 1610,
				LagSlope: 27, LagEnd: 1650, LagSamples: 60, ProcessedEPS: 910, SendDelayP99Ms: 1.2, Verdict: VerdictFail,
				Reason: "e2e p99 1450.0 ms > 1000 ms"},
		},
	}
	c.SaturationEPS = SaturationEPS(c.Steps)
	return c
}

// curveFixture is a curve over parallelism 1, 2 and 4 with the demand
// 1200 events/s + 20% headroom, which parallelism 2 holds.
func curveFixture() *CapacityCurve {
	pts := []CurvePoint{
		{Name: "p1", Settings: []string{"job.parallelism=1"}, Dir: "p1", Parallelism: 1, TaskManagers: 1, SustainableEPS: 875, FirstFailingEPS: 937,
			Confidence: 0.071, StoppedBy: StoppedByPrecision, FailReason: "e2e p99 1450.0 ms > 1000 ms"},
		{Name: "p2", Settings: []string{"job.parallelism=2"}, Dir: "p2", Parallelism: 2, TaskManagers: 1, SustainableEPS: 1650, FirstFailingEPS: 1780,
			Confidence: 0.079, StoppedBy: StoppedByPrecision, FailReason: "lag slope 140.0/s > 89.0/s"},
		{Name: "p4", Settings: []string{"job.parallelism=4"}, Dir: "p4", Parallelism: 4, TaskManagers: 2, SustainableEPS: 2900, FirstFailingEPS: 3100,
			Confidence: 0.069, StoppedBy: StoppedByPrecision, FailReason: "e2e p99 2210.0 ms > 1000 ms"},
	}
	ScalingEfficiencies(pts)
	return &CapacityCurve{Schema: CapacityCurveSchema, Name: "parallelism-sweep", Points: pts, TargetEPS: 1200, Headroom: 0.2,
		Demand: AnswerDemand(pts, 1200, 0.2)}
}

func TestCapacityMarkdown(t *testing.T) {
	var b strings.Builder
	c := capacityFixture()
	c.Clock = &ClockCheck{OffsetMs: -0.2, UncertaintyMs: 0.6, BoundMs: 100, Within: true, Probes: 20}
	if err := WriteCapacityMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| broker clock | -0.2 ms ± 0.6 ms off this host's clock (within the 100 ms bound; 20 probes) |\n",
		"| sustainable | **875 events/s** |\n| first failing | 937 events/s |\n| why it failed | e2e p99 1450.0 ms > 1000 ms |\n| saturation | 880 events/s |\n| confidence | 7.1% ",
		"| search time | 560 s, 5 step(s) |\n",
		"| # | rate (ev/s) | processed (ev/s) | start (s) | judged (s) | events | e2e p50 (ms) | e2e p99 (ms) | e2e max (ms) | lag slope (ev/s) | lag end | send delay p99 (ms) | failed ckpts | verdict | reason |\n" +
			"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" +
			"| 1 | 500 | 500 | 30.0 | 60.0–120.0 | 30000 | 38.0 | 95.0 | 180.0 | 0.4 | 12 | 0.8 | 0 | pass |  |\n" +
			"| 2 | 1000 | 880 | 122.0 | 152.0–212.0 | 58400 | 1620.0 | 3400.0 | 3720.0 | 120.0 | 10830 | 1.1 | 0 | fail | e2e p99 3400.0 ms > 1000 ms; lag slope 120.0/s > 50.0/s |\n",
		"| 5 | 937 | 910 | 437.0 |",
		// Sorted by rate: 500, 750, 875 pass; 937, 1000 fail.
		"```mermaid\n%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#2ca02c, #d62728, #555555\"}}}}%%\nxychart-beta\n" +
			"    title \"e2e p99 by offered rate\"\n" +
			"    x-axis \"offered rate (events/s)\" [\"500\", \"750\", \"875\", \"937\", \"1000\"]\n" +
			"    y-axis \"e2e p99 (ms)\" 0 --> 4000\n" +
			"    bar [95, 160, 420, 0, 0]\n" +
			"    bar [0, 0, 0, 1450, 3400]\n" +
			"    line [1000, 1000, 1000, 1000, 1000]\n" +
			"```\n\nBars: each step's e2e p99 (green: passed, red: failed), the steps sorted by offered rate; line: the SLO, 1000 ms. ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("capacity.md lacks\n%s\nin:\n%s", want, md)
		}
	}
	checkMarkdownTables(t, md)
	if i, j := strings.Index(md, "## Answer"), strings.Index(md, "```mermaid"); i > j || j > strings.Index(md, "## Steps") {
		t.Error("want the answer, then the chart, then the steps")
	}
}

func TestCapacityMarkdownWithoutSteps(t *testing.T) {
	c := &Capacity{Schema: CapacitySchema, Name: "aborted", StoppedBy: StoppedByAborted, Note: "interrupted before the first step",
		SLO: CapacitySLO{E2EP99Ms: 1000, LagSlopeRatio: 0.05, MaxSendDelay: 1000}}
	var b strings.Builder
	if err := WriteCapacityMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if strings.Contains(md, "```") || strings.Contains(md, "xychart") {
		t.Errorf("a chart without steps:\n%s", md)
	}
	for _, want := range []string{"| sustainable | **none** |", "| first failing | none |", "| saturation | none |",
		"| confidence | unknown |", "| search time | 0 s, 0 step(s) |", "## Steps\n\nNo step was judged.\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("capacity.md lacks %q:\n%s", want, md)
		}
	}
	checkMarkdownTables(t, md)
}

func TestCapacityCurveMarkdown(t *testing.T) {
	c := curveFixture()
	var b strings.Builder
	if err := WriteCapacityCurveMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| [p2](p2/capacity.md) | 2 | 1 | 1650 | 1780 | ±8% | 0.94 | precision | lag slope 140.0/s > 89.0/s |\n",
		"```mermaid\n%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#1f77b4, #7f7f7f, #d62728\"}}}}%%\nxychart-beta\n" +
			"    title \"Sustainable rate by parallelism\"\n" +
			"    x-axis \"parallelism\" [\"1\", \"2\", \"4\"]\n" +
			"    y-axis \"sustainable (events/s)\" 0 --> 4000\n" +
			"    bar [875, 1650, 2900]\n" +
			"    line [875, 1750, 3500]\n" +
			"    line [1440, 1440, 1440]\n" +
			"```\n",
		"red line: the demand, 1440 events/s",
		"**Demand** (1200 events/s + 20% headroom = 1440 events/s): **p2**.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("capacity.md lacks\n%s\nin:\n%s", want, md)
		}
	}
	checkMarkdownTables(t, md)

	// Points out of order, one of them without a rate, no demand asked: by
	// parallelism, linear scaling from the first point in matrix order (as
	// the scaling efficiency), no demand line.
	c.Points = []CurvePoint{c.Points[2], {Name: "p3", Dir: "p3", Parallelism: 3, Error: "flink did not start"}, c.Points[0]}
	c.Demand = nil
	b.Reset()
	if err := WriteCapacityCurveMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[\"1\", \"3\", \"4\"]", "    bar [875, 0, 2900]\n    line [725, 2175, 2900]\n```", "\"#1f77b4, #7f7f7f\""} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("capacity.md lacks %q:\n%s", want, b.String())
		}
	}

	// Two points of one parallelism: by name, in matrix order.
	c.Points = []CurvePoint{{Name: "tm1", Parallelism: 2, TaskManagers: 1, SustainableEPS: 1650}, {Name: "tm2", Parallelism: 2, TaskManagers: 2, SustainableEPS: 1700}}
	b.Reset()
	if err := WriteCapacityCurveMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	if want := "x-axis \"configuration\" [\"tm1 (p2)\", \"tm2 (p2)\"]"; !strings.Contains(b.String(), want) {
		t.Errorf("capacity.md lacks %q:\n%s", want, b.String())
	}

	// No point: no chart.
	b.Reset()
	if err := WriteCapacityCurveMarkdown(&b, &CapacityCurve{Name: "empty"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "```") {
		t.Errorf("a chart without points:\n%s", b.String())
	}
}

// checkMarkdownTables checks that every table row has as many cells as its
// header and that code fences are closed.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	if n := strings.Count(md, "```"); n%2 != 0 {
		t.Errorf("%d code fences: one is not closed", n)
	}
	cols := 0
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cols = 0
			continue
		}
		n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1
		if cols == 0 {
			cols = n
		} else if n != cols {
			t.Errorf("line %d: %d cells, the table has %d: %s", i+1, n, cols, line)
		}
	}
}

func TestCapacityNiceCeil(t *testing.T) {
	for v, want := range map[float64]float64{3400: 4000, 3500: 4000, 1000: 1000, 1001: 1200, 95: 100, 0.3: 0.3, 7: 8, 0: 1, -5: 1} {
		if got := niceCeil(v); math.Abs(got-want) > 1e-9 {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
}
