package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Schema identifies the result.json format. Fields may be added within a
// schema version; none is ever renamed.
const Schema = "abload.result/v1"

// ResultFile is the name of the result file inside a run directory.
const ResultFile = "result.json"

// Status is how a run ended.
type Status string

// Run statuses.
const (
	StatusOK      Status = "ok"      // ran to the end
	StatusAborted Status = "aborted" // interrupted (SIGINT/SIGTERM)
	StatusFailed  Status = "failed"  // a runtime error stopped it; see Result.Error
)

// Result is the content of result.json. Sections that a run did not measure
// are nil and absent from the file rather than zeros that look like data.
type Result struct {
	Schema         string   `json:"schema"`
	AbloadVersion  string   `json:"abload_version"`
	RunID          string   `json:"run_id,omitempty"`
	Status         Status   `json:"status"`
	Valid          bool     `json:"valid"`
	InvalidReasons []string `json:"invalid_reasons"`
	Error          string   `json:"error,omitempty"`

	// StartedAt and FinishedAt are RFC 3339 timestamps in UTC
	// (time.RFC3339 or time.RFC3339Nano).
	StartedAt  string  `json:"started_at"`
	FinishedAt string  `json:"finished_at"`
	Phases     []Phase `json:"phases"`

	// Scenario is the resolved scenario (a *scenarios.Scenario when written;
	// a map when read back).
	Scenario    any         `json:"scenario"`
	Environment Environment `json:"environment"`

	Events Events `json:"events"`
	// ConsumerDelayMs is how far the harness's output consumer lagged behind
	// the outputs it read.
	ConsumerDelayMs DelayStats      `json:"consumer_delay_ms"`
	Latency         Latencies       `json:"latency_ms"`
	Throughput      Throughput      `json:"throughput"`
	Checkpoints     *Checkpoints    `json:"checkpoints,omitempty"`
	Reconciliation  *Reconciliation `json:"reconciliation,omitempty"`
	Skew            *Skew           `json:"skew,omitempty"`
	Truth           any             `json:"truth,omitempty"` // harness.Truth when written; a map when read back
	Recovery        []Recovery      `json:"recovery,omitempty"`
	Resources       []Resource      `json:"resources,omitempty"`
	Gates           []Gate          `json:"gates,omitempty"`
	// Savepoint is where job.savepoint_at_end put the job's savepoint.
	Savepoint string `json:"savepoint,omitempty"`
	Timeseries      []TimePoint     `json:"timeseries,omitempty"`
}

// MarkInvalid records that the run's numbers cannot be trusted, and why.
func (r *Result) MarkInvalid(reason string) {
	r.Valid = false
	r.InvalidReasons = append(r.InvalidReasons, reason)
}

// Phase is one phase of the run (startup, warmup, measure, drain, teardown),
// in seconds from the run's start.
type Phase struct {
	Name   string  `json:"name"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
}

// Environment says what the run ran on.
type Environment struct {
	Kind         string `json:"kind"`
	FlinkVersion string `json:"flink_version"`
	KafkaVersion string `json:"kafka_version"`
	Host         string `json:"host"`
}

// Events describes the input side. Sent counts events intended inside the
// measurement phase; SentTotal counts every phase.
type Events struct {
	Sent         int64   `json:"sent"`
	SentTotal    int64   `json:"sent_total"`
	TargetRate   float64 `json:"target_rate"`
	AchievedRate float64 `json:"achieved_rate"`
	// SendDelayMs is sent (handed to the Kafka client) minus intended.
	SendDelayMs DelayStats `json:"send_delay_ms"`
}

// DelayStats summarises a delay distribution, in milliseconds.
type DelayStats struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// LatencyStats summarises a latency distribution, in milliseconds. Count 0
// means nothing was measured.
type LatencyStats struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// Latencies holds the two latency kinds (see DESIGN.md, timing model).
type Latencies struct {
	E2E    LatencyStats `json:"e2e"`
	Window LatencyStats `json:"window"`
}

// Throughput over the measurement phase.
type Throughput struct {
	InEPS  float64 `json:"in_eps"`  // input events/s
	OutRPS float64 `json:"out_rps"` // output records/s
}

// Reconciliation compares what was sent with what came out: exactly, by
// seq, on the updates path; by counts on the windows path.
type Reconciliation struct {
	Expected    int64 `json:"expected"`
	Counted     int64 `json:"counted"`
	Lost        int64 `json:"lost"`
	Duplicated  int64 `json:"duplicated"`
	LateDropped int64 `json:"late_dropped"`
	// Windows is nil when the windows output was not measured.
	Windows *WindowReconciliation `json:"windows,omitempty"`
}

// WindowReconciliation compares the window results with what the generator
// knows it sent per window and variant.
type WindowReconciliation struct {
	Expected      int64 `json:"expected"`       // windows the generator's events fall in
	Received      int64 `json:"received"`       // distinct windows the job emitted
	Missing       int64 `json:"missing"`        // expected but never received
	CountMismatch int64 `json:"count_mismatch"` // received with another event count
	Unexpected    int64 `json:"unexpected"`     // received but not expected
	Duplicated    int64 `json:"duplicated"`     // received more than once
	LateFirings   int64 `json:"late_firings"`   // received again with more events (allowed lateness)
}

// Checkpoints summarises Flink checkpointing during the measurement phase.
type Checkpoints struct {
	Completed      int64      `json:"completed"`
	Failed         int64      `json:"failed"`
	DurationMs     DelayStats `json:"duration_ms"`
	StateSizeBytes StateSize  `json:"state_size_bytes"`
}

// StateSize is the checkpointed state size.
type StateSize struct {
	Last int64 `json:"last"`
	Max  int64 `json:"max"`
}

// Skew is max/mean of per-subtask records-in over the measurement phase:
// 1 is perfect balance, parallelism is everything on one subtask.
// MaxOverMean is the largest among the vertices that carry at least 5% of
// the busiest vertex's records.
type Skew struct {
	MaxOverMean float64      `json:"max_over_mean"`
	Vertices    []VertexSkew `json:"vertices,omitempty"`
}

// VertexSkew is Skew for one job vertex (named by its chained operators,
// "windows -> windows-sink"), with the records-in of each subtask.
type VertexSkew struct {
	Name        string  `json:"name"`
	MaxOverMean float64 `json:"max_over_mean"`
	RecordsIn   []int64 `json:"records_in,omitempty"`
}

// Recovery times one injected fault, in seconds from the run's start; a nil
// time means the step never happened.
type Recovery struct {
	Fault          string   `json:"fault"`
	AtS            float64  `json:"at_s"`
	DetectedS      *float64 `json:"detected_s"`
	RunningS       *float64 `json:"running_s"`
	OutputResumedS *float64 `json:"output_resumed_s"`
	LagRecoveredS  *float64 `json:"lag_recovered_s"`
}

// Resource is one component's resource use.
type Resource struct {
	Component string   `json:"component"`
	CPUPct    CPUStats `json:"cpu_pct"`
	RSSMb     RSSStats `json:"rss_mb"`
}

// CPUStats is CPU use in percent of one core.
type CPUStats struct {
	P50 float64 `json:"p50"`
	Max float64 `json:"max"`
}

// RSSStats is resident memory in MB.
type RSSStats struct {
	Max float64 `json:"max"`
}

// Gate is one evaluated gate.
type Gate struct {
	Expr  string  `json:"expr"`
	Value float64 `json:"value"`
	Pass  bool    `json:"pass"`
}

// TimePoint is one sample of the run's time series.
type TimePoint struct {
	TS                   float64 `json:"t_s"` // seconds from the run's start
	Phase                string  `json:"phase,omitempty"`
	InEPS                float64 `json:"in_eps"`
	OutRPS               float64 `json:"out_rps"`
	E2EP99Ms             float64 `json:"e2e_p99_ms"`
	Lag                  int64   `json:"lag"`
	CheckpointInProgress bool    `json:"checkpoint_in_progress,omitempty"`
}

// ErrSchema is wrapped by ReadResult when a file is not a result of this
// schema.
var ErrSchema = errors.New("unsupported result schema")

// WriteResult writes r to dir/result.json (dir must exist) as indented JSON,
// atomically: a reader sees the old file or the whole new one. Schema is
// always set to Schema; invalid_reasons is written as [] rather than null.
func WriteResult(dir string, r *Result) error {
	c := *r
	c.Schema = Schema
	if c.InvalidReasons == nil {
		c.InvalidReasons = []string{}
	}
	if c.Phases == nil {
		c.Phases = []Phase{}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	b = append(b, '\n')
	if err := writeFileAtomic(filepath.Join(dir, ResultFile), b); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// ReadResult reads a result.json. A file of another schema, or with none,
// gives an error wrapping ErrSchema that names the file.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	var probe struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("read result %s: not JSON: %w", path, err)
	}
	switch {
	case probe.Schema == nil:
		return nil, fmt.Errorf("read result %s: no \"schema\" field, want %q: %w", path, Schema, ErrSchema)
	case *probe.Schema != Schema:
		return nil, fmt.Errorf("read result %s: schema %q, want %q: %w", path, *probe.Schema, Schema, ErrSchema)
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	return &r, nil
}
