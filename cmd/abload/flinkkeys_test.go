package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/harness/env/cluster"
)

// A Flink configuration key the bundle's Flink does not know, in the
// cluster's (env.flink_config) or the job's (job.flink_config), is refused
// before anything is created or started: exit 2, the error naming the key,
// the Flink version and, where it has one, the key that replaces it. A
// malformed entry is refused by validation, with its path.
func TestUnknownFlinkKeyRefused(t *testing.T) {
	rt, err := cluster.FindRuntime("")
	if err != nil {
		t.Fatalf("the runtime bundle (make runtime): %v", err)
	}
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"cluster key Flink 2 dropped", []string{"run", quick, "--set", "env.flink_config=[cluster.evenly-spread-out-slots=true]"},
			[]string{`"cluster.evenly-spread-out-slots"`, "Flink " + rt.FlinkVersion(), "use taskmanager.load-balance.mode: SLOTS", "env.flink_config"}},
		{"job key misspelt", []string{"run", quick, "--set", "job.flink_config=[execution.checkpointing.intervall=5s]"},
			[]string{`"execution.checkpointing.intervall"`, "Flink " + rt.FlinkVersion(), "job.flink_config"}},
		{"in one matrix point", []string{"run", quick, "--set", "matrix={job.flink_config: [[pipeline.auto-watermark-interval=100 ms], [pipeline.object-reuse-typo=true]]}"},
			[]string{`"pipeline.object-reuse-typo"`, "point "}},
		{"capacity", []string{"capacity", quick, "--set", "env.flink_config=[no.such.key=1]"}, []string{`"no.such.key"`}},
		{"env up", []string{"env", "up", quick, "--set", "env.flink_config=[no.such.key=1]"}, []string{`"no.such.key"`}},
		{"a capacity curve point", []string{"capacity", quick, "--set", "matrix={job.flink_config: [[pipeline.auto-watermark-interval=200 ms], [no.such.key=1]]}"},
			[]string{`"no.such.key"`, "point "}},
		{"a key abload sets from a field", []string{"run", quick, "--set", "env.flink_config=[taskmanager.numberOfTaskSlots=4]"}, []string{"env.flink_config[0]", "use env.slots"}},
		{"a key abload owns", []string{"run", quick, "--set", "env.flink_config=[rest.port=1]"}, []string{"env.flink_config[0]", "abload's own"}},
		{"a job key the job section sets", []string{"run", quick, "--set", "job.flink_config=[execution.checkpointing.interval=5s]"}, []string{"job.flink_config[0]", "use job.checkpoint.interval"}},
		{"a reporter option as a key of its own", []string{"run", quick, "--set", "job.flink_config=[factory.class=x]"}, []string{`"factory.class"`}},
		// One key per line: what 2.x calls the adaptive scheduler's cooldown,
		// Flink 1.20 does not know; it names 1.20's own.
		{"a 2.x key on Flink 1.20", []string{"run", quick, "--set", "env.flink_version=1.20", "--set", "job.flink_config=[jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling=1 s]"},
			[]string{`"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"`, "Flink 1.20.0", "use jobmanager.adaptive-scheduler.scaling-interval.min"}},
		{"a dropped key on Flink 2.3", []string{"run", quick, "--set", "env.flink_version=2.3", "--set", "env.flink_config=[cluster.evenly-spread-out-slots=true]"},
			[]string{`"cluster.evenly-spread-out-slots"`, "Flink 2.3.0", "use taskmanager.load-balance.mode: SLOTS"}},
		{"a bundle of another line", []string{"run", quick, "--set", "env.flink_version=1.20", "--runtime", "../../build/runtime"}, []string{"holds Flink 2.2", "not 1.20"}},
		{"not key=value", []string{"run", quick, "--set", "job.flink_config=[pipeline.object-reuse]"}, []string{"job.flink_config[0]", "key=value"}},
		{"a key twice", []string{"run", quick, "--set", "env.flink_config=[a.b=1, a.b=2]"}, []string{"env.flink_config[1]", "set twice"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{}, tc.args...)
			if args[0] == "env" {
				args = append(args, "--dir", out)
			} else {
				args = append(args, "--out", out)
			}
			_, stderr, code := abload(t, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was created: a refused run must create and start nothing", out)
			}
			if strings.Contains(stderr, "starting") || strings.Contains(stderr, "phase=") {
				t.Errorf("something started:\n%s", stderr)
			}
		})
	}
}
