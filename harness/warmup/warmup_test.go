package warmup

import (
	"strings"
	"testing"
)

// feed observes one second per value: the p99 and, for each JVM, one JIT
// reading at the second's end.
func feed(s *Settler, t0 float64, p99 []float64, jit map[string][]float64) (settledAt int) {
	for i := range p99 {
		sec := Second{AtS: t0 + float64(i+1), P99Ms: p99[i], JIT: map[string][]Reading{}}
		for name, v := range jit {
			if i < len(v) && v[i] >= 0 {
				sec.JIT[name] = []Reading{{TS: sec.AtS - 0.3, Pct: v[i]}}
			}
		}
		if s.Observe(sec) {
			return i + 1
		}
	}
	return 0
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// A cold TaskManager compiles hard, then less: the warmup settles at the
// first second whose last 5 readings average <= 10% of a core, not before,
// however steady the latency was all along.
func TestSettlesWhenJITDoes(t *testing.T) {
	tm := append(append(repeat(80, 12), 30, 20, 12, 9, 8), repeat(2, 10)...)
	kafka := append(repeat(40, 5), repeat(1, 24)...)
	p99 := repeat(200, len(tm))
	s := New(Default)
	at := feed(s, 0, p99, map[string][]float64{"taskmanager-1": tm, "kafka": kafka})
	// Seconds 13..17 are 30,20,12,9,8 (mean 15.8); 15..19: 12,9,8,2,2 (6.6);
	// 14..18: 20,12,9,8,2 (10.2); so second 19 is the first settled.
	if at != 19 {
		t.Fatalf("settled at second %d, want 19", at)
	}
	d := s.Decision(true)
	if !d.Settled || d.JITPct["taskmanager-1"] != 6.6 || !strings.Contains(d.Reason, "JIT settled") || len(d.JudgedS) != 2 || d.JudgedS[1] != 19 {
		t.Errorf("decision %+v", d)
	}
}

// The JobManager is not judged: it compiles for the monitor's REST calls.
func TestWatchedJVMs(t *testing.T) {
	for name, want := range map[string]bool{"taskmanager-1": true, "taskmanager-12": true, "kafka": true, "jobmanager": false, "abload": false} {
		if Watched(name) != want {
			t.Errorf("Watched(%q) = %v", name, !want)
		}
	}
}

// A latency still falling (a cache filling, a backlog draining) keeps the
// warmup on even with the JIT quiet; it settles once two windows agree.
func TestLatencyMustBeSteady(t *testing.T) {
	p99 := []float64{900, 800, 700, 600, 500, 400, 350, 300, 250, 220, 200, 200, 205, 198, 200, 201, 199, 200, 202, 200}
	s := New(Default)
	at := feed(s, 0, p99, map[string][]float64{"taskmanager-1": repeat(1, len(p99))})
	// Window medians: seconds 6..10 (300) vs 11..15 (200) moved 33%; 7..11
	// (250) vs 12..16 (200) 20%: settled at second 16.
	if at != 16 {
		t.Fatalf("settled at second %d, want 16", at)
	}
}

// A few ms of p99 jitter on a quiet run is not "unsettled" (the slack).
func TestLatencySlack(t *testing.T) {
	p99 := []float64{4, 4, 4, 4, 4, 8, 8, 8, 8, 8}
	s := New(Default)
	if at := feed(s, 0, p99, map[string][]float64{"kafka": repeat(0, 10)}); at != 10 {
		t.Fatalf("settled at second %d, want 10 (a 4 ms move is within the 5 ms slack)", at)
	}
}

// Without any JIT reading (an external cluster) latency alone is judged,
// and the decision says so; a JVM whose readings stop is not settled.
func TestWithoutJIT(t *testing.T) {
	s := New(Default)
	if at := feed(s, 0, repeat(50, 10), nil); at != 10 {
		t.Fatalf("settled at %d, want 10", at)
	}
	if d := s.Decision(true); !strings.Contains(d.Reason, "no JIT reading from the data-path JVMs") || d.JITPct != nil {
		t.Errorf("decision %+v, want latency alone named", d)
	}
	s = New(Default)
	tm := append(repeat(1, 8), -1, -1, -1, -1) // readings stop after second 8
	if at := feed(s, 0, repeat(50, 12), map[string][]float64{"taskmanager-1": tm}); at != 0 {
		t.Fatalf("settled at %d with the TaskManager's readings gone", at)
	}
	if d := s.Decision(false); d.Settled || !strings.HasPrefix(d.Reason, "not settled within workload.warmup_max: JIT of taskmanager-1 read") {
		t.Errorf("decision %+v", d)
	}
}
