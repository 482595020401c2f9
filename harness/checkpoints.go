package harness

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/reports"
)

// flinkSections adds what the monitor saw to the result: checkpoints (with
// the overhead split), Flink's metrics, resources, the input lag, and the
// timeline's checkpoint flags. Called after result, with the run over.
func (r *runner) flinkSections(ctx context.Context, res *reports.Result) {
	if r.mon == nil {
		return
	}
	r.mon.Finish(ctx)
	startNs, endNs := r.col.MeasureSpan()
	fromS, toS := r.sinceStart(startNs), r.sinceStart(endNs)
	list := r.mon.CheckpointList(ctx)
	res.Checkpoints = measure.SummarizeCheckpoints(list, fromS, toS)
	ivs := monitor.CheckpointIntervals(r.mon.Checkpoints(), r.clock.Now())
	if res.Checkpoints != nil {
		o, leftOut, leftOutReads := r.col.Overhead(ivs)
		if o != nil {
			res.Checkpoints.Overhead = o
			if n := leftOut; n > 0 {
				res.Notes = append(res.Notes, fmt.Sprintf("%d events were left out of the checkpoint overhead split: they waited longer than its buffer allows for the checkpoints covering them to be known.", n))
			}
			if n := leftOutReads; n > 0 {
				res.Notes = append(res.Notes, fmt.Sprintf("%d output records were left out of the checkpoint overhead's output rates: more reads waited for their checkpoints than its buffer allows.", n))
			}
		}
	}
	for i := range res.Timeseries {
		p := &res.Timeseries[i]
		to := r.startNs + int64(p.TS*1e9)
		p.CheckpointInProgress = monitor.Overlaps(ivs, to-int64(time.Second), to)
	}
	r.expectedKeyedSkew(res.Skew)
	res.FlinkMetrics = r.mon.FlinkMetrics()
	res.Resources = r.mon.Resources(fromS, toS)
	res.Lag = measure.LagSummary(res.Timeseries, fromS, toS)
	res.Latency.Negative = r.col.Negative()

	rec, problems := r.actions.Recovery(res.Timeseries, r.startNs, runTimeline{r.col, r.mon})
	res.Recovery = rec
	for _, p := range problems {
		res.MarkInvalid(p)
	}
	resc, problems := r.actions.Rescales(res.Timeseries, r.startNs, runTimeline{r.col, r.mon})
	res.Rescales = resc
	for _, p := range problems {
		res.MarkInvalid(p)
	}
	excused := append([]reports.Recovery(nil), rec...)
	for _, rs := range resc {
		// A rescale is a restart by design: its window is excused like a fault's.
		end := rs.AtS + faults.RescaleWatch.Seconds()
		switch {
		case rs.LagRecoveredS != nil:
			end = *rs.LagRecoveredS
		case rs.RescaledS != nil:
			end = *rs.RescaledS + 30
		}
		excused = append(excused, reports.Recovery{AtS: rs.AtS, LagRecoveredS: &end})
	}
	if n := r.mon.Restarts(); n > 0 && len(r.sc.Faults) == 0 && len(r.sc.Scaling) == 0 {
		why := ""
		if ex := flink.FirstLines(r.flink.JobExceptions(ctx, r.jobID), 1); ex != "" {
			why = " (Flink's first exception: " + strings.TrimSpace(ex) + ")"
			r.con.Logf("abload: the job restarted without an injected fault; Flink's exception:\n%s", r.flink.JobExceptions(ctx, r.jobID))
		}
		res.MarkInvalid(fmt.Sprintf("the job restarted %.0f time(s) without an injected fault%s (see logs/)", n, why))
	}
	if cp := res.Checkpoints; cp != nil {
		// Failures while a fault is being recovered from are the fault's.
		var failed int64
		for _, c := range cp.List {
			if c.Status == "FAILED" && !c.Savepoint && c.TriggerS >= fromS && c.TriggerS < toS &&
				!measure.DuringFault(excused, c.TriggerS, c.TriggerS+float64(c.DurationMs)/1000+r.sc.Job.Checkpoint.Interval.Seconds()) {
				failed++
			}
		}
		if bound := int64(r.sc.Workload.MaxFailedCheckpoints); failed > bound {
			res.MarkInvalid(fmt.Sprintf("%d checkpoint(s) failed in the measurement phase outside fault recovery > workload.max_failed_checkpoints %d", failed, bound))
		}
	}
}

// expectedKeyedSkew fills in ExpectedMaxOverMean for the vertices keyed by
// (campaign, variant): counts, and windows unless salted (expectedSkew).
func (r *runner) expectedKeyedSkew(sk *reports.Skew) {
	if sk == nil || !r.sc.Job.Outputs.Windows {
		return
	}
	perKey := r.col.KeyEvents()
	measure.ExpectedSkew(sk, perKey, r.sc.Job)
}
