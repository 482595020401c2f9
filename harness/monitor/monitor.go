package monitor

import (
	"context"
	"math"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/reports"
)

// maxMetricRelists bounds how often (once per sample, about a second) a
// vertex's metrics are listed again while some wanted one is missing.
const maxMetricRelists = 30

// vertexMetricNames are the task metrics sampled per vertex each second.
var vertexMetricNames = []string{
	"numRecordsIn", "numRecordsInPerSecond", "numRecordsOutPerSecond",
	"busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond",
	"currentInputWatermark",
}

// Monitor samples, once a second while the job runs, what Flink and the
// operating system know about the run: per-vertex task metrics, the source's
// records read (the input lag), TaskManager GC, the checkpoint history, and
// the CPU and memory of every process. All times are seconds from the run's
// start (Config.StartNs).
type Monitor struct {
	cfg   Config
	flink *flink.Client
	jobID string
	comps env.ComponentLister // nil: no process sampling but the harness's own

	mu          sync.Mutex
	vertices    []flink.Vertex
	vNames      [][]string // per vertex: the wanted metrics it has
	vRelists    []int      // per vertex: listings that found some wanted metric missing
	sourceIdx   int        // index in vertices of the source vertex, -1 if unknown
	vSeries     [][]reports.VertexSample
	readTotal   int64 // the source's position in the input topic (latest sample)
	readKnown   bool
	readAtNs    int64               // when the latest position was sampled
	readRate    float64             // source records/s (latest sample)
	readHist    []posSample         // recent (time, position) samples, for readRate
	refresh     time.Duration       // the cluster's metric fetcher interval (0 until read)
	posHist     []posSample         // every position sample, for the source's rate over a span
	posProblem  string              // why the latest position poll gave no sample ("" when it did)
	gcNames     map[string][]string // TaskManager id → GC time/count metric ids
	gcLast      map[string][2]float64
	gcLastT     map[string]float64
	gcSeries    map[string][]reports.GCSample
	checkpoints map[int64]flink.CheckpointEntry
	res         map[string]*resourceTrack
	restartsAt  []restartSample // the job's numRestarts over time
}

type restartSample struct {
	ns int64
	n  float64
}

type resourceTrack struct {
	comp   env.Component
	last   env.Usage
	lastT  float64
	series []reports.ResourceSample
}

// Clock is the run's clock: Unix nanoseconds, monotonic within a run.
type Clock interface{ Now() int64 }

// Config is what a Monitor samples and how it reports.
type Config struct {
	Flink *flink.Client
	JobID string
	// Components are the processes whose CPU and memory are sampled (nil:
	// only abload's own).
	Components env.ComponentLister
	Clock      Clock
	// StartNs is the run's start: every sample's time is seconds from it.
	StartNs int64
	// The source's position is the sum over the input topic's Partitions
	// of the last offset read + 1, less InputBase (what an existing topic
	// held before the run).
	InputTopic string
	Partitions int
	InputBase  int64
	// FetcherInterval is the cluster's metrics.fetcher.update-interval;
	// 0: read it from the cluster.
	FetcherInterval time.Duration
	Logf            func(format string, args ...any)
	// OnPoll, when set, is called as each position poll begins, with its
	// time (the collector notes what the broker had acknowledged by then:
	// the lag compares a position with it).
	OnPoll func(ns int64)
	// OnCheckpoints, when set, receives after each sample when the
	// checkpoints known then were in flight (the checkpoint overhead split).
	OnCheckpoints func(nowNs int64, ivs []Interval)
}

// New returns a monitor; nothing is sampled until Run.
func New(cfg Config) *Monitor {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Monitor{cfg: cfg, flink: cfg.Flink, jobID: cfg.JobID, comps: cfg.Components, sourceIdx: -1,
		gcNames: map[string][]string{}, gcLast: map[string][2]float64{}, gcLastT: map[string]float64{},
		gcSeries: map[string][]reports.GCSample{}, checkpoints: map[int64]flink.CheckpointEntry{}, res: map[string]*resourceTrack{}}
}

// Checkpoints are the checkpoints (and savepoints) seen so far.
func (m *Monitor) Checkpoints() []flink.CheckpointEntry {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]flink.CheckpointEntry, 0, len(m.checkpoints))
	for _, c := range m.checkpoints {
		out = append(out, c)
	}
	return out
}

// sinceStart is ns in seconds from the run's start.
func (m *Monitor) sinceStart(ns int64) float64 { return float64(ns-m.cfg.StartNs) / 1e9 }

// Run samples once a second until ctx ends, and the source's position
// every positionPoll.
func (m *Monitor) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); m.pollPosition(ctx) }()
	defer func() { <-done }()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	m.Sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.Sample(ctx)
		}
	}
}

// Sample takes one sample now (Run takes one a second).
func (m *Monitor) Sample(ctx context.Context) {
	now := m.cfg.Clock.Now()
	ts := m.sinceStart(now)
	m.sampleResources(ts)
	qctx, cancel := context.WithTimeout(ctx, 900*time.Millisecond)
	defer cancel()
	m.sampleVertices(qctx, ts, now)
	m.sampleGC(qctx, ts)
	m.sampleRestarts(qctx, now)
	if hist, err := m.flink.CheckpointHistory(qctx, m.jobID); err == nil {
		m.mu.Lock()
		for _, c := range hist {
			m.checkpoints[c.ID] = c
		}
		entries := make([]flink.CheckpointEntry, 0, len(m.checkpoints))
		for _, c := range m.checkpoints {
			entries = append(entries, c)
		}
		m.mu.Unlock()
		// What the checkpoints known now cover can be attributed: in
		// flight or between (the run's checkpoint overhead split).
		if m.cfg.OnCheckpoints != nil {
			m.cfg.OnCheckpoints(now, CheckpointIntervals(entries, now))
		}
	}
}

func (m *Monitor) sampleVertices(ctx context.Context, ts float64, nowNs int64) {
	m.mu.Lock()
	if m.vertices == nil {
		m.mu.Unlock()
		j, err := m.flink.Job(ctx, m.jobID)
		if err != nil {
			return
		}
		m.mu.Lock()
		m.vertices = j.Vertices
		m.vSeries = make([][]reports.VertexSample, len(j.Vertices))
		m.vNames = make([][]string, len(j.Vertices))
		m.vRelists = make([]int, len(j.Vertices))
		for i, v := range j.Vertices {
			if strings.HasPrefix(v.Name, "Source:") {
				m.sourceIdx = i
			}
		}
	}
	vs := m.vertices
	m.mu.Unlock()
	for i, v := range vs {
		m.mu.Lock()
		names := m.vNames[i]
		m.mu.Unlock()
		if i == m.sourceIdx && len(names) < len(vertexMetricNames)-1+m.cfg.Partitions {
			// Partition metrics appear as readers get their splits: list
			// again until every partition's offset is there.
			names = nil
		} else if i != m.sourceIdx && names != nil && len(names) < len(vertexMetricNames) && m.vRelists[i] < maxMetricRelists {
			// A task registers its metrics as it starts: a listing taken
			// meanwhile lacks some (busy time, say), which would then be
			// missing for the whole run. List again for a while; a metric
			// that never comes (not every Flink version has each) stops
			// being asked for.
			m.vRelists[i]++
			names = nil
		}
		if names == nil {
			ids, err := m.flink.VertexMetricIDs(ctx, m.jobID, v.ID)
			if err != nil {
				continue
			}
			want := vertexMetricNames
			if i == m.sourceIdx {
				want = append(append([]string(nil), want...), m.offsetMetrics(ids)...)
			}
			for _, n := range want {
				if ids[n] {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				continue // not registered yet (deploying, restarting): ask again next time
			}
			m.mu.Lock()
			m.vNames[i] = names
			m.mu.Unlock()
		}
		agg, err := m.flink.VertexAgg(ctx, m.jobID, v.ID, names...)
		if err != nil || len(agg) == 0 {
			// Restarting, or the REST call timed out: a gap in the series.
			// An empty answer may mean a metric went away: list them again.
			m.mu.Lock()
			m.vNames[i] = nil
			m.mu.Unlock()
			continue
		}
		num := func(name string, pick func(flink.AggMetric) flink.MetricValue) float64 {
			a, ok := agg[name]
			if !ok {
				return 0
			}
			f := float64(pick(a))
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return 0
			}
			return f
		}
		sum := func(a flink.AggMetric) flink.MetricValue { return a.Sum }
		mx := func(a flink.AggMetric) flink.MetricValue { return a.Max }
		s := reports.VertexSample{
			TS:              ts,
			InRPS:           num("numRecordsInPerSecond", sum),
			OutRPS:          num("numRecordsOutPerSecond", sum),
			BusyMsPerS:      num("busyTimeMsPerSecond", mx),
			BackPressuredMs: num("backPressuredTimeMsPerSecond", mx),
			IdleMsPerS:      num("idleTimeMsPerSecond", mx),
		}
		if a, ok := agg["currentInputWatermark"]; ok {
			// Before the first watermark Flink reports Long.MIN_VALUE.
			if wm := float64(a.Min); !math.IsNaN(wm) && wm > 0 {
				lag := float64(nowNs)/1e6 - wm
				s.WatermarkLagMs = &lag
			}
		}
		m.mu.Lock()
		m.vSeries[i] = append(m.vSeries[i], s)
		if i == m.sourceIdx && !m.readKnown {
			m.readRate = s.InRPS // until pollPosition knows the position
		}
		m.mu.Unlock()
	}
}

func (m *Monitor) sampleGC(ctx context.Context, ts float64) {
	ids, err := m.flink.TaskManagerIDs(ctx)
	if err != nil {
		return
	}
	for _, id := range ids {
		m.mu.Lock()
		names, known := m.gcNames[id]
		m.mu.Unlock()
		if !known {
			all, err := m.flink.TaskManagerMetrics(ctx, id)
			if err != nil {
				continue
			}
			for n := range all {
				if strings.HasPrefix(n, "Status.JVM.GarbageCollector.") && !strings.Contains(n, ".All.") &&
					(strings.HasSuffix(n, ".Time") || strings.HasSuffix(n, ".Count")) {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			m.mu.Lock()
			m.gcNames[id] = names
			m.mu.Unlock()
		}
		if len(names) == 0 {
			continue
		}
		vals, err := m.flink.TaskManagerMetrics(ctx, id, names...)
		if err != nil {
			continue
		}
		var cur [2]float64 // time ms, count
		for n, v := range vals {
			if math.IsNaN(v) {
				continue
			}
			if strings.HasSuffix(n, ".Time") {
				cur[0] += v
			} else {
				cur[1] += v
			}
		}
		m.mu.Lock()
		if last, ok := m.gcLast[id]; ok && ts > m.gcLastT[id] {
			dt := ts - m.gcLastT[id]
			m.gcSeries[id] = append(m.gcSeries[id], reports.GCSample{TS: ts,
				GCMsPerS: math.Max(0, cur[0]-last[0]) / dt, GCCountPerS: math.Max(0, cur[1]-last[1]) / dt})
		}
		m.gcLast[id], m.gcLastT[id] = cur, ts
		m.mu.Unlock()
	}
}

func (m *Monitor) sampleResources(ts float64) {
	comps := []env.Component{{Name: "abload", PID: os.Getpid()}}
	if m.comps != nil {
		comps = append(comps, m.comps.Components()...)
	}
	// Read outside the lock: a container's stats are an API call.
	usage := make([]env.Usage, len(comps))
	ok := make([]bool, len(comps))
	var wg sync.WaitGroup
	for i, c := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := c.Sample()
			usage[i], ok[i] = u, err == nil
		}()
	}
	wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, c := range comps {
		if !ok[i] {
			continue
		}
		u := usage[i]
		tr := m.res[c.Name]
		if tr == nil || tr.last.Instance != u.Instance {
			// New component, or a restarted one under the same name: start its
			// CPU accounting afresh (keeping its series).
			if tr == nil {
				tr = &resourceTrack{}
				m.res[c.Name] = tr
			}
			tr.comp, tr.last, tr.lastT = c, u, ts
			continue
		}
		dt := ts - tr.lastT
		if u.AtNs != 0 && tr.last.AtNs != 0 {
			dt = float64(u.AtNs-tr.last.AtNs) / 1e9
		}
		if dt > 0 {
			cpu := float64(u.CPUNanos-tr.last.CPUNanos) / 1e9 / dt * 100
			smp := reports.ResourceSample{TS: ts, CPUPct: math.Max(0, cpu), RSSMb: float64(u.MemBytes) / (1 << 20)}
			if dp := u.Periods - tr.last.Periods; dp > 0 {
				smp.ThrottledPct = math.Max(0, float64(u.Throttled-tr.last.Throttled)) / float64(dp) * 100
			}
			if u.JITKnown && tr.last.JITKnown {
				jit := math.Max(0, (u.JIT-tr.last.JIT).Seconds()) / dt * 100
				smp.JITPct = &jit
			}
			tr.series = append(tr.series, smp)
		}
		tr.comp, tr.last, tr.lastT = c, u, ts
	}
}

// Finish reads the last checkpoint history and the sync/async/alignment
// parts of each checkpoint (at most the last maxDetails).
func (m *Monitor) Finish(ctx context.Context) {
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if hist, err := m.flink.CheckpointHistory(qctx, m.jobID); err == nil {
		m.mu.Lock()
		for _, c := range hist {
			m.checkpoints[c.ID] = c
		}
		m.mu.Unlock()
	}
}

// CheckpointList returns the run's checkpoints by id, with their parts.
func (m *Monitor) CheckpointList(ctx context.Context) []reports.Checkpoint {
	m.mu.Lock()
	ids := make([]int64, 0, len(m.checkpoints))
	for id := range m.checkpoints {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	entries := make([]flink.CheckpointEntry, len(ids))
	for i, id := range ids {
		entries[i] = m.checkpoints[id]
	}
	var vids []string
	for _, v := range m.vertices {
		vids = append(vids, v.ID)
	}
	m.mu.Unlock()
	qctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out := make([]reports.Checkpoint, len(entries))
	for i, c := range entries {
		out[i] = reports.Checkpoint{ID: c.ID, Status: c.Status, Savepoint: c.IsSavepoint,
			TriggerS: m.sinceStart(c.TriggerTimestamp * 1e6), DurationMs: c.EndToEndDuration,
			AlignmentBuffered: c.AlignmentBuffered, ProcessedData: c.ProcessedData, PersistedData: c.PersistedData,
			StateSize: c.StateSize, CheckpointedSize: c.CheckpointedSize}
		if c.Status == "COMPLETED" && len(entries)-i <= 300 && qctx.Err() == nil {
			if s, a, al, err := m.flink.CheckpointParts(qctx, m.jobID, c.ID, vids); err == nil {
				out[i].SyncMs, out[i].AsyncMs, out[i].AlignmentMs = s, a, al
			}
		}
	}
	return out
}

// FlinkMetrics returns the sampled vertex and GC series.
func (m *Monitor) FlinkMetrics() *reports.FlinkMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.vertices) == 0 {
		return nil
	}
	fm := &reports.FlinkMetrics{}
	for i, v := range m.vertices {
		fm.Vertices = append(fm.Vertices, reports.VertexMetrics{Name: v.Name, Parallelism: v.Parallelism, Series: m.vSeries[i]})
	}
	ids := make([]string, 0, len(m.gcSeries))
	for id := range m.gcSeries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fm.GC = append(fm.GC, reports.GCMetrics{TaskManager: id, Series: m.gcSeries[id]})
	}
	return fm
}

// ResourcesAfter is each component's samples taken after ts (seconds from
// the run's start): the JIT readings an auto warmup judges.
func (m *Monitor) ResourcesAfter(ts float64) map[string][]reports.ResourceSample {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]reports.ResourceSample, len(m.res))
	for n, tr := range m.res {
		i := len(tr.series)
		for i > 0 && tr.series[i-1].TS > ts {
			i--
		}
		if i < len(tr.series) {
			out[n] = append([]reports.ResourceSample(nil), tr.series[i:]...)
		}
	}
	return out
}

// Resources summarises each component's samples inside [fromS, toS] (the
// measurement phase) and keeps its whole series.
func (m *Monitor) Resources(fromS, toS float64) []reports.Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.res))
	for n := range m.res {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []reports.Resource
	for _, n := range names {
		tr := m.res[n]
		r := reports.Resource{Component: n, PID: tr.comp.PID, Series: tr.series,
			CPULimitCores: tr.comp.CPULimit, MemLimitMb: float64(tr.comp.MemLimitBytes) / (1 << 20)}
		var cpus []float64
		for _, s := range tr.series {
			if s.TS >= fromS && s.TS <= toS {
				cpus = append(cpus, s.CPUPct)
				r.CPUPct.Max = math.Max(r.CPUPct.Max, s.CPUPct)
				r.RSSMb.Max = math.Max(r.RSSMb.Max, s.RSSMb)
			}
		}
		if len(cpus) > 0 {
			sort.Float64s(cpus)
			r.CPUPct.P50 = cpus[len(cpus)/2]
		}
		out = append(out, r)
	}
	return out
}

func (m *Monitor) sampleRestarts(ctx context.Context, nowNs int64) {
	var out []struct {
		ID    string            `json:"id"`
		Value flink.MetricValue `json:"value"`
	}
	if err := m.flink.GetJSON(ctx, "/jobs/"+m.jobID+"/metrics?get=numRestarts", &out); err != nil || len(out) != 1 {
		return
	}
	if v := float64(out[0].Value); !math.IsNaN(v) {
		m.mu.Lock()
		m.restartsAt = append(m.restartsAt, restartSample{ns: nowNs, n: v})
		m.mu.Unlock()
	}
}

// Restarts returns the job's latest numRestarts (0 before any sample).
func (m *Monitor) Restarts() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.restartsAt); n > 0 {
		return m.restartsAt[n-1].n
	}
	return 0
}

// RestartsBetween is how many restarts the samples show from fromNs until
// toNs: the last sample before toNs minus the last one before fromNs.
func (m *Monitor) RestartsBetween(fromNs, toNs int64) float64 {
	if m == nil {
		return 0 // no monitor, no restarts seen
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var base, last float64
	for _, s := range m.restartsAt {
		if s.ns < fromNs {
			base = s.n
		}
		if s.ns < toNs {
			last = s.n
		}
	}
	return max(0, last-base)
}

// FailedCheckpointsBetween counts the failed checkpoints (not savepoints)
// triggered in [fromNs, toNs].
func (m *Monitor) FailedCheckpointsBetween(fromNs, toNs int64) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, c := range m.checkpoints {
		at := c.TriggerTimestamp * int64(time.Millisecond)
		if c.Status == "FAILED" && !c.IsSavepoint && at >= fromNs && at <= toNs {
			n++
		}
	}
	return n
}

// CheckpointSummary counts the run's checkpoints (not savepoints) by
// outcome and returns the latest completed one.
func (m *Monitor) CheckpointSummary() (completed, failed int, last *flink.CheckpointEntry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, c := range m.checkpoints {
		if c.IsSavepoint {
			continue
		}
		switch c.Status {
		case "COMPLETED":
			completed++
			if last == nil || id > last.ID {
				cc := c
				last = &cc
			}
		case "FAILED":
			failed++
		}
	}
	return completed, failed, last
}
