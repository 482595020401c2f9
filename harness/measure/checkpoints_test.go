package measure

import (
	"math"
	"testing"

	"github.com/abload/abload/reports"
)

// The checkpoints section counts and summarizes those triggered inside the
// measurement phase only, savepoints apart, and lists every one.
func TestSummarizeCheckpoints(t *testing.T) {
	if SummarizeCheckpoints(nil, 0, 10) != nil {
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
	cp := SummarizeCheckpoints(list, 5, 15)
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
		if got := DuringFault(rec, tc.t, tc.until); got != tc.want {
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
	l := LagSummary(ts, 10, 30)
	if l == nil || l.Max != 5000 || l.Final != 100+25*30 {
		t.Fatalf("lag %+v: want max 5000, final %d", l, 100+25*30)
	}
	// The spike pulls the slope: the fit over 21 points of 100+25s with
	// one point raised by 4525 at s = 15 is 25 + 4525·(15−20)/Σ(s−20)² =
	// 25 − 22625/770.
	if want := 25 - 22625.0/770; math.Abs(l.SlopePerS-want) > 1e-9 {
		t.Errorf("slope %v, want %v", l.SlopePerS, want)
	}
	if LagSummary(ts, 100, 200) != nil {
		t.Error("no points in the phase: want nil")
	}
	if s := slope([]float64{1}, []float64{5}); s != 0 {
		t.Errorf("one point: slope %v", s)
	}
	if s := slope([]float64{3, 3, 3}, []float64{1, 2, 3}); s != 0 {
		t.Errorf("vertical points: slope %v", s)
	}
}
