package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// PhaseCapacity is the phase of `abload capacity` between startup and
// teardown: the search's steps and the pauses between them.
const PhaseCapacity = "capacity"

// The capacity search's fixed parameters.
const (
	// capMaxEvents bounds the sender (and the collector's seq bitset, one
	// bit per event): 400 M events, 50 MB.
	capMaxEvents = 400_000_000
	// capSenderMaxWait is how often a waiting sender looks at the schedule
	// again: a rate change takes effect within it.
	capSenderMaxWait = 50 * time.Millisecond
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

// capSearch is the search's arithmetic: multiply by growth while steps
// pass, then bisect between the highest pass and the lowest failure.
type capSearch struct {
	start, growth, precision, max float64
	pass, fail                    float64 // highest passing, lowest failing rate (0: none yet)
	failReason                    string
}

// next returns the next rate to try, or why the search is over.
func (s *capSearch) next() (float64, string) {
	round := func(v float64) float64 { return math.Max(1, math.Round(v)) }
	switch {
	case s.pass == 0 && s.fail == 0:
		return round(s.start), ""
	case s.fail == 0:
		if s.pass >= s.max {
			return 0, reports.StoppedByMaxRate
		}
		return round(math.Min(s.pass*s.growth, s.max)), ""
	case s.pass == 0:
		// Even the first rate failed: go down by growth.
		r := round(s.fail / s.growth)
		if r >= s.fail || r < s.start/1000 {
			return 0, reports.StoppedByMinRate
		}
		return r, ""
	}
	if (s.fail-s.pass)/s.pass <= s.precision {
		return 0, reports.StoppedByPrecision
	}
	mid := round((s.pass + s.fail) / 2)
	if mid <= s.pass || mid >= s.fail {
		return 0, reports.StoppedByPrecision // whole events/s cannot be split further
	}
	return mid, ""
}

// record notes a step's verdict.
func (s *capSearch) record(rate float64, pass bool, reason string) {
	if pass {
		if rate > s.pass {
			s.pass = rate
		}
		return
	}
	if s.fail == 0 || rate < s.fail {
		s.fail, s.failReason = rate, reason
	}
}

// confidence is (fail − pass) / pass, 0 when either is unknown.
func (s *capSearch) confidence() float64 {
	if s.pass == 0 || s.fail == 0 {
		return 0
	}
	return (s.fail - s.pass) / s.pass
}

// searchStep runs one step at a rate and says whether it held every SLO.
// An error ends the search (aborted).
type searchStep func(ctx context.Context, n int, rate float64) (pass bool, reason string, err error)

// runSearch drives the search until it stops by itself (precision,
// max_rate, min_rate), the budget has no room for another step (a step
// takes stepLen), or step fails with an error (aborted).
func runSearch(ctx context.Context, s *capSearch, deadline time.Time, stepLen time.Duration, now func() time.Time, step searchStep) (stoppedBy string, err error) {
	for n := 1; ; n++ {
		rate, stop := s.next()
		if stop != "" {
			return stop, nil
		}
		if now().Add(stepLen).After(deadline) {
			return reports.StoppedByBudget, nil
		}
		pass, reason, err := step(ctx, n, rate)
		if err != nil {
			return reports.StoppedByAborted, err
		}
		s.record(rate, pass, reason)
	}
}

// lagSlope is the least-squares slope of ys over xs (0 with fewer than 2 points).
func lagSlope(xs, ys []float64) float64 {
	n := float64(len(xs))
	if len(xs) < 2 || len(xs) != len(ys) {
		return 0
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= n
	my /= n
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx == 0 {
		return 0
	}
	return sxy / sxx
}

// sampledIn is how many seqs in [a, b) the job reports (seq % sample == 0).
func sampledIn(a, b, sample int64) int64 {
	if b <= a {
		return 0
	}
	ceilDiv := func(x int64) int64 { return (x + sample - 1) / sample }
	return ceilDiv(b) - ceilDiv(a)
}

// Capacity runs `abload capacity`: it starts the environment (unless given
// one), submits the job once and searches for the highest rate that holds
// the scenario's capacity SLOs, stepping the offered rate of one open-loop
// schedule. The answer is returned (with the steps so far) whenever the
// search began, also on abort or failure alongside the error.
func Capacity(ctx context.Context, opts Options) (res *reports.Capacity, err error) {
	opts = opts.withDefaults()
	defer func() {
		redact.Scrub(opts.Secrets, res)
		err = opts.Secrets.Error(err)
	}()
	r := newRunner(opts)
	dyn := generators.NewDynamic(0) // paused until the first step
	end, err := r.begin(ctx, func() (generators.Schedule, error) {
		if len(r.sc.Scaling) > 0 || r.sc.Env.Scheduler == scenarios.SchedulerReactive {
			return nil, errors.New("a capacity search runs on a fixed cluster: remove the scaling actions and use env.scheduler default or adaptive (a matrix over env.taskmanagers makes a curve)")
		}
		return dyn, nil
	})
	if err != nil {
		return nil, err
	}
	defer end()
	return r.capacity(ctx, dyn)
}

// capacity drives the search on a started environment and job.
//
// The lag is the source's: records a saturated job has read but not yet
// processed sit in its network buffers (thousands of small records), out of
// the lag's sight. Such a step shows in e2e p99 instead, which is why both
// are judged.
func (r *runner) capacity(ctx context.Context, dyn *generators.Dynamic) (*reports.Capacity, error) {
	sc := r.sc
	k := sc.Capacity
	enc, err := generators.ParseEncoding(sc.Workload.Encoding)
	if err != nil {
		return nil, err
	}
	// The sender's bound: every step at max_rate for the whole budget.
	total := int64(math.Min(capMaxEvents, math.Ceil(k.MaxRate*k.Budget.Seconds()*1.05)+10000))
	windows := load.NewWindowAssigner(sc)
	prefill := sc.Workload.Prefill.Keys
	r.col = measure.New(total+prefill, windows)
	r.col.SetSample(sc.Job.UpdatesSample)
	r.capacitySpan = k.Budget.Duration

	consumer, producer, err := r.kafkaClients()
	if err != nil {
		return nil, err
	}
	defer consumer.Close()
	defer producer.Close()

	var wg sync.WaitGroup
	bg, stopBG := context.WithCancel(context.Background())
	defer func() { stopBG(); wg.Wait() }()
	wg.Add(1)
	go func() { defer wg.Done(); r.consume(bg, consumer) }()
	jobEnded := make(chan string, 1)
	wg.Add(1)
	go func() { defer wg.Done(); r.watchJob(bg, jobEnded) }()
	r.mon = r.newMonitor()
	wg.Add(1)
	go func() { defer wg.Done(); r.mon.Run(bg) }()

	if prefill > 0 {
		r.phase(PhasePrefill)
		if err := r.prefill(ctx, producer, enc, total, prefill, windows, jobEnded); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w during prefill", ErrAborted)
			}
			return nil, err
		}
	}

	r.loadNs = r.clock.Now() + int64(250*time.Millisecond)
	deadline := time.Unix(0, r.loadNs).Add(k.Budget.Duration)
	r.col.SetMeasure(r.loadNs, r.loadNs, r.loadNs+int64(k.Budget.Duration+k.DrainTimeout.Duration))
	wg.Add(1)
	go func() { defer wg.Done(); r.ticker(bg) }()

	sendCtx, stopSend := context.WithCancel(ctx)
	defer stopSend()
	r.snd = &load.Sender{Gen: r.gen, Sched: dyn, Enc: enc, Clock: r.clock, OriginNs: r.loadNs,
		Total: total, MeasureFirst: 0, MeasureEnd: total, Windows: windows, Tally: r.col, Sample: r.col.Sample(), MaxWait: capSenderMaxWait}
	sendDone := make(chan struct{})
	go func() {
		st, gs := r.snd.Run(sendCtx, producer, max(1, sc.Workload.Lanes))
		r.sent, r.genStats = st, gs
		close(sendDone)
	}()
	r.phase(PhaseCapacity)

	out := &reports.Capacity{
		Schema: reports.CapacitySchema, AbloadVersion: r.opts.Version, RunID: r.runID, Name: sc.Name, Scenario: sc,
		StartedAt: time.Unix(0, r.startNs).UTC().Format(time.RFC3339),
		SLO: reports.CapacitySLO{E2EP99Ms: ms(k.SLO.E2EP99.Duration), LagSlopeRatio: k.SLO.LagSlopeRatio,
			MaxSendDelay: ms(sc.Workload.MaxSendDelay.Duration)},
	}
	host, _ := os.Hostname()
	out.Environment = reports.Environment{Kind: r.env.Kind(), FlinkVersion: r.env.FlinkVersion(), KafkaVersion: r.env.KafkaVersion(), Host: host}
	fingerprint(&out.Environment)
	out.Environment.Limits = envLimits(sc.Env)
	out.Environment.Pin = envPin(sc.Env)
	out.Environment.Network = faults.NetworkText(r.netProxy, r.sc.Env.Network)

	if warm := sc.Workload.Warmup.Duration; warm > 0 {
		// A cold job (JIT, caches, connections) would fail the first step
		// for reasons that are not its capacity: warm it up at start_rate,
		// unjudged, and let the backlog drain.
		if err := r.capacityWarmup(ctx, dyn, math.Max(1, math.Round(k.StartRate)), warm, jobEnded); err != nil {
			stopSend()
			<-sendDone
			return nil, err
		}
	}
	search := &capSearch{start: k.StartRate, growth: k.Growth, precision: k.Precision, max: k.MaxRate}
	step := func(ctx context.Context, n int, rate float64) (bool, string, error) {
		st, err := r.capacityStep(ctx, dyn, n, rate, jobEnded, sendDone)
		if st != nil {
			out.Steps = append(out.Steps, *st)
		}
		if err != nil {
			return false, "", err
		}
		if st.LimitedBy != "" {
			return false, st.Reason, errLimited
		}
		return st.Verdict == reports.VerdictPass, st.Reason, nil
	}
	now := func() time.Time { return time.Unix(0, r.clock.Now()) }
	stoppedBy, serr := runSearch(ctx, search, deadline, k.Settle.Duration+k.Judge.Duration, now, step)
	limited := errors.Is(serr, errLimited)
	if limited {
		stoppedBy, serr = reports.StoppedByLimited, nil
	}
	stopSend()
	<-sendDone
	r.con.Done()

	out.SustainableEPS, out.FirstFailingEPS, out.FailReason = search.pass, search.fail, search.failReason
	out.Confidence = search.confidence()
	out.SaturationEPS = reports.SaturationEPS(out.Steps)
	out.StoppedBy = stoppedBy
	out.ElapsedS = float64(r.clock.Now()-r.loadNs) / 1e9
	out.FinishedAt = r.clock.Time().UTC().Format(time.RFC3339)
	switch stoppedBy {
	case reports.StoppedByBudget:
		out.Note = fmt.Sprintf("the budget (%s) ended the search before another step (settle %s + judge %s) fit", k.Budget, k.Settle, k.Judge)
	case reports.StoppedByMaxRate:
		out.Note = fmt.Sprintf("capacity.max_rate (%g events/s) held every SLO: the capacity is at least that", k.MaxRate)
	case reports.StoppedByMinRate:
		out.Note = "every rate tried failed, down to start_rate / 1000"
	case reports.StoppedByPrecision:
		out.Note = fmt.Sprintf("the highest pass and the lowest failure are within capacity.precision (%g)", k.Precision)
	case reports.StoppedByAborted:
		out.Note = fmt.Sprintf("the search was stopped: %v", serr)
	case reports.StoppedByLimited:
		// The limited step is not in the search (runSearch never recorded
		// it): a failure known above it was the job's own.
		last := out.Steps[len(out.Steps)-1]
		beyond := "not known beyond"
		if out.FirstFailingEPS > 0 {
			beyond = fmt.Sprintf("below the %.0f events/s it failed at", out.FirstFailingEPS)
		}
		out.Note = fmt.Sprintf("the %s could not offer %.0f events/s (%s): the job's capacity is at least %.0f events/s, %s; give the harness more CPU or a faster broker",
			last.LimitedBy, last.RateEPS, last.Reason, out.SustainableEPS, beyond)
	}
	out.Clock = r.clockChk
	out.Note = capacityClockNote(out.Note, r.clockChk, sc.Env.MaxClockOffset)
	return out, serr
}

// capacityClockNote adds to a search's note what a clock check beyond
// env.max_clock_offset means for it. A run is invalid then; a search keeps
// its answer and says what it is worth: the consumer delay each step was
// judged on is off by the clocks' difference.
func capacityClockNote(note string, c *reports.ClockCheck, bound scenarios.Duration) string {
	if c == nil || c.Error != "" || c.Within {
		return note
	}
	w := fmt.Sprintf("the broker's clock is %+.1f ms ± %.1f ms off this host's, beyond env.max_clock_offset (%s): each step's consumer delay is off by as much", c.OffsetMs, c.UncertaintyMs, bound)
	if note == "" {
		return w
	}
	return note + "; " + w
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// errEventsExhausted: the sender reached its bound (max_rate × budget).
var errEventsExhausted = errors.New("the sender reached its event bound (capacity.max_rate × capacity.budget)")

// capacityStep runs one step: the rate from now on, settle, judge (lag
// sampled as the monitor samples the source's position), then the pause
// until the backlog drains, and the verdict.
func (r *runner) capacityStep(ctx context.Context, dyn *generators.Dynamic, n int, rate float64,
	jobEnded <-chan string, sendDone <-chan struct{}) (*reports.CapacityStep, error) {
	k := r.sc.Capacity
	c := r.col
	t0 := max(r.clock.Now()+int64(5*time.Millisecond), r.loadNs) // not before the schedule's origin
	if err := dyn.Set(time.Duration(t0-r.loadNs), rate); err != nil {
		return nil, err
	}
	t1 := t0 + int64(k.Settle.Duration)
	t2 := t1 + int64(k.Judge.Duration)
	c.StartJudge(t1, t2)
	st := &reports.CapacityStep{N: n, RateEPS: rate, StartS: r.sinceStart(t0), JudgeS: r.sinceStart(t1), EndS: r.sinceStart(t2)}
	r.con.Logf("abload: capacity step %d: %.0f events/s: settle %s, judge %s", n, rate, k.Settle, k.Judge)

	var xs, ys []float64
	var lastAt, buffered int64
	var firstRead, lastRead, firstReadAt, lastReadAt int64
	lagSample := func() (lag int64, atNs int64, ok bool) {
		read, at, _, known := r.mon.Read()
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
		for r.clock.Now() < untilNs {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w during capacity step %d", ErrAborted, n)
			case why := <-jobEnded:
				return fmt.Errorf("job stopped during capacity step %d: %s", n, why)
			case <-sendDone:
				return errEventsExhausted
			case <-time.After(min(100*time.Millisecond, time.Duration(untilNs-r.clock.Now()))):
			}
			if now := r.clock.Now(); now >= t1 && now < t2 {
				buffered = max(buffered, r.producerBuffered())
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
	pause := func() { _ = dyn.Set(time.Duration(max(t2, r.clock.Now()+int64(time.Millisecond))-r.loadNs), 0) }

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
	owed := sampledIn(dyn.Count(time.Duration(t1-r.loadNs)), dyn.Count(time.Duration(t2-r.loadNs)), c.Sample())

	// Drain: the load stays paused until the source has read everything
	// (a position sampled after the pause took effect) and every judged
	// event's update arrived, or the drain timeout.
	drainLag := int64(math.Max(20, rate*0.01))
	drainEnd := r.clock.Now() + int64(k.DrainTimeout.Duration)
	drained := false
	for !drained {
		lag, at, ok := lagSample()
		got := c.JudgedEvents()
		if !ok { // the source's position is unknown: what the outputs still owe
			lag, at, ok = c.Owing(), r.clock.Now(), true
		}
		if ok && at >= t2+int64(capMetricStaleness) && lag <= drainLag && got >= owed {
			drained = true
			st.DrainedS = r.sinceStart(r.clock.Now())
			break
		}
		if r.clock.Now() > drainEnd {
			break
		}
		select {
		case <-ctx.Done():
			return st, fmt.Errorf("%w during the drain after capacity step %d", ErrAborted, n)
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
	st.FailedCheckpoints = r.mon.FailedCheckpointsBetween(t0, t2)
	st.Restarts = r.mon.RestartsBetween(t0, r.clock.Now())
	cdBound, cdText := consumerDelayBound(r.sc)
	st.Verdict, st.Reason, st.LimitedBy = judgeStep(stepFacts{
		rate: rate, drained: drained, lagNow: lagNow, owed: owed,
		maxSendDelayMs: ms(r.sc.Workload.MaxSendDelay.Duration), maxConsumerDelayMs: ms(cdBound), consumerDelayText: cdText,
	}, *st, k)
	line := fmt.Sprintf("abload: capacity step %d: %.0f events/s: read %.0f events/s, e2e p50 %.0f ms p99 %.0f ms, lag slope %.0f events/s (%d samples), send delay p99 %.0f ms, %d failed checkpoint(s): %s",
		n, rate, st.ProcessedEPS, st.E2EP50Ms, st.E2EP99Ms, st.LagSlope, st.LagSamples, st.SendDelayP99Ms, st.FailedCheckpoints, st.Verdict)
	if st.Reason != "" {
		line += " (" + st.Reason + ")"
	}
	r.con.Logf("%s", line)
	return st, nil
}

// stepFacts is what a step's verdict needs beside the step's own figures.
type stepFacts struct {
	rate                               float64
	drained                            bool
	lagNow, owed                       int64
	maxSendDelayMs, maxConsumerDelayMs float64
	consumerDelayText                  string // the consumer-delay bound, as said (consumerDelayBound)
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

// producerBuffered is how many records the harness's producer holds that
// the broker has not acknowledged (0 before the drive).
func (r *runner) producerBuffered() int64 {
	if p := r.producer; p != nil {
		return p.BufferedProduceRecords()
	}
	return 0
}

// capacityWarmup runs the load at rate for d, unjudged, then pauses it until
// the input lag is back near 0 (at most capacity.drain_timeout).
func (r *runner) capacityWarmup(ctx context.Context, dyn *generators.Dynamic, rate float64, d time.Duration, jobEnded <-chan string) error {
	t0 := max(r.clock.Now()+int64(5*time.Millisecond), r.loadNs)
	if err := dyn.Set(time.Duration(t0-r.loadNs), rate); err != nil {
		return err
	}
	r.con.Logf("abload: capacity warmup: %.0f events/s for %s (not judged)", rate, d)
	end := t0 + int64(d)
	paused := false
	deadline := end + int64(r.sc.Capacity.DrainTimeout.Duration)
	for {
		now := r.clock.Now()
		if !paused && now >= end-int64(20*time.Millisecond) {
			_ = dyn.Set(time.Duration(max(end, now+int64(time.Millisecond))-r.loadNs), 0)
			paused = true
		}
		if paused {
			read, at, _, ok := r.mon.Read()
			sent := r.col.AckedCount()
			if (ok && at >= end+int64(capMetricStaleness) && sent-read <= int64(math.Max(20, rate*0.01))) || now > deadline {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w during the capacity warmup", ErrAborted)
		case why := <-jobEnded:
			return fmt.Errorf("job stopped during the capacity warmup: %s", why)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
