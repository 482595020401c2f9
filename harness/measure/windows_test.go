package measure

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/scenarios"
)

// A late firing (allowed lateness) replaces the window's earlier result in the
// reconciliation and the measured counts; an identical repeat is a duplicate.
func TestCollectorLateFiringsReplace(t *testing.T) {
	c := New(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
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
	c := New(10, load.WindowAssigner{Kind: scenarios.WindowSession})
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
	c := New(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
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

// Windows the end-of-run flush closes are reconciled but left out of window
// latency: they skip the watermark's wait. Windows read before the flush,
// or ending within the events' own watermark, are measured.
func TestFlushClosedWindowsLeftOutOfLatency(t *testing.T) {
	c := New(10, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.setMeasure(0, 0, 1000)                                   // max_intended_ns 1 falls in it
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 5, 0, true)  // before the flush, closed by the stream
	c.MarkFlush(25)                                            // the events' watermark can't pass 25
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
		fold, keep := New(1<<20, w), New(1<<20, plain)
		both := func(f func(c *Collector)) { f(fold); f(keep) }
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
			both(func(c *Collector) { c.Sent(int64(len(keys)), 0, keys, nil, nil, 0) })
			rest := lateUpdates[:0]
			for _, u := range lateUpdates {
				if u.due <= now {
					both(func(c *Collector) { c.onUpdate(u.rec, now, now, true) })
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
				both(func(c *Collector) { c.onWindow(rec, now, now, true) })
				if k.StartMs < 2000 {
					early = append(early, rec)
				}
				if rng.IntN(20) == 0 {
					both(func(c *Collector) { c.onWindow(rec, now+1, now+1, true) }) // a replay
				}
			}
			if now == 12_000 {
				// A restart replays old windows' results (at least once):
				// long folded by now, they are repeats.
				for _, rec := range early {
					both(func(c *Collector) { c.onWindow(rec, now, now, true) })
				}
			}
			if now%1000 == 0 {
				fold.foldSettled()
				keep.foldSettled()
				maxOpen = max(maxOpen, len(fold.windowsExpected))
			}
		}
		for _, u := range lateUpdates { // the drain
			both(func(c *Collector) { c.onUpdate(u.rec, 20_000, 20_000, true) })
		}
		if got, want := fold.windowReconciliation(), keep.windowReconciliation(); got != want {
			t.Errorf("%s: reconciliation with folding %+v, without %+v", kind, got, want)
		}
		if got, want := fold.measured(), keep.measured(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: measured with folding %+v, without %+v", kind, got, want)
		}
		if got, want := fold.KeyEvents(), keep.KeyEvents(); !reflect.DeepEqual(got, want) {
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

// windowRecord is a windows output record as the job writes it.
func windowRecord(camp int32, variant string, start, end, events int64, opens int64) []byte {
	b, _ := json.Marshal(map[string]any{"campaign": camp, "variant": variant, "window_start_ms": start, "window_end_ms": end,
		"events": events, "max_intended_ns": 1, "counts": map[string]int64{"opens": opens}})
	return b
}
