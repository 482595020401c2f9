package testcontainers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/scenarios"
)

// env.pin and the CPU limits reach each container's host config.
func TestContainerLimitsFromScenario(t *testing.T) {
	sc := scenarios.Defaults()
	sc.Env.Kind = scenarios.EnvDocker
	sc.Env.TaskManager.CPUs = 0.5
	sc.Env.Pin = scenarios.Pin{Kafka: "0", TaskManagers: "1", Harness: "0"}
	rec, err := cluster.RecipeFor("2.2.1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := configFor(env.Spec{Scenario: sc}, rec, t.TempDir())

	for _, tt := range []struct {
		name       string
		wantNano   int64
		wantCpuset string
	}{
		{"kafka", 0, "0"},
		{"jobmanager", 0, ""},
		{"taskmanager-1", 5e8, "1"},
		{"taskmanager-3", 5e8, "1"},
	} {
		var hc container.HostConfig
		cfg.limitsOf(tt.name, 1<<30).apply(&hc)
		if hc.NanoCPUs != tt.wantNano || hc.CpusetCpus != tt.wantCpuset || hc.Memory != 1<<30 || hc.MemorySwap != 1<<30 {
			t.Errorf("%s: NanoCPUs %d, CpusetCpus %q, Memory %d, MemorySwap %d; want %d, %q, %d, %d",
				tt.name, hc.NanoCPUs, hc.CpusetCpus, hc.Memory, hc.MemorySwap, tt.wantNano, tt.wantCpuset, 1<<30, 1<<30)
		}
	}
	if got, want := cfg.limitsOf("taskmanager-1", 1536<<20).String(), "0.5 CPUs, pinned to CPUs 1, 1536 MiB memory limit"; got != want {
		t.Errorf("log text %q, want %q", got, want)
	}
}

// The containers' logs are timestamped in UTC: the end-to-end tests read
// the JobManager's against abload's clock (internal/flinklog).
func TestLog4jConsoleInUTC(t *testing.T) {
	if !strings.Contains(log4jConsole, "pattern = %d{yyyy-MM-dd HH:mm:ss,SSS}{UTC} ") {
		t.Errorf("the containers' log pattern is not in UTC:\n%s", log4jConsole)
	}
}

// A container's last log lines name the cause, not the last stack frames:
// frames are left out and counted, the lines around them kept.
func TestTailLinesLeavesOutStackFrames(t *testing.T) {
	log := "12:00:01 INFO starting\n" +
		"12:00:02 ERROR Fatal error occurred in the cluster entrypoint.\n" +
		"java.lang.IllegalStateException: boom\n" +
		"\tat a.B.c(B.java:1) ~[x.jar:2.2.1]\n" +
		"\tat a.B.d(B.java:2) ~[x.jar:2.2.1]\n" +
		"Caused by: java.lang.ClassNotFoundException: y\n" +
		"\t... 9 more\n" +
		"12:00:03 INFO Shutting down\n"
	got := tailLines([]byte(log), 5)
	want := "java.lang.IllegalStateException: boom\n\t(2 stack frame lines left out)\nCaused by: java.lang.ClassNotFoundException: y\n\t(1 stack frame lines left out)\n12:00:03 INFO Shutting down"
	if got != want {
		t.Errorf("tailLines:\n%s\nwant:\n%s", got, want)
	}
	if got := tailLines([]byte("a\nb\n"), 5); got != "a\nb" {
		t.Errorf("tailLines without frames = %q, want the lines as they are", got)
	}
}

// A JVM that shut down ends its log with its shutdown's own errors; the
// exit message names the first ERROR record and its root cause too.
func TestFirstErrorIsTheCause(t *testing.T) {
	log := "2026-12-07 18:41:00,001 INFO  o.a.f.X - starting\n" +
		"2026-12-07 18:41:01,002 ERROR o.a.f.r.e.ClusterEntrypoint - Could not start cluster entrypoint.\n" +
		"org.apache.flink.runtime.entrypoint.ClusterEntrypointException: Failed to initialize the cluster entrypoint.\n" +
		"\tat a.B.c(B.java:1)\n" +
		"Caused by: java.net.UnknownHostException: jobmanager\n" +
		"\t... 9 more\n" +
		"2026-12-07 18:41:02,090 ERROR o.a.f.u.FatalExitExceptionHandler - FATAL: Thread 'x' produced an uncaught exception.\n" +
		"java.lang.NoClassDefFoundError: org/apache/pekko/actor/dungeon/FaultHandling\n"
	got := firstError([]byte(log), 12)
	want := "2026-12-07 18:41:01,002 ERROR o.a.f.r.e.ClusterEntrypoint - Could not start cluster entrypoint.\n" +
		"org.apache.flink.runtime.entrypoint.ClusterEntrypointException: Failed to initialize the cluster entrypoint.\n" +
		"\t(1 stack frame lines left out)\n" +
		"Caused by: java.net.UnknownHostException: jobmanager\n" +
		"\t(1 stack frame lines left out)"
	if got != want {
		t.Errorf("firstError:\n%s\nwant:\n%s", got, want)
	}
	long := "2026-12-07 18:41:01,002 ERROR x - head\nmsg\n"
	for i := 0; i < 20; i++ {
		long += fmt.Sprintf("Caused by: c%d\n", i)
	}
	got = firstError([]byte(long), 6)
	want = "2026-12-07 18:41:01,002 ERROR x - head\nmsg\n\t(…)\nCaused by: c17\nCaused by: c18\nCaused by: c19"
	if got != want {
		t.Errorf("firstError of a long record:\n%s\nwant:\n%s", got, want)
	}
	if got := firstError([]byte("2026-12-07 18:41:00,001 INFO  fine\n"), 12); got != "" {
		t.Errorf("firstError without an ERROR = %q, want none", got)
	}
}
