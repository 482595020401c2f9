package measure

import (
	"math"
	"testing"
	"time"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/reports"
)

// simulateOverhead feeds the split a phase of the given length: an event
// every millisecond (e2e 200 ms while a checkpoint is in flight, 20 ms
// otherwise), an output read every millisecond, a checkpoint every 10 s
// taking 30 ms; classified once a second as the monitor would, with the
// checkpoints visible five seconds after their trigger.
func simulateOverhead(t *testing.T, phase time.Duration) *overheadSplitResult {
	t.Helper()
	const start = int64(1_000_000_000_000)
	end := start + int64(phase)
	o := newOverheadSplit(start, end)
	var ivs []interval
	for trig := start + int64(5*time.Second); trig < end; trig += int64(10 * time.Second) {
		ivs = append(ivs, interval{From: trig, To: trig + int64(30*time.Millisecond)})
	}
	known := func(now int64) []interval {
		var out []interval
		for _, iv := range ivs {
			if iv.From <= now-checkpointVisibility {
				out = append(out, iv)
			}
		}
		return out
	}
	next := start + int64(time.Second)
	for ns := start; ns < end; ns += int64(time.Millisecond) {
		lat := int64(20_000)
		if covers(ivs, ns) {
			lat = 200_000
		}
		o.event(ns, lat)
		o.output(ns, 1)
		if ns >= next {
			o.classify(ns-checkpointVisibility, known(ns))
			next += int64(time.Second)
			if len(o.pending) > 6000 {
				t.Fatalf("%d events pending at %v: the buffer grows with the run", len(o.pending), time.Duration(ns-start))
			}
		}
	}
	return &overheadSplitResult{o.result(ivs), o}
}

type overheadSplitResult struct {
	ov *reports.CheckpointOverhead
	o  *overheadSplit
}

// The same checkpoints over 1 min and 1 h give the same share and ratio:
// 30 ms in flight every 10 s is 0.3% of the time, and in-flight events'
// p99 is 10 times the rest's, however long the run.
func TestOverheadIndependentOfRunLength(t *testing.T) {
	for _, phase := range []time.Duration{time.Minute, time.Hour} {
		r := simulateOverhead(t, phase)
		ov := r.ov
		if ov == nil {
			t.Fatalf("%v: no overhead", phase)
		}
		if math.Abs(ov.InFlightShare-0.003) > 0.0001 {
			t.Errorf("%v: in-flight share %.5f, want 0.003", phase, ov.InFlightShare)
		}
		if math.Abs(ov.P99Ratio-10) > 0.1 {
			t.Errorf("%v: p99 ratio %.3f (in flight %.1f ms, between %.1f ms), want 10", phase, ov.P99Ratio, ov.E2EInFlight.P99, ov.E2EBetween.P99)
		}
		if math.Abs(ov.OutRPSInFlight-1000) > 1 || math.Abs(ov.OutRPSBetween-1000) > 1 {
			t.Errorf("%v: output %.1f in flight, %.1f between; want 1000/s both", phase, ov.OutRPSInFlight, ov.OutRPSBetween)
		}
		if want := int64(phase / time.Millisecond); ov.E2EInFlight.Count+ov.E2EBetween.Count != want || r.o.leftOut != 0 {
			t.Errorf("%v: %d + %d events classified, %d left out; want %d", phase, ov.E2EInFlight.Count, ov.E2EBetween.Count, r.o.leftOut, want)
		}
		t.Logf("%v: share %.4f, p99 %.1f vs %.1f ms (×%.2f), out %.0f vs %.0f/s", phase, ov.InFlightShare, ov.E2EInFlight.P99, ov.E2EBetween.P99, ov.P99Ratio, ov.OutRPSInFlight, ov.OutRPSBetween)
	}
}

// Overlapping intervals (a savepoint beside a checkpoint) count once.
func TestUnionWithinAndCovers(t *testing.T) {
	ivs := []interval{{From: 10, To: 20}, {From: 15, To: 30}, {From: 40, To: 50}}
	if got := unionWithin(ivs, 0, 100); got != 30 {
		t.Errorf("union %d, want 30", got)
	}
	if got := unionWithin(ivs, 25, 45); got != 10 {
		t.Errorf("union within [25, 45) %d, want 10", got)
	}
	m := merge(ivs)
	for _, tc := range []struct {
		ns   int64
		want bool
	}{{9, false}, {10, true}, {25, true}, {29, true}, {30, false}, {45, true}, {50, false}} {
		if covers(m, tc.ns) != tc.want {
			t.Errorf("covers(%d) = %v", tc.ns, !tc.want)
		}
	}
	// A checkpoint in flight covers up to now: an event after its trigger
	// and before the horizon is in flight, not held back until it ends.
	now := int64(10_000_000_000)
	list := []flink.CheckpointEntry{{ID: 1, Status: "COMPLETED", TriggerTimestamp: 1000, EndToEndDuration: 100}, {ID: 2, Status: "IN_PROGRESS", TriggerTimestamp: 2000}}
	o := newOverheadSplit(0, now)
	o.event(1050*1e6, 10) // in checkpoint 1
	o.event(1500*1e6, 20) // between
	o.event(3000*1e6, 30) // in checkpoint 2, still in flight
	o.event(now-checkpointVisibility+1, 40)
	o.classify(Horizon(now), monitor.CheckpointIntervals(list, now))
	if o.in.TotalCount() != 2 || o.out.TotalCount() != 1 || len(o.pending) != 1 {
		t.Errorf("classified %d in flight, %d between, %d pending; want 2, 1, 1 (past the horizon)", o.in.TotalCount(), o.out.TotalCount(), len(o.pending))
	}
}
