package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func renderCapacityHTML(t *testing.T, c *Capacity) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCapacityHTML(&b, c); err != nil {
		t.Fatalf("WriteCapacityHTML: %v", err)
	}
	return b.String()
}

func renderCurveHTML(t *testing.T, c *CapacityCurve) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCapacityCurveHTML(&b, c); err != nil {
		t.Fatalf("WriteCapacityCurveHTML: %v", err)
	}
	return b.String()
}

// checkSelfContained checks what every page must be: well-formed, nothing
// fetched from outside it, no value refused by html/template.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	checkWellFormed(t, page)
	for _, ref := range reFetch.FindAllString(reRawText.ReplaceAllString(page, "$1$3"), -1) {
		if !strings.Contains(ref, "data:") {
			t.Errorf("page refers to something outside it: %q", ref)
		}
	}
	if strings.Contains(page, "ZgotmplZ") {
		t.Error("html/template refused a value (ZgotmplZ in the page)")
	}
	for _, s := range []string{"<script src", "http://", "https://"} {
		if i := strings.Index(page, s); i >= 0 && !strings.Contains(page[max(0, i-30):i], "/*!") {
			t.Errorf("page contains %q: %q", s, page[max(0, i-60):min(len(page), i+60)])
		}
	}
}

// pageData decodes the data inlined in a page.
func pageData(t *testing.T, page string) map[string]any {
	t.Helper()
	m := reData.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no <script id=\"abload-data\"> in the page")
	}
	var data map[string]any
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatalf("embedded data: %v", err)
	}
	return data
}

func toMap(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

var reTableRow = regexp.MustCompile(`(?s)<section id="%s">.*?<tbody>(.*?)</tbody>`)

// tableRows counts the rows of the table body in a section.
func tableRows(page, section string) int {
	m := regexp.MustCompile(fmt.Sprintf(reTableRow.String(), section)).FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	return strings.Count(m[1], "<tr")
}

// The charts of each page, per section.
var (
	capacityCharts = map[string][]string{"latency": {"cap_latency"}, "throughput": {"cap_rates"}, "lag": {"cap_lag"}, "search": {"cap_search"}}
	curveCharts    = map[string][]string{"curve": {"curve_rate", "curve_efficiency"}}
)

func TestCapacityHTML(t *testing.T) {
	c := capacityFixture()
	page := renderCapacityHTML(t, c)
	checkSelfContained(t, page)
	if got := chartsBySection(page); !mapsEqual(got, capacityCharts) {
		t.Errorf("charts per section = %v, want %v", got, capacityCharts)
	}
	if !jsonEqual(pageData(t, page)["capacity"], toMap(t, c)) {
		t.Error("the embedded capacity differs from capacity.json's")
	}
	if n := tableRows(page, "steps"); n != len(c.Steps) {
		t.Errorf("steps table: %d rows, want %d", n, len(c.Steps))
	}
	for _, want := range []string{
		"<title>abload capacity: quick</title>",
		`<span class="badge good">sustainable: 875 events/s</span>`,
		"<tr><th>sustainable</th><td><strong>875 events/s</strong></td></tr>",
		"<tr><th>first failing</th><td>937 events/s</td></tr>",
		"<tr><th>why it failed</th><td>e2e p99 1450.0 ms &gt; 1000 ms</td></tr>",
		"<tr><th>saturation</th><td>880 events/s</td></tr>",
		"<tr><th>search time</th><td>560 s, 5 step(s)</td></tr>",
		"<th>#</th><th>rate (ev/s)</th><th>processed (ev/s)</th>",
		`<tr class="fail"><td>2</td><td>1000</td><td>880</td><td>122.0</td><td>152.0–212.0</td><td>58400</td><td>1620.0</td><td>3400.0</td><td>3720.0</td><td>120.0</td><td>10830</td><td>1.1</td><td>0</td><td class="text verdict fail">fail</td><td class="text reason">e2e p99 3400.0 ms &gt; 1000 ms; lag slope 120.0/s &gt; 50.0/s</td></tr>`,
		`<tr class="pass"><td>3</td><td>750</td><td>750</td>`,
		"sustainable: 875 events/s; first failing: 937 events/s (e2e p99 1450.0 ms &gt; 1000 ms); within 7.1%; stopped by precision",
		"20260301-120000-ab12, 2026-03-01T12:00:00Z → 2026-03-01T12:09:40Z; local (flink 1.20.1, kafka 3.9.0), 2 CPUs, AMD EPYC 7B13",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The same answer rows and step cells as capacity.md.
	var md strings.Builder
	if err := WriteCapacityMarkdown(&md, c); err != nil {
		t.Fatal(err)
	}
	for _, r := range capacityAnswerRows(c) {
		if !strings.Contains(md.String(), "| "+r.Key+" | ") {
			t.Errorf("capacity.md lacks the answer row %q", r.Key)
		}
	}

	t.Run("no steps", func(t *testing.T) {
		c := &Capacity{Schema: CapacitySchema, Name: "aborted", StoppedBy: StoppedByAborted, Note: "interrupted before the first step"}
		page := renderCapacityHTML(t, c)
		checkSelfContained(t, page)
		if got := chartsBySection(page); len(got) != 0 {
			t.Errorf("charts %v, want none", got)
		}
		for _, want := range []string{"<p>No step was judged.</p>", `<span class="badge bad">no rate tried was sustained</span>`,
			"<tr><th>saturation</th><td>none</td></tr>"} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})

	t.Run("escaping", func(t *testing.T) {
		evil := `</script><script>alert("x")</script><img src=x onerror=alert(1)>&amp;`
		c := capacityFixture()
		c.Name, c.Note, c.FailReason, c.StoppedBy = evil, evil, evil, evil
		c.Steps[1].Reason, c.Steps[1].Verdict = evil, evil
		page := renderCapacityHTML(t, c)
		checkSelfContained(t, page)
		if n := strings.Count(reRawText.ReplaceAllString(page, "$1$3"), "<script"); n != 4 {
			t.Errorf("%d <script elements, want the 4 of the template", n)
		}
		if strings.Contains(page, "<img") || strings.Contains(page, `alert("x")`) {
			t.Error("text from capacity.json reached the page as markup")
		}
		if got := pageData(t, page)["capacity"].(map[string]any)["name"]; got != evil {
			t.Errorf("embedded name does not round-trip: %q", got)
		}
	})

	t.Run("curve", func(t *testing.T) {
		cv := curveFixture()
		cv.Points = append(cv.Points, CurvePoint{Name: "p8", Dir: "p8", Parallelism: 8, TaskManagers: 2, Error: "start flink environment: timeout"})
		page := renderCurveHTML(t, cv)
		checkSelfContained(t, page)
		if got := chartsBySection(page); !mapsEqual(got, curveCharts) {
			t.Errorf("charts per section = %v, want %v", got, curveCharts)
		}
		data := pageData(t, page)
		if !jsonEqual(data["curve"], toMap(t, cv)) {
			t.Error("the embedded curve differs from capacity-curve.json's")
		}
		if !jsonEqual(data["linear_eps"], []float64{875, 1750, 3500, 7000}) {
			t.Errorf("linear_eps = %v", data["linear_eps"])
		}
		if n := tableRows(page, "points"); n != len(cv.Points) {
			t.Errorf("points table: %d rows, want %d", n, len(cv.Points))
		}
		for _, want := range []string{
			`<span class="badge good">demand: p2</span>`,
			"1200 events/s + 20% headroom = 1440 events/s: <strong>p2</strong>.",
			`<tr><th><a href="p2/capacity.html">p2</a></th><td class="settings"><code>job.parallelism=2</code></td><td>2</td><td>1</td><td>1650</td><td>1780</td><td>±8%</td><td>0.94</td><td class="text">precision</td><td class="text">lag slope 140.0/s &gt; 89.0/s</td></tr>`,
			// No result, no page to link to.
			`<tr><th>p8</th>`,
			`<td class="text bad-text">error: start flink environment: timeout</td>`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}

		bare := renderCurveHTML(t, &CapacityCurve{Name: "empty"})
		checkSelfContained(t, bare)
		if got := chartsBySection(bare); len(got) != 0 || !strings.Contains(bare, "<p>No configuration was searched.</p>") {
			t.Errorf("an empty curve: charts %v", got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		if err := WriteCapacityHTML(io.Discard, nil); err == nil {
			t.Error("nil capacity: no error")
		}
		if err := WriteCapacityCurveHTML(io.Discard, nil); err == nil {
			t.Error("nil curve: no error")
		}
		if err := WriteCapacityHTML(failWriter{}, capacityFixture()); err == nil {
			t.Error("failing writer: no error")
		}
	})
}

// TestCapacityHTMLAssets checks that capacity.js and capacity.css cannot end
// the element that holds them.
func TestCapacityHTMLAssets(t *testing.T) {
	if l := strings.ToLower(capacityJS); strings.Contains(l, "</script") || strings.Contains(l, "<!--") {
		t.Error("capacity.js contains </script or <!--")
	}
	if strings.Contains(strings.ToLower(capacityCSS), "</style") {
		t.Error("capacity.css contains </style")
	}
}

// TestWriteCapacityFiles checks the files that WriteCapacity and
// WriteCapacityCurve write.
func TestWriteCapacityFiles(t *testing.T) {
	dir := t.TempDir()
	cv := writeCapacityCurveFixture(t, dir)
	for _, f := range []string{"capacity-curve.json", "capacity.md", "capacity.html",
		"p1/capacity.json", "p1/capacity.md", "p1/capacity.html", "p4/capacity.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "p2", "capacity.html"))
	if err != nil || !strings.Contains(string(b), "<title>abload capacity: quick p2</title>") {
		t.Errorf("p2/capacity.html: %v", err)
	}
	if cv.Schema != CapacityCurveSchema {
		t.Errorf("schema %q", cv.Schema)
	}
}

// writeCapacityCurveFixture writes the curve fixture into dir, with each
// point's search (the capacity fixture, scaled to its sustainable rate) in
// its subdirectory, as `abload capacity` does for a matrix.
func writeCapacityCurveFixture(t *testing.T, dir string) *CapacityCurve {
	t.Helper()
	cv := curveFixture()
	for _, p := range cv.Points {
		c := capacityFixture()
		c.Name += " " + p.Name
		k := p.SustainableEPS / c.SustainableEPS
		c.SustainableEPS, c.FirstFailingEPS, c.SaturationEPS = p.SustainableEPS, p.FirstFailingEPS, c.SaturationEPS*k
		for i := range c.Steps {
			c.Steps[i].RateEPS *= k
			c.Steps[i].ProcessedEPS *= k
			c.Steps[i].LagSlope *= k
		}
		pdir := filepath.Join(dir, p.Dir)
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteCapacity(pdir, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteCapacityCurve(dir, cv); err != nil {
		t.Fatal(err)
	}
	return cv
}

// TestCapacityHTMLInChromium opens the capacity.html of one search, of a
// search without steps and of a curve in headless Chromium, and checks that
// every chart is drawn without a console error and that the tables hold one
// row per step or point. It saves screenshots to
// build/test-artifacts/capacity.png and capacity-curve.png.
func TestCapacityHTMLInChromium(t *testing.T) {
	exe := chromium(t)
	dir := t.TempDir()
	search := capacityFixture()
	searchDir, bareDir, curveDir := filepath.Join(dir, "search"), filepath.Join(dir, "bare"), filepath.Join(dir, "curve")
	for _, d := range []string{searchDir, bareDir, curveDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteCapacity(searchDir, search); err != nil {
		t.Fatal(err)
	}
	if err := WriteCapacity(bareDir, &Capacity{Schema: CapacitySchema, Name: "aborted", StoppedBy: StoppedByAborted}); err != nil {
		t.Fatal(err)
	}
	// One step that failed with nothing measured: no latency, no processed
	// rate (the job did not start reading); a curve of one point and no demand.
	oneDir, onePointDir := filepath.Join(dir, "one"), filepath.Join(dir, "one-point")
	for _, d := range []string{oneDir, onePointDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	one := &Capacity{Schema: CapacitySchema, Name: "one", StoppedBy: StoppedByMinRate, FirstFailingEPS: 500,
		SLO:   CapacitySLO{E2EP99Ms: 1000, LagSlopeRatio: 0.05, MaxSendDelay: 1000},
		Steps: []CapacityStep{{N: 1, RateEPS: 500, LagSlope: 500, Verdict: VerdictFail, Reason: "no output"}}}
	if err := WriteCapacity(oneDir, one); err != nil {
		t.Fatal(err)
	}
	if err := WriteCapacityCurve(onePointDir, &CapacityCurve{Name: "one point", Points: []CurvePoint{
		{Name: "only", Dir: "only", Parallelism: 2, TaskManagers: 1, SustainableEPS: 1650, FirstFailingEPS: 1780, ScalingEfficiency: 1}}}); err != nil {
		t.Fatal(err)
	}
	cv := writeCapacityCurveFixture(t, curveDir)
	fileURL := func(d string) string { return "file://" + filepath.ToSlash(filepath.Join(d, CapacityHTMLFile)) }

	ctx, problems := startBrowser(t, exe)
	tctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()

	open := func(t *testing.T, url string) []chartInfo {
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
	count := func(t *testing.T, selector string) int {
		t.Helper()
		n, err := chromedp.Run(tctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", selector)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// checkCharts checks that each chart is one drawn uPlot with its legend
	// rows (one per series and one for x), in the sections wanted.
	checkCharts := func(t *testing.T, got []chartInfo, want map[string][]string, series map[string]int) {
		t.Helper()
		bySection := map[string][]string{}
		for _, c := range got {
			bySection[c.Section] = append(bySection[c.Section], c.Kind)
			if c.UPlots != 1 || c.Width <= 0 || c.Height <= 0 || c.Errors != 0 {
				t.Errorf("chart %s/%s: %d uPlot, canvas %dx%d, %d errors; want one drawn chart", c.Section, c.Kind, c.UPlots, c.Width, c.Height, c.Errors)
			}
			if c.Painted < 1000 {
				t.Errorf("chart %s/%s: only %d pixels painted", c.Section, c.Kind, c.Painted)
			}
			if c.Series != series[c.Kind] {
				t.Errorf("chart %s/%s: %d legend rows, want %d", c.Section, c.Kind, c.Series, series[c.Kind])
			}
		}
		if !mapsEqual(bySection, want) {
			t.Errorf("charts per section = %v, want %v", bySection, want)
		}
	}
	artifacts := filepath.Join("..", "build", "test-artifacts")
	screenshot := func(t *testing.T, name, page string) {
		t.Helper()
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if err := os.MkdirAll(artifacts, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(artifacts, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		if html, err := os.ReadFile(page); err == nil {
			_ = os.WriteFile(filepath.Join(artifacts, name+".html"), html, 0o644)
		}
		t.Logf("screenshot: %s (%d bytes)", filepath.Join(artifacts, name+".png"), len(png))
	}

	t.Run("search", func(t *testing.T) {
		got := open(t, fileURL(searchDir))
		checkCharts(t, got, capacityCharts, map[string]int{"cap_latency": 5, "cap_rates": 5, "cap_lag": 5, "cap_search": 5})
		if n := count(t, "#steps tbody tr"); n != len(search.Steps) {
			t.Errorf("steps table: %d rows, want %d", n, len(search.Steps))
		}
		if n := count(t, "#steps tbody tr.fail"); n != 2 {
			t.Errorf("steps table: %d failed rows, want 2", n)
		}
		if n := count(t, "#answer table tr"); n != len(capacityAnswerRows(search))+1 {
			t.Errorf("answer table: %d rows, want %d", n, len(capacityAnswerRows(search))+1)
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
		screenshot(t, "capacity", filepath.Join(searchDir, CapacityHTMLFile))

		before := got[0].Width
		if err := chromedp.Do(tctx, chromedp.EmulateViewport(700, 900)); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = chromedp.Do(tctx, chromedp.EmulateViewport(1280, 900)) }()
		var after []chartInfo
		var err error
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if after, err = chromedp.Run(tctx, chromedp.Evaluate[[]chartInfo](chartsJS)); err != nil {
				t.Fatal(err)
			}
			if after[0].Width < before || time.Now().After(deadline) {
				break
			}
		}
		if after[0].Width >= before {
			t.Errorf("after a resize to 700 px, the first chart is %d px wide, was %d", after[0].Width, before)
		}
		for _, p := range problems.take() {
			t.Errorf("browser, after the resize: %s", p)
		}
	})

	t.Run("no steps", func(t *testing.T) {
		if got := open(t, fileURL(bareDir)); len(got) != 0 {
			t.Errorf("charts %v, want none", got)
		}
		if n := count(t, "#steps tbody tr"); n != 0 {
			t.Errorf("steps table: %d rows, want none", n)
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
	})

	t.Run("one step, one point", func(t *testing.T) {
		checkCharts(t, open(t, fileURL(oneDir)), capacityCharts, map[string]int{"cap_latency": 5, "cap_rates": 5, "cap_lag": 5, "cap_search": 5})
		if n := count(t, "#steps tbody tr"); n != 1 {
			t.Errorf("steps table: %d rows, want 1", n)
		}
		checkCharts(t, open(t, fileURL(onePointDir)), curveCharts, map[string]int{"curve_rate": 4, "curve_efficiency": 2})
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
	})

	t.Run("curve", func(t *testing.T) {
		got := open(t, fileURL(curveDir))
		checkCharts(t, got, curveCharts, map[string]int{"curve_rate": 4, "curve_efficiency": 2})
		if n := count(t, "#points tbody tr"); n != len(cv.Points) {
			t.Errorf("points table: %d rows, want %d", n, len(cv.Points))
		}
		links, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#points tbody a')).map(a => a.href)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(links) != len(cv.Points) {
			t.Errorf("links %v, want one per point", links)
		}
		for _, l := range links {
			u, err := url.Parse(l)
			if err != nil || u.Scheme != "file" {
				t.Errorf("link %q: %v", l, err)
				continue
			}
			if _, err := os.Stat(filepath.FromSlash(u.Path)); err != nil {
				t.Errorf("link %q: %v", l, err)
			}
		}
		for _, p := range problems.take() {
			t.Errorf("browser: %s", p)
		}
		screenshot(t, "capacity-curve", filepath.Join(curveDir, CapacityHTMLFile))

		// A point's page, through its link.
		if len(links) > 0 {
			got := open(t, links[0])
			if len(got) != 4 || slices.ContainsFunc(got, func(c chartInfo) bool { return c.Painted < 1000 }) {
				t.Errorf("%s: charts %+v, want 4 drawn", links[0], got)
			}
			for _, p := range problems.take() {
				t.Errorf("browser: %s", p)
			}
		}
	})
}
