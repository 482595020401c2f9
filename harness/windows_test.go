package harness

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

func starts(a windowAssigner, ts int64) []int64 {
	var out []int64
	a.assign(ts, func(s int64) { out = append(out, s) })
	return out
}

func TestWindowAssigner(t *testing.T) {
	tumbling := windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10}
	sliding := windowAssigner{kind: scenarios.WindowSliding, size: 10, slide: 5}
	uneven := windowAssigner{kind: scenarios.WindowSliding, size: 10, slide: 3}
	session := windowAssigner{kind: scenarios.WindowSession, size: 10, slide: 10}
	for _, tc := range []struct {
		a    windowAssigner
		ts   int64
		want []int64
	}{
		{tumbling, 0, []int64{0}},
		{tumbling, 9, []int64{0}},
		{tumbling, 10, []int64{10}},
		{tumbling, -1, []int64{-10}},
		{sliding, 7, []int64{5, 0}},
		{sliding, 10, []int64{10, 5}},
		{sliding, -3, []int64{-5, -10}},
		// size 10, slide 3: windows [s, s+10) with s a multiple of 3 and s <= 11 < s+10
		{uneven, 11, []int64{9, 6, 3}},
		{uneven, 12, []int64{12, 9, 6, 3}},
		{session, 123, []int64{sessionStart}},
		{windowAssigner{}, 5, nil},
	} {
		if got := starts(tc.a, tc.ts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v assign(%d) = %v, want %v", tc.a, tc.ts, got, tc.want)
		}
		// Every start really contains ts, as Flink's assigners define it.
		for _, s := range starts(tc.a, tc.ts) {
			if s != sessionStart && !(s <= tc.ts && tc.ts < s+tc.a.size) {
				t.Errorf("%+v: window [%d, %d) does not contain %d", tc.a, s, s+tc.a.size, tc.ts)
			}
		}
	}
}

func windowRecord(camp int32, variant string, start, end, events int64, opens int64) []byte {
	b, _ := json.Marshal(map[string]any{"campaign": camp, "variant": variant, "window_start_ms": start, "window_end_ms": end,
		"events": events, "max_intended_ns": 1, "counts": map[string]int64{"opens": opens}})
	return b
}

// A late firing (allowed lateness) replaces the window's earlier result in the
// reconciliation and the measured counts; an identical repeat is a duplicate.
func TestCollectorLateFiringsReplace(t *testing.T) {
	c := newCollector(10, windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10})
	c.sent(3, 3, map[windowKey]int64{{startMs: 0, campaign: 1, variant: "A"}: 3}, nil, nil, 0)
	c.onWindow(windowRecord(1, "A", 0, 10, 2, 2), 0, 0, true)
	if c.windowsComplete() {
		t.Fatal("complete with 2 of 3 events")
	}
	c.onWindow(windowRecord(1, "A", 0, 10, 3, 3), 0, 0, true) // late firing
	c.onWindow(windowRecord(1, "A", 0, 10, 3, 3), 0, 0, true) // replayed
	if !c.windowsComplete() {
		t.Fatal("not complete after the late firing")
	}
	r := c.windowReconciliation()
	if r.LateFirings != 1 || r.Duplicated != 1 || r.CountMismatch != 0 || r.Received != 1 {
		t.Errorf("reconciliation = %+v, want 1 late firing, 1 duplicate, no mismatch", r)
	}
	if m := c.measured()["A"]; m == nil || m.Opens != 3 {
		t.Errorf("measured = %+v, want opens 3 (the late firing's, not 2+3)", m)
	}
}

// Session windows are reconciled per key over all its sessions.
func TestCollectorSessionsPerKey(t *testing.T) {
	c := newCollector(10, windowAssigner{kind: scenarios.WindowSession})
	k := windowKey{startMs: sessionStart, campaign: 2, variant: "B"}
	c.sent(5, 5, map[windowKey]int64{k: 5}, nil, nil, 0)
	c.onWindow(windowRecord(2, "B", 100, 200, 2, 1), 0, 0, true)
	c.onWindow(windowRecord(2, "B", 100, 200, 2, 1), 0, 0, true) // repeat of the same session
	if c.windowsComplete() {
		t.Fatal("complete with 2 of 5 events")
	}
	c.onWindow(windowRecord(2, "B", 500, 650, 3, 2), 0, 0, true)
	if !c.windowsComplete() {
		t.Fatal("not complete with both sessions")
	}
	r := c.windowReconciliation()
	if r.Expected != 1 || r.Received != 2 || r.Duplicated != 1 || r.CountMismatch != 0 || r.Missing != 0 || r.Unexpected != 0 {
		t.Errorf("reconciliation = %+v", r)
	}
	if m := c.measured()["B"]; m == nil || m.Opens != 3 {
		t.Errorf("measured = %+v, want opens 3", m)
	}
}

// Windows that hold only prefill events are reconciled but not measured.
func TestCollectorPrefillWindowsNotMeasured(t *testing.T) {
	c := newCollector(10, windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10})
	c.prefillBeforeMs = 51
	c.sent(2, 2, map[windowKey]int64{{startMs: 50, campaign: 0, variant: "A"}: 1, {startMs: 100, campaign: 0, variant: "A"}: 1}, nil, nil, 0)
	c.onWindow(windowRecord(0, "A", 50, 60, 1, 1), 0, 0, true)
	c.onWindow(windowRecord(0, "A", 100, 110, 1, 1), 0, 0, true)
	if r := c.windowReconciliation(); r.Expected != 2 || r.Received != 2 || r.Missing+r.CountMismatch+r.Unexpected != 0 {
		t.Errorf("reconciliation = %+v", r)
	}
	if m := c.measured()["A"]; m == nil || m.Opens != 1 {
		t.Errorf("measured = %+v, want only the non-prefill window's open", m)
	}
}

func TestSkewBetween(t *testing.T) {
	start := []SubtaskRecords{{Name: "windows", RecordsIn: []int64{100, 100, 100, 100}}, {Name: "source", RecordsIn: []int64{0, 0}}}
	end := []SubtaskRecords{{Name: "windows", RecordsIn: []int64{700, 300, 200, 200}}, {Name: "source", RecordsIn: []int64{0, 0}},
		{Name: "balanced", RecordsIn: []int64{50, 50}}}
	sk := skewBetween(start, end)
	if sk == nil || len(sk.Vertices) != 2 {
		t.Fatalf("skew = %+v, want the two vertices that received records", sk)
	}
	// deltas 600, 200, 100, 100: mean 250, max 600
	want := reports.VertexSkew{Name: "windows", MaxOverMean: 2.4, RecordsIn: []int64{600, 200, 100, 100}}
	if got := sk.Vertices[0]; got.Name != want.Name || math.Abs(got.MaxOverMean-want.MaxOverMean) > 1e-12 || !reflect.DeepEqual(got.RecordsIn, want.RecordsIn) {
		t.Errorf("windows vertex = %+v, want %+v", got, want)
	}
	if sk.Vertices[1].MaxOverMean != 1 {
		t.Errorf("balanced vertex = %+v, want 1", sk.Vertices[1])
	}
	if math.Abs(sk.MaxOverMean-2.4) > 1e-12 {
		t.Errorf("MaxOverMean = %v, want the largest vertex's 2.4", sk.MaxOverMean)
	}
	// A nearly idle, unbalanced vertex is listed but does not set the job's figure.
	sk = skewBetween(nil, []SubtaskRecords{{Name: "busy", RecordsIn: []int64{1000, 1100}}, {Name: "merge", RecordsIn: []int64{10, 40}}})
	if len(sk.Vertices) != 2 || math.Abs(sk.MaxOverMean-1100.0/1050) > 1e-12 {
		t.Errorf("skew = %+v, want both vertices listed and max_over_mean from the busy one", sk)
	}
	if skewBetween(nil, []SubtaskRecords{{Name: "x", RecordsIn: []int64{0}}}) != nil {
		t.Error("skew without records should be nil")
	}
	// A subtask restarted (its counter went back): its vertex is not
	// measured (a delta of 0, as before, made it look balanced or skewed).
	sk = skewBetween([]SubtaskRecords{{Name: "counts", RecordsIn: []int64{900, 1000}}, {Name: "ok", RecordsIn: []int64{0, 0}}},
		[]SubtaskRecords{{Name: "counts", RecordsIn: []int64{300, 2000}}, {Name: "ok", RecordsIn: []int64{100, 100}}})
	if len(sk.Vertices) != 1 || sk.Vertices[0].Name != "ok" || !reflect.DeepEqual(sk.Unmeasured, []string{"counts"}) {
		t.Errorf("skew with a restarted subtask = %+v", sk)
	}
}

// Windows the end-of-run flush closes are reconciled but left out of window
// latency: they skip the watermark's wait. Windows read before the flush,
// or ending within the events' own watermark, are measured.
func TestFlushClosedWindowsLeftOutOfLatency(t *testing.T) {
	c := newCollector(10, windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10})
	c.setMeasure(0, 0, 1000)                                   // max_intended_ns 1 falls in it
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 5, 0, true)  // before the flush, closed by the stream
	c.markFlush(25)                                            // the events' watermark can't pass 25
	c.onWindow(windowRecord(1, "A", 10, 20, 1, 0), 6, 0, true) // ends within it: the stream closed it
	c.onWindow(windowRecord(1, "A", 20, 30, 1, 0), 7, 0, true) // ends past it: the flush closed it
	if got := c.window.TotalCount(); got != 2 {
		t.Errorf("window latencies recorded: %d, want 2", got)
	}
	r := c.windowReconciliation()
	if r.FlushClosed != 1 || r.Received != 3 {
		t.Errorf("reconciliation %+v: want 3 received, 1 closed by the flush", r)
	}
}
