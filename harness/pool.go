package harness

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/scenarios"
)

// EnvPool hands environments to a sequence of runs (a matrix's runs, a
// capacity curve's searches) by one sharing rule: a run whose scenario has
// the same sharing key as the environment up (SharedEnvKey) uses it; any
// other stops it and gets a new one, started when asked for; a run that
// needs its own (NeedsOwnEnvironment) gets none and starts its own.
type EnvPool struct {
	rt *cluster.Runtime
	// runtimes are the bundles by Flink line (env.flink_version); a
	// scenario whose line is not here runs on rt.
	runtimes map[string]*cluster.Runtime
	outDir   string // each environment logs into outDir/logs/env-<run that started it>
	logf     func(string, ...any)
	// newEnv builds an environment (NewEnvironment; tests replace it).
	newEnv func(sc *scenarios.Scenario, logDir string) (env.Environment, error)

	env     env.Environment
	key     scenarios.Env
	started int // environments started so far

	// standing, when set, is the one environment every run uses: started
	// by abload env up, attached by the caller, never stopped by the pool.
	standing *standing.Attached
}

// UseStanding makes the pool hand a, a standing environment the caller has
// attached (started), to every run that can use it (FitsStanding) and an
// error to any other. The pool neither starts nor stops it.
func (p *EnvPool) UseStanding(a *standing.Attached) { p.standing = a }

// FitsStanding says why a run of sc with the runtime bundle rt can't use
// the standing environment recorded in st (nil if it can): the same Flink
// and Kafka versions, no need for an environment of its own, no faults
// (they kill, pause or cut what every later run uses), the same env
// section.
func FitsStanding(st *standing.State, sc *scenarios.Scenario, rt *cluster.Runtime) error {
	if rt != nil && scenarios.FlinkLineOf(rt.FlinkVersion()) != scenarios.FlinkLineOf(st.FlinkVersion) {
		return fmt.Errorf("--env-file: the environment in %s runs Flink %s; the scenario asks for Flink %s (env.flink_version): run it with --set env.flink_version=%s, or start an environment of that line",
			st.Dir, st.FlinkVersion, sc.Env.FlinkVersion, scenarios.FlinkLineOf(st.FlinkVersion))
	}
	if rt != nil && (rt.FlinkVersion() != st.FlinkVersion || rt.KafkaVersion() != st.KafkaVersion) {
		return fmt.Errorf("--env-file: the environment in %s runs flink %s and kafka %s; the runtime bundle %s is flink %s and kafka %s (its job jar is built for it)",
			st.Dir, st.FlinkVersion, st.KafkaVersion, rt.Dir, rt.FlinkVersion(), rt.KafkaVersion())
	}
	if err := standing.Refuse(sc); err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	switch {
	case NeedsOwnEnvironment(sc):
		return errors.New("--env-file: the scenario scales the cluster (scaling): its runs start their own environment")
	case len(sc.Faults) > 0:
		return errors.New("--env-file: the scenario injects faults, which kill, pause or cut processes every later run uses: its runs start their own environment")
	case st.Kind == scenarios.EnvDocker && (sc.Job.SavepointAtEnd || sc.Job.RestoreFrom != ""):
		return fmt.Errorf("--env-file: the Docker environment in %s was started without the runs' directories mounted into its containers, and job.savepoint_at_end and job.restore_from need them: run without --env-file (the run starts containers of its own), or on a local environment", st.Dir)
	}
	if err := st.Fits(SharedEnvKey(sc)); err != nil {
		return fmt.Errorf("--env-file: %w", err)
	}
	return nil
}

// NewEnvPool returns a pool whose environments log under outDir/logs; the
// credentials they read go into secrets.
func NewEnvPool(rt *cluster.Runtime, outDir string, logf func(string, ...any), secrets *redact.Secrets) *EnvPool {
	p := &EnvPool{rt: rt, outDir: outDir, logf: logf}
	p.newEnv = func(sc *scenarios.Scenario, logDir string) (env.Environment, error) {
		return NewEnvironment(sc, p.runtimeFor(sc), logDir, outDir, logf, secrets)
	}
	return p
}

// SetRuntimes gives the pool the bundles of the Flink lines its runs ask
// for (env.flink_version), by line; a run of a line not here gets the
// pool's own bundle, and its start refuses a bundle of another line.
func (p *EnvPool) SetRuntimes(rts map[string]*cluster.Runtime) { p.runtimes = rts }

// runtimeFor is the bundle of sc's Flink line.
func (p *EnvPool) runtimeFor(sc *scenarios.Scenario) *cluster.Runtime {
	if rt, ok := p.runtimes[sc.Env.FlinkVersion]; ok {
		return rt
	}
	return p.rt
}

// For returns the environment run number run (1-based) of sc uses: the
// one up if sc may share it, else a new one, started (the previous one
// stopped first), logging into logs/env-<run>. nil (and no error) when sc
// needs an environment of its own.
func (p *EnvPool) For(ctx context.Context, sc *scenarios.Scenario, run int) (env.Environment, error) {
	if p.standing != nil {
		if err := FitsStanding(p.standing.State(), sc, p.runtimeFor(sc)); err != nil {
			return nil, err
		}
		if run > 1 {
			if err := p.standing.Recheck(ctx); err != nil {
				return nil, err
			}
		}
		return p.standing, nil
	}
	own := NeedsOwnEnvironment(sc)
	key := SharedEnvKey(sc)
	if p.env != nil && (own || !reflect.DeepEqual(p.key, key)) {
		p.Discard()
	}
	if own || p.env != nil {
		return p.env, nil
	}
	p.started++
	e, err := p.newEnv(sc, filepath.Join(p.outDir, "logs", fmt.Sprintf("env-%d", run)))
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if _, err := e.Start(ctx); err != nil {
		p.stop(e)
		return nil, fmt.Errorf("start %s environment: %w", e.Kind(), err)
	}
	p.logf("abload: environment %s up in %.1fs, shared by the runs with the same env section", e.Kind(), time.Since(t0).Seconds())
	p.env, p.key = e, key
	return e, nil
}

// Started is how many environments the pool has started.
func (p *EnvPool) Started() int { return p.started }

// Discard stops the environment up, if any (after a run that failed on it,
// or before one that can't share it).
func (p *EnvPool) Discard() {
	if p.standing != nil {
		return // not the pool's to stop
	}
	if p.env != nil {
		p.stop(p.env)
		p.env = nil
	}
}

// Close stops the environment up, if any.
func (p *EnvPool) Close() { p.Discard() }

func (p *EnvPool) stop(e env.Environment) { _ = env.Stop(e) }
