package harness

import (
	"math"

	"github.com/abload/abload/scenarios"
)

// windowAssigner mirrors the job's event-time window assigner, so that the
// harness knows which window results each sent event is owed by.
type windowAssigner struct {
	kind        string // scenarios.Window* kind; "" = no windows output
	size, slide int64  // ms
}

// sessionStart stands for "every session of the key": session bounds follow
// the data, so the harness reconciles sessions by their summed events per
// (campaign, variant) rather than window by window.
const sessionStart = math.MinInt64

func newWindowAssigner(sc *scenarios.Scenario) windowAssigner {
	if !sc.Job.Outputs.Windows {
		return windowAssigner{}
	}
	w := sc.Job.Window
	a := windowAssigner{kind: w.Kind, size: w.Size.Milliseconds(), slide: w.Size.Milliseconds()}
	if w.Kind == scenarios.WindowSliding {
		a.slide = w.Slide.Milliseconds()
	}
	return a
}

// session reports whether windows are reconciled per key (session windows).
func (a windowAssigner) session() bool { return a.kind == scenarios.WindowSession }

// assign calls f with the start of every window an event at tsMs belongs to
// (Flink's epoch-aligned starts), or with sessionStart for session windows.
func (a windowAssigner) assign(tsMs int64, f func(startMs int64)) {
	switch a.kind {
	case scenarios.WindowTumbling:
		f(floorDiv(tsMs, a.size) * a.size)
	case scenarios.WindowSliding:
		for s := floorDiv(tsMs, a.slide) * a.slide; s > tsMs-a.size; s -= a.slide {
			f(s)
		}
	case scenarios.WindowSession:
		f(sessionStart)
	}
}

// floorDiv is division rounding toward negative infinity (window starts of
// negative times).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}
