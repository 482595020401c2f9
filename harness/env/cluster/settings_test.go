package cluster

import (
	"slices"
	"strings"
	"testing"

	"github.com/abload/abload/scenarios"
)

func TestKafkaGCOpts(t *testing.T) {
	if got := KafkaGCOpts([]string{"-XX:TieredStopAtLevel=1"}); !slices.Equal(got, []string{"-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"}) {
		t.Errorf("no collector chosen: %q, want G1's settings", got)
	}
	if got := KafkaGCOpts([]string{"-Xss1m", "-XX:+UseParallelGC"}); got != nil {
		t.Errorf("-XX:+UseParallelGC chosen: %q, want none of abload's (the JVM refuses two collectors)", got)
	}
	if got := KafkaGCOpts([]string{"-XX:-UseAdaptiveSizePolicyWithGC", "-XX:+UseStringDeduplication"}); len(got) != 2 {
		t.Errorf("no collector chosen (flags that only look like one): %q", got)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"-Xlog:gc*": `'-Xlog:gc*'`, "a'b": `'a'\''b'`, "": `''`} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A scenario's own empty env.jvm_options stays empty: the environment's
// defaults ($ABLOAD_JVM_OPTIONS) fill only Settings built without a scenario.
func TestSettingsJVMOptions(t *testing.T) {
	t.Setenv(scenarios.JVMOptionsEnv, "-XX:TieredStopAtLevel=1")
	sc, err := scenarios.Parse("x.yaml", []byte("env:\n  jvm_options: []\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := SettingsFor(sc, Recipe{Cluster: FlinkClusterConfig}).WithDefaults().JVMOptions; len(got) != 0 {
		t.Errorf("jvm_options: [] became %q", got)
	}
	if got := (Settings{}).WithDefaults().JVMOptions; !slices.Equal(got, []string{"-XX:TieredStopAtLevel=1"}) {
		t.Errorf("Settings without a scenario: %q, want $%s's", got, scenarios.JVMOptionsEnv)
	}
}

// env.flink_config goes on top of the recipe's keys (it may not set one a
// scenario field sets: validation refuses those).
func TestSettingsFlinkConfig(t *testing.T) {
	sc, err := scenarios.Parse("x.yaml", []byte("env:\n  flink_config: [web.checkpoints.history=7, 'taskmanager.network.memory.buffer-debloat.enabled = true']\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := SettingsFor(sc, Recipe{Cluster: FlinkClusterConfig}).FlinkConfig
	if got["web.checkpoints.history"] != "7" || got["taskmanager.network.memory.buffer-debloat.enabled"] != "true" || got["taskmanager.memory.managed.fraction"] == "" {
		t.Errorf("cluster config %v: want the recipe's with env.flink_config on top", got)
	}
}

// The local processes' logs are timestamped in UTC: the end-to-end tests
// read the JobManager's against abload's clock (internal/flinklog).
func TestLog4jConfigInUTC(t *testing.T) {
	if !strings.Contains(Log4jConfig, "pattern = %d{yyyy-MM-dd HH:mm:ss,SSS}{UTC} ") {
		t.Errorf("the log pattern is not in UTC:\n%s", Log4jConfig)
	}
}
