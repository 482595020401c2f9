package harness

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

func starts(a load.WindowAssigner, ts int64) []int64 {
	var out []int64
	a.Assign(ts, func(s int64) { out = append(out, s) })
	return out
}

func TestWindowAssigner(t *testing.T) {
	tumbling := load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10}
	sliding := load.WindowAssigner{Kind: scenarios.WindowSliding, Size: 10, Slide: 5}
	uneven := load.WindowAssigner{Kind: scenarios.WindowSliding, Size: 10, Slide: 3}
	session := load.WindowAssigner{Kind: scenarios.WindowSession, Size: 10, Slide: 10}
	for _, tc := range []struct {
		a    load.WindowAssigner
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
		{session, 123, []int64{load.SessionStart}},
		{load.WindowAssigner{}, 5, nil},
	} {
		if got := starts(tc.a, tc.ts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v assign(%d) = %v, want %v", tc.a, tc.ts, got, tc.want)
		}
		// Every start really contains ts, as Flink's assigners define it.
		for _, s := range starts(tc.a, tc.ts) {
			if s != load.SessionStart && !(s <= tc.ts && tc.ts < s+tc.a.Size) {
				t.Errorf("%+v: window [%d, %d) does not contain %d", tc.a, s, s+tc.a.Size, tc.ts)
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
	c := newCollector(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.Sent(3, 3, map[load.WindowKey]int64{{StartMs: 0, Campaign: 1, Variant: "A"}: 3}, nil, nil, 0)
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
	c := newCollector(10, load.WindowAssigner{Kind: scenarios.WindowSession})
	k := load.WindowKey{StartMs: load.SessionStart, Campaign: 2, Variant: "B"}
	c.Sent(5, 5, map[load.WindowKey]int64{k: 5}, nil, nil, 0)
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
	c := newCollector(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.prefillBeforeMs = 51
	c.Sent(2, 2, map[load.WindowKey]int64{{StartMs: 50, Campaign: 0, Variant: "A"}: 1, {StartMs: 100, Campaign: 0, Variant: "A"}: 1}, nil, nil, 0)
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
	start := []flink.SubtaskRecords{{Name: "windows", RecordsIn: []int64{100, 100, 100, 100}}, {Name: "source", RecordsIn: []int64{0, 0}}}
	end := []flink.SubtaskRecords{{Name: "windows", RecordsIn: []int64{700, 300, 200, 200}}, {Name: "source", RecordsIn: []int64{0, 0}},
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
	sk = skewBetween(nil, []flink.SubtaskRecords{{Name: "busy", RecordsIn: []int64{1000, 1100}}, {Name: "merge", RecordsIn: []int64{10, 40}}})
	if len(sk.Vertices) != 2 || math.Abs(sk.MaxOverMean-1100.0/1050) > 1e-12 {
		t.Errorf("skew = %+v, want both vertices listed and max_over_mean from the busy one", sk)
	}
	if skewBetween(nil, []flink.SubtaskRecords{{Name: "x", RecordsIn: []int64{0}}}) != nil {
		t.Error("skew without records should be nil")
	}
	// A subtask restarted (its counter went back): its vertex is not
	// measured (a delta of 0, as before, made it look balanced or skewed).
	sk = skewBetween([]flink.SubtaskRecords{{Name: "counts", RecordsIn: []int64{900, 1000}}, {Name: "ok", RecordsIn: []int64{0, 0}}},
		[]flink.SubtaskRecords{{Name: "counts", RecordsIn: []int64{300, 2000}}, {Name: "ok", RecordsIn: []int64{100, 100}}})
	if len(sk.Vertices) != 1 || sk.Vertices[0].Name != "ok" || !reflect.DeepEqual(sk.Unmeasured, []string{"counts"}) {
		t.Errorf("skew with a restarted subtask = %+v", sk)
	}
}

// Windows the end-of-run flush closes are reconciled but left out of window
// latency: they skip the watermark's wait. Windows read before the flush,
// or ending within the events' own watermark, are measured.
func TestFlushClosedWindowsLeftOutOfLatency(t *testing.T) {
	c := newCollector(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
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

// Folding reconciled windows out of the maps changes no figure: two
// collectors fed the same sends, late events, window results (some
// repeated, one missing, one short) report the same reconciliation and
// measured counts, whether one folds as it goes or neither does; and the
// folding one holds only the windows near the watermark.
func TestFoldSettledWindowsChangesNoFigure(t *testing.T) {
	for _, kind := range []string{scenarios.WindowTumbling, scenarios.WindowSliding} {
		w := load.WindowAssigner{Kind: kind, Size: 100, Slide: 100, SettleMs: 300}
		if kind == scenarios.WindowSliding {
			w.Slide = 50
		}
		plain := w
		plain.SettleMs = 0
		fold, keep := newCollector(1<<20, w), newCollector(1<<20, plain)
		both := func(f func(c *collector)) { f(fold); f(keep) }
		rng := rand.New(rand.NewPCG(7, 11))
		type key = load.WindowKey
		counts := map[key]int64{} // what the job's windows hold (late events left out)
		fired := map[int64]bool{}
		var seq int64
		maxOpen := 0
		type pendingUpdate struct {
			due int64
			rec []byte
		}
		var lateUpdates []pendingUpdate
		var early [][]byte
		for now := int64(0); now < 20_000; now += 10 {
			keys := map[key]int64{}
			for i := 0; i < 5; i++ {
				ts := now - rng.Int64N(30) // disorder within the bound
				late := rng.IntN(50) == 0
				if late {
					ts = now - 250 - rng.Int64N(100) // behind the watermark: the job drops it
				}
				k := key{Campaign: int32(rng.IntN(3)), Variant: []string{"A", "B"}[rng.IntN(2)]}
				w.Assign(ts, func(start int64) {
					kk := k
					kk.StartMs = start
					keys[kk]++
					if !late {
						counts[kk]++
					}
				})
				if late { // its late update comes 0.1–1 s later
					lateUpdates = append(lateUpdates, pendingUpdate{now + 100 + rng.Int64N(900),
						[]byte(fmt.Sprintf(`{"seq":%d,"intended_ns":1,"event_time_ms":%d,"status":"late","campaign":%d,"variant":%q}`, seq, ts, k.Campaign, k.Variant))})
				}
				seq++
			}
			both(func(c *collector) { c.Sent(int64(len(keys)), 0, keys, nil, nil, 0) })
			rest := lateUpdates[:0]
			for _, u := range lateUpdates {
				if u.due <= now {
					both(func(c *collector) { c.onUpdate(u.rec, now, now, true) })
				} else {
					rest = append(rest, u)
				}
			}
			lateUpdates = rest
			// The watermark (now − 40) fires every window that ended.
			for k, n := range counts {
				if k.StartMs+w.Size > now-40 || fired[k.StartMs*16+int64(k.Campaign)*2+map[string]int64{"A": 0, "B": 1}[k.Variant]] {
					continue
				}
				fired[k.StartMs*16+int64(k.Campaign)*2+map[string]int64{"A": 0, "B": 1}[k.Variant]] = true
				switch {
				case k.StartMs == 3000 && k.Campaign == 1 && k.Variant == "A":
					continue // lost
				case k.StartMs == 5000 && k.Campaign == 2 && k.Variant == "B":
					n-- // short
				}
				rec := windowRecord(k.Campaign, k.Variant, k.StartMs, k.StartMs+w.Size, n, n)
				both(func(c *collector) { c.onWindow(rec, now, now, true) })
				if k.StartMs < 2000 {
					early = append(early, rec)
				}
				if rng.IntN(20) == 0 {
					both(func(c *collector) { c.onWindow(rec, now+1, now+1, true) }) // a replay
				}
			}
			if now == 12_000 {
				// A restart replays old windows' results (at least once):
				// long folded by now, they are repeats.
				for _, rec := range early {
					both(func(c *collector) { c.onWindow(rec, now, now, true) })
				}
			}
			if now%1000 == 0 {
				fold.foldSettled()
				keep.foldSettled()
				maxOpen = max(maxOpen, len(fold.windowsExpected))
			}
		}
		for _, u := range lateUpdates { // the drain
			both(func(c *collector) { c.onUpdate(u.rec, 20_000, 20_000, true) })
		}
		if got, want := fold.windowReconciliation(), keep.windowReconciliation(); got != want {
			t.Errorf("%s: reconciliation with folding %+v, without %+v", kind, got, want)
		}
		if got, want := fold.measured(), keep.measured(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: measured with folding %+v, without %+v", kind, got, want)
		}
		if got, want := fold.keyEvents(), keep.keyEvents(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events per key with folding %v, without %v", kind, got, want)
		}
		if r := keep.windowReconciliation(); r.Missing < 1 || r.CountMismatch != 1 || r.Duplicated == 0 { // missing: the lost one and the last, never fired
			t.Errorf("%s: the lost, short and repeated windows are not all there: %+v", kind, r)
		}
		t.Logf("%s: %d windows folded; the folding collector held up to %d keys, the other %d at the end", kind, len(fold.folded), maxOpen, len(keep.windowsExpected))
		if len(fold.folded) == 0 || maxOpen > len(keep.windowsExpected)/4 {
			t.Errorf("%s: %d windows folded, up to %d keys held (of %d without folding)", kind, len(fold.folded), maxOpen, len(keep.windowsExpected))
		}
	}
}

// The expected skew of the keyed vertices: each key's events on the
// subtask Flink's key groups give it, the busiest over the mean; salting
// leaves the windows vertex out; a vertex at another parallelism too.
func TestExpectedSkew(t *testing.T) {
	j := scenarios.Defaults().Job
	j.Parallelism, j.MaxParallelism = 2, 128
	// Find two keys on subtask 0 and one on subtask 1.
	var on [2][]load.WindowKey
	for c := int32(0); len(on[0]) < 2 || len(on[1]) < 1; c++ {
		k := load.WindowKey{Campaign: c, Variant: "A"}
		_, st := subtaskOf(campaignVariantHash(k.Campaign, k.Variant), 128, 2)
		on[st] = append(on[st], k)
	}
	perKey := map[load.WindowKey]int64{on[0][0]: 300, on[0][1]: 300, on[1][0]: 200} // 600 vs 200: max/mean 600/400
	sk := &reports.Skew{Vertices: []reports.VertexSkew{
		{Name: "counts", RecordsIn: []int64{1, 1}},
		{Name: "windows -> windows-sink: Writer", RecordsIn: []int64{1, 1}},
		{Name: "dedupe", RecordsIn: []int64{1, 1}},
		{Name: "counts", RecordsIn: []int64{1, 1, 1}}, // rescaled
	}}
	expectedSkew(sk, perKey, j)
	for i, want := range []float64{1.5, 1.5, -1, -1} {
		got := sk.Vertices[i].ExpectedMaxOverMean
		if (want < 0) != (got == nil) || (got != nil && math.Abs(*got-want) > 1e-12) {
			t.Errorf("vertex %d %q: expected max/mean %v, want %v", i, sk.Vertices[i].Name, deref(got), want)
		}
	}
	j.SkewMitigation.Kind = scenarios.MitigationSalted
	sk.Vertices[1].ExpectedMaxOverMean = nil
	expectedSkew(sk, perKey, j)
	if sk.Vertices[1].ExpectedMaxOverMean != nil {
		t.Error("salted windows: the keyed prediction does not hold, want none")
	}
	// Under max parallelism 256 the same keys may fall elsewhere: the
	// prediction follows job.max_parallelism.
	j.SkewMitigation.Kind, j.MaxParallelism = "", 256
	var want [2]int64
	for k, n := range perKey {
		_, st := subtaskOf(campaignVariantHash(k.Campaign, k.Variant), 256, 2)
		want[st] += n
	}
	sk.Vertices[0].ExpectedMaxOverMean = nil
	expectedSkew(sk, perKey, j)
	if e := float64(max(want[0], want[1])) / 400; math.Abs(*sk.Vertices[0].ExpectedMaxOverMean-e) > 1e-12 {
		t.Errorf("max parallelism 256: %v, want %v", *sk.Vertices[0].ExpectedMaxOverMean, e)
	}
}
