package session

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/harness/warmup"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// rig is the live parts of one run on a session: the producer and the
// sender with their generator and schedule, the consumer feeding the
// collector, the job watch, the monitor, the faults and scaling actions,
// the ticker with its timeline and histogram log, the per-subtask probes
// and the metrics endpoint. It starts them and stops them (drive, or the
// capacity search), and assembles the result from what they measured.
type rig struct {
	*session

	producer *kgo.Client // sends the input events (set by drive or capacity)
	loadNs   int64       // schedule origin: warmup start
	measured bool        // the measurement phase began

	col    *measure.Collector
	gen    *generators.Generator
	sched  generators.Schedule
	hlog   *reports.HlogWriter
	series []reports.TimePoint

	prefilled   int64 // prefill events sent
	skewMu      sync.Mutex
	skewStart   []flink.SubtaskRecords // per-subtask records-in when measuring began
	skewStartNs int64                  // when they were read
	skewFailed  bool
	skew        *reports.Skew
	costStart   *scoringCost // the scoring step's CPU and events when measuring began (job.cost_per_event)
	jobCost     *reports.JobCost

	mon      *monitor.Monitor
	actions  *faults.Schedule // the run's faults and scaling actions
	metrics  *live.Server
	worker   load.Worker      // offers the load (the sender, in this process)
	sent     load.Stats       // the sender's totals, once it has finished
	genStats generators.Stats // what the generator emitted, once the sender has finished

	capacitySpan time.Duration // abload capacity: the search's budget (for the progress line)

	warmWatch    atomic.Pointer[warmupWatch] // workload.warmup auto: judges the warmup (nil: fixed); the ticker reads it
	loadEndNs    atomic.Int64                // the load's end once an auto warmup moved it (0: as planned); for the progress line
	boundaryLate time.Duration               // an auto warmup's boundary reached the lanes this late (0: in time)
	warmDecision *reports.WarmupDecision     // how the warmup ended
}

// newRig is a run's live parts on the session, none started.
func newRig(s *session) *rig {
	return &rig{session: s, actions: faults.New(s.sc, s.clock, s.con.Logf)}
}

// parts are the live parts a run and a capacity search start alike, in one
// place (startParts): the clients, the consumer feeding the collector, the
// job watch and the monitor. Each stop cancels its part and waits for it,
// once; stopAll stops what still runs (watch, consumer, monitor, the order
// a run stops them in) and closes the clients.
type parts struct {
	producer                            *kgo.Client
	jobEnded                            <-chan string
	stopWatch, stopConsume, stopMonitor func()
	stopAll                             func()
}

// startParts makes the collector (total events of the schedule, and
// prefill's), the clients, starts the consumer, the job watch and the
// monitor, then sends prefill.
func (r *rig) startParts(ctx context.Context, total int64, enc generators.Encoding, windows load.WindowAssigner) (*parts, error) {
	sc := r.sc
	prefill := sc.Workload.Prefill.Keys
	r.col = measure.New(total+prefill, windows)
	r.col.SetSample(sc.Job.UpdatesSample)
	consumer, producer, err := r.kafkaClients()
	if err != nil {
		return nil, err
	}
	r.producer = producer
	jobEnded := make(chan string, 1)
	p := &parts{producer: producer, jobEnded: jobEnded}
	p.stopConsume = background(func(ctx context.Context) { r.consume(ctx, consumer) })
	p.stopWatch = background(func(ctx context.Context) { r.watchJob(ctx, jobEnded) })
	r.mon = r.newMonitor()
	p.stopMonitor = background(r.mon.Run)
	p.stopAll = func() {
		p.stopWatch()
		p.stopConsume()
		p.stopMonitor()
		consumer.Close()
		producer.Close()
	}
	if prefill > 0 {
		r.phase(PhasePrefill)
		if err := r.prefill(ctx, producer, enc, total, prefill, windows, jobEnded); err != nil {
			p.stopAll()
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w during prefill", ErrAborted)
			}
			return nil, err
		}
	}
	return p, nil
}

// background runs f in a goroutine until the returned stop cancels its
// context; stop waits for f to return, and does so once.
func background(f func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f(ctx) }()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

// drive runs warmup, measure and drain on a started environment and builds the result.
func (r *rig) drive(ctx context.Context) (*reports.Result, error) {
	sc := r.sc
	warm, meas, cool := sc.Workload.Warmup.Duration, sc.Workload.Duration.Duration, sc.Workload.Cooldown.Duration
	total := r.sched.Count(warm + meas + cool)
	measureFirst, measureEnd := r.sched.Count(warm), r.sched.Count(warm+meas)
	enc, err := generators.ParseEncoding(sc.Workload.Encoding)
	if err != nil {
		return nil, err
	}

	windows := load.NewWindowAssigner(sc)
	parts, err := r.startParts(ctx, total, enc, windows)
	if err != nil {
		return nil, err
	}
	defer parts.stopAll()
	producer, jobEnded := parts.producer, parts.jobEnded
	var err2 error

	// The schedule's origin: a moment from now, so the first events are not
	// born late while the clients connect.
	r.loadNs = r.clock.Now() + int64(250*time.Millisecond)
	r.col.SetMeasure(r.loadNs, r.loadNs+int64(warm), r.loadNs+int64(warm+meas))
	r.col.StartTimeline(r.loadNs) // prefill's events and outputs are not its first second's
	r.hlog, err2 = reports.CreateHlog(filepath.Join(r.opts.OutDir, "latency.hlog"), time.Unix(0, r.loadNs))
	if err2 != nil {
		return nil, err2
	}

	stopTick := background(r.ticker)
	defer stopTick()

	var faultWG sync.WaitGroup
	faultCtx, stopFaults := context.WithCancel(ctx)
	defer func() { stopFaults(); faultWG.Wait() }()
	if len(sc.Faults) > 0 {
		inj, ok := r.env.(env.FaultInjector)
		if !ok {
			return nil, fmt.Errorf("faults: the %s environment cannot inject faults", r.env.Kind())
		}
		faultWG.Add(1)
		go func() { defer faultWG.Done(); r.actions.Inject(faultCtx, inj, r.loadNs, r.col, r.netProxy) }()
	}
	if len(sc.Scaling) > 0 {
		sc, ok := r.env.(env.Scaler)
		if !ok {
			return nil, fmt.Errorf("scaling: the %s environment cannot add or remove TaskManagers", r.env.Kind())
		}
		faultWG.Add(1)
		go func() {
			defer faultWG.Done()
			r.actions.Scale(faultCtx, sc, r.loadNs, r.col, r.parallelismAndSlots, r.writeEndpoints)
		}()
	}

	sendCtx, stopSend := context.WithCancel(ctx)
	defer stopSend()
	sender := &load.Sender{Gen: r.gen, Sched: r.sched, Enc: enc, Clock: r.clock, OriginNs: r.loadNs,
		Total: total, MeasureFirst: measureFirst, MeasureEnd: measureEnd, Windows: windows, Tally: r.col, Sample: r.col.Sample()}
	r.worker = load.LocalWorker{Sender: sender, Sink: producer, Lanes: sc.Workload.Lanes}
	// An auto warmup is judged once a second; until it settles the
	// measurement phase is planned at warmup_max (the timers below).
	var settled <-chan struct{}
	r.warmDecision = fixedWarmup(warm, measureFirst)
	if sc.Workload.Warmup.Auto {
		w := newWarmupWatch()
		w.active.Store(true)
		r.warmWatch.Store(w)
		defer w.stop()
		settled = w.settled
	}
	sendDone := make(chan load.Stats, 1)
	go func() {
		st, gs := r.worker.Send(sendCtx)
		r.genStats = gs
		sendDone <- st
	}()

	if warm > 0 {
		r.phase(PhaseWarmup)
	}
	measureStartNs, measureEndNs := r.col.MeasureSpan()
	measureAt := time.NewTimer(time.Duration(measureStartNs - r.clock.Now()))
	defer measureAt.Stop()
	measureEndAt := time.NewTimer(time.Duration(measureEndNs - r.clock.Now()))
	defer measureEndAt.Stop()
	var snapWG sync.WaitGroup
	defer snapWG.Wait()
	endMeasure := func() {
		if !r.measured || !r.col.InMeasure() {
			return
		}
		r.col.SetInMeasure(false)
		snapWG.Add(1)
		go func() { defer snapWG.Done(); r.snapshotSubtasks(false) }()
	}

	aborted := false
	var st load.Stats
	var jobFailure string
wait:
	for {
		select {
		case jobFailure = <-jobEnded:
			stopSend()
			st = <-sendDone
			break wait
		case <-settled:
			settled = nil
			// Announce the first measured event to every lane (and the
			// collector) a lead ahead, so none was sent on the wrong side.
			now := r.clock.Now()
			b := now + int64(warmup.Lead)
			if b >= measureStartNs || r.measured {
				break // warmup_max comes first: its timer decides (and records)
			}
			first := r.sched.Count(time.Duration(b - r.loadNs))
			end := r.sched.Count(time.Duration(b-r.loadNs) + meas)
			r.worker.MoveBounds(first, end, r.sched.Count(time.Duration(b-r.loadNs)+meas+cool))
			measureStartNs, measureEndNs = b, b+int64(meas)
			r.col.SetMeasure(r.loadNs, measureStartNs, measureEndNs)
			if late := r.clock.Now() - b; late >= 0 {
				// The lanes may have sent events due at or after b
				// before they saw it: the phases' counts can't be trusted.
				r.boundaryLate = time.Duration(late)
			}
			r.loadEndNs.Store(measureEndNs + int64(cool))
			measureAt.Reset(time.Duration(measureStartNs - r.clock.Now()))
			measureEndAt.Reset(time.Duration(measureEndNs - r.clock.Now()))
			d := r.warmWatch.Load().finish()
			d.WarmupS, d.MaxS, d.MeasureFirstSeq = float64(b-r.loadNs)/1e9, warm.Seconds(), first
			d.DecidedS = r.sinceStart(now)
			r.warmDecision = &d
			r.con.Logf("abload: warmup settled after %.1f s: %s; measuring from event %d", d.WarmupS, d.Reason, first)
		case <-measureAt.C:
			if w := r.warmWatch.Load(); w != nil && r.warmDecision.Mode != "auto" {
				// warmup_max came first (or the warmup settled less than
				// the lead before it): the measurement starts as planned.
				d := w.finish()
				d.WarmupS, d.MaxS, d.MeasureFirstSeq = warm.Seconds(), warm.Seconds(), measureFirst
				d.DecidedS = r.sinceStart(r.clock.Now())
				r.warmDecision = &d
				r.con.Logf("abload: warmup: %s", d.Reason)
			}
			r.measured = true
			r.col.SetInMeasure(true)
			r.phase(PhaseMeasure)
			snapWG.Add(1)
			go func() { defer snapWG.Done(); r.snapshotSubtasks(true) }()
		case <-measureEndAt.C:
			endMeasure()
			if cool > 0 {
				r.phase(PhaseCooldown)
			}
		case st = <-sendDone:
			endMeasure()
			break wait
		case <-ctx.Done():
			stopSend()
			st = <-sendDone
			aborted = true
			break wait
		}
	}
	r.col.SetInMeasure(false)
	snapWG.Wait()
	if !r.measured && st.Completed && !aborted {
		// The schedule ended before the measure timer fired (zero-length
		// measurement phase is rejected by validation; this is a guard).
		r.measured = true
	}
	r.sent = st

	drainTimedOut := false
	if !aborted && jobFailure == "" {
		r.phase(PhaseDrain)
		// Bounded out-of-orderness: the events' watermark is at most the
		// largest event time minus the bound.
		r.col.MarkFlush(st.LastEventMs - sc.Job.OutOfOrderness.Milliseconds())
		drainTimedOut, aborted, jobFailure = r.drain(ctx, st.LastEventMs, jobEnded)
		if !aborted && jobFailure == "" {
			var skewWG sync.WaitGroup
			skewWG.Add(1)
			go func() {
				defer skewWG.Done()
				interval, margin := r.mon.Refresh()
				r.skewEnd(ctx, !drainTimedOut, interval, margin)
			}()
			r.mon.AwaitPosition(ctx, measureEndNs)
			skewWG.Wait()
		}
	}
	if sc.Job.SavepointAtEnd && !aborted && jobFailure == "" {
		r.takeSavepoint(ctx)
	}
	parts.stopWatch()
	parts.stopConsume()
	stopTick()
	stopFaults()
	faultWG.Wait()
	parts.stopMonitor()
	r.tick(true)
	r.con.Done()

	if !r.measured {
		return nil, fmt.Errorf("%w before the measurement phase", ErrAborted)
	}
	res := r.result(aborted, drainTimedOut)
	r.flinkSections(ctx, res)
	if jobFailure != "" {
		res.Status = reports.StatusFailed
		res.Error = jobFailure
		res.MarkInvalid("the job stopped during the run: " + jobFailure)
		return res, fmt.Errorf("job stopped during the run: %s", jobFailure)
	}
	if aborted {
		return res, ErrAborted
	}
	return res, nil
}

// watchJob polls the job's state once a second. A job that leaves RUNNING
// for good (FAILED, CANCELED, FINISHED) ends the run: its numbers would be
// those of an idle harness. Restarts are logged as they happen.
func (r *rig) watchJob(ctx context.Context, ended chan<- string) {
	last, lastUp := "RUNNING", true
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		j, err := r.flink.Job(qctx, r.jobID)
		cancel()
		if err != nil {
			continue // the REST endpoint can be briefly unavailable; a dead cluster shows as a drain timeout
		}
		if j.State != last {
			r.con.Logf("abload: job %s is %s", r.jobID, j.State)
			last = j.State
		}
		// "Up" is the job RUNNING with every subtask RUNNING: a region
		// failover restarts tasks while the job itself stays RUNNING, and a
		// vertex reads RUNNING once one of its subtasks runs.
		up := j.AllRunning()
		if up != lastUp {
			r.actions.NoteUp(up)
			if up {
				r.col.ReleaseExcuse(r.clock.Now(), faults.ExcuseGrace(r.sc))
			} else {
				r.col.HoldExcuse(r.clock.Now())
			}
			lastUp = up
		}
		switch j.State {
		case "FAILED", "CANCELED", "FINISHED":
			ectx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			why := r.flink.JobExceptions(ectx, r.jobID)
			cancel()
			ended <- fmt.Sprintf("job %s %s: %s", r.jobID, j.State, flink.FirstLines(why, 3))
			return
		}
	}
}

// consume reads both outputs and hands each record to the collector.
func (r *rig) consume(ctx context.Context, cl *kgo.Client) {
	outputs := map[string]measure.Output{}
	if t := r.topics.Updates; t != "" {
		outputs[t] = measure.Updates
	}
	if t := r.topics.Windows; t != "" {
		outputs[t] = measure.Windows
	}
	var recs []measure.OutputRecord
	for {
		fetches := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		now := r.clock.Now()
		recs = recs[:0]
		fetches.EachRecord(func(rec *kgo.Record) {
			out, ok := outputs[rec.Topic]
			if !ok {
				return
			}
			recs = append(recs, measure.OutputRecord{Output: out, Value: rec.Value,
				BrokerNs: r.brokerNs(rec.Timestamp), Appended: rec.Attrs.TimestampType() == logAppendTime})
		})
		r.col.Outputs(now, recs)
		fetches.EachError(func(t string, p int32, err error) {
			if !errors.Is(err, context.Canceled) {
				r.con.Logf("abload: consume %s[%d]: %v", t, p, err)
			}
		})
	}
}

// logAppendTime is the record attribute's timestamp type of records the
// broker stamped (Kafka's LogAppendTime; CreateTime is 0).
const logAppendTime = 1

// brokerNs is a broker timestamp on this host's clock: the clock check's
// offset (the broker's clock minus this host's) taken off.
func (r *rig) brokerNs(t time.Time) int64 {
	ns := t.UnixNano()
	if c := r.clockChk; c != nil && c.Error == "" {
		ns -= int64(c.OffsetMs * 1e6)
	}
	return ns
}

// ticker closes one interval per second: hlog entries, a timeline point,
// and the live progress line.
func (r *rig) ticker(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.tick(false)
		}
	}
}

func (r *rig) tick(final bool) {
	var position func() (read, atNs int64, rate float64, ok bool)
	if r.mon != nil {
		position = r.mon.Read
	}
	emit := func(tag string, fromNs, toNs int64, h *hdrhistogram.Histogram) {
		if r.hlog == nil {
			return
		}
		if err := r.hlog.Write(tag, time.Duration(fromNs-r.loadNs), time.Duration(toNs-r.loadNs), h); err != nil {
			r.con.Logf("abload: write latency.hlog: %v", err)
		}
	}
	pt, lv, now, ok := r.col.Tick(r.clock.Now, r.loadNs, position, emit, r.metrics != nil)
	if !ok {
		return
	}
	pt.TS = r.sinceStart(now)
	pt.Phase = r.currentPhase()
	lv.Known, lv.Point = true, pt
	if r.sched != nil && now >= r.loadNs {
		lv.Offered = r.sched.Rate(time.Duration(now - r.loadNs))
	}
	r.live.Set(lv)
	r.series = append(r.series, pt)
	r.observeWarmup(pt)
	if !final {
		r.con.Status(r.statusLines(pt, now))
	}
}

// result turns what the run saw into the result model.
func (r *rig) result(aborted, drainTimedOut bool) *reports.Result {
	sc, st := r.sc, r.sent
	f := r.col.Figures()
	res := &reports.Result{
		Schema:        reports.Schema,
		AbloadVersion: r.opts.Version,
		Status:        reports.StatusOK,
		Valid:         true,
		Scenario:      sc,
		StartedAt:     time.Unix(0, r.startNs).UTC().Format(time.RFC3339),
		FinishedAt:    r.clock.Time().UTC().Format(time.RFC3339),
		RunID:         r.runID,
	}
	res.Environment = r.environment()
	res.FlinkConfig = r.flinkConfig()
	res.Clock = r.clockChk
	if c := r.clockChk; c != nil && c.Error == "" && !c.Within {
		res.MarkInvalid(fmt.Sprintf("the broker's clock is %+.1f ms ± %.1f ms off this host's, beyond env.max_clock_offset (%s)", c.OffsetMs, c.UncertaintyMs, sc.Env.MaxClockOffset))
	}
	if r.attached {
		res.AttachedJob = r.jobID
	}
	if aborted {
		res.Status = reports.StatusAborted
	}
	warm := sc.Workload.Warmup.Duration
	if r.boundaryLate > 0 {
		res.InvalidReasons = append(res.InvalidReasons, fmt.Sprintf("the measurement phase's first event was announced %s after it was due (the harness stalled): events may have been counted in the wrong phase", r.boundaryLate.Round(time.Millisecond)))
		res.Valid = false
	}
	if r.warmDecision != nil {
		res.Warmup = r.warmDecision
		warm = time.Duration(r.warmDecision.WarmupS * float64(time.Second))
	}
	measureSecs := sc.Workload.Duration.Seconds()
	// With a rate profile the target is its mean over the measurement phase.
	if span := float64(st.LastMeasureNs-st.FirstMeasureNs) / 1e9; st.Measure > 1 && span > measureSecs {
		measureSecs = span // the generator fell behind: the events took longer to go out
	}
	res.Events = reports.Events{
		Sent:         st.Measure,
		SentTotal:    st.Total,
		TargetRate:   r.sched.Mean(warm, warm+sc.Workload.Duration.Duration),
		AchievedRate: float64(st.Measure) / measureSecs,
		SendDelayMs:  f.SendDelay,
	}
	res.ConsumerDelayMs = f.ConsumerDelay
	res.Latency.E2E = f.E2E
	res.Latency.Window = f.Window
	res.Throughput = reports.Throughput{
		// What the job processed inside the measurement phase: updates its
		// sink wrote then (by the broker's append time, which exactly-once
		// output has too, long before its commit). With job.updates_sample
		// N only 1 in N events reports back: scaled by N (an estimate then,
		// exact for N = 1). Without updates: the source's progress.
		InEPS:  float64(f.Processed*f.Sample) / sc.Workload.Duration.Seconds(),
		OutRPS: float64(f.OutMeasure) / sc.Workload.Duration.Seconds(),
	}
	readEPS, readKnown := r.mon.SourceRate(f.MeasureStartNs, f.MeasureEndNs)
	if readKnown {
		res.Throughput.ReadEPS = &readEPS
	}
	inKnown := r.topics.Updates != "" // else known only as the source's progress
	if !inKnown {
		res.Throughput.InEPS, inKnown = readEPS, readKnown
	}
	if f.Clamped > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d latencies were above an hour, the histograms' range, and are recorded as an hour.", f.Clamped))
	}
	if f.ProducerTime > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d output records carry their producer's timestamp (CreateTime topics): consumer delay is measured only from records the broker stamped, and the job's processing time is taken as the time the harness read them.", f.ProducerTime))
	}
	if sent := res.Events.AchievedRate; sent > 0 && inKnown && res.Throughput.InEPS < fellShort*sent {
		res.Notes = append(res.Notes, fmt.Sprintf("The job fell short: it processed %.0f events/s in the measurement phase of the %.0f/s sent (%.0f%%); the rest waited in Kafka (see lag).",
			res.Throughput.InEPS, sent, 100*res.Throughput.InEPS/sent))
	}
	if n := r.lateStartNote(f.MeasureStartNs); n != "" {
		res.Notes = append(res.Notes, n)
	}
	rec := &f.Reconciliation // every event sent (prefill included), or 1 in job.updates_sample
	switch {
	case r.topics.Updates == "":
		rec.Counted, rec.Lost, rec.Variants = 0, 0, nil
	case f.NoVariant > 0:
		// Updates without a variant (the contract does not require one):
		// no per-variant attribution.
		res.Notes = append(res.Notes, fmt.Sprintf("%d updates carry no variant: reconciliation is not broken down per variant.", f.NoVariant))
	default:
		for i := range rec.Variants {
			if g := r.genStats.Variant(rec.Variants[i].Variant); g != nil {
				rec.Variants[i].LateInjected = g.Late
			}
		}
	}
	if r.topics.Windows != "" {
		rec.Windows = &f.Windows
	}
	res.Reconciliation = rec
	var measured map[string]*reports.MeasuredCounts
	if r.topics.Windows != "" {
		measured = f.Measured
	}
	r.skewMu.Lock()
	res.Skew = r.skew
	res.JobCost = r.jobCost
	r.skewMu.Unlock()
	if jc := res.JobCost; jc != nil && jc.Unmeasured != "" {
		res.Notes = append(res.Notes, "The scoring step's CPU per event (job_cost.achieved_us) is not measured: "+jc.Unmeasured+".")
	}
	if jc := res.JobCost; jc != nil && jc.AchievedUs > 0 && math.Abs(jc.AchievedUs-jc.ConfiguredUs) > 0.1*jc.ConfiguredUs {
		res.Notes = append(res.Notes, fmt.Sprintf("The scoring step spent %.0f µs of CPU per event, not the %.0f µs configured (job.cost_per_event): what the job cost is job_cost.achieved_us.", jc.AchievedUs, jc.ConfiguredUs))
	}
	res.Savepoint = r.savepoint
	res.Restore = r.restore
	res.Truth = measure.BuildTruth(r.gen, r.genStats, measured)
	// The timeline's processed rate by the updates' written time, as
	// throughput.in_eps (the live line could only count them as read);
	// without updates, the source's read rate.
	written := f.WrittenEPS
	for i := range r.series {
		switch {
		case r.topics.Updates == "":
			r.series[i].InEPS = r.series[i].ReadEPS
		case i < len(written):
			r.series[i].InEPS = written[i]
		}
	}
	res.Timeseries = r.series

	invalid := func(format string, args ...any) {
		res.Valid = false
		res.InvalidReasons = append(res.InvalidReasons, fmt.Sprintf(format, args...))
	}
	if bound := sc.Workload.MaxSendDelay.Duration; res.Events.SendDelayMs.Max > float64(bound.Milliseconds()) {
		invalid("generator fell behind its schedule: max send delay %.1f ms > workload.max_send_delay %s", res.Events.SendDelayMs.Max, bound)
	}
	bound, boundText := measure.ConsumerDelayBound(sc)
	if valid := f.ConsumerDelayValid; valid.P99 > float64(bound.Milliseconds()) {
		invalid("the harness's consumer fell behind the outputs: p99 consumer delay %.1f ms > %s", valid.P99, boundText)
	}
	if n, first := r.worker.Errors(); n > 0 {
		invalid("%d events failed to produce (first: %v)", n, first)
	}
	if drainTimedOut {
		for _, why := range r.drainTimeoutReasons(rec, f.WindowsShort) {
			invalid("%s", why)
		}
	}
	if f.BadRecords > 0 {
		if len(f.Breaches) > 0 {
			invalid("%d output records could not be read: the job's output breaks the output contract (docs/your-own-job.md): %s", f.BadRecords, strings.Join(f.Breaches, "; "))
		} else {
			invalid("%d output records could not be read", f.BadRecords)
		}
	}
	res.Notes = append(res.Notes, outputNotes(sc.Job.Outputs)...)
	if why := experimentalLine(sc, r.env.FlinkVersion()); why != "" {
		res.Notes = append(res.Notes, why)
	}
	if sc.Job.StateBackend == scenarios.StateBackendForSt && sc.Env.Kind != scenarios.EnvExternal {
		res.Notes = append(res.Notes, "ForSt (job.state_backend: forst) ran under the job's synchronous state API, with its files on this machine's local disk: its asynchronous mode over the remote storage it is made for (an object store) is not measured.")
	}
	if aborted {
		invalid("the run was aborted")
	}
	if r.savepointErr != "" {
		invalid("job.savepoint_at_end: no savepoint: %s", r.savepointErr)
	}
	return res
}

// lateStartNote says when a fixed warmup ended before the job began taking
// in events (measure.Collector.JobStart: the first update's write time less
// the job's quickest answer, so a job slow from the start is not taken for
// one that started late): the measurement then holds the job's start (its
// backlog shows in latency and lag), and the result says so. Not for a job
// without updates (a window result comes only as its window closes), one
// the run did not start (attached), an auto warmup (it judges latency;
// result.json's warmup says whether it settled), prefill (it waits for the
// job), or exactly-once output without broker append times (read at its
// commits).
func (r *rig) lateStartNote(measureStartNs int64) string {
	if r.topics.Updates == "" || r.attached || r.sc.Workload.Warmup.Auto || r.prefilled > 0 || measureStartNs <= r.loadNs {
		return ""
	}
	start, first, quickest, readTime, ok := r.col.JobStart()
	if !ok || start <= measureStartNs {
		return "" // taking in events before the phase began, or nothing to tell it by
	}
	if readTime && r.sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		return "" // read times are commit times: no write time to tell the start by
	}
	return fmt.Sprintf("The job was still starting when the measurement phase began: its first update was written %.1f s after the load began, "+
		"and it answered no event in less than %.1f s, which puts its start about %.1f s after the load began, %.1f s into the phase. "+
		"The warmup (workload.warmup %s) ended before that, so the measurement includes the job's start. "+
		"A longer warmup, workload.warmup: auto, or workload.prefill.keys (the warmup then starts once the job has answered) keeps it out.",
		float64(first-r.loadNs)/1e9, float64(quickest)/1e9, float64(start-r.loadNs)/1e9, float64(start-measureStartNs)/1e9, r.sc.Workload.Warmup)
}

// fellShort is the share of the sent rate below which a job is said to
// have fallen short (a note, not invalid: the figures are right, the job is
// too slow).
const fellShort = 0.95

// outputNotes say plainly what a run could not measure because the job
// emits only one output, or neither.
func outputNotes(o scenarios.Outputs) []string {
	switch {
	case !o.Updates && !o.Windows:
		return []string{"The job emits neither output (job.outputs): abload measured throughput (the source's read rate), lag, checkpoints, skew and resources only: no latency, no reconciliation."}
	case !o.Updates:
		return []string{"The job emits no per-event updates (job.outputs.updates false): no per-event e2e latency and no per-event reconciliation; latency is window latency only."}
	case !o.Windows:
		return []string{"The job emits no windows (job.outputs.windows false): no window latency and no window reconciliation."}
	}
	return nil
}

// newMonitor is the run's monitor of its job, environment and source; the
// collector hears of each position poll and of the checkpoints' spans.
func (r *rig) newMonitor() *monitor.Monitor {
	cfg := monitor.Config{
		Flink: r.flink, JobID: r.jobID, Clock: r.clock, StartNs: r.startNs,
		InputTopic: r.topics.Input, Partitions: r.partitions(), InputBase: r.inputBase,
		Logf: r.con.Logf,
	}
	if cl, ok := r.env.(env.ComponentLister); ok {
		cfg.Components = cl
	}
	if r.env != nil && r.env.Kind() != scenarios.EnvExternal {
		// The environments abload starts set it (cluster.Recipe.Base).
		cfg.FetcherInterval = time.Second
	}
	if c := r.col; c != nil {
		cfg.OnPoll = c.NoteAcked
		cfg.OnCheckpoints = func(nowNs int64, ivs []monitor.Interval) { c.ClassifyOverhead(measure.Horizon(nowNs), ivs) }
	}
	return monitor.New(cfg)
}
