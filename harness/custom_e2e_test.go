package harness

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/harness/flink"
)

// The pass-through example, a foreign jar built on its own (make examples),
// benchmarked through job.jar with nothing but the contract: per-event e2e
// latency and reconciliation filled, the source's progress read from its
// KafkaSource whatever the operator is called, and the report saying what a
// job without windows could not be measured for.
func TestForeignJarPassThrough(t *testing.T) {
	needEnv(t)
	jar, _ := filepath.Abs(filepath.Join("..", "jobs", "examples", "passthrough", "target", "passthrough.jar"))
	if _, err := os.Stat(jar); err != nil {
		t.Fatalf("%v: build the example with `make examples` (make test does)", err)
	}
	// The warmup starts once the job answered prefill's events: a 2 s
	// warmup on a busy machine could end before it took in any, and the
	// result would add a note of its late start.
	sc := scenario(t, "workload.rate=500", "workload.warmup=2s", "workload.duration=6s", "workload.prefill.keys=100", "job.jar="+jar,
		`job.args=[--bootstrap-servers, "{{kafka.bootstrap}}", --input-topic, "{{topics.input}}", --updates-topic, "{{topics.updates}}"]`,
		"job.outputs.windows=false", "job.checkpoint.interval=2s")
	var jobName string
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t},
		JobRunning: func(ctx context.Context, fc *flink.Client, id string) {
			if jd, err := fc.Job(ctx, id); err == nil {
				jobName = jd.Name
			}
			var cfg struct {
				ExecutionConfig struct {
					Parallelism int `json:"job-parallelism"`
				} `json:"execution-config"`
			}
			if err := fc.GetJSON(ctx, "/jobs/"+id+"/config", &cfg); err != nil || cfg.ExecutionConfig.Parallelism != 2 {
				t.Errorf("the jar's job config: parallelism %d (%v), want job.parallelism 2", cfg.ExecutionConfig.Parallelism, err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("job %q: e2e p50 %.1f ms p99 %.1f ms over %d events; reconciliation %+v", jobName, res.Latency.E2E.P50, res.Latency.E2E.P99, res.Latency.E2E.Count, res.Reconciliation)
	if !res.Valid {
		t.Errorf("invalid: %v", res.InvalidReasons)
	}
	if strings.Contains(jobName, "abload-quick") || jobName == "" {
		t.Errorf("job %q: want the pass-through job, not abload's", jobName)
	}
	rec := res.Reconciliation
	if res.Latency.E2E.Count == 0 || res.Latency.E2E.P50 <= 0 || rec.Expected == 0 || rec.Lost != 0 || rec.Counted != rec.Expected {
		t.Errorf("latency %+v, reconciliation %+v: want every event measured and accounted for", res.Latency.E2E, rec)
	}
	read := 0.0
	for _, p := range res.Timeseries {
		read = max(read, p.ReadEPS)
	}
	if read <= 0 {
		t.Error("no read rate: the pass-through source's offsets were not found")
	}
	notes := strings.Join(res.Notes, "\n")
	if len(res.Notes) != 2 || !strings.Contains(notes, "no windows") || !strings.Contains(notes, "carry no variant") {
		t.Errorf("notes %q, want: no windows measured; updates without a variant", res.Notes)
	}
	if len(rec.Variants) != 0 {
		t.Errorf("per-variant reconciliation %+v from updates without a variant", rec.Variants)
	}
}

// A job that breaks the output contract (its updates carry no seq) is
// detected: the run is invalid and says what is missing, with an example.
// The job is a user's SQL file run by abload's SQL runner.
func TestOutputContractViolationDetected(t *testing.T) {
	needEnv(t)
	sqlFile := filepath.Join(t.TempDir(), "no-seq.sql")
	if err := os.WriteFile(sqlFile, []byte(`-- Copies intended_ns, but not seq: breaks the output contract.
CREATE TABLE events (seq BIGINT, intended_ns BIGINT) WITH (
  'connector' = 'kafka', 'topic' = '{{topics.input}}', 'properties.bootstrap.servers' = '{{kafka.bootstrap}}',
  'properties.group.id' = '{{group.id}}', 'scan.startup.mode' = 'earliest-offset',
  'format' = 'json', 'json.ignore-parse-errors' = 'true');
CREATE TABLE updates (intended_ns BIGINT) WITH (
  'connector' = 'kafka', 'topic' = '{{topics.updates}}', 'properties.bootstrap.servers' = '{{kafka.bootstrap}}',
  'format' = 'json');
INSERT INTO updates SELECT intended_ns FROM events WHERE seq >= 0;
`), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := scenario(t, "workload.rate=200", "workload.warmup=1s", "workload.duration=4s", "workload.drain_timeout=8s",
		"job.sql="+sqlFile, "job.outputs.windows=false")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	reasons := strings.Join(res.InvalidReasons, "\n")
	t.Logf("invalid because:\n%s", reasons)
	if res.Valid || !strings.Contains(reasons, "breaks the output contract") || !strings.Contains(reasons, "updates record(s) without seq (first: {\"intended_ns\":") {
		t.Errorf("valid %v, reasons %q: want invalid, naming the missing seq with an example", res.Valid, reasons)
	}
	if res.Latency.E2E.Count != 0 {
		t.Errorf("%d events measured from records without seq", res.Latency.E2E.Count)
	}
}

// The A/B job in Flink SQL (job.sql: sql:ab-job, run by abload's SQL
// runner): its updates and windows honour the contract and reconcile
// against the generator's truth like the DataStream job's. (The two side by
// side: scenarios/sql-vs-datastream.yaml and abload compare.)
func TestSQLABJobReconciles(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "workload.rate=800", "workload.warmup=3s", "workload.duration=8s", "workload.seed=7",
		"job.sql=sql:ab-job", "job.checkpoint.interval=2s")
	var jobName string
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t},
		JobRunning: func(ctx context.Context, fc *flink.Client, id string) {
			if jd, err := fc.Job(ctx, id); err == nil {
				for _, v := range jd.Vertices {
					jobName += v.Name + " | "
				}
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Reconciliation
	t.Logf("vertices: %s", jobName)
	t.Logf("SQL job: valid %v %v; e2e p50 %.1f p99 %.1f ms; window p50 %.1f ms; out %.0f records/s; reconciliation %+v windows %+v",
		res.Valid, res.InvalidReasons, res.Latency.E2E.P50, res.Latency.E2E.P99, res.Latency.Window.P50, res.Throughput.OutRPS, rec, rec.Windows)
	if !res.Valid {
		t.Errorf("invalid: %v", res.InvalidReasons)
	}
	if !strings.Contains(jobName, "Window") && !strings.Contains(jobName, "window") {
		t.Errorf("vertices %q: want the SQL job's plan (a window aggregate)", jobName)
	}
	if rec.Expected == 0 || rec.Lost != 0 || rec.Duplicated != 0 || res.Latency.E2E.Count == 0 {
		t.Errorf("reconciliation %+v, e2e %+v", rec, res.Latency.E2E)
	}
	if w := rec.Windows; w == nil || w.Expected == 0 || w.Missing != 0 || w.CountMismatch != 0 || res.Latency.Window.Count == 0 {
		t.Errorf("windows %+v, window latency %+v", w, res.Latency.Window)
	}
}
