package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// htmlFixture reads testdata/html-fixture.json: a run with every section
// (time series, checkpoints, skew, resources, recovery, Flink metrics,
// gates), read back as `abload report` will read it.
func htmlFixture(t testing.TB) *Result {
	t.Helper()
	r, err := ReadResult(filepath.Join("testdata", "html-fixture.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixtureSpectra writes a latency.hlog like the harness's for the fixture
// run (10 s warmup, 60 s measured, a fault at 25 s into the measurement
// with its latency spike) and reads its spectra for the measurement phase.
func fixtureSpectra(t testing.TB, r *Result) []Spectrum {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	lognormal := func(medianUs, sigma float64) int64 {
		return max(1, int64(medianUs*math.Exp(sigma*rng.NormFloat64())))
	}
	var ivs []hlogInterval
	for s := 0; s < 75; s++ {
		start, end := float64(s)-0.25, float64(s)+0.75
		if s == 0 {
			start = 0
		}
		var e2e, win, send []int64
		for range 200 {
			us := lognormal(14_000, 0.25)
			if s >= 43 && s < 49 {
				us = lognormal(float64(8_200_000-(s-43)*1_300_000), 0.1)
			}
			e2e = append(e2e, us)
			send = append(send, lognormal(20, 0.6))
		}
		for range 4 {
			win = append(win, lognormal(1_200_000, 0.15))
		}
		ivs = append(ivs, hlogInterval{"", start, end, e2e}, hlogInterval{"window", start, end, win}, hlogInterval{"send_delay", start, end, send})
	}
	path := writeTestHlog(t, t.TempDir(), ivs)
	from, to, ok := HlogMeasureWindow(r)
	if !ok || from != 10 || to != 70 {
		t.Fatalf("HlogMeasureWindow = [%v, %v) %v, want [10, 70) from the fixture's scenario", from, to, ok)
	}
	sp, err := SpectraFromHlog(path, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// wantCharts lists, per section id, the charts a report of r must draw.
func wantCharts(r *Result, spectra []Spectrum) map[string][]string {
	want := map[string][]string{}
	if len(spectra) > 0 {
		want["latency"] = []string{"spectrum"}
	}
	if len(r.Timeseries) > 0 {
		want["timeline"] = []string{"rates", "e2e_p99", "lag"}
	}
	if r.Checkpoints != nil && len(r.Checkpoints.List) > 0 {
		want["checkpoints"] = []string{"ckpt_duration", "ckpt_size"}
	}
	if r.Skew != nil {
		for _, v := range r.Skew.Vertices {
			if len(v.RecordsIn) > 0 {
				want["skew"] = append(want["skew"], "skew")
			}
		}
	}
	if len(r.Resources) > 0 {
		want["resources"] = []string{"cpu", "rss"}
		jit := false
		for _, rs := range r.Resources {
			for _, s := range rs.Series {
				jit = jit || s.JITPct != nil
			}
		}
		if jit {
			want["resources"] = append(want["resources"], "jit")
		}
	}
	if r.FlinkMetrics != nil {
		want["flink"] = []string{"busy", "backpressured"}
		if len(r.FlinkMetrics.GC) > 0 {
			want["flink"] = append(want["flink"], "gc")
		}
	}
	return want
}

var (
	reChartDiv = regexp.MustCompile(`<div class="chart" data-chart="([a-z0-9_]+)"`)
	reSection  = regexp.MustCompile(`<section id="([a-z]+)">`)
	reRawText  = regexp.MustCompile(`(?is)(<(script|style)\b[^>]*>).*?(</(script|style)>)`)
	// A reference that makes the browser fetch something: src/href/action
	// attributes, CSS url() and @import.
	reFetch = regexp.MustCompile(`(?i)\b(src|href|action|poster|srcset)\s*=\s*["']?\s*([a-z][a-z0-9+.-]*:|//)|url\(\s*["']?\s*([a-z][a-z0-9+.-]*:|//)|@import`)
	reData  = regexp.MustCompile(`(?s)<script id="abload-data" type="application/json">(.*?)</script>`)
)

// chartsBySection finds the chart divs of a page, per section.
func chartsBySection(page string) map[string][]string {
	got := map[string][]string{}
	secs := reSection.FindAllStringSubmatchIndex(page, -1)
	for i, s := range secs {
		end := len(page)
		if i+1 < len(secs) {
			end = secs[i+1][0]
		}
		id := page[s[2]:s[3]]
		for _, m := range reChartDiv.FindAllStringSubmatch(page[s[1]:end], -1) {
			got[id] = append(got[id], m[1])
		}
	}
	return got
}

// checkWellFormed checks that every element of the page is closed in order
// (void elements aside) and that it has one html, head, body and title.
// Script and style bodies are raw text; the tokenizer skips them.
func checkWellFormed(t *testing.T, page string) {
	t.Helper()
	if !strings.HasPrefix(page, "<!DOCTYPE html>\n") {
		t.Errorf("page does not start with <!DOCTYPE html>")
	}
	void := map[string]bool{"meta": true, "link": true, "br": true, "hr": true, "img": true, "input": true, "col": true, "wbr": true}
	d := xml.NewDecoder(strings.NewReader(reRawText.ReplaceAllString(page, "$1$3")))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	var stack []string
	count := map[string]int{}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(tok.Name.Local)
			count[name]++
			if !void[name] {
				stack = append(stack, name)
			}
		case xml.EndElement:
			name := strings.ToLower(tok.Name.Local)
			if void[name] {
				t.Errorf("end tag of void element </%s>", name)
				continue
			}
			if len(stack) == 0 || stack[len(stack)-1] != name {
				line, _ := d.InputPos()
				t.Fatalf("line %d: </%s> does not close the open element (open: %v)", line, name, stack)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		t.Errorf("unclosed elements at the end: %v", stack)
	}
	for _, el := range []string{"html", "head", "body", "title", "main"} {
		if count[el] != 1 {
			t.Errorf("%d <%s> elements, want 1", count[el], el)
		}
	}
}

// embeddedData decodes the result and spectra inlined in a page.
func embeddedData(t *testing.T, page string) (map[string]any, []Spectrum) {
	t.Helper()
	m := reData.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no <script id=\"abload-data\"> in the page")
	}
	var data struct {
		Result  map[string]any `json:"result"`
		Spectra []Spectrum     `json:"spectra"`
	}
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatalf("embedded data: %v", err)
	}
	return data.Result, data.Spectra
}

func asMap(t *testing.T, r *Result) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func renderHTML(t *testing.T, r *Result, spectra []Spectrum) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r, spectra); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	return b.String()
}

// minimalResult has no optional section: no time series, checkpoints,
// skew, resources, Flink metrics, recovery or gates.
func minimalResult() *Result {
	return &Result{
		Schema: Schema, AbloadVersion: "v0-test", Status: StatusFailed,
		Error:          "start environment: kafka did not come up within 3m\n(see logs/kafka.log)",
		StartedAt:      "2026-03-01T12:00:00Z",
		FinishedAt:     "2026-03-01T12:03:01Z",
		Phases:         []Phase{{Name: "startup", StartS: 0, EndS: 181}},
		Scenario:       scenarioOf("quick", 0, ""),
		InvalidReasons: []string{"the run did not reach its measurement phase"},
	}
}

func TestWriteHTML(t *testing.T) {
	r := htmlFixture(t)
	spectra := fixtureSpectra(t, r)
	if len(spectra) != 3 {
		t.Fatalf("fixture spectra: %d, want e2e, window and send delay", len(spectra))
	}
	tests := []struct {
		name    string
		r       *Result
		spectra []Spectrum
	}{
		{"every section", r, spectra},
		{"no optional section", minimalResult(), nil},
		{"sections without series", &Result{
			Status: StatusOK, Valid: true, Scenario: scenarioOf("bare", 0, ""),
			Checkpoints:  &Checkpoints{Completed: 3},
			Skew:         &Skew{MaxOverMean: 1, Vertices: []VertexSkew{{Name: "v", MaxOverMean: 1}}},
			Resources:    []Resource{{Component: "abload"}},
			FlinkMetrics: &FlinkMetrics{Vertices: []VertexMetrics{{Name: "v"}}},
		}, []Spectrum{{Name: "e2e"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.r, tt.spectra)
			checkSelfContained(t, page)
			gotR, gotS := embeddedData(t, page)
			if want := asMap(t, tt.r); !jsonEqual(gotR, want) {
				t.Errorf("embedded result differs from the result")
			}
			if !slices.EqualFunc(gotS, tt.spectra, func(a, b Spectrum) bool {
				return a.Name == b.Name && a.Count == b.Count && slices.Equal(a.Points, b.Points)
			}) {
				t.Errorf("embedded spectra differ: got %d, want %d", len(gotS), len(tt.spectra))
			}

			want := map[string][]string{}
			for k, v := range wantCharts(tt.r, tt.spectra) {
				want[k] = v
			}
			if tt.name == "sections without series" {
				want = map[string][]string{} // nothing to draw; the tables stay
			}
			if got := chartsBySection(page); !mapsEqual(got, want) {
				t.Errorf("charts per section = %v, want %v", got, want)
			}
			sections := map[string]bool{}
			for _, m := range reSection.FindAllStringSubmatch(page, -1) {
				sections[m[1]] = true
			}
			wantSections := map[string]bool{"summary": true, "latency": true,
				"timeline":       len(tt.r.Timeseries) > 0,
				"reconciliation": tt.r.Reconciliation != nil,
				"checkpoints":    tt.r.Checkpoints != nil,
				"skew":           tt.r.Skew != nil && len(tt.r.Skew.Vertices) > 0,
				"recovery":       len(tt.r.Recovery) > 0,
				"resources":      len(tt.r.Resources) > 0,
				"flink":          len(want["flink"]) > 0,
				"gates":          len(tt.r.Gates) > 0,
			}
			for id, w := range wantSections {
				if sections[id] != w {
					t.Errorf("section %q present %v, want %v", id, sections[id], w)
				}
			}
		})
	}

	t.Run("tables", func(t *testing.T) {
		page := renderHTML(t, r, spectra)
		for _, want := range []string{
			"<title>abload: html-fixture</title>",
			`<span class="badge bad">invalid</span>`,
			"<td class=\"bad-text\">1 failed checkpoint(s) beyond workload.max_failed_checkpoints (0)</td>",
			"<tr><th>e2e latency</th><td>120000</td><td>14.20</td><td>14.20</td><td>22.80</td><td>4150</td><td>7900</td><td>8210</td></tr>",
			"<tr><th>variant A</th><td>73000</td><td>73000</td><td>0</td><td>0</td><td>7 (7 injected)</td></tr>",
			"<tr><th>windows</th><td>292</td><td>292</td><td>0</td><td>0</td><td>0</td><td>0</td><td>3</td></tr>",
			"<tr><th>kill_taskmanager (taskmanager-2)</th><td>50.0s</td><td>&#43;1.2s</td><td>&#43;7.8s</td><td>&#43;8.4s</td><td>&#43;13.0s</td><td>1</td><td>8210</td></tr>",
			"e2e p50 ×1.08, p99 ×41.50, output rate ×1.00, TaskManager CPU ×1.21",
			"<tr><th>counts -&gt; updates-sink</th><td>4</td><td>1.42</td><td>1.39</td></tr>",
			"max/mean 1.42, expected 1.39 from the keys' key groups; 4 subtasks",
			"<tr><th><code>checkpoints.failed == 0</code></th><td>1</td><td><strong class=\"bad-text\">FAIL</strong></td></tr>",
			"<tr><th>taskmanager-2</th>",
			"<tr><th>state</th><td>65.0 MiB</td><td>65.0 MiB</td></tr>",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		bare := renderHTML(t, minimalResult(), nil)
		for _, want := range []string{
			`<span class="badge bad">failed</span>`,
			"<pre class=\"error\">start environment: kafka did not come up within 3m\n(see logs/kafka.log)</pre>",
			"<tr><th>e2e latency</th><td>0</td><td>n/a</td>",
		} {
			if !strings.Contains(bare, want) {
				t.Errorf("minimal page lacks %q", want)
			}
		}
	})

	t.Run("escaping", func(t *testing.T) {
		evil := `</script><script>alert("x")</script><img src=x onerror=alert(1)>&amp;`
		r := minimalResult()
		r.Scenario = scenarioOf(evil, 0, "")
		r.InvalidReasons = []string{evil}
		r.Error = evil
		r.Skew = &Skew{Vertices: []VertexSkew{{Name: evil, RecordsIn: []int64{1, 2}}}}
		r.Gates = []Gate{{Expr: evil}}
		r.Recovery = []Recovery{{Fault: evil}}
		r.Resources = []Resource{{Component: evil, Series: []ResourceSample{{TS: 1}}}}
		page := renderHTML(t, r, []Spectrum{{Name: evil, Count: 1, Points: []PercentilePoint{{0, 1}}}})
		checkWellFormed(t, page)
		if n := strings.Count(reRawText.ReplaceAllString(page, "$1$3"), "<script"); n != 3 {
			t.Errorf("%d <script elements, want the 3 of the template", n)
		}
		if strings.Contains(page, "<img") || strings.Contains(page, `alert("x")`) {
			t.Error("text from the result reached the page as markup")
		}
		if !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Error("escaped scenario name not found")
		}
		gotR, gotS := embeddedData(t, page)
		if gotR["error"] != evil || gotS[0].Name != evil {
			t.Errorf("embedded text does not round-trip: %q, %q", gotR["error"], gotS[0].Name)
		}
	})

	t.Run("errors", func(t *testing.T) {
		if err := WriteHTML(io.Discard, nil, nil); err == nil {
			t.Error("nil result: no error")
		}
		bad := []Spectrum{{Name: "e2e", Points: []PercentilePoint{{50, math.NaN()}}}}
		if err := WriteHTML(io.Discard, minimalResult(), bad); err == nil {
			t.Error("NaN in a spectrum: no error")
		}
		if err := WriteHTML(failWriter{}, minimalResult(), nil); err == nil {
			t.Error("failing writer: no error")
		}
	})
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestHTMLAssets checks that the inlined assets cannot end the element that
// holds them, and that they are the vendored uPlot.
func TestHTMLAssets(t *testing.T) {
	for name, s := range map[string]string{"uPlot.iife.min.js": uplotJS, "report.js": reportJS} {
		if l := strings.ToLower(s); strings.Contains(l, "</script") || strings.Contains(l, "<!--") {
			t.Errorf("%s contains </script or <!--", name)
		}
	}
	for name, s := range map[string]string{"uPlot.min.css": uplotCSS, "report.css": reportCSS} {
		if strings.Contains(strings.ToLower(s), "</style") {
			t.Errorf("%s contains </style", name)
		}
	}
	if !strings.HasPrefix(uplotJS, "/*! https://github.com/leeoniya/uPlot (v1.6.32) */") {
		t.Errorf("uPlot.iife.min.js is not uPlot 1.6.32: %.60q", uplotJS)
	}
}

// startBrowser starts headless chromium (exe) for the test and listens for
// console errors, failed requests and exceptions; the browser stops with
// the test.
func startBrowser(t *testing.T, exe string) (context.Context, *browserProblems) {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(exe),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true),
			chromedp.WindowSize(1280, 900),
		)...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelCtx)
	// The first Run starts the browser: no timeout on its context, which
	// would stop the browser with it; a browser that does not come up in
	// time is killed instead.
	kill := time.AfterFunc(30*time.Second, cancelAlloc)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	kill.Stop()
	problems := &browserProblems{}
	if err := chromedp.Listen(ctx, problems.listen); err != nil {
		t.Fatal(err)
	}
	return ctx, problems
}

// chromium finds Debian's chromium, which CI installs.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium not found in PATH (%v): the HTML report test needs a headless browser; install Debian's chromium package (apt-get install -y chromium)", err)
	}
	return path
}

// chartInfo is what the page says about one of its chart divs.
type chartInfo struct {
	Section string `json:"section"`
	Kind    string `json:"kind"`
	UPlots  int    `json:"uplots"`
	Width   int    `json:"width"`
	Height  int    `json:"height"`
	Painted int    `json:"painted"`
	Series  int    `json:"series"`
	Errors  int    `json:"errors"`
}

const chartsJS = `Array.from(document.querySelectorAll('div[data-chart]')).map(el => {
	const sec = el.closest('section');
	const c = el.querySelector('.uplot canvas');
	let painted = 0;
	if (c && c.width > 0 && c.height > 0) {
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
	}
	return {
		section: sec ? sec.id : '', kind: el.dataset.chart,
		uplots: el.querySelectorAll('.uplot').length,
		width: c ? c.width : 0, height: c ? c.height : 0, painted: painted,
		series: el.querySelectorAll('.u-legend .u-series').length,
		errors: el.querySelectorAll('.chart-error').length,
	};
})`

// browserProblems collects what a page must not do: console errors, uncaught
// exceptions, browser log errors, and requests for anything but the file.
type browserProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *browserProblems) add(format string, args ...any) {
	p.mu.Lock()
	p.list = append(p.list, fmt.Sprintf(format, args...))
	p.mu.Unlock()
}

func (p *browserProblems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.list
	p.list = nil
	return l
}

func (p *browserProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			p.add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		desc := d.Text
		if d.Exception != nil {
			desc += " " + d.Exception.Description
		}
		p.add("uncaught exception at %d:%d: %s", d.LineNumber, d.ColumnNumber, desc)
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p.add("browser log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, "file://") && !strings.HasPrefix(u, "data:") {
			p.add("the page requested %s", u)
		}
	}
}

// TestHTMLInChromium opens reports rendered from the fixture (every
// section) and from a result with no optional section in headless
// Chromium, and checks that every chart is drawn without a console error,
// also after a resize. It saves a screenshot of the full report to
// build/test-artifacts/report.png.
func TestHTMLInChromium(t *testing.T) {
	exe := chromium(t)
	r := htmlFixture(t)
	spectra := fixtureSpectra(t, r)
	dir := t.TempDir()
	write := func(name string, r *Result, spectra []Spectrum) string {
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(f, r, spectra); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return "file://" + filepath.ToSlash(path)
	}
	full := write("report.html", r, spectra)
	bare := write("bare.html", minimalResult(), nil)

	ctx, problems := startBrowser(t, exe)
	tctx, cancel := context.WithTimeout(ctx, 25*time.Second)
	defer cancel()

	charts := func(url string) []chartInfo {
		t.Helper()
		if err := chromedp.Do(tctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("open %s: %v", url, err)
		}
		got, err := chromedp.Run(tctx, chromedp.Evaluate[[]chartInfo](chartsJS))
		if err != nil {
			t.Fatalf("read the charts: %v", err)
		}
		return got
	}

	t.Run("every section", func(t *testing.T) {
		got := charts(full)
		bySection := map[string][]string{}
		for _, c := range got {
			bySection[c.Section] = append(bySection[c.Section], c.Kind)
			if c.UPlots != 1 || c.Width <= 0 || c.Height <= 0 || c.Errors != 0 {
				t.Errorf("chart %s/%s: %d uPlot, canvas %dx%d, %d errors; want one drawn chart", c.Section, c.Kind, c.UPlots, c.Width, c.Height, c.Errors)
			}
			if c.Painted < 1000 {
				t.Errorf("chart %s/%s: only %d pixels painted", c.Section, c.Kind, c.Painted)
			}
		}
		if want := wantCharts(r, spectra); !mapsEqual(bySection, want) {
			t.Errorf("charts per section = %v, want %v", bySection, want)
		}
		// A legend row per series, and one for x.
		wantSeries := map[string]int{"spectrum": 4, "rates": 5, "e2e_p99": 2, "lag": 3, "ckpt_duration": 6, "ckpt_size": 3,
			"skew": 2, "cpu": 6, "rss": 6, "jit": 5, "busy": 4, "backpressured": 4, "gc": 3}
		for _, c := range got {
			if c.Series != wantSeries[c.Kind] {
				t.Errorf("chart %s/%s: %d legend rows, want %d", c.Section, c.Kind, c.Series, wantSeries[c.Kind])
			}
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}

		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		artifacts := filepath.Join("..", "build", "test-artifacts")
		if err := os.MkdirAll(artifacts, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(artifacts, "report.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		if html, err := os.ReadFile(filepath.Join(dir, "report.html")); err == nil {
			_ = os.WriteFile(filepath.Join(artifacts, "report.html"), html, 0o644)
		}
		t.Logf("screenshot: %s (%d bytes)", filepath.Join(artifacts, "report.png"), len(png))

		// Narrower window: the charts follow the page's width.
		before := got[0].Width
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(700, 900)); err != nil {
			t.Fatal(err)
		}
		var after []chartInfo
		deadline := time.Now().Add(3 * time.Second)
		for {
			if after, err = chromedp.Run(tctx, chromedp.Evaluate[[]chartInfo](chartsJS)); err != nil {
				t.Fatal(err)
			}
			if after[0].Width < before || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if after[0].Width >= before {
			t.Errorf("after a resize to 700 px, the first chart is %d px wide, was %d", after[0].Width, before)
		}
		for _, p := range problems.take() {
			t.Errorf("browser, after the resize: %s", p)
		}
	})

	t.Run("compare page", func(t *testing.T) {
		var cfgs []Config
		for i, name := range []string{"before", "after"} {
			c := Config{Name: name}
			for rep := 0; rep < 4; rep++ {
				r := sampleResult()
				r.Latency.E2E.P99 += float64(10*i + rep)
				c.Results = append(c.Results, r)
				c.Dirs = append(c.Dirs, name)
			}
			cfgs = append(cfgs, c)
		}
		cmp := Compare(cfgs, 0, CompareOptions{})
		var sp []Spectrum
		for i, s := range spectra[:1] {
			s.Name = cfgs[i].Name
			sp = append(sp, s, Spectrum{Name: "after", Count: s.Count, Points: s.Points})
		}
		path := filepath.Join(dir, "compare.html")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteCompareHTML(f, cmp, sp); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got := charts("file://" + filepath.ToSlash(path))
		if len(got) != 1 || got[0].Kind != "spectrum" || got[0].Series != 3 || got[0].Painted < 1000 {
			t.Errorf("compare page charts = %+v, want one drawn spectrum with two configurations", got)
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
	})

	t.Run("no optional section", func(t *testing.T) {
		if got := charts(bare); len(got) != 0 {
			t.Errorf("charts %v, want none", got)
		}
		title, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector('h1').textContent`))
		if err != nil || title != "abload: quick" {
			t.Errorf("h1 = %q, %v", title, err)
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
	})
}
