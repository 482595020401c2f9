package job

import (
	"testing"

	"github.com/abload/abload/scenarios"
)

// The Flink-level knobs reach a foreign job as Flink configuration.
func TestFlinkConfig(t *testing.T) {
	sc, err := scenarios.Parse("t.yaml", []byte("env:\n  slots: 4\njob:\n  jar: x.jar\n  parallelism: 3\n  max_parallelism: 64\n  state_backend: rocksdb\n  serializer: kryo\n  chaining: false\n  checkpoint: {interval: 2s, mode: at_least_once, unaligned: false}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := FlinkConfig(sc)
	for k, v := range map[string]string{
		"parallelism.default": "3", "pipeline.max-parallelism": "64", "state.backend.type": "rocksdb",
		"pipeline.force-kryo": "true", "pipeline.operator-chaining.enabled": "false",
		"execution.checkpointing.interval": "2000 ms", "execution.checkpointing.mode": "AT_LEAST_ONCE",
	} {
		if m[k] != v {
			t.Errorf("%s = %q, want %q", k, m[k], v)
		}
	}
	sc.Job.Checkpoint.Interval = scenarios.Duration{}
	if _, ok := FlinkConfig(sc)["execution.checkpointing.interval"]; ok {
		t.Error("checkpointing off: interval still set")
	}
}
