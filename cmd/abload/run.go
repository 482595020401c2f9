package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/reports"
)

func runCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets multiFlag
	fs.Var(&sets, "set", "override a scenario field: PATH=VALUE (repeatable), e.g. --set workload.rate=5000")
	out := fs.String("out", "", "result directory (default results/<scenario>-<time>)")
	force := fs.Bool("force", false, "overwrite an existing result directory")
	envKind := fs.String("env", "", "environment kind: local (default from the scenario's env.kind)")
	runtimeDir := fs.String("runtime", "", "runtime bundle directory (default: $ABLOAD_RUNTIME, ./runtime next to the binary, or build/runtime)")
	dryRun := fs.Bool("dry-run", false, "validate, print what the run would do, and start nothing")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload run SCENARIO.yaml [--out DIR] [--force] [--env local] [--set PATH=VALUE]... [--dry-run]")
		fmt.Fprintln(fs.Output(), "\nBrings up the environment, submits the job, drives the scenario's open-loop load through")
		fmt.Fprintln(fs.Output(), "warmup, measure and drain, tears everything down, and writes result.json, latency.hlog,")
		fmt.Fprintln(fs.Output(), "report.md and logs/ into the result directory. Each phase change is logged to stderr as")
		fmt.Fprintln(fs.Output(), "`abload: phase=<name>`. Ctrl-C stops every process and still writes a result marked")
		fmt.Fprintln(fs.Output(), "\"aborted\" once measuring has begun.")
		fmt.Fprintln(fs.Output(), "\nExit codes: 0 ok, 1 runtime error or aborted, 2 invalid input, 4 invalid run.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "abload run: expected exactly one SCENARIO.yaml argument")
		fs.Usage()
		return exitInput
	}
	if *envKind != "" {
		sets = append([]string{"env.kind=" + *envKind}, sets...)
	}
	sc, code := loadScenario(pos[0], sets, stderr)
	if sc == nil {
		return code
	}
	if sc.Env.Kind != "local" {
		fmt.Fprintf(stderr, "abload run: env.kind %q is not available in this version (only \"local\")\n", sc.Env.Kind)
		return exitInput
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("results", fmt.Sprintf("%s-%s", sc.Name, time.Now().Format("20060102-150405")))
	}
	if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil && !*force {
		fmt.Fprintf(stderr, "abload run: %s already holds a result (result.json); choose another --out or pass --force\n", dir)
		return exitInput
	}
	rt, err := harness.FindRuntime(*runtimeDir)
	if err != nil {
		fmt.Fprintf(stderr, "abload run: %v\n", err)
		return exitRuntime
	}
	if *dryRun {
		fmt.Fprintf(stdout, "dry run: %s\n  result directory: %s\n  environment: %s (%d TaskManager(s) × %d slot(s), flink %s, kafka %s)\n",
			pos[0], dir, sc.Env.Kind, sc.Env.TaskManagers, sc.Env.Slots, rt.FlinkVersion(), rt.KafkaVersion())
		fmt.Fprintf(stdout, "  topics: abload-<run>-events (%d partitions)", sc.Kafka.Partitions)
		if sc.Job.Outputs.Updates {
			fmt.Fprint(stdout, ", abload-<run>-updates")
		}
		if sc.Job.Outputs.Windows {
			fmt.Fprint(stdout, ", abload-<run>-windows")
		}
		sched, _ := harness.Schedule(sc)
		warm, meas := sc.Workload.Warmup.Duration, sc.Workload.Duration.Duration
		fmt.Fprintf(stdout, "\n  job: %s at parallelism %d\n  load: %s profile, %d events (mean %.0f events/s while measuring), warmup %s, measure %s\n",
			rt.JobJar, sc.Job.Parallelism, harness.Profile(sc).Kind, sched.Count(warm+meas), sched.Mean(warm, warm+meas), sc.Workload.Warmup, sc.Workload.Duration)
		return exitOK
	}
	if *force {
		// A forced rerun replaces the old result whole: no stale log lines.
		for _, f := range []string{"result.json", "latency.hlog", "report.md", "report.html"} {
			_ = os.Remove(filepath.Join(dir, f))
		}
		_ = os.RemoveAll(filepath.Join(dir, "logs"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "abload run: %v\n", err)
		return exitRuntime
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	defer func() { close(finished); stop() }()
	go func() {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "\nabload: interrupted: stopping every process (Ctrl-C again to force)")
			stop() // a second signal now ends abload at once; its JVMs die with it (parent-death signal)
		case <-finished:
		}
	}()

	res, err := harness.Run(ctx, harness.Options{Scenario: sc, OutDir: dir, Runtime: rt, Stderr: stderr, Version: version})
	if res == nil {
		var ie *harness.InputError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "abload: invalid scenario %s: %v\n", pos[0], err)
			return exitInput
		}
		if errors.Is(err, harness.ErrAborted) {
			fmt.Fprintf(stderr, "abload: %v: no result written\n", err)
			return exitRuntime
		}
		fmt.Fprintf(stderr, "abload: run failed: %v\n(component logs in %s)\n", err, filepath.Join(dir, "logs"))
		return exitRuntime
	}
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
	}
	return exitOK
}

// writeRunOutputs writes result.json and report.md.
func writeRunOutputs(dir string, res *reports.Result) error {
	if err := reports.WriteResult(dir, res); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "report.md"))
	if err != nil {
		return err
	}
	reports.WriteMarkdown(f, res)
	return f.Close()
}
