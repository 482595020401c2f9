package load

import (
	"context"

	"github.com/abload/abload/generators"
)

// Worker offers a run's load and says what it offered: the events of the
// schedule from its origin on, each reported to the run's Tally as values
// (counts, per-window and per-variant tallies, send delays), so the run
// never reaches into it. LocalWorker is the one in this process; a worker
// on another machine would report the same values over the wire.
type Worker interface {
	// Send hands out the schedule (or until ctx ends) and returns once
	// what it handed out was delivered or failed: what it sent, and what
	// the generator emitted.
	Send(ctx context.Context) (Stats, generators.Stats)
	// Errors are the records that failed to produce: how many, and the
	// first error.
	Errors() (int64, error)
	// MoveBounds moves the measurement phase to [measureFirst, measureEnd)
	// and the schedule's end to total while Send runs (an auto warmup's
	// decision); measureFirst must not be due yet.
	MoveBounds(measureFirst, measureEnd, total int64)
}

// LocalWorker is a Worker in this process: the Sender's lanes as
// goroutines, producing through Sink (the run's Kafka client).
type LocalWorker struct {
	Sender *Sender
	Sink   Sink
	Lanes  int // at least 1
}

// Send runs the Sender's lanes.
func (w LocalWorker) Send(ctx context.Context) (Stats, generators.Stats) {
	return w.Sender.Run(ctx, w.Sink, max(1, w.Lanes))
}

// Errors are the Sender's produce failures.
func (w LocalWorker) Errors() (int64, error) { return w.Sender.Errors() }

// MoveBounds moves the Sender's phases (Sender.SetBounds).
func (w LocalWorker) MoveBounds(measureFirst, measureEnd, total int64) {
	w.Sender.SetBounds(measureFirst, measureEnd, total)
}
