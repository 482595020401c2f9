package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// drain ends the run's input with the flush records and waits until every
// sent event is accounted for on the updates path and every expected window
// result arrived, or the drain timeout passes.
//
// The flush records are written while the drain waits, and retried until
// its deadline: the broker may still be coming back from a fault (a restart
// took 40 s once on a busy machine), and without them the run's last
// windows never close. A drain that completes waits for the flush too
// (milliseconds then: the broker is up), so every run's input ends with it.
func (r *rig) drain(ctx context.Context, lastEventMs int64, jobEnded <-chan string) (timedOut, aborted bool, jobFailure string) {
	deadline := time.Now().Add(r.sc.Workload.DrainTimeout.Duration)
	fctx, cancelFlush := context.WithDeadline(ctx, deadline)
	defer cancelFlush()
	type flushed struct {
		at  time.Time
		err error
	}
	done := make(chan flushed, 1)
	go func() {
		at, err := r.flush(fctx, lastEventMs)
		done <- flushed{at, err}
	}()
	timedOut, aborted, jobFailure = r.await(ctx, jobEnded, deadline)
	if timedOut || aborted || jobFailure != "" {
		cancelFlush()
	}
	fl := <-done
	switch {
	case fl.err == nil:
		r.flushedBy = deadline.Sub(fl.at)
	case timedOut:
		// Cancelled at the deadline or failed: either way not written.
		r.flushErr = fl.err.Error()
		r.con.Logf("abload: flush: %v", fl.err)
	case !aborted && jobFailure == "":
		r.con.Logf("abload: flush: %v", fl.err)
	}
	return timedOut, aborted, jobFailure
}

// flush writes one flush control record to every input partition with an
// event time past the last window, so every window of the run closes, and
// returns when they were written. It retries until ctx ends (a flush
// written twice is harmless: the job drops flush records, so the producer
// is not idempotent, and a request in flight can be given up when ctx ends).
func (r *rig) flush(ctx context.Context, lastEventMs int64) (time.Time, error) {
	cl, err := kgo.NewClient(r.ep.ClientOpts(
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.DefaultProduceTopic(r.topics.Input),
		kgo.DisableIdempotentWrite(), kgo.UnknownTopicRetries(-1))...)
	if err != nil {
		return time.Time{}, err
	}
	defer cl.Close()
	w := r.sc.Job.Window
	ts := lastEventMs + max(w.Size.Milliseconds(), w.Gap.Milliseconds()) + r.sc.Job.OutOfOrderness.Milliseconds() + 1000
	ev := generators.Event{Seq: -1, IntendedNs: r.clock.Now(), EventTimeMs: ts, Type: generators.Flush, Variant: ""}
	for {
		var recs []*kgo.Record
		for p := 0; p < r.partitions(); p++ {
			recs = append(recs, &kgo.Record{Partition: int32(p), Value: ev.AppendJSON(nil)})
		}
		err := cl.ProduceSync(ctx, recs...).FirstErr()
		if err == nil {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			if errors.Is(err, ctx.Err()) {
				return time.Time{}, err
			}
			return time.Time{}, fmt.Errorf("%w (last attempt: %v)", ctx.Err(), err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// await polls until every sent event is accounted for on the updates path
// and every expected window result arrived, or deadline passes.
func (r *rig) await(ctx context.Context, jobEnded <-chan string, deadline time.Time) (timedOut, aborted bool, jobFailure string) {
	for {
		done, sent := r.col.Drained(r.topics.Updates != "", r.topics.Windows != "")
		if r.topics.Updates == "" && r.topics.Windows == "" && r.mon != nil {
			// No output to wait for: wait until the job has read every event.
			read, _, _, known := r.mon.Read()
			done = known && read >= sent
		}
		if done {
			return false, false, ""
		}
		if time.Now().After(deadline) {
			return true, false, ""
		}
		select {
		case <-ctx.Done():
			return false, true, ""
		case why := <-jobEnded:
			return false, false, why
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// drainTimeoutReasons are the invalid reasons of a drain that timed out:
// what it waited for (short of them: the windows that came with fewer
// events than owed), and a flush that could not be written.
func (r *rig) drainTimeoutReasons(rec *reports.Reconciliation, short int64) []string {
	why := fmt.Sprintf("drain timed out after %s: %d events unaccounted for; latency excludes them", r.sc.Workload.DrainTimeout, rec.Lost)
	if w := rec.Windows; w != nil && (w.Missing > 0 || w.CountMismatch > 0) {
		why += fmt.Sprintf("; window results: %d of %d missing, %d short of their events, %d with more", w.Missing, w.Expected, short, w.CountMismatch-short)
		if r.lateDropsLikely(rec, short) {
			why += fmt.Sprintf(" (every event reached the job and the flush was written %.0f s before the timeout, yet windows came short: its window operator most likely dropped events as late, as it does for a partition marked idle during an outage; see restart_broker and job.idleness in docs/measurements.md)", r.flushedBy.Seconds())
		}
	}
	out := []string{why}
	if r.flushErr != "" && r.topics.Windows != "" {
		out = append(out, "the flush records that close the run's last windows could not be written before the drain timeout: "+r.flushErr)
	}
	return out
}

// lateDropsLikely reports whether windows that came short (short of them)
// are best explained by the job's window operator dropping events as late:
// every event's update arrived (every event sampled, so none unseen), and
// the flush that closes the last windows was written well before the drain
// timed out (a checkpoint interval more with exactly-once output, whose
// windows become visible only at a commit).
func (r *rig) lateDropsLikely(rec *reports.Reconciliation, short int64) bool {
	if short == 0 || r.topics.Updates == "" || r.sc.Job.UpdatesSample > 1 || rec.Lost != 0 || r.flushErr != "" {
		return false
	}
	margin := 5 * time.Second
	if r.sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		margin += r.sc.Job.Checkpoint.Interval.Duration
	}
	return r.flushedBy >= margin
}
