package reports

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/abload/abload/scenarios"
)

// hlogInterval is one interval of a test log: [start, end) seconds from the
// log's origin, values in µs.
type hlogInterval struct {
	tag        string
	start, end float64
	us         []int64
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// writeTestHlog writes intervals to dir/latency.hlog with CreateHlog, as the
// harness does: intervals of about a second, the first one short.
func writeTestHlog(t testing.TB, dir string, ivs []hlogInterval) string {
	t.Helper()
	path := filepath.Join(dir, HlogFile)
	w, err := CreateHlog(path, time.Date(2025, 3, 1, 12, 0, 0, 250e6, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range ivs {
		h := NewLatencyHistogram()
		record(t, h, iv.us...)
		if err := w.Write(iv.tag, secs(iv.start), secs(iv.end), h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func spread(from, to, step int64) []int64 {
	var out []int64
	for v := from; v <= to; v += step {
		out = append(out, v)
	}
	return out
}

// testHlogIntervals: e2e in every interval (a spike in the third), window
// in two, send delay in the first three. Interval midpoints: 0.375, 1.25,
// 2.25, 3.25.
var testHlogIntervals = []hlogInterval{
	{"", 0, 0.75, spread(1000, 2000, 10)},
	{"send_delay", 0, 0.75, spread(10, 100, 1)},
	{"", 0.75, 1.75, spread(1500, 3000, 10)},
	{"window", 0.75, 1.75, spread(200_000, 300_000, 1000)},
	{"send_delay", 0.75, 1.75, spread(20, 200, 1)},
	{"", 1.75, 2.75, append(spread(2000, 4000, 20), 2_500_000)},
	{"send_delay", 1.75, 2.75, spread(5, 50, 1)},
	{"", 2.75, 3.75, spread(1000, 1500, 5)},
	{"window", 2.75, 3.75, spread(250_000, 260_000, 1000)},
}

func TestSpectraFromHlog(t *testing.T) {
	path := writeTestHlog(t, t.TempDir(), testHlogIntervals)
	merged := func(tag string, from, to float64) *hdrhistogram.Histogram {
		h := NewLatencyHistogram()
		for _, iv := range testHlogIntervals {
			if mid := (iv.start + iv.end) / 2; iv.tag == tag && mid >= from && mid < to {
				record(t, h, iv.us...)
			}
		}
		return h
	}
	tests := []struct {
		name      string
		from, to  float64
		wantNames []string
		tags      []string
	}{
		{"whole log", 0, math.Inf(1), []string{"e2e", "window", "send delay"}, []string{"", "window", "send_delay"}},
		{"measurement [1, 3)", 1, 3, []string{"e2e", "window", "send delay"}, []string{"", "window", "send_delay"}},
		{"only the last interval", 3, 4, []string{"e2e", "window"}, []string{"", "window"}},
		{"nothing in range", 10, 20, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SpectraFromHlog(path, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name)
			}
			if !slices.Equal(names, tt.wantNames) {
				t.Fatalf("names = %q, want %q", names, tt.wantNames)
			}
			for i, s := range got {
				want := merged(tt.tags[i], tt.from, tt.to)
				checkSpectrum(t, s, want)
			}
		})
	}

	t.Run("whole log matches ReadHlog", func(t *testing.T) {
		all, err := ReadHlog(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SpectraFromHlog(path, 0, math.Inf(1))
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Count != all[""].TotalCount() {
			t.Errorf("e2e count %d, ReadHlog's %d", got[0].Count, all[""].TotalCount())
		}
		if last := got[0].Points[len(got[0].Points)-1]; last.ValueMs != LatencyFromHistogram(all[""]).Max {
			t.Errorf("e2e spectrum ends at %v ms, want the max %v ms", last.ValueMs, LatencyFromHistogram(all[""]).Max)
		}
	})
}

// checkSpectrum compares s with the spectrum of want, checking the shape
// every spectrum must have.
func checkSpectrum(t *testing.T, s Spectrum, want *hdrhistogram.Histogram) {
	t.Helper()
	if s.Count != want.TotalCount() {
		t.Errorf("%s: count %d, want %d", s.Name, s.Count, want.TotalCount())
	}
	if len(s.Points) == 0 || s.Points[0].Percentile != 0 {
		t.Fatalf("%s: want a first point at percentile 0, got %v", s.Name, s.Points)
	}
	last := s.Points[len(s.Points)-1]
	if wantLast := 100 * (1 - 1/float64(want.TotalCount()+1)); math.Abs(last.Percentile-wantLast) > 1e-9 {
		t.Errorf("%s: last percentile %v, want %v (the max at n+1)", s.Name, last.Percentile, wantLast)
	}
	if last.ValueMs != usToMs(want.Max()) {
		t.Errorf("%s: last value %v ms, want the max %v ms", s.Name, last.ValueMs, usToMs(want.Max()))
	}
	if s.Points[0].ValueMs != usToMs(want.ValueAtPercentile(0)) {
		t.Errorf("%s: first value %v ms, want %v ms", s.Name, s.Points[0].ValueMs, usToMs(want.ValueAtPercentile(0)))
	}
	for i, p := range s.Points[:len(s.Points)-1] {
		if w := usToMs(want.ValueAtPercentile(p.Percentile)); p.ValueMs != w {
			t.Errorf("%s: point %d (p%v) = %v ms, want %v ms", s.Name, i, p.Percentile, p.ValueMs, w)
		}
		next := s.Points[i+1]
		if next.Percentile <= p.Percentile || next.ValueMs < p.ValueMs {
			t.Errorf("%s: points %d..%d not increasing: %+v, %+v", s.Name, i, i+1, p, next)
		}
	}
}

func TestSpectrumFromHistogram(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		if s := SpectrumFromHistogram("e2e", NewLatencyHistogram()); s.Count != 0 || len(s.Points) != 0 {
			t.Errorf("got %+v, want no points", s)
		}
		if s := SpectrumFromHistogram("e2e", nil); s.Name != "e2e" || len(s.Points) != 0 {
			t.Errorf("nil histogram: got %+v", s)
		}
	})
	t.Run("one value", func(t *testing.T) {
		h := NewLatencyHistogram()
		record(t, h, 1500)
		s := SpectrumFromHistogram("e2e", h)
		// 1/(1-p) runs 1 .. 2 (n+1): 0%, then the grid up to 2, then 50%.
		if s.Points[0] != (PercentilePoint{0, 1.5}) || s.Points[len(s.Points)-1] != (PercentilePoint{50, 1.5}) {
			t.Errorf("points %+v", s.Points)
		}
	})
	t.Run("ten million values stop at 99.9999%", func(t *testing.T) {
		h := NewLatencyHistogram()
		if err := h.RecordValues(1000, 9_999_000); err != nil {
			t.Fatal(err)
		}
		if err := h.RecordValues(900_000, 1000); err != nil {
			t.Fatal(err)
		}
		s := SpectrumFromHistogram("e2e", h)
		if n := len(s.Points); n != 6*spectrumPerDecade+1 {
			t.Errorf("%d points, want %d", n, 6*spectrumPerDecade+1)
		}
		last := s.Points[len(s.Points)-1]
		if math.Abs(last.Percentile-99.9999) > 1e-9 || math.Abs(last.ValueMs-900) > 1 {
			t.Errorf("last point %+v, want p99.9999 at about 900 ms", last)
		}
		for _, p := range s.Points {
			if p.Percentile < 99.99 && p.ValueMs > 1.001 {
				t.Errorf("p%v = %v ms, want 1 ms below p99.99", p.Percentile, p.ValueMs)
			}
		}
	})
}

func TestSpectraFromHlogJavaLog(t *testing.T) {
	// Written by Java HdrHistogram: every interval twice, once tagged A.
	got, err := SpectraFromHlog(filepath.Join("testdata", "java-tagged.hlog"), 0, math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "e2e" || got[1].Name != "A" || got[0].Count != got[1].Count || got[0].Count == 0 {
		t.Fatalf("got %d spectra %+v", len(got), got)
	}
}

func TestSpectraFromHlogErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := SpectraFromHlog(filepath.Join(dir, "missing.hlog"), 0, math.Inf(1)); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(dir, "bad.hlog")
	if err := os.WriteFile(bad, []byte("#[StartTime: 1.000 (seconds since epoch)]\n0.000,1.000,0.001,HISTFAAAAnotbase64!!\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SpectraFromHlog(bad, 0, math.Inf(1)); err == nil {
		t.Error("malformed interval: no error")
	}
	empty := writeTestHlog(t, t.TempDir(), nil)
	if got, err := SpectraFromHlog(empty, 0, math.Inf(1)); err != nil || len(got) != 0 {
		t.Errorf("empty log: %v, %v; want no spectra", got, err)
	}
}

func TestHlogMeasureWindow(t *testing.T) {
	withWarmup := func(sc *scenarios.Scenario, w time.Duration) *scenarios.Scenario {
		sc.Workload.Warmup.Duration = w
		return sc
	}
	phases := []Phase{{"startup", 0, 20}, {"warmup", 20.1, 30.35}, {"measure", 30.35, 90.35}, {"drain", 90.35, 95}}
	tests := []struct {
		name     string
		r        Result
		from, to float64
		ok       bool
	}{
		{"scenario", Result{Scenario: withWarmup(scenarioOf("s", 0, "1m"), 10*time.Second), Phases: phases}, 10, 70, true},
		{"scenario without phases", Result{Scenario: scenarioOf("s", 0, "1m30s")}, 0, 90, true},
		{"no warmup", Result{Scenario: scenarioOf("s", 0, "5s")}, 0, 5, true},
		{"phases", Result{Phases: phases}, 10.25, 70.25, true},
		{"phases without warmup", Result{Phases: []Phase{{"startup", 0, 20}, {"measure", 20, 50}}}, 0, 30, true},
		{"measure still open", Result{Phases: []Phase{{"warmup", 5, 10}, {"measure", 10, 0}}}, 5, math.Inf(1), true},
		{"no measurement", Result{Phases: []Phase{{"startup", 0, 20}}}, 0, 0, false},
		{"no duration falls back to phases", Result{Scenario: scenarioOf("s", 0, ""), Phases: phases}, 10.25, 70.25, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, ok := HlogMeasureWindow(&tt.r)
			if ok != tt.ok || math.Abs(from-tt.from) > 1e-9 || (math.Abs(to-tt.to) > 1e-9 && !(math.IsInf(to, 1) && math.IsInf(tt.to, 1))) {
				t.Errorf("got [%v, %v) %v, want [%v, %v) %v", from, to, ok, tt.from, tt.to, tt.ok)
			}
		})
	}
}
