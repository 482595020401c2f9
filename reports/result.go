package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/abload/abload/scenarios"
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
	// Warmup says how the warmup ended: its length, and with
	// workload.warmup auto what was judged settled (or that warmup_max
	// ran out).
	Warmup *WarmupDecision `json:"warmup,omitempty"`

	// Scenario is the resolved scenario: every field, defaults filled in.
	// A result written by an older abload reads back with the fields it
	// had (fields it did not know are zero; see UnmarshalJSON).
	Scenario *scenarios.Scenario `json:"scenario"`
	// scenarioJSON is the scenario as read (nil for a result built here):
	// configurations are compared as they were written.
	scenarioJSON json.RawMessage
	Environment  Environment `json:"environment"`
	// FlinkConfig is the Flink configuration the cluster and the job ran
	// with; absent for an external cluster (its configuration file is not
	// abload's) and for a bundle built before abload listed defaults.
	FlinkConfig *FlinkConfig `json:"flink_config,omitempty"`
	// Clock is the check of this host's clock against the Kafka broker's.
	Clock *ClockCheck `json:"clock,omitempty"`
	// Notes say plainly what the run could not measure (a job that emits
	// only one of the outputs, or neither).
	Notes []string `json:"notes,omitempty"`
	// AttachedJob is the id of the job the run measured without submitting
	// it (env.external.job_id); the scenario's job knobs did not apply to it.
	AttachedJob string `json:"attached_job,omitempty"`

	Events Events `json:"events"`
	// ConsumerDelayMs is how far the harness's output consumer lagged behind
	// the outputs it read.
	ConsumerDelayMs DelayStats      `json:"consumer_delay_ms"`
	Latency         Latencies       `json:"latency_ms"`
	Throughput      Throughput      `json:"throughput"`
	Checkpoints     *Checkpoints    `json:"checkpoints,omitempty"`
	Reconciliation  *Reconciliation `json:"reconciliation,omitempty"`
	Skew            *Skew           `json:"skew,omitempty"`
	Lag             *Lag            `json:"lag,omitempty"`
	FlinkMetrics    *FlinkMetrics   `json:"flink_metrics,omitempty"`
	// JobCost is job.cost_per_event against what the job's scoring step
	// really spent over the measurement phase.
	JobCost  *JobCost      `json:"job_cost,omitempty"`
	Truth    *TruthSection `json:"truth,omitempty"`
	Recovery []Recovery    `json:"recovery,omitempty"`
	// Rescales times the scenario's scaling actions (TaskManagers joining
	// or leaving) and what the job did about them.
	Rescales  []Rescale  `json:"rescales,omitempty"`
	Resources []Resource `json:"resources,omitempty"`
	Gates     []Gate     `json:"gates,omitempty"`
	// Savepoint is where job.savepoint_at_end put the job's savepoint.
	Savepoint string `json:"savepoint,omitempty"`
	// Restore is how the job started from job.restore_from's savepoint.
	Restore    *Restore    `json:"restore,omitempty"`
	Timeseries []TimePoint `json:"timeseries,omitempty"`
}

// Restore is how a job started from a savepoint (job.restore_from): whether
// Flink restored it and how long the job took to run with its state, and
// the Flink version of the run that wrote it when that run's result.json is
// beside it. An upgrade's state-migration probe: a savepoint of the old
// line's run restored by the new line's.
type Restore struct {
	// From is the savepoint directory, absolute.
	From string `json:"from"`
	// Restored: Flink's checkpoint statistics name it as what the job
	// restored (GET /jobs/{id}/checkpoints, latest.restored).
	Restored     bool  `json:"restored"`
	CheckpointID int64 `json:"checkpoint_id,omitempty"`
	IsSavepoint  bool  `json:"is_savepoint,omitempty"`
	// RunningAfterS is from the job's submission until every task ran,
	// the state restored (tasks restore it while INITIALIZING).
	RunningAfterS float64 `json:"running_after_s"`
	// FromFlinkVersion is the Flink version of the run whose
	// job.savepoint_at_end wrote the savepoint (its result.json, two
	// directories up); "" when not found.
	FromFlinkVersion string `json:"from_flink_version,omitempty"`
	// Note says why Restored is false, when Flink said nothing.
	Note string `json:"note,omitempty"`
}

// MarkInvalid records that the run's numbers cannot be trusted, and why.
func (r *Result) MarkInvalid(reason string) {
	r.Valid = false
	r.InvalidReasons = append(r.InvalidReasons, reason)
}

// WarmupDecision is how a run's warmup ended.
type WarmupDecision struct {
	// Mode is "fixed" (workload.warmup a duration) or "auto".
	Mode string `json:"mode"`
	// WarmupS is the warmup's length: from the load's first intended event
	// to the measurement phase's, which is MeasureFirstSeq's.
	WarmupS         float64 `json:"warmup_s"`
	MeasureFirstSeq int64   `json:"measure_first_seq"`
	// auto only: MaxS is workload.warmup_max; Settled says the criteria
	// held (false: the max ran out first); DecidedS is when it was decided
	// (seconds from the run's start; the measurement starts a lead after,
	// announced to every lane first); Reason says what held or what did not.
	MaxS     float64 `json:"max_s,omitempty"`
	Settled  bool    `json:"settled"`
	DecidedS float64 `json:"decided_s,omitempty"`
	Reason   string  `json:"reason,omitempty"`
	// Criteria are the thresholds judged (docs/measurements.md).
	Criteria string `json:"criteria,omitempty"`
	// JITPct is each watched JVM's mean JIT compile time over the last
	// judged window, in % of a core; absent when not observable (an
	// external cluster: then latency alone was judged).
	JITPct map[string]float64 `json:"jit_pct,omitempty"`
	// JudgedS is the last window judged, (from, to] in seconds from the
	// run's start: the JIT readings taken in it and the p99 of its seconds.
	JudgedS []float64 `json:"judged_s,omitempty"`
	// P99Ms are the medians of the per-second e2e p99 over the window
	// before the last and the last one.
	P99Ms []float64 `json:"p99_ms,omitempty"`
	// StateGrowthBytesPerS is the checkpointed state's least-squares
	// growth over the measurement phase: state that grows for its TTL
	// (dedupe) never settles in minutes, so it is reported, not waited for.
	StateGrowthBytesPerS *float64 `json:"state_growth_bytes_per_s,omitempty"`
}

// Phase is one phase of the run (startup, warmup, measure, drain, teardown),
// in seconds from the run's start.
type Phase struct {
	Name   string  `json:"name"`
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
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
	P10   float64 `json:"p10"`
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
	// Negative counts outputs that arrived before their intended time (a
	// clock problem); they are recorded as 1 µs, never dropped.
	Negative int64 `json:"negative,omitempty"`
}

// Throughput over the measurement phase. InEPS is what the job processed
// then: events whose update its sink wrote inside the phase (by the
// broker's append time), per second; without an updates output, the
// source's progress over the phase. OutRPS is output records read in the
// phase per second. ReadEPS is the job's source's progress in the input
// topic over the phase, per second: over the part of the phase its
// position was known in (absent when that is less than half of it).
type Throughput struct {
	InEPS   float64  `json:"in_eps"`
	OutRPS  float64  `json:"out_rps"`
	ReadEPS *float64 `json:"read_eps,omitempty"`
}

// JobCost is the synthetic CPU cost per event (job.cost_per_event): as
// configured, and as achieved — the scoring step's thread CPU time over the
// events it scored in the measurement phase (0 when not measured, and
// Unmeasured says why). The clock reads that time each event are not in it.
type JobCost struct {
	ConfiguredUs float64 `json:"configured_us"`
	AchievedUs   float64 `json:"achieved_us"`
	Events       int64   `json:"events"`
	Unmeasured   string  `json:"unmeasured,omitempty"`
}

// Reconciliation compares what was sent with what came out: exactly, by
// seq, on the updates path; by counts on the windows path.
type Reconciliation struct {
	Expected    int64 `json:"expected"`
	Counted     int64 `json:"counted"`
	Lost        int64 `json:"lost"`
	Duplicated  int64 `json:"duplicated"`
	LateDropped int64 `json:"late_dropped"`
	// UpdatesSample is job.updates_sample when > 1: the updates path then
	// covers the 1 in N events with seq % N == 0 (Expected counts those).
	UpdatesSample int64 `json:"updates_sample,omitempty"`
	// Windows is nil when the windows output was not measured.
	Windows *WindowReconciliation `json:"windows,omitempty"`
	// Variants splits the updates path's reconciliation per variant.
	Variants []VariantReconciliation `json:"variants,omitempty"`
}

// VariantReconciliation is one variant's share of the reconciliation.
// LateInjected is what the generator knows it sent late (beyond the
// watermark bound); LateDropped is what the job called late.
type VariantReconciliation struct {
	Variant      string `json:"variant"`
	Expected     int64  `json:"expected"`
	Counted      int64  `json:"counted"`
	Lost         int64  `json:"lost"`
	Duplicated   int64  `json:"duplicated"`
	LateDropped  int64  `json:"late_dropped"`
	LateInjected int64  `json:"late_injected"`
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
	// FlushClosed counts windows the end-of-run flush closed (their end
	// past what the events' own watermark reached): reconciled, but left
	// out of window latency, which would skip the watermark's wait.
	FlushClosed int64 `json:"flush_closed"`
}

// Checkpoints summarises Flink checkpointing: the counts, durations and
// sizes cover checkpoints triggered during the measurement phase; List holds
// every checkpoint of the run.
type Checkpoints struct {
	Completed      int64      `json:"completed"`
	Failed         int64      `json:"failed"`
	DurationMs     DelayStats `json:"duration_ms"`
	StateSizeBytes StateSize  `json:"state_size_bytes"`
	// CheckpointedSizeBytes is what the checkpoints uploaded (less than the
	// state size with incremental checkpoints).
	CheckpointedSizeBytes StateSize  `json:"checkpointed_size_bytes"`
	SyncMs                DelayStats `json:"sync_ms"`      // slowest subtask's synchronous part, per checkpoint
	AsyncMs               DelayStats `json:"async_ms"`     // slowest subtask's asynchronous part
	AlignmentMs           DelayStats `json:"alignment_ms"` // slowest subtask's barrier alignment
	// Overhead compares the measurement phase while a checkpoint is in flight
	// with the time between checkpoints; nil without completed checkpoints.
	Overhead *CheckpointOverhead `json:"overhead,omitempty"`
	// Control compares the run with its paired control run without
	// checkpointing (job.checkpoint.control_run).
	Control *ControlComparison `json:"control,omitempty"`
	List    []Checkpoint       `json:"list,omitempty"`
}

// ControlComparison sets a run beside its control run: the same scenario on
// the same environment right after it, with checkpointing off. Each ratio
// is this run's figure over the control's (1 = no overhead); 0 when the
// control has no such figure.
type ControlComparison struct {
	Dir         string  `json:"dir"` // the control's result directory, relative to this run's
	Valid       bool    `json:"valid"`
	E2EP50Ratio float64 `json:"e2e_p50_ratio"`
	E2EP99Ratio float64 `json:"e2e_p99_ratio"`
	OutRPSRatio float64 `json:"out_rps_ratio"`
	// TaskManagerCPURatio compares the TaskManagers' summed median CPU use.
	TaskManagerCPURatio float64 `json:"taskmanager_cpu_ratio"`
	Note                string  `json:"note,omitempty"`
}

// Checkpoint is one checkpoint of the run. Times are seconds from the run's
// start; sync, async and alignment are the slowest subtask's.
type Checkpoint struct {
	ID                int64   `json:"id"`
	Status            string  `json:"status"` // COMPLETED, FAILED or IN_PROGRESS
	Savepoint         bool    `json:"savepoint,omitempty"`
	TriggerS          float64 `json:"trigger_s"`
	DurationMs        int64   `json:"duration_ms"` // end to end
	SyncMs            int64   `json:"sync_ms"`
	AsyncMs           int64   `json:"async_ms"`
	AlignmentMs       int64   `json:"alignment_ms"`
	AlignmentBuffered int64   `json:"alignment_buffered_bytes"`
	ProcessedData     int64   `json:"processed_data_bytes"`
	PersistedData     int64   `json:"persisted_data_bytes"` // in-flight data of unaligned checkpoints
	StateSize         int64   `json:"state_size_bytes"`
	CheckpointedSize  int64   `json:"checkpointed_size_bytes"`
}

// CheckpointOverhead is latency and throughput while a checkpoint is in
// flight against between checkpoints, both within the measurement phase.
// E2E latency is attributed by intended time, output records by the time
// the harness read them.
type CheckpointOverhead struct {
	InFlightShare float64      `json:"in_flight_share"` // of the measurement phase
	E2EInFlight   LatencyStats `json:"e2e_in_flight"`
	E2EBetween    LatencyStats `json:"e2e_between"`
	// P99Ratio is e2e p99 in flight / between (0 if either is empty).
	P99Ratio       float64 `json:"p99_ratio"`
	OutRPSInFlight float64 `json:"out_rps_in_flight"`
	OutRPSBetween  float64 `json:"out_rps_between"`
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
	// Unmeasured names the vertices left out because a subtask restarted
	// during the measurement phase (its records-in counter started afresh).
	Unmeasured []string `json:"unmeasured,omitempty"`
}

// VertexSkew is Skew for one job vertex (named by its chained operators,
// "windows -> windows-sink"), with the records-in of each subtask.
type VertexSkew struct {
	Name        string  `json:"name"`
	MaxOverMean float64 `json:"max_over_mean"`
	RecordsIn   []int64 `json:"records_in,omitempty"`
	// ExpectedMaxOverMean, for vertices keyed by (campaign, variant), is
	// what the events sent predict: each key's events placed on its subtask
	// by Flink's key-group assignment.
	ExpectedMaxOverMean *float64 `json:"expected_max_over_mean,omitempty"`
}

// Recovery times one injected fault, in seconds from the run's start; a nil
// time means the step never happened. Each *_s is a moment; the *_after_s
// fields are the same moments as durations from the fault.
type Recovery struct {
	Fault string  `json:"fault"`
	AtS   float64 `json:"at_s"`
	// EndedS is when the injection itself was over: a pause thawed, a
	// restarted broker's container running again, a network fault lifted;
	// about AtS for a kill.
	EndedS         *float64 `json:"ended_s,omitempty"`
	DetectedS      *float64 `json:"detected_s" jsonschema:"nullable"`
	RunningS       *float64 `json:"running_s" jsonschema:"nullable"`
	OutputResumedS *float64 `json:"output_resumed_s" jsonschema:"nullable"`
	LagRecoveredS  *float64 `json:"lag_recovered_s" jsonschema:"nullable"`
	// Restarts is how many times the job restarted after this fault.
	Restarts int `json:"restarts"`
	// MaxE2EMs is the largest e2e latency of events intended from the fault
	// until the lag recovered (the fault's latency spike).
	MaxE2EMs float64 `json:"max_e2e_ms"`
}

// Rescale is one scaling action and the job's response. Times are seconds
// from the run's start; a nil time did not happen (within 90 s, or before
// the next action).
type Rescale struct {
	Action       string   `json:"action"` // add_taskmanager or remove_taskmanager
	Count        int      `json:"count"`
	TaskManagers []string `json:"taskmanagers,omitempty"` // which joined or left
	AtS          float64  `json:"at_s"`
	// SlotsBefore/After are the cluster's slots (Flink's overview) before
	// the action and once they changed (SlotsChangedS).
	SlotsBefore   int      `json:"slots_before"`
	SlotsAfter    int      `json:"slots_after"`
	SlotsChangedS *float64 `json:"slots_changed_s" jsonschema:"nullable"`
	// ParallelismBefore/After are the job's parallelism (its vertices'
	// highest, read from GET /jobs/{id}) before the action and when it
	// first ran at another one (RescaledS); After = Before when it did not.
	ParallelismBefore int      `json:"parallelism_before"`
	ParallelismAfter  int      `json:"parallelism_after"`
	RescaledS         *float64 `json:"rescaled_s" jsonschema:"nullable"`
	// RescaleTimeS is RescaledS − AtS: from the action to the job running
	// at its new parallelism (TaskManager start, registration, the
	// scheduler's waits, the restart).
	RescaleTimeS  *float64 `json:"rescale_time_s" jsonschema:"nullable"`
	LagRecoveredS *float64 `json:"lag_recovered_s" jsonschema:"nullable"`
	// OutputGapS is the longest time without output from the action until
	// the lag recovered (at most 30 s after the rescale).
	OutputGapS float64 `json:"output_gap_s"`
	// MaxE2EMs is the largest e2e latency of events intended in that time.
	MaxE2EMs float64 `json:"max_e2e_ms"`
	// ReadBeforeEPS is the job's read rate over the 10 s before the action;
	// ReadAfterEPS over the catch-up after the rescale (until the lag
	// recovered) or, when the lag did not recover, the 10 s after it: a
	// job that gained capacity reads faster than before while it catches up.
	// Both are net rates (produced plus the lag's decrease): events re-read
	// after a restart from a checkpoint do not count twice.
	ReadBeforeEPS float64 `json:"read_before_eps"`
	ReadAfterEPS  float64 `json:"read_after_eps"`
	// ProcessedBeforeEPS is what the job processed (updates written, as
	// throughput.in_eps counts them) per second over the 10 s before the
	// action; ProcessedAfterEPS over 10 s from 2 s after the rescale (the
	// 10 s after the action when it did not rescale). While a backlog
	// lasts this is the job's capacity; the read rate after also counts
	// the network buffers behind the source filling up again.
	ProcessedBeforeEPS float64 `json:"processed_before_eps"`
	ProcessedAfterEPS  float64 `json:"processed_after_eps"`
	Restarts           int     `json:"restarts"`
	Error              string  `json:"error,omitempty"`
}

// Resource is one component's resource use, sampled once a second.
type Resource struct {
	Component string `json:"component"`
	PID       int    `json:"pid,omitempty"`
	// CPULimitCores and MemLimitMb are a container's limits (docker); absent = none.
	CPULimitCores float64          `json:"cpu_limit_cores,omitempty"`
	MemLimitMb    float64          `json:"mem_limit_mb,omitempty"`
	CPUPct        CPUStats         `json:"cpu_pct"`
	RSSMb         RSSStats         `json:"rss_mb"`
	Series        []ResourceSample `json:"series,omitempty"`
}

// ResourceSample is one second of a component's resource use.
type ResourceSample struct {
	TS     float64 `json:"t_s"`
	CPUPct float64 `json:"cpu_pct"`
	RSSMb  float64 `json:"rss_mb"`
	// ThrottledPct is the share of the second's CPU-limit enforcement
	// periods in which the container was throttled (docker, with a CPU limit).
	ThrottledPct float64 `json:"throttled_pct,omitempty"`
	// JITPct is the time the JVM's JIT compilers spent compiling in the
	// second, in % of a core (its hsperfdata, as `jstat -compiler` reads
	// it; summed over a container's JVMs); absent when not readable. It is
	// the compilations' elapsed time summed over the compiler threads, so
	// on a contended machine it can exceed the CPU the JVM got.
	JITPct *float64 `json:"jit_pct,omitempty"`
}

// FlinkMetrics holds Flink's own metrics over the run, once a second.
type FlinkMetrics struct {
	Vertices []VertexMetrics `json:"vertices"`
	// GC is the TaskManagers' garbage-collection time, summed over their collectors.
	GC []GCMetrics `json:"gc,omitempty"`
}

// VertexMetrics is one job vertex's time series.
type VertexMetrics struct {
	Name        string         `json:"name"`
	Parallelism int            `json:"parallelism"`
	Series      []VertexSample `json:"series"`
}

// VertexSample is one second of a vertex: rates summed over its subtasks,
// times per second the largest of any subtask, the watermark lag of its
// slowest subtask (wall clock minus the lowest input watermark; omitted
// before the first watermark).
type VertexSample struct {
	TS              float64  `json:"t_s"`
	InRPS           float64  `json:"in_rps"`
	OutRPS          float64  `json:"out_rps"`
	BusyMsPerS      float64  `json:"busy_ms_per_s"`
	BackPressuredMs float64  `json:"backpressured_ms_per_s"`
	IdleMsPerS      float64  `json:"idle_ms_per_s"`
	WatermarkLagMs  *float64 `json:"watermark_lag_ms,omitempty"`
}

// GCMetrics is one TaskManager's GC time per second.
type GCMetrics struct {
	TaskManager string     `json:"taskmanager"`
	Series      []GCSample `json:"series"`
}

// GCSample is one second of GC.
type GCSample struct {
	TS          float64 `json:"t_s"`
	GCMsPerS    float64 `json:"gc_ms_per_s"`
	GCCountPerS float64 `json:"gc_count_per_s"`
}

// Lag summarises the input lag: events produced to the input topic minus
// events the job's source has read.
type Lag struct {
	Max   int64 `json:"max"`
	Final int64 `json:"final"` // at the end of the measurement phase
	// SlopePerS is the least-squares trend of the lag over the measurement
	// phase, in events per second: near 0 when the job keeps up, positive
	// when it falls behind.
	SlopePerS float64 `json:"slope_per_s"`
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

// Gate is one evaluated gate: the metric's value, and for a baseline gate
// the limit it was held to. Error says why a gate could not pass (metric
// missing or without data, no baseline, invalid run). For a worse_by gate,
// Value is how much worse the metric got by the estimate and Limit the
// tolerated worsening, both in percent (in the metric's unit for the lag
// slope), Interval the worsening's confidence interval, and Verdict the
// comparison's verdict; Detail says how it was judged.
type Gate struct {
	Expr     string      `json:"expr"`
	Value    float64     `json:"value"`
	Limit    *float64    `json:"limit,omitempty"`
	Pass     bool        `json:"pass"`
	Error    string      `json:"error,omitempty"`
	Verdict  string      `json:"verdict,omitempty"`
	Interval *[2]float64 `json:"interval,omitempty"`
	Detail   string      `json:"detail,omitempty"`
	// NoData is true when the gate failed because its metric was missing
	// or had nothing measured (Value is then meaningless).
	NoData bool `json:"no_data,omitempty"`
	// Unit is the unit of a worse_by gate's Value, Limit and Interval ("%",
	// or the metric's unit for the lag slope).
	Unit string `json:"unit,omitempty"`
}

// TimePoint is one sample of the run's time series.
type TimePoint struct {
	TS    float64 `json:"t_s"` // seconds from the run's start
	Phase string  `json:"phase,omitempty"`
	// SentEPS is events sent (handed to the Kafka client) in the second;
	// InEPS events the job processed (its updates read in the second,
	// distinct seqs), as throughput.in_eps; ReadEPS the source's progress.
	SentEPS  float64 `json:"sent_eps"`
	InEPS    float64 `json:"in_eps"`
	ReadEPS  float64 `json:"read_eps"` // read by the job's source
	OutRPS   float64 `json:"out_rps"`
	E2EP99Ms float64 `json:"e2e_p99_ms"`
	// Lag is events produced minus events the job's source has read.
	Lag int64 `json:"lag"`
	// Unaccounted is events produced whose update has not arrived yet.
	Unaccounted          int64  `json:"unaccounted"`
	CheckpointInProgress bool   `json:"checkpoint_in_progress,omitempty"`
	JobState             string `json:"job_state,omitempty"` // when not RUNNING
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

// UnmarshalJSON reads a result, leniently in its scenario: a result an
// older abload wrote under this schema may hold a knob whose shape has
// changed since. The scenario then keeps every field that still reads
// (decodeScenario; nil if it is not an object), the rest of the result
// reads as usual, and the scenario as written is kept for comparing
// configurations.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result // without this method
	aux := struct {
		*plain
		Scenario json.RawMessage `json:"scenario"`
	}{plain: (*plain)(r)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	r.Scenario, r.scenarioJSON = nil, nil
	if raw := bytes.TrimSpace(aux.Scenario); len(raw) > 0 && raw[0] == '{' {
		r.scenarioJSON = append(json.RawMessage(nil), raw...)
		r.Scenario = decodeScenario(raw)
	}
	return nil
}

// decodeScenario reads a scenario object, leaving out (zero) each field
// that does not read: a whole section when it reads, else its fields one
// by one, so a knob of another shape costs that knob only. (A field that
// fails to decode can stop encoding/json in the middle of its section.)
func decodeScenario(raw json.RawMessage) *scenarios.Scenario {
	var sc scenarios.Scenario
	if json.Unmarshal(raw, &sc) == nil {
		return &sc
	}
	sc = scenarios.Scenario{}
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return nil
	}
	set := func(v any) bool {
		b, err := json.Marshal(v)
		return err == nil && json.Unmarshal(b, &sc) == nil
	}
	for k, v := range top {
		if set(map[string]json.RawMessage{k: v}) {
			continue
		}
		var section map[string]json.RawMessage
		if json.Unmarshal(v, &section) != nil {
			continue // a leaf of another shape: left out
		}
		for k2, v2 := range section {
			set(map[string]map[string]json.RawMessage{k: {k2: v2}})
		}
	}
	return &sc
}

// scenarioAsWritten is the scenario's JSON: as read, or as it would be
// written.
func (r *Result) scenarioAsWritten() []byte {
	if r.scenarioJSON != nil {
		return r.scenarioJSON
	}
	b, _ := json.Marshal(r.Scenario)
	return b
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

// WriteRunFiles writes a run's result.json and report.md into dir.
func WriteRunFiles(dir string, r *Result) error {
	if err := WriteResult(dir, r); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	WriteMarkdown(f, r)
	return f.Close()
}
