package capacity

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The step's fixed parameters.
const (
	// capLagFloorS: a lag below this many seconds of input is never judged
	// growing. The source's position is up to ~2 s stale when the harness
	// reads it (Flink's metric fetcher and the monitor each refresh once a
	// second), so a job that keeps up shows a lag that jitters by up to two
	// seconds of input, and over a short judge window that jitter alone
	// can fit a slope above the threshold.
	capLagFloorS = 2.0
	// capMetricStaleness: a position sampled this long after the pause began
	// reflects the pause (monitor period + Flink's metric fetcher interval).
	capMetricStaleness = 2500 * time.Millisecond
)

// Rig is the live run a search steps: its load, its clock, the collector
// that judges and the monitor that reads the source's position. The run
// starts every part of it (consumer, job watch, monitor, sender) and stops
// them; the search only sets the rate and reads.
type Rig struct {
	Scenario *scenarios.Scenario
	// Now is the load's clock (Unix ns); OriginNs the schedule's origin on
	// it, StartNs the run's start (step times are seconds from it).
	Now               func() int64
	OriginNs, StartNs int64
	// Load is the open-loop schedule the sender follows: a step sets its
	// rate from a time on.
	Load *generators.Dynamic
	// Judge is the run's collector, Source the run's monitor.
	Judge  Judge
	Source Source
	// ProducerBuffered is how many records the run's producer holds that
	// the broker has not acknowledged.
	ProducerBuffered func() int64
	// JobEnded says why the job stopped; SendDone is closed when the
	// sender has handed out all it may.
	JobEnded <-chan string
	SendDone <-chan struct{}
	Logf     func(format string, args ...any)
	// Aborted is wrapped by the error of a search the context stopped
	// (nil: context.Canceled).
	Aborted error
	// Settled, when not nil, is closed once an auto warmup has settled:
	// Warmup ends then rather than at its max.
	Settled <-chan struct{}
}

// WarmupEnd is how Warmup ended: when the load stopped (Unix ns) and
// whether Settled fired before it.
type WarmupEnd struct {
	LoadEndNs int64
	Settled   bool
}

// Judge is the part of the run's collector (measure.Collector) a search
// reads: the judge window, what the outputs owe and what the broker took.
type Judge interface {
	StartJudge(fromNs, toNs int64)
	JudgedEvents() int64
	EndJudge() measure.Judged
	Owing() int64
	Sample() int64
	InKafkaAt(ns int64) int64
	AckedCount() int64
}

// Source is the part of the run's monitor (monitor.Monitor) a search reads:
// the source's position and the job's failures.
type Source interface {
	Read() (pos, atNs int64, rate float64, known bool)
	FailedCheckpointsBetween(fromNs, toNs int64) int
	RestartsBetween(fromNs, toNs int64) float64
}

func (g *Rig) aborted() error {
	if g.Aborted == nil {
		return context.Canceled
	}
	return g.Aborted
}

func (g *Rig) sinceStart(ns int64) float64 { return float64(ns-g.StartNs) / 1e9 }

// step runs one step: the rate from now on, settle, judge (lag
// sampled as the monitor samples the source's position), then the pause
// until the backlog drains, and the verdict.
func (g *Rig) step(ctx context.Context, n int, rate float64) (*reports.CapacityStep, error) {
	k := g.Scenario.Capacity
	c, dyn, jobEnded, sendDone := g.Judge, g.Load, g.JobEnded, g.SendDone
	t0 := max(g.Now()+int64(5*time.Millisecond), g.OriginNs) // not before the schedule's origin
	if err := dyn.Set(time.Duration(t0-g.OriginNs), rate); err != nil {
		return nil, err
	}
	t1 := t0 + int64(k.Settle.Duration)
	t2 := t1 + int64(k.Judge.Duration)
	c.StartJudge(t1, t2)
	st := &reports.CapacityStep{N: n, RateEPS: rate, StartS: g.sinceStart(t0), JudgeS: g.sinceStart(t1), EndS: g.sinceStart(t2)}
	g.Logf("abload: capacity step %d: %.0f events/s: settle %s, judge %s", n, rate, k.Settle, k.Judge)

	var xs, ys []float64
	var lastAt, buffered int64
	var firstRead, lastRead, firstReadAt, lastReadAt int64
	lagSample := func() (lag int64, atNs int64, ok bool) {
		read, at, _, known := g.Source.Read()
		if !known {
			return 0, 0, false
		}
		if at >= t1 && at <= t2 {
			if firstReadAt == 0 {
				firstRead, firstReadAt = read, at
			}
			lastRead, lastReadAt = read, at
		}
		// What was in Kafka by then (records the harness's producer still
		// held are the broker's backlog or the harness's, not the job's).
		return max(0, c.InKafkaAt(at)-read), at, true
	}
	wait := func(untilNs int64) error {
		for g.Now() < untilNs {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w during capacity step %d", g.aborted(), n)
			case why := <-jobEnded:
				return fmt.Errorf("job stopped during capacity step %d: %s", n, why)
			case <-sendDone:
				return errEventsExhausted
			case <-time.After(min(100*time.Millisecond, time.Duration(untilNs-g.Now()))):
			}
			if now := g.Now(); now >= t1 && now < t2 {
				buffered = max(buffered, g.ProducerBuffered())
			}
			if lag, at, ok := lagSample(); ok && at != lastAt && at >= t1 && at <= t2 {
				lastAt = at
				xs = append(xs, float64(at-t1)/1e9)
				ys = append(ys, float64(lag))
				st.LagEnd = lag
			}
		}
		return nil
	}
	pause := func() { _ = dyn.Set(time.Duration(max(t2, g.Now()+int64(time.Millisecond))-g.OriginNs), 0) }

	// Settle and judge; the pause is set just before the judge window ends
	// so that exactly the events intended in it belong to this step.
	err := wait(t2 - int64(20*time.Millisecond))
	pause()
	if err == nil {
		err = wait(t2)
	}
	if err != nil {
		return st, err
	}
	st.LagSamples = len(xs)
	st.LagSlope = lagSlope(xs, ys)
	if lastReadAt > firstReadAt {
		st.ProcessedEPS = float64(lastRead-firstRead) / (float64(lastReadAt-firstReadAt) / 1e9)
	}
	owed := sampledIn(dyn.Count(time.Duration(t1-g.OriginNs)), dyn.Count(time.Duration(t2-g.OriginNs)), c.Sample())

	// Drain: the load stays paused until the source has read everything
	// (a position sampled after the pause took effect) and every judged
	// event's update arrived, or the drain timeout.
	drainLag := int64(math.Max(20, rate*0.01))
	drainEnd := g.Now() + int64(k.DrainTimeout.Duration)
	drained := false
	for !drained {
		lag, at, ok := lagSample()
		got := c.JudgedEvents()
		if !ok { // the source's position is unknown: what the outputs still owe
			lag, at, ok = c.Owing(), g.Now(), true
		}
		if ok && at >= t2+int64(capMetricStaleness) && lag <= drainLag && got >= owed {
			drained = true
			st.DrainedS = g.sinceStart(g.Now())
			break
		}
		if g.Now() > drainEnd {
			break
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("%w during the drain after capacity step %d", g.aborted(), n)
		case why := <-jobEnded:
			return st, fmt.Errorf("job stopped during the drain after capacity step %d: %s", n, why)
		case <-time.After(100 * time.Millisecond):
		}
	}

	j := c.EndJudge()
	st.Events, st.E2EP50Ms, st.E2EP99Ms, st.E2EMaxMs = j.Events, j.E2EP50Ms, j.E2EP99Ms, j.E2EMaxMs
	st.SendDelayP99Ms, st.ConsumerDelayP99Ms = j.SendDelayP99Ms, j.ConsumerDelayP99Ms
	st.ProducerBuffered = buffered
	lagNow := j.Owing
	if lag, _, ok := lagSample(); ok {
		lagNow = lag
	}
	st.FailedCheckpoints = g.Source.FailedCheckpointsBetween(t0, t2)
	st.Restarts = g.Source.RestartsBetween(t0, g.Now())
	cdBound, cdText := measure.ConsumerDelayBound(g.Scenario)
	st.Verdict, st.Reason, st.LimitedBy = judgeStep(stepFacts{
		rate: rate, drained: drained, lagNow: lagNow, owed: owed,
		maxSendDelayMs: ms(g.Scenario.Workload.MaxSendDelay.Duration), maxConsumerDelayMs: ms(cdBound), consumerDelayText: cdText,
	}, *st, k)
	line := fmt.Sprintf("abload: capacity step %d: %.0f events/s: read %.0f events/s, e2e p50 %.0f ms p99 %.0f ms, lag slope %.0f events/s (%d samples), send delay p99 %.0f ms, %d failed checkpoint(s): %s",
		n, rate, st.ProcessedEPS, st.E2EP50Ms, st.E2EP99Ms, st.LagSlope, st.LagSamples, st.SendDelayP99Ms, st.FailedCheckpoints, st.Verdict)
	if st.Reason != "" {
		line += " (" + st.Reason + ")"
	}
	g.Logf("%s", line)
	return st, nil
}

// stepFacts is what a step's verdict needs beside the step's own figures.
type stepFacts struct {
	rate                               float64
	drained                            bool
	lagNow, owed                       int64
	maxSendDelayMs, maxConsumerDelayMs float64
	consumerDelayText                  string // the consumer-delay bound, as said (measure.ConsumerDelayBound)
}

// capProducerBacklogS: a producer holding more than this many seconds of a
// step's rate, not yet acknowledged by the broker, means the broker (or the
// harness's producer) could not take the load.
const capProducerBacklogS = 1.0

// judgeStep is a capacity step's verdict: pass, or fail with every SLO
// that failed, in order. A step the harness or the broker could not offer
// (the sender behind its schedule, the harness's consumer behind the
// outputs, the producer holding a backlog the broker did not take) fails
// with limitedBy set: its rate says nothing of the job's capacity, and the
// search stops there.
func judgeStep(f stepFacts, st reports.CapacityStep, k scenarios.Capacity) (verdict, reason, limitedBy string) {
	var why, limits []string
	if st.SendDelayP99Ms > f.maxSendDelayMs {
		limits = append(limits, fmt.Sprintf("the harness could not send at this rate: send delay p99 %.0f ms > workload.max_send_delay %.0f ms", st.SendDelayP99Ms, f.maxSendDelayMs))
	}
	if st.ConsumerDelayP99Ms > f.maxConsumerDelayMs {
		limits = append(limits, fmt.Sprintf("the harness could not read the outputs as fast: consumer delay p99 %.0f ms > %.0f ms (%s)", st.ConsumerDelayP99Ms, f.maxConsumerDelayMs, f.consumerDelayText))
	}
	if float64(st.ProducerBuffered) > capProducerBacklogS*f.rate {
		limits = append(limits, fmt.Sprintf("the broker did not take the load: up to %d records waited in the harness's producer (more than %.0f s of it)", st.ProducerBuffered, capProducerBacklogS))
	}
	if !f.drained {
		why = append(why, fmt.Sprintf("backlog did not drain in %s (lag %d events, %d of %d judged updates arrived)", k.DrainTimeout, f.lagNow, st.Events, f.owed))
	}
	if bound := ms(k.SLO.E2EP99.Duration); st.E2EP99Ms > bound {
		ge := ""
		if st.Events < f.owed {
			ge = ">= " // the missing events would only be later
		}
		why = append(why, fmt.Sprintf("e2e p99 %s%.0f ms > %.0f ms", ge, st.E2EP99Ms, bound))
	} else if st.Events < f.owed && f.drained {
		why = append(why, fmt.Sprintf("%d of %d judged updates missing", f.owed-st.Events, f.owed))
	}
	if limit := k.SLO.LagSlopeRatio * f.rate; st.LagSlope > limit && float64(st.LagEnd) > capLagFloorS*f.rate {
		why = append(why, fmt.Sprintf("lag growing: slope %.0f events/s > %.0f (%.3g × rate), lag %d at the end of the judge window",
			st.LagSlope, limit, k.SLO.LagSlopeRatio, st.LagEnd))
	}
	if st.FailedCheckpoints > 0 {
		why = append(why, fmt.Sprintf("%d failed checkpoint(s)", st.FailedCheckpoints))
	}
	if st.Restarts > 0 {
		why = append(why, fmt.Sprintf("the job restarted %.0f time(s)", st.Restarts))
	}
	if len(limits) > 0 {
		limitedBy = "harness"
		if float64(st.ProducerBuffered) > capProducerBacklogS*f.rate && len(limits) == 1 {
			limitedBy = "broker"
		}
		return reports.VerdictFail, strings.Join(append(limits, why...), "; "), limitedBy
	}
	if len(why) > 0 {
		return reports.VerdictFail, strings.Join(why, "; "), ""
	}
	return reports.VerdictPass, "", ""
}

// errLimited stops the search at a step the harness or the broker limited.
var errLimited = errors.New("limited by the harness or the broker")

// Warmup runs the load at rate for d (or until Settled fires), unjudged,
// then pauses it until the input lag is back near 0 (at most
// capacity.drain_timeout). paused, when not nil, is called once the load
// has stopped (an auto warmup stops judging then: the drain is not load).
func (g *Rig) Warmup(ctx context.Context, rate float64, d time.Duration, paused func()) (WarmupEnd, error) {
	var we WarmupEnd
	dyn, jobEnded, c := g.Load, g.JobEnded, g.Judge
	t0 := max(g.Now()+int64(5*time.Millisecond), g.OriginNs)
	if err := dyn.Set(time.Duration(t0-g.OriginNs), rate); err != nil {
		return we, err
	}
	if g.Settled != nil {
		g.Logf("abload: capacity warmup: %.0f events/s until settled, at most %s (not judged)", rate, d)
	} else {
		g.Logf("abload: capacity warmup: %.0f events/s for %s (not judged)", rate, d)
	}
	end := t0 + int64(d)
	stopped := false
	deadline := end + int64(g.Scenario.Capacity.DrainTimeout.Duration)
	settled := g.Settled
	for {
		now := g.Now()
		select {
		case <-settled:
			settled = nil
			if !stopped && now < end {
				we.Settled = true
				end = now + int64(20*time.Millisecond)
				deadline = end + int64(g.Scenario.Capacity.DrainTimeout.Duration)
			}
		default:
		}
		if !stopped && now >= end-int64(20*time.Millisecond) {
			we.LoadEndNs = max(end, now+int64(time.Millisecond))
			_ = dyn.Set(time.Duration(we.LoadEndNs-g.OriginNs), 0)
			stopped = true
			if paused != nil {
				paused()
			}
		}
		if stopped {
			read, at, _, ok := g.Source.Read()
			sent := c.AckedCount()
			if (ok && at >= end+int64(capMetricStaleness) && sent-read <= int64(math.Max(20, rate*0.01))) || now > deadline {
				return we, nil
			}
		}
		select {
		case <-ctx.Done():
			return we, fmt.Errorf("%w during the capacity warmup", g.aborted())
		case why := <-jobEnded:
			return we, fmt.Errorf("job stopped during the capacity warmup: %s", why)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
