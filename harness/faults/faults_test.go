package faults

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The lag recovered at the first point after the fault's end whose lag is
// back within a quarter second of load (at least 10 events) of the lag in
// the 5 s before the fault.
func TestLagRecovered(t *testing.T) {
	lags := []int64{50, 80, 60, 70, 40, 900, 5000, 4000, 2000, 400, 300, 90, 20}
	var ts []reports.TimePoint
	for i, l := range lags {
		ts = append(ts, reports.TimePoint{TS: float64(10 + i), Lag: l})
	}
	// The fault at 15 s: before it, at most 80; limit 80 + 1000/4 = 330.
	if at, ok := lagRecovered(ts, 15, 16, 1000, 1000); !ok || at != 20 {
		t.Errorf("recovered at %v (%v), want 20 s (lag 300)", at, ok)
	}
	// Not before the fault is over, however low the lag.
	if at, ok := lagRecovered(ts, 15, 21.5, 1000, 1000); !ok || at != 22 {
		t.Errorf("recovered at %v (%v), want 22 s", at, ok)
	}
	// A slow rate: the floor of 10 events → limit 90.
	if at, ok := lagRecovered(ts, 15, 16, 1000, 8); !ok || at != 21 {
		t.Errorf("recovered at %v (%v), want 21 s (lag 90)", at, ok)
	}
	if _, ok := lagRecovered(ts[:9], 15, 16, 1000, 8); ok {
		t.Error("never back: want not recovered")
	}
	// Back only after the next fault began: not this fault's recovery.
	if at, ok := lagRecovered(ts, 15, 16, 20, 1000); ok {
		t.Errorf("recovered at %v before the next fault at 20 s, want not recovered", at)
	}
	if at, ok := lagRecovered(ts, 15, 16, 20.5, 1000); !ok || at != 20 {
		t.Errorf("recovered at %v (%v), want 20 s (next fault at 20.5 s)", at, ok)
	}
	// No point before the fault: the level before counts as 0.
	if at, ok := lagRecovered(ts[5:], 15, 16, 1000, 80); !ok || at != 22 {
		t.Errorf("no history: recovered at %v (%v), want 22 s (lag 20 <= 0 + 80/4)", at, ok)
	}
}

// fakeTimeline answers recoveryOf's questions from fixed data.
type fakeTimeline struct {
	outputs  []int64 // ns, sorted
	maxBySec map[int64]float64
	restarts float64
}

func (f fakeTimeline) FirstOutputAtOrAfter(ns int64) int64 {
	for _, o := range f.outputs {
		if o >= ns {
			return o
		}
	}
	return 0
}

func (f fakeTimeline) MaxE2E(fromNs, toNs int64) float64 {
	var m float64
	for s, v := range f.maxBySec {
		if s*1e9 >= fromNs && s*1e9 < toNs {
			m = max(m, v)
		}
	}
	return m
}

func (f fakeTimeline) RestartsBetween(int64, int64) float64 { return f.restarts }

func (f fakeTimeline) LongestOutputGap(fromNs, toNs int64) float64 {
	last, gap := fromNs, int64(0)
	for _, o := range f.outputs {
		if o >= fromNs && o <= toNs {
			gap, last = max(gap, o-last), o
		}
	}
	return float64(max(gap, toNs-last)) / 1e9
}

// Timing a fault: detected when the job went down, running when it came
// up, output resumed at the first output after both the fault's end and
// running, lag recovered after that, the latency spike up to then, and
// the restarts; each fault's window ends where the next begins.
func TestRecoveryOf(t *testing.T) {
	s := int64(1e9)
	start := 100 * s
	kill := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultKillTaskManager, TaskManager: 1}, startNs: start + 10*s, endNs: start + 10*s}
	pause := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultPauseTaskManagers}, startNs: start + 40*s, endNs: start + 43*s}
	broken := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultRestartBroker}, startNs: start + 70*s, endNs: start + 70*s, err: errors.New("no broker to restart")}
	ups := []upChange{{start + 11*s, false}, {start + 12*s, false}, {start + 15*s, true}}
	var ts []reports.TimePoint
	for i := 0; i <= 90; i++ {
		lag := int64(50)
		switch {
		case i >= 10 && i < 22:
			lag = 5000
		case i >= 41 && i < 47:
			lag = 3000
		}
		ts = append(ts, reports.TimePoint{TS: float64(i), Lag: lag})
	}
	tl := fakeTimeline{
		outputs:  []int64{start + 9*s, start + 16*s, start + 30*s, start + 44*s, start + 80*s},
		maxBySec: map[int64]float64{100 + 9: 200, 100 + 12: 4000, 100 + 25: 300, 100 + 41: 2500, 100 + 60: 9999},
		restarts: 1,
	}
	out, problems := recoveryOf([]*faultRecord{kill, pause, broken}, ups, ts, start, 1000, tl)
	if len(out) != 3 || len(problems) != 1 || !strings.Contains(problems[0], "no broker to restart") {
		t.Fatalf("recoveries %+v problems %q", out, problems)
	}
	k, p := out[0], out[1]
	f := func(v *float64) float64 {
		if v == nil {
			return -1
		}
		return *v
	}
	if k.Fault != "kill_taskmanager (taskmanager-1)" || p.Fault != "pause_taskmanagers (all TaskManagers)" || out[2].Fault != "restart_broker" {
		t.Errorf("faults %q, %q, %q", k.Fault, p.Fault, out[2].Fault)
	}
	if k.AtS != 10 || f(k.DetectedS) != 11 || f(k.RunningS) != 15 || f(k.OutputResumedS) != 16 || f(k.LagRecoveredS) != 22 {
		t.Errorf("kill: at %v detected %v running %v output %v lag %v; want 10 11 15 16 22", k.AtS, f(k.DetectedS), f(k.RunningS), f(k.OutputResumedS), f(k.LagRecoveredS))
	}
	if k.MaxE2EMs != 4000 || k.Restarts != 2 {
		t.Errorf("kill: max e2e %v (want 4000: up to the lag's recovery, not the 300 after), restarts %d (want 2: down twice)", k.MaxE2EMs, k.Restarts)
	}
	// The pause: never noticed (no downs), output from its end, lag after it.
	if p.DetectedS != nil || p.RunningS != nil || f(p.OutputResumedS) != 44 || f(p.LagRecoveredS) != 47 || p.MaxE2EMs != 2500 || p.Restarts != 1 {
		t.Errorf("pause: %+v; want no detection, output 44, lag 47, max 2500, restarts 1 (numRestarts)", p)
	}
	// Up before the TaskManager is back, down again before any output, then
	// up for good: running again is the up that lasted, restarts count both.
	flap := []upChange{{start + 11*s, false}, {start + 12*s, true}, {start + 13*s, false}, {start + 15*s, true}}
	out, _ = recoveryOf([]*faultRecord{kill}, flap, ts, start, 1000, tl)
	if k := out[0]; f(k.DetectedS) != 11 || f(k.RunningS) != 15 || f(k.OutputResumedS) != 16 {
		t.Errorf("flapping restart: detected %v running %v output %v; want 11 15 16", f(k.DetectedS), f(k.RunningS), f(k.OutputResumedS))
	}
	if f(k.EndedS) != 10 || f(p.EndedS) != 43 {
		t.Errorf("ended: kill %v, pause %v; want 10 (a kill ends at once) and 43", f(k.EndedS), f(p.EndedS))
	}
	// The next fault begins before the pause's lag is back (at 47 s): the
	// pause did not recover in its window, and its spike is what was
	// intended until the next fault (2500 at 41 s), not the 9999 at 60 s.
	early := &faultRecord{fault: scenarios.Fault{Kind: scenarios.FaultRestartBroker}, startNs: start + 46*s, endNs: start + 58*s}
	tl.maxBySec[100+45] = 3100
	tl.maxBySec[100+50] = 7000
	out, _ = recoveryOf([]*faultRecord{pause, early}, nil, ts, start, 1000, tl)
	if p := out[0]; p.LagRecoveredS != nil || p.MaxE2EMs != 3100 {
		t.Errorf("pause cut short by the next fault: lag recovered %v, max e2e %v; want never, 3100", f(p.LagRecoveredS), p.MaxE2EMs)
	}
	if b := out[1]; f(b.LagRecoveredS) != 58 || b.MaxE2EMs != 7000 {
		t.Errorf("the broker restart after it: lag recovered %v (want 58: not before it ended), max e2e %v (want 7000, up to then)", f(b.LagRecoveredS), b.MaxE2EMs)
	}
	// A fault noticed but never up again: no output resumption.
	out, _ = recoveryOf([]*faultRecord{kill}, ups[:2], ts, start, 1000, tl)
	if out[0].RunningS != nil || out[0].OutputResumedS != nil || out[0].LagRecoveredS != nil {
		t.Errorf("never up again: %+v", out[0])
	}
}

// A rescale's figures: slots and parallelism before and after, the rescale
// time, the output gap and latency spike until the lag recovered, and the
// read rate before and while catching up (produced + the lag's fall).
func TestRescalesOf(t *testing.T) {
	s := int64(1e9)
	start := 100 * s
	add := &scaleRecord{action: scenarios.ScalingAction{Action: scenarios.ScaleAddTaskManager, Count: 1}, names: []string{"taskmanager-2"},
		startNs: start + 20*s, slotsNs: start + 22*s, rescaledNs: start + 25*s, parBefore: 2, parAfter: 4, slotsBefore: 2, slotsAfter: 4}
	failed := &scaleRecord{action: scenarios.ScalingAction{Action: scenarios.ScaleRemoveTaskManager}, startNs: start + 60*s, err: errors.New("nothing to remove"), parBefore: 4, slotsBefore: 4}
	var ts []reports.TimePoint
	for i := 0; i <= 80; i++ {
		p := reports.TimePoint{TS: float64(i), SentEPS: 1000, Lag: 100, InEPS: 1000}
		if i >= 27 && i <= 37 {
			p.InEPS = 1800 // two slots' worth after the rescale
		}
		switch {
		case i > 20 && i <= 25: // the job stops reading: the lag grows by the load
			p.Lag = 100 + int64(i-20)*1000
		case i > 25 && i < 30: // catching up: 1,000 a second less each second
			p.Lag = 5100 - int64(i-25)*1000
		}
		ts = append(ts, p)
	}
	tl := fakeTimeline{outputs: []int64{start + 19*s, start + 27*s, start + 28*s}, maxBySec: map[int64]float64{100 + 21: 6000, 100 + 40: 99}, restarts: 1}
	out, problems := rescalesOf([]*scaleRecord{add, failed}, ts, start, start+80*s, 1000, tl)
	if len(out) != 2 || len(problems) != 1 || !strings.Contains(problems[0], "nothing to remove") || out[1].Error != "nothing to remove" {
		t.Fatalf("rescales %+v problems %q", out, problems)
	}
	r := out[0]
	f := func(v *float64) float64 {
		if v == nil {
			return -1
		}
		return *v
	}
	if r.AtS != 20 || f(r.SlotsChangedS) != 22 || r.SlotsAfter != 4 || f(r.RescaledS) != 25 || f(r.RescaleTimeS) != 5 || r.ParallelismAfter != 4 {
		t.Errorf("add: %+v", r)
	}
	// Lag back within 1000/4 of the 100 before at 30 s; output gap from
	// 20 s to then: 20 → 27.
	if f(r.LagRecoveredS) != 30 || r.OutputGapS != 7 || r.MaxE2EMs != 6000 || r.Restarts != 1 {
		t.Errorf("add: lag recovered %v, output gap %v s, max e2e %v, restarts %d; want 30, 7, 6000, 1", f(r.LagRecoveredS), r.OutputGapS, r.MaxE2EMs, r.Restarts)
	}
	// Before: 1,000/s, the lag steady. After: from the rescale (25 s) to the
	// lag's recovery (30 s): 5,000 produced + 5,000 caught up, over 5 s.
	if r.ReadBeforeEPS != 1000 || r.ReadAfterEPS != 2000 {
		t.Errorf("read before %v after %v; want 1000 and 2000", r.ReadBeforeEPS, r.ReadAfterEPS)
	}
	// Processed: the 10 s before the action, and 27–37 s (2 s after the
	// rescale, for 10 s).
	if r.ProcessedBeforeEPS != 1000 || r.ProcessedAfterEPS != 1800 {
		t.Errorf("processed before %v after %v; want 1000 and 1800", r.ProcessedBeforeEPS, r.ProcessedAfterEPS)
	}
	if f2 := out[1]; f2.RescaledS != nil || f2.ParallelismAfter != 4 || f2.SlotsAfter != 4 {
		t.Errorf("failed action: %+v", f2)
	}
}

// The read rate over a span is net: produced plus the lag's decrease. A
// restart that rewinds the source (the lag jumps up) and reads the same
// events again does not count them twice.
func TestMeanReadRateIsNet(t *testing.T) {
	var ts []reports.TimePoint
	lag := int64(0)
	for i := 0; i <= 20; i++ {
		switch {
		case i <= 10:
			lag += 200 // 1000/s produced, the job reads 800/s
		case i == 11:
			lag += 5000 // a restart rewinds the source by 5000 events
		default:
			lag -= 1000 // 1000/s produced, the job reads 2000/s while catching up
		}
		ts = append(ts, reports.TimePoint{TS: float64(i), SentEPS: 1000, Lag: lag})
	}
	for _, c := range []struct {
		from, to, want float64
	}{
		{0, 10, 800},
		{12, 20, 2000},
		// Across the rewind: 2000 produced, the lag up by 5000 − 1000:
		// the job lost ground, it did not read 2000 events twice.
		{10, 12, 0},
		{8, 14, (6000 - (200*2 + 5000 - 3000)) / 6.0},
	} {
		if got := meanReadRate(ts, c.from, c.to); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("meanReadRate(%v, %v) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if got := meanReadRate(ts, 30, 40); got != 0 {
		t.Errorf("no points: %v", got)
	}
}

func TestNetworkFaultTarget(t *testing.T) {
	for _, tt := range []struct {
		f    scenarios.Fault
		want string
	}{
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("100ms")}, "network_delay (+100ms)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("100ms"), Jitter: dur("20ms")}, "network_delay (+100ms ±20ms)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "64KB/s"}, "network_bandwidth (64KB/s)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkCut}, "network_cut"},
	} {
		if got := tt.f.Kind + faultTarget(tt.f); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
}

func dur(s string) scenarios.Duration {
	d, err := scenarios.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newShapeProxy is a proxy for checking its shaping: nothing connects, so
// the upstream is never dialled.
func newShapeProxy(t *testing.T) *netproxy.Proxy {
	t.Helper()
	np, err := netproxy.New("127.0.0.1:0", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { np.Close() })
	return np
}

// A network fault shapes the proxy for its duration on top of env.network,
// then restores env.network, also when the run stops first.
func TestNetworkFaultRestoresSteadyShaping(t *testing.T) {
	np := newShapeProxy(t)
	sc := &scenarios.Scenario{Env: scenarios.Env{Network: scenarios.Network{Latency: dur("20ms"), Bandwidth: "100KB/s"}}}
	if err := cluster.ShapeNetwork(np, sc.Env.Network); err != nil {
		t.Fatal(err)
	}
	steady := netproxy.Shape{Latency: dur("20ms").Duration, KBps: 100}
	for _, tt := range []struct {
		f    scenarios.Fault
		want netproxy.Shape
		cut  bool
	}{
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("30ms"), Jitter: dur("5ms")}, netproxy.Shape{Latency: dur("50ms").Duration, Jitter: dur("5ms").Duration, KBps: 100}, false},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "50KB/s"}, netproxy.Shape{Latency: dur("20ms").Duration, KBps: 50}, false},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "1MB/s"}, steady, false}, // env.network's limit is lower
		{scenarios.Fault{Kind: scenarios.FaultNetworkCut}, steady, true},
	} {
		tt.f.Duration = dur("300ms")
		done := make(chan error, 1)
		go func() { done <- networkFault(context.Background(), np, sc.Env.Network, tt.f) }()
		time.Sleep(100 * time.Millisecond)
		if got, cut := np.State(); got != tt.want || cut != tt.cut {
			t.Errorf("%s during the fault: %+v cut %v, want %+v cut %v", tt.f.Kind, got, cut, tt.want, tt.cut)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got, cut := np.State(); got != steady || cut {
			t.Errorf("%s after the fault: %+v cut %v, want env.network's %+v", tt.f.Kind, got, cut, steady)
		}
	}
	// The run stops during a long cut: lifted at once.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- networkFault(ctx, np, sc.Env.Network, scenarios.Fault{Kind: scenarios.FaultNetworkCut, Duration: dur("1h")})
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the cut outlived the run's context")
	}
	if _, cut := np.State(); cut {
		t.Error("still cut after the run stopped")
	}
}
