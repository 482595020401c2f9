package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sync"
	"time"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/capacity"
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
)

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
		SLO: reports.CapacitySLO{E2EP99Ms: float64(k.SLO.E2EP99.Duration) / 1e6, LagSlopeRatio: k.SLO.LagSlopeRatio,
			MaxSendDelay: float64(sc.Workload.MaxSendDelay.Duration) / 1e6},
	}
	host, _ := os.Hostname()
	out.Environment = reports.Environment{Kind: r.env.Kind(), FlinkVersion: r.env.FlinkVersion(), KafkaVersion: r.env.KafkaVersion(), Host: host}
	fingerprint(&out.Environment)
	out.Environment.Limits = envLimits(sc.Env)
	out.Environment.Pin = envPin(sc.Env)
	out.Environment.Network = faults.NetworkText(r.netProxy, r.sc.Env.Network)

	rig := &capacity.Rig{Scenario: sc, Now: r.clock.Now, OriginNs: r.loadNs, StartNs: r.startNs, Load: dyn,
		Judge: r.col, Source: r.mon, ProducerBuffered: r.producerBuffered, JobEnded: jobEnded, SendDone: sendDone,
		Logf: r.con.Logf, Aborted: ErrAborted}
	if warm := sc.Workload.Warmup.Duration; warm > 0 {
		// A cold job (JIT, caches, connections) would fail the first step
		// for reasons that are not its capacity: warm it up at start_rate,
		// unjudged, and let the backlog drain.
		if err := rig.Warmup(ctx, math.Max(1, math.Round(k.StartRate)), warm); err != nil {
			stopSend()
			<-sendDone
			return nil, err
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
func (r *runner) producerBuffered() int64 {
	if p := r.producer; p != nil {
		return p.BufferedProduceRecords()
	}
	return 0
}
