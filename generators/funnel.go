package generators

import (
	"fmt"
	"math"
	"time"
)

// LogNormal is a delay distributed as Median·exp(Sigma·Z), Z standard normal:
// right-skewed like real email reaction times (most opens come soon, a long
// tail comes hours later). Sigma 0 makes the delay exactly Median.
type LogNormal struct {
	Median time.Duration
	Sigma  float64
}

// Funnel is the causal email funnel. Every send may lead to a delivery (else
// a bounce), a delivery to a bot open and a human open, a human open to
// re-opens, a click (and re-clicks) and an unsubscribe, a click to a
// conversion. Probabilities are per send (or per step, as each field says);
// delays are in campaign time, which TimeScale compresses into run time so
// that a day-long campaign fits a minutes-long run.
type Funnel struct {
	// TimeScale is campaign seconds per run second (360: an hour of
	// campaign in 10 s).
	TimeScale float64
	// Bounce is the probability that a send bounces instead of being
	// delivered.
	Bounce float64
	// Open, Click and Conversion are per variant, in the order of
	// Config.Variants: one value applies to every variant. Open is per
	// delivery, Click per human-opened send, Conversion per clicked send.
	Open, Click, Conversion []float64
	// Unsubscribe is per human-opened send; Reopen the probability of each
	// further re-open after a human open (and of each re-click after a
	// click), so repeats are geometric; BotOpen per delivery, the machine
	// open of a security scanner or privacy proxy 0–2 s of campaign time
	// after delivery, flagged bot.
	Unsubscribe, Reopen, BotOpen float64
	// DeliveryDelay: send → delivery or bounce; OpenDelay: delivery → open
	// and open → re-open; ClickDelay: open → click, click → re-click and
	// open → unsubscribe; ConversionDelay: click → conversion.
	DeliveryDelay, OpenDelay, ClickDelay, ConversionDelay LogNormal
}

// DefaultFunnel is a plausible marketing email: 2% bounces, a 20% open rate
// of which half click, 5% of clicks convert, opens mostly within the hour.
func DefaultFunnel() Funnel {
	return Funnel{
		TimeScale:       360,
		Bounce:          0.02,
		Open:            []float64{0.20},
		Click:           []float64{0.10},
		Conversion:      []float64{0.05},
		Unsubscribe:     0.002,
		Reopen:          0.2,
		BotOpen:         0.05,
		DeliveryDelay:   LogNormal{Median: 2 * time.Second, Sigma: 0.5},
		OpenDelay:       LogNormal{Median: 20 * time.Minute, Sigma: 1},
		ClickDelay:      LogNormal{Median: 2 * time.Minute, Sigma: 1},
		ConversionDelay: LogNormal{Median: 10 * time.Minute, Sigma: 1},
	}
}

// MaxFollowUp bounds the funnel in campaign time: an event that would come
// more than this after its send is not generated. It keeps a lane's pending
// state bounded (see Lane) while cutting a negligible tail: with the default
// delays, a human open falls beyond 24 h with probability ~1e-5.
const MaxFollowUp = 24 * time.Hour

// maxRepeats bounds re-opens per open chain and re-clicks per click chain,
// which keeps the number of follow-ups per send bounded. With Reopen 0.2 a
// ninth repeat has probability 0.2^9 ≈ 5e-7.
const maxRepeats = 8

// botWindow is how long after delivery a bot open comes, in campaign time.
const botWindow = 2 * time.Second

const funnelPath = "workload.funnel"

// validate reports every problem of f for nVariants variants.
func (f Funnel) validate(nVariants int) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: "+format, append([]any{funnelPath, field}, args...)...))
	}
	if !(f.TimeScale > 0) || math.IsInf(f.TimeScale, 1) {
		bad("time_scale", "must be a finite number > 0 (campaign seconds per run second), got %v", f.TimeScale)
	}
	prob := func(field string, p float64) {
		if !(p >= 0 && p <= 1) {
			bad(field, "must be in [0,1], got %v", p)
		}
	}
	prob("bounce", f.Bounce)
	prob("unsubscribe", f.Unsubscribe)
	prob("bot_open", f.BotOpen)
	if !(f.Reopen >= 0 && f.Reopen < 1) {
		bad("reopen", "must be in [0,1) (each open re-opens with this probability; 1 would never end), got %v", f.Reopen)
	}
	for _, pv := range []struct {
		field string
		ps    []float64
	}{{"open", f.Open}, {"click", f.Click}, {"conversion", f.Conversion}} {
		if len(pv.ps) != 1 && len(pv.ps) != nVariants {
			if nVariants == 1 {
				bad(pv.field, "must have 1 value, got %d", len(pv.ps))
			} else {
				bad(pv.field, "must have 1 value (for every variant) or %d (one per variant), got %d", nVariants, len(pv.ps))
			}
		}
		for i, p := range pv.ps {
			prob(fmt.Sprintf("%s[%d]", pv.field, i), p)
		}
	}
	for _, d := range []struct {
		field string
		ln    LogNormal
	}{
		{"delays.delivery", f.DeliveryDelay},
		{"delays.open", f.OpenDelay},
		{"delays.click", f.ClickDelay},
		{"delays.conversion", f.ConversionDelay},
	} {
		if d.ln.Median < 0 {
			bad(d.field+".median", "must be >= 0, got %s", d.ln.Median)
		}
		if !(d.ln.Sigma >= 0) || math.IsInf(d.ln.Sigma, 1) {
			bad(d.field+".sigma", "must be a finite number >= 0, got %v", d.ln.Sigma)
		}
	}
	return errs
}

// perVariant expands a per-variant slice (one value or one per variant).
func perVariant(ps []float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		if len(ps) == 1 {
			out[i] = ps[0]
		} else {
			out[i] = ps[i]
		}
	}
	return out
}

// Disorder makes event time and arrival order disagree, as they do when
// events pass through mobile clients, ESP webhooks and retries.
type Disorder struct {
	// MaxDelay bounds ordinary disorder: every event is emitted a uniform
	// random lag in [0, MaxDelay] after its event time, so a job whose
	// watermark allows MaxDelay of out-of-orderness drops none of them.
	// It must be a whole number of milliseconds (event times are ms).
	MaxDelay time.Duration
	// LateFraction of the events (duplicates aside) instead lag by LateLag
	// plus a uniform jitter of up to 10% of it: beyond the job's bound, so
	// they are late.
	LateFraction float64
	// LateLag must exceed MaxDelay when LateFraction > 0. In the scenario
	// it is workload.disorder.late_by.
	LateLag time.Duration
	// Duplicates is the fraction of human opens that are sent twice: an
	// identical event (same type, event time, campaign, variant,
	// recipient) under a new seq, later but still within MaxDelay of its
	// event time, so the job sees it on time and must de-duplicate it. A
	// duplicate whose slot comes too late for that is dropped and counted
	// (Stats.DroppedDuplicates): with MaxDelay 0 it must go out in the same
	// millisecond, which takes well over 1000 events/s per lane.
	Duplicates float64
}

const disorderPath = "workload.disorder"

// maxLag bounds MaxDelay and LateLag: a day is far beyond any watermark,
// and the bound keeps lag arithmetic far from overflowing.
const maxLag = 24 * time.Hour

// validate reports every problem of d.
func (d Disorder) validate() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: "+format, append([]any{disorderPath, field}, args...)...))
	}
	switch {
	case d.MaxDelay < 0:
		bad("max_delay", "must be >= 0, got %s", d.MaxDelay)
	case d.MaxDelay > maxLag:
		bad("max_delay", "must be at most %s, got %s", maxLag, d.MaxDelay)
	case d.MaxDelay%time.Millisecond != 0:
		bad("max_delay", "must be a whole number of milliseconds (event times are in ms), got %s", d.MaxDelay)
	}
	if !(d.LateFraction >= 0 && d.LateFraction <= 1) {
		bad("late_fraction", "must be in [0,1], got %v", d.LateFraction)
	}
	switch {
	case d.LateLag < 0:
		bad("late_by", "must be >= 0, got %s", d.LateLag)
	case d.LateFraction > 0 && d.LateLag <= d.MaxDelay:
		bad("late_by", "must be greater than %s.max_delay (%s) for late events to be late, got %s", disorderPath, d.MaxDelay, d.LateLag)
	case d.LateLag > maxLag:
		bad("late_by", "must be at most %s, got %s", maxLag, d.LateLag)
	}
	if !(d.Duplicates >= 0 && d.Duplicates <= 1) {
		bad("duplicates", "must be in [0,1], got %v", d.Duplicates)
	}
	return errs
}
