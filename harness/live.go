package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// liveState is what the run shows while it goes on: the latest timeline
// point and running totals, updated by the ticker once a second and read by
// the Prometheus endpoint and the terminal view.
type liveState struct {
	mu sync.Mutex
	liveValues
}

// liveValues are liveState's values (copied out under its lock).
type liveValues struct {
	known   bool
	pt      reports.TimePoint
	offered float64 // the schedule's rate at the tick
	sent    int64
	outputs map[string]int64 // output records read, by output
	// p50/p99/p999 of e2e so far (ms): the measurement phase's events once
	// it has begun, every event before.
	p50, p99, p999 float64
	measured       bool
	parallelism    int // the job's, when it first ran
	// e2eBuckets/sendBuckets are cumulative counts per upper bound (s) of
	// every event's e2e latency and send delay so far, with count and sum.
	e2e, send histSnapshot
}

type histSnapshot struct {
	buckets map[float64]uint64
	count   uint64
	sum     float64
}

// latencyBuckets are the e2e and send-delay histogram bounds in seconds:
// 1 ms to 2 min, roughly ×2 apart (1-2-5), so both a healthy run (tens of
// ms) and a saturated one (tens of seconds) resolve.
var latencyBuckets = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120}

// snapshotUs turns an HDR histogram of microseconds into cumulative
// Prometheus buckets (seconds).
func snapshotUs(h *hdrhistogram.Histogram) histSnapshot {
	s := histSnapshot{buckets: make(map[float64]uint64, len(latencyBuckets))}
	if h == nil || h.TotalCount() == 0 {
		for _, b := range latencyBuckets {
			s.buckets[b] = 0
		}
		return s
	}
	// One pass over the bars (ascending); a bar counts toward a bucket
	// when its values are all <= the bound (HDR's 3 significant digits).
	var n uint64
	bars, i := h.Distribution(), 0
	for _, b := range latencyBuckets {
		limit := int64(b * 1e6)
		for i < len(bars) && bars[i].To <= limit {
			n += uint64(bars[i].Count)
			i++
		}
		s.buckets[b] = n
	}
	s.count = uint64(h.TotalCount())
	s.sum = h.Mean() * float64(h.TotalCount()) / 1e6
	return s
}

// updateLive is called by the ticker with the new timeline point, under
// the collector's lock (c.mu held).
func (r *runner) updateLive(pt reports.TimePoint, now int64) {
	c := r.col
	r.live.mu.Lock()
	defer r.live.mu.Unlock()
	r.live.known = true
	r.live.pt = pt
	if r.sched != nil && now >= r.loadNs {
		r.live.offered = r.sched.Rate(time.Duration(now - r.loadNs))
	}
	r.live.sent = c.total
	if r.live.outputs == nil {
		r.live.outputs = map[string]int64{}
	}
	r.live.outputs["updates"], r.live.outputs["windows"] = c.updatesRead, c.windowsRead
	h := c.allE2E
	r.live.measured = c.e2e.TotalCount() > 0
	if r.live.measured {
		h = c.e2e
	}
	if h.TotalCount() > 0 {
		r.live.p50 = float64(h.ValueAtQuantile(50)) / 1000
		r.live.p99 = float64(h.ValueAtQuantile(99)) / 1000
		r.live.p999 = float64(h.ValueAtQuantile(99.9)) / 1000
	}
	if r.metrics != nil { // the buckets are for the Prometheus endpoint only
		r.live.e2e = snapshotUs(c.allE2E)
		r.live.send = snapshotUs(c.sendDelay)
	}
}

// promCollector exports the run's live state as Prometheus metrics, read at
// scrape time.
type promCollector struct {
	r *runner

	info, phase, offered, sentRate, readRate, outRate, lag, sent, outputs *prometheus.Desc
	e2e, send, quantile, intervalP99                                      *prometheus.Desc
	ckpts, ckptDuration, ckptSize, faults, faultActive, scaling, parallel *prometheus.Desc
}

func newPromCollector(r *runner) *promCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("abload_"+name, help, labels, nil)
	}
	return &promCollector{
		r:            r,
		info:         d("run_info", "The run: scenario, run id and environment (value 1).", "scenario", "run_id", "env"),
		phase:        d("phase", "1 for the run's current phase, 0 for the others.", "phase"),
		offered:      d("offered_rate_events_per_second", "The schedule's offered rate now (open loop)."),
		sentRate:     d("sent_rate_events_per_second", "Events handed to Kafka per second over the last interval."),
		readRate:     d("job_read_rate_events_per_second", "Events the job's source read per second (from its position, over ~3 s)."),
		outRate:      d("output_rate_records_per_second", "Output records the harness read per second over the last interval."),
		lag:          d("input_lag_events", "Events produced minus the job source's position in the input topic."),
		sent:         d("events_sent_total", "Events handed to Kafka since the run began."),
		outputs:      d("output_records_read_total", "Output records the harness read, by output.", "output"),
		e2e:          d("e2e_latency_seconds", "End-to-end latency (intended time to the update read by the harness) of every event so far."),
		send:         d("send_delay_seconds", "Send delay (handed to the Kafka client minus intended time) of every event so far."),
		quantile:     d("e2e_latency_quantile_seconds", "e2e latency percentiles so far: the measurement phase's events once it has begun, every event before.", "quantile"),
		intervalP99:  d("e2e_latency_interval_p99_seconds", "e2e p99 of the updates read in the last interval (any phase)."),
		ckpts:        d("checkpoints_total", "The job's checkpoints seen by the harness, by status.", "status"),
		ckptDuration: d("checkpoint_last_duration_seconds", "End-to-end duration of the latest completed checkpoint."),
		ckptSize:     d("checkpoint_last_size_bytes", "Checkpointed size of the latest completed checkpoint."),
		faults:       d("faults_total", "Faults injected so far, by kind.", "kind"),
		faultActive:  d("fault_active", "1 while a fault of that kind is in effect.", "kind"),
		scaling:      d("scaling_actions_total", "Scaling actions taken so far, by action.", "action"),
		parallel:     d("job_parallelism", "The job's parallelism (its vertices' highest) as last read after a scaling action or at startup."),
	}
}

func (p *promCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{p.info, p.phase, p.offered, p.sentRate, p.readRate, p.outRate, p.lag, p.sent, p.outputs,
		p.e2e, p.send, p.quantile, p.intervalP99, p.ckpts, p.ckptDuration, p.ckptSize, p.faults, p.faultActive, p.scaling, p.parallel} {
		ch <- d
	}
}

// runPhases are the phases a run goes through, exported as abload_phase.
var runPhases = []string{PhaseStartup, PhasePrefill, PhaseWarmup, PhaseMeasure, PhaseCooldown, PhaseDrain, PhaseCapacity, PhaseTeardown, PhaseDone}

func (p *promCollector) Collect(ch chan<- prometheus.Metric) {
	r := p.r
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	cnt := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	g(p.info, 1, r.sc.Name, r.runID, r.sc.Env.Kind)
	cur := r.currentPhase()
	for _, ph := range runPhases {
		v := 0.0
		if ph == cur {
			v = 1
		}
		g(p.phase, v, ph)
	}

	r.live.mu.Lock()
	l := r.live.liveValues
	outs := make(map[string]int64, len(l.outputs))
	for k, v := range l.outputs {
		outs[k] = v
	}
	r.live.mu.Unlock()
	if l.known {
		g(p.offered, l.offered)
		g(p.sentRate, l.pt.SentEPS)
		g(p.readRate, l.pt.ReadEPS)
		g(p.outRate, l.pt.OutRPS)
		g(p.lag, float64(l.pt.Lag))
		g(p.intervalP99, l.pt.E2EP99Ms/1000)
	}
	cnt(p.sent, float64(l.sent))
	for _, o := range []string{"updates", "windows"} {
		cnt(p.outputs, float64(outs[o]), o)
	}
	if l.e2e.buckets != nil {
		ch <- prometheus.MustNewConstHistogram(p.e2e, l.e2e.count, l.e2e.sum, l.e2e.buckets)
		ch <- prometheus.MustNewConstHistogram(p.send, l.send.count, l.send.sum, l.send.buckets)
	}
	if l.p99 > 0 {
		g(p.quantile, l.p50/1000, "0.5")
		g(p.quantile, l.p99/1000, "0.99")
		g(p.quantile, l.p999/1000, "0.999")
	}

	if m := r.mon; m != nil {
		completed, failed, last := m.CheckpointSummary()
		cnt(p.ckpts, float64(completed), "completed")
		cnt(p.ckpts, float64(failed), "failed")
		if last != nil {
			g(p.ckptDuration, float64(last.EndToEndDuration)/1000)
			g(p.ckptSize, float64(last.CheckpointedSize))
		}
	}

	r.faults.mu.Lock()
	byKind, active := map[string]int{}, map[string]bool{}
	for _, f := range r.faults.faults {
		byKind[f.fault.Kind]++
		if f.endNs == 0 {
			active[f.fault.Kind] = true
		}
	}
	r.faults.mu.Unlock()
	// Every kind and action is exported from the start (0 until it
	// happens), so dashboards and alerts see the series before the first one.
	for _, k := range allFaultKinds {
		byKind[k] += 0
	}
	for _, k := range sortedKeys(byKind) {
		cnt(p.faults, float64(byKind[k]), k)
		v := 0.0
		if active[k] {
			v = 1
		}
		g(p.faultActive, v, k)
	}
	r.scales.mu.Lock()
	byAction, par := map[string]int{}, 0
	for _, s := range r.scales.records {
		byAction[s.action.Action]++
		par = s.parBefore
		if s.rescaledNs != 0 {
			par = s.parAfter
		}
	}
	r.scales.mu.Unlock()
	byAction[scenarios.ScaleAddTaskManager] += 0
	byAction[scenarios.ScaleRemoveTaskManager] += 0
	for _, k := range sortedKeys(byAction) {
		cnt(p.scaling, float64(byAction[k]), k)
	}
	if par == 0 {
		par = l.parallelism
	}
	if par > 0 {
		g(p.parallel, float64(par))
	}
}

var allFaultKinds = []string{scenarios.FaultKillTaskManager, scenarios.FaultPauseTaskManagers, scenarios.FaultRestartBroker,
	scenarios.FaultNetworkDelay, scenarios.FaultNetworkCut, scenarios.FaultNetworkBandwidth}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// CheckMetricsAddr accepts only a loopback host:port (the endpoint has no
// authentication): 127.0.0.1, ::1 or localhost.
func CheckMetricsAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--metrics-addr %q: want HOST:PORT on the loopback interface, e.g. 127.0.0.1:9464", addr)
	}
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return fmt.Errorf("--metrics-addr %q: the metrics endpoint has no authentication, so it listens on the loopback interface only (127.0.0.1, ::1 or localhost), got host %q", addr, host)
		}
	}
	if port == "" {
		return fmt.Errorf("--metrics-addr %q: missing port", addr)
	}
	return nil
}

// metricsServer serves /metrics for one run.
type metricsServer struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// serveMetrics starts the run's Prometheus endpoint on addr.
func (r *runner) serveMetrics(addr string) (*metricsServer, error) {
	if err := CheckMetricsAddr(addr); err != nil {
		return nil, &InputError{Err: err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newPromCollector(r))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// abload's own profiles (CPU, heap, goroutines), as net/http/pprof
	// serves them: `go tool pprof http://ADDR/debug/pprof/heap`.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		fmt.Fprintf(w, "abload run %s (%s): metrics at /metrics, abload's own profiles at /debug/pprof/\n", r.runID, r.sc.Name)
	})
	s := &metricsServer{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.con.Logf("abload: metrics endpoint: %v", err)
		}
	}()
	r.con.Logf("abload: Prometheus metrics on http://%s/metrics", s.addr)
	return s, nil
}

func (s *metricsServer) close() {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// fileSDTargets is Prometheus file-based service discovery for the run's
// endpoints (logs/prometheus-targets.json), labelled by component and run.
func fileSDTargets(runID, harness string, flink []env.FlinkMetricsEndpoint) []byte {
	type group struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	}
	groups := []group{}
	if harness != "" {
		groups = append(groups, group{Targets: []string{harness}, Labels: map[string]string{"abload_component": "abload", "abload_run": runID}})
	}
	for _, f := range flink {
		groups = append(groups, group{Targets: []string{f.Addr}, Labels: map[string]string{"abload_component": f.Component, "abload_run": runID}})
	}
	b, _ := json.MarshalIndent(groups, "", "  ")
	return append(b, '\n')
}

// endpointsText lists the scrape endpoints of the run (logs/metrics-endpoints.txt).
func endpointsText(harness string, flink []env.FlinkMetricsEndpoint) string {
	var b strings.Builder
	b.WriteString("# Prometheus scrape endpoints of this run (component  URL)\n")
	if harness != "" {
		fmt.Fprintf(&b, "abload  http://%s/metrics\n", harness)
	}
	for _, f := range flink {
		fmt.Fprintf(&b, "%s  http://%s/metrics\n", f.Component, f.Addr)
	}
	return b.String()
}

// statusLines is the live status block: phase and time, load, e2e so far,
// lag and the last checkpoint.
func (r *runner) statusLines(pt reports.TimePoint, now int64) []string {
	elapsed := time.Duration(now - r.loadNs).Round(time.Second)
	total := (r.sc.Workload.Warmup.Duration + r.sc.Workload.Duration.Duration + r.sc.Workload.Cooldown.Duration).Round(time.Second)
	if r.capacitySpan > 0 {
		total = r.capacitySpan.Round(time.Second) // abload capacity: its budget
	}
	left := max(0, total-elapsed)
	r.live.mu.Lock()
	l := r.live.liveValues
	r.live.mu.Unlock()
	so := "so far"
	if l.measured {
		so = "measured so far"
	}
	lines := []string{
		fmt.Sprintf("abload %s  %-8s %s elapsed, %s left", r.sc.Name, pt.Phase, elapsed, left),
		fmt.Sprintf("  load   offered %.0f/s  sent %.0f/s  job read %.0f/s  processed %.0f/s  out %.0f/s  (%d events sent)", l.offered, pt.SentEPS, pt.ReadEPS, pt.InEPS, pt.OutRPS, l.sent),
		fmt.Sprintf("  e2e    p50 %s  p99 %s  p99.9 %s ms %s; last second p99 %s ms", fmtMsLive(l.p50), fmtMsLive(l.p99), fmtMsLive(l.p999), so, fmtMsLive(pt.E2EP99Ms)),
		fmt.Sprintf("  lag    %d events", pt.Lag),
	}
	if r.mon != nil {
		completed, failed, last := r.mon.CheckpointSummary()
		ck := fmt.Sprintf("  ckpt   %d completed, %d failed", completed, failed)
		if last != nil {
			ago := time.Since(time.UnixMilli(last.LatestAck)).Seconds()
			ck += fmt.Sprintf("; last #%d took %.1f s, %s, %.0f s ago", last.ID, float64(last.EndToEndDuration)/1000, reports.BytesText(last.CheckpointedSize), ago)
		}
		lines = append(lines, ck)
	}
	return lines
}

func fmtMsLive(ms float64) string {
	if ms <= 0 {
		return "–"
	}
	if ms >= 100 {
		return fmt.Sprintf("%.0f", ms)
	}
	return fmt.Sprintf("%.1f", ms)
}
