package measure

import (
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/abload/abload/reports"
)

// The checkpoint overhead compares the measurement phase while a checkpoint
// is in flight with the time between checkpoints. "In flight" is exact:
// from a checkpoint's trigger to its end (completion or failure, the last
// acknowledgement), as Flink's checkpoint history reports them. An event
// is in flight when its intended time falls in such an interval (its e2e
// latency goes to the in-flight histogram), an output record when the
// harness read it in one; the share is the length of the union of the
// intervals inside the phase over the phase's length. The harness learns of
// a checkpoint seconds after its trigger (the REST statistics are cached
// and polled once a second), so events and output reads wait in a buffer
// until the checkpoints that could cover them are known: memory bounded by
// the rate times that delay (plus the longest checkpoint), not by the run's
// length.

// checkpointVisibility is how long after its trigger a checkpoint can take
// to show in the history the monitor polls: events intended more recently
// are not classified yet.
const checkpointVisibility = 5_000_000_000 // ns

// maxPendingEvents bounds the buffer (16 bytes an event); beyond it events
// are left out of the split and counted.
const maxPendingEvents = 2_000_000

// maxPendingReads bounds the buffered output reads the same way (one entry
// per poll that read records: far fewer than events).
const maxPendingReads = 1_000_000

type pendingEvent struct{ intendedNs, latUs int64 }

type outRead struct{ readNs, n int64 }

// overheadSplit holds the classification of the measurement phase into in
// flight and between checkpoints. Its owner (the collector) serializes
// access.
type overheadSplit struct {
	fromNs, toNs int64 // the measurement phase, by intended time

	pending      []pendingEvent // not classified yet
	pendingOut   []outRead
	in, out      *hdrhistogram.Histogram // e2e latency in flight / between
	outIn        int64                   // output records read in flight
	outBetween   int64
	leftOut      int64 // events beyond maxPendingEvents
	leftOutReads int64 // output records beyond maxPendingReads
}

func newOverheadSplit(fromNs, toNs int64) *overheadSplit {
	return &overheadSplit{fromNs: fromNs, toNs: toNs, in: reports.NewLatencyHistogram(), out: reports.NewLatencyHistogram()}
}

// event notes a measured event's e2e latency (µs) by its intended time.
func (o *overheadSplit) event(intendedNs, latUs int64) {
	if len(o.pending) >= maxPendingEvents {
		o.leftOut++
		return
	}
	o.pending = append(o.pending, pendingEvent{intendedNs, latUs})
}

// output notes n output records read at readNs (inside the phase only).
func (o *overheadSplit) output(readNs, n int64) {
	if readNs < o.fromNs || readNs >= o.toNs {
		return
	}
	if k := len(o.pendingOut); k > 0 && o.pendingOut[k-1].readNs == readNs {
		o.pendingOut[k-1].n += n
		return
	}
	if len(o.pendingOut) >= maxPendingReads {
		o.leftOutReads += n
		return
	}
	o.pendingOut = append(o.pendingOut, outRead{readNs, n})
}

// classify attributes every buffered event intended, and output read,
// before horizonNs, given the checkpoint intervals (sorted by start) known
// to cover everything before it.
func (o *overheadSplit) classify(horizonNs int64, ivs []interval) {
	ivs = merge(ivs)
	keep := o.pending[:0]
	for _, e := range o.pending {
		switch {
		case e.intendedNs >= horizonNs:
			keep = append(keep, e)
		case covers(ivs, e.intendedNs):
			recordUs(o.in, e.latUs*1000)
		default:
			recordUs(o.out, e.latUs*1000)
		}
	}
	o.pending = keep
	keepOut := o.pendingOut[:0]
	for _, r := range o.pendingOut {
		switch {
		case r.readNs >= horizonNs:
			keepOut = append(keepOut, r)
		case covers(ivs, r.readNs):
			o.outIn += r.n
		default:
			o.outBetween += r.n
		}
	}
	o.pendingOut = keepOut
}

// result classifies what is left against the final intervals and returns
// the overhead; nil when the phase had no checkpoint in flight, or no time
// between checkpoints.
func (o *overheadSplit) result(ivs []interval) *reports.CheckpointOverhead {
	o.classify(1<<63-1, ivs)
	span := o.toNs - o.fromNs
	inNs := unionWithin(ivs, o.fromNs, o.toNs)
	if span <= 0 || inNs <= 0 || inNs >= span {
		return nil
	}
	ov := &reports.CheckpointOverhead{
		InFlightShare:  float64(inNs) / float64(span),
		E2EInFlight:    reports.LatencyFromHistogram(o.in),
		E2EBetween:     reports.LatencyFromHistogram(o.out),
		OutRPSInFlight: float64(o.outIn) / (float64(inNs) / 1e9),
		OutRPSBetween:  float64(o.outBetween) / (float64(span-inNs) / 1e9),
	}
	if ov.E2EInFlight.Count > 0 && ov.E2EBetween.Count > 0 && ov.E2EBetween.P99 > 0 {
		ov.P99Ratio = ov.E2EInFlight.P99 / ov.E2EBetween.P99
	}
	return ov
}

// merge returns the union of ivs (sorted by start) as disjoint intervals
// in order.
func merge(ivs []interval) []interval {
	var out []interval
	for _, iv := range ivs {
		if n := len(out); n > 0 && iv.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, iv.To)
			continue
		}
		out = append(out, iv)
	}
	return out
}

// covers reports whether a moment lies in one of merged (disjoint, in
// order), each taken as [from, to): at its end a checkpoint is over.
func covers(merged []interval, ns int64) bool {
	i := sort.Search(len(merged), func(i int) bool { return merged[i].From > ns })
	return i > 0 && merged[i-1].To > ns
}

// unionWithin is the length of the union of ivs (sorted by start) inside
// [fromNs, toNs).
func unionWithin(ivs []interval, fromNs, toNs int64) int64 {
	var total int64
	for _, iv := range merge(ivs) {
		if a, b := max(iv.From, fromNs), min(iv.To, toNs); b > a {
			total += b - a
		}
	}
	return total
}

// Horizon is how far the checkpoints known at nowNs cover: up to the
// visibility delay. A checkpoint still in flight covers up to now
// (monitor.CheckpointIntervals), so what lies after its trigger is in flight
// already; waiting for its end would only grow the buffer.
func Horizon(nowNs int64) int64 {
	return nowNs - checkpointVisibility
}
