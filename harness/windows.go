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
	// settleMs is how far past a window's end the job's watermark must be
	// before no result for it can change (allowed lateness, with a margin):
	// the collector then folds a reconciled window into its totals.
	settleMs int64
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
	a := windowAssigner{kind: w.Kind, size: w.Size.Milliseconds(), slide: w.Size.Milliseconds(),
		// Window results come from every subtask of the window operator,
		// whose watermarks move together only roughly: a margin of two
		// windows and 10 s of event time beyond the allowed lateness.
		settleMs: w.AllowedLateness.Milliseconds() + 2*w.Size.Milliseconds() + 10_000}
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
