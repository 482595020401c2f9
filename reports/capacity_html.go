package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"path"
	"path/filepath"
)

// CapacityHTMLFile is the name of the HTML page of a capacity search, and of
// a capacity curve, in its directory.
const CapacityHTMLFile = "capacity.html"

// capacity.html is self-contained as report.html is: it inlines uPlot,
// report.js (the chart helpers and the drawing loop) and capacity.js (the
// capacity charts), and report.css with capacity.css.
var (
	//go:embed assets/capacity.html.tmpl
	capacityTmpl string
	//go:embed assets/capacity-curve.html.tmpl
	capacityCurveTmpl string
	//go:embed assets/capacity.js
	capacityJS string
	//go:embed assets/capacity.css
	capacityCSS string
)

var capacityFuncs = template.FuncMap{
	"rate0": func(v float64) string { return fmt.Sprintf("%.0f", v) },
	"pct":   func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) },
}

var (
	capacityTemplate      = template.Must(template.New("capacity.html").Funcs(capacityFuncs).Parse(capacityTmpl))
	capacityCurveTemplate = template.Must(template.New("capacity-curve.html").Funcs(capacityFuncs).Parse(capacityCurveTmpl))
)

// capacityAssets are the inlined scripts and styles of both pages.
type capacityAssets struct {
	Data                             template.JS
	UPlotJS, ReportJS, CapacityJS    template.JS
	UPlotCSS, ReportCSS, CapacityCSS template.CSS
}

func newCapacityAssets(data any) (capacityAssets, error) {
	// json.Marshal escapes <, > and & (and U+2028/9), so the data cannot end
	// its <script> element; the assets are checked for that by the tests.
	b, err := json.Marshal(data)
	if err != nil {
		return capacityAssets{}, err
	}
	return capacityAssets{
		Data:    template.JS(b),
		UPlotJS: template.JS(uplotJS), ReportJS: template.JS(reportJS), CapacityJS: template.JS(capacityJS),
		UPlotCSS: template.CSS(uplotCSS), ReportCSS: template.CSS(reportCSS), CapacityCSS: template.CSS(capacityCSS),
	}, nil
}

type capacityPage struct {
	capacityAssets
	C                    *Capacity
	Class, Badge, Answer string
	Run, SLO, LagRatio   string
	Rows                 []capacityRow
	Columns              []string
	Steps                []capacityStepRow
}

type capacityStepRow struct {
	Class, Verdict, Reason string
	Cells                  []string
}

// WriteCapacityHTML writes capacity.html for one capacity search: the
// answer and the steps (the tables of capacity.md) and charts of the steps
// by offered rate (e2e latency against the SLO, the processed rate against
// the offered one with the saturation rate, the lag slope) and in the order
// they ran. Like report.html it is one self-contained file: styles, scripts
// and the data (the whole of capacity.json) are inline.
func WriteCapacityHTML(w io.Writer, c *Capacity) error {
	if c == nil {
		return fmt.Errorf("write capacity html: nil capacity")
	}
	assets, err := newCapacityAssets(struct {
		Capacity *Capacity `json:"capacity"`
	}{c})
	if err != nil {
		return fmt.Errorf("write capacity html: %w", err)
	}
	p := capacityPage{
		capacityAssets: assets,
		C:              c,
		Class:          "bad",
		Badge:          "no rate tried was sustained",
		Answer:         CapacityAnswer(c),
		Run:            capacityRunText(c),
		SLO:            capacitySLOText(c),
		LagRatio:       fmt.Sprintf("%.3g", c.SLO.LagSlopeRatio),
		Rows:           capacityAnswerRows(c),
		Columns:        capacityStepColumns,
	}
	if c.RunID != "" {
		p.Run = c.RunID + ", " + p.Run
	}
	if c.SustainableEPS > 0 {
		p.Class, p.Badge = "good", fmt.Sprintf("sustainable: %.0f events/s", c.SustainableEPS)
	}
	for _, s := range c.Steps {
		class := "fail"
		if s.Verdict == VerdictPass {
			class = "pass"
		}
		p.Steps = append(p.Steps, capacityStepRow{Class: class, Verdict: s.Verdict, Reason: s.Reason, Cells: capacityStepCells(s)})
	}
	return executeTo(w, capacityTemplate, &p, "write capacity html")
}

type curvePage struct {
	capacityAssets
	C      *CapacityCurve
	Charts bool
	Rows   []curveRow
}

type curveRow struct {
	P                  CurvePoint
	Link               string
	Efficiency, Reason string
}

// WriteCapacityCurveHTML writes capacity.html for a capacity curve: the
// demand answer, charts of the sustainable rate (with linear scaling from
// the first point and the demand as references) and of the scaling
// efficiency by parallelism, and the table of configurations, each linked
// to its own capacity.html (in its Dir).
func WriteCapacityCurveHTML(w io.Writer, c *CapacityCurve) error {
	if c == nil {
		return fmt.Errorf("write capacity curve html: nil curve")
	}
	assets, err := newCapacityAssets(struct {
		Curve     *CapacityCurve `json:"curve"`
		LinearEPS []float64      `json:"linear_eps"`
	}{c, linearEPS(c.Points)})
	if err != nil {
		return fmt.Errorf("write capacity curve html: %w", err)
	}
	p := curvePage{capacityAssets: assets, C: c}
	for _, pt := range c.Points {
		p.Charts = p.Charts || pt.Parallelism > 0
		row := curveRow{P: pt, Efficiency: "–", Reason: pt.FailReason}
		if pt.ScalingEfficiency > 0 {
			row.Efficiency = fmt.Sprintf("%.2f", pt.ScalingEfficiency)
		}
		if pt.Error != "" {
			row.Reason = "error: " + pt.Error
		}
		// A point that failed before its search had a result has no page.
		if pt.Dir != "" && (pt.Error == "" || pt.StoppedBy != "") {
			row.Link = path.Join(filepath.ToSlash(pt.Dir), CapacityHTMLFile)
		}
		p.Rows = append(p.Rows, row)
	}
	return executeTo(w, capacityCurveTemplate, &p, "write capacity curve html")
}

func executeTo(w io.Writer, t *template.Template, data any, what string) error {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// writeFileWith creates path and writes it with write.
func writeFileWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
