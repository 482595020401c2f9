package measure

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/abload/abload/harness/load"
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
	c := New(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
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
	if n := c.e2e.TotalCount(); n != 2 {
		t.Errorf("%d measured latencies, want 2 (seqs 1 and 2 were intended inside the phase)", n)
	}
	// A producer-stamped record: its read time stands in, no consumer delay.
	before := c.consumerDelay.TotalCount()
	c.onUpdate(updateRecord(4, 1700), 1800, 42, false)
	if c.processed != 3 || c.producerTime != 1 || c.consumerDelay.TotalCount() != before {
		t.Errorf("producer-stamped: processed %d producerTime %d consumer delays %d→%d", c.processed, c.producerTime, before, c.consumerDelay.TotalCount())
	}
}

// When the job began taking in events: the first update's write time (its
// broker append time: an exactly-once update is read only at its commit,
// long after; else its read time) less the job's quickest answer; window
// results, unreadable updates and duplicates don't count; an update
// written before its intended time leaves it unknown.
func TestJobStart(t *testing.T) {
	c := New(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.setMeasure(0, 1000, 2000)
	if _, _, _, _, ok := c.JobStart(); ok {
		t.Error("known before any update")
	}
	c.Outputs(5000, []OutputRecord{{Output: Windows, Value: []byte(`{}`), BrokerNs: 100, Appended: true},
		{Output: Updates, Value: []byte(`{"seq":9}`), BrokerNs: 100, Appended: true}})
	if _, _, _, _, ok := c.JobStart(); ok {
		t.Error("known after a window result and an update without intended_ns")
	}
	// Event 0 intended at 0, written at 1200, read at 5000 (a commit).
	c.Outputs(5000, []OutputRecord{{Output: Updates, Value: updateRecord(0, 0), BrokerNs: 1200, Appended: true}})
	if start, first, quickest, readTime, _ := c.JobStart(); start != 0 || first != 1200 || quickest != 1200 || readTime {
		t.Errorf("start %d first %d quickest %d read time %v, want 0, 1200, 1200, false", start, first, quickest, readTime)
	}
	// Event 1 intended at 900, written at 1100 (another partition, read
	// later): the first write moves back, and the job answered in 200. A
	// duplicate of event 0 written earlier is not its first write.
	c.Outputs(5100, []OutputRecord{{Output: Updates, Value: updateRecord(1, 900), BrokerNs: 1100, Appended: true},
		{Output: Updates, Value: updateRecord(0, 0), BrokerNs: 50, Appended: true}})
	if start, first, quickest, _, _ := c.JobStart(); start != 900 || first != 1100 || quickest != 200 {
		t.Errorf("start %d first %d quickest %d, want 900, 1100, 200", start, first, quickest)
	}
	// Event 2, producer-stamped, counts by its read time (5100), and says so.
	c.Outputs(5100, []OutputRecord{{Output: Updates, Value: updateRecord(2, 950), BrokerNs: 1, Appended: false}})
	if start, _, _, readTime, _ := c.JobStart(); start != 900 || !readTime {
		t.Errorf("start %d read time %v, want 900, true", start, readTime)
	}
	// Written 2 ms before it was intended: a clock that is off, unknown.
	ms := int64(time.Millisecond)
	c.Outputs(5200, []OutputRecord{{Output: Updates, Value: updateRecord(3, 10*ms), BrokerNs: 8 * ms, Appended: true}})
	if _, _, _, _, ok := c.JobStart(); ok {
		t.Error("known after an update written 2 ms before its intended time")
	}
}

// What was in Kafka at a moment, from the kept samples: the lag compares
// the source's position with the count at the position's own time.
func TestInKafkaAt(t *testing.T) {
	c := New(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	ms := int64(time.Millisecond)
	ack := func(n, atMs int64) {
		c.acked.Add(n)
		c.NoteAcked(atMs * ms)
	}
	ack(200, 1000)
	ack(100, 1003) // within 10 ms of 1000: a second sample
	ack(0, 1005)   // within 10 ms of 1000 still: the latest sample moves on, to 1005
	ack(100, 1100)
	ack(0, 1099)    // out of order: ignored
	c.acked.Add(50) // acknowledged since the last sample
	for _, tc := range []struct{ at, want int64 }{{900, 200}, {1000, 200}, {1004, 280}, {1005, 300}, {1055, 352}, {1100, 400}, {2000, 450}} {
		if got := c.inKafkaAt(tc.at * ms); got != tc.want {
			t.Errorf("inKafkaAt(%d ms) = %d, want %d", tc.at, got, tc.want)
		}
	}
	// What the sender hands the producer is not in Kafka until acknowledged.
	c.Sent(1000, 1000, nil, nil, nil, 1200*ms)
	if got := c.inKafkaAt(1200 * ms); got != 450 {
		t.Errorf("inKafkaAt after 1000 unacknowledged sends = %d, want 450", got)
	}
	// Samples older than the span are dropped as time goes on.
	for i := int64(0); i < 200; i++ {
		ack(1, 2000+i*1000)
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
	w := load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10}
	k := load.WindowKey{StartMs: 0, Campaign: 1, Variant: "A"}

	// A late update read before the sender tallied its batch: the window
	// owes the other event only, not one more.
	c := New(64, w)
	c.onUpdate(lateRecord(0, 5), 10, 10, true)
	c.Sent(2, 2, map[load.WindowKey]int64{k: 2}, map[string]int64{"A": 2}, nil, 0)
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 20, 20, true)
	if !c.windowsComplete() {
		t.Errorf("late update before the tally: the window still owes an event (expected %d, got 1)", c.windowsExpected[k])
	}
	if r := c.windowReconciliation(); r.Expected != 1 || r.Missing != 0 || r.CountMismatch != 0 {
		t.Errorf("late update before the tally: %+v", r)
	}

	// job.updates_sample 10: a late event outside the sample still takes
	// itself out of the window's debt, and is no update owed.
	c = New(64, w)
	c.sample = 10
	c.Sent(2, 1, map[load.WindowKey]int64{k: 2}, map[string]int64{"A": 1}, nil, 0) // seqs 0 and 3 (0 owes an update)
	c.onUpdate(updateRecord(0, 1), 10, 10, true)
	c.onUpdate(lateRecord(3, 5), 10, 10, true)
	c.onUpdate(lateRecord(3, 5), 11, 11, true) // a repeat: nothing owed, nothing counted
	c.onWindow(windowRecord(1, "A", 0, 10, 1, 0), 20, 20, true)
	if !c.windowsComplete() || c.counted != 1 || c.expected != 1 || c.duplicated != 0 || c.late != 1 {
		t.Errorf("sampled updates with a late event outside the sample: complete %v counted %d expected %d duplicated %d late %d",
			c.windowsComplete(), c.counted, c.expected, c.duplicated, c.late)
	}

	// A seq beyond the schedule is refused even inside the bitset's last word.
	c = New(10, w) // seqs 0..9, one 64-bit word
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

// The timeline's processed rate counts an update in the interval it was
// written in, however late it is read.
func TestTimelineWrittenByStamp(t *testing.T) {
	c := New(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	s := int64(time.Second)
	c.ivOriginNs = 10 * s
	c.noteWritten(9 * s) // before the timeline: prefill
	c.noteWritten(10 * s)
	c.noteWritten(10*s + 500*int64(time.Millisecond))
	c.closeInterval(11 * s)
	c.noteWritten(10*s + 900*int64(time.Millisecond)) // read after its interval closed
	c.noteWritten(11 * s)
	c.closeInterval(13 * s)
	c.noteWritten(12 * s) // read late again
	c.noteWritten(13 * s) // in the open interval
	got := c.writtenEPS()
	if want := []float64{3, 1}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("writtenEPS = %v, want %v (3 in [10 s, 11 s), 2 in [11 s, 13 s))", got, want)
	}
	if c.ivWrittenOpen != 1 {
		t.Errorf("open interval holds %d, want 1", c.ivWrittenOpen)
	}
}
