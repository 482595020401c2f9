package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/reports"
)

// assertWarmupSettled checks a run of the quick scenario (warmup: auto) on
// a cold environment against what its own result recorded independently:
// the JIT readings of the JVMs on the data path and the phases. It fails if
// the warmup ended before their JIT settled (a fixed or latency-only
// decision on a cold cluster), if it ended at once (nothing judged), or if
// the measurement phase does not start at the announced event.
func assertWarmupSettled(t *testing.T, out string, rate float64) {
	t.Helper()
	res, err := reports.ReadResult(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := res.Warmup
	if w == nil || w.Mode != "auto" || !w.Settled {
		t.Fatalf("warmup = %+v, want auto and settled", w)
	}
	if w.WarmupS < 10 || w.WarmupS > w.MaxS {
		t.Errorf("warmup %.1f s: want at least two 5 s windows judged and at most the max %.0f s", w.WarmupS, w.MaxS)
	}
	// The measurement starts a lead (1 s) after the decision, at the
	// announced event: the schedule's event at that time. A warmup that
	// settled less than the lead before its max (CI 53: at 59-60 s of 60 s
	// on a slow day) starts measuring at the max, as planned: the max's
	// timer decides then.
	atMax := math.Abs(w.WarmupS-w.MaxS) < 1e-6
	for _, ph := range res.Phases {
		if ph.Name == "measure" {
			d := ph.StartS - w.DecidedS
			switch {
			case atMax && (d < -0.1 || d > 0.6):
				t.Errorf("measure phase starts %.2f s after the decision at the warmup's max, want at once", d)
			case atMax && len(w.JudgedS) == 2 && w.DecidedS-w.JudgedS[1] > 2:
				// The settler stops judging once it settles: a settle
				// well before the max that was ignored shows here.
				t.Errorf("settled at %.1f s but measured from the max at %.1f s: a settle more than the lead before the max must start the measurement", w.JudgedS[1], w.DecidedS)
			case !atMax && (d < 0.5 || d > 1.6):
				t.Errorf("measure phase starts %.2f s after the decision, want the 1 s lead", d)
			}
		}
	}
	if want := w.WarmupS * rate; math.Abs(float64(w.MeasureFirstSeq)-want) > 2 {
		t.Errorf("measure_first_seq %d, want the event due at %.3f s (%.0f)", w.MeasureFirstSeq, w.WarmupS, want)
	}
	// Re-judge the JIT from the recorded series: every watched JVM's mean
	// over the 5 s before the decision within the threshold, and some JVM
	// well above it in the first seconds of load (a cold cluster compiles).
	warmStart := 0.0
	for _, ph := range res.Phases {
		if ph.Name == "warmup" {
			warmStart = ph.StartS
		}
	}
	if len(w.JudgedS) != 2 || w.JudgedS[1] > w.DecidedS+0.1 || math.Abs(w.JudgedS[1]-w.JudgedS[0]-5) > 1e-6 {
		t.Fatalf("judged window %v, want the 5 s before the decision at %.2f s", w.JudgedS, w.DecidedS)
	}
	// The settler judged the readings with TS in (from, to] that had
	// reached it by the decision; the monitor's readings of the last
	// second or so may arrive after it. So it judged a prefix (in time) of
	// the series' readings in (from, to], missing at most the last two and
	// holding at least four (its own minimum): the JIT it recorded for each
	// JVM is the mean of one such prefix, and within the threshold.
	from, to := w.JudgedS[0], w.JudgedS[1]
	watched, busyEarly := 0, false
	for _, r := range res.Resources {
		if !strings.HasPrefix(r.Component, "taskmanager") && r.Component != "kafka" {
			continue
		}
		watched++
		var last, early []float64 // the series is in time order
		for _, s := range r.Series {
			if s.JITPct == nil {
				continue
			}
			if s.TS > from && s.TS <= to {
				last = append(last, *s.JITPct)
			}
			if s.TS > warmStart && s.TS <= warmStart+5 {
				early = append(early, *s.JITPct)
			}
		}
		if len(last) < 4 {
			t.Errorf("%s: %d JIT readings before the decision, want about 5", r.Component, len(last))
			continue
		}
		rec, ok := w.JITPct[r.Component]
		if !ok {
			t.Errorf("%s: the decision records no JIT for it: %v", r.Component, w.JITPct)
			continue
		}
		var means []string
		found := false
		for n := len(last); n >= max(4, len(last)-2); n-- {
			m := mean(last[:n])
			means = append(means, fmt.Sprintf("%.2f%% (first %d)", m, n))
			found = found || math.Abs(rec-m) < 0.06
		}
		if !found {
			t.Errorf("%s: the decision records JIT %.1f%%; the series' readings in (%.1f, %.1f] s give %v: it must be one of them", r.Component, rec, from, to, means)
		}
		if rec > 10 {
			t.Errorf("%s: JIT %.1f%% of a core over the 5 s before the decision: the warmup ended before it settled (<= 10%%)", r.Component, rec)
		}
		if m := mean(early); m > 30 {
			busyEarly = true
		}
	}
	if watched < 2 {
		t.Errorf("%d JVMs on the data path in resources, want the broker and a TaskManager", watched)
	}
	if !busyEarly {
		t.Errorf("no JVM compiled over 30%% of a core in the first 5 s of load: a cold cluster should (is the JIT read?)")
	}
	t.Logf("warmup: %s", reports.WarmupText(w))
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
