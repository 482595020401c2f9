package measure

import (
	"math"
	"sort"

	"github.com/abload/abload/reports"
)

// SummarizeCheckpoints turns the run's checkpoints into the result's
// section: counts, durations and sizes of those triggered in the
// measurement phase [fromS, toS) (seconds from the run's start), and the
// whole list. Nil without any checkpoint.
func SummarizeCheckpoints(list []reports.Checkpoint, fromS, toS float64) *reports.Checkpoints {
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

// DuringFault reports whether a checkpoint in flight from t to until
// (seconds from the start; until allows for one more interval, since a
// failed checkpoint's end is not always known) overlaps a fault and its
// recovery (lag recovered, else running again, else the end).
func DuringFault(rec []reports.Recovery, t, until float64) bool {
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

// LagSummary is the input lag over the measurement phase: its largest
// value, its last, and its least-squares slope in events per second.
func LagSummary(ts []reports.TimePoint, fromS, toS float64) *reports.Lag {
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

// StateGrowth is the least-squares growth of the checkpointed state
// (bytes/s) over the completed checkpoints triggered in [fromS, toS];
// false with fewer than two.
func StateGrowth(list []reports.Checkpoint, fromS, toS float64) (float64, bool) {
	var xs, ys []float64
	for _, c := range list {
		if c.Status == "COMPLETED" && !c.Savepoint && c.TriggerS >= fromS && c.TriggerS <= toS {
			xs = append(xs, c.TriggerS)
			ys = append(ys, float64(c.StateSize))
		}
	}
	if len(xs) < 2 {
		return 0, false
	}
	return slope(xs, ys), true
}
