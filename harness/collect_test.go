package harness

import (
	"fmt"
	"testing"

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
