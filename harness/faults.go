package harness

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// faultExcuse is how long after a fault is over (the broker back, the job
// running again, the TaskManager resumed) the harness's consumer delay still
// does not count toward validity: the backlog drains and the transactions the
// outage left open are aborted. Exactly-once runs add one checkpoint cycle.
const faultExcuse = 15 * time.Second

// excuseGrace is faultExcuse plus, for transactional output, one checkpoint
// cycle (output appended before the outage is committed by the next one).
func (r *runner) excuseGrace() time.Duration {
	g := faultExcuse
	if r.sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		g += r.sc.Job.Checkpoint.Interval.Duration + r.sc.Job.Checkpoint.MinPause.Duration
	}
	return g
}

// upChange is a moment the job went down (some task not RUNNING) or up.
type upChange struct {
	ns int64
	up bool
}

// faultRecord is one injected fault: what, when it began and ended.
type faultRecord struct {
	fault   scenarios.Fault
	startNs int64
	endNs   int64 // when the fault's action was over (pause resumed, broker back); = startNs for a kill
	err     error
}

// faultState collects the job's ups and downs and the injected faults.
type faultState struct {
	mu     sync.Mutex
	ups    []upChange
	faults []*faultRecord
}

func (r *runner) noteUp(up bool) {
	r.faults.mu.Lock()
	r.faults.ups = append(r.faults.ups, upChange{ns: r.clock.Now(), up: up})
	r.faults.mu.Unlock()
}

// injectFaults runs the scenario's faults on schedule (from the origin) until
// ctx ends; a pause still in effect when ctx ends is resumed.
func (r *runner) injectFaults(ctx context.Context, inj env.FaultInjector) {
	faults := append([]scenarios.Fault(nil), r.sc.Faults...)
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At.Duration < faults[j].At.Duration })
	for _, f := range faults {
		due := r.loadNs + int64(f.At.Duration)
		if !sleepCtx(ctx, time.Duration(due-r.clock.Now())) {
			return
		}
		rec := &faultRecord{fault: f, startNs: r.clock.Now()}
		r.faults.mu.Lock()
		r.faults.faults = append(r.faults.faults, rec)
		r.faults.mu.Unlock()
		r.con.Logf("abload: fault %s%s at %s", f.Kind, faultTarget(f), f.At)
		// Output read during the fault and shortly after is delayed by the
		// fault (a killed or frozen producer's open transaction holds back
		// read-committed consumers; a broker outage holds everything): that
		// delay is not the harness's. The job's own downs hold it too
		// (watchJob), covering the restart that follows a kill.
		r.col.holdExcuse(rec.startNs)
		switch f.Kind {
		case scenarios.FaultKillTaskManager:
			rec.err = inj.KillTaskManager(f.TaskManager)
		case scenarios.FaultPauseTaskManagers:
			if rec.err = inj.PauseTaskManagers(f.TaskManager); rec.err == nil {
				sleepCtx(ctx, f.Duration.Duration)
				// Resume even when the run is being stopped: teardown must not
				// find frozen processes.
				if err := inj.ResumeTaskManagers(f.TaskManager); err != nil {
					rec.err = err
				}
			}
		case scenarios.FaultRestartBroker:
			rec.err = inj.RestartBroker(ctx, f.Duration.Duration)
		case scenarios.FaultNetworkDelay, scenarios.FaultNetworkCut, scenarios.FaultNetworkBandwidth:
			// Blocks for the fault's duration, then restores env.network.
			rec.err = r.networkFault(ctx, f)
		}
		r.col.releaseExcuse(r.clock.Now(), r.excuseGrace())
		r.faults.mu.Lock()
		rec.endNs = r.clock.Now()
		r.faults.mu.Unlock()
		if rec.err != nil {
			r.con.Logf("abload: fault %s: %v", f.Kind, rec.err)
		} else {
			r.con.Logf("abload: fault %s done after %.1fs", f.Kind, float64(rec.endNs-rec.startNs)/1e9)
		}
	}
}

func faultTarget(f scenarios.Fault) string {
	switch {
	case scenarios.IsNetworkFault(f.Kind):
		return networkFaultTarget(f)
	case f.Kind == scenarios.FaultRestartBroker:
		return ""
	case f.TaskManager == 0:
		return " (all TaskManagers)"
	}
	return fmt.Sprintf(" (taskmanager-%d)", f.TaskManager)
}

// recovery times every injected fault (recoveryOf) from what the run
// recorded.
func (r *runner) recovery(ts []reports.TimePoint) (out []reports.Recovery, problems []string) {
	r.faults.mu.Lock()
	faults := append([]*faultRecord(nil), r.faults.faults...)
	ups := append([]upChange(nil), r.faults.ups...)
	r.faults.mu.Unlock()
	return recoveryOf(faults, ups, ts, r.startNs, r.sc.Workload.Rate, runnerTimeline{r})
}

// faultTimeline is what timing a fault or a rescale reads beyond the
// timeline: when output was first read after a moment, the longest stretch
// without output in a span, the largest e2e latency by intended time over a
// span, and the job's restarts over a span.
type faultTimeline interface {
	firstOutputAtOrAfter(ns int64) int64
	longestOutputGap(fromNs, toNs int64) float64
	maxE2E(fromNs, toNs int64) float64
	restartsBetween(fromNs, toNs int64) float64
}

// runnerTimeline reads a run's collector and monitor.
type runnerTimeline struct{ r *runner }

func (t runnerTimeline) firstOutputAtOrAfter(ns int64) int64 {
	t.r.col.mu.Lock()
	defer t.r.col.mu.Unlock()
	return t.r.col.firstOutputAtOrAfter(ns)
}

func (t runnerTimeline) longestOutputGap(fromNs, toNs int64) float64 {
	t.r.col.mu.Lock()
	defer t.r.col.mu.Unlock()
	return t.r.col.longestOutputGap(fromNs, toNs)
}

func (t runnerTimeline) maxE2E(fromNs, toNs int64) float64 {
	t.r.col.mu.Lock()
	defer t.r.col.mu.Unlock()
	return t.r.col.maxE2E(fromNs, toNs)
}

func (t runnerTimeline) restartsBetween(fromNs, toNs int64) float64 {
	if t.r.mon == nil {
		return 0
	}
	return t.r.mon.RestartsBetween(fromNs, toNs)
}

// recoveryOf times every injected fault: when the job noticed it (some
// task left RUNNING), when every task ran again, when output resumed, when
// the input lag was back to its level before the fault, and the fault's
// latency spike and restarts. A fault the job never noticed (a short
// pause) has no detection and no running time; its output resumption is
// measured from the fault's end. Times are seconds from startNs.
func recoveryOf(faults []*faultRecord, ups []upChange, ts []reports.TimePoint, startNs int64, rate float64, tl faultTimeline) (out []reports.Recovery, problems []string) {
	since := func(ns int64) float64 { return float64(ns-startNs) / 1e9 }
	s := func(ns int64) *float64 { v := since(ns); return &v }
	for i, f := range faults {
		rc := reports.Recovery{Fault: f.fault.Kind + faultTarget(f.fault), AtS: since(f.startNs)}
		if f.err != nil {
			problems = append(problems, fmt.Sprintf("fault %s at %s could not be injected: %v", f.fault.Kind, f.fault.At, f.err))
		}
		// The window of this fault ends where the next one begins.
		limit := int64(1<<63 - 1)
		if i+1 < len(faults) {
			limit = faults[i+1].startNs
		}
		var downNs, upNs int64
		downs := 0
		for _, u := range ups {
			if u.ns < f.startNs || u.ns >= limit {
				continue
			}
			if !u.up {
				downs++
			}
			if !u.up && downNs == 0 {
				downNs = u.ns
			}
			if u.up && downNs != 0 && upNs == 0 {
				upNs = u.ns
			}
		}
		from := f.endNs
		if downNs != 0 {
			rc.DetectedS = s(downNs)
		}
		if upNs != 0 {
			rc.RunningS = s(upNs)
			from = max(from, upNs)
		} else if downNs != 0 {
			from = 0 // noticed but never up again: output cannot have resumed
		}
		if from != 0 {
			if o := tl.firstOutputAtOrAfter(from); o != 0 && o < limit {
				rc.OutputResumedS = s(o)
			}
		}
		if rc.OutputResumedS != nil || rc.RunningS != nil {
			// The lag cannot have recovered before the fault is over (a
			// pause, a broker outage, a network fault): the input lag is read
			// from metrics that lag behind the fault's start.
			after := max(rc.AtS, since(f.endNs))
			if rc.RunningS != nil {
				after = max(after, *rc.RunningS)
			}
			if t, ok := lagRecovered(ts, rc.AtS, after, rate); ok {
				rc.LagRecoveredS = &t
			}
		}
		end := limit
		if rc.LagRecoveredS != nil {
			end = startNs + int64(*rc.LagRecoveredS*1e9)
		}
		rc.MaxE2EMs = tl.maxE2E(f.startNs, end)
		// Restarts: each time the job went down in the fault's window (a
		// failover that needs several attempts goes down several times), or
		// Flink's numRestarts over the window if that says more.
		rc.Restarts = max(downs, int(tl.restartsBetween(f.startNs, limit)))
		out = append(out, rc)
	}
	return out, problems
}

// lagRecovered finds the first time point at or after afterS whose input lag
// is back to what it was in the 5 s before the fault (at most a quarter
// second of load above it).
func lagRecovered(ts []reports.TimePoint, faultS, afterS, rate float64) (float64, bool) {
	var before int64 = -1
	for _, p := range ts {
		if p.TS >= faultS-5 && p.TS < faultS {
			before = max(before, p.Lag)
		}
	}
	if before < 0 {
		before = 0
	}
	limit := before + int64(max(10, rate/4))
	for _, p := range ts {
		if p.TS >= afterS && p.Lag <= limit {
			return p.TS, true
		}
	}
	return 0, false
}
