package session

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
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

// WithDefaults gives the options what they must have.
func (o Options) WithDefaults() Options {
	if o.Secrets == nil {
		o.Secrets = &redact.Secrets{}
	}
	if sc := o.Scenario; sc != nil && sc.Env.Kind == scenarios.EnvExternal && sc.Env.FlinkVersion == "" && o.Runtime != nil && o.Runtime.FlinkVersion() != "" {
		// An external cluster's line left unset and not resolved by the
		// caller (abload run resolves it from the cluster): the bundle's,
		// whose job the run submits; the environment holds the cluster to it.
		c := *sc
		c.Env.FlinkVersion = scenarios.FlinkLineOf(o.Runtime.FlinkVersion())
		o.Scenario = &c
	}
	return o
}

// newRun is a run's state before it starts: a rig on a session.
func newRun(opts Options) *rig { return newRig(newSession(opts)) }

// Run executes one benchmark run end to end on one deployment and returns
// its result (see harness.Run, which adds the control run). The result is
// nil only when the run ended before the measurement phase began.
// Everything Run starts is stopped before it returns.
func Run(ctx context.Context, opts Options) (*reports.Result, error) {
	opts = opts.WithDefaults()
	res, err := newRun(opts).run(ctx)
	redact.Scrub(opts.Secrets, res)
	return res, opts.Secrets.Error(err)
}
