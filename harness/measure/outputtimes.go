package measure

// When the job's output came: the stretches of output read (for the
// recoveries' "output resumed" and the rescales' output gap) and when the
// job began taking in events (the late-start note). The state is the
// Collector's, under its lock.

import (
	"sort"
	"time"
)

// outputMerge is the longest pause in the output a run of it spans.
const outputMerge = int64(10 * time.Millisecond)

// noteOutput remembers that output was read at nowNs.
func (c *Collector) noteOutput(nowNs int64) {
	if n := len(c.outRuns); n > 0 {
		r := &c.outRuns[n-1]
		if nowNs <= r.To+outputMerge && nowNs >= r.From-outputMerge {
			r.From, r.To = min(r.From, nowNs), max(r.To, nowNs)
			return
		}
		if nowNs < r.From {
			return // read before the latest run by another consumer: its run is long gone
		}
	}
	c.outRuns = append(c.outRuns, interval{From: nowNs, To: nowNs})
}

// noteStart notes an update's write time (its broker append time: an
// exactly-once update is read only at its commit, long after; else its
// read time) for JobStart.
func (c *Collector) noteStart(intendedNs, nowNs, stampNs int64, appended bool) {
	w := nowNs
	if appended && stampNs > 0 {
		w = stampNs
	} else {
		c.startReadTime = true
	}
	if !c.startNoted || w < c.firstUpdateNs {
		c.firstUpdateNs = w
	}
	if d := w - intendedNs; !c.startNoted || d < c.quickestNs {
		c.quickestNs = d
	}
	c.startNoted = true
}

// JobStart is when the job began taking in events, as its updates tell:
// the first update's write time less the least time the job took from an
// event's intended time to its update (a job answering in 2 s from the
// start, whose first update comes 2 s after the load, started at once; a
// broker clock offset cancels out). An estimate from above: a first answer
// slower than the quickest (a cold start) counts as start. firstNs is that
// first write, quickestNs the least time; readTime says some write times
// are read times (no broker append time; under exactly-once those are
// commit times). ok is false before any update, and when an update was
// written before its intended time (a broker clock behind this host's
// that the clock check did not correct, or a job's own intended_ns): then
// nothing can be said.
func (c *Collector) JobStart() (startNs, firstNs, quickestNs int64, readTime, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// LogAppendTime has millisecond resolution.
	if !c.startNoted || c.quickestNs < -int64(time.Millisecond) {
		return 0, 0, 0, false, false
	}
	q := max(0, c.quickestNs)
	return c.firstUpdateNs - q, c.firstUpdateNs, q, c.startReadTime, true
}

// FirstOutputAtOrAfter returns when output was first read at or after ns
// (to within outputMerge: ns itself inside a run), or 0.
func (c *Collector) FirstOutputAtOrAfter(ns int64) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.outRuns), func(i int) bool { return c.outRuns[i].To >= ns })
	if i == len(c.outRuns) {
		return 0
	}
	return max(ns, c.outRuns[i].From)
}

// LongestOutputGap is the longest time (s) in [fromNs, toNs] without an
// output record read, to within outputMerge (the gaps before the first and
// after the last output in the interval count, so no output at all is the
// whole interval).
func (c *Collector) LongestOutputGap(fromNs, toNs int64) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if toNs <= fromNs {
		return 0
	}
	i := sort.Search(len(c.outRuns), func(i int) bool { return c.outRuns[i].To >= fromNs })
	last, gap := fromNs, int64(0)
	for ; i < len(c.outRuns) && c.outRuns[i].From <= toNs; i++ {
		r := c.outRuns[i]
		gap = max(gap, r.From-last)
		last = max(last, min(r.To, toNs))
	}
	gap = max(gap, toNs-last)
	return float64(gap) / 1e9
}
