package harness

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The checkpoints section counts and summarizes those triggered inside the
// measurement phase only, savepoints apart, and lists every one.
func TestSummarizeCheckpoints(t *testing.T) {
	if summarizeCheckpoints(nil, 0, 10) != nil {
		t.Error("no checkpoints: want no section")
	}
	list := []reports.Checkpoint{
		{ID: 1, Status: "COMPLETED", TriggerS: 4, DurationMs: 999, StateSize: 9999}, // before the phase
		{ID: 2, Status: "COMPLETED", TriggerS: 5, DurationMs: 100, SyncMs: 10, AsyncMs: 80, AlignmentMs: 1, StateSize: 300, CheckpointedSize: 30},
		{ID: 3, Status: "FAILED", TriggerS: 6},
		{ID: 4, Status: "COMPLETED", TriggerS: 7, DurationMs: 300, SyncMs: 30, AsyncMs: 200, AlignmentMs: 3, StateSize: 500, CheckpointedSize: 20},
		{ID: 5, Status: "COMPLETED", TriggerS: 8, DurationMs: 200, SyncMs: 20, AsyncMs: 100, AlignmentMs: 2, StateSize: 400, CheckpointedSize: 40},
		{ID: 6, Status: "COMPLETED", Savepoint: true, TriggerS: 9, DurationMs: 5000},
		{ID: 7, Status: "IN_PROGRESS", TriggerS: 9.5},
		{ID: 8, Status: "FAILED", TriggerS: 15}, // at the phase's end: after it
	}
	cp := summarizeCheckpoints(list, 5, 15)
	if cp.Completed != 3 || cp.Failed != 1 || len(cp.List) != len(list) {
		t.Fatalf("completed %d failed %d listed %d; want 3, 1, %d", cp.Completed, cp.Failed, len(cp.List), len(list))
	}
	if want := (reports.DelayStats{P50: 200, P99: 300, Max: 300}); cp.DurationMs != want {
		t.Errorf("duration %+v, want %+v", cp.DurationMs, want)
	}
	if cp.SyncMs.P50 != 20 || cp.AsyncMs.Max != 200 || cp.AlignmentMs.P99 != 3 {
		t.Errorf("sync %+v async %+v alignment %+v", cp.SyncMs, cp.AsyncMs, cp.AlignmentMs)
	}
	// The last completed is the latest by trigger in the list's order (the
	// history comes sorted by id); the max over the phase.
	if cp.StateSizeBytes.Last != 400 || cp.StateSizeBytes.Max != 500 || cp.CheckpointedSizeBytes.Last != 40 || cp.CheckpointedSizeBytes.Max != 40 {
		t.Errorf("state %+v checkpointed %+v", cp.StateSizeBytes, cp.CheckpointedSizeBytes)
	}
}

// Nearest-rank quantiles of a small sample.
func TestQuantilesNearestRank(t *testing.T) {
	if q := quantiles(nil); q != (reports.DelayStats{}) {
		t.Errorf("empty: %+v", q)
	}
	v := make([]float64, 200)
	for i := range v {
		v[i] = float64(200 - i) // 200 … 1, unsorted input
	}
	// p50: rank ceil(0.5·200) = 100 → 100; p99: rank 198 → 198.
	if q := quantiles(v); q != (reports.DelayStats{P50: 100, P99: 198, Max: 200}) {
		t.Errorf("1..200: %+v", q)
	}
	if v[0] != 200 {
		t.Error("quantiles sorted its input in place")
	}
	if q := quantiles([]float64{7}); q != (reports.DelayStats{P50: 7, P99: 7, Max: 7}) {
		t.Errorf("one value: %+v", q)
	}
}

// A checkpoint overlaps a fault from the fault until its lag recovered,
// else until it ran again, else for ever.
func TestDuringFault(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	rec := []reports.Recovery{{AtS: 10, RunningS: f(14), LagRecoveredS: f(20)}, {AtS: 40, RunningS: f(45)}, {AtS: 60}}
	for _, tc := range []struct {
		t, until float64
		want     bool
	}{
		{5, 9.9, false}, {5, 10, true}, {19, 25, true}, {20.1, 30, false},
		{44, 50, true}, {45.5, 50, false}, {70, 80, true},
	} {
		if got := duringFault(rec, tc.t, tc.until); got != tc.want {
			t.Errorf("duringFault(%v, %v) = %v, want %v", tc.t, tc.until, got, tc.want)
		}
	}
}

// The lag summary over the phase: the largest, the last, and the
// least-squares trend of a known line.
func TestLagSummary(t *testing.T) {
	var ts []reports.TimePoint
	for s := 0; s <= 40; s++ {
		ts = append(ts, reports.TimePoint{TS: float64(s), Lag: int64(100 + 25*s)}) // 25 events/s more each second
	}
	ts[15].Lag = 5000 // a spike inside
	ts[35].Lag = 9000 // after the phase
	l := lagSummary(ts, 10, 30)
	if l == nil || l.Max != 5000 || l.Final != 100+25*30 {
		t.Fatalf("lag %+v: want max 5000, final %d", l, 100+25*30)
	}
	// The spike pulls the slope: the fit over 21 points of 100+25s with
	// one point raised by 4525 at s = 15 is 25 + 4525·(15−20)/Σ(s−20)² =
	// 25 − 22625/770.
	if want := 25 - 22625.0/770; math.Abs(l.SlopePerS-want) > 1e-9 {
		t.Errorf("slope %v, want %v", l.SlopePerS, want)
	}
	if lagSummary(ts, 100, 200) != nil {
		t.Error("no points in the phase: want nil")
	}
	if s := slope([]float64{1}, []float64{5}); s != 0 {
		t.Errorf("one point: slope %v", s)
	}
	if s := slope([]float64{3, 3, 3}, []float64{1, 2, 3}); s != 0 {
		t.Errorf("vertical points: slope %v", s)
	}
}

// Output times, kept as runs of output at most 10 ms apart: when output
// resumed after a moment, and the longest stretch without output in a span.
func TestOutputTimes(t *testing.T) {
	c := newCollector(8, windowAssigner{})
	ms := int64(time.Millisecond)
	if c.firstOutputAtOrAfter(5*ms) != 0 || c.longestOutputGap(0, 1000*ms) != 1 {
		t.Error("no output yet: nothing resumed, the whole span a gap")
	}
	base := int64(1_000_000) * ms
	const none = math.MinInt64
	// ms after base, in the order read: -5 comes from another consumer
	// just after 15 (part of that run), 50 long after (dropped).
	for _, at := range []int64{0, 3, 10, 15, -5, 100, 200, 205, 50, 1200, 1201, 1920} {
		c.noteOutput(base + at*ms)
	}
	if len(c.outRuns) != 5 {
		t.Errorf("runs %v, want 5: [-5, 15] [100] [200, 205] [1200, 1201] [1920]", c.outRuns)
	}
	for _, tc := range []struct{ at, want int64 }{
		{-50, -5}, {0, 0}, {2, 2}, {11, 11}, {20, 100}, {199, 200}, {201, 201}, {206, 1200}, {1210, 1920}, {1930, none},
	} {
		got := c.firstOutputAtOrAfter(base + tc.at*ms)
		want := base + tc.want*ms
		if tc.want == none {
			want = 0
		}
		if got != want {
			t.Errorf("first output at or after +%d ms: +%d ms, want +%d ms", tc.at, (got-base)/ms, tc.want)
		}
	}
	for _, tc := range []struct {
		from, to int64
		want     float64
	}{
		{0, 200, 0.1},      // 100 → 200
		{0, 1300, 0.995},   // 205 → 1200
		{1300, 1500, 0.2},  // nothing in it
		{1250, 2000, 0.67}, // 1250 → 1920
		{1201, 1300, 0.099},
		{2000, 1000, 0},
	} {
		if got := c.longestOutputGap(base+tc.from*ms, base+tc.to*ms); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("longest gap in [+%d, +%d] ms: %v s, want %v s", tc.from, tc.to, got, tc.want)
		}
	}
	// Continuous output is one run, however long.
	d := newCollector(8, windowAssigner{})
	for i := int64(0); i < 100_000; i++ {
		d.noteOutput(i * ms / 2)
	}
	if len(d.outRuns) != 1 {
		t.Errorf("50 s of output every 0.5 ms: %d runs, want 1", len(d.outRuns))
	}
}

// The largest e2e latency by intended second, over a span.
func TestMaxE2E(t *testing.T) {
	c := newCollector(8, windowAssigner{})
	s := int64(time.Second)
	c.setMeasure(100*s, 101*s, 110*s)
	c.noteMax(99*s, 9*s) // before the origin: not kept
	c.noteMax(100*s+s/2, 300*int64(time.Millisecond))
	c.noteMax(102*s, 2*s)
	c.noteMax(102*s+s/2, 1*s)
	c.noteMax(105*s, 700*int64(time.Millisecond))
	for _, tc := range []struct {
		from, to int64
		want     float64
	}{{100 * s, 101 * s, 300}, {100 * s, 110 * s, 2000}, {103 * s, 110 * s, 700}, {102*s + s/2, 103 * s, 2000}, {106 * s, 200 * s, 0}} {
		if got := c.maxE2E(tc.from, tc.to); got != tc.want {
			t.Errorf("maxE2E [%d s, %d s) = %v ms, want %v", tc.from/s, tc.to/s, got, tc.want)
		}
	}
}

// The lag recovered at the first point after the fault's end whose lag is
// back within a quarter second of load (at least 10 events) of the lag in
// the 5 s before the fault.
func TestLagRecovered(t *testing.T) {
	lags := []int64{50, 80, 60, 70, 40, 900, 5000, 4000, 2000, 400, 300, 90, 20}
	var ts []reports.TimePoint
	for i, l := range lags {
		ts = append(ts, reports.TimePoint{TS: float64(10 + i), Lag: l})
	}
	// The fault at 15 s: before it, at most 80; limit 80 + 1000/4 = 330.
	if at, ok := lagRecovered(ts, 15, 16, 1000); !ok || at != 20 {
		t.Errorf("recovered at %v (%v), want 20 s (lag 300)", at, ok)
	}
	// Not before the fault is over, however low the lag.
	if at, ok := lagRecovered(ts, 15, 21.5, 1000); !ok || at != 22 {
		t.Errorf("recovered at %v (%v), want 22 s", at, ok)
	}
	// A slow rate: the floor of 10 events → limit 90.
	if at, ok := lagRecovered(ts, 15, 16, 8); !ok || at != 21 {
		t.Errorf("recovered at %v (%v), want 21 s (lag 90)", at, ok)
	}
	if _, ok := lagRecovered(ts[:9], 15, 16, 8); ok {
		t.Error("never back: want not recovered")
	}
	// No point before the fault: the level before counts as 0.
	if at, ok := lagRecovered(ts[5:], 15, 16, 80); !ok || at != 22 {
		t.Errorf("no history: recovered at %v (%v), want 22 s (lag 20 <= 0 + 80/4)", at, ok)
	}
}

// fakeTimeline answers recoveryOf's questions from fixed data.
type fakeTimeline struct {
	outputs  []int64 // ns, sorted
	maxBySec map[int64]float64
	restarts float64
}

func (f fakeTimeline) firstOutputAtOrAfter(ns int64) int64 {
	for _, o := range f.outputs {
		if o >= ns {
			return o
		}
	}
	return 0
}

func (f fakeTimeline) maxE2E(fromNs, toNs int64) float64 {
	var m float64
	for s, v := range f.maxBySec {
		if s*1e9 >= fromNs && s*1e9 < toNs {
			m = max(m, v)
		}
	}
	return m
}

func (f fakeTimeline) restartsBetween(int64, int64) float64 { return f.restarts }

func (f fakeTimeline) longestOutputGap(fromNs, toNs int64) float64 {
	last, gap := fromNs, int64(0)
	for _, o := range f.outputs {
		if o >= fromNs && o <= toNs {
			gap, last = max(gap, o-last), o
		}
	}
	return float64(max(gap, toNs-last)) / 1e9
}

// Timing a fault: detected when the job went down, running when it came
// up, output resumed at the first output after both the fault's end and
// running, lag recovered after that, the latency spike up to then, and
// the restarts; each fault's window ends where the next begins.
func TestRecoveryOf(t *testing.T) {
	s := int64(1e9)
	start := 100 * s
	kill := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultKillTaskManager, TaskManager: 1}, startNs: start + 10*s, endNs: start + 10*s}
	pause := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultPauseTaskManagers}, startNs: start + 40*s, endNs: start + 43*s}
	broken := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultRestartBroker}, startNs: start + 70*s, endNs: start + 70*s, err: errors.New("no broker to restart")}
	ups := []upChange{{start + 11*s, false}, {start + 12*s, false}, {start + 15*s, true}}
	var ts []reports.TimePoint
	for i := 0; i <= 90; i++ {
		lag := int64(50)
		switch {
		case i >= 10 && i < 22:
			lag = 5000
		case i >= 41 && i < 47:
			lag = 3000
		}
		ts = append(ts, reports.TimePoint{TS: float64(i), Lag: lag})
	}
	tl := fakeTimeline{
		outputs:  []int64{start + 9*s, start + 16*s, start + 30*s, start + 44*s, start + 80*s},
		maxBySec: map[int64]float64{100 + 9: 200, 100 + 12: 4000, 100 + 25: 300, 100 + 41: 2500, 100 + 60: 9999},
		restarts: 1,
	}
	out, problems := recoveryOf([]*faultRecord{kill, pause, broken}, ups, ts, start, 1000, tl)
	if len(out) != 3 || len(problems) != 1 || !strings.Contains(problems[0], "no broker to restart") {
		t.Fatalf("recoveries %+v problems %q", out, problems)
	}
	k, p := out[0], out[1]
	f := func(v *float64) float64 {
		if v == nil {
			return -1
		}
		return *v
	}
	if k.Fault != "kill_taskmanager (taskmanager-1)" || p.Fault != "pause_taskmanagers (all TaskManagers)" || out[2].Fault != "restart_broker" {
		t.Errorf("faults %q, %q, %q", k.Fault, p.Fault, out[2].Fault)
	}
	if k.AtS != 10 || f(k.DetectedS) != 11 || f(k.RunningS) != 15 || f(k.OutputResumedS) != 16 || f(k.LagRecoveredS) != 22 {
		t.Errorf("kill: at %v detected %v running %v output %v lag %v; want 10 11 15 16 22", k.AtS, f(k.DetectedS), f(k.RunningS), f(k.OutputResumedS), f(k.LagRecoveredS))
	}
	if k.MaxE2EMs != 4000 || k.Restarts != 2 {
		t.Errorf("kill: max e2e %v (want 4000: up to the lag's recovery, not the 300 after), restarts %d (want 2: down twice)", k.MaxE2EMs, k.Restarts)
	}
	// The pause: never noticed (no downs), output from its end, lag after it.
	if p.DetectedS != nil || p.RunningS != nil || f(p.OutputResumedS) != 44 || f(p.LagRecoveredS) != 47 || p.MaxE2EMs != 2500 || p.Restarts != 1 {
		t.Errorf("pause: %+v; want no detection, output 44, lag 47, max 2500, restarts 1 (numRestarts)", p)
	}
	// A fault noticed but never up again: no output resumption.
	out, _ = recoveryOf([]*faultRecord{kill}, ups[:2], ts, start, 1000, tl)
	if out[0].RunningS != nil || out[0].OutputResumedS != nil || out[0].LagRecoveredS != nil {
		t.Errorf("never up again: %+v", out[0])
	}
}

// A rescale's figures: slots and parallelism before and after, the rescale
// time, the output gap and latency spike until the lag recovered, and the
// read rate before and while catching up (produced + the lag's fall).
func TestRescalesOf(t *testing.T) {
	s := int64(1e9)
	start := 100 * s
	add := &scaleRecord{action: scenarios.ScalingAction{Action: scenarios.ScaleAddTaskManager, Count: 1}, names: []string{"taskmanager-2"},
		startNs: start + 20*s, slotsNs: start + 22*s, rescaledNs: start + 25*s, parBefore: 2, parAfter: 4, slotsBefore: 2, slotsAfter: 4}
	failed := &scaleRecord{action: scenarios.ScalingAction{Action: scenarios.ScaleRemoveTaskManager}, startNs: start + 60*s, err: errors.New("nothing to remove"), parBefore: 4, slotsBefore: 4}
	var ts []reports.TimePoint
	for i := 0; i <= 80; i++ {
		p := reports.TimePoint{TS: float64(i), SentEPS: 1000, Lag: 100, InEPS: 1000}
		if i >= 27 && i <= 37 {
			p.InEPS = 1800 // two slots' worth after the rescale
		}
		switch {
		case i > 20 && i <= 25: // the job stops reading: the lag grows by the load
			p.Lag = 100 + int64(i-20)*1000
		case i > 25 && i < 30: // catching up: 1,000 a second less each second
			p.Lag = 5100 - int64(i-25)*1000
		}
		ts = append(ts, p)
	}
	tl := fakeTimeline{outputs: []int64{start + 19*s, start + 27*s, start + 28*s}, maxBySec: map[int64]float64{100 + 21: 6000, 100 + 40: 99}, restarts: 1}
	out, problems := rescalesOf([]*scaleRecord{add, failed}, ts, start, start+80*s, 1000, tl)
	if len(out) != 2 || len(problems) != 1 || !strings.Contains(problems[0], "nothing to remove") || out[1].Error != "nothing to remove" {
		t.Fatalf("rescales %+v problems %q", out, problems)
	}
	r := out[0]
	f := func(v *float64) float64 {
		if v == nil {
			return -1
		}
		return *v
	}
	if r.AtS != 20 || f(r.SlotsChangedS) != 22 || r.SlotsAfter != 4 || f(r.RescaledS) != 25 || f(r.RescaleTimeS) != 5 || r.ParallelismAfter != 4 {
		t.Errorf("add: %+v", r)
	}
	// Lag back within 1000/4 of the 100 before at 30 s; output gap from
	// 20 s to then: 20 → 27.
	if f(r.LagRecoveredS) != 30 || r.OutputGapS != 7 || r.MaxE2EMs != 6000 || r.Restarts != 1 {
		t.Errorf("add: lag recovered %v, output gap %v s, max e2e %v, restarts %d; want 30, 7, 6000, 1", f(r.LagRecoveredS), r.OutputGapS, r.MaxE2EMs, r.Restarts)
	}
	// Before: 1,000/s, the lag steady. After: from the rescale (25 s) to the
	// lag's recovery (30 s): 5,000 produced + 5,000 caught up, over 5 s.
	if r.ReadBeforeEPS != 1000 || r.ReadAfterEPS != 2000 {
		t.Errorf("read before %v after %v; want 1000 and 2000", r.ReadBeforeEPS, r.ReadAfterEPS)
	}
	// Processed: the 10 s before the action, and 27–37 s (2 s after the
	// rescale, for 10 s).
	if r.ProcessedBeforeEPS != 1000 || r.ProcessedAfterEPS != 1800 {
		t.Errorf("processed before %v after %v; want 1000 and 1800", r.ProcessedBeforeEPS, r.ProcessedAfterEPS)
	}
	if f2 := out[1]; f2.RescaledS != nil || f2.ParallelismAfter != 4 || f2.SlotsAfter != 4 {
		t.Errorf("failed action: %+v", f2)
	}
}
