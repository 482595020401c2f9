package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/external"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/reports/gate"
	"github.com/abload/abload/scenarios"
)

func runCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("run", stderr)
	fs := c.fs
	f := c.scenarioFlags("workload.rate=5000", "results/<scenario>-<time>", "overwrite an existing result directory", "the run", "while the run goes on")
	dryRun := fs.Bool("dry-run", false, "validate, print what the run would do (topics it would create, the job it would submit, what it would delete), and start or create nothing")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of abload itself (Go pprof format) over the whole run to this file")
	var gateFlags multiFlag
	fs.Var(&gateFlags, "gate", "a gate besides the scenario's (repeatable), e.g. --gate 'e2e.p99 < 500ms' or --gate 'e2e.p99 <= baseline * 1.10'")
	baselineArg := fs.String("baseline", "", "what baseline and worse_by gates compare with: a result.json, a run directory, a directory of runs, or a saved baseline's name (its history)")
	baselineDir := fs.String("baselines-dir", reports.DefaultBaselineDir, "where saved baselines live")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload run SCENARIO.yaml [--out DIR] [--force] [--env local|docker|external] [--set PATH=VALUE]...")
		fmt.Fprintln(fs.Output(), "                  [--gate EXPR]... [--baseline RESULT|NAME] [--metrics-addr 127.0.0.1:PORT] [--cleanup] [--dry-run]")
		fmt.Fprintln(fs.Output(), "\nBrings up the environment, submits the job, drives the scenario's open-loop load through")
		fmt.Fprintln(fs.Output(), "warmup, measure and drain, tears everything down, and writes result.json, latency.hlog,")
		fmt.Fprintln(fs.Output(), "report.md and logs/ into the result directory. Each phase change is logged to stderr as")
		fmt.Fprintln(fs.Output(), "`abload: phase=<name>`. Ctrl-C stops every process and still writes a result marked")
		fmt.Fprintln(fs.Output(), "\"aborted\" once measuring has begun.")
		fmt.Fprintln(fs.Output(), "\nGates (the scenario's gates and --gate) are evaluated after the run; their verdicts go to")
		fmt.Fprintln(fs.Output(), "result.json (gates), report.md and junit.xml. An invalid run passes no gate, and a gate whose")
		fmt.Fprintln(fs.Output(), "metric has no data (nothing measured for it) fails, saying why. Thresholds: 'e2e.p99 < 500ms',")
		fmt.Fprintln(fs.Output(), "'e2e.p99 <= baseline * 1.10' (the baseline's median). Regression checks against --baseline:")
		fmt.Fprintln(fs.Output(), "'e2e.p99 worse_by > 10%' fails only when the run is worse than the baseline's runs by more than")
		fmt.Fprintln(fs.Output(), "10% with confidence 1 - 0.05/k (one-sided, k the metrics gated so), against their run-to-run")
		fmt.Fprintln(fs.Output(), "noise (see abload compare --help); with --baseline NAME a saved baseline's history (3 or more")
		fmt.Fprintln(fs.Output(), "runs) is the noise estimate. A baseline most of whose results are invalid is refused (exit 2).")
		fmt.Fprintln(fs.Output(), "\nExit codes: 0 ok, 1 runtime error or aborted, 2 invalid input, 3 a gate failed,")
		fmt.Fprintln(fs.Output(), "4 invalid run (4 wins over 3).")
		fmt.Fprintln(fs.Output(), "\nFlags:")
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
	gates, baseline, code := loadGates(append(append([]string(nil), sc.Gates...), gateFlags...), *baselineArg, *baselineDir, stderr)
	if code != exitOK {
		return code
	}
	dir := *f.out
	if dir == "" {
		dir = filepath.Join("results", fmt.Sprintf("%s-%s", sc.Name, time.Now().Format("20060102-150405")))
	}
	points := sc.Points()
	matrix := len(points) > 1 || sc.Repetitions > 1
	if !matrix && len(points) == 1 {
		sc = points[0].Scenario // a one-point matrix runs that point
	}
	if _, err := os.Stat(filepath.Join(dir, reports.IndexFile)); err == nil && !*f.force {
		fmt.Fprintf(stderr, "abload run: %s already holds a matrix result (index.json); choose another --out or pass --force\n", dir)
		return exitInput
	}
	if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil && !*f.force {
		fmt.Fprintf(stderr, "abload run: %s already holds a result (result.json); choose another --out or pass --force\n", dir)
		return exitInput
	}
	unresolvedLine, code := resolveExternalLines(context.Background(), stderr, "run", points, *dryRun)
	if code != exitOK {
		return code
	}
	rts, code := findRuntimes(stderr, "run", *f.runtime, points)
	if code != exitOK {
		return code
	}
	rt := rts[points[0].Scenario.Env.FlinkVersion]
	if !matrix {
		rt = rts[sc.Env.FlinkVersion]
	}
	if code := checkFlinkKeys(stderr, "run", points, rts); code != exitOK {
		return code
	}
	attached, code := f.attach(c, sc, rts)
	if code >= 0 {
		return code
	}
	if *dryRun {
		if sc.Env.Kind == scenarios.EnvExternal {
			fmt.Fprintf(stdout, "dry run: %s\n  result directory: %s\n", path, dir)
			if unresolvedLine {
				fmt.Fprintf(stdout, "  Flink line: the cluster's own (env.flink_version unset), read from its REST API when the run starts; the job named below is the %s line's\n", scenarios.DefaultFlinkLine)
			}
			printExternalPlan(stdout, sc, rt, *f.cleanup)
		} else {
			if attached != nil {
				st := attached.State()
				fmt.Fprintf(stdout, "dry run: %s\n  result directory: %s\n  environment: the standing one in %s (%d TaskManager(s) × %d slot(s), flink %s, kafka %s); the run deletes its topics from it when it ends\n",
					path, dir, st.Dir, st.TaskManagers, st.Slots, st.FlinkVersion, st.KafkaVersion)
			} else {
				fmt.Fprintf(stdout, "dry run: %s\n  result directory: %s\n  environment: %s (%d TaskManager(s) × %d slot(s), flink %s, kafka %s)\n",
					path, dir, sc.Env.Kind, sc.Env.TaskManagers, sc.Env.Slots, rt.FlinkVersion(), rt.KafkaVersion())
			}
			fmt.Fprintf(stdout, "  topics: abload-<run>-events (%d partitions)", sc.Kafka.Partitions)
			if sc.Job.Outputs.Updates {
				fmt.Fprint(stdout, ", abload-<run>-updates")
			}
			if sc.Job.Outputs.Windows {
				fmt.Fprint(stdout, ", abload-<run>-windows")
			}
			fmt.Fprint(stdout, ", abload-<run>-clock")
		}
		if matrix {
			fmt.Fprintf(stdout, "\n  matrix: %d point(s) × %d repetition(s), interleaved, into %s/<point>/rep-<n>:\n", len(points), sc.Repetitions, dir)
			for _, p := range points {
				fmt.Fprintf(stdout, "    %s: %s\n", p.Name, strings.Join(p.Settings, " "))
			}
		}
		sched, _ := load.Schedule(sc)
		warm, meas := sc.Workload.Warmup.Duration, sc.Workload.Duration.Duration
		if !matrix {
			fmt.Fprintln(stdout)
		}
		events, warmText := fmt.Sprint(sched.Count(warm+meas)), sc.Workload.Warmup.String()
		if sc.Workload.Warmup.Auto {
			events = "at most " + events
			warmText = fmt.Sprintf("auto (until JIT and p99 settle, at most %s)", sc.Workload.WarmupMax)
		}
		fmt.Fprintf(stdout, "  job: %s at parallelism %d\n  load: %s profile, %s events (mean %.0f events/s while measuring), warmup %s, measure %s\n",
			jobText(sc, rt), sc.Job.Parallelism, load.Profile(sc).Kind, events, sched.Mean(warm, warm+meas), warmText, sc.Workload.Duration)
		return exitOK
	}
	if *f.force && matrix {
		_ = os.RemoveAll(dir) // a matrix tree is replaced whole
	}
	if *f.force {
		// A forced rerun replaces the old result whole: no stale log lines.
		for _, name := range []string{"result.json", "latency.hlog", "report.md", "report.html", "junit.xml"} {
			_ = os.Remove(filepath.Join(dir, name))
		}
		_ = os.RemoveAll(filepath.Join(dir, "logs"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "abload run: %v\n", err)
		return exitRuntime
	}

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "abload run: --cpuprofile: %v\n", err)
			return exitInput
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			fmt.Fprintf(stderr, "abload run: --cpuprofile: %v\n", err)
			return exitRuntime
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	ctx, done := interruptible(stderr)
	defer done()
	var opts harness.Options
	stop, ok := startStanding(ctx, c, attached, &opts)
	if !ok {
		return exitRuntime
	}
	defer stop()

	if matrix {
		return runMatrix(ctx, path, points, sc.Repetitions, dir, rt, rts, *f.metricsAddr, *f.cleanup, attached, gates, baseline, stdout, stderr)
	}
	opts.Scenario, opts.OutDir, opts.Runtime, opts.Stderr, opts.Version, opts.MetricsAddr, opts.Cleanup = sc, dir, rt, stderr, version, *f.metricsAddr, *f.cleanup
	res, err := harness.Run(ctx, opts)
	if res == nil {
		return noResult(stderr, path, "run", dir, err)
	}
	evaluateGates(gates, res, baseline, stderr)
	if werr := writeRunOutputs(dir, res); werr != nil {
		fmt.Fprintf(stderr, "abload: %v\n", werr)
		return exitRuntime
	}
	reports.WriteSummary(stdout, res)
	fmt.Fprintf(stdout, "\nresult: %s\n", filepath.Join(dir, "result.json"))
	switch {
	case errors.Is(err, harness.ErrAborted):
		fmt.Fprintln(stderr, "abload: run aborted; partial result written")
		return exitRuntime
	case err != nil:
		fmt.Fprintf(stderr, "abload: %v\n", err)
		return exitRuntime
	case !res.Valid:
		return exitInvalid
	case gatesFailed(res.Gates):
		return exitGate
	}
	return exitOK
}

// loadGates parses the gates and resolves the baseline; a bad gate, a
// missing baseline or one without a valid result is bad input (exit 2).
// Invalid entries of a saved baseline's history are left out, saying so.
func loadGates(exprs []string, baselineArg, baselineDir string, stderr io.Writer) ([]*gate.Expr, *reports.Baseline, int) {
	var gates []*gate.Expr
	var needBaseline []string
	for _, e := range exprs {
		g, err := gate.Parse(e)
		if err != nil {
			fmt.Fprintf(stderr, "abload: %v\n", err)
			return nil, nil, exitInput
		}
		gates = append(gates, g)
		if g.NeedsBaseline() {
			needBaseline = append(needBaseline, fmt.Sprintf("%q", g.Text))
		}
	}
	if baselineArg == "" {
		if len(needBaseline) > 0 {
			fmt.Fprintf(stderr, "abload: gate %s compares with a baseline, but no --baseline was given (a result, a directory of runs, or a saved baseline's name)\n", strings.Join(needBaseline, ", "))
			return nil, nil, exitInput
		}
		return gates, nil, exitOK
	}
	b, err := reports.ResolveBaseline(baselineArg, baselineDir)
	if err != nil {
		fmt.Fprintf(stderr, "abload: --baseline: %v\n", err)
		return nil, nil, exitInput
	}
	_, invalid := b.Valid()
	if why := b.Insufficient(); why != "" {
		fmt.Fprintf(stderr, "abload: --baseline %s: %s; a baseline must be runs whose numbers can be trusted:\n", baselineArg, why)
		for i, r := range b.Results {
			if r != nil && !r.Valid {
				fmt.Fprintf(stderr, "  %s: %v: %s\n", b.Dirs[i], reports.ErrInvalidResult, strings.Join(r.InvalidReasons, "; "))
			}
		}
		return nil, nil, exitInput
	}
	if len(invalid) > 0 {
		fmt.Fprintf(stderr, "abload: --baseline %s: %d of its %d results are invalid and left out: %s\n", baselineArg, len(invalid), len(b.Results), strings.Join(invalid, ", "))
	}
	return gates, b, exitOK
}

// evaluateGates gates a run's result (against the baseline, if any),
// printing what the comparison with the baseline found worth knowing.
func evaluateGates(gates []*gate.Expr, res *reports.Result, baseline *reports.Baseline, stderr io.Writer) {
	if len(gates) == 0 {
		return
	}
	var warnings []string
	res.Gates, warnings = reports.EvaluateGates(gates, res, baseline, reports.CompareOptions{})
	for _, w := range warnings {
		fmt.Fprintf(stderr, "abload: gates: %s\n", w)
	}
}

func gatesFailed(gs []reports.Gate) bool {
	for _, g := range gs {
		if !g.Pass {
			return true
		}
	}
	return false
}

// writeRunOutputs writes result.json, then report.md, report.html and, when
// the run has gates, junit.xml.
func writeRunOutputs(dir string, res *reports.Result) error {
	if err := reports.WriteResult(dir, res); err != nil {
		return err
	}
	_, err := writeReports(dir, res, "all")
	return err
}

// runMatrix runs every matrix point × repetition, interleaved, into one tree
// with an index.json, and exits with the worst outcome: 1 if any run failed or
// the matrix was aborted, else 4 if any run is invalid, else 3 if any gate
// failed, else 0.
func runMatrix(ctx context.Context, source string, points []scenarios.MatrixPoint, reps int, dir string, rt *cluster.Runtime, rts map[string]*cluster.Runtime, metricsAddr string, cleanup bool, attached *standing.Attached,
	gates []*gate.Expr, baseline *reports.Baseline, stdout, stderr io.Writer) int {
	code := exitOK
	rank := map[int]int{exitOK: 0, exitGate: 1, exitInvalid: 2, exitRuntime: 3}
	worst := func(c int) {
		if rank[c] > rank[code] {
			code = c
		}
	}
	idx, err := harness.RunMatrix(ctx, harness.MatrixOptions{
		Source: source, Points: points, Repetitions: reps, OutDir: dir, Runtime: rt, Runtimes: rts, Stderr: stderr, Version: version, MetricsAddr: metricsAddr, Cleanup: cleanup, Standing: attached,
		Done: func(runDir string, res *reports.Result, err error) {
			if res == nil {
				worst(exitRuntime)
				return
			}
			evaluateGates(gates, res, baseline, stderr)
			if werr := writeRunOutputs(runDir, res); werr != nil {
				fmt.Fprintf(stderr, "abload: %v\n", werr)
				worst(exitRuntime)
			}
			switch {
			case err != nil:
				worst(exitRuntime)
			case !res.Valid:
				worst(exitInvalid)
			case gatesFailed(res.Gates):
				worst(exitGate)
			}
		},
	})
	if idx != nil {
		fmt.Fprintf(stdout, "%-40s %-4s %-8s %s\n", "point", "rep", "status", "valid")
		for _, r := range idx.Runs {
			fmt.Fprintf(stdout, "%-40s %-4d %-8s %v\n", r.Point, r.Repetition, r.Status, r.Valid)
		}
		fmt.Fprintf(stdout, "\nindex: %s (%d of %d runs)\n", filepath.Join(dir, reports.IndexFile), len(idx.Runs), len(points)*reps)
	}
	if err != nil {
		fmt.Fprintf(stderr, "abload: %v\n", err)
		worst(exitRuntime)
	}
	return code
}

// printExternalPlan says what a run on an external cluster would do —
// connect as whom, create, submit or attach to, and delete — without
// connecting to anything.
func printExternalPlan(w io.Writer, sc *scenarios.Scenario, rt *cluster.Runtime, cleanup bool) {
	x := sc.Env.External
	k := x.Kafka
	sec := "PLAINTEXT"
	switch {
	case k.TLS.Enabled && k.SASL.Mechanism != "":
		sec = "SASL_SSL"
	case k.TLS.Enabled:
		sec = "SSL"
	case k.SASL.Mechanism != "":
		sec = "SASL_PLAINTEXT"
	}
	if k.SASL.Mechanism != "" {
		from := "$" + k.SASL.PasswordEnv
		if k.SASL.PasswordFile != "" {
			from = "file " + k.SASL.PasswordFile
		}
		sec += fmt.Sprintf(", %s as %s (password from %s)", k.SASL.Mechanism, k.SASL.Username, from)
	}
	fmt.Fprintf(w, "  environment: external (nothing is started or stopped)\n  kafka: %s, %s\n", strings.Join(k.Bootstrap, ","), sec)
	auth := "no auth header"
	if x.Flink.AuthEnv != "" || x.Flink.AuthFile != "" {
		from := "$" + x.Flink.AuthEnv
		if x.Flink.AuthFile != "" {
			from = "file " + x.Flink.AuthFile
		}
		auth = fmt.Sprintf("header %s from %s", x.Flink.AuthHeader, from)
	}
	fmt.Fprintf(w, "  flink REST: %s (%s)\n", x.Flink.REST, auth)
	plan := kafka.PlanTopics(sc, "<run>")
	fmt.Fprintln(w, "  would create topics:")
	for _, t := range plan.Create {
		n := sc.Kafka.Partitions
		if t.Partitions > 0 {
			n = t.Partitions
		}
		fmt.Fprintf(w, "    %s (%d partition(s)", t.Name, n)
		if t.LogAppendTime {
			fmt.Fprint(w, ", LogAppendTime")
		}
		fmt.Fprintln(w, ")")
	}
	if len(plan.Existing) > 0 {
		fmt.Fprintf(w, "  would use existing topics (never created or deleted): %s\n", strings.Join(plan.Existing, ", "))
		if x.Topics.Input != "" {
			fmt.Fprintf(w, "    writes the load into %s (env.external.topics.allow_write: true)\n", x.Topics.Input)
		}
	}
	if x.JobID != "" {
		fmt.Fprintf(w, "  would attach to running job %s (not submitted, never cancelled; job.* knobs do not apply)\n", x.JobID)
	} else {
		fmt.Fprintf(w, "  would upload %s, submit it at parallelism %d, and at the end cancel the job and delete the jar\n", jobText(sc, rt), sc.Job.Parallelism)
	}
	if cleanup {
		fmt.Fprintln(w, "  would delete at the end (--cleanup): the topics above it created, nothing else")
	} else {
		fmt.Fprintln(w, "  would delete no topic (the ones it creates stay; --cleanup deletes them at the end)")
	}
}

// jobText names the job a run submits: abload's A/B job, a job.jar (with
// its entry class), or a job.sql file through the SQL runner.
func jobText(sc *scenarios.Scenario, rt *cluster.Runtime) string {
	j := sc.Job
	switch {
	case j.Jar != "" && j.EntryClass != "":
		return fmt.Sprintf("%s (%s, job.args with placeholders filled in)", j.Jar, j.EntryClass)
	case j.Jar != "":
		return j.Jar + " (job.args with placeholders filled in)"
	case j.SQL == scenarios.ShippedSQL:
		return fmt.Sprintf("the A/B job in Flink SQL (%s) through %s", rt.ABJobSQL, rt.SQLRunner)
	case j.SQL != "":
		return fmt.Sprintf("the SQL of %s through %s", j.SQL, rt.SQLRunner)
	}
	return rt.JobJar
}

// resolveExternalLines gives every external point that leaves
// env.flink_version unset its cluster's own line, asked of the cluster's
// REST API before anything is created (once per cluster), so that the run
// submits that line's job and checks its keys against that version. A
// cluster of a line abload has no job for is an input error naming its
// version and the lines abload supports, as is job.state_backend forst on
// a line without ForSt; a cluster that does not answer, a runtime error.
// A point that attaches to a running job (env.external.job_id) submits
// nothing and runs against any version: it takes the default line. A dry
// run (dry) connects to nothing: its points take the default line, and
// unresolved reports which points' line the run would read.
func resolveExternalLines(ctx context.Context, stderr io.Writer, cmd string, points []scenarios.MatrixPoint, dry bool) (unresolved bool, code int) {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	asked := map[string]string{} // REST URL → version
	secrets := &redact.Secrets{}
	for _, p := range points {
		e := &p.Scenario.Env
		if e.Kind != scenarios.EnvExternal || e.FlinkVersion != "" {
			continue
		}
		if e.External.JobID != "" || dry {
			e.FlinkVersion = scenarios.DefaultFlinkLine
			unresolved = unresolved || e.External.JobID == ""
			continue
		}
		v, ok := asked[e.External.Flink.REST]
		if !ok {
			var err error
			if v, err = external.ClusterFlinkVersion(ctx, e.External.Flink, secrets); err != nil {
				fmt.Fprintf(stderr, "abload %s: %v\n", cmd, secrets.Error(err))
				var ie *env.InputError
				if errors.As(err, &ie) {
					return false, exitInput
				}
				return false, exitRuntime
			}
			asked[e.External.Flink.REST] = v
			line := scenarios.FlinkLineOf(v)
			if !slices.Contains(scenarios.FlinkLines, line) {
				fmt.Fprintf(stderr, "abload %s: the external Flink at %s runs Flink %s: abload has no job for the %s line (it supports %s; env.flink_version)\n",
					cmd, e.External.Flink.REST, v, line, strings.Join(scenarios.FlinkLines, ", "))
				return false, exitInput
			}
			fmt.Fprintf(stderr, "abload: the external Flink at %s runs Flink %s: the run submits the %s line's job (env.flink_version unset)\n", e.External.Flink.REST, v, line)
		}
		e.FlinkVersion = scenarios.FlinkLineOf(v)
		if p.Scenario.Job.StateBackend == scenarios.StateBackendForSt && !scenarios.ForStLine(e.FlinkVersion) {
			fmt.Fprintf(stderr, "abload %s: job.state_backend forst: the external Flink at %s runs Flink %s, and ForSt is Flink 2's state backend\n", cmd, e.External.Flink.REST, v)
			return false, exitInput
		}
	}
	return unresolved, exitOK
}

// findRuntimes finds the runtime bundle of every Flink line the points ask
// for (env.flink_version), by line; --runtime DIR (dir) must hold the one
// line they ask for. A line without a bundle is a runtime error (exit 1)
// naming the command that builds it.
func findRuntimes(stderr io.Writer, cmd, dir string, points []scenarios.MatrixPoint) (map[string]*cluster.Runtime, int) {
	rts := map[string]*cluster.Runtime{}
	for _, p := range points {
		line := p.Scenario.Env.FlinkVersion
		if _, ok := rts[line]; ok {
			continue
		}
		if dir != "" && len(rts) > 0 {
			fmt.Fprintf(stderr, "abload %s: --runtime %s holds one Flink line, and the points ask for several (env.flink_version): leave --runtime out, so each line's bundle is found by its name (build/runtime-<line>)\n", cmd, dir)
			return nil, exitInput
		}
		rt, err := cluster.FindRuntimeFor(dir, line)
		if err != nil {
			fmt.Fprintf(stderr, "abload %s: %v\n", cmd, err)
			var other *cluster.OtherLineError
			if errors.As(err, &other) {
				return nil, exitInput // --runtime names a bundle of another line
			}
			return nil, exitRuntime
		}
		rts[line] = rt
	}
	return rts, exitOK
}

// checkFlinkKeys refuses, before anything is created or started, the
// points whose Flink configuration holds a key their bundle's Flink does
// not know (exit 2, the error naming the point, the key, the version and
// the replacement); a bundle without its keys list is a runtime error.
func checkFlinkKeys(stderr io.Writer, cmd string, points []scenarios.MatrixPoint, rts map[string]*cluster.Runtime) int {
	for _, p := range points {
		err := harness.CheckFlinkKeys(p.Scenario, rts[p.Scenario.Env.FlinkVersion])
		if err == nil {
			continue
		}
		where := ""
		if len(points) > 1 {
			where = "point " + p.Name + ": "
		}
		fmt.Fprintf(stderr, "abload %s: %s%v\n", cmd, where, err)
		var ie *env.InputError
		if errors.As(err, &ie) {
			return exitInput
		}
		return exitRuntime
	}
	return exitOK
}
