package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/abload/abload/scenarios"
)

var update = flag.Bool("update", false, "rewrite golden files")

func record(t testing.TB, h *hdrhistogram.Histogram, us ...int64) {
	t.Helper()
	for _, v := range us {
		if err := h.RecordValue(v); err != nil {
			t.Fatalf("RecordValue(%d): %v", v, err)
		}
	}
}

func TestNewLatencyHistogram(t *testing.T) {
	h := NewLatencyHistogram()
	if h.LowestTrackableValue() != 1 || h.HighestTrackableValue() < int64(time.Hour/time.Microsecond) || h.SignificantFigures() != 3 {
		t.Errorf("geometry: lowest %d highest %d digits %d", h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures())
	}
	if err := h.RecordValue(int64(time.Hour / time.Microsecond)); err != nil {
		t.Errorf("cannot record 1 h: %v", err)
	}
}

func TestLatencyFromHistogram(t *testing.T) {
	seq := func(from, to int64) []int64 {
		var out []int64
		for v := from; v <= to; v++ {
			out = append(out, v)
		}
		return out
	}
	tests := []struct {
		name   string
		values []int64 // µs
		want   LatencyStats
		tol    float64 // relative
	}{
		{"empty", nil, LatencyStats{}, 0},
		{"one value", []int64{1500}, LatencyStats{Count: 1, P50: 1.5, P90: 1.5, P99: 1.5, P999: 1.5, Max: 1.5}, 0},
		{"1..1000 µs", seq(1, 1000), LatencyStats{Count: 1000, P50: 0.5, P90: 0.9, P99: 0.99, P999: 0.999, Max: 1}, 0},
		{"1..10000 µs", seq(1, 10000), LatencyStats{Count: 10000, P50: 5, P90: 9, P99: 9.9, P999: 9.99, Max: 10}, 0.001},
		{"seconds", []int64{1e6, 2e6, 3e6, 4e6}, LatencyStats{Count: 4, P50: 2000, P90: 4000, P99: 4000, P999: 4000, Max: 4000}, 0.001},
		{"outlier", append(seq(1, 999), 3_000_000), LatencyStats{Count: 1000, P50: 0.5, P90: 0.9, P99: 0.99, P999: 0.999, Max: 3000}, 0.001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewLatencyHistogram()
			record(t, h, tt.values...)
			got := LatencyFromHistogram(h)
			if got.Count != tt.want.Count {
				t.Errorf("Count = %d, want %d", got.Count, tt.want.Count)
			}
			g := []float64{got.P50, got.P90, got.P99, got.P999, got.Max}
			w := []float64{tt.want.P50, tt.want.P90, tt.want.P99, tt.want.P999, tt.want.Max}
			for i, name := range []string{"p50", "p90", "p99", "p999", "max"} {
				if math.Abs(g[i]-w[i]) > tt.tol*w[i] {
					t.Errorf("%s = %v ms, want %v ms (±%.1f%%)", name, g[i], w[i], tt.tol*100)
				}
			}
			d := DelayFromHistogram(h)
			if d != (DelayStats{P50: got.P50, P99: got.P99, Max: got.Max}) {
				t.Errorf("DelayFromHistogram = %+v, want the same p50/p99/max as %+v", d, got)
			}
		})
	}
	if got := LatencyFromHistogram(nil); got != (LatencyStats{}) {
		t.Errorf("LatencyFromHistogram(nil) = %+v", got)
	}
}

func sampleResult() *Result {
	start := time.Date(2025, 11, 26, 4, 40, 0, 0, time.UTC)
	return &Result{
		AbloadVersion: "v0.1.0-test",
		Status:        StatusOK,
		Valid:         true,
		RunID:         "20251126-044000-a1b2c3",
		StartedAt:     start.Format(time.RFC3339),
		FinishedAt:    start.Add(52500 * time.Millisecond).Format(time.RFC3339Nano),
		Phases: []Phase{
			{Name: "startup", StartS: 0, EndS: 12.5},
			{Name: "warmup", StartS: 12.5, EndS: 17.5},
			{Name: "measure", StartS: 17.5, EndS: 37.5},
			{Name: "drain", StartS: 37.5, EndS: 40.2},
			{Name: "teardown", StartS: 40.2, EndS: 52.5},
		},
		Scenario:    scenarioOf("quick", 2000, "20s"),
		Environment: Environment{Kind: "local", FlinkVersion: "2.2.0", KafkaVersion: "4.1.1", Host: "ci-runner-3"},
		Events: Events{
			Sent: 40000, SentTotal: 50000, TargetRate: 2000, AchievedRate: 1999.95,
			SendDelayMs: DelayStats{P50: 0.012, P99: 0.25, Max: 3.1},
		},
		ConsumerDelayMs: DelayStats{P50: 0.4, P99: 2.5, Max: 11},
		Latency: Latencies{
			E2E:    LatencyStats{Count: 40000, P50: 12.345, P90: 20.1, P99: 45.67, P999: 80.2, Max: 120.3},
			Window: LatencyStats{Count: 160, P50: 150.5, P90: 210, P99: 260.1, P999: 260.1, Max: 1260.1},
		},
		Throughput:     Throughput{InEPS: 1999.9, OutRPS: 2007.98},
		Reconciliation: &Reconciliation{Expected: 40000, Counted: 40000, Windows: &WindowReconciliation{Expected: 160, Received: 160}},
	}
}

func TestResultRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := sampleResult()
	r.Gates = []Gate{{Expr: "e2e.p99 < 250ms", Value: 45.67, Pass: true}}
	if err := WriteResult(dir, r); err != nil {
		t.Fatalf("WriteResult: %v", err)
	}
	if r.Schema != "" || r.InvalidReasons != nil {
		t.Errorf("WriteResult modified its argument: %+v", r)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, want := range []string{
		`"schema": "abload.result/v1"`,
		`"invalid_reasons": []`,
		`"started_at": "2025-11-26T04:40:00Z"`,
		`"finished_at": "2025-11-26T04:40:52.5Z"`,
		`"run_id": "20251126-044000-a1b2c3"`,
		`"windows": {`,
		`"latency_ms": {`,
		`"p999": 80.2`,
		`"consumer_delay_ms": {`,
		`"late_dropped": 0`,
		`"gates": [`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("result.json lacks %s:\n%s", want, text)
		}
	}
	for _, absent := range []string{`"checkpoints"`, `"skew"`, `"truth"`, `"recovery"`, `"resources"`, `"timeseries"`, `"error"`} {
		if strings.Contains(withoutScenario(t, []byte(text)), absent) {
			t.Errorf("result.json has %s, which this run did not measure", absent)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("run dir holds %d entries, want only result.json (temp file left behind?)", len(ents))
	}

	back, err := ReadResult(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatalf("ReadResult: %v", err)
	}
	want := *r
	want.Schema = Schema
	want.InvalidReasons = []string{}
	var compact bytes.Buffer
	if err := json.Compact(&compact, back.scenarioJSON); err != nil || compact.String() != string(mustMarshal(t, want.Scenario)) {
		t.Errorf("scenario as read: %s", back.scenarioJSON)
	}
	back.scenarioJSON = nil // kept as read, for comparing configurations
	if !reflect.DeepEqual(back, &want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, &want)
	}

	// Rewriting replaces the file.
	r.Status = StatusAborted
	if err := WriteResult(dir, r); err != nil {
		t.Fatal(err)
	}
	if back, err := ReadResult(filepath.Join(dir, ResultFile)); err != nil || back.Status != StatusAborted {
		t.Errorf("after rewrite: %v, %v", back, err)
	}
}

func TestResultOptionalSections(t *testing.T) {
	dir := t.TempDir()
	r := sampleResult()
	at := 3.5
	r.Checkpoints = &Checkpoints{Completed: 4, DurationMs: DelayStats{P50: 12}, StateSizeBytes: StateSize{Last: 1 << 20, Max: 2 << 20}}
	r.Skew = &Skew{MaxOverMean: 1.4, Vertices: []VertexSkew{{Name: "window", MaxOverMean: 1.4}}}
	r.Recovery = []Recovery{{Fault: "kill-taskmanager", AtS: 20, DetectedS: &at}}
	r.Resources = []Resource{{Component: "taskmanager-1", CPUPct: CPUStats{P50: 80, Max: 190}, RSSMb: RSSStats{Max: 1400}}}
	r.Timeseries = []TimePoint{{TS: 1, Phase: "measure", InEPS: 2000, E2EP99Ms: 30, Lag: 12}}
	r.Truth = &TruthSection{Rates: []VariantRates{{Variant: "A", OpenConfigured: 0.25}}, LateInjected: 3}
	r.MarkInvalid("generator fell behind by 2.1s (max_send_delay 1s)")
	if r.Valid {
		t.Fatalf("MarkInvalid left the result valid")
	}
	if err := WriteResult(dir, r); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResult(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	r.Schema = Schema
	back.scenarioJSON = nil
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, r)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, ResultFile))
	if !strings.Contains(string(raw), `"running_s": null`) {
		t.Errorf("a recovery step that never happened should be null:\n%s", raw)
	}
}

func TestResultUnmeasuredSectionsAbsent(t *testing.T) {
	dir := t.TempDir()
	r := renderCases()[2].r // failed during startup: nothing measured
	if err := WriteResult(dir, r); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{`"reconciliation"`, `"windows"`, `"run_id"`} {
		if strings.Contains(withoutScenario(t, raw), absent) {
			t.Errorf("result.json has %s:\n%s", absent, raw)
		}
	}
	if !strings.Contains(string(raw), `"error": "start environment`) {
		t.Errorf("result.json lacks the error:\n%s", raw)
	}
}

func TestReadResultErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name      string
		path      string
		wantIn    []string
		wantIs    error
		wantNotIs error
	}{
		{"missing file", filepath.Join(dir, "nope.json"), []string{"nope.json"}, fs.ErrNotExist, ErrSchema},
		{"not JSON", write("garbage.json", "latency p99 12ms\n"), []string{"garbage.json", "not JSON"}, nil, ErrSchema},
		{"no schema", write("noschema.json", `{"status":"ok"}`), []string{"noschema.json", `no "schema" field`, Schema}, ErrSchema, nil},
		{"wrong schema", write("v2.json", `{"schema":"abload.result/v2"}`), []string{"v2.json", `"abload.result/v2"`, Schema}, ErrSchema, nil},
		{"other tool", write("k6.json", `{"schema":""}`), []string{"k6.json"}, ErrSchema, nil},
		{"bad field type", write("badtype.json", `{"schema":"abload.result/v1","valid":"yes"}`), []string{"badtype.json"}, nil, ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadResult(tt.path)
			if err == nil {
				t.Fatalf("ReadResult = %+v, want an error", r)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if tt.wantNotIs != nil && errors.Is(err, tt.wantNotIs) {
				t.Errorf("error %v wraps %v", err, tt.wantNotIs)
			}
		})
	}
}

func TestWriteResultBadDir(t *testing.T) {
	err := WriteResult(filepath.Join(t.TempDir(), "missing", "dir"), sampleResult())
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteResult into a missing dir = %v, want fs.ErrNotExist", err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed (run with -update if deliberate):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func renderCases() []struct {
	name string
	r    *Result
} {
	invalid := sampleResult()
	invalid.MarkInvalid("generator fell behind its schedule by 2.1s (workload.max_send_delay is 1s)")
	invalid.MarkInvalid("harness consumer fell behind the outputs by 3s (workload.max_consumer_delay is 2s)")
	invalid.Reconciliation = &Reconciliation{Expected: 40000, Counted: 39990, Lost: 12, Duplicated: 2, LateDropped: 5,
		Windows: &WindowReconciliation{Expected: 160, Received: 159, Missing: 2, CountMismatch: 3, Unexpected: 1, Duplicated: 4, LateFirings: 6}}
	invalid.Reconciliation.Variants = []VariantReconciliation{{Variant: "A", Expected: 20000, Counted: 19994, Lost: 6, Duplicated: 1, LateDropped: 3, LateInjected: 3},
		{Variant: "B|x", Expected: 20000, Counted: 19996, Lost: 6, Duplicated: 1, LateDropped: 2, LateInjected: 2}}
	invalid.Checkpoints = &Checkpoints{Completed: 58, Failed: 1, DurationMs: DelayStats{P50: 40, P99: 120, Max: 130}, StateSizeBytes: StateSize{Last: 3 << 20, Max: 4 << 20},
		Overhead: &CheckpointOverhead{InFlightShare: 0.12, E2EInFlight: LatencyStats{Count: 10, P99: 80}, E2EBetween: LatencyStats{Count: 90, P99: 40}, P99Ratio: 2, OutRPSInFlight: 1900, OutRPSBetween: 2000},
		Control:  &ControlComparison{Dir: "control", Valid: true, E2EP50Ratio: 1.1, E2EP99Ratio: 1.8, OutRPSRatio: 1, TaskManagerCPURatio: 1.25}}
	invalid.Lag = &Lag{Max: 1500, Final: 20, SlopePerS: -0.5}
	resumed, running, detected := 41.5, 40.2, 31.0
	invalid.Recovery = []Recovery{{Fault: "kill_taskmanager (taskmanager-2)", AtS: 30, DetectedS: &detected, RunningS: &running, OutputResumedS: &resumed, Restarts: 1, MaxE2EMs: 11500}}
	invalid.Resources = []Resource{{Component: "taskmanager-1", CPUPct: CPUStats{P50: 55, Max: 98}, RSSMb: RSSStats{Max: 900}}}
	invalid.Skew = &Skew{MaxOverMean: 2.4, Vertices: []VertexSkew{{Name: "windows -> windows-sink", MaxOverMean: 2.4, RecordsIn: []int64{600, 200, 100, 100}}}}
	invalid.Savepoint = "file:/tmp/out/savepoint/savepoint-1a2b3c-0123456789ab"
	invalid.Gates = []Gate{{Expr: "e2e.p99 < 40ms", Value: 45.67, Pass: false}, {Expr: "window.p99 < 1s", Value: 260.1, Pass: true}}

	failed := &Result{
		Status:     StatusFailed,
		Error:      "start environment: kafka did not come up within 3m\n(see logs/kafka.log)",
		StartedAt:  "2025-11-26T04:40:00Z",
		FinishedAt: "2025-11-26T04:43:01Z",
		Phases:     []Phase{{Name: "startup", StartS: 0, EndS: 181}},
		Scenario:   scenarioOf("quick|pipes", 0, ""),
	}
	failed.MarkInvalid("the run did not reach its measurement phase")
	return []struct {
		name string
		r    *Result
	}{
		{"ok", sampleResult()},
		{"invalid", invalid},
		{"failed", failed},
	}
}

func TestWriteSummaryGolden(t *testing.T) {
	for _, tt := range renderCases() {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			WriteSummary(&b, tt.r)
			golden(t, "summary-"+tt.name+".golden", b.Bytes())
		})
	}
}

func TestWriteMarkdownGolden(t *testing.T) {
	for _, tt := range renderCases() {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			WriteMarkdown(&b, tt.r)
			golden(t, "report-"+tt.name+".md.golden", b.Bytes())
		})
	}
}

func TestScenarioName(t *testing.T) {
	for _, tt := range []struct {
		in   *scenarios.Scenario
		want string
	}{{nil, "(unnamed)"}, {scenarioOf("quick", 0, ""), "quick"}, {scenarioOf("", 0, ""), "(unnamed)"}} {
		if got := scenarioName(tt.in); got != tt.want {
			t.Errorf("scenarioName(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// scenarioOf is a scenario with a name, a rate (events/s) and a workload
// duration (a Go duration; "" for none), every other field zero.
func scenarioOf(name string, rate float64, duration string) *scenarios.Scenario {
	sc := &scenarios.Scenario{Name: name}
	sc.Workload.Rate = rate
	if duration != "" {
		d, err := time.ParseDuration(duration)
		if err != nil {
			panic(err)
		}
		sc.Workload.Duration.Duration = d
	}
	return sc
}

// withoutScenario is a result.json's text without its scenario (whose
// fields share names with the result's sections).
func withoutScenario(t *testing.T, raw []byte) string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "scenario")
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A result whose scenario holds a knob of an older shape (job.window was a
// duration string before it became an object) still reads: the scenario
// keeps every field that reads, the rest of the result is whole, and a
// configuration comparison sees the scenario as written.
func TestResultWithAnOlderScenarioShapeReads(t *testing.T) {
	r := sampleResult()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["schema"] = Schema
	sc := m["scenario"].(map[string]any)
	sc["job"].(map[string]any)["window"] = "10s"
	old, _ := json.Marshal(m)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ResultFile), old, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResult(filepath.Join(dir, ResultFile))
	if err != nil {
		t.Fatalf("an older scenario shape: %v", err)
	}
	if back.Scenario == nil || back.Scenario.Name != "quick" || back.Scenario.Job.Parallelism != r.Scenario.Job.Parallelism || back.Latency.E2E.P99 != r.Latency.E2E.P99 {
		t.Errorf("read back: scenario %+v, e2e %+v", back.Scenario, back.Latency.E2E)
	}
	if d := configDiff(back, r); !strings.Contains(d, `"10s"`) {
		t.Errorf("configDiff with the older shape = %q, want it to name the window as written", d)
	}
	// A knob whose own decoder fails (a duration of another shape) costs
	// that knob only: the rest of its section and of the scenario read.
	for _, bad := range []any{30, "30 seconds"} {
		var m2 map[string]any
		_ = json.Unmarshal(b, &m2)
		wl := m2["scenario"].(map[string]any)["workload"].(map[string]any)
		wl["duration"], wl["warmup"] = bad, "7s"
		b2, _ := json.Marshal(m2)
		var res Result
		if err := json.Unmarshal(b2, &res); err != nil || res.Scenario == nil {
			t.Fatalf("duration %v: %v, scenario %v", bad, err, res.Scenario)
		}
		if sc := res.Scenario; sc.Name != "quick" || sc.Workload.Duration.Duration != 0 || sc.Workload.Warmup.Duration != 7*time.Second || sc.Workload.Rate != r.Scenario.Workload.Rate {
			t.Errorf("duration %v: name %q, duration %s, warmup %s, rate %v; want the rest read", bad, sc.Name, sc.Workload.Duration, sc.Workload.Warmup, sc.Workload.Rate)
		}
	}
	// A scenario that is not an object at all: the result still reads.
	m["scenario"] = "not a scenario"
	bad, _ := json.Marshal(m)
	var res Result
	if err := json.Unmarshal(bad, &res); err != nil || res.Scenario != nil || res.Events.Sent != r.Events.Sent {
		t.Errorf("a scenario that is a string: %v, scenario %+v", err, res.Scenario)
	}
}
