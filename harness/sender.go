package harness

import (
	"context"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
)

// recordSink is where the sender hands records: a franz-go client in a run,
// a discarding sink in pacing benchmarks.
type recordSink interface {
	Produce(ctx context.Context, r *kgo.Record, promise func(*kgo.Record, error))
	Flush(ctx context.Context) error
}

// sender runs the open-loop schedule. Event i is due at origin + Due(i) and
// belongs to lane i mod lanes; each lane is its own goroutine and generator
// state machine, so lanes partition the stream without coordinating. Events
// behind schedule go out at once, none skipped, each keeping its intended
// time; the delay between due and handed-to-client is recorded.
type sender struct {
	gen          *generators.Generator
	sched        generators.Schedule
	enc          generators.Encoding
	clock        *Clock
	originNs     int64
	total        int64          // events in the schedule (warmup + measure)
	measureFirst int64          // first seq intended inside the measurement phase
	measureEnd   int64          // first seq intended after it (cooldown follows)
	windows      windowAssigner // for the per-window tallies
	col          *collector
	// maxWait, when > 0, caps each wait for the next due event, so that a
	// schedule changed while the sender waits (the capacity search's
	// generators.Dynamic) is looked at again at least this often; an event
	// due Never is then waited for in steps of maxWait instead of ending
	// the lane.
	maxWait time.Duration

	errMu    sync.Mutex
	errs     int64
	firstErr error
}

// laneResult is what one lane reports when it finishes.
type laneResult struct {
	sendStats
	gen generators.Stats
}

// recordPool recycles records (and their key and value buffers) once the
// client is done with them: at tens of thousands of events per second the
// sender's allocations would otherwise show up as GC jitter in send delay.
var recordPool = sync.Pool{New: func() any { return &kgo.Record{Value: make([]byte, 0, 192)} }}

func (s *sender) promise(r *kgo.Record, err error) {
	if err == nil {
		s.col.acked.Add(1)
	} else {
		s.errMu.Lock()
		s.errs++
		if s.firstErr == nil {
			s.firstErr = err
		}
		s.errMu.Unlock()
	}
	*r = kgo.Record{Key: r.Key[:0], Value: r.Value[:0]}
	recordPool.Put(r)
}

// run sends the whole schedule (or until ctx ends) and waits for the sink to
// deliver what it was handed.
func (s *sender) run(ctx context.Context, sink recordSink, lanes int) (sendStats, generators.Stats) {
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
	var st sendStats
	var gs generators.Stats
	st.completed = true
	for i, r := range results {
		st.total += r.total
		st.measure += r.measure
		if r.measure > 0 && (st.firstMeasureNs == 0 || r.firstMeasureNs < st.firstMeasureNs) {
			st.firstMeasureNs = r.firstMeasureNs
		}
		if r.lastMeasureNs > st.lastMeasureNs {
			st.lastMeasureNs = r.lastMeasureNs
		}
		if r.lastEventMs > st.lastEventMs {
			st.lastEventMs = r.lastEventMs
		}
		st.completed = st.completed && r.completed
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

// pacingQuantum is the shortest sleep of a lane between sends.
const pacingQuantum = 2 * time.Millisecond

func (s *sender) lane(ctx context.Context, sink recordSink, l, lanes int) laneResult {
	var st sendStats
	ln := s.gen.Lane(l)
	var ev generators.Event
	keys := map[windowKey]int64{}
	variants := map[string]int64{}
	delays := make([]sendDelay, 0, 1024)
	seq := int64(l)
	step := int64(lanes)
	for seq < s.total {
		now := s.clock.Now()
		due := s.sched.Due(seq)
		if due == generators.Never && s.maxWait <= 0 {
			break // the schedule ends before the sender's bound
		}
		wait := s.maxWait
		if due != generators.Never {
			wait = time.Duration(s.originNs + int64(due) - now)
			if s.maxWait > 0 {
				wait = min(wait, s.maxWait)
			}
		}
		if wait > 0 {
			// Wake at most once per pacingQuantum: the events due within
			// it go out together, each at most a quantum late (its send
			// delay says so, and latency counts from its intended time
			// anyway). Waking for every event costs the harness more CPU
			// than sending them, and more the quieter the machine gets.
			if !sleepCtx(ctx, max(wait, pacingQuantum)) {
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
		for seq < s.total && len(delays) < cap(delays) && n < 4096 {
			due := s.sched.Due(seq)
			if due == generators.Never {
				break
			}
			intended := s.originNs + int64(due)
			if intended > now {
				break
			}
			ln.Next(&ev, seq, intended, s.originNs)
			if seq%s.col.sample == 0 {
				// The job emits this event's update (job.updates_sample).
				variants[ev.Variant]++
				nExp++
			}
			s.windows.assign(ev.EventTimeMs, func(start int64) {
				keys[windowKey{startMs: start, campaign: ev.Campaign, variant: ev.Variant}]++
			})
			if ev.EventTimeMs > st.lastEventMs {
				st.lastEventMs = ev.EventTimeMs
			}
			rec := recordPool.Get().(*kgo.Record)
			rec.Key = ev.AppendKey(rec.Key)
			rec.Value = ev.Append(s.enc, rec.Value)
			sink.Produce(ctx, rec, s.promise)
			sentNs := s.clock.Now()
			if seq >= s.measureFirst && seq < s.measureEnd {
				delays = append(delays, sendDelay{intended, sentNs - intended})
				if st.measure == 0 {
					st.firstMeasureNs = sentNs
				}
				st.lastMeasureNs = sentNs
				st.measure++
			}
			st.total++
			n++
			seq += step
		}
		s.col.sent(n, nExp, keys, variants, delays, s.clock.Now())
	}
	st.completed = seq >= s.total
	return laneResult{sendStats: st, gen: ln.Stats()}
}

// discardSink accepts records and drops them: pacing benchmarks measure the
// sender alone with it.
type discardSink struct{}

func (discardSink) Produce(_ context.Context, r *kgo.Record, promise func(*kgo.Record, error)) {
	promise(r, nil)
}
func (discardSink) Flush(context.Context) error { return nil }
