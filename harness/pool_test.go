package harness

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/scenarios"
)

// poolEnv is an environment that only counts its starts and stops.
type poolEnv struct {
	starts, stops int
	logDir        string
	stopBudget    time.Duration // the time the last Stop was given
}

func (e *poolEnv) Kind() string { return "fake" }
func (e *poolEnv) Start(context.Context) (*env.Endpoints, error) {
	e.starts++
	return &env.Endpoints{}, nil
}
func (e *poolEnv) Endpoints() *env.Endpoints { return &env.Endpoints{} }
func (e *poolEnv) Stop(ctx context.Context) error {
	e.stops++
	if d, ok := ctx.Deadline(); ok {
		e.stopBudget = time.Until(d)
	}
	return nil
}
func (e *poolEnv) FlinkVersion() string { return "" }
func (e *poolEnv) KafkaVersion() string { return "" }

func testPool(t *testing.T) (*EnvPool, *[]*poolEnv) {
	t.Helper()
	var made []*poolEnv
	p := NewEnvPool(nil, t.TempDir(), t.Logf, nil)
	p.newEnv = func(_ *scenarios.Scenario, logDir string) (env.Environment, error) {
		e := &poolEnv{logDir: logDir}
		made = append(made, e)
		return e, nil
	}
	return p, &made
}

func points(t *testing.T, path string, sets ...string) []scenarios.MatrixPoint {
	t.Helper()
	sc, err := scenarios.Load(path, sets)
	if err != nil {
		t.Fatal(err)
	}
	return sc.Points()
}

// The one sharing rule, as a matrix and a capacity curve use it: points
// that differ only in env.network's shaping (or env.pin.harness) run on one
// environment, started once; a point with another env section stops it and
// starts its own; a point that needs its own environment gets none.
func TestEnvPoolSharesByOneRule(t *testing.T) {
	ctx := context.Background()
	// A capacity curve over env.network: one cluster for all its points.
	p, made := testPool(t)
	pts := points(t, "../scenarios/capacity.yaml", "matrix={env.network.latency: [5ms, 20ms, 50ms]}")
	if len(pts) != 3 {
		t.Fatalf("%d points", len(pts))
	}
	var first env.Environment
	for i, pt := range pts {
		env, err := p.For(ctx, pt.Scenario, i+1)
		if err != nil || env == nil {
			t.Fatalf("point %d: %v, %v", i, env, err)
		}
		if i == 0 {
			first = env
		} else if env != first {
			t.Errorf("point %s got another environment", pt.Name)
		}
	}
	p.Close()
	if len(*made) != 1 || (*made)[0].starts != 1 || (*made)[0].stops != 1 {
		t.Errorf("a curve over env.network: %d environment(s) made, want 1 started and stopped once", len(*made))
	}

	// Over env.taskmanagers: one each, the previous stopped before the next starts.
	p, made = testPool(t)
	pts = points(t, "../scenarios/capacity.yaml", "matrix={env.taskmanagers: [1, 2]}")
	for i, pt := range pts {
		if _, err := p.For(ctx, pt.Scenario, i+1); err != nil {
			t.Fatal(err)
		}
	}
	if len(*made) != 2 || (*made)[0].stops != 1 || (*made)[1].stops != 0 {
		t.Errorf("over env.taskmanagers: %d made, first stopped %d time(s), second %d: want 2, 1, 0", len(*made), (*made)[0].stops, (*made)[1].stops)
	}
	// A point that needs its own environment gets none, and the one up stops.
	own, err := scenarios.Load("../scenarios/quick.yaml", []string{"env.scheduler=reactive"})
	if err != nil {
		t.Fatal(err)
	}
	if env, err := p.For(ctx, own, 3); env != nil || err != nil {
		t.Errorf("reactive: got %v, %v; want none", env, err)
	}
	if (*made)[1].stops != 1 || p.Started() != 2 {
		t.Errorf("the shared environment was not stopped before a run with its own (stops %d, started %d)", (*made)[1].stops, p.Started())
	}
	// Discard (after a failed run): the next run gets a fresh one.
	if _, err := p.For(ctx, pts[0].Scenario, 4); err != nil {
		t.Fatal(err)
	}
	p.Discard()
	if _, err := p.For(ctx, pts[0].Scenario, 4); err != nil {
		t.Fatal(err)
	}
	if p.Started() != 4 || (*made)[2].stops != 1 {
		t.Errorf("after Discard: started %d, want 4", p.Started())
	}
	// Each environment logs into logs/env-<the run that started it>.
	for i, want := range []string{"env-1", "env-2", "env-4", "env-4"} {
		if got := filepath.Base((*made)[i].logDir); got != want {
			t.Errorf("environment %d logs into %s, want %s", i+1, got, want)
		}
	}
	p.Close()
}

// Every environment the pool stops gets env.StopTimeout, the one stop
// timeout (a run's teardown gives its own environment the same).
func TestEnvPoolStopsWithTheOneTimeout(t *testing.T) {
	p, made := testPool(t)
	sc := scenarios.Defaults()
	if _, err := p.For(context.Background(), sc, 0); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if len(*made) != 1 || (*made)[0].stops != 1 {
		t.Fatalf("made %d, stops %+v", len(*made), *made)
	}
	if b := (*made)[0].stopBudget; b > env.StopTimeout || b < env.StopTimeout-5*time.Second {
		t.Errorf("stop was given %s, want env.StopTimeout %s", b, env.StopTimeout)
	}
}
