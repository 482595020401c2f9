package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/reports"
)

// snapshotSubtasks reads every vertex's per-subtask records-in at the start
// (start = true) or the end of the measurement phase; the end snapshot turns
// the two into the result's skew section. A failed read leaves skew out.
func (r *runner) snapshotSubtasks(start bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if r.sc.Job.CostPerEvent.Duration > 0 {
		// Read whether or not the records read below work out.
		r.snapshotCost(ctx, start)
	}
	recs, err := r.flink.SubtaskRecordsIn(ctx, r.jobID)
	r.skewMu.Lock()
	defer r.skewMu.Unlock()
	if err != nil {
		r.con.Logf("abload: per-subtask records (skew): %v", err)
		r.skewFailed = true
		return
	}
	if start {
		r.skewStart = recs
	} else if r.skewStart != nil && !r.skewFailed {
		r.skew = measure.SkewBetween(r.skewStart, recs)
	}
}

// scoringCost is the scoring step's thread CPU time and events scored so
// far, summed over its subtasks (its costCpuNanos and costEvents metrics),
// read at atNs.
type scoringCost struct {
	cpuNs, events float64
	atNs          int64
}

// snapshotCost reads the scoring step's counters at the start or the end
// of the measurement phase; at the end it sets the achieved cost per event.
// The counters live in the operator: a restart in between resets them, and
// the difference means nothing then.
func (r *runner) snapshotCost(ctx context.Context, start bool) {
	cost, err := r.readScoringCost(ctx)
	r.skewMu.Lock()
	defer r.skewMu.Unlock()
	if start {
		if err != nil {
			r.con.Logf("abload: the scoring step's CPU (job.cost_per_event): %v", err)
		}
		r.costStart = cost
		return
	}
	jc := &reports.JobCost{ConfiguredUs: float64(r.sc.Job.CostPerEvent.Microseconds())}
	s := r.costStart
	switch {
	case err != nil:
		jc.Unmeasured = "the scoring step's metrics could not be read at the end of the measurement phase: " + err.Error()
	case s == nil:
		jc.Unmeasured = "the scoring step's metrics could not be read when the measurement phase began"
	case r.mon != nil && r.mon.RestartsBetween(s.atNs, cost.atNs) > 0, cost.events < s.events || cost.cpuNs < s.cpuNs:
		jc.Unmeasured = "the job restarted during the measurement phase (the scoring step's counters start over)"
	case cost.events == s.events:
		jc.Unmeasured = "the scoring step scored no events in the measurement phase"
	default:
		jc.Events = int64(cost.events - s.events)
		jc.AchievedUs = (cost.cpuNs - s.cpuNs) / (cost.events - s.events) / 1000
	}
	r.jobCost = jc
}

// readScoringCost sums the scoring operator's costCpuNanos and costEvents
// gauges over its subtasks.
func (r *runner) readScoringCost(ctx context.Context) (*scoringCost, error) {
	j, err := r.flink.Job(ctx, r.jobID)
	if err != nil {
		return nil, err
	}
	for _, v := range j.Vertices {
		if !strings.Contains(v.Name, "scoring") {
			continue
		}
		ids, err := r.flink.VertexMetricIDs(ctx, r.jobID, v.ID)
		if err != nil {
			return nil, err
		}
		var cpuID, evID string
		for id := range ids {
			switch {
			case strings.HasSuffix(id, "scoring.costCpuNanos"):
				cpuID = id
			case strings.HasSuffix(id, "scoring.costEvents"):
				evID = id
			}
		}
		if cpuID == "" || evID == "" {
			return nil, fmt.Errorf("vertex %q has no scoring.costCpuNanos/costEvents metrics yet", v.Name)
		}
		agg, err := r.flink.VertexAgg(ctx, r.jobID, v.ID, cpuID, evID)
		if err != nil {
			return nil, err
		}
		return &scoringCost{cpuNs: float64(agg[cpuID].Sum), events: float64(agg[evID].Sum), atNs: r.clock.Now()}, nil
	}
	return nil, fmt.Errorf("no scoring vertex in the job")
}

// prefillMarginMs is how far before the schedule prefill events lie in event
// time: beyond every window, session gap and disorder bound of the run, so no
// measured window holds a prefill event.
func (r *runner) prefillMarginMs() int64 {
	w, d := r.sc.Job.Window, r.sc.Workload.Disorder
	return w.Size.Milliseconds() + w.Slide.Milliseconds() + w.Gap.Milliseconds() +
		r.sc.Job.OutOfOrderness.Milliseconds() + d.MaxDelay.Milliseconds() + d.LateBy.Milliseconds() + 10_000
}

// prefill sends n opens unpaced, each for a distinct (campaign, recipient)
// outside the workload's recipients, with seqs after the schedule's
// (first, first+1, …), and waits until the job has produced an update for
// every one: the job's dedupe state then holds n more keys. The events lie in
// event time before the schedule; their windows close once the run's events
// move the watermark and are reconciled like any other, but stay out of the
// measured counts.
func (r *runner) prefill(ctx context.Context, producer *kgo.Client, enc generators.Encoding, first, n int64,
	windows load.WindowAssigner, jobEnded <-chan string) error {
	sc := r.sc
	t0 := time.Now()
	tsMs := r.clock.Now()/1e6 - r.prefillMarginMs()
	r.col.SetPrefillBefore(tsMs + 1)
	campaigns := int64(sc.Workload.Campaigns)

	var errMu sync.Mutex
	var produceErr error
	promise := func(rec *kgo.Record, err error) {
		if err == nil {
			r.col.Acked()
		} else {
			errMu.Lock()
			if produceErr == nil {
				produceErr = err
			}
			errMu.Unlock()
		}
		load.Release(rec)
	}
	const batch = 4096
	keys := map[load.WindowKey]int64{}
	var ev generators.Event
	for i := int64(0); i < n; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		clear(keys)
		variants := map[string]int64{}
		m := int64(0)
		for ; i < n && m < batch; i, m = i+1, m+1 {
			camp := int32(i % campaigns)
			rcpt := sc.Workload.Recipients + i
			ev = generators.Event{Seq: first + i, IntendedNs: r.clock.Now(), EventTimeMs: tsMs, Type: generators.Open,
				Campaign: camp, Variant: r.gen.VariantOf(camp, rcpt), Recipient: rcpt}
			variants[ev.Variant]++
			windows.Assign(tsMs, func(start int64) {
				keys[load.WindowKey{StartMs: start, Campaign: ev.Campaign, Variant: ev.Variant}]++
			})
			rec := load.NewRecord()
			rec.Key = ev.AppendKey(rec.Key)
			rec.Value = ev.Append(enc, rec.Value)
			producer.Produce(ctx, rec, promise)
		}
		r.col.Sent(m, m, keys, variants, nil, 0) // prefill needs job.updates_sample 1 (validated)
		r.prefilled += m
	}
	if err := producer.Flush(ctx); err != nil {
		return fmt.Errorf("prefill: %w", err)
	}
	errMu.Lock()
	err := produceErr
	errMu.Unlock()
	if err != nil {
		return fmt.Errorf("prefill: producing failed: %w", err)
	}
	r.con.Logf("abload: prefill sent %d events in %.1fs; waiting for the job to take them in", n, time.Since(t0).Seconds())

	// Wait for every prefill update; give up when none arrives for a whole
	// drain timeout.
	stall := sc.Workload.DrainTimeout.Duration
	last, lastAt := int64(-1), time.Now()
	for {
		got := r.col.Counted()
		if got >= n {
			r.con.Done()
			r.con.Logf("abload: prefill done: %d keys of dedupe state in %.1fs", n, time.Since(t0).Seconds())
			return nil
		}
		if got != last {
			last, lastAt = got, time.Now()
			r.con.Progress(fmt.Sprintf("prefill %d/%d updates (%.0f%%)", got, n, 100*float64(got)/float64(n)))
		} else if time.Since(lastAt) > stall {
			r.con.Done()
			return fmt.Errorf("prefill stalled: %d of %d prefill events accounted for, none for %s (workload.drain_timeout)", got, n, stall)
		}
		select {
		case <-ctx.Done():
			r.con.Done()
			return ctx.Err()
		case why := <-jobEnded:
			r.con.Done()
			return fmt.Errorf("job stopped during prefill: %s", why)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// takeSavepoint writes a savepoint of the running job into OUT/savepoint
// (job.savepoint_at_end). A failure is logged and marks nothing invalid: the
// measurement is unaffected, only the savepoint is missing from the result.
func (r *runner) takeSavepoint(ctx context.Context) {
	dir, err := filepath.Abs(filepath.Join(r.opts.OutDir, "savepoint"))
	if err != nil {
		r.con.Logf("abload: savepoint: %v", err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	loc, err := r.flink.TriggerSavepoint(sctx, r.jobID, dir)
	if err != nil {
		r.con.Logf("abload: savepoint: %v", err)
		r.savepointErr = err.Error()
		return
	}
	r.savepoint = loc
	r.con.Logf("abload: savepoint written to %s in %.1fs", loc, time.Since(t0).Seconds())
}
