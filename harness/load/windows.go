package load

import (
	"math"

	"github.com/abload/abload/scenarios"
)

// WindowAssigner mirrors the job's event-time window assigner, so that the
// harness knows which window results each sent event is owed by.
type WindowAssigner struct {
	Kind        string // scenarios.Window* kind; "" = no windows output
	Size, Slide int64  // ms
	// SettleMs is how far past a window's end the job's watermark must be
	// before no result for it can change (allowed lateness, with a margin):
	// the collector then folds a reconciled window into its totals.
	SettleMs int64
}

// SessionStart stands for "every session of the key": session bounds follow
// the data, so the harness reconciles sessions by their summed events per
// (campaign, variant) rather than window by window.
const SessionStart = math.MinInt64

func NewWindowAssigner(sc *scenarios.Scenario) WindowAssigner {
	if !sc.Job.Outputs.Windows {
		return WindowAssigner{}
	}
	w := sc.Job.Window
	a := WindowAssigner{Kind: w.Kind, Size: w.Size.Milliseconds(), Slide: w.Size.Milliseconds(),
		// Window results come from every subtask of the window operator,
		// whose watermarks move together only roughly: a margin of two
		// windows and 10 s of event time beyond the allowed lateness.
		SettleMs: w.AllowedLateness.Milliseconds() + 2*w.Size.Milliseconds() + 10_000}
	if w.Kind == scenarios.WindowSliding {
		a.Slide = w.Slide.Milliseconds()
	}
	return a
}

// Session reports whether windows are reconciled per key (session windows).
func (a WindowAssigner) Session() bool { return a.Kind == scenarios.WindowSession }

// Assign calls f with the start of every window an event at tsMs belongs to
// (Flink's epoch-aligned starts), or with sessionStart for session windows.
func (a WindowAssigner) Assign(tsMs int64, f func(startMs int64)) {
	switch a.Kind {
	case scenarios.WindowTumbling:
		f(floorDiv(tsMs, a.Size) * a.Size)
	case scenarios.WindowSliding:
		for s := floorDiv(tsMs, a.Slide) * a.Slide; s > tsMs-a.Size; s -= a.Slide {
			f(s)
		}
	case scenarios.WindowSession:
		f(SessionStart)
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
