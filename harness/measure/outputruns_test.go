package measure

import (
	"math"
	"testing"
	"time"

	"github.com/abload/abload/harness/load"
)

// Output times, kept as runs of output at most 10 ms apart: when output
// resumed after a moment, and the longest stretch without output in a span.
func TestOutputTimes(t *testing.T) {
	c := New(8, load.WindowAssigner{})
	ms := int64(time.Millisecond)
	if c.FirstOutputAtOrAfter(5*ms) != 0 || c.LongestOutputGap(0, 1000*ms) != 1 {
		t.Error("no output yet: nothing resumed, the whole span a gap")
	}
	base := int64(1_000_000) * ms
	const none = math.MinInt64
	// ms after base, in the order read: -5 comes from another consumer
	// just after 15 (part of that run), 50 long after (dropped).
	for _, at := range []int64{0, 3, 10, 15, -5, 100, 200, 205, 50, 1200, 1201, 1920} {
		c.noteOutput(base + at*ms)
	}
	if len(c.outRuns) != 5 {
		t.Errorf("runs %v, want 5: [-5, 15] [100] [200, 205] [1200, 1201] [1920]", c.outRuns)
	}
	for _, tc := range []struct{ at, want int64 }{
		{-50, -5}, {0, 0}, {2, 2}, {11, 11}, {20, 100}, {199, 200}, {201, 201}, {206, 1200}, {1210, 1920}, {1930, none},
	} {
		got := c.FirstOutputAtOrAfter(base + tc.at*ms)
		want := base + tc.want*ms
		if tc.want == none {
			want = 0
		}
		if got != want {
			t.Errorf("first output at or after +%d ms: +%d ms, want +%d ms", tc.at, (got-base)/ms, tc.want)
		}
	}
	for _, tc := range []struct {
		from, to int64
		want     float64
	}{
		{0, 200, 0.1},      // 100 → 200
		{0, 1300, 0.995},   // 205 → 1200
		{1300, 1500, 0.2},  // nothing in it
		{1250, 2000, 0.67}, // 1250 → 1920
		{1201, 1300, 0.099},
		{2000, 1000, 0},
	} {
		if got := c.LongestOutputGap(base+tc.from*ms, base+tc.to*ms); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("longest gap in [+%d, +%d] ms: %v s, want %v s", tc.from, tc.to, got, tc.want)
		}
	}
	// Continuous output is one run, however long.
	d := New(8, load.WindowAssigner{})
	for i := int64(0); i < 100_000; i++ {
		d.noteOutput(i * ms / 2)
	}
	if len(d.outRuns) != 1 {
		t.Errorf("50 s of output every 0.5 ms: %d runs, want 1", len(d.outRuns))
	}
}

// The largest e2e latency by intended second, over a span.
func TestMaxE2E(t *testing.T) {
	c := New(8, load.WindowAssigner{})
	s := int64(time.Second)
	c.setMeasure(100*s, 101*s, 110*s)
	c.noteMax(99*s, 9*s) // before the origin: not kept
	c.noteMax(100*s+s/2, 300*int64(time.Millisecond))
	c.noteMax(102*s, 2*s)
	c.noteMax(102*s+s/2, 1*s)
	c.noteMax(105*s, 700*int64(time.Millisecond))
	for _, tc := range []struct {
		from, to int64
		want     float64
	}{{100 * s, 101 * s, 300}, {100 * s, 110 * s, 2000}, {103 * s, 110 * s, 700}, {102*s + s/2, 103 * s, 2000}, {106 * s, 200 * s, 0}} {
		if got := c.MaxE2E(tc.from, tc.to); got != tc.want {
			t.Errorf("maxE2E [%d s, %d s) = %v ms, want %v", tc.from/s, tc.to/s, got, tc.want)
		}
	}
}
