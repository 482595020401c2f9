package generators

import (
	"fmt"
	"math"
	"time"
)

// Schedule is the open-loop pacing contract (the "Pacer"): when each event is
// due, as an offset from the run's start. It never depends on the clock, so
// the sender can be arbitrarily late and still know every event's intended
// time. Due must be non-decreasing in i.
type Schedule interface {
	// Due returns the offset at which event i (i >= 0) is due.
	Due(i int64) time.Duration
	// Count returns how many events are due strictly before offset d, that
	// is the number of i >= 0 with Due(i) < d.
	Count(d time.Duration) int64
}

// maxRate keeps consecutive events at least a nanosecond apart, which is what
// makes Count(Due(i)) == i hold.
const maxRate = 1e9

// ConstantRate returns a schedule of eventsPerSec evenly spaced events:
// event i is due at floor(i × 1s / eventsPerSec). Fractional rates are fine
// (0.5 is one event every 2 s). It panics unless 0 < eventsPerSec <= 1e9:
// the scenario is validated long before pacing starts.
func ConstantRate(eventsPerSec float64) Schedule {
	if !(eventsPerSec > 0 && eventsPerSec <= maxRate) {
		panic(fmt.Sprintf("generators: ConstantRate(%v): rate must be in (0, 1e9] events/s", eventsPerSec))
	}
	return constantRate{rate: eventsPerSec}
}

type constantRate struct{ rate float64 }

func (c constantRate) Due(i int64) time.Duration {
	if i <= 0 {
		return 0
	}
	// i×1e9/rate rather than i×period: exact for integral rates such as 1000,
	// and monotone in i because each float operation rounds monotonically.
	ns := math.Floor(float64(i) * 1e9 / c.rate)
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

func (c constantRate) Count(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	// Estimate from the inverse, then settle against Due itself so that
	// Count and Due agree exactly despite rounding.
	est := float64(d) * c.rate / 1e9
	if est >= math.MaxInt64/2 {
		est = math.MaxInt64 / 2
	}
	n := int64(math.Ceil(est))
	for n > 0 && c.Due(n-1) >= d {
		n--
	}
	for c.Due(n) < d {
		n++
	}
	return n
}

func (c constantRate) String() string {
	return fmt.Sprintf("constant %g/s", c.rate)
}
