package load

import (
	"context"
	"time"
)

// WindowKey identifies one window result: event-time window start and (campaign, variant).
type WindowKey struct {
	StartMs  int64
	Campaign int32
	Variant  string
}

// SendDelay is one measured event's send delay (sent − intended).
type SendDelay struct{ IntendedNs, DelayNs int64 }

// Stats is what the sender knows when it finishes.
type Stats struct {
	Total          int64 // events handed to the Kafka client, all phases
	Measure        int64 // of those, intended inside the measurement phase
	FirstMeasureNs int64 // send time of the first measure-phase event
	LastMeasureNs  int64 // send time of the last measure-phase event
	LastEventMs    int64 // largest event time sent
	Completed      bool  // the whole schedule went out
}

// SleepCtx sleeps d or until ctx ends; false when ctx ended. Below 2 ms
// (the sender's short waits) it sleeps in the kernel (shortSleep) and
// notices ctx only when it wakes: the runtime's timers wake in whole
// milliseconds on Linux (its poller rounds a wait down to them and one
// under 1 ms up to 1 ms), so a 1.5 ms timer would take about 2.1 ms.
func SleepCtx(ctx context.Context, d time.Duration) bool {
	if d < 2*time.Millisecond {
		shortSleep(d)
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
