package faults

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// faultExcuse is how long after a fault is over (the broker back, the job
// running again, the TaskManager resumed) the harness's consumer delay still
// does not count toward validity: the backlog drains and the transactions the
// outage left open are aborted. Exactly-once runs add one checkpoint cycle.
const faultExcuse = 15 * time.Second

// ExcuseGrace is faultExcuse plus, for transactional output, one
// checkpoint cycle (output appended before the outage is committed by the
// next one).
func ExcuseGrace(sc *scenarios.Scenario) time.Duration {
	g := faultExcuse
	if sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		g += sc.Job.Checkpoint.Interval.Duration + sc.Job.Checkpoint.MinPause.Duration
	}
	return g
}

// Excuser is the consumer-delay excuse window the collector keeps: output
// read while a fault or a restart is in effect, and for a grace after,
// is delayed by it, not by the harness.
type Excuser interface {
	HoldExcuse(nowNs int64)
	ReleaseExcuse(nowNs int64, grace time.Duration)
}

// Clock is the run's clock: Unix nanoseconds.
type Clock interface{ Now() int64 }

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

// Schedule is a run's faults and scaling actions: it injects them on
// schedule, records the job's ups and downs, and times each one's
// recovery. Safe for concurrent use.
type Schedule struct {
	sc    *scenarios.Scenario
	clock Clock
	logf  func(string, ...any)

	mu     sync.Mutex
	ups    []upChange
	faults []*faultRecord
	scales []*scaleRecord
}

// New returns the schedule of a scenario's faults and scaling actions.
func New(sc *scenarios.Scenario, clock Clock, logf func(string, ...any)) *Schedule {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Schedule{sc: sc, clock: clock, logf: logf}
}

// NoteUp records that the job went up (every task RUNNING) or down now.
func (s *Schedule) NoteUp(up bool) {
	s.mu.Lock()
	s.ups = append(s.ups, upChange{ns: s.clock.Now(), up: up})
	s.mu.Unlock()
}

// Inject runs the scenario's faults on schedule (from loadNs, the load's
// origin) through inj until ctx ends, holding excuse open while each is in
// effect; a pause still in effect when ctx ends is resumed.
func (s *Schedule) Inject(ctx context.Context, inj env.FaultInjector, loadNs int64, excuse Excuser, np *netproxy.Proxy) {
	faults := append([]scenarios.Fault(nil), s.sc.Faults...)
	sort.SliceStable(faults, func(i, j int) bool { return faults[i].At.Duration < faults[j].At.Duration })
	for _, f := range faults {
		due := loadNs + int64(f.At.Duration)
		if !load.SleepCtx(ctx, time.Duration(due-s.clock.Now())) {
			return
		}
		rec := &faultRecord{fault: f, startNs: s.clock.Now()}
		s.mu.Lock()
		s.faults = append(s.faults, rec)
		s.mu.Unlock()
		s.logf("abload: fault %s%s at %s", f.Kind, faultTarget(f), f.At)
		// Output read during the fault and shortly after is delayed by the
		// fault (a killed or frozen producer's open transaction holds back
		// read-committed consumers; a broker outage holds everything): that
		// delay is not the harness's. The job's own downs hold it too
		// (watchJob), covering the restart that follows a kill.
		excuse.HoldExcuse(rec.startNs)
		switch f.Kind {
		case scenarios.FaultKillTaskManager:
			rec.err = inj.KillTaskManager(f.TaskManager)
		case scenarios.FaultPauseTaskManagers:
			if rec.err = inj.PauseTaskManagers(f.TaskManager); rec.err == nil {
				load.SleepCtx(ctx, f.Duration.Duration)
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
			rec.err = networkFault(ctx, np, s.sc.Env.Network, f)
		}
		excuse.ReleaseExcuse(s.clock.Now(), ExcuseGrace(s.sc))
		s.mu.Lock()
		rec.endNs = s.clock.Now()
		s.mu.Unlock()
		if rec.err != nil {
			s.logf("abload: fault %s: %v", f.Kind, rec.err)
		} else {
			s.logf("abload: fault %s done after %.1fs", f.Kind, float64(rec.endNs-rec.startNs)/1e9)
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

// Recovery times every injected fault (recoveryOf) from what was recorded;
// times are seconds from startNs.
func (s *Schedule) Recovery(ts []reports.TimePoint, startNs int64, tl Timeline) (out []reports.Recovery, problems []string) {
	s.mu.Lock()
	faults := append([]*faultRecord(nil), s.faults...)
	ups := append([]upChange(nil), s.ups...)
	s.mu.Unlock()
	return recoveryOf(faults, ups, ts, startNs, s.sc.Workload.Rate, tl)
}

// Counts are the faults and scaling actions so far: faults by kind, the
// kinds in effect now, actions by kind, and the job's parallelism after
// the latest action (0: none yet).
func (s *Schedule) Counts() (faults map[string]int, active map[string]bool, actions map[string]int, parallelism int) {
	faults, active, actions = map[string]int{}, map[string]bool{}, map[string]int{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		faults[f.fault.Kind]++
		if f.endNs == 0 {
			active[f.fault.Kind] = true
		}
	}
	for _, r := range s.scales {
		actions[r.action.Action]++
		parallelism = r.parBefore
		if r.rescaledNs != 0 {
			parallelism = r.parAfter
		}
	}
	return faults, active, actions, parallelism
}
