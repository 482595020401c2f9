package clockcheck

import (
	"math"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// The estimate comes from the probe with the shortest round trip, and the
// verdict allows for the uncertainty.
func TestEstimateClockOffset(t *testing.T) {
	ms := int64(time.Millisecond)
	base := int64(1_700_000_000_000) * ms
	ps := []clockProbe{
		{sendNs: base, ackNs: base + 40*ms, appendMs: base/ms + 300},           // slow: ignored
		{sendNs: base + 100*ms, ackNs: base + 104*ms, appendMs: base/ms + 352}, // mid 102 → +250 (+0.5)
		{sendNs: base, ackNs: base + 10*ms, appendMs: 0},                       // never read back
	}
	off, unc, rtt, ok := estimateClockOffset(ps)
	if !ok || math.Abs(off-250.5) > 1e-9 || math.Abs(unc-2.5) > 1e-9 || math.Abs(rtt-4) > 1e-9 {
		t.Fatalf("offset %v ± %v (rtt %v, ok %v), want 250.5 ± 2.5 (rtt 4)", off, unc, rtt, ok)
	}
	if _, _, _, ok := estimateClockOffset([]clockProbe{{sendNs: 1, ackNs: 2}}); ok {
		t.Error("no append time: want no estimate")
	}
	for _, c := range []struct {
		off, unc float64
		bound    time.Duration
		within   bool
	}{
		{250.5, 2.5, 100 * time.Millisecond, false},
		{-250.5, 2.5, 100 * time.Millisecond, false},
		{101, 2.5, 100 * time.Millisecond, true}, // beyond only by less than the uncertainty
		{3, 2, 100 * time.Millisecond, true},
	} {
		chk := reports.ClockCheck{OffsetMs: c.off, UncertaintyMs: c.unc}
		clockVerdict(&chk, c.bound)
		if chk.Within != c.within {
			t.Errorf("offset %v ± %v, bound %s: within %v, want %v", c.off, c.unc, c.bound, chk.Within, c.within)
		}
	}
}
