package harness

import (
	"fmt"
	"strings"
	"testing"

	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/scenarios"
)

// The output contract: records without a required field are told apart
// from zeros, counted per problem with their first example, and not
// measured; a conforming record with seq 0 is measured.
func TestOutputContractBreaches(t *testing.T) {
	c := newCollector(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.onUpdate([]byte(`{"intended_ns":5}`), 10, 10, true)
	c.onUpdate([]byte(`{"intended_ns":6}`), 10, 10, true)
	c.onUpdate([]byte(`{"seq":1}`), 10, 10, true)
	c.onUpdate([]byte(`not json`), 10, 10, true)
	c.onUpdate([]byte(`{"seq":0,"intended_ns":0}`), 10, 10, true)
	c.onWindow([]byte(`{"campaign":1,"variant":"A","window_start_ms":0,"events":3}`), 10, 10, true)
	if c.badRecords != 5 || c.counted != 1 {
		t.Fatalf("bad %d counted %d, want 5 bad and the seq-0 record counted", c.badRecords, c.counted)
	}
	var got []string
	for _, k := range c.breachOrder {
		b := c.breaches[k]
		got = append(got, fmt.Sprintf("%s %s ×%d", b.Output, b.Problem, b.Count))
	}
	want := []string{"updates without seq ×2", "updates without intended_ns ×1", "updates not a JSON object ×1",
		"windows without window_end_ms ×1", "windows without max_intended_ns ×1"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("breaches %q, want %q", got, want)
	}
	if ex := c.breaches["updates without seq"].Example; ex != `{"intended_ns":5}` {
		t.Errorf("example %q", ex)
	}
}

// The Flink-level knobs reach a foreign job as Flink configuration.
func TestCustomJobFlinkConfig(t *testing.T) {
	sc, err := scenarios.Parse("t.yaml", []byte("env:\n  slots: 4\njob:\n  jar: x.jar\n  parallelism: 3\n  max_parallelism: 64\n  state_backend: rocksdb\n  serializer: kryo\n  chaining: false\n  checkpoint: {interval: 2s, mode: at_least_once, unaligned: false}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := CustomJobFlinkConfig(sc)
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
	if _, ok := CustomJobFlinkConfig(sc)["execution.checkpointing.interval"]; ok {
		t.Error("checkpointing off: interval still set")
	}
}
