package measure

import (
	"testing"
	"time"

	"github.com/abload/abload/harness/load"
)

// The excuse window leaves out exactly the consumer delays read while an
// outage holds it open and during the grace period after; overlapping holds
// (a kill, then the job's own down/up) merge into one window.
func TestConsumerDelayExcuseWindow(t *testing.T) {
	c := New(64, load.WindowAssigner{})
	s := int64(time.Second)
	read := func(at int64, delay time.Duration) { c.recordConsumerDelay(at, at-int64(delay), true) }

	read(1*s, 100*time.Millisecond) // before any fault: counts
	c.HoldExcuse(10 * s)            // a kill at 10 s
	c.ReleaseExcuse(10*s, 5*time.Second)
	c.HoldExcuse(11 * s) // the job goes down at 11 s, inside the kill's grace
	read(12*s, 20*time.Second)
	read(30*s, 20*time.Second) // still held: the job is not back
	c.ReleaseExcuse(40*s, 5*time.Second)
	read(44*s, 20*time.Second)       // in the grace after the job is back
	read(46*s, 200*time.Millisecond) // after it: counts again
	c.ReleaseExcuse(50*s, time.Hour) // an unmatched release changes nothing
	read(60*s, 300*time.Millisecond)

	if got := c.consumerDelay.TotalCount(); got != 6 {
		t.Fatalf("consumer delay recorded %d reads, want all 6", got)
	}
	if got := c.consumerDelayValid.TotalCount(); got != 3 {
		t.Fatalf("valid consumer delay has %d reads, want the 3 outside the window", got)
	}
	if max := c.consumerDelayValid.Max(); max > 400_000 {
		t.Fatalf("an excused 20 s delay counted toward validity (max %d µs)", max)
	}
}
