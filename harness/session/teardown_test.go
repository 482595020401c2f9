package session

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/scenarios"
)

// stopEnv is an environment that records the time its Stop was given.
type stopEnv struct {
	stops  int
	budget time.Duration
}

func (e *stopEnv) Kind() string                                  { return "fake" }
func (e *stopEnv) Start(context.Context) (*env.Endpoints, error) { return &env.Endpoints{}, nil }
func (e *stopEnv) Endpoints() *env.Endpoints                     { return &env.Endpoints{} }
func (e *stopEnv) FlinkVersion() string                          { return "" }
func (e *stopEnv) KafkaVersion() string                          { return "" }
func (e *stopEnv) Stop(ctx context.Context) error {
	e.stops++
	if d, ok := ctx.Deadline(); ok {
		e.budget = time.Until(d)
	}
	return nil
}

// A run's teardown stops the environment it started with env.StopTimeout
// (not what is left of the few seconds cancelling the job may take), and
// leaves one it was given alone.
func TestTeardownStopsItsEnvironmentWithTheOneTimeout(t *testing.T) {
	own := &stopEnv{}
	s := &session{sc: scenarios.Defaults(), con: live.NewConsole(io.Discard, nil), clock: NewClock(), env: own}
	s.teardown()
	if own.stops != 1 || own.budget > env.StopTimeout || own.budget < env.StopTimeout-5*time.Second {
		t.Errorf("own environment: %d stop(s) given %s, want 1 given env.StopTimeout %s", own.stops, own.budget, env.StopTimeout)
	}
	given := &stopEnv{}
	s = &session{opts: Options{Env: given}, sc: scenarios.Defaults(), con: live.NewConsole(io.Discard, nil), clock: NewClock(), env: given}
	s.teardown()
	if given.stops != 0 {
		t.Errorf("an environment the caller gave was stopped %d time(s)", given.stops)
	}
}
