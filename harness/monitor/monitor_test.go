package monitor

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/flink/flinktest"
	"github.com/abload/abload/reports"
)

const (
	srcVID   = "v-src"
	scoreVID = "v-score"
)

// monitorRig is a monitor reading a fake Flink: a source
// vertex reading the 2 partitions of topic "in" and a scoring vertex, each
// at parallelism 2.
func monitorRig(t *testing.T) (*rig, *Monitor, *flinktest.Server) {
	t.Helper()
	ff := flinktest.NewServer(t, "job-1",
		flink.Vertex{ID: srcVID, Name: "Source: events-source -> late-filter", Parallelism: 2},
		flink.Vertex{ID: scoreVID, Name: "dedupe -> scoring", Parallelism: 2})
	r := &rig{clock: wallClock{}}
	r.startNs = r.clock.Now()
	m := New(Config{Flink: ff.Client(), JobID: "job-1", Clock: r.clock, StartNs: r.startNs, InputTopic: "in", Partitions: 2})
	return r, m, ff
}

// rig is what a run gives its monitor: a clock and its start.
type rig struct {
	clock   wallClock
	startNs int64
}

// wallClock is the wall clock in Unix nanoseconds.
type wallClock struct{}

func (wallClock) Now() int64 { return time.Now().UnixNano() }

// offsetMetric is the KafkaSource's current-offset metric of a partition
// of topic "in", as the subtask reading it reports it.
func offsetMetric(subtask, partition int) string {
	return flinktest.OffsetMetric("in", subtask, partition)
}

// What the monitor samples each second is what Flink served: rates summed
// over subtasks, busy/backpressure/idle as the busiest subtask's, the
// watermark lag from the lowest watermark, GC time and count per second
// from the counters' change, restarts, checkpoints merged across polls
// with their parts as the slowest subtask's over all vertices.
func TestMonitorSamplesWhatFlinkServes(t *testing.T) {
	r, m, ff := monitorRig(t)
	ctx := context.Background()
	wm := float64(r.clock.Now()/1e6 - 1500) // 1.5 s behind now
	for _, v := range []string{srcVID, scoreVID} {
		ff.Set(v, "numRecordsIn", 100, 200)
		ff.Set(v, "numRecordsInPerSecond", 400, 600)
		ff.Set(v, "numRecordsOutPerSecond", 390, 590)
		ff.Set(v, "busyTimeMsPerSecond", 120, 700)
		ff.Set(v, "backPressuredTimeMsPerSecond", 0, 50)
		ff.Set(v, "idleTimeMsPerSecond", 880, math.NaN())
		ff.Set(v, "currentInputWatermark", wm, wm+400)
	}
	ff.Set(srcVID, offsetMetric(0, 0), 41)
	ff.Set(srcVID, offsetMetric(1, 1), 58)
	ff.TMs["tm-1"] = map[string]float64{
		"Status.JVM.GarbageCollector.G1_Young_Generation.Time":  1000,
		"Status.JVM.GarbageCollector.G1_Young_Generation.Count": 10,
		"Status.JVM.GarbageCollector.G1_Old_Generation.Time":    0,
		"Status.JVM.GarbageCollector.G1_Old_Generation.Count":   0,
		"Status.JVM.GarbageCollector.All.Time":                  1000, // not counted twice
		"Status.JVM.CPU.Load":                                   0.5,
	}
	ff.Restarts = 0
	t0 := r.startNs / 1e6
	ff.History = []flink.CheckpointEntry{{ID: 1, Status: "COMPLETED", TriggerTimestamp: t0 + 1000, EndToEndDuration: 80, StateSize: 1 << 20}}
	ff.Parts["1/"+srcVID] = [3]int64{5, 30, 2}
	ff.Parts["1/"+scoreVID] = [3]int64{9, 20, 7}

	m.Sample(ctx)
	time.Sleep(200 * time.Millisecond)
	ff.Lock()
	ff.TMs["tm-1"]["Status.JVM.GarbageCollector.G1_Young_Generation.Time"] = 1100 // +100 ms of GC
	ff.TMs["tm-1"]["Status.JVM.GarbageCollector.G1_Young_Generation.Count"] = 14  // +4 collections
	ff.TMs["tm-1"]["Status.JVM.GarbageCollector.G1_Old_Generation.Time"] = 50     // +50 ms
	ff.Restarts = 1
	// The history keeps only the latest checkpoints: the first one is gone
	// from it by now, and must stay in the run's list.
	ff.History = []flink.CheckpointEntry{{ID: 2, Status: "FAILED", TriggerTimestamp: t0 + 2000, EndToEndDuration: 500}}
	ff.Unlock()
	m.Sample(ctx)

	fm := m.FlinkMetrics()
	if fm == nil || len(fm.Vertices) != 2 {
		t.Fatalf("flink metrics %+v: want 2 vertices", fm)
	}
	for _, v := range fm.Vertices {
		if len(v.Series) != 2 {
			t.Fatalf("%s: %d samples, want 2", v.Name, len(v.Series))
		}
		s := v.Series[0]
		if s.InRPS != 1000 || s.OutRPS != 980 || s.BusyMsPerS != 700 || s.BackPressuredMs != 50 || s.IdleMsPerS != 880 {
			t.Errorf("%s: %+v: want in 1000 (sum), out 980, busy 700 (max), backpressured 50, idle 880 (NaN left out)", v.Name, s)
		}
		if s.WatermarkLagMs == nil || math.Abs(*s.WatermarkLagMs-1500) > 150 {
			t.Errorf("%s: watermark lag %v, want about 1500 ms (from the lowest subtask's)", v.Name, s.WatermarkLagMs)
		}
	}
	if len(fm.GC) != 1 || len(fm.GC[0].Series) != 1 {
		t.Fatalf("GC %+v: want one TaskManager with one rate sample (from two readings)", fm.GC)
	}
	dt := fm.Vertices[0].Series[1].TS - fm.Vertices[0].Series[0].TS
	g := fm.GC[0].Series[0]
	if math.Abs(g.GCMsPerS*dt-150) > 1e-6 || math.Abs(g.GCCountPerS*dt-4) > 1e-6 {
		t.Errorf("GC %+v over %.3f s: want 150 ms (young + old, not All) and 4 collections", g, dt)
	}
	if m.Restarts() != 1 {
		t.Errorf("restarts %v, want 1", m.Restarts())
	}
	cps := m.CheckpointList(ctx)
	if len(cps) != 2 || cps[0].ID != 1 || cps[1].ID != 2 {
		t.Fatalf("checkpoints %+v: want 1 and 2 (merged across polls)", cps)
	}
	c := cps[0]
	if c.SyncMs != 9 || c.AsyncMs != 30 || c.AlignmentMs != 7 || c.DurationMs != 80 || c.StateSize != 1<<20 {
		t.Errorf("checkpoint 1 %+v: want sync 9, async 30, alignment 7 (slowest subtask over vertices), 80 ms, 1 MiB", c)
	}
	if math.Abs(c.TriggerS-1) > 0.002 { // the trigger time is in whole ms
		t.Errorf("checkpoint 1 triggered at %.3f s, want 1 s after the run's start", c.TriggerS)
	}
	if cps[1].SyncMs != 0 || cps[1].Status != "FAILED" {
		t.Errorf("checkpoint 2 %+v: a failed one has no parts read", cps[1])
	}
	// The harness's own process was sampled twice: one CPU sample.
	res := m.Resources(-1, 1e9)
	if len(res) != 1 || res[0].Component != "abload" || len(res[0].Series) != 1 || res[0].RSSMb.Max <= 0 {
		t.Errorf("resources %+v: want abload's own CPU and memory", res)
	}
}

// A vertex whose metrics are not there yet (deploying) is asked again on
// the next sample; a failed REST call is a gap, not a zero.
func TestMonitorGapsAndLateMetrics(t *testing.T) {
	r, m, ff := monitorRig(t)
	_ = r
	ctx := context.Background()
	ff.Set(scoreVID, "numRecordsInPerSecond", 10, 20)
	m.Sample(ctx)
	ff.Lock()
	ff.Fail["/jobs/job-1/vertices/"+scoreVID] = true
	ff.Unlock()
	m.Sample(ctx)
	ff.Lock()
	delete(ff.Fail, "/jobs/job-1/vertices/"+scoreVID)
	ff.Unlock()
	ff.Set(srcVID, "numRecordsInPerSecond", 5, 5)
	m.Sample(ctx)
	fm := m.FlinkMetrics()
	if fm == nil {
		t.Fatal("no flink metrics")
	}
	got := map[string]int{}
	for _, v := range fm.Vertices {
		got[v.Name] = len(v.Series)
	}
	if got["dedupe -> scoring"] != 2 || got["Source: events-source -> late-filter"] != 1 {
		t.Errorf("samples per vertex %v: want scoring 2 (one gap), source 1 (metrics from the third poll on)", got)
	}
}

// The source's position is the sum over partitions of the offset read + 1,
// stamped when it was taken; the read rate and SourceRate come from its
// change; a partition without a position (−1) makes the sample unknown.
func TestPollPositionReadsTheSourcesProgress(t *testing.T) {
	r, m, ff := monitorRig(t)
	ff.Config["metrics.fetcher.update-interval"] = "1000 ms"
	ff.Set(srcVID, "numRecordsInPerSecond", 0, 0)
	ff.Set(srcVID, offsetMetric(0, 0), 99, math.NaN())
	ff.Set(srcVID, offsetMetric(1, 1), math.NaN(), -1) // not assigned yet
	ctx, cancel := context.WithCancel(context.Background())
	m.Sample(ctx) // discovers the vertices and their metrics
	done := make(chan struct{})
	go func() { defer close(done); m.pollPosition(ctx) }()
	time.Sleep(3 * positionPoll)
	if _, _, _, known := m.Read(); known {
		t.Errorf("position known while partition 1 has none")
	}
	// 200 events/s on each partition from here on.
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			n := 200 * time.Since(start).Seconds()
			ff.Set(srcVID, offsetMetric(0, 0), 99+math.Floor(n), math.NaN())
			ff.Set(srcVID, offsetMetric(1, 1), math.NaN(), math.Floor(n)-1)
		}
	}()
	time.Sleep(2500 * time.Millisecond)
	close(stop)
	time.Sleep(2 * positionPoll)
	cancel()
	<-done
	if m.refresh != time.Second {
		t.Errorf("fetcher interval %v, want the cluster's 1 s", m.refresh)
	}
	pos, atNs, rate, known := m.Read()
	if !known {
		t.Fatal("position unknown")
	}
	end := time.Since(start).Seconds() - 2*positionPoll.Seconds()
	if want := 100 + 400*end; math.Abs(float64(pos)-want) > 400*0.3 {
		t.Errorf("position %d, want about %.0f (100 + 400/s × %.2f s, ±0.3 s)", pos, want, end)
	}
	if rate < 300 || rate > 500 {
		t.Errorf("read rate %.0f/s, want about 400", rate)
	}
	if atNs <= r.startNs {
		t.Errorf("stamp %d before the run's start", atNs)
	}
	from, to := r.clock.Now()-int64(1800*time.Millisecond), r.clock.Now()-int64(800*time.Millisecond)
	if got, ok := m.SourceRate(from, to); !ok || got < 300 || got > 500 {
		t.Errorf("SourceRate over a second = %.0f, %v; want about 400", got, ok)
	}
	if _, ok := m.SourceRate(to, r.clock.Now()+int64(time.Hour)); ok {
		t.Errorf("SourceRate beyond the last sample: want unknown")
	}
}

// SourceRate over a span its samples cover only in part: the rate over
// the covered part when that is at least half the span, else unknown.
func TestSourceRateOverTheCoveredPart(t *testing.T) {
	s := int64(time.Second)
	m := &Monitor{posHist: []posSample{{4 * s, 400}, {6 * s, 1200}, {10 * s, 2800}}} // 400 events/s
	for _, c := range []struct {
		from, to int64
		want     float64
		ok       bool
	}{
		{4 * s, 10 * s, 400, true}, // covered
		{2 * s, 10 * s, 400, true}, // the first 2 of 8 s not: 6 s of it
		{0, 10 * s, 400, true},     // 6 of 10 s
		{0, 14 * s, 0, false},      // 6 of 14 s: less than half
		{5 * s, 20 * s, 0, false},  // 5 of 15 s
		{11 * s, 12 * s, 0, false}, // after the last sample
		{6 * s, 6 * s, 0, false},   // no span
	} {
		got, ok := m.SourceRate(c.from, c.to)
		if ok != c.ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("SourceRate(%d s, %d s) = %.1f, %v; want %.1f, %v", c.from/s, c.to/s, got, ok, c.want, c.ok)
		}
	}
}

// flinkMetrics is nil before the job's vertices are known; resources keeps
// a component's series across a restart under the same name.
func TestMonitorBeforeAnyVertexAndRestartedComponents(t *testing.T) {
	_, m, _ := monitorRig(t)
	if fm := m.FlinkMetrics(); fm != nil {
		t.Errorf("flink metrics %+v before any sample", fm)
	}
	cpu := int64(0)
	inst := "a"
	m.comps = listerFunc(func() []env.Component {
		return []env.Component{{Name: "broker", Read: func() (env.Usage, error) {
			return env.Usage{Instance: inst, CPUNanos: cpu, MemBytes: 64 << 20}, nil
		}}}
	})
	m.sampleResources(1)
	cpu = 5e8 // half a second of CPU in one second: 50%
	m.sampleResources(2)
	inst, cpu = "b", 1e9 // restarted: the counter starts afresh
	m.sampleResources(3)
	cpu = 1.25e9
	m.sampleResources(4)
	var broker reports.Resource
	for _, r := range m.Resources(0, 10) {
		if r.Component == "broker" {
			broker = r
		}
	}
	if len(broker.Series) != 2 || broker.Series[0].CPUPct != 50 || broker.Series[1].CPUPct != 25 || broker.RSSMb.Max != 64 {
		t.Errorf("broker %+v: want 50%% then 25%% (no sample across the restart), 64 MB", broker)
	}
}

type listerFunc func() []env.Component

func (f listerFunc) Components() []env.Component { return f() }

// A task registers its metrics as it starts: a listing taken meanwhile
// lacks some. The monitor lists the vertex's metrics again, so a metric
// registered a moment later (busy time here) is sampled from then on, not
// missing for the whole run.
func TestMonitorPicksUpMetricsRegisteredLate(t *testing.T) {
	_, m, ff := monitorRig(t)
	ctx := context.Background()
	for _, v := range []string{srcVID, scoreVID} {
		ff.Set(v, "numRecordsIn", 100, 200)
		ff.Set(v, "numRecordsInPerSecond", 400, 600)
	}
	ff.Set(srcVID, offsetMetric(0, 0), 41)
	ff.Set(srcVID, offsetMetric(1, 1), 58)
	m.Sample(ctx)
	ff.Lock()
	for _, v := range []string{srcVID, scoreVID} {
		ff.Metrics[v]["busyTimeMsPerSecond"] = []float64{120, 700}
	}
	ff.Unlock()
	m.Sample(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, v := range m.vertices {
		ser := m.vSeries[i]
		if len(ser) != 2 {
			t.Fatalf("%s: %d samples, want 2", v.Name, len(ser))
		}
		if ser[0].BusyMsPerS != 0 || ser[1].BusyMsPerS != 700 {
			t.Errorf("%s: busy %v then %v ms/s, want 0 (not registered yet) then 700 (the busiest subtask)", v.Name, ser[0].BusyMsPerS, ser[1].BusyMsPerS)
		}
	}
}

// The source's position is interpolated between samples; outside them it
// is unknown.
func TestPositionAt(t *testing.T) {
	h := []posSample{{ns: 1000, pos: 0}, {ns: 2000, pos: 1000}, {ns: 4000, pos: 1000}}
	for _, tc := range []struct {
		ns   int64
		want float64
		ok   bool
	}{{1000, 0, true}, {1500, 500, true}, {2000, 1000, true}, {3000, 1000, true}, {999, 0, false}, {4001, 0, false}} {
		got, ok := positionAt(h, tc.ns)
		if ok != tc.ok || got != tc.want {
			t.Errorf("positionAt(%d) = %v, %v; want %v, %v", tc.ns, got, ok, tc.want, tc.ok)
		}
	}
}

// A polled value refreshed elsewhere is stamped with the poll before the
// first one that saw it; an unchanged value is a new sample only once the
// fetcher must have refreshed since (poll − refresh − staleMargin), so a
// stopped source's position still moves on in time; no value is stamped
// before that bound.
func TestPositionStamp(t *testing.T) {
	ms := int64(time.Millisecond)
	p := positionStamp{refresh: time.Second}
	for _, tc := range []struct {
		now, pos, at int64
		ok           bool
	}{
		{1000, 10, 1000, true}, // the first poll: taken now, as far as it knows
		{1250, 10, 0, false},
		{1500, 10, 0, false},
		{1750, 30, 1500, true}, // refreshed after the 1500 poll began
		{2000, 30, 0, false},
		{2250, 25, 2000, true}, // went back (a restart): still a new value
		{2500, 25, 0, false},   // 2500 − 1500 is before 2000: nothing new known
		{3500, 25, 0, false},   // 2000 exactly: not newer
		{3750, 25, 2250, true}, // the fetcher refreshed since: 25 still held at 2250
		{4000, 40, 3750, true},
		{7000, 50, 5500, true}, // polls failed in between: no earlier than 7000 − 1500
	} {
		at, ok := p.observe(tc.now*ms, tc.pos)
		if ok != tc.ok || (ok && at != tc.at*ms) {
			t.Errorf("poll at %d ms reading %d: (%d ms, %v), want (%d ms, %v)", tc.now, tc.pos, at/ms, ok, tc.at, tc.ok)
		}
	}
}
