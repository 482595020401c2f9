package harness

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/abload/abload/scenarios"
)

func updateRecord(seq, intendedNs int64) []byte {
	return []byte(fmt.Sprintf(`{"seq":%d,"intended_ns":%d,"status":"accepted","campaign":1,"variant":"A"}`, seq, intendedNs))
}

// throughput.in_eps counts what the job processed inside the measurement
// phase: distinct seqs whose update the sink wrote then (the broker's
// append time), whenever the harness read them and whenever they were sent;
// on a topic stamped by the producer, the read time stands in.
func TestProcessedInMeasurement(t *testing.T) {
	c := newCollector(64, windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10})
	c.setMeasure(0, 1000, 2000)
	// Sent before the phase, written inside it: processed in it.
	c.onUpdate(updateRecord(0, 500), 1100, 1050, true)
	// Sent inside, written inside, read after the phase (drain): in it.
	c.onUpdate(updateRecord(1, 1500), 2500, 1900, true)
	// Sent inside, written after the phase (the job fell behind): not in it.
	c.onUpdate(updateRecord(2, 1600), 2600, 2400, true)
	// A duplicate of seq 1 written inside: counted once.
	c.onUpdate(updateRecord(1, 1500), 1950, 1940, true)
	// Written before the phase: not in it.
	c.onUpdate(updateRecord(3, 100), 990, 980, true)
	if c.processed != 2 {
		t.Errorf("processed %d, want 2 (seqs 0 and 1)", c.processed)
	}
	if c.measureCnt != 2 {
		t.Errorf("measureCnt %d, want 2 (seqs 1 and 2 were intended inside the phase)", c.measureCnt)
	}
	// A producer-stamped record: its read time stands in, no consumer delay.
	before := c.consumerDelay.TotalCount()
	c.onUpdate(updateRecord(4, 1700), 1800, 42, false)
	if c.processed != 3 || c.producerTime != 1 || c.consumerDelay.TotalCount() != before {
		t.Errorf("producer-stamped: processed %d producerTime %d consumer delays %d→%d", c.processed, c.producerTime, before, c.consumerDelay.TotalCount())
	}
}

// The source's position is interpolated between samples; outside them it
// is unknown.
func TestPositionAt(t *testing.T) {
	h := []posSample{{ns: 1000, pos: 0}, {ns: 2000, pos: 1000}, {ns: 4000, pos: 1000}}
	for _, tc := range []struct {
		ns   int64
		want float64
		ok   bool
	}{{1000, 0, true}, {1500, 500, true}, {2000, 1000, true}, {3000, 1000, true}, {999, 0, false}, {4001, 0, false}} {
		got, ok := positionAt(h, tc.ns)
		if ok != tc.ok || got != tc.want {
			t.Errorf("positionAt(%d) = %v, %v; want %v, %v", tc.ns, got, ok, tc.want, tc.ok)
		}
	}
}

// A polled value refreshed elsewhere is stamped with the poll before the
// first one that saw it; unchanged polls are no new sample.
func TestPositionStamp(t *testing.T) {
	var p positionStamp
	for _, tc := range []struct {
		now, pos, at int64
		changed      bool
	}{
		{1000, 10, 1000, true}, // the first poll: taken now, as far as it knows
		{1250, 10, 0, false},
		{1500, 10, 0, false},
		{1750, 30, 1500, true}, // refreshed after the 1500 poll asked
		{2000, 30, 0, false},
		{2250, 25, 2000, true}, // went back (a restart): still a new value
	} {
		at, changed := p.observe(tc.now, tc.pos)
		if changed != tc.changed || (changed && at != tc.at) {
			t.Errorf("poll at %d reading %d: (%d, %v), want (%d, %v)", tc.now, tc.pos, at, changed, tc.at, tc.changed)
		}
	}
}

// What had been sent at a moment, from the kept samples: the lag compares
// the source's position with the count at the position's own time.
func TestProducedAt(t *testing.T) {
	c := newCollector(64, windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10})
	ms := int64(time.Millisecond)
	c.sent(100, 100, nil, nil, nil, 1000*ms)
	c.sent(100, 100, nil, nil, nil, 1005*ms) // within 10 ms: updates the last sample
	c.sent(200, 200, nil, nil, nil, 1100*ms)
	for _, tc := range []struct{ at, want int64 }{{900 * ms, 200}, {1000 * ms, 200}, {1050 * ms, 300}, {1100 * ms, 400}, {2000 * ms, 400}} {
		if got := c.producedAt(tc.at); got != tc.want {
			t.Errorf("producedAt(%d ms) = %d, want %d", tc.at/ms, got, tc.want)
		}
	}
	// Samples older than the span are dropped as time goes on.
	for i := int64(0); i < 200; i++ {
		c.sent(1, 1, nil, nil, nil, (2000+i*1000)*ms)
	}
	if oldest := c.sentHist[0].ns; (2000+199*1000)*ms-oldest > 2*sentHistSpan {
		t.Errorf("oldest sample %d ms old: the history grows with the run", ((2000+199*1000)*ms-oldest)/ms)
	}
}

func lateRecord(seq, eventMs int64) []byte {
	return []byte(fmt.Sprintf(`{"seq":%d,"intended_ns":1,"event_time_ms":%d,"status":"late","campaign":1,"variant":"A"}`, seq, eventMs))
}

// Reconciliation's edge cases, each of which used to go wrong.
func TestReconciliationEdgeCases(t *testing.T) {
	w := windowAssigner{kind: scenarios.WindowTumbling, size: 10, slide: 10}
	k := windowKey{startMs: 0, campaign: 1, variant: "A"}

	// A late update read before the sender tallied its batch: the window
	// owes the other event only, not one more.
	c := newCollector(64, w)
	c.onUpdate(lateRecord(0, 5), 10, 10, true)
	c.sent(2, 2, map[windowKey]int64{k: 2}, map[string]int64{"A": 2}, nil, 0)
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 20, 20, true)
	if !c.windowsComplete() {
		t.Errorf("late update before the tally: the window still owes an event (expected %d, got 1)", c.windowsExpected[k])
	}
	if r := c.windowReconciliation(); r.Expected != 1 || r.Missing != 0 || r.CountMismatch != 0 {
		t.Errorf("late update before the tally: %+v", r)
	}

	// job.updates_sample 10: a late event outside the sample still takes
	// itself out of the window's debt, and is no update owed.
	c = newCollector(64, w)
	c.sample = 10
	c.sent(2, 1, map[windowKey]int64{k: 2}, map[string]int64{"A": 1}, nil, 0) // seqs 0 and 3 (0 owes an update)
	c.onUpdate(updateRecord(0, 1), 10, 10, true)
	c.onUpdate(lateRecord(3, 5), 10, 10, true)
	c.onUpdate(lateRecord(3, 5), 11, 11, true) // a repeat: nothing owed, nothing counted
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 20, 20, true)
	if !c.windowsComplete() || c.counted != 1 || c.expected != 1 || c.duplicated != 0 || c.late != 1 {
		t.Errorf("sampled updates with a late event outside the sample: complete %v counted %d expected %d duplicated %d late %d",
			c.windowsComplete(), c.counted, c.expected, c.duplicated, c.late)
	}

	// A seq beyond the schedule is refused even inside the bitset's last word.
	c = newCollector(10, w) // seqs 0..9, one 64-bit word
	c.onUpdate(updateRecord(12, 1), 10, 10, true)
	if c.counted != 0 || c.badRecords != 1 {
		t.Errorf("seq 12 of a 10-event schedule: counted %d, bad %d", c.counted, c.badRecords)
	}
}

// decodeUpdate reads what encoding/json would, for the records jobs write
// (and refuses what it would refuse).
func TestDecodeUpdateAgreesWithEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"seq":7,"intended_ns":1795712779918668011,"event_time_ms":1234,"status":"late","campaign":3,"variant":"B","counts":{"opens":2}}`,
		` {"variant":"A\u00e9","seq":0,"intended_ns":-5}`,
		`{"seq":1}`,
		`{"intended_ns":2,"status":null}`,
		`{}`,
		`{"seq":9,"intended_ns":1,"extra":[1,2,{"seq":99}]}`,
	} {
		var got, want update
		got.Seq, got.IntendedNs, want.Seq, want.IntendedNs = absent, absent, absent, absent
		if !decodeUpdate([]byte(in), &got) {
			t.Errorf("%s: refused", in)
			continue
		}
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: %+v, encoding/json %+v", in, got, want)
		}
	}
	for _, in := range []string{`not json`, `[1,2]`, `{"seq":"7"}`, `{"intended_ns":true}`, `"x"`, ``} {
		var u update
		if decodeUpdate([]byte(in), &u) {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(`{"seq":7,"intended_ns":17,"event_time_ms":1234,"status":"late","campaign":3,"variant":"B"}`))
	f.Add([]byte(`{"seq":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got update
		if !decodeUpdate(b, &got) || !json.Valid(b) || !utf8.Valid(b) {
			return // (encoding/json turns invalid UTF-8 into U+FFFD; the raw bytes are kept)
		}
		// What it accepts as a whole object, encoding/json reads the same
		// way, field names matched exactly (encoding/json alone would fold
		// their case).
		var fields map[string]json.RawMessage
		if json.Unmarshal(b, &fields) != nil {
			return
		}
		var want update
		for name, dst := range map[string]any{"seq": &want.Seq, "intended_ns": &want.IntendedNs, "event_time_ms": &want.EventTimeMs,
			"status": &want.Status, "campaign": &want.Campaign, "variant": &want.Variant} {
			if raw, ok := fields[name]; ok && json.Unmarshal(raw, dst) != nil {
				return // a type encoding/json refuses (a campaign beyond int32, say)
			}
		}
		if got != want {
			t.Errorf("%q: %+v, encoding/json %+v", b, got, want)
		}
	})
}
