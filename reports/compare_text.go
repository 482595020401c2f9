package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteCompareJSON writes c as indented JSON (schema abload.compare/v2).
func WriteCompareJSON(w io.Writer, c *Comparison) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// compareLegend says how the tables were computed, in a sentence or two.
func compareLegend(c *Comparison) string {
	return fmt.Sprintf("each metric is its own question (no adjustment across metrics or configurations): change = ratio of the geometric means over "+
		"repetitions (difference of the means for the lag slope), tested with Student's t against the run-to-run noise; "+
		"%g%% intervals; better/worse: the interval excludes 0 (p < %g); no significant change: the interval lies within ±tolerance "+
		"(%s unless set per metric), else inconclusive; noise/run: the run-to-run spread the test used (\"default\": abload's A/A corpus "+
		"stood in for too few runs)", 100*c.Coverage, c.Alpha, fmtTol(c.Tolerance, ScaleRatio))
}

// detectableText says what change a comparison's repetitions can see.
func detectableText(cc ConfigComparison) string {
	if cc.Detectable == nil {
		return "too few runs to estimate the noise: the default noise stands in"
	}
	return fmt.Sprintf("significant beyond %.2f × the run-to-run noise", *cc.Detectable)
}

// WriteCompareText writes c as aligned plain-text tables, one per
// configuration against the baseline.
func WriteCompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "abload compare: %d configuration(s), baseline %s\n", len(c.Configs), c.Baseline)
	fmt.Fprintln(ew, compareLegend(c))
	fmt.Fprintln(ew)
	var rows [][]string
	for _, s := range c.Configs {
		role := ""
		if s.Baseline {
			role = "baseline"
		}
		excl := ""
		if len(s.Excluded) > 0 {
			excl = fmt.Sprintf("%d invalid left out", len(s.Excluded))
		}
		if s.Insufficient != "" {
			excl = strings.TrimSpace(excl + " insufficient")
		}
		rows = append(rows, []string{s.Name, role, fmt.Sprintf("%d rep(s)", s.Repetitions), "scenario " + orDash(s.Scenario), excl})
	}
	writeAligned(ew, "  ", rows, nil)
	for _, cc := range c.Comparisons {
		fmt.Fprintf(ew, "\n%s vs %s (%d vs %d repetitions; %s)\n", cc.Config, cc.Baseline, cc.Repetitions, cc.BaselineRepetitions, detectableText(cc))
		if len(cc.Metrics) == 0 {
			fmt.Fprintln(ew, "  no metric to compare")
		} else {
			rows := [][]string{{"metric", "unit", cc.Baseline, cc.Config, "change", fmt.Sprintf("%g%% interval", 100*c.Coverage), "p", "noise/run", "verdict"}}
			for _, m := range cc.Metrics {
				rows = append(rows, metricCells(m))
			}
			writeAligned(ew, "  ", rows, []bool{false, false, true, true, true, false, true, true, false})
		}
		for _, m := range cc.Metrics {
			if m.Verdict == VerdictTooShort || m.Verdict == VerdictInsufficient {
				fmt.Fprintf(ew, "  %s: %s: %s\n", m.Verdict, m.Label, m.Reason)
			}
		}
		for _, nc := range cc.NotCompared {
			fmt.Fprintf(ew, "  not compared: %s: %s\n", nc.Label, nc.Reason)
		}
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintln(ew, "\nwarnings:")
		for _, wn := range c.Warnings {
			fmt.Fprintf(ew, "  - %s\n", wn)
		}
	}
	return ew.err
}

// WriteCompareMarkdown writes c as Markdown: a table of configurations, then
// one table per configuration against the baseline, then the warnings.
func WriteCompareMarkdown(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# abload compare\n\n")
	fmt.Fprintf(ew, "Baseline: **%s**. %s.\n\n", cmpMd(c.Baseline), cmpMd(upperFirst(compareLegend(c))))
	fmt.Fprintln(ew, "| configuration | repetitions | invalid left out | scenario |")
	fmt.Fprintln(ew, "|---|--:|--:|---|")
	for _, s := range c.Configs {
		name := cmpMd(s.Name)
		if s.Baseline {
			name += " (baseline)"
		}
		if s.Insufficient != "" {
			name += " (insufficient: " + cmpMd(s.Insufficient) + ")"
		}
		fmt.Fprintf(ew, "| %s | %d | %d | %s |\n", name, s.Repetitions, len(s.Excluded), cmpMd(orDash(s.Scenario)))
	}
	for _, cc := range c.Comparisons {
		fmt.Fprintf(ew, "\n## %s vs %s\n\n%d vs %d repetitions; %s.\n\n", cmpMd(cc.Config), cmpMd(cc.Baseline), cc.Repetitions, cc.BaselineRepetitions, detectableText(cc))
		if len(cc.Metrics) == 0 {
			fmt.Fprintln(ew, "No metric to compare.")
		} else {
			fmt.Fprintf(ew, "| metric | unit | %s | %s | change | %g%% interval | p | noise/run | verdict |\n", cmpMd(cc.Baseline), cmpMd(cc.Config), 100*c.Coverage)
			fmt.Fprintln(ew, "|---|---|--:|--:|--:|---|--:|--:|---|")
			for _, m := range cc.Metrics {
				cells := metricCells(m)
				if m.Verdict == VerdictBetter || m.Verdict == VerdictWorse {
					cells[8] = "**" + cells[8] + "**"
				}
				for i := range cells {
					cells[i] = cmpMd(cells[i])
				}
				fmt.Fprintf(ew, "| %s |\n", strings.Join(cells, " | "))
			}
		}
		var notes []string
		for _, m := range cc.Metrics {
			if m.Verdict == VerdictTooShort || m.Verdict == VerdictInsufficient {
				notes = append(notes, fmt.Sprintf("- %s: %s: %s", m.Verdict, cmpMd(m.Label), cmpMd(m.Reason)))
			}
		}
		for _, nc := range cc.NotCompared {
			notes = append(notes, fmt.Sprintf("- not compared: %s: %s", cmpMd(nc.Label), cmpMd(nc.Reason)))
		}
		if len(notes) > 0 {
			fmt.Fprintf(ew, "\n%s\n", strings.Join(notes, "\n"))
		}
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintf(ew, "\n## Warnings\n\n")
		for _, wn := range c.Warnings {
			fmt.Fprintf(ew, "- %s\n", cmpMd(wn))
		}
	}
	return ew.err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// metricCells is a metric's row: label, unit, baseline and config medians,
// change, interval, p, noise per run, verdict.
func metricCells(m MetricComparison) []string {
	scale, unit := displayScale(m.Unit, math.Max(math.Abs(m.Median), math.Abs(m.BaselineMedian)))
	change, interval, p, noise := "-", "-", "-", "-"
	if m.Change != nil {
		change = fmtChange(*m.Change, m.Scale)
	}
	if m.Interval != nil {
		interval = fmtInterval(*m.Interval, m.Scale)
	}
	if m.P != nil {
		p = fmtP(*m.P)
	}
	if m.Noise != nil {
		noise = "±" + strings.TrimPrefix(fmtChange(m.NoisePerRun, m.Scale), "+")
		if m.Noise.Source == NoiseFromDefault {
			noise += " default"
		}
	}
	return []string{m.Label, unit, fmtCmp(m.BaselineMedian / scale), fmtCmp(m.Median / scale), change, interval, p, noise, string(m.Verdict)}
}

// fmtChange shows a change: a signed percentage for ratio metrics, a
// signed value for linear ones.
func fmtChange(v float64, s Scale) string {
	var out string
	if s == ScaleRatio {
		out = fmt.Sprintf("%+.1f%%", 100*v)
	} else {
		out = fmt.Sprintf("%+.3g", v)
	}
	switch out {
	case "-0.0%", "+0.0%":
		return "0.0%"
	case "-0", "+0":
		return "0"
	}
	return out
}

func fmtInterval(iv [2]float64, s Scale) string {
	return "[" + fmtChange(iv[0], s) + ", " + fmtChange(iv[1], s) + "]"
}

// fmtTol shows a tolerance: a percentage for ratio metrics, a value in the
// metric's unit for linear ones.
func fmtTol(t float64, s Scale) string {
	if s == ScaleRatio {
		return strconv.FormatFloat(100*t, 'g', 3, 64) + "%"
	}
	return strconv.FormatFloat(t, 'g', 3, 64)
}

// displayScale picks how a row shows its values: bytes in B/kB/MB/GB by
// magnitude, other units as they are.
func displayScale(unit string, magnitude float64) (float64, string) {
	if unit != "bytes" {
		return 1, unit
	}
	switch {
	case magnitude >= 1e9:
		return 1e9, "GB"
	case magnitude >= 1e6:
		return 1e6, "MB"
	case magnitude >= 1e3:
		return 1e3, "kB"
	}
	return 1, "B"
}

// fmtCmp shows about three significant digits, never in exponent form.
func fmtCmp(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.001:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

func fmtP(p float64) string {
	if p >= 0.001 {
		return strconv.FormatFloat(p, 'f', 4, 64)
	}
	return strconv.FormatFloat(p, 'e', 1, 64)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmpMd(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// writeAligned writes rows as columns separated by two spaces; right[i]
// right-aligns column i.
func writeAligned(w io.Writer, indent string, rows [][]string, right []bool) {
	var width []int
	for _, r := range rows {
		for i, cell := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for i, cell := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(cell)))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < len(right) && right[i] {
				b.WriteString(pad + cell)
			} else if i < len(r)-1 {
				b.WriteString(cell + pad)
			} else {
				b.WriteString(cell)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
