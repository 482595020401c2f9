package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestWarmupAuto(t *testing.T) {
	s, err := Parse("t.yaml", []byte("workload:\n  warmup: auto\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Workload.Warmup; !w.Auto || w.Duration != DefaultWarmupMax {
		t.Errorf("warmup %+v, want auto with the default max as its planned length", w)
	}
	s, err = Parse("t.yaml", []byte("workload:\n  warmup: auto\n  warmup_max: 90s\n"), nil)
	if err != nil || s.Workload.Warmup.Duration != 90*time.Second {
		t.Fatalf("warmup_max 90s: %+v, %v", s.Workload.Warmup, err)
	}
	// --set both ways, and back to a fixed warmup.
	s, err = Parse("t.yaml", []byte("workload:\n  warmup: 5s\n"), []string{"workload.warmup=auto", "workload.warmup_max=45s"})
	if err != nil || !s.Workload.Warmup.Auto || s.Workload.Warmup.Duration != 45*time.Second {
		t.Fatalf("--set auto: %+v, %v", s.Workload.Warmup, err)
	}
	if err := s.Set("workload.warmup", "3s"); err != nil || s.Workload.Warmup.Auto || s.Workload.Warmup.Duration != 3*time.Second {
		t.Fatalf("Set 3s: %+v, %v", s.Workload.Warmup, err)
	}
	if err := s.Set("workload.warmup", "auto"); err != nil || s.Workload.Warmup.Duration != 45*time.Second {
		t.Fatalf("Set auto: %+v, %v", s.Workload.Warmup, err)
	}
	// A result's scenario reads back with the same planned length.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"warmup":"auto"`) {
		t.Errorf("JSON %s lacks warmup auto", b)
	}
	var back Scenario
	if err := json.Unmarshal(b, &back); err != nil || back.Workload.Warmup != s.Workload.Warmup {
		t.Errorf("JSON round trip: %+v, %v; want %+v", back.Workload.Warmup, err, s.Workload.Warmup)
	}
}

// What an auto warmup would move is refused, each naming why.
func TestWarmupAutoRefusals(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"faults", "workload:\n  warmup: auto\nfaults:\n  - {at: 20s, kind: kill_taskmanager}\n", "faults: with workload.warmup auto: faults[].at counts from the start of warmup"},
		{"scaling", "workload:\n  warmup: auto\nscaling:\n  - {at: 20s, action: add_taskmanager}\n", "scaling: with workload.warmup auto: scaling[].at counts"},
		{"ramp", "workload:\n  warmup: auto\n  profile:\n    kind: ramp\n    from: 100\n    to: 1000\n", "workload.profile.kind: with workload.warmup auto the profile must be constant (got ramp)"},
		{"max too short", "workload:\n  warmup: auto\n  warmup_max: 10s\n", "workload.warmup_max: must be >= 11s with workload.warmup auto"},
		{"typo", "workload:\n  warmup: automatic\n", `workload.warmup: malformed warmup "automatic" (want auto, or a Go duration such as 10s)`},
	} {
		_, err := Parse("t.yaml", []byte(c.data), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
