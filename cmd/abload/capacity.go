package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

func capacityCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("capacity", stderr)
	fs := c.fs
	f := c.scenarioFlags("capacity.start_rate=5000", "results/<scenario>-capacity-<time>", "overwrite an existing capacity result in the directory", "the search", "during the search")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "Usage: abload capacity SCENARIO.yaml [--out DIR] [--force] [--env local|docker] [--set PATH=VALUE]...")
		fmt.Fprintln(w, "                       [--metrics-addr 127.0.0.1:PORT]")
		fmt.Fprintln(w, "\nFinds the highest input rate the scenario's configuration sustains, in one environment")
		fmt.Fprintln(w, "and one submitted job. The offered rate starts at capacity.start_rate and is multiplied by")
		fmt.Fprintln(w, "capacity.growth while steps pass, then bisected between the highest pass and the lowest")
		fmt.Fprintln(w, "failure until they are within capacity.precision, capacity.max_rate passes, or")
		fmt.Fprintln(w, "capacity.budget runs out. Each step settles (capacity.settle), then is judged")
		fmt.Fprintln(w, "(capacity.judge): e2e p99 of the events intended in the judge window <= capacity.slo.e2e_p99,")
		fmt.Fprintln(w, "input lag not growing (least-squares slope <= capacity.slo.lag_slope_ratio × rate), send")
		fmt.Fprintln(w, "delay p99 <= workload.max_send_delay, no failed checkpoint and no restart. Between steps")
		fmt.Fprintln(w, "the load pauses until the backlog drains (capacity.drain_timeout, else the step fails).")
		fmt.Fprintln(w, "workload.rate, its profile, duration and cooldown are not used; workload.warmup warms the")
		fmt.Fprintln(w, "job up at capacity.start_rate before the first step (not judged).")
		fmt.Fprintln(w, "\nWrites capacity.json, capacity.md, capacity.html (the steps' charts) and logs/ into the")
		fmt.Fprintln(w, "directory (for a matrix, into one subdirectory per point, and the curve's")
		fmt.Fprintln(w, "capacity-curve.json, capacity.md and capacity.html into the directory); one line per step")
		fmt.Fprintln(w, "on stderr (`abload: capacity step N: R events/s ... pass|fail (reason)`) and the answer on")
		fmt.Fprintln(w, "stdout. Ctrl-C stops every process and still writes the steps judged so far.")
		fmt.Fprintln(w, "\nExit codes: 0 ok, 1 runtime error or aborted, 2 invalid input.")
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	path, code := c.parseOne(args, "SCENARIO.yaml")
	if code >= 0 {
		return code
	}
	sc, code := f.load(c, path)
	if sc == nil {
		return code
	}
	if sc.Repetitions > 1 {
		fmt.Fprintln(stderr, "abload capacity: repetitions > 1: a capacity search runs each configuration once (a matrix makes a capacity curve)")
		return exitInput
	}
	if len(sc.Faults) > 0 {
		fmt.Fprintln(stderr, "abload capacity: the scenario schedules faults: a capacity search injects none (remove faults)")
		return exitInput
	}
	if !sc.Job.Outputs.Updates {
		fmt.Fprintln(stderr, "abload capacity: job.outputs.updates is false: the search judges e2e latency from the updates output")
		return exitInput
	}
	dir := *f.out
	if dir == "" {
		dir = filepath.Join("results", fmt.Sprintf("%s-capacity-%s", sc.Name, time.Now().Format("20060102-150405")))
	}
	for _, name := range []string{"capacity.json", "capacity-curve.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil && !*f.force {
			fmt.Fprintf(stderr, "abload capacity: %s already holds a capacity result (%s); choose another --out or pass --force\n", dir, name)
			return exitInput
		}
	}
	points := sc.Points()
	if len(points) == 1 {
		sc = points[0].Scenario // a one-point matrix searches that point
	}
	if _, code := resolveExternalLines(context.Background(), stderr, "capacity", points, false); code != exitOK {
		return code
	}
	rts, code := findRuntimes(stderr, "capacity", *f.runtime, points)
	if code != exitOK {
		return code
	}
	rt := rts[sc.Env.FlinkVersion]
	if code := checkFlinkKeys(stderr, "capacity", points, rts); code != exitOK {
		return code
	}
	attached, code := f.attach(c, sc, rts)
	if code >= 0 {
		return code
	}
	if *f.force {
		for _, name := range []string{"capacity.json", "capacity.md", reports.CapacityHTMLFile, "capacity-curve.json"} {
			_ = os.Remove(filepath.Join(dir, name))
		}
		_ = os.RemoveAll(filepath.Join(dir, "logs"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "abload capacity: %v\n", err)
		return exitRuntime
	}

	ctx, done := interruptible(stderr)
	defer done()
	var opts harness.Options
	stop, ok := startStanding(ctx, c, attached, &opts)
	if !ok {
		return exitRuntime
	}
	defer stop()

	if len(points) > 1 {
		return capacityCurve(ctx, sc, points, dir, rts, *f.metricsAddr, *f.cleanup, attached, stdout, stderr)
	}
	opts.Scenario, opts.OutDir, opts.Runtime, opts.Stderr, opts.Version, opts.MetricsAddr, opts.Cleanup = sc, dir, rt, stderr, version, *f.metricsAddr, *f.cleanup
	res, err := harness.Capacity(ctx, opts)
	if res == nil {
		return noResult(stderr, path, "capacity", dir, err)
	}
	if werr := reports.WriteCapacity(dir, res); werr != nil {
		fmt.Fprintf(stderr, "abload: %v\n", werr)
		return exitRuntime
	}
	fmt.Fprintln(stdout, reports.CapacityAnswer(res))
	fmt.Fprintf(stdout, "\nresult: %s\n", filepath.Join(dir, "capacity.json"))
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, reports.CapacityHTMLFile))
	if err != nil {
		fmt.Fprintf(stderr, "abload: %v (partial result written)\n", err)
		return exitRuntime
	}
	return exitOK
}

// capacityCurve runs one capacity search per matrix point (a capacity
// curve), each into DIR/<point>, sharing one environment among consecutive
// points with the same env section, then writes capacity-curve.json and
// capacity.md and capacity.html with the scaling efficiency and the demand
// answer.
func capacityCurve(ctx context.Context, sc *scenarios.Scenario, points []scenarios.MatrixPoint, dir string, rts map[string]*cluster.Runtime, metricsAddr string, cleanup bool, attached *standing.Attached, stdout, stderr io.Writer) int {
	// One set of secrets for the whole curve: the pool's environments and
	// every search add to it, and everything printed here goes through it.
	// Capacity gets the raw stderr: its console redacts with the same set
	// and needs the terminal itself to redraw its status block in place.
	secrets := &redact.Secrets{}
	errw := secrets.Writer(stderr)
	logf := func(format string, args ...any) { fmt.Fprintf(errw, format+"\n", args...) }
	curve := &reports.CapacityCurve{Name: sc.Name, TargetEPS: sc.Capacity.TargetRate, Headroom: sc.Capacity.Headroom}
	pool := harness.NewEnvPool(rts[points[0].Scenario.Env.FlinkVersion], dir, logf, secrets)
	pool.SetRuntimes(rts)
	if attached != nil {
		pool.UseStanding(attached)
	}
	defer pool.Close()
	failed := false
	for i, p := range points {
		if ctx.Err() != nil {
			break
		}
		pdir := filepath.Join(dir, p.Name)
		if err := os.MkdirAll(pdir, 0o755); err != nil {
			fmt.Fprintf(errw, "abload capacity: %v\n", err)
			return exitRuntime
		}
		logf("abload: capacity curve point %d/%d: %s (%s)", i+1, len(points), p.Name, strings.Join(p.Settings, " "))
		env, err := pool.For(ctx, p.Scenario, i+1)
		if err != nil {
			fmt.Fprintf(errw, "abload capacity: %v\n", secrets.Error(err))
			return exitRuntime
		}
		cp := reports.CurvePoint{Name: p.Name, Settings: p.Settings, Dir: p.Name,
			Parallelism: p.Scenario.Job.Parallelism, TaskManagers: p.Scenario.Env.TaskManagers, TaskManagerCPUs: p.Scenario.Env.TaskManager.CPUs}
		res, err := harness.Capacity(ctx, harness.Options{Scenario: p.Scenario, OutDir: pdir, Runtime: rts[p.Scenario.Env.FlinkVersion], Env: env, Stderr: stderr, Version: version, MetricsAddr: metricsAddr, Cleanup: cleanup, Secrets: secrets})
		if res != nil {
			if werr := reports.WriteCapacity(pdir, res); werr != nil {
				fmt.Fprintf(errw, "abload: %v\n", werr)
			}
			cp.SustainableEPS, cp.FirstFailingEPS, cp.Confidence = res.SustainableEPS, res.FirstFailingEPS, res.Confidence
			cp.StoppedBy, cp.FailReason = res.StoppedBy, res.FailReason
			fmt.Fprintf(stdout, "%s: %s\n", p.Name, reports.CapacityAnswer(res))
		}
		if err != nil {
			cp.Error = secrets.String(err.Error())
			failed = true
			fmt.Fprintf(errw, "abload: capacity point %s: %v\n", p.Name, err)
			if !errors.Is(err, harness.ErrAborted) {
				pool.Discard() // the next point gets a fresh environment
			}
		}
		curve.Points = append(curve.Points, cp)
	}
	reports.ScalingEfficiencies(curve.Points)
	curve.Demand = reports.AnswerDemand(curve.Points, curve.TargetEPS, curve.Headroom)
	if err := reports.WriteCapacityCurve(dir, curve); err != nil {
		fmt.Fprintf(errw, "abload capacity: %v\n", err)
		return exitRuntime
	}
	if curve.Demand != nil {
		fmt.Fprintf(stdout, "demand: %s\n", curve.Demand.Evidence)
	}
	fmt.Fprintf(stdout, "\nresult: %s\n", filepath.Join(dir, "capacity-curve.json"))
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, reports.CapacityHTMLFile))
	if failed || ctx.Err() != nil || len(curve.Points) < len(points) {
		return exitRuntime
	}
	return exitOK
}
