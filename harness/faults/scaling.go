package faults

import (
	"context"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// RescaleWatch is how long after a scaling action the harness watches for
// the job to run at another parallelism before it reports none.
const RescaleWatch = 90 * time.Second

// scaleRecord is one scaling action as it happened.
type scaleRecord struct {
	action scenarios.ScalingAction
	names  []string
	err    error
	// startNs is when the action began; slotsNs when Flink's overview first
	// showed the cluster's new slot count; rescaledNs when the job first ran
	// (every vertex RUNNING) at a parallelism other than before (0: never).
	startNs, slotsNs, rescaledNs int64
	parBefore, parAfter          int
	slotsBefore, slotsAfter      int
}

// Scale runs the scenario's scaling actions on schedule (from loadNs)
// through scaler until ctx ends, and after each watches the cluster's
// slots and the job's parallelism (watch: the job's parallelism when every
// vertex runs, else 0, and the cluster's slots) until they change;
// onScaled is called after each action (TaskManagers came or went).
func (s *Schedule) Scale(ctx context.Context, scaler env.Scaler, loadNs int64, excuse Excuser, watch func(context.Context) (par, slots int), onScaled func()) {
	for i, a := range s.sc.Scaling {
		due := loadNs + int64(a.At.Duration)
		if !load.SleepCtx(ctx, time.Duration(due-s.clock.Now())) {
			return
		}
		n := max(1, a.Count)
		rec := &scaleRecord{action: a, startNs: s.clock.Now()}
		rec.parBefore, rec.slotsBefore = watch(ctx)
		s.mu.Lock()
		s.scales = append(s.scales, rec)
		s.mu.Unlock()
		// The rescale restarts the job: output waits, as after a fault.
		excuse.HoldExcuse(rec.startNs)
		switch a.Action {
		case scenarios.ScaleAddTaskManager:
			rec.names, rec.err = scaler.AddTaskManagers(n)
		case scenarios.ScaleRemoveTaskManager:
			rec.names, rec.err = scaler.RemoveTaskManagers(n)
		}
		s.logf("abload: scaling %s ×%d at %s: %v (job parallelism %d, %d slot(s))", a.Action, n, a.At, rec.names, rec.parBefore, rec.slotsBefore)
		if rec.err != nil {
			s.logf("abload: scaling %s: %v", a.Action, rec.err)
			excuse.ReleaseExcuse(s.clock.Now(), ExcuseGrace(s.sc))
			continue
		}
		// Watch until the job runs at a new parallelism, the next action is
		// due, or RescaleWatch passes.
		until := s.clock.Now() + int64(RescaleWatch)
		if i+1 < len(s.sc.Scaling) {
			until = min(until, loadNs+int64(s.sc.Scaling[i+1].At.Duration))
		}
		for s.clock.Now() < until && rec.rescaledNs == 0 {
			if !load.SleepCtx(ctx, 200*time.Millisecond) {
				break
			}
			par, slots := watch(ctx)
			now := s.clock.Now()
			s.mu.Lock()
			if slots != rec.slotsBefore && rec.slotsNs == 0 && slots > 0 {
				rec.slotsNs, rec.slotsAfter = now, slots
			}
			if par > 0 && par != rec.parBefore {
				rec.rescaledNs, rec.parAfter = now, par
			}
			s.mu.Unlock()
		}
		excuse.ReleaseExcuse(s.clock.Now(), ExcuseGrace(s.sc))
		if onScaled != nil {
			onScaled() // TaskManagers came or went
		}
		if rec.rescaledNs != 0 {
			s.logf("abload: job rescaled %d → %d %.1fs after %s", rec.parBefore, rec.parAfter, float64(rec.rescaledNs-rec.startNs)/1e9, a.Action)
		} else {
			s.logf("abload: job parallelism still %d %.0fs after %s (env.scheduler %s)", rec.parBefore, float64(s.clock.Now()-rec.startNs)/1e9, a.Action, s.sc.Env.Scheduler)
		}
	}
}

// Rescales reports every scaling action (rescalesOf) from what was
// recorded; times are seconds from startNs.
func (s *Schedule) Rescales(ts []reports.TimePoint, startNs int64, tl Timeline) (out []reports.Rescale, problems []string) {
	s.mu.Lock()
	recs := append([]*scaleRecord(nil), s.scales...)
	s.mu.Unlock()
	return rescalesOf(recs, ts, startNs, s.clock.Now(), s.sc.Workload.Rate, tl)
}
