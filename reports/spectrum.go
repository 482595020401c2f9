package reports

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/abload/abload/scenarios"
)

// PercentilePoint is one point of a percentile spectrum: the value at or
// below which Percentile percent of the recorded values lie.
type PercentilePoint struct {
	Percentile float64 `json:"percentile"` // 0 .. 100
	ValueMs    float64 `json:"value_ms"`
}

// Spectrum is a latency (or delay) distribution as HdrHistogram plots it:
// value against percentile on a 1/(1-p) scale, so that the tail gets as much
// room as the body. Points are in increasing percentile order.
type Spectrum struct {
	Name   string            `json:"name"`
	Count  int64             `json:"count"` // values the spectrum was computed from
	Points []PercentilePoint `json:"points"`
}

// Spectrum resolution: the points lie on a geometric grid of 1/(1-p), 20 per
// decade, from p = 0 up to 99.9999% (1/(1-p) = 10^6).
const (
	spectrumPerDecade = 20
	spectrumMaxX      = 1e6
)

// spectrumNames maps latency.hlog tags to display names, in display order.
var spectrumNames = []struct{ tag, name string }{
	{"", "e2e"},
	{"window", "window"},
	{"send_delay", "send delay"},
}

// SpectraFromHlog reads a latency.hlog and returns a percentile spectrum
// per tag: "e2e" (untagged), "window" and "send delay", in that order,
// followed by any other tag (named by its tag). A tag with no values in the
// range is left out, so a log with none gives an empty slice.
//
// Only the intervals whose midpoint lies in [fromS, toS) are merged, in
// seconds from the log's StartTime (the schedule origin: the start of
// warmup, see HlogMeasureWindow). Pass 0 and math.Inf(1) for the whole log.
// The harness records in the log only the values of events intended in the
// measurement phase, filed under the interval in which they were read, so
// the whole log is the measurement phase: it matches latency_ms, whereas
// cutting it at the phase's end leaves out the slowest events, read after it.
func SpectraFromHlog(path string, fromS, toS float64) ([]Spectrum, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read hlog: %w", err)
	}
	hs, err := mergeHlogRange(b, fromS, toS)
	if err != nil {
		return nil, fmt.Errorf("read hlog %s: %w", path, err)
	}
	var out []Spectrum
	known := map[string]bool{}
	for _, n := range spectrumNames {
		known[n.tag] = true
		if h := hs[n.tag]; h != nil && h.TotalCount() > 0 {
			out = append(out, SpectrumFromHistogram(n.name, h))
		}
	}
	var other []string
	for tag, h := range hs {
		if !known[tag] && h.TotalCount() > 0 {
			other = append(other, tag)
		}
	}
	slices.Sort(other)
	for _, tag := range other {
		out = append(out, SpectrumFromHistogram(tag, hs[tag]))
	}
	return out, nil
}

var reHlogStart = regexp.MustCompile(`^#\[(StartTime|BaseTime): ([0-9.]+)`)

// mergeHlogRange merges, per tag, the intervals of an interval log whose
// midpoint lies in [fromS, toS) seconds from the log's StartTime.
func mergeHlogRange(b []byte, fromS, toS float64) (hs map[string]*hdrhistogram.Histogram, err error) {
	// The log reader and decoder are third-party code fed outside input; a
	// panic in them is a malformed file, not a crash.
	defer func() {
		if p := recover(); p != nil {
			hs, err = nil, fmt.Errorf("malformed interval log: %v", p)
		}
	}()
	// The reader keeps the log's StartTime to itself (and its range filter
	// misuses it), so the header is read here: StartTime, else BaseTime,
	// else the first interval's start, as the reference reader does.
	originMs, haveOrigin := int64(0), false
	for _, kind := range []string{"StartTime", "BaseTime"} {
		for line := range bytes.Lines(b) {
			if len(line) == 0 || line[0] != '#' {
				continue
			}
			if m := reHlogStart.FindSubmatch(line); m != nil && string(m[1]) == kind {
				secs, err := strconv.ParseFloat(string(m[2]), 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", kind, err)
				}
				originMs, haveOrigin = int64(math.Round(secs*1000)), true
				break
			}
		}
		if haveOrigin {
			break
		}
	}

	hs = map[string]*hdrhistogram.Histogram{}
	lr := hdrhistogram.NewHistogramLogReader(bytes.NewReader(b))
	for n := 1; ; n++ {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			if err == io.EOF {
				return hs, nil
			}
			return nil, fmt.Errorf("interval %d: %w", n, err)
		}
		if h == nil {
			return hs, nil
		}
		if !haveOrigin {
			originMs, haveOrigin = h.StartTimeMs(), true
		}
		mid := float64(h.StartTimeMs()+h.EndTimeMs())/2000 - float64(originMs)/1000
		if mid < fromS || mid >= toS {
			continue
		}
		tag := h.Tag()
		m, ok := hs[tag]
		if !ok {
			hs[tag] = h
			continue
		}
		if dropped := m.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("interval %d (tag %q): %d values outside the range of earlier intervals", n, tag, dropped)
		}
	}
}

// SpectrumFromHistogram computes the percentile spectrum of a histogram
// recorded in microseconds. The points lie on a geometric grid of 1/(1-p),
// 20 per decade, up to the last percentile the count can resolve: with n
// values the largest is plotted at 1/(1-p) = n+1 (its Weibull plotting
// position), so the maximum is always on the curve; beyond a million values
// the spectrum stops at 99.9999%. An empty histogram gives no points.
func SpectrumFromHistogram(name string, h *hdrhistogram.Histogram) Spectrum {
	s := Spectrum{Name: name}
	if h == nil || h.TotalCount() == 0 {
		return s
	}
	s.Count = h.TotalCount()
	end := math.Min(float64(s.Count)+1, spectrumMaxX)
	for k := 0; ; k++ {
		x := math.Pow(10, float64(k)/spectrumPerDecade)
		if x >= end*(1-1e-9) {
			break
		}
		p := 100 * (1 - 1/x)
		s.Points = append(s.Points, PercentilePoint{Percentile: p, ValueMs: usToMs(h.ValueAtPercentile(p))})
	}
	last := PercentilePoint{Percentile: 100 * (1 - 1/end)}
	if float64(s.Count)+1 <= spectrumMaxX {
		last.ValueMs = usToMs(h.Max())
	} else {
		last.ValueMs = usToMs(h.ValueAtPercentile(last.Percentile))
	}
	s.Points = append(s.Points, last)
	return s
}

// HlogMeasureWindow gives the measurement phase of r in seconds from the
// latency.hlog's StartTime (the schedule origin), for SpectraFromHlog. The
// phases in result.json count from the run's start, which lies before
// startup: the log's origin is the start of warmup. It takes the warmup the
// run recorded (an auto warmup's length is decided while it runs), else the
// resolved scenario's workload.warmup, with workload.duration: they place
// the phase exactly; without them, the phases (to within a fraction of a
// second).
func HlogMeasureWindow(r *Result) (fromS, toS float64, ok bool) {
	if w, d, ok := scenarioWindow(r.Scenario); ok {
		if r.Warmup != nil {
			w = time.Duration(r.Warmup.WarmupS * float64(time.Second))
		} else if r.Scenario.Workload.Warmup.Auto {
			ok = false // a result without its decision: the phases say
		}
		if ok {
			return w.Seconds(), (w + d).Seconds(), true
		}
	}
	origin, haveOrigin := 0.0, false
	for _, p := range r.Phases {
		if p.Name == "warmup" || (p.Name == "measure" && !haveOrigin) {
			origin, haveOrigin = p.StartS, true
		}
	}
	for _, p := range r.Phases {
		if p.Name == "measure" {
			to := math.Inf(1)
			if p.EndS > p.StartS {
				to = p.EndS - origin
			}
			return p.StartS - origin, to, true
		}
	}
	return 0, 0, false
}

// scenarioWindow reads workload.warmup and workload.duration from the
// resolved scenario.
func scenarioWindow(s *scenarios.Scenario) (warmup, duration time.Duration, ok bool) {
	if s == nil || s.Workload.Duration.Duration <= 0 || s.Workload.Warmup.Duration < 0 {
		return 0, 0, false
	}
	return s.Workload.Warmup.Duration, s.Workload.Duration.Duration, true
}
