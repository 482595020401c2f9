package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
)

// HTMLFile is the name of the HTML report inside a run directory.
const HTMLFile = "report.html"

// The charting library, uPlot (MIT, see assets/uPlot.LICENSE), is vendored
// from its npm package and inlined with the report's own script and styles,
// so that report.html needs nothing from the network to be viewed.
var (
	//go:embed assets/uPlot.iife.min.js
	uplotJS string
	//go:embed assets/uPlot.min.css
	uplotCSS string
	//go:embed assets/report.js
	reportJS string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.html.tmpl
	reportTmpl string
)

var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"ms":              fmtMs,
	"rate":            fmtRate,
	"num":             fmtNum,
	"bytes":           BytesText,
	"gateValue":       gateValue,
	"gateNote":        gateNote,
	"overheadHasData": overheadHasData,
	"overheadHasE2E":  overheadHasE2E,
	"pct":             func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) },
	"ratio":           func(v float64) string { return fmt.Sprintf("×%.2f", v) },
	"sub1":            func(v float64) float64 { return 1 - v },
	"f1":              func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"f2":              func(v float64) string { return fmt.Sprintf("%.2f", v) },
	"after": func(at float64, v *float64) string {
		if v == nil {
			return "never"
		}
		return fmt.Sprintf("+%.1fs", *v-at)
	},
}).Parse(reportTmpl))

// htmlPage is what the template renders: the result, and the derived facts
// that decide which sections and charts the page has.
type htmlPage struct {
	Name     string
	R        *Result
	Spectra  []Spectrum
	Env, Run string
	Warmup   string // how the warmup ended
	Clock    string // the broker clock check, or ""

	StatusClass, ValidClass  string
	LatRows                  []htmlLat
	SendDelay, ConsumerDelay DelayStats

	// Which sections and charts the page has.
	HasRecon, HasSkew, Timeline, CheckpointList bool
	ResourceCharts, FlinkCharts, GC             bool
	JITChart                                    bool       // a JVM's JIT compile time was read
	SkewVertices                                []htmlSkew // the vertices with records_in: one bar chart each

	// Inlined as they are: the data is JSON from encoding/json, the assets
	// are vendored files.
	Data                template.JS
	UPlotJS, ReportJS   template.JS
	UPlotCSS, ReportCSS template.CSS
}

type htmlLat struct {
	Name string
	L    LatencyStats
}

type htmlSkew struct {
	Index    int
	V        VertexSkew
	Subtasks int
}

// WriteHTML writes report.html: the tables of report.md and charts of the
// result's time series, checkpoints, per-subtask load, resources and Flink
// metrics, with the latency spectra (see SpectraFromHlog; nil for none), as
// one self-contained file: styles, the charting library's script and the
// data (the whole result, as JSON) are inline, so it opens offline. A
// section whose data the result lacks is left out.
func WriteHTML(w io.Writer, r *Result, spectra []Spectrum) error {
	if r == nil {
		return fmt.Errorf("write html: nil result")
	}
	for _, s := range spectra {
		for _, p := range s.Points {
			if !finite(p.Percentile) || !finite(p.ValueMs) {
				return fmt.Errorf("write html: spectrum %q: point %+v is not finite", s.Name, p)
			}
		}
	}
	data, err := json.Marshal(struct {
		Result  *Result    `json:"result"`
		Spectra []Spectrum `json:"spectra"`
	}{r, spectra})
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	// json.Marshal escapes <, > and & (and U+2028/9), so the data cannot end
	// its <script> element; the assets are checked for that by the tests.
	p := htmlPage{
		Name:          scenarioName(r.Scenario),
		R:             r,
		Env:           envText(r.Environment),
		Run:           runText(r),
		Warmup:        WarmupText(r.Warmup),
		Clock:         clockText(r.Clock),
		Data:          template.JS(data),
		UPlotJS:       template.JS(uplotJS),
		ReportJS:      template.JS(reportJS),
		UPlotCSS:      template.CSS(uplotCSS),
		ReportCSS:     template.CSS(reportCSS),
		StatusClass:   "bad",
		ValidClass:    "bad",
		LatRows:       []htmlLat{{"e2e latency", r.Latency.E2E}, {"window latency", r.Latency.Window}},
		SendDelay:     r.Events.SendDelayMs,
		ConsumerDelay: r.ConsumerDelayMs,
		HasRecon:      r.Reconciliation != nil,
	}
	if r.Status == StatusOK {
		p.StatusClass = "good"
	}
	if r.Valid {
		p.ValidClass = "good"
	}
	for _, s := range spectra {
		if len(s.Points) > 0 {
			p.Spectra = append(p.Spectra, s)
		}
	}
	p.Timeline = len(r.Timeseries) > 0
	p.CheckpointList = r.Checkpoints != nil && len(r.Checkpoints.List) > 0
	if sk := r.Skew; sk != nil {
		p.HasSkew = len(sk.Vertices) > 0
		for i, v := range sk.Vertices {
			if len(v.RecordsIn) > 0 {
				p.SkewVertices = append(p.SkewVertices, htmlSkew{Index: i, V: v, Subtasks: len(v.RecordsIn)})
			}
		}
	}
	for _, rs := range r.Resources {
		p.ResourceCharts = p.ResourceCharts || len(rs.Series) > 0
		for _, s := range rs.Series {
			p.JITChart = p.JITChart || s.JITPct != nil
		}
	}
	if fm := r.FlinkMetrics; fm != nil {
		for _, v := range fm.Vertices {
			p.FlinkCharts = p.FlinkCharts || len(v.Series) > 0
		}
		for _, g := range fm.GC {
			p.GC = p.GC || len(g.Series) > 0
		}
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, &p); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

func finite(v float64) bool { return v-v == 0 }
