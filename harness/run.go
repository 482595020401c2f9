package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/live"
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
func newRun(opts Options) *rig { return newRig(newSession(opts)) }

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
	res, err := newRun(opts).run(ctx)
	redact.Scrub(opts.Secrets, res)
	return res, opts.Secrets.Error(err)
}
