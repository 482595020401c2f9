package harness

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/reports"
)

// summarizeCheckpoints turns the run's checkpoints into the result's
// section: counts, durations and sizes of those triggered in the
// measurement phase [fromS, toS) (seconds from the run's start), and the
// whole list. Nil without any checkpoint.
func summarizeCheckpoints(list []reports.Checkpoint, fromS, toS float64) *reports.Checkpoints {
	if len(list) == 0 {
		return nil
	}
	cp := &reports.Checkpoints{List: list}
	var syncs, asyncs, aligns []float64
	var durs []float64
	for _, c := range list {
		if c.Savepoint || c.TriggerS < fromS || c.TriggerS >= toS {
			continue
		}
		switch c.Status {
		case "COMPLETED":
			cp.Completed++
			durs = append(durs, float64(c.DurationMs))
			syncs = append(syncs, float64(c.SyncMs))
			asyncs = append(asyncs, float64(c.AsyncMs))
			aligns = append(aligns, float64(c.AlignmentMs))
			cp.StateSizeBytes.Last = c.StateSize
			cp.StateSizeBytes.Max = max(cp.StateSizeBytes.Max, c.StateSize)
			cp.CheckpointedSizeBytes.Last = c.CheckpointedSize
			cp.CheckpointedSizeBytes.Max = max(cp.CheckpointedSizeBytes.Max, c.CheckpointedSize)
		case "FAILED":
			cp.Failed++
		}
	}
	cp.DurationMs = quantiles(durs)
	cp.SyncMs = quantiles(syncs)
	cp.AsyncMs = quantiles(asyncs)
	cp.AlignmentMs = quantiles(aligns)
	return cp
}

// quantiles returns p50, p99 and max of a small sample (nearest rank).
func quantiles(v []float64) reports.DelayStats {
	if len(v) == 0 {
		return reports.DelayStats{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	rank := func(q float64) float64 {
		i := int(q*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return reports.DelayStats{P50: rank(0.50), P99: rank(0.99), Max: s[len(s)-1]}
}

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
	res.Checkpoints = summarizeCheckpoints(list, fromS, toS)
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
	res.Lag = lagSummary(res.Timeseries, fromS, toS)
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
				!duringFault(excused, c.TriggerS, c.TriggerS+float64(c.DurationMs)/1000+r.sc.Job.Checkpoint.Interval.Seconds()) {
				failed++
			}
		}
		if bound := int64(r.sc.Workload.MaxFailedCheckpoints); failed > bound {
			res.MarkInvalid(fmt.Sprintf("%d checkpoint(s) failed in the measurement phase outside fault recovery > workload.max_failed_checkpoints %d", failed, bound))
		}
	}
}

// duringFault reports whether a checkpoint in flight from t to until
// (seconds from the start; until allows for one more interval, since a
// failed checkpoint's end is not always known) overlaps a fault and its
// recovery (lag recovered, else running again, else the end).
func duringFault(rec []reports.Recovery, t, until float64) bool {
	for _, rc := range rec {
		end := math.Inf(1)
		switch {
		case rc.LagRecoveredS != nil:
			end = *rc.LagRecoveredS
		case rc.RunningS != nil:
			end = *rc.RunningS
		}
		if until >= rc.AtS && t <= end {
			return true
		}
	}
	return false
}

// lagSummary is the input lag over the measurement phase: its largest
// value, its last, and its least-squares slope in events per second.
func lagSummary(ts []reports.TimePoint, fromS, toS float64) *reports.Lag {
	var xs, ys []float64
	l := &reports.Lag{}
	for _, p := range ts {
		if p.TS < fromS || p.TS > toS+0.5 {
			continue
		}
		xs = append(xs, p.TS)
		ys = append(ys, float64(p.Lag))
		l.Max = max(l.Max, p.Lag)
		l.Final = p.Lag
	}
	if len(xs) == 0 {
		return nil
	}
	l.SlopePerS = slope(xs, ys)
	return l
}

// slope is the least-squares slope of y over x (0 for fewer than 2 points).
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if n < 2 {
		return 0
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}
