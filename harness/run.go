package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/clockcheck"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/external"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/job"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/monitor"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// Phase names, in order. Each change is logged as `abload: phase=<name>`.
const (
	PhaseStartup  = "startup"
	PhasePrefill  = "prefill"
	PhaseWarmup   = "warmup"
	PhaseMeasure  = "measure"
	PhaseCooldown = "cooldown"
	PhaseDrain    = "drain"
	PhaseTeardown = "teardown"
	PhaseDone     = "done"
)

// ErrAborted marks a run stopped by its context (SIGINT/SIGTERM).
var ErrAborted = errors.New("run aborted")

// InputError is a problem with the scenario found before anything started
// (env.InputError: environments report them too).
type InputError = env.InputError

// Options configures one run, or one capacity search (Capacity).
type Options struct {
	Scenario *scenarios.Scenario
	OutDir   string // result directory; logs go to OutDir/logs
	Runtime  *cluster.Runtime
	// Env, when set, is used instead of building one from the scenario. An
	// Env that is already started is shared: Run neither starts nor stops it.
	Env env.Environment
	// Stderr receives phase lines, log lines and the live progress line.
	Stderr io.Writer
	// Version is the abload version recorded in the result.
	Version string
	// JobRunning, when set, is called once the job is RUNNING, before the
	// load starts (tests read the job's configuration back through it).
	JobRunning func(ctx context.Context, flink *flink.Client, jobID string)
	// MetricsAddr, when set, serves the run's Prometheus metrics on
	// http://MetricsAddr/metrics (a loopback address) while it runs.
	MetricsAddr string
	// Cleanup deletes the topics the run created when it ends (an external
	// environment's; the others' go with their broker). Topics the run did
	// not create are never deleted.
	Cleanup bool
	// Secrets collects the credentials the run reads (an external
	// cluster's); nothing it prints, logs, returns or writes carries one.
	// nil: a set of its own. A caller that prints the run's errors or
	// results itself passes its set in and redacts with it.
	Secrets *redact.Secrets

	// clockSkew shifts the run's view of its own clock in the clock check
	// only (tests: a known offset the check must find).
	clockSkew time.Duration
}

// withDefaults gives the options what they must have.
func (o Options) withDefaults() Options {
	if o.Secrets == nil {
		o.Secrets = &redact.Secrets{}
	}
	return o
}

// newRunner is a run's state before it starts.
func newRunner(opts Options) *runner {
	r := &runner{opts: opts, sc: opts.Scenario, con: live.NewConsole(opts.Stderr, opts.Secrets), clock: NewClock()}
	r.actions = faults.New(r.sc, r.clock, r.con.Logf)
	return r
}

// Run executes one benchmark run end to end and returns its result. The
// result is nil only when the run ended before the measurement phase began
// (a startup failure, or an abort during startup or warmup); otherwise it is
// returned with Status ok, aborted or failed, alongside any error.
// Everything Run starts is stopped before it returns.
//
// With job.checkpoint.control_run, Run follows the run with its control run
// (checkpointing off) on the same environment, writes the control's result
// into OutDir/control, and sets the comparison in the run's checkpoints
// section.
func Run(ctx context.Context, opts Options) (res *reports.Result, err error) {
	opts = opts.withDefaults()
	defer func() { err = opts.Secrets.Error(err) }()
	if !opts.Scenario.Job.Checkpoint.ControlRun {
		return runOnce(ctx, opts)
	}
	con := live.NewConsole(opts.Stderr, opts.Secrets)
	if opts.Env == nil && !NeedsOwnEnvironment(opts.Scenario) {
		// One environment for the run and its control, so that they differ
		// only in checkpointing.
		if err := os.MkdirAll(filepath.Join(opts.OutDir, "logs"), 0o755); err != nil {
			return nil, err
		}
		env, err := NewEnvironment(opts.Scenario, opts.Runtime, filepath.Join(opts.OutDir, "logs"), opts.OutDir, con.Logf, opts.Secrets)
		if err != nil {
			return nil, err
		}
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_ = env.Stop(sctx)
		}()
		t0 := time.Now()
		if _, err := env.Start(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w during startup", ErrAborted)
			}
			return nil, fmt.Errorf("start %s environment: %w", env.Kind(), err)
		}
		con.Logf("abload: environment %s up in %.1fs, shared by the run and its control run", env.Kind(), time.Since(t0).Seconds())
		opts.Env = env
	}
	res, err = runOnce(ctx, opts)
	if err != nil || res == nil || res.Status != reports.StatusOK {
		return res, err
	}
	ctl, note := controlScenario(opts.Scenario)
	copts := opts
	copts.Scenario, copts.OutDir, copts.JobRunning = ctl, filepath.Join(opts.OutDir, "control"), nil
	con.Logf("abload: control run (checkpointing off) into %s", copts.OutDir)
	cres, cerr := runOnce(ctx, copts)
	if cres != nil {
		if werr := reports.WriteRunFiles(copts.OutDir, cres); werr != nil {
			con.Logf("abload: control run: %v", werr)
		}
	}
	switch {
	case errors.Is(cerr, ErrAborted):
		return res, cerr
	case cres == nil:
		res.MarkInvalid(fmt.Sprintf("job.checkpoint.control_run: the control run failed: %v", cerr))
		return res, nil
	}
	if res.Checkpoints == nil {
		res.Checkpoints = &reports.Checkpoints{}
	}
	res.Checkpoints.Control = compareControl(res, cres, "control", note)
	if !cres.Valid {
		res.MarkInvalid("job.checkpoint.control_run: the control run is invalid: " + strings.Join(cres.InvalidReasons, "; "))
	}
	return res, nil
}

// controlScenario is sc with checkpointing off (and what else that needs).
func controlScenario(sc *scenarios.Scenario) (*scenarios.Scenario, string) {
	c := *sc
	c.Job.Checkpoint.Interval = scenarios.Duration{}
	c.Job.Checkpoint.ControlRun = false
	c.Job.Checkpoint.SyncPause = scenarios.Duration{} // it pauses checkpoints, and there are none
	c.Job.SavepointAtEnd = false
	note := ""
	if c.Job.Delivery == scenarios.DeliveryExactlyOnce {
		c.Job.Delivery = scenarios.DeliveryAtLeastOnce
		note = "the control run delivers at_least_once: exactly-once output needs checkpoints"
	}
	return &c, note
}

// compareControl computes the run's ratios to its control.
func compareControl(res, ctl *reports.Result, dir, note string) *reports.ControlComparison {
	ratio := func(a, b float64) float64 {
		if b <= 0 {
			return 0
		}
		return a / b
	}
	tmCPU := func(r *reports.Result) float64 {
		var sum float64
		for _, rs := range r.Resources {
			if strings.HasPrefix(rs.Component, "taskmanager-") {
				sum += rs.CPUPct.P50
			}
		}
		return sum
	}
	return &reports.ControlComparison{
		Dir:                 dir,
		Valid:               ctl.Valid,
		E2EP50Ratio:         ratio(res.Latency.E2E.P50, ctl.Latency.E2E.P50),
		E2EP99Ratio:         ratio(res.Latency.E2E.P99, ctl.Latency.E2E.P99),
		OutRPSRatio:         ratio(res.Throughput.OutRPS, ctl.Throughput.OutRPS),
		TaskManagerCPURatio: ratio(tmCPU(res), tmCPU(ctl)),
		Note:                note,
	}
}

func runOnce(ctx context.Context, opts Options) (*reports.Result, error) {
	opts = opts.withDefaults()
	res, err := newRunner(opts).run(ctx)
	redact.Scrub(opts.Secrets, res)
	return res, opts.Secrets.Error(err)
}

type runner struct {
	// producer sends the input events (set by kafkaClients).
	producer *kgo.Client

	opts  Options
	sc    *scenarios.Scenario
	con   *live.Console
	clock *Clock

	runID    string
	env      env.Environment
	ep       *env.Endpoints
	topics   kafka.Topics
	created  []string // topics this run created (the only ones --cleanup deletes)
	flink    *flink.Client
	jobID    string
	jarID    string // the jar this run uploaded to an external cluster
	attached bool   // the job was running before the run (env.external.job_id): never cancelled
	clockChk *reports.ClockCheck
	// inputParts and inputBase describe an existing input topic (named by
	// env.external.topics.input): its partitions, and the sum of its end
	// offsets when the run began (0 for a topic the run created).
	inputParts int
	inputBase  int64

	phaseMu  sync.Mutex // phases is read by the ticker goroutine
	phases   []reports.Phase
	startNs  int64 // run start (startup phase)
	loadNs   int64 // schedule origin: warmup start
	measured bool  // the measurement phase began

	col    *measure.Collector
	gen    *generators.Generator
	sched  generators.Schedule
	hlog   *reports.HlogWriter
	series []reports.TimePoint

	prefilled    int64 // prefill events sent
	skewMu       sync.Mutex
	skewStart    []flink.SubtaskRecords // per-subtask records-in when measuring began
	skewFailed   bool
	skew         *reports.Skew
	costStart    *scoringCost // the scoring step's CPU and events when measuring began (job.cost_per_event)
	jobCost      *reports.JobCost
	savepoint    string
	savepointErr string

	mon      *monitor.Monitor
	actions  *faults.Schedule // the run's faults and scaling actions
	live     live.State
	metrics  *live.Server
	netProxy *netproxy.Proxy // the job's path to the broker crosses it (nil: direct)
	snd      *load.Sender
	sent     load.Stats       // the sender's totals, once it has finished
	genStats generators.Stats // what the generator emitted, once the sender has finished

	capacitySpan time.Duration // abload capacity: the search's budget (for the progress line)
	unpin        func()        // gives abload its CPU affinity back (env.pin.harness)
}

func (r *runner) phase(name string) {
	now := r.clock.Now()
	r.phaseMu.Lock()
	defer r.phaseMu.Unlock()
	if n := len(r.phases); n > 0 && r.phases[n-1].EndS == 0 {
		r.phases[n-1].EndS = r.sinceStart(now)
	}
	if name != PhaseDone {
		r.phases = append(r.phases, reports.Phase{Name: name, StartS: r.sinceStart(now)})
	}
	r.con.Phase(name)
}

func (r *runner) sinceStart(ns int64) float64 { return float64(ns-r.startNs) / 1e9 }

// measureClock runs the clock check on the run's clock topic and records it
// in r.clockChk; a check that could not be made is recorded with its error
// (and does not invalidate the run).
func (r *runner) measureClock(ctx context.Context, topic string) {
	c := clockcheck.Check(ctx, r.ep, topic, func() int64 { return r.clock.Now() + int64(r.opts.clockSkew) }, r.sc.Env.MaxClockOffset.Duration)
	r.clockChk = c
	if c.Error != "" {
		r.con.Logf("abload: clock check: %s", c.Error)
		return
	}
	off, unc := c.OffsetMs, c.UncertaintyMs
	word := "within"
	if !c.Within {
		word = "BEYOND"
	}
	r.con.Logf("abload: clock: the broker's clock is %+.1f ms ± %.1f ms off this host's (%s env.max_clock_offset %s)",
		off, unc, word, r.sc.Env.MaxClockOffset)
}

// newMonitor is the run's monitor of its job, environment and source; the
// collector hears of each position poll and of the checkpoints' spans.
func (r *runner) newMonitor() *monitor.Monitor {
	cfg := monitor.Config{
		Flink: r.flink, JobID: r.jobID, Clock: r.clock, StartNs: r.startNs,
		InputTopic: r.topics.Input, Partitions: r.partitions(), InputBase: r.inputBase,
		Logf: r.con.Logf,
	}
	if cl, ok := r.env.(env.ComponentLister); ok {
		cfg.Components = cl
	}
	if r.env != nil && r.env.Kind() != scenarios.EnvExternal {
		// The environments abload starts set it (cluster.FlinkBaseConfig).
		cfg.FetcherInterval = time.Second
	}
	if c := r.col; c != nil {
		cfg.OnPoll = c.NoteAcked
		cfg.OnCheckpoints = func(nowNs int64, ivs []monitor.Interval) { c.ClassifyOverhead(measure.Horizon(nowNs), ivs) }
	}
	return monitor.New(cfg)
}

func newRunID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

func (r *runner) run(ctx context.Context) (res *reports.Result, err error) {
	end, err := r.begin(ctx, func() (generators.Schedule, error) { return load.Schedule(r.sc) })
	if err != nil {
		return nil, err
	}
	defer func() {
		end()
		if res != nil {
			res.Phases = r.phases
		}
	}()
	return r.drive(ctx)
}

// begin starts a run or a capacity search: its id and log directory, the
// generator, the schedule (sched; a scenario either refuses starts
// nothing), the metrics endpoint, then the environment, the topics and the
// job (startup). end tears all of it down, whatever happened after; begin
// calls it itself when startup fails.
func (r *runner) begin(ctx context.Context, sched func() (generators.Schedule, error)) (end func(), err error) {
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
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, &InputError{Err: err}
	}
	if r.opts.MetricsAddr != "" {
		if r.metrics, err = r.serveMetrics(r.opts.MetricsAddr); err != nil {
			return nil, err
		}
	}
	r.phase(PhaseStartup)
	// Teardown runs whatever happened: on success, failure and abort.
	end = func() {
		r.phase(PhaseTeardown)
		r.teardown()
		r.phase(PhaseDone)
		r.metrics.Close()
	}
	if err := r.startup(ctx, logDir); err != nil {
		end()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w during startup", ErrAborted)
		}
		return nil, err
	}
	return end, nil
}

// The local and external environments are always available; the Docker
// one registers itself (testcontainers, imported by the CLI).
func init() {
	env.Register(scenarios.EnvLocal, local.FromSpec)
	env.Register(scenarios.EnvExternal, external.FromSpec)
}

// NewEnvironment builds (does not start) the environment a scenario asks for.
// outDir is the run's (or matrix's) output directory: Flink writes
// savepoints there, so an environment whose processes see another
// filesystem (containers) shares it with them, as it does job.restore_from.
func NewEnvironment(sc *scenarios.Scenario, rt *cluster.Runtime, logDir, outDir string, logf func(string, ...any), secrets *redact.Secrets) (env.Environment, error) {
	if f, ok := env.Lookup(sc.Env.Kind); ok {
		var shared []string
		for _, d := range []string{outDir, sc.Job.RestoreFrom} {
			if d == "" {
				continue
			}
			abs, err := filepath.Abs(d)
			if err != nil {
				return nil, err
			}
			shared = append(shared, abs)
		}
		return f(env.Spec{Scenario: sc, Runtime: rt, LogDir: logDir, SharedDirs: shared, Logf: logf, Exec: proc.CombinedOutput, Secrets: secrets})
	}
	return nil, fmt.Errorf("env.kind %q is not available yet", sc.Env.Kind)
}

func (r *runner) startup(ctx context.Context, logDir string) error {
	sc := r.sc
	if cpus := sc.Env.Pin.Harness; cpus != "" {
		// Before anything starts: the load's goroutines run on threads
		// created from pinned ones.
		threads, unpin, err := proc.PinHarness(cpus)
		if err != nil {
			return fmt.Errorf("env.pin.harness: %w", err)
		}
		r.unpin = unpin
		// The Go runtime lowers GOMAXPROCS to the pinned CPUs by itself
		// (it rereads the affinity about once a second).
		r.con.Logf("abload: harness pinned to CPUs %s (%d threads)", cpus, threads)
	}
	if r.opts.Env != nil {
		r.env = r.opts.Env
	} else {
		env, err := NewEnvironment(sc, r.opts.Runtime, logDir, r.opts.OutDir, r.con.Logf, r.opts.Secrets)
		if err != nil {
			return err
		}
		r.env = env
	}
	if ep := r.env.Endpoints(); ep != nil {
		r.ep = ep // a shared environment, already up
	} else {
		t0 := time.Now()
		ep, err := r.env.Start(ctx)
		if err != nil {
			return fmt.Errorf("start %s environment: %w", r.env.Kind(), err)
		}
		r.ep = ep
		r.con.Logf("abload: environment %s up in %.1fs (kafka %s, flink REST %s)", r.env.Kind(), time.Since(t0).Seconds(), ep.KafkaBootstrap[0], ep.FlinkREST)
	}
	var err error
	if r.netProxy, err = faults.SetupNetwork(r.env, r.sc, r.con.Logf); err != nil {
		return err
	}

	plan := kafka.PlanTopics(sc, r.runID)
	r.topics = plan.Topics
	if err := kafka.CheckExistingTopics(ctx, r.ep, plan.Existing); err != nil {
		return err
	}
	if sc.Env.Kind == scenarios.EnvExternal && sc.Env.External.Topics.Input != "" {
		var err error
		if r.inputParts, r.inputBase, err = kafka.TopicEnd(ctx, r.ep, r.topics.Input); err != nil {
			return err
		}
		r.con.Logf("abload: input topic %s (not created by abload): %d partition(s), %d record(s) before the run", r.topics.Input, r.inputParts, r.inputBase)
	}
	created, err := kafka.CreateTopics(ctx, r.ep, plan.Create, sc.Kafka.Partitions)
	r.created = created
	if err != nil {
		return err
	}
	r.measureClock(ctx, plan.Clock)
	r.flink = r.ep.FlinkClient()
	if id := sc.Env.External.JobID; sc.Env.Kind == scenarios.EnvExternal && id != "" {
		return r.attach(ctx, id)
	}
	t1 := time.Now()
	restore := ""
	if sc.Job.RestoreFrom != "" {
		var err error
		if restore, err = filepath.Abs(sc.Job.RestoreFrom); err != nil {
			return err
		}
	}
	if sc.Env.Scheduler != scenarios.SchedulerReactive {
		if err := r.waitForSlots(ctx, sc.Job.Parallelism, 60*time.Second); err != nil {
			return err
		}
	}
	if sc.Job.Custom() {
		if err := r.submitCustom(ctx, restore); err != nil {
			return err
		}
	} else if sc.Env.Scheduler == scenarios.SchedulerReactive {
		if err := r.startApplication(ctx, restore); err != nil {
			return err
		}
	} else {
		jarID, err := r.flink.UploadJar(ctx, r.opts.Runtime.JobJar)
		if err != nil {
			return fmt.Errorf("upload job jar: %w", err)
		}
		if sc.Env.Kind == scenarios.EnvExternal {
			r.jarID = jarID // not ours to leave behind on someone's cluster
		}
		r.jobID, err = r.flink.RunJarFrom(ctx, jarID, "", job.Args(r.jobTarget()), sc.Job.Parallelism, restore)
		if err != nil {
			if restore != "" {
				return fmt.Errorf("submit job from savepoint %s (job.restore_from): %w", restore, err)
			}
			return fmt.Errorf("submit job: %w", err)
		}
	}
	jd, err := r.flink.WaitRunning(ctx, r.jobID, 60*time.Second)
	if err != nil {
		return err
	}
	r.live.SetParallelism(jd.Parallelism())
	r.con.Logf("abload: job %s running (parallelism %d) %.1fs after submission", r.jobID, jd.Parallelism(), time.Since(t1).Seconds())
	r.writeEndpoints()
	if r.opts.JobRunning != nil {
		r.opts.JobRunning(ctx, r.flink, r.jobID)
	}
	return nil
}

// waitForSlots waits until the cluster has need free task slots before a
// job is submitted. A job cancelled just before (the previous run on a
// shared cluster, a matrix cell, a capacity step) frees its slots a moment
// after it reports CANCELED; submitted into that moment, Flink's standalone
// scheduler fails the new job at once ("Could not acquire the minimum
// required resources") and restarts it, and the run is invalid through no
// fault of the job. A cluster with fewer slots in total than need is left to
// Flink (it may be one that grows); one whose slots stay taken past the
// timeout is an error that says who holds them.
func (r *runner) waitForSlots(ctx context.Context, need int, timeout time.Duration) error {
	if need <= 0 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	said := false
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ov, err := r.flink.Overview(qctx)
		cancel()
		switch {
		case err != nil:
			return nil // the submission will report an unreachable cluster
		case ov.SlotsTotal < need || ov.SlotsAvailable >= need:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("the Flink cluster has %d free task slot(s) of %d after %s; the job needs %d (job.parallelism): %d job(s) running hold the rest",
				ov.SlotsAvailable, ov.SlotsTotal, timeout, need, ov.JobsRunning)
		}
		if !said {
			r.con.Logf("abload: waiting for %d free task slot(s) (%d of %d free)", need, ov.SlotsAvailable, ov.SlotsTotal)
			said = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// writeEndpoints records the run's Prometheus scrape endpoints (the
// harness's, when served, and Flink's reporters) in logs/metrics-endpoints.txt.
func (r *runner) writeEndpoints() {
	var flink []env.FlinkMetricsEndpoint
	if l, ok := r.env.(env.FlinkMetricsLister); ok {
		flink = l.FlinkMetricsEndpoints()
	}
	harness := ""
	if r.metrics != nil {
		harness = r.metrics.Addr()
	}
	logs := filepath.Join(r.opts.OutDir, "logs")
	if err := os.WriteFile(filepath.Join(logs, "metrics-endpoints.txt"), []byte(live.EndpointsText(harness, flink)), 0o644); err != nil {
		r.con.Logf("abload: %v", err)
	}
	if err := os.WriteFile(filepath.Join(logs, "prometheus-targets.json"), live.FileSDTargets(r.runID, harness, flink), 0o644); err != nil {
		r.con.Logf("abload: %v", err)
	}
}

// startApplication boots an application cluster running the job under a
// job ID chosen here, so the harness knows it without asking.
func (r *runner) startApplication(ctx context.Context, restore string) error {
	app, ok := r.env.(env.ApplicationStarter)
	if !ok {
		return fmt.Errorf("env.scheduler reactive: the %s environment cannot start an application cluster", r.env.Kind())
	}
	main, err := job.MainClass(r.opts.Runtime.JobJar)
	if err != nil {
		return err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	r.jobID = hex.EncodeToString(id[:])
	r.con.Logf("abload: starting the application cluster (Reactive Mode) with job %s", r.jobID)
	if err := app.StartApplication(ctx, main, job.Args(r.jobTarget()), r.jobID, restore); err != nil {
		return fmt.Errorf("start application cluster: %w", err)
	}
	return nil
}

// jobTarget is where the run's job reads and writes.
func (r *runner) jobTarget() job.Target {
	return job.Target{Scenario: r.sc, Bootstrap: r.ep.JobBootstrap(), KafkaProperties: r.ep.JobKafkaProperties,
		Secrets: r.opts.Secrets, Topics: r.topics, Group: r.topicPrefix() + r.runID}
}

// partitions is the number of partitions of the run's input topic.
func (r *runner) partitions() int {
	if r.inputParts > 0 {
		return r.inputParts
	}
	return r.sc.Kafka.Partitions
}

// topicPrefix starts the names of the topics and the consumer group of
// the run: env.external.topics.prefix, or "abload-".
func (r *runner) topicPrefix() string {
	if r.sc.Env.Kind == scenarios.EnvExternal && r.sc.Env.External.Topics.Prefix != "" {
		return r.sc.Env.External.Topics.Prefix
	}
	return "abload-"
}

// attach takes over a job that was running before the run
// (env.external.job_id): it is measured, never submitted or cancelled.
func (r *runner) attach(ctx context.Context, id string) error {
	jd, err := r.flink.WaitRunning(ctx, id, 30*time.Second)
	if err != nil {
		return fmt.Errorf("env.external.job_id %s: %w", id, err)
	}
	r.jobID, r.attached = id, true
	r.live.SetParallelism(jd.Parallelism())
	r.con.Logf("abload: attached to running job %s %q (parallelism %d); job.* knobs are not applied to it", id, jd.Name, jd.Parallelism())
	r.writeEndpoints()
	if r.opts.JobRunning != nil {
		r.opts.JobRunning(ctx, r.flink, r.jobID)
	}
	return nil
}

func (r *runner) teardown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if r.flink != nil && r.jobID != "" && !r.attached {
		if err := r.flink.CancelJob(ctx, r.jobID); err != nil {
			r.con.Logf("abload: cancel job %s: %v", r.jobID, err)
		}
	}
	if r.flink != nil && r.jarID != "" {
		if err := r.flink.DeleteJar(ctx, r.jarID); err != nil {
			r.con.Logf("abload: delete uploaded jar %s: %v", r.jarID, err)
		}
	}
	if r.sc.Env.Kind == scenarios.EnvExternal && len(r.created) > 0 {
		r.cleanupTopics()
	}
	if r.env != nil && r.opts.Env == nil {
		if err := r.env.Stop(ctx); err != nil {
			r.con.Logf("abload: stop environment: %v", err)
		}
	}
	if r.hlog != nil {
		_ = r.hlog.Close()
	}
	if r.unpin != nil {
		r.unpin()
		r.unpin = nil
	}
}

// cleanupTopics deletes, with --cleanup, the topics this run created on an
// external cluster (never one it did not create); without, it says which
// it leaves.
func (r *runner) cleanupTopics() {
	if !r.opts.Cleanup {
		r.con.Logf("abload: left the run's topics on the cluster: %s (--cleanup deletes them)", strings.Join(r.created, ", "))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafka.DeleteTopics(ctx, r.ep, r.created); err != nil {
		r.con.Logf("abload: --cleanup: %v", err)
		return
	}
	r.con.Logf("abload: --cleanup: deleted the run's topics %s", strings.Join(r.created, ", "))
}
