package harness

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Every job knob of the scenario reaches the running job: read back from
// Flink's REST API (checkpoint config, execution config, job graph) while the
// job runs, and from observable behaviour (exactly-once output is read
// committed and still reconciles).
func TestJobKnobsReachFlink(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "workload.rate=300", "workload.warmup=2s", "workload.duration=6s",
		"job.checkpoint.interval=1s", "job.checkpoint.mode=exactly_once", "job.checkpoint.unaligned=true",
		"job.checkpoint.timeout=45s", "job.checkpoint.min_pause=300ms", "job.checkpoint.incremental=true",
		"job.state_backend=rocksdb", "job.delivery=exactly_once", "job.buffer_timeout=7ms",
		"job.object_reuse=true", "job.chaining=false", "job.max_parallelism=64")
	var cpConf map[string]any
	var jobConf struct {
		ExecutionConfig struct {
			JobParallelism int               `json:"job-parallelism"`
			ObjectReuse    bool              `json:"object-reuse-mode"`
			UserConfig     map[string]string `json:"user-config"`
		} `json:"execution-config"`
	}
	var job struct {
		Vertices []struct {
			Name           string `json:"name"`
			Parallelism    int    `json:"parallelism"`
			MaxParallelism int    `json:"maxParallelism"`
		} `json:"vertices"`
	}
	var readErr error
	hook := func(ctx context.Context, f *FlinkClient, id string) {
		for _, q := range []struct {
			path string
			out  any
		}{{"/jobs/" + id + "/checkpoints/config", &cpConf}, {"/jobs/" + id + "/config", &jobConf}, {"/jobs/" + id, &job}} {
			if err := f.GetJSON(ctx, q.path, q.out); err != nil && readErr == nil {
				readErr = fmt.Errorf("GET %s: %w", q.path, err)
			}
		}
	}
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}, JobRunning: hook})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	t.Logf("checkpoint config: %v", cpConf)
	t.Logf("execution config: %+v", jobConf.ExecutionConfig)
	want := map[string]any{"mode": "exactly_once", "interval": 1000.0, "timeout": 45000.0, "min_pause": 300.0, "unaligned_checkpoints": true}
	for k, v := range want {
		if cpConf[k] != v {
			t.Errorf("checkpoints/config %s = %v, want %v", k, cpConf[k], v)
		}
	}
	if sb, _ := cpConf["state_backend"].(string); !containsFold(sb, "rocksdb") {
		t.Errorf("state backend = %q, want rocksdb", sb)
	}
	if !jobConf.ExecutionConfig.ObjectReuse {
		t.Error("object reuse is off")
	}
	uc := jobConf.ExecutionConfig.UserConfig
	for k, v := range map[string]string{"buffer-timeout-ms": "7", "incremental-checkpoints": "true", "delivery": "exactly_once", "chaining": "false"} {
		if uc[k] != v {
			t.Errorf("user-config %s = %q, want %q (user-config: %v)", k, uc[k], v, uc)
		}
	}
	// Chaining off: every operator is its own vertex.
	if len(job.Vertices) < 7 {
		t.Errorf("%d job vertices with chaining off, want one per operator (>= 7): %+v", len(job.Vertices), job.Vertices)
	}
	for _, v := range job.Vertices {
		if v.MaxParallelism != 64 {
			t.Errorf("vertex %s max parallelism %d, want 64", v.Name, v.MaxParallelism)
		}
	}
	if !res.Valid {
		t.Errorf("exactly-once run invalid: %v", res.InvalidReasons)
	}
	// Exactly-once output, read committed: still exact.
	if rec := res.Reconciliation; rec.Lost != 0 || rec.Duplicated != 0 {
		t.Errorf("exactly-once run reconciliation = %+v", rec)
	}
}

func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }
