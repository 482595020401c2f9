package generators

import (
	"math"
	"sort"
	"testing"
)

// TestNormal checks the ziggurat against the standard normal: moments, a
// few quantiles, and the tail beyond the ziggurat's base strip.
func TestNormal(t *testing.T) {
	r := rng{s: 42}
	const n = 4_000_000
	var sum, sq float64
	var beyond196, beyond1, tail float64
	for range n {
		z := r.normal()
		sum += z
		sq += z * z
		if math.Abs(z) > 1.959964 {
			beyond196++
		}
		if z > 1 {
			beyond1++
		}
		if z > zigR {
			tail++
		}
	}
	mean := sum / n
	tests := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"mean", mean, 0, 0.003},
		{"variance", sq/n - mean*mean, 1, 0.005},
		{"P(|Z| > 1.96)", beyond196 / n, 0.05, 0.0005},
		{"P(Z > 1)", beyond1 / n, 0.158655, 0.001},
		{"P(Z > 3.4426) (the tail strip)", tail / n, 0.5 * math.Erfc(zigR/math.Sqrt2), 0.00005},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > tt.tol {
			t.Errorf("%s = %.6f, want %.6f ± %g", tt.name, tt.got, tt.want, tt.tol)
		}
	}
}

// TestTimeline checks the three-tier queue against a sorted reference:
// everything pushed comes out, in emit-time order, across idle gaps, far
// futures (the overflow tier) and entries already due when pushed.
func TestTimeline(t *testing.T) {
	tests := []struct {
		name   string
		span   int64 // ring span asked for
		spread int64 // how far ahead entries are due
		gapP   float64
	}{
		{"near only", 1 << 30, 1 << 20, 0},
		{"ring", 1 << 34, 1 << 33, 0},
		{"overflow", 1 << 30, 1 << 40, 0},
		{"idle gaps", 1 << 34, 1 << 36, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTimeline(tt.span)
			r := rng{s: 7}
			var want []int64
			var got []int64
			now := int64(0)
			tl.advance(now)
			for step := 0; step < 200_000; step++ {
				if r.float() < tt.gapP {
					now += int64(r.below(1 << 38))
				} else {
					now += int64(r.below(1 << 16))
				}
				tl.advance(now)
				// Push 0-2 entries, some already due.
				for range r.below(3) {
					at := now - int64(r.below(1<<20)) + int64(r.below(uint64(tt.spread)))
					tl.push(pending{at: at, rcpt: int64(len(want))})
					want = append(want, at)
				}
				if p, ok := tl.take(now); ok {
					got = append(got, p.at)
				}
				if tl.len() != len(want)-len(got) {
					t.Fatalf("len() = %d, want %d", tl.len(), len(want)-len(got))
				}
			}
			for tl.len() > 0 {
				now += 1 << 30
				tl.advance(now)
				for p, ok := tl.take(now); ok; p, ok = tl.take(now) {
					got = append(got, p.at)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("popped %d of %d", len(got), len(want))
			}
			// Pops come in order, except that an entry pushed already due
			// (behind an earlier pop) comes as soon as it can.
			sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
			sorted := append([]int64(nil), got...)
			sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
			for i := range want {
				if sorted[i] != want[i] {
					t.Fatalf("entry %d: %d came out, %d went in", i, sorted[i], want[i])
				}
			}
		})
	}
}

// TestTimelineOrder: with nothing pushed behind the clock, entries come
// out exactly in emit-time order, across ring buckets of every size (sorted
// by insertion or radix sort) and the overflow.
func TestTimelineOrder(t *testing.T) {
	tl := newTimeline(1 << 32)
	r := rng{s: 3}
	now := int64(0)
	tl.advance(now)
	for range 100_000 {
		tl.push(pending{at: now + 1 + int64(r.below(1<<40))})
	}
	last := int64(math.MinInt64)
	n := 0
	for tl.len() > 0 {
		now += int64(r.below(1 << 28))
		tl.advance(now)
		for p, ok := tl.take(now); ok; p, ok = tl.take(now) {
			if p.at < last {
				t.Fatalf("pop %d: %d after %d", n, p.at, last)
			}
			last = p.at
			n++
		}
	}
	if n != 100_000 {
		t.Fatalf("popped %d", n)
	}
}

// TestTimelineTakesTheEarliest compares every take with a brute-force
// reference: the entry taken is the earliest of all pending entries, and
// none is due when take says so.
func TestTimelineTakesTheEarliest(t *testing.T) {
	tl := newTimeline(1 << 33)
	r := rng{s: 11}
	pendingAt := map[int64]int{} // at → how many
	now := int64(1 << 40)
	tl.advance(now)
	minPending := func() (int64, bool) {
		m, ok := int64(math.MaxInt64), false
		for at, n := range pendingAt {
			if n > 0 && at < m {
				m, ok = at, true
			}
		}
		return m, ok
	}
	for step := range 6000 {
		now += int64(r.below(1 << 22))
		tl.advance(now)
		for range r.below(4) {
			at := now - int64(r.below(1<<24)) + int64(r.below(1<<34))
			tl.push(pending{at: at})
			pendingAt[at]++
		}
		p, ok := tl.take(now)
		m, any := minPending()
		switch {
		case ok && (!any || p.at != m):
			t.Fatalf("step %d: took %d, earliest pending %d", step, p.at, m)
		case !ok && any && m <= now:
			t.Fatalf("step %d: nothing taken, %d is due at %d", step, m, now)
		}
		if ok {
			pendingAt[p.at]--
		}
	}
}
