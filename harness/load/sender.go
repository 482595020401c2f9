package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
)

// Sink is where the sender hands records: a franz-go client in a run,
// a discarding sink in pacing benchmarks.
type Sink interface {
	Produce(ctx context.Context, r *kgo.Record, promise func(*kgo.Record, error))
	Flush(ctx context.Context) error
}

// Sender runs the open-loop schedule. Event i is due at origin + Due(i) and
// belongs to lane i mod lanes; each lane is its own goroutine and generator
// state machine, so lanes partition the stream without coordinating. Events
// behind schedule go out at once, none skipped, each keeping its intended
// time; the delay between due and handed-to-client is recorded.
type Sender struct {
	Gen          *generators.Generator
	Sched        generators.Schedule
	Enc          generators.Encoding
	Clock        interface{ Now() int64 } // the run's clock (Unix ns)
	OriginNs     int64
	Total        int64          // events in the schedule (warmup + measure)
	MeasureFirst int64          // first seq intended inside the measurement phase
	MeasureEnd   int64          // first seq intended after it (cooldown follows)
	Windows      WindowAssigner // for the per-window tallies
	// Tally hears of every record the broker acknowledged and of every
	// batch handed to the client; Sample is job.updates_sample (1 in Sample
	// events owes an update).
	Tally  Tally
	Sample int64
	// MaxWait, when > 0, caps each wait for the next due event, so that a
	// schedule changed while the sender waits (the capacity search's
	// generators.Dynamic) is looked at again at least this often; an event
	// due Never is then waited for in steps of MaxWait instead of ending
	// the lane.
	MaxWait time.Duration

	errMu    sync.Mutex
	errs     int64
	firstErr error

	// moved, once SetBounds was called, replaces Total, MeasureFirst and
	// MeasureEnd (an auto warmup's end, decided while the lanes run).
	moved atomic.Pointer[bounds]
}

// bounds are the seqs that split the schedule into phases.
type bounds struct{ measureFirst, measureEnd, total int64 }

// SetBounds moves the measurement phase to [measureFirst, measureEnd) and
// the schedule's end to total while the lanes run. Each lane reads them per
// event: the caller must announce a first seq not yet due, so that no event
// was already sent on the wrong side of it.
func (s *Sender) SetBounds(measureFirst, measureEnd, total int64) {
	s.moved.Store(&bounds{measureFirst, measureEnd, total})
}

func (s *Sender) bounds() bounds {
	if b := s.moved.Load(); b != nil {
		return *b
	}
	return bounds{s.MeasureFirst, s.MeasureEnd, s.Total}
}

// Tally is what the sender reports to (the run's collector).
type Tally interface {
	// Acked is called once per record the broker acknowledged.
	Acked()
	// Sent is called per batch handed to the client at nowNs: n events, of
	// which nExp owe an update, their per-window tallies, the per-variant
	// tallies of those owing an update, and the send delays of the
	// measure-phase ones. The maps and the slice are reused after it returns.
	Sent(n, nExp int64, keys map[WindowKey]int64, variants map[string]int64, delays []SendDelay, nowNs int64)
}

// Errors are the records that failed to produce: how many, and the first error.
func (s *Sender) Errors() (int64, error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.errs, s.firstErr
}

// laneResult is what one lane reports when it finishes.
type laneResult struct {
	Stats
	gen generators.Stats
}

// recordPool recycles records (and their key and value buffers) once the
// client is done with them: at tens of thousands of events per second the
// sender's allocations would otherwise show up as GC jitter in send delay.
var recordPool = sync.Pool{New: func() any { return &kgo.Record{Value: make([]byte, 0, 192)} }}

func (s *Sender) promise(r *kgo.Record, err error) {
	if err == nil {
		s.Tally.Acked()
	} else {
		s.errMu.Lock()
		s.errs++
		if s.firstErr == nil {
			s.firstErr = err
		}
		s.errMu.Unlock()
	}
	Release(r)
}

// Run sends the whole schedule (or until ctx ends) and waits for the sink to
// deliver what it was handed.
func (s *Sender) Run(ctx context.Context, sink Sink, lanes int) (Stats, generators.Stats) {
	s.Sample = max(1, s.Sample) // 0: every event owes an update
	results := make([]laneResult, lanes)
	var wg sync.WaitGroup
	for l := 0; l < lanes; l++ {
		wg.Add(1)
		go func(l int) {
			defer wg.Done()
			results[l] = s.lane(ctx, sink, l, lanes)
		}(l)
	}
	wg.Wait()
	var st Stats
	var gs generators.Stats
	st.Completed = true
	for i, r := range results {
		st.Total += r.Total
		st.Measure += r.Measure
		if r.Measure > 0 && (st.FirstMeasureNs == 0 || r.FirstMeasureNs < st.FirstMeasureNs) {
			st.FirstMeasureNs = r.FirstMeasureNs
		}
		if r.LastMeasureNs > st.LastMeasureNs {
			st.LastMeasureNs = r.LastMeasureNs
		}
		if r.LastEventMs > st.LastEventMs {
			st.LastEventMs = r.LastEventMs
		}
		st.Completed = st.Completed && r.Completed
		if i == 0 {
			gs = r.gen
		} else {
			gs.Merge(r.gen)
		}
	}
	if ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = sink.Flush(fctx)
	}
	return st, gs
}

// A lane that is early sleeps until its next event is due, and then on
// until pacingBatch of its events are, but no longer than pacingQuantum
// from when it went to sleep. At low rates a wake then carries the events
// of up to 2 ms (waking for every event costs the harness more CPU than
// sending them, and more the quieter the machine gets), and an event due
// after a long gap goes out on time; at high rates the first event of a
// wake waits only for the next pacingBatch−1, 0.6 ms at 50,000 events/s.
// Each event's send delay says how late it went out, and latency counts
// from its intended time anyway.
const (
	pacingQuantum = 2 * time.Millisecond
	pacingBatch   = 32
)

// wakeAt is when a lane that is early at now, its next event (seq) due at
// first, wakes: max(first, min(now + pacingQuantum, the due time of the
// pacingBatch-th event from seq)).
func (s *Sender) wakeAt(seq, step, first, now int64) int64 {
	at := now + int64(pacingQuantum)
	if d := s.Sched.Due(seq + (pacingBatch-1)*step); d != generators.Never {
		at = min(at, s.OriginNs+int64(d))
	}
	return max(first, at)
}

func (s *Sender) lane(ctx context.Context, sink Sink, l, lanes int) laneResult {
	var st Stats
	ln := s.Gen.Lane(l)
	var ev generators.Event
	keys := map[WindowKey]int64{}
	variants := map[string]int64{}
	delays := make([]SendDelay, 0, 1024)
	seq := int64(l)
	step := int64(lanes)
	for seq < s.bounds().total {
		now := s.Clock.Now()
		due := s.Sched.Due(seq)
		if due == generators.Never && s.MaxWait <= 0 {
			break // the schedule ends before the sender's bound
		}
		wait := s.MaxWait
		if due != generators.Never {
			first := s.OriginNs + int64(due)
			wait = time.Duration(first - now)
			if wait > 0 {
				// Not due yet: sleep until a batch is due (wakeAt).
				wait = time.Duration(s.wakeAt(seq, step, first, now) - now)
			}
			if s.MaxWait > 0 {
				wait = min(wait, s.MaxWait)
			}
		}
		if wait > 0 {
			if !SleepCtx(ctx, wait) {
				break
			}
			continue
		}
		if ctx.Err() != nil {
			break
		}
		clear(keys)
		clear(variants)
		delays = delays[:0]
		n, nExp := int64(0), int64(0)
		for len(delays) < cap(delays) && n < 4096 {
			b := s.bounds()
			if seq >= b.total {
				break
			}
			due := s.Sched.Due(seq)
			if due == generators.Never {
				break
			}
			intended := s.OriginNs + int64(due)
			if intended > now {
				break
			}
			ln.Next(&ev, seq, intended, s.OriginNs)
			if seq%s.Sample == 0 {
				// The job emits this event's update (job.updates_sample).
				variants[ev.Variant]++
				nExp++
			}
			s.Windows.Assign(ev.EventTimeMs, func(start int64) {
				keys[WindowKey{StartMs: start, Campaign: ev.Campaign, Variant: ev.Variant}]++
			})
			if ev.EventTimeMs > st.LastEventMs {
				st.LastEventMs = ev.EventTimeMs
			}
			rec := NewRecord()
			rec.Key = ev.AppendKey(rec.Key)
			rec.Value = ev.Append(s.Enc, rec.Value)
			sink.Produce(ctx, rec, s.promise)
			sentNs := s.Clock.Now()
			if seq >= b.measureFirst && seq < b.measureEnd {
				delays = append(delays, SendDelay{intended, sentNs - intended})
				if st.Measure == 0 {
					st.FirstMeasureNs = sentNs
				}
				st.LastMeasureNs = sentNs
				st.Measure++
			}
			st.Total++
			n++
			seq += step
		}
		s.Tally.Sent(n, nExp, keys, variants, delays, s.Clock.Now())
	}
	st.Completed = seq >= s.bounds().total
	return laneResult{Stats: st, gen: ln.Stats()}
}

// DiscardSink accepts records and drops them: pacing benchmarks measure the
// sender alone with it.
type DiscardSink struct{}

func (DiscardSink) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	promise(r, nil)
}
func (DiscardSink) Flush(context.Context) error { return nil }

// NewRecord is a record from the sender's pool (key and value buffers
// kept), for other producers of input records (prefill); Release gives it
// back once the client is done with it.
func NewRecord() *kgo.Record { return recordPool.Get().(*kgo.Record) }

// Release returns a record to the pool.
func Release(r *kgo.Record) {
	*r = kgo.Record{Key: r.Key[:0], Value: r.Value[:0]}
	recordPool.Put(r)
}
