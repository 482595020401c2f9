package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// rescaleWatch is how long after a scaling action the harness watches for
// the job to run at another parallelism before it reports none.
const rescaleWatch = 90 * time.Second

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

type scaleState struct {
	mu      sync.Mutex
	records []*scaleRecord
}

// scale runs the scenario's scaling actions on schedule (from the origin)
// until ctx ends, and after each watches Flink's REST API for the cluster's
// slots and the job's parallelism to change.
func (r *runner) scale(ctx context.Context, sc env.Scaler) {
	for i, a := range r.sc.Scaling {
		due := r.loadNs + int64(a.At.Duration)
		if !sleepCtx(ctx, time.Duration(due-r.clock.Now())) {
			return
		}
		n := max(1, a.Count)
		rec := &scaleRecord{action: a, startNs: r.clock.Now()}
		rec.parBefore, rec.slotsBefore = r.parallelismAndSlots(ctx)
		r.scales.mu.Lock()
		r.scales.records = append(r.scales.records, rec)
		r.scales.mu.Unlock()
		// The rescale restarts the job: output waits, as after a fault.
		r.col.holdExcuse(rec.startNs)
		switch a.Action {
		case scenarios.ScaleAddTaskManager:
			rec.names, rec.err = sc.AddTaskManagers(n)
		case scenarios.ScaleRemoveTaskManager:
			rec.names, rec.err = sc.RemoveTaskManagers(n)
		}
		r.con.Logf("abload: scaling %s ×%d at %s: %v (job parallelism %d, %d slot(s))", a.Action, n, a.At, rec.names, rec.parBefore, rec.slotsBefore)
		if rec.err != nil {
			r.con.Logf("abload: scaling %s: %v", a.Action, rec.err)
			r.col.releaseExcuse(r.clock.Now(), r.excuseGrace())
			continue
		}
		// Watch until the job runs at a new parallelism, the next action is
		// due, or rescaleWatch passes.
		until := r.clock.Now() + int64(rescaleWatch)
		if i+1 < len(r.sc.Scaling) {
			until = min(until, r.loadNs+int64(r.sc.Scaling[i+1].At.Duration))
		}
		for r.clock.Now() < until && rec.rescaledNs == 0 {
			if !sleepCtx(ctx, 200*time.Millisecond) {
				break
			}
			par, slots := r.parallelismAndSlots(ctx)
			now := r.clock.Now()
			r.scales.mu.Lock()
			if slots != rec.slotsBefore && rec.slotsNs == 0 && slots > 0 {
				rec.slotsNs, rec.slotsAfter = now, slots
			}
			if par > 0 && par != rec.parBefore {
				rec.rescaledNs, rec.parAfter = now, par
			}
			r.scales.mu.Unlock()
		}
		r.col.releaseExcuse(r.clock.Now(), r.excuseGrace())
		r.writeEndpoints() // TaskManagers came or went
		if rec.rescaledNs != 0 {
			r.con.Logf("abload: job rescaled %d → %d %.1fs after %s", rec.parBefore, rec.parAfter, float64(rec.rescaledNs-rec.startNs)/1e9, a.Action)
		} else {
			r.con.Logf("abload: job parallelism still %d %.0fs after %s (env.scheduler %s)", rec.parBefore, float64(r.clock.Now()-rec.startNs)/1e9, a.Action, r.sc.Env.Scheduler)
		}
	}
}

// parallelismAndSlots reads the job's parallelism when every vertex runs
// (0 otherwise, or when unknown) and the cluster's slot count.
func (r *runner) parallelismAndSlots(ctx context.Context) (par, slots int) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if j, err := r.flink.Job(qctx, r.jobID); err == nil && j.State == "RUNNING" {
		par = j.Parallelism()
		for _, v := range j.Vertices {
			if v.Status != "RUNNING" {
				par = 0
			}
		}
	}
	if ov, err := r.flink.Overview(qctx); err == nil {
		slots = ov.SlotsTotal
	}
	return par, slots
}

// rescales reports every scaling action (rescalesOf) from what the run
// recorded.
func (r *runner) rescales(ts []reports.TimePoint) (out []reports.Rescale, problems []string) {
	r.scales.mu.Lock()
	recs := append([]*scaleRecord(nil), r.scales.records...)
	r.scales.mu.Unlock()
	return rescalesOf(recs, ts, r.startNs, r.clock.Now(), r.sc.Workload.Rate, runnerTimeline{r})
}

// rescalesOf reports every scaling action: when the cluster's slots and
// the job's parallelism changed, the longest output gap and the largest
// e2e latency from the action until the input lag recovered (or 30 s after
// the rescale), and the job's read rate before and after. Times are
// seconds from startNs; nowNs bounds the last action's window.
func rescalesOf(recs []*scaleRecord, ts []reports.TimePoint, startNs, nowNs int64, rate float64, tl faultTimeline) (out []reports.Rescale, problems []string) {
	since := func(ns int64) float64 { return float64(ns-startNs) / 1e9 }
	s := func(ns int64) *float64 { v := since(ns); return &v }
	for i, rec := range recs {
		rs := reports.Rescale{Action: rec.action.Action, Count: max(1, rec.action.Count), TaskManagers: rec.names,
			AtS: since(rec.startNs), ParallelismBefore: rec.parBefore, ParallelismAfter: rec.parBefore,
			SlotsBefore: rec.slotsBefore, SlotsAfter: rec.slotsBefore}
		if rec.err != nil {
			problems = append(problems, fmt.Sprintf("scaling %s at %s failed: %v", rec.action.Action, rec.action.At, rec.err))
			rs.Error = rec.err.Error()
		}
		if rec.slotsNs != 0 {
			rs.SlotsChangedS, rs.SlotsAfter = s(rec.slotsNs), rec.slotsAfter
		}
		limit := int64(1<<63 - 1)
		if i+1 < len(recs) {
			limit = recs[i+1].startNs
		}
		end := min(limit, nowNs)
		from := rec.startNs
		if rec.rescaledNs != 0 {
			rs.RescaledS, rs.ParallelismAfter = s(rec.rescaledNs), rec.parAfter
			d := float64(rec.rescaledNs-rec.startNs) / 1e9
			rs.RescaleTimeS = &d
			from = rec.rescaledNs
			end = min(end, rec.rescaledNs+int64(30*time.Second))
		} else {
			end = min(end, rec.startNs+int64(rescaleWatch))
		}
		if t, ok := lagRecovered(ts, rs.AtS, since(from), rate); ok {
			rs.LagRecoveredS = &t
			end = min(end, startNs+int64(t*1e9))
		}
		rs.OutputGapS = tl.longestOutputGap(rec.startNs, max(end, from))
		rs.MaxE2EMs = tl.maxE2E(rec.startNs, max(end, from))
		rs.ReadBeforeEPS = meanReadRate(ts, rs.AtS-10, rs.AtS)
		after := since(from)
		if rs.LagRecoveredS != nil && *rs.LagRecoveredS-after >= 2 {
			// While it catches up the job reads as fast as it can.
			rs.ReadAfterEPS = meanReadRate(ts, after, *rs.LagRecoveredS)
		} else {
			rs.ReadAfterEPS = meanReadRate(ts, after, after+10)
		}
		rs.ProcessedBeforeEPS = meanProcessedRate(ts, rs.AtS-10, rs.AtS)
		if rs.RescaledS != nil {
			rs.ProcessedAfterEPS = meanProcessedRate(ts, *rs.RescaledS+2, *rs.RescaledS+12)
		} else {
			rs.ProcessedAfterEPS = meanProcessedRate(ts, rs.AtS, rs.AtS+10)
		}
		rs.Restarts = int(tl.restartsBetween(rec.startNs, limit))
		out = append(out, rs)
	}
	return out, problems
}

// meanProcessedRate is the mean of the timeline's in_eps (updates the job
// wrote, per second, by written time) over the points in [fromS, toS]; 0
// when there are none.
func meanProcessedRate(ts []reports.TimePoint, fromS, toS float64) float64 {
	sum, n := 0.0, 0
	for _, p := range ts {
		if p.TS >= fromS && p.TS <= toS {
			sum += p.InEPS
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// meanReadRate is the job's net read rate (events/s) over [fromS, toS]:
// what was produced in between plus the lag's decrease, from the timeline
// points nearest the two ends. Net, so that a restart that rewinds the
// source to its checkpoint and reads the same events again does not count
// them twice. 0 when the span holds fewer than two points. (Produced is
// what the sender handed the producer, the lag counts what the broker had
// acknowledged: the two differ by the change in the producer's backlog
// over the span, a few hundred records at most in a healthy run.)
func meanReadRate(ts []reports.TimePoint, fromS, toS float64) float64 {
	a, b := -1, -1
	for i, p := range ts {
		if p.TS >= fromS && a < 0 {
			a = i
		}
		if p.TS <= toS {
			b = i
		}
	}
	if a < 0 || b <= a {
		return 0
	}
	var produced float64
	for i := a + 1; i <= b; i++ {
		produced += ts[i].SentEPS * (ts[i].TS - ts[i-1].TS)
	}
	dt := ts[b].TS - ts[a].TS
	return max(0, (produced+float64(ts[a].Lag-ts[b].Lag))/dt)
}
