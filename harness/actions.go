package harness

import (
	"context"
	"time"

	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/monitor"
)

// The run's faults and scaling actions (faults.Schedule) read the run's
// collector and monitor through this timeline.
type runTimeline struct {
	col *measure.Collector
	mon *monitor.Monitor
}

func (t runTimeline) FirstOutputAtOrAfter(ns int64) int64 {
	return t.col.FirstOutputAtOrAfter(ns)
}

func (t runTimeline) LongestOutputGap(fromNs, toNs int64) float64 {
	return t.col.LongestOutputGap(fromNs, toNs)
}

func (t runTimeline) MaxE2E(fromNs, toNs int64) float64 {
	return t.col.MaxE2E(fromNs, toNs)
}

func (t runTimeline) RestartsBetween(fromNs, toNs int64) float64 {
	if t.mon == nil {
		return 0
	}
	return t.mon.RestartsBetween(fromNs, toNs)
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
