package env

import (
	"context"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/scenarios"
)

// Spec is what an environment factory is given: the scenario, the
// runtime bundle, the run's log directory and a progress sink.
type Spec struct {
	Scenario *scenarios.Scenario
	Runtime  *cluster.Runtime
	LogDir   string
	// SharedDirs are host directories the Flink processes must see at the
	// same path (savepoints are written into the run's output directory;
	// job.restore_from is read).
	SharedDirs []string
	Logf       func(format string, args ...any)
	// Exec runs the environment's short-lived helper commands (Flink's
	// BashJavaUtils): unpinned when abload is pinned (env.pin.harness).
	Exec cluster.Exec
	// Secrets receives the credentials the environment reads (nil: none
	// are kept, for tests).
	Secrets *redact.Secrets
}

// Factory builds (does not start) an environment.
type Factory func(Spec) (Environment, error)

var factories = map[string]Factory{}

// Register makes env.kind `kind` available to runs. harness registers
// the local and external kinds; the Docker one (testcontainers) registers
// itself from init.
func Register(kind string, f Factory) { factories[kind] = f }

// InputError is a problem with the scenario (or the files and variables it
// names) found before anything started.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Environment is one place where Kafka and a Flink cluster run: the local
// processes, Docker containers, or an external cluster. Start brings it up and
// waits until it is ready; Stop tears down everything Start created, may be
// called more than once, and must work after a failed or cancelled Start.
type Environment interface {
	Kind() string
	Start(ctx context.Context) (*Endpoints, error)
	// Endpoints returns what Start returned, or nil before a successful Start.
	Endpoints() *Endpoints
	Stop(ctx context.Context) error
	FlinkVersion() string
	KafkaVersion() string
}

// Lookup returns the factory registered for env.kind kind.
func Lookup(kind string) (Factory, bool) {
	f, ok := factories[kind]
	return f, ok
}

// StopTimeout bounds how long stopping an environment may take, wherever it
// is stopped: a run's teardown, the end of an environment shared by a run
// and its control run, the environment pool.
const StopTimeout = 60 * time.Second

// Stop stops e within StopTimeout, whatever became of the caller's context
// (an aborted run still stops what it started).
func Stop(e Environment) error {
	ctx, cancel := context.WithTimeout(context.Background(), StopTimeout)
	defer cancel()
	return e.Stop(ctx)
}
