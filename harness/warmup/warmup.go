package warmup

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/abload/abload/reports"
)

// Criteria are the thresholds of "settled".
type Criteria struct {
	Window       float64 // seconds judged (and compared with the Window before)
	MaxJITPct    float64 // each watched JVM's mean JIT time over Window, % of a core
	P99Tolerance float64 // relative change of the p99 median allowed
	P99SlackMs   float64 // absolute change always allowed (quiet runs' p99 is a few ms)
}

// Default are the criteria a run uses.
var Default = Criteria{Window: 5, MaxJITPct: 10, P99Tolerance: 0.25, P99SlackMs: 5}

// String states the criteria for the result.
func (c Criteria) String() string {
	return fmt.Sprintf("over the last %g s: each watched JVM's JIT compilers busy <= %g%% of a core on average, and the median per-second e2e p99 within %g%% (or %g ms) of the %g s before",
		c.Window, c.MaxJITPct, c.P99Tolerance*100, c.P99SlackMs, c.Window)
}

// Second is what one second of warmup showed.
type Second struct {
	// AtS is the second's end (seconds from the run's start).
	AtS float64
	// P99Ms is the e2e p99 of the events whose output arrived in the
	// second; 0: none arrived.
	P99Ms float64
	// JIT are the JIT readings taken since the last Second, by JVM: each
	// one second's compile time in % of a core, at its own time.
	JIT map[string][]Reading
}

// Reading is one JIT sample: the second ending at TS (seconds from the
// run's start) and the JIT compilers' busy time in it, % of a core.
type Reading struct {
	TS  float64
	Pct float64
}

// Settler judges the seconds of one warmup.
type Settler struct {
	c    Criteria
	secs []Second
	jit  map[string][]Reading
	last verdict
}

type verdict struct {
	from, to float64 // the window judged
	settled  bool
	reason   string
	jit      map[string]float64
	p99      []float64
}

// New returns a Settler with criteria c.
func New(c Criteria) *Settler { return &Settler{c: c, jit: map[string][]Reading{}} }

// Watched says whether the JVM named name (a component of the environment)
// is on the data path: the TaskManagers and the broker. The JobManager
// keeps compiling for the REST calls that monitor the run, not for events.
func Watched(name string) bool {
	return strings.HasPrefix(name, "taskmanager") || strings.HasPrefix(name, "kafka")
}

// Observe adds one second and says whether the warmup has settled.
func (s *Settler) Observe(sec Second) bool {
	s.secs = append(s.secs, sec)
	for name, rs := range sec.JIT {
		s.jit[name] = append(s.jit[name], rs...)
	}
	s.last = s.judge(sec.AtS)
	return s.last.settled
}

func (s *Settler) judge(now float64) verdict {
	w := int(math.Round(s.c.Window))
	v := verdict{}
	if len(s.secs) < 2*w {
		v.reason = fmt.Sprintf("%d s observed, %d s needed", len(s.secs), 2*w)
		return v
	}
	recent, before := s.secs[len(s.secs)-w:], s.secs[len(s.secs)-2*w:len(s.secs)-w]
	v.from, v.to = now-s.c.Window, now
	var why []string
	if len(s.jit) > 0 {
		v.jit = map[string]float64{}
		names := make([]string, 0, len(s.jit))
		for name := range s.jit {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			var sum float64
			n := 0
			for _, r := range s.jit[name] {
				if r.TS > now-s.c.Window {
					sum += r.Pct
					n++
				}
			}
			// The monitor samples once a second on its own clock: a window
			// holds Window readings, give or take one.
			if n < w-1 {
				why = append(why, fmt.Sprintf("JIT of %s read %d times in the last %g s", name, n, s.c.Window))
				continue
			}
			mean := sum / float64(n)
			v.jit[name] = round1(mean)
			if mean > s.c.MaxJITPct {
				why = append(why, fmt.Sprintf("JIT of %s at %.1f%% of a core (> %g%%)", name, mean, s.c.MaxJITPct))
			}
		}
	}
	a, okA := medianP99(before)
	b, okB := medianP99(recent)
	if !okA || !okB {
		why = append(why, "no output in a window (p99 unknown)")
	} else {
		v.p99 = []float64{round1(a), round1(b)}
		if d := math.Abs(b - a); d > math.Max(s.c.P99Tolerance*a, s.c.P99SlackMs) {
			why = append(why, fmt.Sprintf("p99 median moved %.1f → %.1f ms", a, b))
		}
	}
	if len(why) > 0 {
		v.reason = strings.Join(why, "; ")
		return v
	}
	v.settled = true
	if len(v.jit) > 0 {
		names := make([]string, 0, len(v.jit))
		for name := range v.jit {
			names = append(names, name)
		}
		sort.Strings(names)
		var parts []string
		for _, name := range names {
			parts = append(parts, fmt.Sprintf("%s %.1f%%", name, v.jit[name]))
		}
		v.reason = fmt.Sprintf("JIT settled (%s of a core) and p99 steady (%.1f → %.1f ms)", strings.Join(parts, ", "), a, b)
	} else {
		v.reason = fmt.Sprintf("p99 steady (%.1f → %.1f ms); no JIT reading from the data-path JVMs (an external cluster, or hsperfdata not readable by this user), judged on latency alone", a, b)
	}
	return v
}

// Decision is the record of the warmup: settled or not, why, and the last
// window's readings.
func (s *Settler) Decision(settled bool) reports.WarmupDecision {
	d := reports.WarmupDecision{Mode: "auto", Settled: settled, Criteria: s.c.String(), JITPct: s.last.jit, P99Ms: s.last.p99}
	if s.last.to > 0 {
		d.JudgedS = []float64{s.last.from, s.last.to}
	}
	switch {
	case settled:
		d.Reason = s.last.reason
	case s.last.reason == "":
		d.Reason = "not settled within workload.warmup_max: nothing observed"
	default:
		d.Reason = "not settled within workload.warmup_max: " + s.last.reason
	}
	return d
}

func medianP99(secs []Second) (float64, bool) {
	var v []float64
	for _, s := range secs {
		if s.P99Ms > 0 {
			v = append(v, s.P99Ms)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2], true
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2, true
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// Lead is how far ahead of the decision the measurement phase starts:
// every lane must have seen the boundary before its first event is due.
const Lead = time.Second
