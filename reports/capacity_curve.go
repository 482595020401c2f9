package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// CapacityCurveSchema names the format of capacity-curve.json.
const CapacityCurveSchema = "abload.capacity-curve/v1"

// CapacityCurve is `abload capacity` over a matrix of configurations: each
// point's sustainable rate, the scaling efficiency, and the demand answer.
type CapacityCurve struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	// Points are in matrix order; each has its own capacity.json in its
	// directory (Dir, relative to the curve's).
	Points []CurvePoint `json:"points"`
	// TargetEPS and Headroom are the demand question (TargetEPS 0: not asked).
	TargetEPS float64 `json:"target_eps,omitempty"`
	Headroom  float64 `json:"headroom,omitempty"`
	// Demand answers it: the chosen point, or why none qualifies.
	Demand *Demand `json:"demand,omitempty"`
}

// CurvePoint is one configuration of a capacity curve.
type CurvePoint struct {
	Name     string   `json:"name"`
	Settings []string `json:"settings"`
	Dir      string   `json:"dir"`
	// Parallelism, TaskManagers and CPUs describe the configuration's size.
	Parallelism     int     `json:"parallelism"`
	TaskManagers    int     `json:"taskmanagers"`
	TaskManagerCPUs float64 `json:"taskmanager_cpus,omitempty"`
	SustainableEPS  float64 `json:"sustainable_eps"`
	FirstFailingEPS float64 `json:"first_failing_eps"`
	Confidence      float64 `json:"confidence"`
	StoppedBy       string  `json:"stopped_by"`
	FailReason      string  `json:"fail_reason,omitempty"`
	// ScalingEfficiency is (sustainable / first point's) ÷ (parallelism /
	// first point's parallelism): 1 = linear scaling (0 when unknown).
	ScalingEfficiency float64 `json:"scaling_efficiency,omitempty"`
	Error             string  `json:"error,omitempty"`
}

// Demand is the answer to "the smallest configuration that holds the target
// with headroom".
type Demand struct {
	NeedEPS float64 `json:"need_eps"` // target × (1 + headroom)
	// Point is the chosen point's name ("" when none qualifies).
	Point    string `json:"point,omitempty"`
	Evidence string `json:"evidence"`
}

// AnswerDemand picks, among points whose sustainable rate is at least
// target × (1 + headroom), the smallest: lowest parallelism, then fewest
// TaskManagers, then lowest CPU limit, then matrix order.
func AnswerDemand(points []CurvePoint, target, headroom float64) *Demand {
	if target <= 0 {
		return nil
	}
	d := &Demand{NeedEPS: target * (1 + headroom)}
	best := -1
	smaller := func(a, b CurvePoint) bool {
		if a.Parallelism != b.Parallelism {
			return a.Parallelism < b.Parallelism
		}
		if a.TaskManagers != b.TaskManagers {
			return a.TaskManagers < b.TaskManagers
		}
		return a.TaskManagerCPUs < b.TaskManagerCPUs
	}
	var below []string
	for i, p := range points {
		if p.Error == "" && p.SustainableEPS >= d.NeedEPS {
			if best < 0 || smaller(p, points[best]) {
				best = i
			}
		} else {
			below = append(below, fmt.Sprintf("%s sustains %.0f/s", p.Name, p.SustainableEPS))
		}
	}
	if best < 0 {
		d.Evidence = fmt.Sprintf("no configuration sustains %.0f events/s (target %.0f + %.0f%% headroom): %s",
			d.NeedEPS, target, headroom*100, strings.Join(below, "; "))
		return d
	}
	p := points[best]
	d.Point = p.Name
	d.Evidence = fmt.Sprintf("%s (parallelism %d, %d TaskManager(s)) sustains %.0f events/s >= %.0f (target %.0f + %.0f%% headroom); its first failing rate was %.0f/s (confidence ±%.0f%%)",
		p.Name, p.Parallelism, p.TaskManagers, p.SustainableEPS, d.NeedEPS, target, headroom*100, p.FirstFailingEPS, p.Confidence*100)
	if len(below) > 0 {
		d.Evidence += "; not enough: " + strings.Join(below, "; ")
	}
	return d
}

// ScalingEfficiencies fills each point's efficiency relative to the first
// point that sustained a rate.
func ScalingEfficiencies(points []CurvePoint) {
	base := linearBase(points)
	if base < 0 {
		return
	}
	b := points[base]
	for i := range points {
		p := &points[i]
		if p.SustainableEPS > 0 && p.Parallelism > 0 {
			p.ScalingEfficiency = (p.SustainableEPS / b.SustainableEPS) / (float64(p.Parallelism) / float64(b.Parallelism))
		}
	}
}

// WriteCapacityCurve writes dir/capacity-curve.json, dir/capacity.md and
// dir/capacity.html.
func WriteCapacityCurve(dir string, c *CapacityCurve) error {
	c.Schema = CapacityCurveSchema
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "capacity-curve.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := writeFileWith(filepath.Join(dir, "capacity.md"), func(w io.Writer) error { return WriteCapacityCurveMarkdown(w, c) }); err != nil {
		return err
	}
	return writeFileWith(filepath.Join(dir, CapacityHTMLFile), func(w io.Writer) error { return WriteCapacityCurveHTML(w, c) })
}

// WriteCapacityCurveMarkdown renders the curve as a table, a chart of the
// sustainable rate by parallelism (a Mermaid xychart) and the demand answer.
func WriteCapacityCurveMarkdown(w io.Writer, c *CapacityCurve) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Capacity curve: %s\n\n", c.Name)
	b.WriteString("| point | parallelism | TaskManagers | sustainable (events/s) | first failing (events/s) | confidence | scaling efficiency | stopped by | why the first failing rate failed |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, p := range c.Points {
		eff := "–"
		if p.ScalingEfficiency > 0 {
			eff = fmt.Sprintf("%.2f", p.ScalingEfficiency)
		}
		reason := p.FailReason
		if p.Error != "" {
			reason = "error: " + p.Error
		}
		fmt.Fprintf(&b, "| [%s](%s/capacity.md) | %d | %d | %.0f | %.0f | ±%.0f%% | %s | %s | %s |\n",
			p.Name, p.Dir, p.Parallelism, p.TaskManagers, p.SustainableEPS, p.FirstFailingEPS, p.Confidence*100, eff, p.StoppedBy, mdCell(reason))
	}
	writeCurveMermaid(&b, c)
	if c.Demand != nil {
		fmt.Fprintf(&b, "\n**Demand** (%.0f events/s + %.0f%% headroom = %.0f events/s): ", c.TargetEPS, c.Headroom*100, c.Demand.NeedEPS)
		if c.Demand.Point != "" {
			fmt.Fprintf(&b, "**%s**. %s\n", c.Demand.Point, c.Demand.Evidence)
		} else {
			fmt.Fprintf(&b, "none. %s\n", c.Demand.Evidence)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// linearBase is the index of the point that linear scaling is measured
// from (as in ScalingEfficiencies: the first that sustained a rate), -1
// for none.
func linearBase(points []CurvePoint) int {
	for i, p := range points {
		if p.SustainableEPS > 0 && p.Parallelism > 0 {
			return i
		}
	}
	return -1
}

// linearEPS is what each point would sustain if the rate grew with the
// parallelism from the base point's (0 where unknown).
func linearEPS(points []CurvePoint) []float64 {
	out := make([]float64, len(points))
	base := linearBase(points)
	if base < 0 {
		return out
	}
	b := points[base]
	for i, p := range points {
		if p.Parallelism > 0 {
			out[i] = b.SustainableEPS * float64(p.Parallelism) / float64(b.Parallelism)
		}
	}
	return out
}

// curveChartOrder returns the points' indexes in the chart's order and
// their labels: by parallelism, labelled with it, when every point has a
// parallelism of its own; else in matrix order, labelled with the names.
func curveChartOrder(points []CurvePoint) (order []int, labels []string, byParallelism bool) {
	seen := map[int]bool{}
	byParallelism = true
	for i, p := range points {
		order = append(order, i)
		if p.Parallelism <= 0 || seen[p.Parallelism] {
			byParallelism = false
		}
		seen[p.Parallelism] = true
	}
	if byParallelism {
		slices.SortStableFunc(order, func(a, b int) int { return points[a].Parallelism - points[b].Parallelism })
	}
	for _, i := range order {
		if byParallelism {
			labels = append(labels, fmt.Sprint(points[i].Parallelism))
		} else {
			labels = append(labels, fmt.Sprintf("%s (p%d)", points[i].Name, points[i].Parallelism))
		}
	}
	return order, labels, byParallelism
}

// writeCurveMermaid writes a Mermaid xychart of each point's sustainable
// rate, with linear scaling from the first point and the demand's need as
// lines.
func writeCurveMermaid(b *strings.Builder, c *CapacityCurve) {
	if len(c.Points) == 0 {
		return
	}
	order, labels, byParallelism := curveChartOrder(c.Points)
	linear := linearEPS(c.Points)
	var quoted, sus, lin, need []string
	hasLinear, top := false, 0.0
	for k, i := range order {
		top = max(top, c.Points[i].SustainableEPS, linear[i])
		quoted = append(quoted, mermaidString(labels[k]))
		sus = append(sus, mermaidNum(c.Points[i].SustainableEPS))
		lin = append(lin, mermaidNum(linear[i]))
		hasLinear = hasLinear || linear[i] > 0
		if c.Demand != nil {
			need = append(need, mermaidNum(c.Demand.NeedEPS))
		}
	}
	axis := "parallelism"
	if !byParallelism {
		axis = "configuration"
	}
	colors := []string{colorRate}
	var plots strings.Builder
	fmt.Fprintf(&plots, "    bar [%s]\n", strings.Join(sus, ", "))
	caption := "Bars: each configuration's sustainable rate"
	if hasLinear {
		colors = append(colors, colorRef)
		fmt.Fprintf(&plots, "    line [%s]\n", strings.Join(lin, ", "))
		caption += "; grey line: linear scaling from the first point that sustained a rate"
	}
	if c.Demand != nil {
		top = max(top, c.Demand.NeedEPS)
		colors = append(colors, colorFail)
		fmt.Fprintf(&plots, "    line [%s]\n", strings.Join(need, ", "))
		caption += fmt.Sprintf("; red line: the demand, %.0f events/s (target + headroom)", c.Demand.NeedEPS)
	}
	b.WriteString("\n```mermaid\n" + mermaidInit(colors...) + "\nxychart-beta\n")
	fmt.Fprintf(b, "    title %s\n", mermaidString("Sustainable rate by "+axis))
	fmt.Fprintf(b, "    x-axis %s [%s]\n", mermaidString(axis), strings.Join(quoted, ", "))
	fmt.Fprintf(b, "    y-axis \"sustainable (events/s)\" 0 --> %s\n", mermaidNum(niceCeil(top)))
	b.WriteString(plots.String())
	b.WriteString("```\n\n" + caption + ".\n")
}
