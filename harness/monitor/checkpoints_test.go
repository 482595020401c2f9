package monitor

import (
	"reflect"
	"testing"

	"github.com/abload/abload/harness/flink"
)

// A checkpoint is in flight from its trigger to its end: trigger + end to
// end duration, the last acknowledgement when a failed one has no
// duration, now while in progress; sorted by trigger.
func TestCheckpointIntervals(t *testing.T) {
	ms := int64(1e6)
	list := []flink.CheckpointEntry{
		{ID: 3, Status: "IN_PROGRESS", TriggerTimestamp: 5000},
		{ID: 1, Status: "COMPLETED", TriggerTimestamp: 1000, EndToEndDuration: 120},
		{ID: 2, Status: "FAILED", TriggerTimestamp: 3000, LatestAck: 3400},
		{ID: 4, Status: "FAILED", TriggerTimestamp: 4000}, // nothing known of its end: a moment
	}
	got := CheckpointIntervals(list, 6000*ms)
	want := []Interval{{1000 * ms, 1120 * ms}, {3000 * ms, 3400 * ms}, {4000 * ms, 4000 * ms}, {5000 * ms, 6000 * ms}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("intervals %v, want %v", got, want)
	}
	for _, tc := range []struct {
		from, to int64
		want     bool
	}{{0, 999, false}, {0, 1000, true}, {1121, 2999, false}, {3400, 3500, true}, {3401, 3999, false}, {5500, 5600, true}, {6001, 7000, false}} {
		if got := Overlaps(want, tc.from*ms, tc.to*ms); got != tc.want {
			t.Errorf("overlaps [%d, %d] ms = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

// Restarts and failed checkpoints between two moments, from the monitor's
// samples: numRestarts is a counter (its rise over the span), failed
// checkpoints are counted by trigger time, savepoints apart.
func TestMonitorWindows(t *testing.T) {
	s := int64(1e9)
	m := &Monitor{restartsAt: []restartSample{{1 * s, 0}, {5 * s, 1}, {9 * s, 1}, {12 * s, 3}}, checkpoints: map[int64]flink.CheckpointEntry{
		1: {ID: 1, Status: "FAILED", TriggerTimestamp: 2000},
		2: {ID: 2, Status: "COMPLETED", TriggerTimestamp: 4000},
		3: {ID: 3, Status: "FAILED", TriggerTimestamp: 6000},
		4: {ID: 4, Status: "FAILED", TriggerTimestamp: 7000, IsSavepoint: true},
		5: {ID: 5, Status: "FAILED", TriggerTimestamp: 11000},
	}}
	for _, tc := range []struct {
		from, to int64
		want     float64
	}{{0, 20 * s, 3}, {2 * s, 6 * s, 1}, {6 * s, 10 * s, 0}, {6 * s, 13 * s, 2}, {13 * s, 20 * s, 0}} {
		if got := m.RestartsBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("restarts in [%d s, %d s): %v, want %v", tc.from/s, tc.to/s, got, tc.want)
		}
	}
	for _, tc := range []struct {
		from, to int64
		want     int
	}{{0, 20 * s, 3}, {2 * s, 6 * s, 2}, {2*s + 1, 5 * s, 0}, {7 * s, 10 * s, 0}} {
		if got := m.FailedCheckpointsBetween(tc.from, tc.to); got != tc.want {
			t.Errorf("failed checkpoints in [%d s, %d s]: %d, want %d", tc.from/s, tc.to/s, got, tc.want)
		}
	}
}
