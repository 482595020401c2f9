package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/harness/session"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

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
	opts = opts.WithDefaults()
	defer func() { err = opts.Secrets.Error(err) }()
	if !opts.Scenario.Job.Checkpoint.ControlRun {
		return session.Run(ctx, opts)
	}
	con := live.NewConsole(opts.Stderr, opts.Secrets)
	if opts.Env == nil && !NeedsOwnEnvironment(opts.Scenario) {
		// One environment for the run and its control, so that they differ
		// only in checkpointing.
		if err := os.MkdirAll(filepath.Join(opts.OutDir, "logs"), 0o755); err != nil {
			return nil, err
		}
		shared, err := NewEnvironment(opts.Scenario, opts.Runtime, filepath.Join(opts.OutDir, "logs"), opts.OutDir, con.Logf, opts.Secrets)
		if err != nil {
			return nil, err
		}
		defer func() { _ = env.Stop(shared) }()
		t0 := time.Now()
		if _, err := shared.Start(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("%w during startup", ErrAborted)
			}
			return nil, fmt.Errorf("start %s environment: %w", shared.Kind(), err)
		}
		con.Logf("abload: environment %s up in %.1fs, shared by the run and its control run", shared.Kind(), time.Since(t0).Seconds())
		opts.Env = shared
	}
	res, err = session.Run(ctx, opts)
	if err != nil || res == nil || res.Status != reports.StatusOK {
		return res, err
	}
	ctl, note := controlScenario(opts.Scenario)
	copts := opts
	copts.Scenario, copts.OutDir, copts.JobRunning = ctl, filepath.Join(opts.OutDir, "control"), nil
	con.Logf("abload: control run (checkpointing off) into %s", copts.OutDir)
	cres, cerr := session.Run(ctx, copts)
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
