package harness

import (
	"context"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/harness/session"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// Options configures a run, a matrix's runs and a capacity search
// (session.Options).
type Options = session.Options

// InputError is a problem with the scenario found before anything started.
type InputError = env.InputError

// ErrAborted marks a run stopped by its context (SIGINT/SIGTERM).
var ErrAborted = session.ErrAborted

// Phase names, in order. Each change is logged as `abload: phase=<name>`.
const (
	PhaseStartup  = session.PhaseStartup
	PhasePrefill  = session.PhasePrefill
	PhaseWarmup   = session.PhaseWarmup
	PhaseMeasure  = session.PhaseMeasure
	PhaseCooldown = session.PhaseCooldown
	PhaseDrain    = session.PhaseDrain
	PhaseCapacity = session.PhaseCapacity
	PhaseTeardown = session.PhaseTeardown
	PhaseDone     = session.PhaseDone
)

// Capacity runs `abload capacity`: it starts the environment (unless given
// one), submits the job once and searches for the highest rate that holds
// the scenario's capacity SLOs (harness/capacity), stepping the offered
// rate of one open-loop schedule. The answer is returned (with the steps so
// far) whenever the search began, also on abort or failure alongside the
// error.
func Capacity(ctx context.Context, opts Options) (*reports.Capacity, error) {
	return session.Capacity(ctx, opts)
}

// CheckFlinkKeys refuses a scenario with a Flink configuration key the
// runtime bundle's Flink does not know (an *env.InputError naming it), the
// cluster's and the job's: the CLI calls it before it creates anything;
// every run calls it again as it starts.
func CheckFlinkKeys(sc *scenarios.Scenario, rt *cluster.Runtime) error {
	return session.CheckFlinkKeys(sc, rt)
}

// NewEnvironment builds (does not start) the environment a scenario asks
// for (session.NewEnvironment).
func NewEnvironment(sc *scenarios.Scenario, rt *cluster.Runtime, logDir, outDir string, logf func(string, ...any), secrets *redact.Secrets) (env.Environment, error) {
	return session.NewEnvironment(sc, rt, logDir, outDir, logf, secrets)
}
