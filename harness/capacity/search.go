package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// capSearch is the search's arithmetic: multiply by growth while steps
// pass, then bisect between the highest pass and the lowest failure.
type capSearch struct {
	start, growth, precision, max float64
	pass, fail                    float64 // highest passing, lowest failing rate (0: none yet)
	failReason                    string
}

// next returns the next rate to try, or why the search is over.
func (s *capSearch) next() (float64, string) {
	round := func(v float64) float64 { return math.Max(1, math.Round(v)) }
	switch {
	case s.pass == 0 && s.fail == 0:
		return round(s.start), ""
	case s.fail == 0:
		if s.pass >= s.max {
			return 0, reports.StoppedByMaxRate
		}
		return round(math.Min(s.pass*s.growth, s.max)), ""
	case s.pass == 0:
		// Even the first rate failed: go down by growth.
		r := round(s.fail / s.growth)
		if r >= s.fail || r < s.start/1000 {
			return 0, reports.StoppedByMinRate
		}
		return r, ""
	}
	if (s.fail-s.pass)/s.pass <= s.precision {
		return 0, reports.StoppedByPrecision
	}
	mid := round((s.pass + s.fail) / 2)
	if mid <= s.pass || mid >= s.fail {
		return 0, reports.StoppedByPrecision // whole events/s cannot be split further
	}
	return mid, ""
}

// record notes a step's verdict.
func (s *capSearch) record(rate float64, pass bool, reason string) {
	if pass {
		if rate > s.pass {
			s.pass = rate
		}
		return
	}
	if s.fail == 0 || rate < s.fail {
		s.fail, s.failReason = rate, reason
	}
}

// confidence is (fail − pass) / pass, 0 when either is unknown.
func (s *capSearch) confidence() float64 {
	if s.pass == 0 || s.fail == 0 {
		return 0
	}
	return (s.fail - s.pass) / s.pass
}

// searchStep runs one step at a rate and says whether it held every SLO.
// An error ends the search (aborted).
type searchStep func(ctx context.Context, n int, rate float64) (pass bool, reason string, err error)

// runSearch drives the search until it stops by itself (precision,
// max_rate, min_rate), the budget has no room for another step (a step
// takes stepLen), or step fails with an error (aborted).
func runSearch(ctx context.Context, s *capSearch, deadline time.Time, stepLen time.Duration, now func() time.Time, step searchStep) (stoppedBy string, err error) {
	for n := 1; ; n++ {
		rate, stop := s.next()
		if stop != "" {
			return stop, nil
		}
		if now().Add(stepLen).After(deadline) {
			return reports.StoppedByBudget, nil
		}
		pass, reason, err := step(ctx, n, rate)
		if err != nil {
			return reports.StoppedByAborted, err
		}
		s.record(rate, pass, reason)
	}
}

// lagSlope is the least-squares slope of ys over xs (0 with fewer than 2 points).
func lagSlope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if len(xs) < 2 || len(xs) != len(ys) {
		return 0
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= n
	my /= n
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return 0
	}
	return sxy / sxx
}

// sampledIn is how many seqs in [a, b) the job reports (seq % sample == 0).
func sampledIn(a, b, sample int64) int64 {
	if b <= a {
		return 0
	}
	ceilDiv := func(x int64) int64 { return (x + sample - 1) / sample }
	return ceilDiv(b) - ceilDiv(a)
}

// ClockNote adds to a search's note what a clock check beyond
// env.max_clock_offset means for it. A run is invalid then; a search keeps
// its answer and says what it is worth: the consumer delay each step was
// judged on is off by the clocks' difference.
func ClockNote(note string, c *reports.ClockCheck, bound scenarios.Duration) string {
	if c == nil || c.Error != "" || c.Within {
		return note
	}
	w := fmt.Sprintf("the broker's clock is %+.1f ms ± %.1f ms off this host's, beyond env.max_clock_offset (%s): each step's consumer delay is off by as much", c.OffsetMs, c.UncertaintyMs, bound)
	if note == "" {
		return w
	}
	return note + "; " + w
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// errEventsExhausted: the sender reached its bound (max_rate × budget).
var errEventsExhausted = errors.New("the sender reached its event bound (capacity.max_rate × capacity.budget)")

// Search searches for the highest rate that holds the scenario's capacity
// SLOs, stepping the rig's load, and writes the answer into out: the steps
// (also those of a search stopped by an error), the sustainable and first
// failing rates, the saturation, what stopped it and a note saying what
// that means. The error is what stopped a search that could not finish
// (aborted, the job stopped, the sender's bound); a step the harness or the
// broker limited ends it without one.
func (g *Rig) Search(ctx context.Context, out *reports.Capacity) error {
	k := g.Scenario.Capacity
	deadline := time.Unix(0, g.OriginNs).Add(k.Budget.Duration)
	search := &capSearch{start: k.StartRate, growth: k.Growth, precision: k.Precision, max: k.MaxRate}
	step := func(ctx context.Context, n int, rate float64) (bool, string, error) {
		st, err := g.step(ctx, n, rate)
		if st != nil {
			out.Steps = append(out.Steps, *st)
		}
		if err != nil {
			return false, "", err
		}
		if st.LimitedBy != "" {
			return false, st.Reason, errLimited
		}
		return st.Verdict == reports.VerdictPass, st.Reason, nil
	}
	now := func() time.Time { return time.Unix(0, g.Now()) }
	stoppedBy, serr := runSearch(ctx, search, deadline, k.Settle.Duration+k.Judge.Duration, now, step)
	limited := errors.Is(serr, errLimited)
	if limited {
		stoppedBy, serr = reports.StoppedByLimited, nil
	}

	out.SustainableEPS, out.FirstFailingEPS, out.FailReason = search.pass, search.fail, search.failReason
	out.Confidence = search.confidence()
	out.SaturationEPS = reports.SaturationEPS(out.Steps)
	out.StoppedBy = stoppedBy
	switch stoppedBy {
	case reports.StoppedByBudget:
		out.Note = fmt.Sprintf("the budget (%s) ended the search before another step (settle %s + judge %s) fit", k.Budget, k.Settle, k.Judge)
	case reports.StoppedByMaxRate:
		out.Note = fmt.Sprintf("capacity.max_rate (%g events/s) held every SLO: the capacity is at least that", k.MaxRate)
	case reports.StoppedByMinRate:
		out.Note = "every rate tried failed, down to start_rate / 1000"
	case reports.StoppedByPrecision:
		out.Note = fmt.Sprintf("the highest pass and the lowest failure are within capacity.precision (%g)", k.Precision)
	case reports.StoppedByAborted:
		out.Note = fmt.Sprintf("the search was stopped: %v", serr)
	case reports.StoppedByLimited:
		// The limited step is not in the search (runSearch never recorded
		// it): a failure known above it was the job's own.
		last := out.Steps[len(out.Steps)-1]
		beyond := "not known beyond"
		if out.FirstFailingEPS > 0 {
			beyond = fmt.Sprintf("below the %.0f events/s it failed at", out.FirstFailingEPS)
		}
		out.Note = fmt.Sprintf("the %s could not offer %.0f events/s (%s): the job's capacity is at least %.0f events/s, %s; give the harness more CPU or a faster broker",
			last.LimitedBy, last.RateEPS, last.Reason, out.SustainableEPS, beyond)
	}
	return serr
}
