package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// MatrixOptions configures RunMatrix.
type MatrixOptions struct {
	Source      string // scenario file name, for the index
	Points      []scenarios.MatrixPoint
	Repetitions int
	OutDir      string
	Runtime     *cluster.Runtime
	// Runtimes are the bundles of the Flink lines the points ask for
	// (env.flink_version, a matrix axis like any other); a point whose
	// line is not here runs on Runtime.
	Runtimes map[string]*cluster.Runtime
	Stderr   io.Writer
	Version  string
	// MetricsAddr, when set, serves each run's Prometheus metrics in turn.
	MetricsAddr string
	// Cleanup deletes each run's topics when it ends (external).
	Cleanup bool
	// Done is called after each run with its result (nil if none) and error;
	// it writes the run's outputs.
	Done func(dir string, res *reports.Result, err error)
	// Secrets is every run's (Options.Secrets); nil: a set of its own.
	Secrets *redact.Secrets
	// Standing, when set, is the standing environment (abload env up,
	// attached) every run uses instead of environments of the matrix's own.
	Standing *standing.Attached
}

// RunMatrix runs every point of a matrix, repetitions interleaved (A B A B,
// not A A B B, so slow drifts of the machine spread over all points), each
// into OutDir/<point>/rep-<n>, and keeps OutDir/index.json current. Points
// whose env sections are equal share one environment (started once, stopped
// at the end, logs in OutDir/logs); a point with a different env gets a new
// one. env.network's shaping does not count: each run shapes the shared
// environment's network proxy itself. An abort stops after the current run.
func RunMatrix(ctx context.Context, o MatrixOptions) (idx *reports.Index, err error) {
	if o.Secrets == nil {
		o.Secrets = &redact.Secrets{}
	}
	defer func() { err = o.Secrets.Error(err) }()
	con := live.NewConsole(o.Stderr, o.Secrets)
	idx = &reports.Index{Schema: reports.IndexSchema, Scenario: o.Source, Repetitions: o.Repetitions, StartedAt: time.Now().UTC().Format(time.RFC3339)}
	for _, p := range o.Points {
		idx.Points = append(idx.Points, reports.IndexPoint{Name: p.Name, Settings: p.Settings})
	}
	pool := NewEnvPool(o.Runtime, o.OutDir, con.Logf, o.Secrets)
	pool.SetRuntimes(o.Runtimes)
	if o.Standing != nil {
		pool.UseStanding(o.Standing)
	}
	defer pool.Close()
	slots := scenarios.Interleave(len(o.Points), o.Repetitions)
	var errs []error
	for i, slot := range slots {
		if ctx.Err() != nil {
			break
		}
		p := o.Points[slot.Point]
		rel := filepath.Join(p.Name, fmt.Sprintf("rep-%d", slot.Repetition))
		dir := filepath.Join(o.OutDir, rel)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return idx, err
		}
		con.Logf("abload: run %d/%d: %s repetition %d", i+1, len(slots), p.Name, slot.Repetition)
		env, err := pool.For(ctx, p.Scenario, i+1)
		if err != nil {
			return idx, err
		}
		res, err := Run(ctx, Options{Scenario: p.Scenario, OutDir: dir, Runtime: pool.runtimeFor(p.Scenario), Env: env, Stderr: o.Stderr, Version: o.Version, MetricsAddr: o.MetricsAddr, Cleanup: o.Cleanup, Secrets: o.Secrets})
		entry := reports.IndexRun{Point: p.Name, Repetition: slot.Repetition, Dir: rel}
		if res != nil {
			entry.Status, entry.Valid, entry.Reasons = string(res.Status), res.Valid, res.InvalidReasons
		} else {
			entry.Status = string(reports.StatusFailed)
		}
		if err != nil {
			entry.Error = err.Error()
			if !errors.Is(err, ErrAborted) {
				errs = append(errs, fmt.Errorf("%s rep %d: %w", p.Name, slot.Repetition, err))
				// What failed may have left the environment broken: the
				// next run gets a fresh one.
				pool.Discard()
			}
		}
		if o.Done != nil {
			o.Done(dir, res, err)
		}
		idx.Runs = append(idx.Runs, entry)
		if werr := writeIndex(o.OutDir, idx); werr != nil {
			return idx, werr
		}
	}
	idx.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	if werr := writeIndex(o.OutDir, idx); werr != nil {
		return idx, werr
	}
	if ctx.Err() != nil {
		return idx, ErrAborted
	}
	return idx, errors.Join(errs...)
}

// NeedsOwnEnvironment reports whether a run must start its own environment
// rather than share one: an application cluster (Reactive Mode) ends with
// its job, and scaling actions change the cluster.
func NeedsOwnEnvironment(sc *scenarios.Scenario) bool {
	return sc.Env.Scheduler == scenarios.SchedulerReactive || len(sc.Scaling) > 0
}

// SharedEnvKey is what decides whether two points can share an
// environment: the env section, except env.network's shaping, which each
// run applies to the environment's network proxy; only whether there is a
// proxy at all counts. Nor does env.pin.harness: each run pins abload itself.
func SharedEnvKey(sc *scenarios.Scenario) scenarios.Env {
	e := sc.Env
	e.Network = scenarios.Network{Proxy: sc.NeedsNetProxy()}
	e.Pin.Harness = ""
	return e
}

func writeIndex(dir string, idx *reports.Index) error {
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+reports.IndexFile+".tmp")
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, reports.IndexFile))
}
