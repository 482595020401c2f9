package faults

import (
	"fmt"
	"time"

	"github.com/abload/abload/reports"
)

// Timeline is what timing a fault or a rescale reads beyond the
// timeline: when output was first read after a moment, the longest stretch
// without output in a span, the largest e2e latency by intended time over a
// span, and the job's restarts over a span.
type Timeline interface {
	FirstOutputAtOrAfter(ns int64) int64
	LongestOutputGap(fromNs, toNs int64) float64
	MaxE2E(fromNs, toNs int64) float64
	RestartsBetween(fromNs, toNs int64) float64
}

// recoveryOf times every injected fault: when the job noticed it (some
// task left RUNNING), when every task ran again, when output resumed, when
// the input lag was back to its level before the fault, and the fault's
// latency spike and restarts. A fault the job never noticed (a short
// pause) has no detection and no running time; its output resumption is
// measured from the fault's end. Times are seconds from startNs.
func recoveryOf(faults []*faultRecord, ups []upChange, ts []reports.TimePoint, startNs int64, rate float64, tl Timeline) (out []reports.Recovery, problems []string) {
	since := func(ns int64) float64 { return float64(ns-startNs) / 1e9 }
	s := func(ns int64) *float64 { v := since(ns); return &v }
	for i, f := range faults {
		rc := reports.Recovery{Fault: f.fault.Kind + faultTarget(f.fault), AtS: since(f.startNs)}
		if f.endNs != 0 {
			rc.EndedS = s(f.endNs)
		}
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
			if !u.up && upNs != 0 && u.ns < endOfUp(tl, upNs, limit) {
				// Down again before any output: that "up" was not a
				// recovery (Flink reports a restarted job RUNNING while
				// its tasks still wait for a TaskManager that is not back).
				upNs = 0
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
			if o := tl.FirstOutputAtOrAfter(from); o != 0 && o < limit {
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
			// Not after the next fault began: a recovery that needed the
			// next fault's window too is not this fault's.
			if t, ok := lagRecovered(ts, rc.AtS, after, since(limit), rate); ok {
				rc.LagRecoveredS = &t
			}
		}
		end := limit
		if rc.LagRecoveredS != nil {
			end = startNs + int64(*rc.LagRecoveredS*1e9)
		}
		rc.MaxE2EMs = tl.MaxE2E(f.startNs, end)
		// Restarts: each time the job went down in the fault's window (a
		// failover that needs several attempts goes down several times), or
		// Flink's numRestarts over the window if that says more.
		rc.Restarts = max(downs, int(tl.RestartsBetween(f.startNs, limit)))
		out = append(out, rc)
	}
	return out, problems
}

// lagRecovered finds the first time point at or after afterS, and before
// untilS (where the next fault or action begins), whose input lag is back
// to what it was in the 5 s before the fault (at most a quarter second of
// load above it).
func lagRecovered(ts []reports.TimePoint, faultS, afterS, untilS, rate float64) (float64, bool) {
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
		if p.TS >= untilS {
			break
		}
		if p.TS >= afterS && p.Lag <= limit {
			return p.TS, true
		}
	}
	return 0, false
}

// rescalesOf reports every scaling action: when the cluster's slots and
// the job's parallelism changed, the longest output gap and the largest
// e2e latency from the action until the input lag recovered (or 30 s after
// the rescale), and the job's read rate before and after. Times are
// seconds from startNs; nowNs bounds the last action's window.
func rescalesOf(recs []*scaleRecord, ts []reports.TimePoint, startNs, nowNs int64, rate float64, tl Timeline) (out []reports.Rescale, problems []string) {
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
			end = min(end, rec.startNs+int64(RescaleWatch))
		}
		if t, ok := lagRecovered(ts, rs.AtS, since(from), since(limit), rate); ok {
			rs.LagRecoveredS = &t
			end = min(end, startNs+int64(t*1e9))
		}
		rs.OutputGapS = tl.LongestOutputGap(rec.startNs, max(end, from))
		rs.MaxE2EMs = tl.MaxE2E(rec.startNs, max(end, from))
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
		rs.Restarts = int(tl.RestartsBetween(rec.startNs, limit))
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

// endOfUp is when an up at upNs is confirmed: the first output at or after
// it (limit when none comes before the window ends). A down before then
// means the up did not last.
func endOfUp(tl Timeline, upNs, limit int64) int64 {
	if o := tl.FirstOutputAtOrAfter(upNs); o != 0 && o < limit {
		return o
	}
	return limit
}
