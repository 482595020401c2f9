package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad input to `abload capacity` exits 2, names the problem and starts nothing.
func TestCapacityRejectsBadInput(t *testing.T) {
	sweep := "../../scenarios/parallelism-sweep.yaml"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"growth", []string{quick, "--set", "capacity.growth=1"}, "capacity.growth"},
		{"judge too short", []string{quick, "--set", "capacity.judge=1s"}, "capacity.judge"},
		{"max below start", []string{quick, "--set", "capacity.start_rate=5000", "--set", "capacity.max_rate=100"}, "capacity.max_rate"},
		{"repetitions", []string{quick, "--set", "repetitions=2"}, "repetitions"},
		{"matrix with repetitions", []string{sweep}, "repetitions"},
		{"faults", []string{quick, "--set", "faults=[{at: 5s, kind: kill_taskmanager}]"}, "faults"},
		{"no updates output", []string{quick, "--set", "job.outputs.updates=false"}, "job.outputs.updates"},
		{"two scenarios", []string{quick, quick}, "exactly one"},
		{"metrics on every interface", []string{quick, "--metrics-addr", "0.0.0.0:9464"}, "loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, stderr, code := abload(t, append([]string{"capacity", "--out", out}, tc.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not name %q:\n%s", tc.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created", out)
			}
		})
	}
}

// A directory that holds a capacity search or a capacity curve is not
// overwritten without --force.
func TestCapacityRefusesAnExistingResult(t *testing.T) {
	for _, f := range []string{"capacity.json", "capacity-curve.json"} {
		t.Run(f, func(t *testing.T) {
			out := t.TempDir()
			if err := os.WriteFile(filepath.Join(out, f), []byte("{}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := abload(t, "capacity", "--out", out, quick)
			if code != 2 || !strings.Contains(stderr, "already holds a capacity result ("+f+")") || !strings.Contains(stderr, "--force") {
				t.Errorf("exit %d, want 2 naming %s and --force:\n%s", code, f, stderr)
			}
		})
	}
}

// --metrics-addr listens on loopback only: `abload run` refuses any other
// address before it starts anything.
func TestRunRejectsNonLoopbackMetricsAddr(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	_, stderr, code := abload(t, "run", quick, "--out", out, "--metrics-addr", "10.0.0.1:9464")
	if code != 2 || !strings.Contains(stderr, "loopback") {
		t.Fatalf("exit %d, want 2 naming loopback:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("%s was created", out)
	}
}
