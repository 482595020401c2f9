package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// CapacitySchema names the format of capacity.json.
const CapacitySchema = "abload.capacity/v1"

// Why a capacity search stopped.
const (
	StoppedByPrecision = "precision" // the last pass and the first failure are within capacity.precision
	StoppedByMaxRate   = "max_rate"  // capacity.max_rate passed
	StoppedByBudget    = "budget"    // capacity.budget ran out
	StoppedByAborted   = "aborted"   // interrupted, or the job or the harness failed
	StoppedByMinRate   = "min_rate"  // even a tiny fraction of start_rate failed
)

// Step verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Capacity is the answer of `abload capacity` (capacity.json): every step
// and the highest rate that held every SLO.
type Capacity struct {
	Schema        string      `json:"schema"` // CapacitySchema
	Name          string      `json:"name"`   // the scenario's
	AbloadVersion string      `json:"abload_version"`
	RunID         string      `json:"run_id"`
	StartedAt     string      `json:"started_at"`
	FinishedAt    string      `json:"finished_at"`
	Scenario      any         `json:"scenario"`
	Environment   Environment `json:"environment"`
	// SLO restates what a step had to hold.
	SLO CapacitySLO `json:"slo"`
	// SustainableEPS is the highest rate that passed (0: none did).
	SustainableEPS float64 `json:"sustainable_eps"`
	// FirstFailingEPS is the lowest rate that failed (0: none did).
	FirstFailingEPS float64 `json:"first_failing_eps"`
	// SaturationEPS is the highest rate the job's source read at a step it
	// could not hold (its lag grew): the measured ceiling, with no latency
	// bound (0: no step overloaded the job).
	SaturationEPS float64 `json:"saturation_eps"`
	// FailReason is why the first failing rate failed.
	FailReason string `json:"fail_reason,omitempty"`
	// Confidence is (first_failing − sustainable) / sustainable: the search's
	// step size when it stopped (0 when either end is unknown).
	Confidence float64 `json:"confidence"`
	StoppedBy  string  `json:"stopped_by"`
	// Note explains the stop in words.
	Note     string         `json:"note,omitempty"`
	ElapsedS float64        `json:"elapsed_s"` // from the first step to the end of the search
	Steps    []CapacityStep `json:"steps"`
}

// CapacitySLO is what each step was judged against.
type CapacitySLO struct {
	E2EP99Ms      float64 `json:"e2e_p99_ms"`
	LagSlopeRatio float64 `json:"lag_slope_ratio"`
	MaxSendDelay  float64 `json:"max_send_delay_ms"`
}

// CapacityStep is one load point of the search. Times are seconds from the
// start of the run (as in result.json's phases).
type CapacityStep struct {
	N        int     `json:"n"`
	RateEPS  float64 `json:"rate_eps"`
	StartS   float64 `json:"start_s"`    // the rate took effect
	JudgeS   float64 `json:"judge_s"`    // the judge window began (intended time)
	EndS     float64 `json:"end_s"`      // the judge window ended: the load paused
	DrainedS float64 `json:"drained_s"`  // the backlog had drained (0: it did not)
	Events   int64   `json:"events"`     // events intended in the judge window that were measured
	E2EP50Ms float64 `json:"e2e_p50_ms"` // events intended in the judge window
	E2EP99Ms float64 `json:"e2e_p99_ms"`
	E2EMaxMs float64 `json:"e2e_max_ms"`
	// LagSlope is the least-squares slope of the input lag over the judge
	// window, events/s; LagEnd its last sample.
	LagSlope   float64 `json:"lag_slope_eps"`
	LagEnd     int64   `json:"lag_end"`
	LagSamples int     `json:"lag_samples"`
	// ProcessedEPS is the rate at which the job's source read over the
	// judge window (its position's change between the first and the last
	// sample in it): the achieved throughput, which at a step the job cannot
	// hold is its saturation rate (0: fewer than two samples).
	ProcessedEPS      float64 `json:"processed_eps"`
	SendDelayP99Ms    float64 `json:"send_delay_p99_ms"`
	FailedCheckpoints int     `json:"failed_checkpoints"`
	Restarts          float64 `json:"restarts,omitempty"`
	Verdict           string  `json:"verdict"`
	Reason            string  `json:"reason,omitempty"`
}

// SaturationEPS is the highest processed rate among the steps that failed
// with a growing lag (slope above 5% of the offered rate): there the source
// read as fast as the job let it.
func SaturationEPS(steps []CapacityStep) float64 {
	best := 0.0
	for _, s := range steps {
		if s.Verdict == VerdictFail && s.LagSlope > 0.05*s.RateEPS && s.ProcessedEPS > best {
			best = s.ProcessedEPS
		}
	}
	return best
}

// WriteCapacity writes capacity.json and capacity.md into dir.
func WriteCapacity(dir string, c *Capacity) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "capacity.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "capacity.md"))
	if err != nil {
		return err
	}
	if err := WriteCapacityMarkdown(f, c); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CapacityAnswer is the answer in one sentence.
func CapacityAnswer(c *Capacity) string {
	var b strings.Builder
	switch {
	case c.SustainableEPS > 0:
		fmt.Fprintf(&b, "sustainable: %.0f events/s", c.SustainableEPS)
	default:
		b.WriteString("sustainable: none of the rates tried")
	}
	if c.FirstFailingEPS > 0 {
		fmt.Fprintf(&b, "; first failing: %.0f events/s (%s)", c.FirstFailingEPS, c.FailReason)
	} else {
		b.WriteString("; no rate tried failed")
	}
	if c.Confidence > 0 {
		fmt.Fprintf(&b, "; within %.1f%%", c.Confidence*100)
	}
	fmt.Fprintf(&b, "; stopped by %s", c.StoppedBy)
	return b.String()
}

// WriteCapacityMarkdown writes capacity.md: the answer and the steps.
func WriteCapacityMarkdown(w io.Writer, c *Capacity) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Capacity: %s\n\n", c.Name)
	fmt.Fprintf(&b, "Run `%s`, %s → %s; %s (flink %s, kafka %s), %d CPUs, %s.\n\n",
		c.RunID, c.StartedAt, c.FinishedAt, c.Environment.Kind, c.Environment.FlinkVersion, c.Environment.KafkaVersion, c.Environment.CPUs, c.Environment.CPUModel)
	b.WriteString("## Answer\n\n")
	b.WriteString("| | |\n|---|---|\n")
	sus := "none"
	if c.SustainableEPS > 0 {
		sus = fmt.Sprintf("%.0f events/s", c.SustainableEPS)
	}
	fail := "none"
	if c.FirstFailingEPS > 0 {
		fail = fmt.Sprintf("%.0f events/s", c.FirstFailingEPS)
	}
	fmt.Fprintf(&b, "| sustainable | **%s** |\n| first failing | %s |\n", sus, fail)
	if c.FailReason != "" {
		fmt.Fprintf(&b, "| why it failed | %s |\n", mdCell(c.FailReason))
	}
	conf := "unknown"
	if c.Confidence > 0 {
		conf = fmt.Sprintf("%.1f%% (first failing / sustainable − 1)", c.Confidence*100)
	}
	fmt.Fprintf(&b, "| confidence | %s |\n| stopped by | %s |\n", conf, c.StoppedBy)
	if c.Note != "" {
		fmt.Fprintf(&b, "| note | %s |\n", mdCell(c.Note))
	}
	fmt.Fprintf(&b, "| search time | %.0f s, %d step(s) |\n", c.ElapsedS, len(c.Steps))
	fmt.Fprintf(&b, "\nSLOs per step: e2e p99 <= %.0f ms (events intended in the judge window), lag slope <= %.3g × rate, send delay p99 <= %.0f ms, no failed checkpoint, no restart.\n\n",
		c.SLO.E2EP99Ms, c.SLO.LagSlopeRatio, c.SLO.MaxSendDelay)
	b.WriteString("## Steps\n\n")
	b.WriteString("| # | rate (ev/s) | start (s) | judged (s) | events | e2e p50 (ms) | e2e p99 (ms) | e2e max (ms) | lag slope (ev/s) | lag end | send delay p99 (ms) | failed ckpts | verdict | reason |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range c.Steps {
		fmt.Fprintf(&b, "| %d | %.0f | %.1f | %.1f–%.1f | %d | %.1f | %.1f | %.1f | %.1f | %d | %.1f | %d | %s | %s |\n",
			s.N, s.RateEPS, s.StartS, s.JudgeS, s.EndS, s.Events, s.E2EP50Ms, s.E2EP99Ms, s.E2EMaxMs, s.LagSlope, s.LagEnd,
			s.SendDelayP99Ms, s.FailedCheckpoints, s.Verdict, mdCell(s.Reason))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}
