package live

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
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// State is what the run shows while it goes on: the latest timeline point
// and running totals, set by the run's ticker once a second and read by
// the Prometheus endpoint and the terminal view. Safe for concurrent use.
type State struct {
	mu sync.Mutex
	v  Values
}

// Values are a State's values.
type Values struct {
	Known   bool // a tick has set them
	Point   reports.TimePoint
	Offered float64 // the schedule's rate at the tick
	Sent    int64
	Outputs map[string]int64 // output records read, by output
	// P50/P99/P999 of e2e so far (ms): the measurement phase's events once
	// it has begun, every event before.
	P50, P99, P999 float64
	Measured       bool
	Parallelism    int // the job's, when it first ran
	// E2E and Send are cumulative counts per upper bound (s) of every
	// event's e2e latency and send delay so far, with count and sum (for
	// the Prometheus endpoint only: left empty without one).
	E2E, Send HistSnapshot
}

// Set replaces the values, keeping the job's parallelism when v has none.
func (s *State) Set(v Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.Parallelism == 0 {
		v.Parallelism = s.v.Parallelism
	}
	s.v = v
}

// SetParallelism records the job's parallelism.
func (s *State) SetParallelism(p int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.v.Parallelism = p
}

// Get returns a copy of the values.
func (s *State) Get() Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.v
	v.Outputs = make(map[string]int64, len(s.v.Outputs))
	for k, n := range s.v.Outputs {
		v.Outputs[k] = n
	}
	return v
}

// HistSnapshot is a histogram as Prometheus takes it: cumulative counts
// per upper bound (seconds), count and sum.
type HistSnapshot struct {
	buckets map[float64]uint64
	count   uint64
	sum     float64
}

// latencyBuckets are the e2e and send-delay histogram bounds in seconds:
// 1 ms to 2 min, roughly ×2 apart (1-2-5), so both a healthy run (tens of
// ms) and a saturated one (tens of seconds) resolve.
var latencyBuckets = []float64{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120}

// SnapshotUs turns an HDR histogram of microseconds into cumulative
// Prometheus buckets (seconds).
func SnapshotUs(h *hdrhistogram.Histogram) HistSnapshot {
	s := HistSnapshot{buckets: make(map[float64]uint64, len(latencyBuckets))}
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

// Source is what the Prometheus endpoint reads of a run at scrape time.
type Source interface {
	// Info names the run: its scenario, id and environment kind.
	Info() (scenario, runID, envKind string)
	// Phase is the run's current phase.
	Phase() string
	// Live is the run's live state.
	Live() *State
	// Checkpoints counts the job's checkpoints by outcome and returns the
	// latest completed one; ok is false before the job is watched (no
	// checkpoint series is exported then).
	Checkpoints() (completed, failed int, last *flink.CheckpointEntry, ok bool)
	// Actions are the faults and scaling actions so far.
	Actions() Actions
}

// Actions are a run's faults and scaling actions so far.
type Actions struct {
	Faults       map[string]int  // by kind
	ActiveFaults map[string]bool // kinds in effect now
	Scaling      map[string]int  // by action
	// Parallelism is the job's after the latest scaling action (0: none
	// yet: the job's own is in Values).
	Parallelism int
}

// promCollector exports the run's live state as Prometheus metrics, read at
// scrape time.
type promCollector struct {
	src Source

	info, phase, offered, sentRate, readRate, outRate, lag, sent, outputs *prometheus.Desc
	e2e, send, quantile, intervalP99                                      *prometheus.Desc
	ckpts, ckptDuration, ckptSize, faults, faultActive, scaling, parallel *prometheus.Desc

	phases []string
}

func newPromCollector(src Source) *promCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("abload_"+name, help, labels, nil)
	}
	return &promCollector{
		src:          src,
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

func (p *promCollector) Collect(ch chan<- prometheus.Metric) {
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	cnt := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	name, runID, kind := p.src.Info()
	g(p.info, 1, name, runID, kind)
	cur := p.src.Phase()
	for _, ph := range p.phases {
		v := 0.0
		if ph == cur {
			v = 1
		}
		g(p.phase, v, ph)
	}

	l := p.src.Live().Get()
	if l.Known {
		g(p.offered, l.Offered)
		g(p.sentRate, l.Point.SentEPS)
		g(p.readRate, l.Point.ReadEPS)
		g(p.outRate, l.Point.OutRPS)
		g(p.lag, float64(l.Point.Lag))
		g(p.intervalP99, l.Point.E2EP99Ms/1000)
	}
	cnt(p.sent, float64(l.Sent))
	for _, o := range []string{"updates", "windows"} {
		cnt(p.outputs, float64(l.Outputs[o]), o)
	}
	if l.E2E.buckets != nil {
		ch <- prometheus.MustNewConstHistogram(p.e2e, l.E2E.count, l.E2E.sum, l.E2E.buckets)
		ch <- prometheus.MustNewConstHistogram(p.send, l.Send.count, l.Send.sum, l.Send.buckets)
	}
	if l.P99 > 0 {
		g(p.quantile, l.P50/1000, "0.5")
		g(p.quantile, l.P99/1000, "0.99")
		g(p.quantile, l.P999/1000, "0.999")
	}

	if completed, failed, last, ok := p.src.Checkpoints(); ok {
		cnt(p.ckpts, float64(completed), "completed")
		cnt(p.ckpts, float64(failed), "failed")
		if last != nil {
			g(p.ckptDuration, float64(last.EndToEndDuration)/1000)
			g(p.ckptSize, float64(last.CheckpointedSize))
		}
	}

	a := p.src.Actions()
	byKind := map[string]int{}
	for k, n := range a.Faults {
		byKind[k] = n
	}
	// Every kind and action is exported from the start (0 until it
	// happens), so dashboards and alerts see the series before the first one.
	for _, k := range allFaultKinds {
		byKind[k] += 0
	}
	for _, k := range sortedKeys(byKind) {
		cnt(p.faults, float64(byKind[k]), k)
		v := 0.0
		if a.ActiveFaults[k] {
			v = 1
		}
		g(p.faultActive, v, k)
	}
	byAction := map[string]int{}
	for k, n := range a.Scaling {
		byAction[k] = n
	}
	byAction[scenarios.ScaleAddTaskManager] += 0
	byAction[scenarios.ScaleRemoveTaskManager] += 0
	for _, k := range sortedKeys(byAction) {
		cnt(p.scaling, float64(byAction[k]), k)
	}
	par := a.Parallelism
	if par == 0 {
		par = l.Parallelism
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

// Server serves one run's /metrics (and abload's own profiles).
type Server struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.addr }

// Serve starts the run's Prometheus endpoint on addr (a loopback
// address; an *env.InputError otherwise). phases are the run's phases, in
// order, exported as abload_phase.
func Serve(addr string, src Source, phases []string, logf func(string, ...any)) (*Server, error) {
	if err := CheckMetricsAddr(addr); err != nil {
		return nil, &env.InputError{Err: err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	pc := newPromCollector(src)
	pc.phases = phases
	reg := prometheus.NewRegistry()
	reg.MustRegister(pc)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// abload's own profiles (CPU, heap, goroutines), as net/http/pprof
	// serves them: `go tool pprof http://ADDR/debug/pprof/heap`.
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	name, runID, _ := src.Info()
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/" {
			http.NotFound(w, req)
			return
		}
		fmt.Fprintf(w, "abload run %s (%s): metrics at /metrics, abload's own profiles at /debug/pprof/\n", runID, name)
	})
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logf("abload: metrics endpoint: %v", err)
		}
	}()
	logf("abload: Prometheus metrics on http://%s/metrics", s.addr)
	return s, nil
}

// Close stops the server (a nil server: nothing).
func (s *Server) Close() {
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	<-s.done
}

// FileSDTargets is Prometheus file-based service discovery for the run's
// endpoints (logs/prometheus-targets.json), labelled by component and run.
func FileSDTargets(runID, harness string, flink []env.FlinkMetricsEndpoint) []byte {
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

// EndpointsText lists the scrape endpoints of the run (logs/metrics-endpoints.txt).
func EndpointsText(harness string, flink []env.FlinkMetricsEndpoint) string {
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

// Status is what the live status block shows.
type Status struct {
	Name          string
	Point         reports.TimePoint
	Elapsed, Left time.Duration
	Live          Values
	// Checkpoints, when set, counts the job's checkpoints by outcome and
	// returns the latest completed one.
	Checkpoints func() (completed, failed int, last *flink.CheckpointEntry)
}

// StatusLines is the live status block: phase and time, load, e2e so far,
// lag and the last checkpoint.
func StatusLines(s Status) []string {
	l, pt := s.Live, s.Point
	so := "so far"
	if l.Measured {
		so = "measured so far"
	}
	lines := []string{
		fmt.Sprintf("abload %s  %-8s %s elapsed, %s left", s.Name, pt.Phase, s.Elapsed, s.Left),
		fmt.Sprintf("  load   offered %.0f/s  sent %.0f/s  job read %.0f/s  processed %.0f/s  out %.0f/s  (%d events sent)", l.Offered, pt.SentEPS, pt.ReadEPS, pt.InEPS, pt.OutRPS, l.Sent),
		fmt.Sprintf("  e2e    p50 %s  p99 %s  p99.9 %s ms %s; last second p99 %s ms", fmtMsLive(l.P50), fmtMsLive(l.P99), fmtMsLive(l.P999), so, fmtMsLive(pt.E2EP99Ms)),
		fmt.Sprintf("  lag    %d events", pt.Lag),
	}
	if s.Checkpoints != nil {
		completed, failed, last := s.Checkpoints()
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
