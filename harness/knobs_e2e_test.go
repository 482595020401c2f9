package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	jobcfg "github.com/abload/abload/harness/job"
	"github.com/abload/abload/scenarios"
)

// Every job knob of the scenario reaches the running job: read back from
// Flink's REST API (checkpoint config, execution config, job graph) while the
// job runs, and from observable behaviour (exactly-once output is read
// committed and still reconciles).
func TestJobKnobsReachFlink(t *testing.T) {
	needEnv(t)
	knobsReachFlink(t, shared.rt, shared.env)
}

// knobsReachFlink runs the knobs' scenario (with sets) on the started
// environment e of bundle rt and reads every knob back from the job.
func knobsReachFlink(t *testing.T, rt *cluster.Runtime, e env.Environment, sets ...string) {
	t.Helper()
	// The claim is the knobs' read-back and exact output; the harness's
	// consumer may lag on a loaded machine (beside three lanes it read
	// outputs 3.4 s late at p99 once, over the 2 s default + one checkpoint
	// cycle, and the run was invalid), so it may lag up to 10 s here.
	sc := scenario(t, append([]string{"workload.rate=300", "workload.warmup=2s", "workload.duration=6s", "workload.max_consumer_delay=10s",
		"job.checkpoint.interval=1s", "job.checkpoint.mode=exactly_once", "job.checkpoint.unaligned=true",
		"job.checkpoint.timeout=45s", "job.checkpoint.min_pause=300ms", "job.checkpoint.incremental=true",
		"job.state_backend=rocksdb", "job.delivery=exactly_once", "job.buffer_timeout=7ms",
		"job.object_reuse=true", "job.chaining=false", "job.max_parallelism=64",
		"job.serializer=kryo", "job.stage_parallelism.dedupe=1", "job.stage_parallelism.windows=2",
		"job.skew_mitigation.kind=salted", "job.skew_mitigation.salts=4", "job.state_ttl=90m",
		// A key of Flink's own, checked against the bundle's keys and
		// submitted with the job (flinkConfiguration).
		"job.flink_config=[execution.checkpointing.tolerable-failed-checkpoints=7]"}, sets...)...)

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
	var serializer string
	var clusterConf struct {
		FlinkVersion string `json:"flink-version"`
	}
	var jmConf []struct{ Key, Value string }
	hook := func(ctx context.Context, f *flink.Client, id string) {
		for _, q := range []struct {
			path string
			out  any
		}{{"/jobs/" + id + "/checkpoints/config", &cpConf}, {"/jobs/" + id + "/config", &jobConf}, {"/jobs/" + id, &job}, {"/config", &clusterConf}, {"/jobmanager/config", &jmConf}} {
			if err := f.GetJSON(ctx, q.path, q.out); err != nil && readErr == nil {
				readErr = fmt.Errorf("GET %s: %w", q.path, err)
			}
		}
		var err error
		if serializer, err = gaugeValue(ctx, f, id, "dedupe", "eventSerializer"); err != nil && readErr == nil {
			readErr = err
		}
	}
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: rt, Env: e, Stderr: testWriter{t}, JobRunning: hook})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	// An experimental line's result says so; no other's does.
	experimental := slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "experimental line") })
	if want := scenarios.ExperimentalFlinkLines[sc.Env.FlinkVersion] != ""; experimental != want {
		t.Errorf("Flink %s: a note calls it experimental: %v, want %v (%q)", sc.Env.FlinkVersion, experimental, want, res.Notes)
	}
	// The running cluster (its REST API says) is of the scenario's line,
	// and the result records its exact version.
	if v := clusterConf.FlinkVersion; scenarios.FlinkLineOf(v) != sc.Env.FlinkVersion || res.Environment.FlinkVersion != v {
		t.Errorf("the cluster runs Flink %q, the result records %q: want both of line %s", v, res.Environment.FlinkVersion, sc.Env.FlinkVersion)
	}
	// The result records the configuration the job ran with: what abload
	// set (the job's flinkConfiguration here), and for every other key the
	// line's default, as the running job shows it.
	if fc := res.FlinkConfig; fc == nil || len(fc.Effective) < 300 {
		t.Errorf("flink_config: %+v, want the line's defaults and what abload set", fc)
	} else {
		if v := fc.Effective["execution.checkpointing.tolerable-failed-checkpoints"]; v != "7" || !slices.Contains(fc.Set, "execution.checkpointing.tolerable-failed-checkpoints") {
			t.Errorf("flink_config: tolerable-failed-checkpoints %q (set: %v), want 7, set", v, slices.Contains(fc.Set, "execution.checkpointing.tolerable-failed-checkpoints"))
		}
		const unset = "execution.checkpointing.max-concurrent-checkpoints"
		if slices.Contains(fc.Set, unset) || fmt.Sprint(cpConf["max_concurrent"]) != fc.Effective[unset] {
			t.Errorf("flink_config: %s %q, the running job's max_concurrent %v: want the default the job runs with, not set", unset, fc.Effective[unset], cpConf["max_concurrent"])
		}
		// The cluster's own keys as its JobManager loaded them; where the
		// processes bind is the environment's, not recorded.
		jm := map[string]string{}
		for _, kv := range jmConf {
			jm[kv.Key] = kv.Value
		}
		for _, k := range []string{"heartbeat.timeout", "taskmanager.numberOfTaskSlots", "restart-strategy.type"} {
			if !slices.Contains(fc.Set, k) {
				t.Errorf("flink_config: %s not among the keys set", k)
			}
		}
		inJM := 0
		jobConf := jobcfg.FlinkConfig(sc)
		for _, k := range fc.Set {
			if v, ok := jobConf[k]; ok {
				// The job's own (flinkConfiguration) over the cluster's.
				if v != fc.Effective[k] {
					t.Errorf("flink_config: %s %q, the job's flinkConfiguration %q", k, fc.Effective[k], v)
				}
			} else if v, ok := jm[k]; ok {
				inJM++
				if v != fc.Effective[k] {
					t.Errorf("flink_config: %s %q, the JobManager's %q", k, fc.Effective[k], v)
				}
			}
		}
		if inJM < 10 {
			t.Errorf("flink_config: only %d of the %d keys set are in the JobManager's configuration", inJM, len(fc.Set))
		}
		for _, k := range []string{"rest.port", "jobmanager.rpc.port", "io.tmp.dirs", "metrics.reporter.prom.port"} {
			if v, ok := fc.Effective[k]; ok {
				t.Errorf("flink_config records %s %q: the environment's, not a setting", k, v)
			}
		}
	}
	t.Logf("checkpoint config: %v", cpConf)
	t.Logf("execution config: %+v", jobConf.ExecutionConfig)
	want := map[string]any{"mode": "exactly_once", "interval": 1000.0, "timeout": 45000.0, "min_pause": 300.0, "unaligned_checkpoints": true,
		"tolerable_failed_checkpoints": 7.0}
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
	// Per-stage parallelism (job default 2), salting's merge stage, Kryo.
	par := map[string]int{}
	for _, v := range job.Vertices {
		par[v.Name] = v.Parallelism
	}
	for name, want := range map[string]int{"dedupe": 1, "counts": 2, "windows": 2, "windows-merge": 2} {
		if got, ok := par[name]; !ok || got != want {
			t.Errorf("vertex %q parallelism %d (present %v), want %d; vertices %v", name, got, ok, want, par)
		}
	}
	if serializer != "KryoSerializer" {
		t.Errorf("dedupe's eventSerializer gauge = %q, want KryoSerializer", serializer)
	}
	if uc["dedupe-ttl-ms"] != "5400000" || uc["skew-mitigation"] != "salted" || uc["salts"] != "4" {
		t.Errorf("user-config state TTL / skew mitigation = %q / %q / %q", uc["dedupe-ttl-ms"], uc["skew-mitigation"], uc["salts"])
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

// gaugeValue reads a string gauge of an operator from the running job: the
// first subtask of the vertex whose name is the operator (or starts with it
// in a chain), metric "<subtask>.<operator>.<name>".
func gaugeValue(ctx context.Context, f *flink.Client, jobID, operator, name string) (string, error) {
	j, err := f.Job(ctx, jobID)
	if err != nil {
		return "", err
	}
	for _, v := range j.Vertices {
		if v.Name != operator && !strings.HasPrefix(v.Name, operator+" ") {
			continue
		}
		id := "0." + operator + "." + name
		var out []struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		}
		// Metrics reach the REST API with the fetcher's interval: poll a little.
		for i := 0; i < 40; i++ {
			if err := f.GetJSON(ctx, "/jobs/"+jobID+"/vertices/"+v.ID+"/metrics?get="+id, &out); err != nil {
				return "", err
			}
			if len(out) == 1 && out[0].Value != "" {
				return out[0].Value, nil
			}
			time.Sleep(250 * time.Millisecond)
		}
		return "", fmt.Errorf("metric %s of vertex %s not found", id, v.Name)
	}
	return "", fmt.Errorf("no vertex %q in %+v", operator, j.Vertices)
}

// ForSt, Flink 2's state backend (job.state_backend: forst), on the shared
// cluster of the default line: the running job's checkpoint configuration
// names it (Flink falls back to nothing silently here: an unknown backend
// fails the job), the run is valid and loses nothing, and its checkpoints'
// state sizes and durations are reported. The result says that the remote
// storage ForSt is made for was not measured.
func TestForStStateBackend(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "workload.rate=500", "workload.warmup=2s", "workload.duration=8s", "workload.max_consumer_delay=10s",
		"job.state_backend=forst", "job.checkpoint.interval=1s")
	var cpConf map[string]any
	var readErr error
	hook := func(ctx context.Context, f *flink.Client, id string) {
		readErr = f.GetJSON(ctx, "/jobs/"+id+"/checkpoints/config", &cpConf)
	}
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}, JobRunning: hook})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	if sb, _ := cpConf["state_backend"].(string); !containsFold(sb, "forst") {
		t.Errorf("the running job's state backend is %q, want ForSt", sb)
	}
	if !res.Valid || res.Reconciliation.Expected == 0 || res.Reconciliation.Lost != 0 {
		t.Errorf("valid %v %v, reconciliation %+v: want a valid run that lost nothing", res.Valid, res.InvalidReasons, res.Reconciliation)
	}
	cp := res.Checkpoints
	if cp == nil || cp.Completed < 3 || cp.StateSizeBytes.Max <= 0 || cp.DurationMs.Max <= 0 {
		t.Fatalf("checkpoints %+v: want at least three completed in 8 s at 1 s, with state sizes and durations", cp)
	}
	t.Logf("ForSt: %d checkpoints, duration %+v, state %+v", cp.Completed, cp.DurationMs, cp.StateSizeBytes)
	noted := false
	for _, n := range res.Notes {
		noted = noted || strings.Contains(n, "ForSt") && strings.Contains(n, "not measured")
	}
	if !noted {
		t.Errorf("notes %q: want the unmeasured remote storage said", res.Notes)
	}
}
