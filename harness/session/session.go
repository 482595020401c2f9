package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// session is one deployment's lifecycle: the environment (started, or
// given), the run's topics, the job (submitted, started as an application,
// or attached), the clock check, and the teardown that undoes all of it. It
// knows nothing of the load's schedule or of what is measured: a rig drives the run
// on it.
type session struct {
	// leftChanged is how a standing environment differs from what the run
	// found, after its teardown ("" = as found).
	leftChanged string

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
	jarID    string // the jar this run uploaded and deletes (external, or an environment that outlives the run)
	attached bool   // the job was running before the run (env.external.job_id): never cancelled
	clockChk *reports.ClockCheck
	// inputParts and inputBase describe an existing input topic (named by
	// env.external.topics.input): its partitions, and the sum of its end
	// offsets when the run began (0 for a topic the run created).
	inputParts int
	inputBase  int64
	netProxy   *netproxy.Proxy // the job's path to the broker crosses it (nil: direct)

	phaseMu sync.Mutex // phases is read by the ticker goroutine
	phases  []reports.Phase
	startNs int64 // run start (startup phase)

	// live is what the console and the metrics endpoint show (its own
	// lock); metricsAddr is where that endpoint is served ("": not).
	live        live.State
	metricsAddr string

	savepoint    string
	savepointErr string
	flushErr     string           // the flush records could not be written by the drain's deadline (why)
	flushedBy    time.Duration    // how long before the drain's deadline they were
	restore      *reports.Restore // job.restore_from: how the job started from it
	unpin        func()           // gives abload its CPU affinity back (env.pin.harness)
}

// newSession is a deployment's state before it starts.
func newSession(opts Options) *session {
	return &session{opts: opts, sc: opts.Scenario, con: live.NewConsole(opts.Stderr, opts.Secrets), clock: NewClock()}
}

func (s *session) phase(name string) {
	now := s.clock.Now()
	s.phaseMu.Lock()
	defer s.phaseMu.Unlock()
	if n := len(s.phases); n > 0 && s.phases[n-1].EndS == 0 {
		s.phases[n-1].EndS = s.sinceStart(now)
	}
	if name != PhaseDone {
		s.phases = append(s.phases, reports.Phase{Name: name, StartS: s.sinceStart(now)})
	}
	s.con.Phase(name)
}

func (s *session) sinceStart(ns int64) float64 { return float64(ns-s.startNs) / 1e9 }

// measureClock runs the clock check on the run's clock topic and records it
// in r.clockChk; a check that could not be made is recorded with its error
// (and does not invalidate the run).
func (s *session) measureClock(ctx context.Context, topic string) {
	c := clockcheck.Check(ctx, s.ep, topic, func() int64 { return s.clock.Now() + int64(s.opts.clockSkew) }, s.sc.Env.MaxClockOffset.Duration)
	s.clockChk = c
	if c.Error != "" {
		s.con.Logf("abload: clock check: %s", c.Error)
		return
	}
	off, unc := c.OffsetMs, c.UncertaintyMs
	word := "within"
	if !c.Within {
		word = "BEYOND"
	}
	s.con.Logf("abload: clock: the broker's clock is %+.1f ms ± %.1f ms off this host's (%s env.max_clock_offset %s)",
		off, unc, word, s.sc.Env.MaxClockOffset)
}

func newRunID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// start brings the deployment up: the environment, the topics and the job
// (startup), logging into logDir. end tears all of it down, whatever
// happened after; start calls it itself when startup fails.
func (s *session) start(ctx context.Context, logDir string) (end func(), err error) {
	s.phase(PhaseStartup)
	// Teardown runs whatever happened: on success, failure and abort.
	end = func() {
		s.phase(PhaseTeardown)
		s.teardown()
		s.phase(PhaseDone)
	}
	if err := s.startup(ctx, logDir); err != nil {
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

func (s *session) startup(ctx context.Context, logDir string) error {
	sc := s.sc
	if err := CheckFlinkKeys(sc, s.opts.Runtime); err != nil {
		return err
	}
	if cpus := sc.Env.Pin.Harness; cpus != "" {
		// Before anything starts: the load's goroutines run on threads
		// created from pinned ones.
		threads, unpin, err := proc.PinHarness(cpus)
		if err != nil {
			return fmt.Errorf("env.pin.harness: %w", err)
		}
		s.unpin = unpin
		// The Go runtime lowers GOMAXPROCS to the pinned CPUs by itself
		// (it rereads the affinity about once a second).
		s.con.Logf("abload: harness pinned to CPUs %s (%d threads)", cpus, threads)
	}
	if s.opts.Env != nil {
		s.env = s.opts.Env
	} else {
		env, err := NewEnvironment(sc, s.opts.Runtime, logDir, s.opts.OutDir, s.con.Logf, s.opts.Secrets)
		if err != nil {
			return err
		}
		s.env = env
	}
	if ep := s.env.Endpoints(); ep != nil {
		s.ep = ep // a shared environment, already up
	} else {
		t0 := time.Now()
		ep, err := s.env.Start(ctx)
		if err != nil {
			return fmt.Errorf("start %s environment: %w", s.env.Kind(), err)
		}
		s.ep = ep
		s.con.Logf("abload: environment %s up in %.1fs (kafka %s, flink REST %s)", s.env.Kind(), time.Since(t0).Seconds(), ep.KafkaBootstrap[0], ep.FlinkREST)
	}
	if why := experimentalLine(sc, s.env.FlinkVersion()); why != "" {
		s.con.Logf("abload: warning: %s", why)
	}
	var err error
	if s.netProxy, err = faults.SetupNetwork(s.env, s.sc, s.con.Logf); err != nil {
		return err
	}

	plan := kafka.PlanTopics(sc, s.runID)
	s.topics = plan.Topics
	if err := kafka.CheckExistingTopics(ctx, s.ep, plan.Existing); err != nil {
		return err
	}
	if sc.Env.Kind == scenarios.EnvExternal && sc.Env.External.Topics.Input != "" {
		var err error
		if s.inputParts, s.inputBase, err = kafka.TopicEnd(ctx, s.ep, s.topics.Input); err != nil {
			return err
		}
		s.con.Logf("abload: input topic %s (not created by abload): %d partition(s), %d record(s) before the run", s.topics.Input, s.inputParts, s.inputBase)
	}
	created, err := kafka.CreateTopics(ctx, s.ep, plan.Create, sc.Kafka.Partitions)
	s.created = created
	if err != nil {
		return err
	}
	s.measureClock(ctx, plan.Clock)
	s.flink = s.ep.FlinkClient()
	if id := sc.Env.External.JobID; sc.Env.Kind == scenarios.EnvExternal && id != "" {
		return s.attach(ctx, id)
	}
	t1 := time.Now()
	tSubmit := t1 // the job's submission: after the wait for slots and the jar upload
	restore := ""
	if sc.Job.RestoreFrom != "" {
		var err error
		if restore, err = filepath.Abs(sc.Job.RestoreFrom); err != nil {
			return err
		}
	}
	if sc.Env.Scheduler != scenarios.SchedulerReactive {
		if err := s.waitForSlots(ctx, sc.Job.Parallelism, 60*time.Second); err != nil {
			return err
		}
	}
	tSubmit = time.Now()
	if sc.Job.Custom() {
		if err := s.submitCustom(ctx, restore); err != nil {
			return restoreFailed(restore, err)
		}
	} else if sc.Env.Scheduler == scenarios.SchedulerReactive {
		if err := s.startApplication(ctx, restore); err != nil {
			return restoreFailed(restore, err)
		}
	} else {
		jarID, err := s.flink.UploadJar(ctx, s.opts.Runtime.JobJar)
		if err != nil {
			return fmt.Errorf("upload job jar: %w", err)
		}
		if sc.Env.Kind == scenarios.EnvExternal || s.opts.Env != nil {
			// Not ours to leave behind on someone's cluster, nor on one
			// that outlives the run.
			s.jarID = jarID
		}
		// The A/B job takes the job section's knobs as arguments; only the
		// scenario's own job.flink_config goes in its Flink configuration.
		tSubmit = time.Now()
		s.jobID, err = s.flink.RunJarWith(ctx, jarID, flink.RunJarRequest{Args: job.Args(s.jobTarget()), Parallelism: sc.Job.Parallelism,
			Savepoint: restore, Config: scenarios.FlinkConfigMap(sc.Job.FlinkConfig)})
		if err != nil {
			return restoreFailed(restore, fmt.Errorf("submit job: %w", err))
		}
	}
	jd, err := s.flink.WaitRunning(ctx, s.jobID, 60*time.Second)
	if err != nil {
		if restore != "" {
			// A state the new job can't take fails its tasks as they
			// restore: the job restarts until the wait ends.
			ectx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			why := flink.FirstLines(s.flink.JobExceptions(ectx, s.jobID), 5)
			cancel()
			return fmt.Errorf("job.restore_from %s: the job did not run with it: %w; Flink's exceptions: %s", restore, err, why)
		}
		return err
	}
	s.live.SetParallelism(jd.Parallelism())
	s.con.Logf("abload: job %s running (parallelism %d) %.1fs after submission", s.jobID, jd.Parallelism(), time.Since(t1).Seconds())
	if restore != "" {
		s.restore = s.restoreRecord(ctx, restore, time.Since(tSubmit))
	}
	s.writeEndpoints()
	if s.opts.JobRunning != nil {
		s.opts.JobRunning(ctx, s.flink, s.jobID)
	}
	return nil
}

// restoreFailed names job.restore_from's savepoint in a submission's
// error, when there is one.
func restoreFailed(restore string, err error) error {
	if restore == "" {
		return err
	}
	return fmt.Errorf("job.restore_from %s: %w", restore, err)
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
func (s *session) waitForSlots(ctx context.Context, need int, timeout time.Duration) error {
	if need <= 0 {
		return nil
	}
	deadline := time.Now().Add(timeout)
	said := false
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ov, err := s.flink.Overview(qctx)
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
			s.con.Logf("abload: waiting for %d free task slot(s) (%d of %d free)", need, ov.SlotsAvailable, ov.SlotsTotal)
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
func (s *session) writeEndpoints() {
	var flink []env.FlinkMetricsEndpoint
	if l, ok := s.env.(env.FlinkMetricsLister); ok {
		flink = l.FlinkMetricsEndpoints()
	}
	harness := s.metricsAddr
	logs := filepath.Join(s.opts.OutDir, "logs")
	if err := os.WriteFile(filepath.Join(logs, "metrics-endpoints.txt"), []byte(live.EndpointsText(harness, flink)), 0o644); err != nil {
		s.con.Logf("abload: %v", err)
	}
	if err := os.WriteFile(filepath.Join(logs, "prometheus-targets.json"), live.FileSDTargets(s.runID, harness, flink), 0o644); err != nil {
		s.con.Logf("abload: %v", err)
	}
}

func (s *session) teardown() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.flink != nil && s.jobID != "" && !s.attached {
		if err := s.flink.CancelJob(ctx, s.jobID); err != nil {
			s.con.Logf("abload: cancel job %s: %v", s.jobID, err)
		}
	}
	if s.flink != nil && s.jarID != "" {
		if err := s.flink.DeleteJar(ctx, s.jarID); err != nil {
			s.con.Logf("abload: delete uploaded jar %s: %v", s.jarID, err)
		}
	}
	switch {
	case s.sc.Env.Kind == scenarios.EnvExternal && len(s.created) > 0:
		s.cleanupTopics()
	case s.opts.Env != nil && len(s.created) > 0:
		// An environment that outlives the run (shared by a matrix, or
		// standing between runs) gets back what it had: no topics of ours.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.awaitJobEnd(ctx, 10*time.Second)
		if err := kafka.DeleteTopics(ctx, s.ep, s.created); err != nil {
			s.con.Logf("abload: delete the run's topics: %v", err)
		}
		// A standing environment: the result says if the run did not
		// leave it as it found it (the next run would start from there).
		if st, ok := s.opts.Env.(interface {
			Left(context.Context, time.Duration) string
		}); ok {
			s.leftChanged = st.Left(ctx, 10*time.Second)
		}
	}
	if s.env != nil && s.opts.Env == nil {
		if err := env.Stop(s.env); err != nil {
			s.con.Logf("abload: stop environment: %v", err)
		}
	}
	if s.unpin != nil {
		s.unpin()
		s.unpin = nil
	}
}

// awaitJobEnd waits up to timeout for the cancelled job to reach a
// terminal state, so that its tasks have let go of its topics and slots
// before the topics are deleted (the next run on the environment then
// finds it as this one did).
func (s *session) awaitJobEnd(ctx context.Context, timeout time.Duration) {
	if s.flink == nil || s.jobID == "" || s.attached {
		return
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		// The dispatcher's list, not the job's details: those are cached
		// for web.refresh-interval (1 s), and said CANCELED up to a second
		// after the job was.
		state, err := s.flink.JobStatus(ctx, s.jobID)
		if err != nil {
			return
		}
		switch state {
		case "CANCELED", "FAILED", "FINISHED":
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cleanupTopics deletes, with --cleanup, the topics this run created on an
// external cluster (never one it did not create); without, it says which
// it leaves.
func (s *session) cleanupTopics() {
	if !s.opts.Cleanup {
		s.con.Logf("abload: left the run's topics on the cluster: %s (--cleanup deletes them)", strings.Join(s.created, ", "))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafka.DeleteTopics(ctx, s.ep, s.created); err != nil {
		s.con.Logf("abload: --cleanup: %v", err)
		return
	}
	s.con.Logf("abload: --cleanup: deleted the run's topics %s", strings.Join(s.created, ", "))
}

func (s *session) currentPhase() string {
	s.phaseMu.Lock()
	defer s.phaseMu.Unlock()
	if n := len(s.phases); n > 0 {
		return s.phases[n-1].Name
	}
	return ""
}
