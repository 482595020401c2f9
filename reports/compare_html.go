package reports

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"path/filepath"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

//go:embed assets/compare.html.tmpl
var compareTmpl string

var compareTemplate = template.Must(template.New("compare.html").Funcs(template.FuncMap{
	"cells":      metricCells,
	"legend":     func(c *Comparison) string { return upperFirst(compareLegend(c)) + "." },
	"detectable": detectableText,
	"pct":        func(v float64) string { return fmt.Sprintf("%g", 100*v) },
	"verdictClass": func(v Verdict) string {
		switch v {
		case VerdictBetter:
			return "good"
		case VerdictWorse:
			return "bad"
		}
		return ""
	},
}).Parse(compareTmpl))

type comparePage struct {
	Title               string
	C                   *Comparison
	Spectra             []Spectrum
	Data                template.JS
	UPlotJS, ReportJS   template.JS
	UPlotCSS, ReportCSS template.CSS
}

// WriteCompareHTML writes a comparison as one self-contained HTML page: the
// tables of WriteCompareMarkdown and the configurations' e2e percentile
// spectra overlaid (spectra: one per configuration, e.g. from
// ConfigE2ESpectrum; nil for none).
func WriteCompareHTML(w io.Writer, c *Comparison, spectra []Spectrum) error {
	for _, s := range spectra {
		for _, p := range s.Points {
			if !finite(p.Percentile) || !finite(p.ValueMs) {
				return fmt.Errorf("write compare html: spectrum %q: point %+v is not finite", s.Name, p)
			}
		}
	}
	data, err := json.Marshal(struct {
		Spectra []Spectrum `json:"spectra"`
	}{spectra})
	if err != nil {
		return err
	}
	title := ""
	for i, cfg := range c.Configs {
		if i > 0 {
			title += " vs "
		}
		title += cfg.Name
	}
	p := comparePage{Title: title, C: c, Data: template.JS(data),
		UPlotJS: template.JS(uplotJS), ReportJS: template.JS(reportJS), UPlotCSS: template.CSS(uplotCSS), ReportCSS: template.CSS(reportCSS)}
	for _, s := range spectra {
		if len(s.Points) > 0 {
			p.Spectra = append(p.Spectra, s)
		}
	}
	var b bytes.Buffer
	if err := compareTemplate.Execute(&b, &p); err != nil {
		return fmt.Errorf("write compare html: %w", err)
	}
	_, err = w.Write(b.Bytes())
	return err
}

// ConfigE2ESpectrum merges the e2e histograms of a configuration's runs
// (each run directory's latency.hlog; runs without one are skipped) into
// one spectrum named after the configuration. ok is false when no run had
// a log.
func ConfigE2ESpectrum(name string, runDirs []string) (s Spectrum, ok bool, err error) {
	var merged *hdrhistogram.Histogram
	for _, d := range runDirs {
		hs, err := ReadHlog(filepath.Join(d, "latency.hlog"))
		if err != nil {
			continue
		}
		h := hs[""]
		if h == nil || h.TotalCount() == 0 {
			continue
		}
		if merged == nil {
			merged = NewLatencyHistogram()
		}
		merged.Merge(h)
	}
	if merged == nil {
		return Spectrum{}, false, nil
	}
	return SpectrumFromHistogram(name, merged), true, nil
}
