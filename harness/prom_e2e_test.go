package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/reports"
)

// One real run with --metrics-addr: while it measures, the harness's
// endpoint and every Flink process's Prometheus reporter serve metrics;
// every panel of the Grafana dashboard in the repository queries only
// metrics that one of them really exports; and a real Prometheus server
// (Debian's prometheus package) scrapes both and answers a query for a
// harness metric and a Flink metric.
func TestPrometheusEndpointsDashboardAndScrape(t *testing.T) {
	needEnv(t)
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus not found in PATH (%v): this test needs a real Prometheus server; install Debian's prometheus package (apt-get install -y prometheus)", err)
	}
	ports, err := cluster.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	sc := scenario(t, "workload.rate=500", "workload.warmup=3s", "workload.duration=60s", "job.checkpoint.interval=2s")
	out := t.TempDir()
	type runOut struct {
		res *reports.Result
		err error
	}
	// The run is planned longer than the checks need (60 s measured; they
	// wait at most 45 s into it, and are done in about 10 on a quiet
	// machine), and is aborted once they are: an aborted run
	// tears down like any other, and the endpoint must not stop early.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan runOut, 1)
	go func() {
		res, err := Run(ctx, Options{Scenario: sc, OutDir: out, Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}, MetricsAddr: addr})
		done <- runOut{res, err}
	}()
	checked := false
	defer func() {
		cancel()
		r := <-done
		switch {
		case checked && errors.Is(r.err, ErrAborted):
		case r.err != nil:
			t.Errorf("run: %v", r.err)
		}
	}()

	// Wait for the measurement phase on the harness's own endpoint.
	harnessURL := "http://" + addr + "/metrics"
	deadline := time.Now().Add(3 * time.Minute)
	for {
		fams, err := scrape(harnessURL)
		if err == nil && gaugeWith(fams, "abload_phase", "phase", PhaseMeasure) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the harness endpoint never showed phase measure (last error %v)", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// A few ticks, a completed checkpoint (its gauges appear with it) and the
	// first measured update read back (the latency histogram and its
	// quantile gauges appear with it: beside three test lanes the job's
	// first update of the phase was seen up to tens of seconds in).
	for deadline := time.Now().Add(45 * time.Second); ; {
		fams, err := scrape(harnessURL)
		checkpointed := err == nil && fams["abload_checkpoint_last_duration_seconds"] != nil
		observed := false
		if h := fams["abload_e2e_latency_seconds"]; err == nil && h != nil && len(h.Metric) == 1 {
			observed = h.Metric[0].GetHistogram().GetSampleCount() > 0
		}
		if checkpointed && observed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("within 45 s of the measurement phase: a completed checkpoint on the harness endpoint %v, an e2e latency observed %v (%v)", checkpointed, observed, err)
		}
		time.Sleep(time.Second)
	}

	exported := map[string]bool{}
	hfams, err := scrape(harnessURL)
	if err != nil {
		t.Fatal(err)
	}
	addNames(exported, hfams)
	for _, want := range []string{"abload_offered_rate_events_per_second", "abload_events_sent_total", "abload_e2e_latency_seconds",
		"abload_e2e_latency_quantile_seconds", "abload_send_delay_seconds", "abload_input_lag_events", "abload_phase", "abload_run_info"} {
		if hfams[want] == nil {
			t.Errorf("harness endpoint lacks %s", want)
		}
	}
	if v := counterValue(hfams, "abload_events_sent_total"); v <= 0 {
		t.Errorf("abload_events_sent_total = %v, want > 0 while measuring", v)
	}
	if h := hfams["abload_e2e_latency_seconds"]; h != nil && len(h.Metric) == 1 && h.Metric[0].GetHistogram().GetSampleCount() == 0 {
		t.Errorf("abload_e2e_latency_seconds has no observations while measuring")
	}

	// Flink's reporters, as the run recorded them.
	endpoints := readEndpoints(t, filepath.Join(out, "logs", "metrics-endpoints.txt"))
	var flinkTargets []string
	for comp, u := range endpoints {
		if comp == "abload" {
			if u != harnessURL {
				t.Errorf("metrics-endpoints.txt names %s for the harness, want %s", u, harnessURL)
			}
			continue
		}
		fams, err := scrape(u)
		if err != nil {
			t.Errorf("%s reporter %s: %v", comp, u, err)
			continue
		}
		addNames(exported, fams)
		flinkTargets = append(flinkTargets, strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/metrics"))
	}
	if len(flinkTargets) < 2 {
		t.Fatalf("Flink reporters %v: want the JobManager's and at least one TaskManager's", endpoints)
	}
	if !exported["flink_taskmanager_job_task_busyTimeMsPerSecond"] {
		t.Errorf("no TaskManager task metrics among Flink's: the job's tasks should report")
	}

	// Every query of the dashboard names metrics that exist.
	dash := loadDashboard(t)
	if len(dash) < 8 {
		t.Fatalf("dashboard has %d queries, want the harness and Flink panels", len(dash))
	}
	for panel, exprs := range dash {
		for _, e := range exprs {
			names := promqlMetricNames(e)
			if len(names) == 0 {
				t.Errorf("panel %q: query %q names no metric", panel, e)
			}
			for _, n := range names {
				if !exported[n] {
					t.Errorf("panel %q: query %q names %s, which neither the harness nor Flink exports", panel, e, n)
				}
			}
		}
	}

	// A real Prometheus scraping both.
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: abload
    static_configs:
      - targets: [%q]
  - job_name: flink
    static_configs:
      - targets: [%s]
`, addr, quoteAll(flinkTargets))
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	promAddr := fmt.Sprintf("127.0.0.1:%d", ports[1])
	log, _ := os.Create(filepath.Join(dir, "prometheus.log"))
	defer log.Close()
	cmd := exec.Command(promBin, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promAddr)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	query := func(q string) (float64, error) {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var body struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return 0, err
		}
		if body.Status != "success" || len(body.Data.Result) == 0 {
			return 0, fmt.Errorf("status %s, %d series", body.Status, len(body.Data.Result))
		}
		var v float64
		_, err = fmt.Sscan(fmt.Sprint(body.Data.Result[0].Value[1]), &v)
		return v, err
	}
	for _, q := range []string{"abload_events_sent_total", "sum(flink_taskmanager_job_task_numRecordsIn)"} {
		deadline := time.Now().Add(30 * time.Second)
		for {
			v, err := query(q)
			if err == nil && v > 0 {
				t.Logf("prometheus: %s = %v", q, v)
				break
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
				t.Fatalf("prometheus query %s: %v, %v (log: %s)", q, v, err, lastLines(string(b), 10))
			}
			time.Sleep(time.Second)
		}
	}
	// Still measuring: the endpoint served the whole time it was scraped.
	if fams, err := scrape(harnessURL); err != nil || gaugeWith(fams, "abload_phase", "phase", PhaseMeasure) != 1 {
		t.Errorf("after the checks the harness endpoint no longer shows phase measure (%v): the run must still be measuring", err)
	}
	checked = true
}

func scrape(u string) (map[string]*dto.MetricFamily, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("%s: %s", resp.Status, b)
	}
	var p expfmt.TextParser
	return p.TextToMetricFamilies(resp.Body)
}

// addNames records every sample name a scrape exposes (a histogram's
// _bucket, _sum and _count, a summary's _sum and _count).
func addNames(set map[string]bool, fams map[string]*dto.MetricFamily) {
	for n, f := range fams {
		set[n] = true
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			set[n+"_bucket"], set[n+"_sum"], set[n+"_count"] = true, true, true
		case dto.MetricType_SUMMARY:
			set[n+"_sum"], set[n+"_count"] = true, true
		}
	}
}

func gaugeWith(fams map[string]*dto.MetricFamily, name, label, value string) float64 {
	for _, m := range fams[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				return m.GetGauge().GetValue()
			}
		}
	}
	return -1
}

func counterValue(fams map[string]*dto.MetricFamily, name string) float64 {
	for _, m := range fams[name].GetMetric() {
		return m.GetCounter().GetValue()
	}
	return -1
}

func readEndpoints(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && !strings.HasPrefix(l, "#") {
			out[f[0]] = f[1]
		}
	}
	return out
}

// loadDashboard returns the Grafana dashboard's queries by panel title.
func loadDashboard(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("monitoring", "grafana-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	out := map[string][]string{}
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if tg.Expr != "" {
				out[p.Title] = append(out[p.Title], tg.Expr)
			}
		}
	}
	return out
}

var (
	promLabels   = regexp.MustCompile(`\{[^}]*\}`)
	promRange    = regexp.MustCompile(`\[[^\]]*\]`)
	promGrouping = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promStrings  = regexp.MustCompile(`"[^"]*"`)
	promIdent    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
)

// promqlMetricNames are the metric names a PromQL expression selects:
// identifiers that are not functions (followed by "("), keywords or label
// names (inside {} or by/without clauses are removed first).
func promqlMetricNames(expr string) []string {
	e := promStrings.ReplaceAllString(expr, " ")
	e = promLabels.ReplaceAllString(e, " ")
	e = promRange.ReplaceAllString(e, " ")
	e = promGrouping.ReplaceAllString(e, " ")
	keywords := map[string]bool{"by": true, "without": true, "on": true, "ignoring": true, "bool": true, "offset": true,
		"and": true, "or": true, "unless": true, "group_left": true, "group_right": true, "inf": true, "nan": true}
	seen := map[string]bool{}
	var out []string
	for _, loc := range promIdent.FindAllStringIndex(e, -1) {
		id := e[loc[0]:loc[1]]
		rest := strings.TrimLeft(e[loc[1]:], " \t\n")
		if strings.HasPrefix(rest, "(") || keywords[strings.ToLower(id)] || seen[id] {
			continue
		}
		if loc[0] > 0 && (e[loc[0]-1] >= '0' && e[loc[0]-1] <= '9' || e[loc[0]-1] == '.') {
			continue // part of a number such as 1e3
		}
		seen[id] = true
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
