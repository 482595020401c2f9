package generators

import (
	"fmt"
	"sort"
	"sync/atomic"
	"time"
)

// Dynamic is a Schedule whose rate a controller changes while it runs (the
// capacity search): a list of segments, each a constant rate from its start
// offset on, appended as the controller decides. Segment k starts at offset
// start_k with rate r_k and its first event is first_k = the number of
// events due before start_k under the segments before it, so events already
// due keep their times and Due stays monotone across every change. A rate
// of 0 pauses: Due returns Never for every later event until a segment with
// a positive rate is appended.
//
// Due, Count, Rate and Mean may be called concurrently with Set; a change
// only moves events due at or after its start, so Set must name an offset
// later than any the sender has acted on (the caller's clock reading plus a
// margin).
type Dynamic struct {
	segs atomic.Pointer[[]dynSeg] // copy on write
}

type dynSeg struct {
	start time.Duration
	rate  float64
	first int64
	cr    Schedule // ConstantRate(rate), nil when rate is 0
}

// NewDynamic returns a dynamic schedule at rate events/s from offset 0 (0: paused).
func NewDynamic(rate float64) *Dynamic {
	d := &Dynamic{}
	segs := []dynSeg{newDynSeg(0, rate, 0)}
	d.segs.Store(&segs)
	return d
}

func newDynSeg(start time.Duration, rate float64, first int64) dynSeg {
	if !(rate >= 0 && rate <= maxRate) {
		panic(fmt.Sprintf("generators: dynamic rate %v: must be in [0, 1e9] events/s", rate))
	}
	s := dynSeg{start: start, rate: rate, first: first}
	if rate > 0 {
		s.cr = ConstantRate(rate)
	}
	return s
}

// Set makes the rate `rate` events/s (0 pauses) from offset at on. at must
// not be before the last change's offset.
func (d *Dynamic) Set(at time.Duration, rate float64) error {
	old := *d.segs.Load()
	last := old[len(old)-1]
	if at < last.start {
		return fmt.Errorf("generators: dynamic schedule change at %s is before the last change at %s", at, last.start)
	}
	first := d.Count(at)
	segs := make([]dynSeg, 0, len(old)+1)
	segs = append(segs, old...)
	if at == last.start {
		segs = segs[:len(segs)-1] // replaces the last change (no event was due in it)
	}
	segs = append(segs, newDynSeg(at, rate, first))
	d.segs.Store(&segs)
	return nil
}

// Segments returns the changes so far as (offset, rate, first event) triples.
func (d *Dynamic) Segments() [][3]float64 {
	var out [][3]float64
	for _, s := range *d.segs.Load() {
		out = append(out, [3]float64{s.start.Seconds(), s.rate, float64(s.first)})
	}
	return out
}

func (d *Dynamic) Due(i int64) time.Duration {
	segs := *d.segs.Load()
	// The last segment whose first event is <= i.
	k := sort.Search(len(segs), func(k int) bool { return segs[k].first > i }) - 1
	if k < 0 {
		k = 0
	}
	// Several segments may share a first event (a pause, then a rate):
	// the event belongs to the last of them.
	s := segs[k]
	if s.cr == nil {
		return Never
	}
	off := s.cr.Due(i - s.first)
	if off == Never || s.start > Never-off {
		return Never
	}
	return s.start + off
}

// segAt returns the segment in force at offset t.
func segAt(segs []dynSeg, t time.Duration) dynSeg {
	k := sort.Search(len(segs), func(k int) bool { return segs[k].start > t }) - 1
	if k < 0 {
		k = 0
	}
	return segs[k]
}

func (d *Dynamic) Count(t time.Duration) int64 {
	if t <= 0 {
		return 0
	}
	s := segAt(*d.segs.Load(), t)
	if s.cr == nil {
		return s.first
	}
	return s.first + s.cr.Count(t-s.start)
}

func (d *Dynamic) Rate(t time.Duration) float64 {
	return segAt(*d.segs.Load(), t).rate
}

func (d *Dynamic) Mean(from, to time.Duration) float64 {
	if to <= from {
		return d.Rate(from)
	}
	segs := *d.segs.Load()
	var sum float64
	for k, s := range segs {
		end := time.Duration(Never)
		if k+1 < len(segs) {
			end = segs[k+1].start
		}
		lo, hi := max(from, s.start, 0), min(to, end)
		if hi > lo {
			sum += s.rate * (hi - lo).Seconds()
		}
	}
	return sum / (to - from).Seconds()
}

func (d *Dynamic) String() string {
	segs := *d.segs.Load()
	return fmt.Sprintf("dynamic, %d change(s), now %g/s", len(segs)-1, segs[len(segs)-1].rate)
}
