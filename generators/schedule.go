package generators

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Schedule is the open-loop pacing contract (the "Pacer"): when each event is
// due, as an offset from the schedule's origin. It never depends on the
// clock, so the sender can be arbitrarily late and still know every event's
// intended time.
//
// Every implementation keeps Due and Count exact inverses: Due is
// non-decreasing (strictly increasing while the rate is positive), and
// Count(Due(i)) == i for every event that is ever due.
type Schedule interface {
	// Due returns the offset at which event i (i >= 0) is due; Never if
	// the rate stays 0 from some point on and event i never comes.
	Due(i int64) time.Duration
	// Count returns how many events are due strictly before offset d, that
	// is the number of i >= 0 with Due(i) < d.
	Count(d time.Duration) int64
	// Rate returns the target rate at offset t, in events/s.
	Rate(t time.Duration) float64
	// Mean returns the mean rate over [from, to), in events/s: the number
	// of events due in it (as a real number, before rounding to whole
	// events) over its length. Offsets before 0 have no events.
	Mean(from, to time.Duration) float64
}

// Never is Due's answer for an event that is never due.
const Never = time.Duration(math.MaxInt64)

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
		return Never
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
	return settleCount(c, d, int64(math.Ceil(est)))
}

func (c constantRate) Rate(time.Duration) float64 { return c.rate }

func (c constantRate) Mean(from, to time.Duration) float64 {
	if to <= from {
		return c.rate
	}
	lo := max(from, 0)
	if to <= lo {
		return 0
	}
	return c.rate * float64(to-lo) / float64(to-from)
}

func (c constantRate) String() string {
	return fmt.Sprintf("constant %g/s", c.rate)
}

// settleCount turns an estimate n of Count(d) into the exact answer by
// comparing with Due, so that Count is Due's inverse by construction.
func settleCount(s Schedule, d time.Duration, n int64) int64 {
	if n < 0 {
		n = 0
	}
	for n > 0 && s.Due(n-1) >= d {
		n--
	}
	for s.Due(n) < d {
		n++
	}
	return n
}

// Profile describes how the target rate changes over a run, offsets counted
// from the schedule origin. Which fields matter depends on Kind:
//
//	constant   Rate (also the empty Kind)
//	ramp       From → To linearly over Over (0: the whole horizon), then To
//	step       Rate until Steps[0].At, then Steps[0].Rate until Steps[1].At, ...
//	spike      Rate, times Multiplier during [At, At+Length): a campaign blast
//	sine       Rate × (1 + Amplitude·sin(2πt/Period))
//	piecewise  through Points, Interpolate "linear" (default) or "step";
//	           the first point's rate before it, the last one's after it
//
// Rates are events/s. A rate of 0 over a span is allowed (no events then),
// but some event must be due within the horizon.
type Profile struct {
	Kind        string
	Rate        float64
	From, To    float64
	Over        time.Duration
	Steps       []Point
	At, Length  time.Duration
	Multiplier  float64
	Amplitude   float64
	Period      time.Duration
	Points      []Point
	Interpolate string
}

// Point is a (time, rate) pair of a step or piecewise profile.
type Point struct {
	At   time.Duration
	Rate float64 // events/s
}

// Profile kinds and piecewise interpolations.
const (
	ProfileConstant  = "constant"
	ProfileRamp      = "ramp"
	ProfileStep      = "step"
	ProfileSpike     = "spike"
	ProfileSine      = "sine"
	ProfilePiecewise = "piecewise"

	InterpolateLinear = "linear"
	InterpolateStep   = "step"
)

const profilePath = "workload.profile"

// NewSchedule checks p and builds its schedule. horizon is the run's length
// by intended time (warmup + duration): a ramp with Over 0 spans it, and at
// least one event must be due within it. Rates beyond the horizon continue
// as the profile says (a ramp holds To, a sine keeps waving), so a schedule
// is defined for any offset. Every problem is reported at once, each with
// its scenario path; the base rate is workload.rate.
//
// Except for constant (closed form, as ConstantRate), the cumulative number
// of events is integrated exactly: the rate is piecewise linear for ramp,
// step, spike and piecewise (so the cumulative count is piecewise quadratic,
// inverted with the quadratic formula) and the sine's integral is closed
// form (inverted by safeguarded Newton). Due(i) is the first nanosecond d at
// which the cumulative count reaches past i by d+1, so events never bunch
// and Count(Due(i)) == i holds exactly.
func NewSchedule(p Profile, horizon time.Duration) (Schedule, error) {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	rate := func(path string, r float64, mustBePositive bool) {
		switch {
		case mustBePositive && !(r > 0 && r <= maxRate):
			bad(path, "must be in (0, 1e9] events/s, got %v", r)
		case !(r >= 0 && r <= maxRate):
			bad(path, "must be in [0, 1e9] events/s, got %v", r)
		}
	}
	points := func(path string, ps []Point) {
		for i, pt := range ps {
			e := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case pt.At < 0:
				bad(e+".at", "must be >= 0, got %s", pt.At)
			case i > 0 && pt.At <= ps[i-1].At:
				bad(e+".at", "must be later than %s[%d].at (%s), got %s", path, i-1, ps[i-1].At, pt.At)
			}
			rate(e+".rate", pt.Rate, false)
		}
	}
	if horizon <= 0 {
		bad("workload.duration", "the schedule's horizon (warmup + duration) must be > 0, got %s", horizon)
	}
	kind := p.Kind
	if kind == "" {
		kind = ProfileConstant
	}
	switch kind {
	case ProfileConstant:
		rate("workload.rate", p.Rate, true)
	case ProfileRamp:
		rate(profilePath+".from", p.From, false)
		rate(profilePath+".to", p.To, false)
		if p.Over < 0 {
			bad(profilePath+".over", "must be >= 0, got %s", p.Over)
		}
	case ProfileStep:
		rate("workload.rate", p.Rate, false)
		points(profilePath+".steps", p.Steps)
	case ProfileSpike:
		rate("workload.rate", p.Rate, false)
		if p.At < 0 {
			bad(profilePath+".at", "must be >= 0, got %s", p.At)
		}
		if p.Length <= 0 {
			bad(profilePath+".length", "must be > 0, got %s", p.Length)
		}
		switch {
		case !(p.Multiplier >= 0) || math.IsInf(p.Multiplier, 1):
			bad(profilePath+".multiplier", "must be a finite number >= 0, got %v", p.Multiplier)
		case p.Rate*p.Multiplier > maxRate:
			bad(profilePath+".multiplier", "workload.rate × multiplier must be at most 1e9 events/s, got %v", p.Rate*p.Multiplier)
		}
	case ProfileSine:
		rate("workload.rate", p.Rate, true)
		if !(p.Amplitude >= 0 && p.Amplitude <= 1) {
			bad(profilePath+".amplitude", "must be in [0,1], got %v", p.Amplitude)
		} else if p.Rate*(1+p.Amplitude) > maxRate {
			bad(profilePath+".amplitude", "workload.rate × (1 + amplitude) must be at most 1e9 events/s, got %v", p.Rate*(1+p.Amplitude))
		}
		if p.Period <= 0 {
			bad(profilePath+".period", "must be > 0, got %s", p.Period)
		}
	case ProfilePiecewise:
		if len(p.Points) == 0 {
			bad(profilePath+".points", "must have at least one point")
		}
		points(profilePath+".points", p.Points)
		switch p.Interpolate {
		case "", InterpolateLinear, InterpolateStep:
		default:
			bad(profilePath+".interpolate", "must be linear or step, got %q", p.Interpolate)
		}
	default:
		bad(profilePath+".kind", "must be one of constant, ramp, step, spike, sine, piecewise, got %q", p.Kind)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	var s Schedule
	switch kind {
	case ProfileConstant:
		return ConstantRate(p.Rate), nil
	case ProfileSine:
		s = newSine(p.Rate, p.Amplitude, p.Period)
	default:
		s = newSegments(kind, p, horizon)
	}
	if s.Count(horizon) == 0 {
		return nil, fmt.Errorf("%s: no event is due within the horizon (%s): the rate is 0 throughout", profilePath, horizon)
	}
	return s, nil
}

// segment is a span of linearly changing rate, in float64: offsets in ns
// (exact up to 2^53 ns, 104 days), rates in events/s, so that an integral
// rate times an offset is exact and only the final division by 1e9 rounds
// (as in ConstantRate: 5000/s over 25 s is exactly 125000 events).
type segment struct {
	t0 float64 // start offset, ns
	c0 float64 // events due before t0, as a real number
	r0 float64 // rate at t0, events/s
	a  float64 // rate slope, events/s per ns
}

// segments is a schedule with a piecewise linear rate; the last segment
// extends forever at a constant rate.
type segments struct {
	segs []segment
	desc string
}

// piece is a span [at, next piece's at) whose rate goes linearly from r0 to
// r1 (events/s).
type piece struct {
	at     time.Duration
	r0, r1 float64
}

func newSegments(kind string, p Profile, horizon time.Duration) *segments {
	var ps []piece
	var desc string
	switch kind {
	case ProfileRamp:
		over := p.Over
		if over == 0 {
			over = horizon
		}
		ps = []piece{{0, p.From, p.To}, {over, p.To, p.To}}
		desc = fmt.Sprintf("ramp %g/s → %g/s over %s", p.From, p.To, over)
	case ProfileStep:
		ps = []piece{{0, p.Rate, p.Rate}}
		var b strings.Builder
		fmt.Fprintf(&b, "step %g/s", p.Rate)
		for _, st := range p.Steps {
			ps = append(ps, piece{st.At, st.Rate, st.Rate})
			fmt.Fprintf(&b, ", %g/s from %s", st.Rate, st.At)
		}
		desc = b.String()
	case ProfileSpike:
		peak := p.Rate * p.Multiplier
		ps = []piece{{0, p.Rate, p.Rate}, {p.At, peak, peak}, {p.At + p.Length, p.Rate, p.Rate}}
		desc = fmt.Sprintf("spike %g/s, ×%g during [%s, %s)", p.Rate, p.Multiplier, p.At, p.At+p.Length)
	case ProfilePiecewise:
		pts := p.Points
		linear := p.Interpolate != InterpolateStep
		ps = []piece{{0, pts[0].Rate, pts[0].Rate}}
		for i, pt := range pts {
			r1 := pt.Rate
			if linear && i+1 < len(pts) {
				r1 = pts[i+1].Rate
			}
			ps = append(ps, piece{pt.At, pt.Rate, r1})
		}
		mode := InterpolateLinear
		if !linear {
			mode = InterpolateStep
		}
		desc = fmt.Sprintf("piecewise (%s) through %d points", mode, len(pts))
	}
	// Drop empty pieces (a spike at 0, a first point at 0): a later piece
	// at the same offset wins.
	kept := ps[:0]
	for _, pc := range ps {
		if n := len(kept); n > 0 && kept[n-1].at == pc.at {
			kept[n-1] = pc
			continue
		}
		kept = append(kept, pc)
	}
	ps = kept
	s := &segments{desc: desc}
	var c float64
	for i, pc := range ps {
		sg := segment{t0: float64(pc.at), c0: c, r0: pc.r0}
		if i+1 < len(ps) {
			l := float64(ps[i+1].at - pc.at)
			sg.a = (pc.r1 - pc.r0) / l
			c += l * (sg.r0 + 0.5*sg.a*l) / 1e9
		}
		s.segs = append(s.segs, sg)
	}
	return s
}

func (s *segments) String() string { return s.desc }

// byTime returns the index of the segment holding offset t (t >= 0).
func (s *segments) byTime(t float64) int {
	lo, hi := 0, len(s.segs)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.segs[m].t0 <= t {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// cum returns the number of events due before offset t (ns), as a real.
func (s *segments) cum(t int64) float64 {
	if t <= 0 {
		return 0
	}
	ft := float64(t)
	sg := &s.segs[s.byTime(ft)]
	x := ft - sg.t0
	return sg.c0 + x*(sg.r0+0.5*sg.a*x)/1e9
}

func (s *segments) Due(i int64) time.Duration {
	if i < 0 {
		i = 0
	}
	y := float64(i)
	// The last segment whose start has at most y events before it holds
	// the crossing; zero-rate segments have the same c0 as their
	// successor and are skipped.
	lo, hi := 0, len(s.segs)-1
	for lo < hi {
		m := (lo + hi + 1) / 2
		if s.segs[m].c0 <= y {
			lo = m
		} else {
			hi = m - 1
		}
	}
	sg := &s.segs[lo]
	if sg.r0 == 0 && sg.a == 0 {
		// Only the last segment can be found with a rate of 0 (an
		// earlier one has its successor's c0): the rate stays 0.
		return Never
	}
	q := (y - sg.c0) * 1e9
	var x float64
	switch {
	case q <= 0:
		x = 0
	case sg.a == 0:
		x = q / sg.r0
	default:
		// Root of r0·x + a·x²/2 = q in its cancellation-free form.
		disc := sg.r0*sg.r0 + 2*sg.a*q
		x = 2 * q / (sg.r0 + math.Sqrt(max(disc, 0)))
	}
	t := sg.t0 + x
	if !(t < 1<<62) {
		return Never
	}
	return time.Duration(settleDue(int64(t), y, s.cum))
}

func (s *segments) Count(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return settleCount(s, d, ceilCount(s.cum(int64(d))))
}

func (s *segments) Rate(t time.Duration) float64 {
	ft := max(float64(t), 0)
	sg := &s.segs[s.byTime(ft)]
	return sg.r0 + sg.a*(ft-sg.t0)
}

func (s *segments) Mean(from, to time.Duration) float64 {
	if to <= from {
		return s.Rate(from)
	}
	return (s.cum(int64(to)) - s.cum(int64(from))) / float64(to-from) * 1e9
}

// sine is Rate × (1 + A·sin(ωt)); its cumulative count is
// ρ·(t + A/ω·(1 - cos ωt)), ρ the base rate in events/ns.
type sine struct {
	rho, amp, omega float64
	desc            string
}

func newSine(rate, amp float64, period time.Duration) *sine {
	return &sine{
		rho:   rate / 1e9,
		amp:   amp,
		omega: 2 * math.Pi / float64(period),
		desc:  fmt.Sprintf("sine %g/s ± %g%% every %s", rate, amp*100, period),
	}
}

func (s *sine) String() string { return s.desc }

func (s *sine) cumF(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return s.rho * (t + s.amp/s.omega*(1-math.Cos(s.omega*t)))
}

func (s *sine) cum(t int64) float64 { return s.cumF(float64(t)) }

func (s *sine) Due(i int64) time.Duration {
	if i < 0 {
		i = 0
	}
	y := float64(i)
	// ρt <= F(t) <= ρt + 2ρA/ω brackets the root. F(t) = y is
	// t = y/ρ - A/ω·(1 - cos ωt): one fixed-point step from y/ρ is a close
	// start, then Newton, falling back to bisection where the rate (F') is
	// near 0. settleDue fixes the last nanosecond, so Newton stops within 1.
	hi := y / s.rho
	lo := max(0, hi-2*s.amp/s.omega)
	t := max(lo, hi-s.amp/s.omega*(1-math.Cos(s.omega*hi)))
	k := s.amp / s.omega
	for range 100 {
		sin, cos := math.Sincos(s.omega * t)
		f := s.rho*(t+k*(1-cos)) - y
		if f > 0 {
			hi = t
		} else {
			lo = t
		}
		fp := s.rho * (1 + s.amp*sin)
		next := t - f/fp
		if !(fp > 0) || !(next > lo && next < hi) {
			next = lo + (hi-lo)/2
		}
		if math.Abs(next-t) < 1 || hi-lo < 1 {
			t = next
			break
		}
		t = next
	}
	if !(t < 1<<62) {
		return Never
	}
	return time.Duration(settleDue(int64(t), y, s.cum))
}

func (s *sine) Count(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return settleCount(s, d, ceilCount(s.cum(int64(d))))
}

func (s *sine) Rate(t time.Duration) float64 {
	return s.rho * (1 + s.amp*math.Sin(s.omega*float64(max(t, 0)))) * 1e9
}

func (s *sine) Mean(from, to time.Duration) float64 {
	if to <= from {
		return s.Rate(from)
	}
	return (s.cum(int64(to)) - s.cum(int64(from))) / float64(to-from) * 1e9
}

// ceilCount rounds a cumulative count up to whole events, within int64.
func ceilCount(c float64) int64 {
	c = math.Ceil(c)
	if !(c < math.MaxInt64/2) {
		return math.MaxInt64 / 2
	}
	return int64(c)
}

// settleDue returns the smallest d >= 0 with cum(d+1) > y, starting from an
// estimate d. The closed-form estimates are within a nanosecond or two, so
// this costs two evaluations of cum; the galloping search is for safety.
func settleDue(d int64, y float64, cum func(int64) float64) int64 {
	d = max(d, 0)
	// Find hi with cum(hi+1) > y and lo < hi with cum(lo+1) <= y (or lo =
	// -1), then bisect: the answer is in (lo, hi].
	lo, hi := d-1, d
	for step := int64(1); cum(hi+1) <= y; step *= 2 {
		if hi > 1<<62 {
			return math.MaxInt64 // never reached: a safety net against looping
		}
		lo = hi
		hi += step
	}
	for step := int64(1); lo >= 0 && cum(lo+1) > y; step *= 2 {
		hi = lo
		lo = max(lo-step, -1)
	}
	for hi-lo > 1 {
		m := lo + (hi-lo)/2
		if cum(m+1) > y {
			hi = m
		} else {
			lo = m
		}
	}
	return hi
}
