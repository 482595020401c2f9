package reports

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/abload/abload/scenarios"
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
	StoppedByLimited   = "limited"   // the harness or the broker could not offer a step's rate: the capacity is at least the last pass
)

// Step verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Capacity is the answer of `abload capacity` (capacity.json): every step
// and the highest rate that held every SLO.
type Capacity struct {
	Schema        string              `json:"schema"` // CapacitySchema
	Name          string              `json:"name"`   // the scenario's
	AbloadVersion string              `json:"abload_version"`
	RunID         string              `json:"run_id"`
	StartedAt     string              `json:"started_at"`
	FinishedAt    string              `json:"finished_at"`
	Scenario      *scenarios.Scenario `json:"scenario"`
	Environment   Environment         `json:"environment"`
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
	// Clock is the check of this host's clock against the Kafka broker's,
	// as in result.json: each step's consumer delay reads the broker's
	// append time on this host's clock.
	Clock *ClockCheck `json:"clock,omitempty"`
	// Warmup says how the warmup before the first step ended (absent:
	// none).
	Warmup *WarmupDecision `json:"warmup,omitempty"`
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
	ProcessedEPS   float64 `json:"processed_eps"`
	SendDelayP99Ms float64 `json:"send_delay_p99_ms"` // events intended in the judge window
	// ConsumerDelayP99Ms is the harness's consumer's delay behind the
	// outputs read in the judge window; ProducerBuffered the most records
	// its producer held unacknowledged then.
	ConsumerDelayP99Ms float64 `json:"consumer_delay_p99_ms"`
	ProducerBuffered   int64   `json:"producer_buffered"`
	// LimitedBy says the step failed because the harness or the broker
	// could not offer its rate ("harness", "broker"): not the job's limit.
	LimitedBy         string  `json:"limited_by,omitempty"`
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

// WriteCapacity writes capacity.json, capacity.md and capacity.html into dir.
func WriteCapacity(dir string, c *Capacity) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "capacity.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeFileWith(filepath.Join(dir, "capacity.md"), func(w io.Writer) error { return WriteCapacityMarkdown(w, c) }); err != nil {
		return err
	}
	return writeFileWith(filepath.Join(dir, CapacityHTMLFile), func(w io.Writer) error { return WriteCapacityHTML(w, c) })
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

// capacityRow is one row of the answer table: what capacity.md and
// capacity.html both show.
type capacityRow struct {
	Key, Value string
	Strong     bool
}

func capacityAnswerRows(c *Capacity) []capacityRow {
	eps := func(v float64) string {
		if v > 0 {
			return fmt.Sprintf("%.0f events/s", v)
		}
		return "none"
	}
	rows := []capacityRow{
		{Key: "sustainable", Value: eps(c.SustainableEPS), Strong: true},
		{Key: "first failing", Value: eps(c.FirstFailingEPS)},
	}
	if c.FailReason != "" {
		rows = append(rows, capacityRow{Key: "why it failed", Value: c.FailReason})
	}
	rows = append(rows, capacityRow{Key: "saturation", Value: eps(c.SaturationEPS)})
	conf := "unknown"
	if c.Confidence > 0 {
		conf = fmt.Sprintf("%.1f%% (first failing / sustainable − 1)", c.Confidence*100)
	}
	rows = append(rows, capacityRow{Key: "confidence", Value: conf}, capacityRow{Key: "stopped by", Value: c.StoppedBy})
	if c.Note != "" {
		rows = append(rows, capacityRow{Key: "note", Value: c.Note})
	}
	if t := clockText(c.Clock); t != "" {
		rows = append(rows, capacityRow{Key: "broker clock", Value: t})
	}
	if c.Warmup != nil && c.Warmup.Mode == "auto" {
		rows = append(rows, capacityRow{Key: "warmup", Value: WarmupText(c.Warmup)})
	}
	return append(rows, capacityRow{Key: "search time", Value: fmt.Sprintf("%.0f s, %d step(s)", c.ElapsedS, len(c.Steps))})
}

// capacityRunText says which run and environment the search had.
func capacityRunText(c *Capacity) string {
	return fmt.Sprintf("%s → %s; %s (flink %s, kafka %s), %d CPUs, %s",
		c.StartedAt, c.FinishedAt, c.Environment.Kind, c.Environment.FlinkVersion, c.Environment.KafkaVersion, c.Environment.CPUs, c.Environment.CPUModel)
}

func capacitySLOText(c *Capacity) string {
	return fmt.Sprintf("SLOs per step: e2e p99 <= %.0f ms (events intended in the judge window), lag slope <= %.3g × rate, send delay p99 <= %.0f ms, no failed checkpoint, no restart. Saturation: the highest rate the job's source read at a step whose lag grew (no latency bound).",
		c.SLO.E2EP99Ms, c.SLO.LagSlopeRatio, c.SLO.MaxSendDelay)
}

// capacityStepColumns are the steps table's columns before the verdict and
// the reason; capacityStepCells a step's cells in them.
var capacityStepColumns = []string{"#", "rate (ev/s)", "processed (ev/s)", "start (s)", "judged (s)", "events",
	"e2e p50 (ms)", "e2e p99 (ms)", "e2e max (ms)", "lag slope (ev/s)", "lag end", "send delay p99 (ms)", "failed ckpts"}

func capacityStepCells(s CapacityStep) []string {
	processed := "–" // fewer than two lag samples in the judge window
	if s.ProcessedEPS > 0 {
		processed = fmt.Sprintf("%.0f", s.ProcessedEPS)
	}
	return []string{
		fmt.Sprint(s.N), fmt.Sprintf("%.0f", s.RateEPS), processed, fmt.Sprintf("%.1f", s.StartS),
		fmt.Sprintf("%.1f–%.1f", s.JudgeS, s.EndS), fmt.Sprint(s.Events),
		fmt.Sprintf("%.1f", s.E2EP50Ms), fmt.Sprintf("%.1f", s.E2EP99Ms), fmt.Sprintf("%.1f", s.E2EMaxMs),
		fmt.Sprintf("%.1f", s.LagSlope), fmt.Sprint(s.LagEnd), fmt.Sprintf("%.1f", s.SendDelayP99Ms), fmt.Sprint(s.FailedCheckpoints),
	}
}

// stepsByRate returns the steps sorted by offered rate (the order of the
// search is in their numbers).
func stepsByRate(steps []CapacityStep) []CapacityStep {
	s := slices.Clone(steps)
	slices.SortStableFunc(s, func(a, b CapacityStep) int { return cmp.Compare(a.RateEPS, b.RateEPS) })
	return s
}

// WriteCapacityMarkdown writes capacity.md: the answer, a chart of e2e p99
// by offered rate (a Mermaid xychart, which GitHub renders) and the steps.
func WriteCapacityMarkdown(w io.Writer, c *Capacity) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Capacity: %s\n\n", c.Name)
	fmt.Fprintf(&b, "Run `%s`, %s.\n\n", c.RunID, capacityRunText(c))
	b.WriteString("## Answer\n\n")
	b.WriteString("| | |\n|---|---|\n")
	for _, r := range capacityAnswerRows(c) {
		v := mdCell(r.Value)
		if r.Strong {
			v = "**" + v + "**"
		}
		fmt.Fprintf(&b, "| %s | %s |\n", r.Key, v)
	}
	fmt.Fprintf(&b, "\n%s\n\n", capacitySLOText(c))
	if len(c.Steps) > 0 {
		b.WriteString("## e2e p99 by offered rate\n\n")
		writeCapacityMermaid(&b, c)
	}
	b.WriteString("## Steps\n\n")
	if len(c.Steps) == 0 {
		b.WriteString("No step was judged.\n")
	} else {
		b.WriteString("| " + strings.Join(capacityStepColumns, " | ") + " | verdict | reason |\n")
		b.WriteString(strings.Repeat("|---", len(capacityStepColumns)+2) + "|\n")
		for _, s := range c.Steps {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", strings.Join(capacityStepCells(s), " | "), s.Verdict, mdCell(s.Reason))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidInit colours a Mermaid chart's plots in the order they are
// written (where the renderer honours the init directive; the captions
// name the colours).
func mermaidInit(colors ...string) string {
	return `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "` + strings.Join(colors, ", ") + `"}}}}%%`
}

// The charts' colours, as in capacity.html.
const (
	colorPass  = "#2ca02c"
	colorFail  = "#d62728"
	colorLimit = "#555555"
	colorRate  = "#1f77b4"
	colorRef   = "#7f7f7f"
)

// writeCapacityMermaid writes a Mermaid xychart of each step's e2e p99, the
// steps sorted by offered rate, passed and failed steps as bars of their
// own colour, and the SLO bound as a line.
func writeCapacityMermaid(b *strings.Builder, c *Capacity) {
	steps := stepsByRate(c.Steps)
	var labels, pass, fail, slo []string
	top := c.SLO.E2EP99Ms
	for _, s := range steps {
		top = max(top, s.E2EP99Ms)
		labels = append(labels, mermaidString(fmt.Sprintf("%.0f", s.RateEPS)))
		p99 := mermaidNum(s.E2EP99Ms)
		if s.Verdict == VerdictPass {
			pass, fail = append(pass, p99), append(fail, "0")
		} else {
			pass, fail = append(pass, "0"), append(fail, p99)
		}
		slo = append(slo, mermaidNum(c.SLO.E2EP99Ms))
	}
	b.WriteString("```mermaid\n" + mermaidInit(colorPass, colorFail, colorLimit) + "\nxychart-beta\n")
	b.WriteString("    title \"e2e p99 by offered rate\"\n")
	fmt.Fprintf(b, "    x-axis \"offered rate (events/s)\" [%s]\n", strings.Join(labels, ", "))
	fmt.Fprintf(b, "    y-axis \"e2e p99 (ms)\" 0 --> %s\n", mermaidNum(niceCeil(top)))
	fmt.Fprintf(b, "    bar [%s]\n    bar [%s]\n", strings.Join(pass, ", "), strings.Join(fail, ", "))
	if c.SLO.E2EP99Ms > 0 {
		fmt.Fprintf(b, "    line [%s]\n", strings.Join(slo, ", "))
	}
	b.WriteString("```\n\nBars: each step's e2e p99 (green: passed, red: failed), the steps sorted by offered rate")
	if c.SLO.E2EP99Ms > 0 {
		fmt.Fprintf(b, "; line: the SLO, %.0f ms", c.SLO.E2EP99Ms)
	}
	b.WriteString(". The steps table below has them in the order they ran.\n\n")
}

// niceCeil rounds v up to a round number (1, 1.2, 1.5, 2, ... 8 times a
// power of ten): the top of an axis that starts at 0 (Mermaid's own range
// does not, which makes bars lie).
func niceCeil(v float64) float64 {
	if !(v > 0) || !finite(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// mermaidString quotes s for a Mermaid string, which cannot hold a quote.
func mermaidString(s string) string {
	return `"` + strings.NewReplacer(`"`, "'", "\n", " ", "\r", " ").Replace(s) + `"`
}

// mermaidNum formats a plotted value (Mermaid parses plain decimals only).
func mermaidNum(v float64) string {
	if !finite(v) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ")
}
