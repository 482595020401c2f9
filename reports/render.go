package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/abload/abload/scenarios"
)

// WriteSummary writes a short human summary of r for the terminal. Write
// errors are ignored: this is best-effort output next to the result files.
func WriteSummary(w io.Writer, r *Result) {
	p := func(label, format string, args ...any) {
		text := fmt.Sprintf(format, args...)
		text = strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+strings.Repeat(" ", 17))
		fmt.Fprintf(w, "  %-14s %s\n", label, text)
	}
	validity := "valid"
	if !r.Valid {
		validity = "INVALID"
	}
	fmt.Fprintf(w, "abload %s: %s, %s\n", scenarioName(r.Scenario), statusText(r.Status), validity)
	for _, reason := range r.InvalidReasons {
		p("invalid:", "%s", reason)
	}
	for _, n := range r.Notes {
		p("not measured:", "%s", n)
	}
	if r.Error != "" {
		p("error:", "%s", r.Error)
	}
	if run := runText(r); run != "" {
		p("run", "%s", run)
	}
	if wt := WarmupText(r.Warmup); wt != "" && r.Warmup.Mode == "auto" {
		p("warmup", "%s", wt)
	}
	if c := clockText(r.Clock); c != "" {
		p("broker clock", "%s", c)
	}
	e := r.Events
	p("events", "%d sent in measurement (%d in total), %s/s of %s/s target", e.Sent, e.SentTotal, fmtRate(e.AchievedRate), fmtRate(e.TargetRate))
	p("send delay", "%s", delayText(e.SendDelayMs))
	p("consumer delay", "%s", delayText(r.ConsumerDelayMs))
	p("e2e latency", "%s", latencyText(r.Latency.E2E, "events"))
	p("window latency", "%s", latencyText(r.Latency.Window, "windows"))
	p("throughput", "in %s events/s, out %s records/s", fmtRate(r.Throughput.InEPS), fmtRate(r.Throughput.OutRPS))
	if jc := r.JobCost; jc != nil {
		p("job cost", "%.0f µs of CPU per event configured, %.0f µs achieved (over %d events scored)", jc.ConfiguredUs, jc.AchievedUs, jc.Events)
	}
	if c := r.Reconciliation; c != nil {
		p("reconciliation", "expected %d, counted %d, lost %d, duplicated %d, late dropped %d", c.Expected, c.Counted, c.Lost, c.Duplicated, c.LateDropped)
		for _, v := range c.Variants {
			p("  variant "+v.Variant, "expected %d, counted %d, lost %d, duplicated %d, late dropped %d of %d injected",
				v.Expected, v.Counted, v.Lost, v.Duplicated, v.LateDropped, v.LateInjected)
		}
		if w := c.Windows; w != nil {
			late := ""
			if w.LateFirings > 0 {
				late = fmt.Sprintf(", late firings %d", w.LateFirings)
			}
			p("windows", "expected %d, received %d, missing %d, count mismatch %d, unexpected %d, duplicated %d%s",
				w.Expected, w.Received, w.Missing, w.CountMismatch, w.Unexpected, w.Duplicated, late)
		}
	} else {
		p("reconciliation", "n/a")
	}
	if sk := r.Skew; sk != nil {
		for _, v := range sk.Vertices {
			p("skew", "%s max/mean %.2f over %d subtasks", v.Name, v.MaxOverMean, len(v.RecordsIn))
		}
		for _, v := range sk.Unmeasured {
			p("skew", "%s not measured: a subtask restarted during the measurement phase", v)
		}
	}
	if c := r.Checkpoints; c != nil {
		p("checkpoints", "%d completed, %d failed in measurement; duration %s; state %s (max %s)",
			c.Completed, c.Failed, delayText(c.DurationMs), BytesText(c.StateSizeBytes.Last), BytesText(c.StateSizeBytes.Max))
		if o := c.Overhead; o != nil && overheadHasData(o) {
			var parts []string
			if overheadHasE2E(o) {
				parts = append(parts, fmt.Sprintf("e2e p99 %s ms in flight vs %s ms between (×%.2f)", fmtMs(o.E2EInFlight.P99), fmtMs(o.E2EBetween.P99), o.P99Ratio))
			}
			if o.OutRPSInFlight > 0 || o.OutRPSBetween > 0 {
				parts = append(parts, fmt.Sprintf("out %s vs %s records/s", fmtRate(o.OutRPSInFlight), fmtRate(o.OutRPSBetween)))
			}
			parts = append(parts, fmt.Sprintf("in flight %.0f%% of the time", 100*o.InFlightShare))
			p("ckpt overhead", "%s", strings.Join(parts, "; "))
		}
		if k := c.Control; k != nil {
			p("vs control", "e2e p50 ×%.2f, p99 ×%.2f, output rate ×%.2f, TaskManager CPU ×%.2f against the run without checkpoints (%s/)",
				k.E2EP50Ratio, k.E2EP99Ratio, k.OutRPSRatio, k.TaskManagerCPURatio, k.Dir)
		}
	}
	if l := r.Lag; l != nil {
		p("input lag", "max %d, final %d events, trend %+.1f events/s", l.Max, l.Final, l.SlopePerS)
	}
	for _, rc := range r.Recovery {
		p("recovery", "%s", recoveryText(rc))
	}
	for _, rs := range r.Rescales {
		p("rescale", "%s", rescaleText(rs))
	}
	for _, rs := range r.Resources {
		p("resources", "%-14s cpu p50 %.0f%% max %.0f%%, rss max %.0f MB", rs.Component, rs.CPUPct.P50, rs.CPUPct.Max, rs.RSSMb.Max)
	}
	if r.Restore != nil {
		p("restore", "%s", RestoreText(r.Restore))
	}
	if r.Savepoint != "" {
		p("savepoint", "%s", r.Savepoint)
	}
	for _, g := range r.Gates {
		verdict := "pass"
		if !g.Pass {
			verdict = "FAIL"
		}
		p("gate", "%s  %s (value %s)%s", verdict, g.Expr, gateValue(g), gateNote(g))
	}
}

// WriteMarkdown writes report.md: the summary's content as Markdown tables,
// small enough for a CI job summary.
func WriteMarkdown(w io.Writer, r *Result) {
	fmt.Fprintf(w, "## abload: %s\n\n", mdEscape(scenarioName(r.Scenario)))
	valid := "yes"
	if !r.Valid {
		valid = "**no**"
	}
	fmt.Fprintf(w, "| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(w, "| %s | %s |\n", k, v) }
	row("status", statusText(r.Status))
	row("valid", valid)
	for _, reason := range r.InvalidReasons {
		row("invalid because", mdEscape(reason))
	}
	for _, n := range r.Notes {
		row("not measured", mdEscape(n))
	}
	if r.Error != "" {
		row("error", mdEscape(r.Error))
	}
	if env := envText(r.Environment); env != "" {
		row("environment", mdEscape(env))
	}
	if c := clockText(r.Clock); c != "" {
		row("broker clock", mdEscape(c))
	}
	if run := runText(r); run != "" {
		row("run", mdEscape(run))
	}
	if wt := WarmupText(r.Warmup); wt != "" {
		row("warmup", mdEscape(wt))
	}
	e := r.Events
	row("events sent (measurement / total)", fmt.Sprintf("%d / %d", e.Sent, e.SentTotal))
	row("rate (achieved / target)", fmt.Sprintf("%s / %s events/s", fmtRate(e.AchievedRate), fmtRate(e.TargetRate)))
	row("throughput (in / out)", fmt.Sprintf("%s events/s / %s records/s", fmtRate(r.Throughput.InEPS), fmtRate(r.Throughput.OutRPS)))

	fmt.Fprintf(w, "\n| ms | count | p10 | p50 | p90 | p99 | p99.9 | max |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
	latRow := func(name string, l LatencyStats) {
		if l.Count == 0 {
			fmt.Fprintf(w, "| %s | 0 | n/a | n/a | n/a | n/a | n/a | n/a |\n", name)
			return
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", name, l.Count, fmtMs(l.P10), fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P99), fmtMs(l.P999), fmtMs(l.Max))
	}
	latRow("e2e latency", r.Latency.E2E)
	latRow("window latency", r.Latency.Window)
	delayRow := func(name string, d DelayStats) {
		fmt.Fprintf(w, "| %s | | %s | | %s | | %s |\n", name, fmtMs(d.P50), fmtMs(d.P99), fmtMs(d.Max))
	}
	delayRow("send delay", e.SendDelayMs)
	delayRow("consumer delay", r.ConsumerDelayMs)

	if c := r.Reconciliation; c != nil {
		fmt.Fprintf(w, "\n| path | expected | counted | lost | duplicated | late dropped |\n|---|--:|--:|--:|--:|--:|\n")
		fmt.Fprintf(w, "| updates | %d | %d | %d | %d | %d |\n", c.Expected, c.Counted, c.Lost, c.Duplicated, c.LateDropped)
		for _, v := range c.Variants {
			fmt.Fprintf(w, "| variant %s | %d | %d | %d | %d | %d (%d injected) |\n", mdEscape(v.Variant), v.Expected, v.Counted, v.Lost, v.Duplicated, v.LateDropped, v.LateInjected)
		}
		if wr := c.Windows; wr != nil {
			fmt.Fprintf(w, "\n| path | expected | received | missing | count mismatch | unexpected | duplicated | late firings |\n|---|--:|--:|--:|--:|--:|--:|--:|\n")
			fmt.Fprintf(w, "| windows | %d | %d | %d | %d | %d | %d | %d |\n", wr.Expected, wr.Received, wr.Missing, wr.CountMismatch, wr.Unexpected, wr.Duplicated, wr.LateFirings)
		}
	}
	if sk := r.Skew; sk != nil && len(sk.Vertices) > 0 {
		fmt.Fprintf(w, "\n| vertex | subtasks | records in (max / mean) |\n|---|--:|--:|\n")
		for _, v := range sk.Vertices {
			fmt.Fprintf(w, "| %s | %d | %.2f |\n", mdEscape(v.Name), len(v.RecordsIn), v.MaxOverMean)
		}
	}
	if c := r.Checkpoints; c != nil {
		fmt.Fprintf(w, "\n| checkpoints | completed | failed | duration ms (p50 / p99 / max) | state (last / max) |\n|---|--:|--:|--:|--:|\n")
		fmt.Fprintf(w, "| measurement phase | %d | %d | %s / %s / %s | %s / %s |\n", c.Completed, c.Failed,
			fmtMs(c.DurationMs.P50), fmtMs(c.DurationMs.P99), fmtMs(c.DurationMs.Max), BytesText(c.StateSizeBytes.Last), BytesText(c.StateSizeBytes.Max))
		if o := c.Overhead; o != nil && overheadHasData(o) {
			e2e := func(p float64) string {
				if !overheadHasE2E(o) {
					return "n/a"
				}
				return fmtMs(p)
			}
			fmt.Fprintf(w, "\n| checkpoint overhead | e2e p50 ms | e2e p99 ms | out records/s | share of time |\n|---|--:|--:|--:|--:|\n")
			fmt.Fprintf(w, "| in flight | %s | %s | %s | %.0f%% |\n", e2e(o.E2EInFlight.P50), e2e(o.E2EInFlight.P99), fmtRate(o.OutRPSInFlight), 100*o.InFlightShare)
			fmt.Fprintf(w, "| between | %s | %s | %s | %.0f%% |\n", e2e(o.E2EBetween.P50), e2e(o.E2EBetween.P99), fmtRate(o.OutRPSBetween), 100*(1-o.InFlightShare))
		}
		if k := c.Control; k != nil {
			fmt.Fprintf(w, "\nagainst the control run without checkpoints (`%s/`): e2e p50 ×%.2f, p99 ×%.2f, output rate ×%.2f, TaskManager CPU ×%.2f\n",
				k.Dir, k.E2EP50Ratio, k.E2EP99Ratio, k.OutRPSRatio, k.TaskManagerCPURatio)
		}
	}
	if l := r.Lag; l != nil {
		fmt.Fprintf(w, "\ninput lag: max %d, final %d events, trend %+.1f events/s\n", l.Max, l.Final, l.SlopePerS)
	}
	if len(r.Recovery) > 0 {
		fmt.Fprintf(w, "\n| fault | recovery |\n|---|---|\n")
		for _, rc := range r.Recovery {
			text := recoveryText(rc)
			if i := strings.Index(text, ": "); i >= 0 {
				text = text[i+2:]
			}
			fmt.Fprintf(w, "| %s at %.1fs | %s |\n", mdEscape(rc.Fault), rc.AtS, mdEscape(text))
		}
	}
	if len(r.Rescales) > 0 {
		fmt.Fprintf(w, "\n| scaling | parallelism | slots | rescale time | output gap | max e2e | processed before → after | read before → after | restarts |\n|---|---|---|--:|--:|--:|---|---|--:|\n")
		for _, rs := range r.Rescales {
			rt := "none"
			if rs.RescaleTimeS != nil {
				rt = fmt.Sprintf("%.1f s", *rs.RescaleTimeS)
			}
			fmt.Fprintf(w, "| %s ×%d at %.1fs | %d → %d | %d → %d | %s | %.1f s | %s ms | %.0f → %.0f events/s | %.0f → %.0f events/s | %d |\n",
				mdEscape(rs.Action), rs.Count, rs.AtS, rs.ParallelismBefore, rs.ParallelismAfter, rs.SlotsBefore, rs.SlotsAfter,
				rt, rs.OutputGapS, fmtMs(rs.MaxE2EMs), rs.ProcessedBeforeEPS, rs.ProcessedAfterEPS, rs.ReadBeforeEPS, rs.ReadAfterEPS, rs.Restarts)
		}
	}
	if len(r.Resources) > 0 {
		fmt.Fprintf(w, "\n| process | cpu p50 | cpu max | rss max |\n|---|--:|--:|--:|\n")
		for _, rs := range r.Resources {
			fmt.Fprintf(w, "| %s | %.0f%% | %.0f%% | %.0f MB |\n", mdEscape(rs.Component), rs.CPUPct.P50, rs.CPUPct.Max, rs.RSSMb.Max)
		}
	}
	if r.Restore != nil {
		fmt.Fprintf(w, "\nrestore: %s\n", mdEscape(RestoreText(r.Restore)))
	}
	if r.Savepoint != "" {
		fmt.Fprintf(w, "\nsavepoint: `%s`\n", strings.ReplaceAll(r.Savepoint, "`", "'"))
	}

	if len(r.Gates) > 0 {
		fmt.Fprintf(w, "\n| gate | value | result |\n|---|--:|---|\n")
		for _, g := range r.Gates {
			verdict := "pass"
			if !g.Pass {
				verdict = "**FAIL**"
			}
			fmt.Fprintf(w, "| `%s` | %s | %s%s |\n", strings.ReplaceAll(g.Expr, "`", "'"), gateValue(g), verdict, mdEscape(gateNote(g)))
		}
	}
}

// scenarioName is the scenario's name, or "(unnamed)".
func scenarioName(s *scenarios.Scenario) string {
	if s == nil || s.Name == "" {
		return "(unnamed)"
	}
	return s.Name
}

func statusText(s Status) string {
	if s == "" {
		return "unknown status"
	}
	return string(s)
}

func envText(e Environment) string {
	var parts []string
	if e.FlinkVersion != "" {
		parts = append(parts, "Flink "+e.FlinkVersion)
	}
	if e.KafkaVersion != "" {
		parts = append(parts, "Kafka "+e.KafkaVersion)
	}
	s := e.Kind
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if e.Host != "" {
		s += " on " + e.Host
	}
	if e.Limits != "" {
		s += "; limits " + e.Limits
	}
	if e.Network != "" {
		s += "; job↔broker network " + e.Network
	}
	if e.Pin != nil {
		s += "; CPU pinning " + e.Pin.String()
	}
	if len(e.JVMOptions) > 0 {
		s += "; JVM options " + strings.Join(e.JVMOptions, " ")
	}
	return strings.TrimSpace(s)
}

// runText is "<start>, <duration> (<phase> <len>, ...)".
func runText(r *Result) string {
	var parts []string
	if started, err := time.Parse(time.RFC3339, r.StartedAt); err == nil {
		s := started.UTC().Format("2006-01-02 15:04:05Z")
		if finished, err := time.Parse(time.RFC3339, r.FinishedAt); err == nil && !finished.Before(started) {
			s += fmt.Sprintf(", %.1fs", finished.Sub(started).Seconds())
		}
		parts = append(parts, s)
	} else if r.StartedAt != "" {
		parts = append(parts, r.StartedAt)
	}
	if r.RunID != "" {
		parts = append(parts, "id "+r.RunID)
	}
	var phases []string
	for _, ph := range r.Phases {
		phases = append(phases, fmt.Sprintf("%s %.1fs", ph.Name, ph.EndS-ph.StartS))
	}
	if len(phases) > 0 {
		parts = append(parts, "phases: "+strings.Join(phases, ", "))
	}
	return strings.Join(parts, "; ")
}

// WarmupText says how the warmup ended: "auto: 26.8 s, settled (…)".
func WarmupText(d *WarmupDecision) string {
	if d == nil {
		return ""
	}
	if d.Mode != "auto" {
		return fmt.Sprintf("fixed: %.1f s", d.WarmupS)
	}
	s := fmt.Sprintf("auto: %.1f s of at most %.0f s; %s", d.WarmupS, d.MaxS, d.Reason)
	if g := d.StateGrowthBytesPerS; g != nil {
		s += fmt.Sprintf("; checkpointed state grows %s/s while measuring (reported, not waited for)", fmtBytes(*g))
	}
	return s
}

func fmtBytes(b float64) string {
	switch a := math.Abs(b); {
	case a >= 1<<20:
		return fmt.Sprintf("%.1f MiB", b/(1<<20))
	case a >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

func delayText(d DelayStats) string {
	return fmt.Sprintf("p50 %s  p99 %s  max %s ms", fmtMs(d.P50), fmtMs(d.P99), fmtMs(d.Max))
}

func latencyText(l LatencyStats, unit string) string {
	if l.Count == 0 {
		return "n/a (nothing measured)"
	}
	return fmt.Sprintf("p10 %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s ms  (%d %s)",
		fmtMs(l.P10), fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P99), fmtMs(l.P999), fmtMs(l.Max), l.Count, unit)
}

// fmtMs shows about three significant digits, down to a microsecond.
func fmtMs(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v < 1 && v > -1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	case v < 100 && v > -100:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 1000 && v > -1000:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func fmtRate(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// mdEscape keeps free text inside one table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// BytesText is n bytes in B, KiB, MiB or GiB.
func BytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func recoveryText(rc Recovery) string {
	at := func(v *float64) string {
		if v == nil {
			return "never"
		}
		return fmt.Sprintf("+%.1fs", *v-rc.AtS)
	}
	ended := ""
	if rc.EndedS != nil && *rc.EndedS > rc.AtS {
		ended = fmt.Sprintf(", over %s", at(rc.EndedS))
	}
	return fmt.Sprintf("%s at %.1fs%s: detected %s, running %s, output resumed %s, lag recovered %s; %d restart(s), max e2e %s ms",
		rc.Fault, rc.AtS, ended, at(rc.DetectedS), at(rc.RunningS), at(rc.OutputResumedS), at(rc.LagRecoveredS), rc.Restarts, fmtMs(rc.MaxE2EMs))
}

func rescaleText(rs Rescale) string {
	at := func(v *float64) string {
		if v == nil {
			return "never"
		}
		return fmt.Sprintf("+%.1fs", *v-rs.AtS)
	}
	t := fmt.Sprintf("%s ×%d at %.1fs: slots %d → %d (%s), parallelism %d → %d (%s), lag recovered %s; output gap %.1fs, max e2e %s ms, processed %.0f → %.0f events/s, read %.0f → %.0f events/s, %d restart(s)",
		rs.Action, rs.Count, rs.AtS, rs.SlotsBefore, rs.SlotsAfter, at(rs.SlotsChangedS), rs.ParallelismBefore, rs.ParallelismAfter,
		at(rs.RescaledS), at(rs.LagRecoveredS), rs.OutputGapS, fmtMs(rs.MaxE2EMs), rs.ProcessedBeforeEPS, rs.ProcessedAfterEPS, rs.ReadBeforeEPS, rs.ReadAfterEPS, rs.Restarts)
	if rs.Error != "" {
		t += "; error: " + rs.Error
	}
	return t
}

// overheadHasE2E says the overhead split has e2e latency on both sides.
func overheadHasE2E(o *CheckpointOverhead) bool {
	return o.E2EInFlight.Count > 0 && o.E2EBetween.Count > 0
}

// overheadHasData says the overhead split has something to compare: e2e
// latency on both sides, or output read.
func overheadHasData(o *CheckpointOverhead) bool {
	return overheadHasE2E(o) || o.OutRPSInFlight > 0 || o.OutRPSBetween > 0
}

// gateValue is a gate's value as shown: n/a when it had no data.
func gateValue(g Gate) string {
	switch {
	case g.NoData:
		return "n/a"
	case g.Unit == "%":
		return fmt.Sprintf("%+.1f%%", g.Value)
	case g.Unit != "":
		return fmtNum(g.Value) + " " + g.Unit
	}
	return fmtNum(g.Value)
}

// gateNote is what a gate's value needs beside it, in parentheses with a
// leading space ("" when nothing): its limit or how it was judged, and why
// it could not pass.
func gateNote(g Gate) string {
	if t := gateNoteText(g); t != "" {
		return " (" + t + ")"
	}
	return ""
}

func gateNoteText(g Gate) string {
	var parts []string
	switch {
	case g.Detail != "":
		parts = append(parts, g.Detail)
	case g.Limit != nil:
		parts = append(parts, "limit "+fmtNum(*g.Limit))
	}
	if g.Error != "" {
		parts = append(parts, g.Error)
	}
	return strings.Join(parts, "; ")
}

// clockText is the broker clock check in one line ("" when not made).
func clockText(c *ClockCheck) string {
	switch {
	case c == nil:
		return ""
	case c.Error != "":
		return "not checked: " + c.Error
	}
	verdict := "within"
	if !c.Within {
		verdict = "BEYOND"
	}
	return fmt.Sprintf("%+.1f ms ± %.1f ms off this host's clock (%s the %.0f ms bound; %d probes)", c.OffsetMs, c.UncertaintyMs, verdict, c.BoundMs, c.Probes)
}

// RestoreText is a restore section in one line: from where, on which
// version it was written, whether Flink restored it and how long the job
// took to run with it.
func RestoreText(rs *Restore) string {
	from := rs.From
	if rs.FromFlinkVersion != "" {
		from += " (written on Flink " + rs.FromFlinkVersion + ")"
	}
	if !rs.Restored {
		return fmt.Sprintf("from %s: not confirmed restored: %s; running %.1f s after submission", from, rs.Note, rs.RunningAfterS)
	}
	kind := "checkpoint"
	if rs.IsSavepoint {
		kind = "savepoint"
	}
	return fmt.Sprintf("from %s: restored (%s %d); running %.1f s after submission", from, kind, rs.CheckpointID, rs.RunningAfterS)
}
