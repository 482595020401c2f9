package session

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/capacity"
	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/reports"
)

// snapshotSubtasks reads the scoring step's cost counters at the start
// (start = true) or the end of the measurement phase, and at the start every
// vertex's per-subtask records-in; skewEnd reads those again after the drain
// and turns the two into the result's skew section. A failed read leaves
// skew out.
func (r *rig) snapshotSubtasks(start bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if r.sc.Job.CostPerEvent.Duration > 0 {
		// Read whether or not the records read below work out.
		r.snapshotCost(ctx, start)
	}
	if !start {
		return
	}
	startNs := r.clock.Now()
	recs, err := r.flink.SubtaskRecordsIn(ctx, r.jobID)
	r.skewMu.Lock()
	defer r.skewMu.Unlock()
	if err != nil {
		r.con.Logf("abload: per-subtask records (skew): %v", err)
		r.skewFailed = true
		return
	}
	r.skewStart, r.skewStartNs = recs, startNs
}

// skewEnd reads every vertex's per-subtask records-in once the drain is
// over and sets the skew section: what each subtask took in from the
// phase's start until every measured event was processed. Read at the
// phase's end instead, a hot subtask that fell behind would count only what
// it had processed by then and show less than its keys send it (a loaded
// machine: 2,565 records where its keys sent about 5,400); that it fell
// behind shows in its busy time and backpressure.
//
// settle (the drain ended with every update in: every event processed, so
// the counters are final) takes a read whose values were taken after the
// drain ended. Flink's metric fetcher serves what it took at its last
// refresh, and a request that finds that older than the interval starts a
// refresh (asynchronous: the request itself gets the old values), which
// lands within margin. So: a read begun more than interval after the drain
// ended starts a refresh then (or one began since the drain ended), and a
// read begun margin after it serves that refresh's values, whatever the
// reads take and whatever else polls: about 1.5 s in the environments
// abload starts. (It used to read until two reads a refresh apart agreed:
// the first read, cached from before the last records, nearly always
// differed, and that took two such gaps.) Without settle (a timed-out
// drain) the first read stands; so it does, said, when a later read fails.
//
// A task restart since the phase's start leaves every vertex unmeasured: a
// restarted subtask counts afresh, and one that has counted past its start
// value again would look like any other.
func (r *rig) skewEnd(ctx context.Context, settle bool, interval, margin time.Duration) {
	r.skewMu.Lock()
	start, startNs, failed := r.skewStart, r.skewStartNs, r.skewFailed
	r.skewMu.Unlock()
	if start == nil || failed {
		return
	}
	read := func() ([]flink.SubtaskRecords, error) {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return r.flink.SubtaskRecordsIn(rctx, r.jobID)
	}
	drainEnd := time.Now()
	recs, err := read()
	// readAt waits until at and reads into recs: when the read began, and
	// whether it gave values.
	readAt := func(at time.Time) (time.Time, bool) {
		select {
		case <-ctx.Done():
			return time.Time{}, false
		case <-time.After(time.Until(at)):
		}
		began := time.Now()
		next, nerr := read()
		if nerr != nil {
			r.con.Logf("abload: per-subtask records (skew): a read after the drain: %v; taking the one as the drain ended (possibly a refresh old)", nerr)
			return began, false
		}
		recs = next
		return began, true
	}
	if settle && err == nil {
		// The read that starts a refresh after the drain's end, then the
		// one that sees it.
		if began, ok := readAt(drainEnd.Add(interval + time.Millisecond)); ok {
			readAt(began.Add(margin))
		}
	}
	if err != nil {
		r.con.Logf("abload: per-subtask records (skew): %v", err)
		return
	}
	var sk *reports.Skew
	if n := r.mon.RestartsBetween(startNs, r.clock.Now()); n > 0 {
		sk = &reports.Skew{}
		for _, v := range recs {
			sk.Unmeasured = append(sk.Unmeasured, v.Name)
		}
		r.con.Logf("abload: skew: the job restarted %.0f time(s) since the measurement began: its per-subtask records are not known", n)
	} else {
		sk = measure.SkewBetween(start, recs)
	}
	r.skewMu.Lock()
	r.skew = sk
	r.skewMu.Unlock()
}

// snapshotCost reads the scoring step's counters at the start or the end
// of the measurement phase; at the end it sets the achieved cost per event.
// The counters live in the operator: a restart in between resets them, and
// the difference means nothing then.
func (r *rig) snapshotCost(ctx context.Context, start bool) {
	cost, err := r.readScoringCost(ctx)
	r.skewMu.Lock()
	defer r.skewMu.Unlock()
	if start {
		if err != nil {
			r.con.Logf("abload: the scoring step's CPU (job.cost_per_event): %v", err)
		}
		r.costStart = cost
		return
	}
	jc := &reports.JobCost{ConfiguredUs: float64(r.sc.Job.CostPerEvent.Microseconds())}
	s := r.costStart
	switch {
	case err != nil:
		jc.Unmeasured = "the scoring step's metrics could not be read at the end of the measurement phase: " + err.Error()
	case s == nil:
		jc.Unmeasured = "the scoring step's metrics could not be read when the measurement phase began"
	case r.mon.RestartsBetween(s.atNs, cost.atNs) > 0, cost.events < s.events || cost.cpuNs < s.cpuNs:
		jc.Unmeasured = "the job restarted during the measurement phase (the scoring step's counters start over)"
	case cost.events == s.events:
		jc.Unmeasured = "the scoring step scored no events in the measurement phase"
	default:
		jc.Events = int64(cost.events - s.events)
		jc.AchievedUs = (cost.cpuNs - s.cpuNs) / (cost.events - s.events) / 1000
	}
	r.jobCost = jc
}

// prefillMarginMs is how far before the schedule prefill events lie in event
// time: beyond every window, session gap and disorder bound of the run, so no
// measured window holds a prefill event.
func (r *rig) prefillMarginMs() int64 {
	w, d := r.sc.Job.Window, r.sc.Workload.Disorder
	return w.Size.Milliseconds() + w.Slide.Milliseconds() + w.Gap.Milliseconds() +
		r.sc.Job.OutOfOrderness.Milliseconds() + d.MaxDelay.Milliseconds() + d.LateBy.Milliseconds() + 10_000
}

// prefill sends n opens unpaced, each for a distinct (campaign, recipient)
// outside the workload's recipients, with seqs after the schedule's
// (first, first+1, …), and waits until the job has produced an update for
// every one: the job's dedupe state then holds n more keys. The events lie in
// event time before the schedule; their windows close once the run's events
// move the watermark and are reconciled like any other, but stay out of the
// measured counts.
func (r *rig) prefill(ctx context.Context, producer *kgo.Client, enc generators.Encoding, first, n int64,
	windows load.WindowAssigner, jobEnded <-chan string) error {
	sc := r.sc
	t0 := time.Now()
	tsMs := r.clock.Now()/1e6 - r.prefillMarginMs()
	r.col.SetPrefillBefore(tsMs + 1)
	campaigns := int64(sc.Workload.Campaigns)

	var errMu sync.Mutex
	var produceErr error
	promise := func(rec *kgo.Record, err error) {
		if err == nil {
			r.col.Acked()
		} else {
			errMu.Lock()
			if produceErr == nil {
				produceErr = err
			}
			errMu.Unlock()
		}
		load.Release(rec)
	}
	const batch = 4096
	keys := map[load.WindowKey]int64{}
	var ev generators.Event
	for i := int64(0); i < n; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		clear(keys)
		variants := map[string]int64{}
		m := int64(0)
		for ; i < n && m < batch; i, m = i+1, m+1 {
			camp := int32(i % campaigns)
			rcpt := sc.Workload.Recipients + i
			ev = generators.Event{Seq: first + i, IntendedNs: r.clock.Now(), EventTimeMs: tsMs, Type: generators.Open,
				Campaign: camp, Variant: r.gen.VariantOf(camp, rcpt), Recipient: rcpt}
			variants[ev.Variant]++
			windows.Assign(tsMs, func(start int64) {
				keys[load.WindowKey{StartMs: start, Campaign: ev.Campaign, Variant: ev.Variant}]++
			})
			rec := load.NewRecord()
			rec.Key = ev.AppendKey(rec.Key)
			rec.Value = ev.Append(enc, rec.Value)
			producer.Produce(ctx, rec, promise)
		}
		r.col.Sent(m, m, keys, variants, nil, 0) // prefill needs job.updates_sample 1 (validated)
		r.prefilled += m
	}
	if err := producer.Flush(ctx); err != nil {
		return fmt.Errorf("prefill: %w", err)
	}
	errMu.Lock()
	err := produceErr
	errMu.Unlock()
	if err != nil {
		return fmt.Errorf("prefill: producing failed: %w", err)
	}
	r.con.Logf("abload: prefill sent %d events in %.1fs; waiting for the job to take them in", n, time.Since(t0).Seconds())

	// Wait for every prefill update; give up when none arrives for a whole
	// drain timeout.
	stall := sc.Workload.DrainTimeout.Duration
	last, lastAt := int64(-1), time.Now()
	for {
		got := r.col.Counted()
		if got >= n {
			r.con.Done()
			r.con.Logf("abload: prefill done: %d keys of dedupe state in %.1fs", n, time.Since(t0).Seconds())
			return nil
		}
		if got != last {
			last, lastAt = got, time.Now()
			r.con.Progress(fmt.Sprintf("prefill %d/%d updates (%.0f%%)", got, n, 100*float64(got)/float64(n)))
		} else if time.Since(lastAt) > stall {
			r.con.Done()
			return fmt.Errorf("prefill stalled: %d of %d prefill events accounted for, none for %s (workload.drain_timeout)", got, n, stall)
		}
		select {
		case <-ctx.Done():
			r.con.Done()
			return ctx.Err()
		case why := <-jobEnded:
			r.con.Done()
			return fmt.Errorf("job stopped during prefill: %s", why)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// runPhases are the phases a run goes through, exported as abload_phase.
var runPhases = []string{PhaseStartup, PhasePrefill, PhaseWarmup, PhaseMeasure, PhaseCooldown, PhaseDrain, PhaseCapacity, PhaseTeardown, PhaseDone}

// The run as the live view's source (live.Source).

func (r *rig) Info() (scenario, runID, envKind string) { return r.sc.Name, r.runID, r.sc.Env.Kind }

func (r *rig) Phase() string { return r.currentPhase() }

func (r *rig) Live() *live.State { return &r.live }

func (r *rig) Checkpoints() (completed, failed int, last *flink.CheckpointEntry, ok bool) {
	if r.mon == nil {
		return 0, 0, nil, false
	}
	completed, failed, last = r.mon.CheckpointSummary()
	return completed, failed, last, true
}

func (r *rig) Actions() live.Actions {
	var a live.Actions
	a.Faults, a.ActiveFaults, a.Scaling, a.Parallelism = r.actions.Counts()
	return a
}

// serveMetrics starts the run's Prometheus endpoint on addr.
func (r *rig) serveMetrics(addr string) (*live.Server, error) {
	return live.Serve(addr, r, runPhases, r.con.Logf)
}

// statusLines is the live status block.
func (r *rig) statusLines(pt reports.TimePoint, now int64) []string {
	elapsed := time.Duration(now - r.loadNs).Round(time.Second)
	total := (r.sc.Workload.Warmup.Duration + r.sc.Workload.Duration.Duration + r.sc.Workload.Cooldown.Duration).Round(time.Second)
	if end := r.loadEndNs.Load(); end > 0 {
		total = time.Duration(end - r.loadNs).Round(time.Second) // an auto warmup moved it
	}
	if r.capacitySpan > 0 {
		total = r.capacitySpan.Round(time.Second) // abload capacity: its budget
	}
	s := live.Status{Name: r.sc.Name, Point: pt, Elapsed: elapsed, Left: max(0, total-elapsed), Live: r.live.Get()}
	if r.mon != nil {
		s.Checkpoints = r.mon.CheckpointSummary
	}
	return live.StatusLines(s)
}

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
	return t.mon.RestartsBetween(fromNs, toNs)
}

// flinkSections adds what the monitor saw to the result: checkpoints (with
// the overhead split), Flink's metrics, resources, the input lag, and the
// timeline's checkpoint flags. Called after result, with the run over.
func (r *rig) flinkSections(ctx context.Context, res *reports.Result) {
	if r.mon == nil {
		return
	}
	r.mon.Finish(ctx)
	startNs, endNs := r.col.MeasureSpan()
	fromS, toS := r.sinceStart(startNs), r.sinceStart(endNs)
	list := r.mon.CheckpointList(ctx)
	res.Checkpoints = measure.SummarizeCheckpoints(list, fromS, toS)
	if g, ok := measure.StateGrowth(list, fromS, toS); ok && res.Warmup != nil {
		res.Warmup.StateGrowthBytesPerS = &g
	}
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
func (r *rig) expectedKeyedSkew(sk *reports.Skew) {
	if sk == nil || !r.sc.Job.Outputs.Windows {
		return
	}
	perKey := r.col.KeyEvents()
	measure.ExpectedSkew(sk, perKey, r.sc.Job)
}

// capacity drives the search on a started environment and job.
//
// The lag is the source's: records a saturated job has read but not yet
// processed sit in its network buffers (thousands of small records), out of
// the lag's sight. Such a step shows in e2e p99 instead, which is why both
// are judged.
func (r *rig) capacity(ctx context.Context, dyn *generators.Dynamic) (*reports.Capacity, error) {
	sc := r.sc
	k := sc.Capacity
	enc, err := generators.ParseEncoding(sc.Workload.Encoding)
	if err != nil {
		return nil, err
	}
	// The sender's bound: every step at max_rate for the whole budget.
	total := int64(math.Min(capMaxEvents, math.Ceil(k.MaxRate*k.Budget.Seconds()*1.05)+10000))
	windows := load.NewWindowAssigner(sc)
	r.capacitySpan = k.Budget.Duration
	parts, err := r.startParts(ctx, total, enc, windows)
	if err != nil {
		return nil, err
	}
	defer parts.stopAll()
	producer, jobEnded := parts.producer, parts.jobEnded

	r.loadNs = r.clock.Now() + int64(250*time.Millisecond)
	r.col.SetMeasure(r.loadNs, r.loadNs, r.loadNs+int64(k.Budget.Duration+k.DrainTimeout.Duration))
	stopTick := background(r.ticker)
	defer stopTick()

	sendCtx, stopSend := context.WithCancel(ctx)
	defer stopSend()
	r.worker = load.LocalWorker{Sender: &load.Sender{Gen: r.gen, Sched: dyn, Enc: enc, Clock: r.clock, OriginNs: r.loadNs,
		Total: total, MeasureFirst: 0, MeasureEnd: total, Windows: windows, Tally: r.col, Sample: r.col.Sample(), MaxWait: capSenderMaxWait},
		Sink: producer, Lanes: sc.Workload.Lanes}
	sendDone := make(chan struct{})
	go func() {
		st, gs := r.worker.Send(sendCtx)
		r.sent, r.genStats = st, gs
		close(sendDone)
	}()
	r.phase(PhaseCapacity)

	out := &reports.Capacity{
		Schema: reports.CapacitySchema, AbloadVersion: r.opts.Version, RunID: r.runID, Name: sc.Name, Scenario: sc,
		StartedAt: time.Unix(0, r.startNs).UTC().Format(time.RFC3339),
		SLO: reports.CapacitySLO{E2EP99Ms: float64(k.SLO.E2EP99.Duration) / 1e6, LagSlopeRatio: k.SLO.LagSlopeRatio,
			MaxSendDelay: float64(sc.Workload.MaxSendDelay.Duration) / 1e6},
	}
	out.Environment = r.environment()

	rig := &capacity.Rig{Scenario: sc, Now: r.clock.Now, OriginNs: r.loadNs, StartNs: r.startNs, Load: dyn,
		Judge: r.col, Source: r.mon, ProducerBuffered: r.producerBuffered, JobEnded: jobEnded, SendDone: sendDone,
		Logf: r.con.Logf, Aborted: ErrAborted}
	if warm := sc.Workload.Warmup.Duration; warm > 0 {
		// A cold job (JIT, caches, connections) would fail the first step
		// for reasons that are not its capacity: warm it up at start_rate,
		// unjudged, and let the backlog drain.
		var w *warmupWatch
		var d reports.WarmupDecision
		paused := func() {}
		if sc.Workload.Warmup.Auto {
			w = newWarmupWatch()
			w.active.Store(true)
			r.warmWatch.Store(w)
			rig.Settled = w.settled
			paused = func() { d = w.finish(); d.DecidedS = r.sinceStart(r.clock.Now()) }
		}
		end, err := rig.Warmup(ctx, math.Max(1, math.Round(k.StartRate)), warm, paused)
		if err != nil {
			w.stop()
			stopSend()
			<-sendDone
			return nil, err
		}
		// The warmup's length is the load's: the drain after it is not.
		out.Warmup = &reports.WarmupDecision{Mode: "fixed", WarmupS: float64(end.LoadEndNs-r.loadNs) / 1e9}
		if w != nil {
			decided := d.DecidedS
			d = w.decide(end.Settled) // settled only before the load's planned end
			d.DecidedS = decided
			d.MaxS, d.WarmupS = warm.Seconds(), float64(end.LoadEndNs-r.loadNs)/1e9
			out.Warmup = &d
			r.con.Logf("abload: capacity warmup: %s", d.Reason)
		}
	}
	serr := rig.Search(ctx, out)
	stopSend()
	<-sendDone
	r.con.Done()
	out.ElapsedS = float64(r.clock.Now()-r.loadNs) / 1e9
	out.FinishedAt = r.clock.Time().UTC().Format(time.RFC3339)
	out.Clock = r.clockChk
	out.Note = capacity.ClockNote(out.Note, r.clockChk, sc.Env.MaxClockOffset)
	return out, serr
}

// producerBuffered is how many records the harness's producer holds that
// the broker has not acknowledged (0 before the drive).
func (r *rig) producerBuffered() int64 {
	if p := r.producer; p != nil {
		return p.BufferedProduceRecords()
	}
	return 0
}

// run is one benchmark run on its rig: begin, drive, end.
func (r *rig) run(ctx context.Context) (res *reports.Result, err error) {
	end, err := r.begin(ctx, func() (generators.Schedule, error) { return load.Schedule(r.sc) })
	if err != nil {
		return nil, err
	}
	defer func() {
		end()
		if res != nil {
			res.Phases = r.phases
			if d := r.leftChanged; d != "" {
				res.Notes = append(res.Notes, "standing environment after the run: "+leftText(d))
			}
		}
	}()
	return r.drive(ctx)
}

// begin starts a run or a capacity search: its id and log directory, the
// generator, the schedule (sched; a scenario either refuses starts
// nothing), the metrics endpoint, then the session (environment, topics,
// job). end stops all of it, whatever happened after; begin calls it
// itself when startup fails.
func (r *rig) begin(ctx context.Context, sched func() (generators.Schedule, error)) (end func(), err error) {
	r.startNs = r.clock.Now()
	r.runID = newRunID()
	logDir := filepath.Join(r.opts.OutDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	if r.gen, err = load.NewGenerator(r.sc); err != nil {
		return nil, &InputError{Err: err}
	}
	if r.sched, err = sched(); err != nil {
		if ie := (*InputError)(nil); !errors.As(err, &ie) {
			err = &InputError{Err: err}
		}
		return nil, err
	}
	if r.opts.MetricsAddr != "" {
		if r.metrics, err = r.serveMetrics(r.opts.MetricsAddr); err != nil {
			return nil, err
		}
		r.metricsAddr = r.metrics.Addr()
	}
	stop, err := r.start(ctx, logDir)
	if err != nil {
		r.metrics.Close()
		return nil, err
	}
	return func() {
		stop()
		if r.hlog != nil {
			_ = r.hlog.Close()
		}
		r.metrics.Close()
	}, nil
}

// leftText words how a standing environment differs after a run (d from
// Left: a difference, or why it could not be checked).
func leftText(d string) string {
	if strings.HasPrefix(d, "could not be checked") {
		return d
	}
	return "left other than the run found it: " + d + " (the next run starts from there; abload env down, then env up, resets it)"
}
