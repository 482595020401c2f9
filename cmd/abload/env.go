package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/scenarios"
)

func envCmd(args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: abload env up [SCENARIO.yaml] [--dir DIR] [--env local|docker] [--set PATH=VALUE]... [--runtime DIR]")
		fmt.Fprintln(w, "       abload env status [--dir DIR] [--json]")
		fmt.Fprintln(w, "       abload env down [--dir DIR]")
		fmt.Fprintln(w, "\nAn environment that stays up between runs, so that iterating (change a knob, run, compare)")
		fmt.Fprintln(w, "pays the start-up once. `up` starts the local environment (Kafka and a Flink session cluster")
		fmt.Fprintln(w, "as JVM processes on 127.0.0.1) or the Docker one (the same as containers, --env docker) that")
		fmt.Fprintln(w, "SCENARIO.yaml's env section describes (default: the defaults), detached from abload, and")
		fmt.Fprintln(w, "writes DIR/env.json; `run` and `capacity` use it with --env-file DIR (each run creates and")
		fmt.Fprintln(w, "deletes its own topics and job on it, one run at a time). `status` checks that every process")
		fmt.Fprintln(w, "(container) runs and both clusters answer; `down` stops them (removes the containers and")
		fmt.Fprintln(w, "their network, their logs saved) and removes the scratch data (logs stay in DIR/logs).")
		fmt.Fprintln(w, "Ctrl-C during `up` stops what it started.")
		fmt.Fprintln(w, "\nDIR defaults to $ABLOAD_ENV_DIR, else abload/env in the user's cache directory (such as")
		fmt.Fprintln(w, "~/.cache/abload/env). Nothing restarts a process of a standing environment that dies (env status")
		fmt.Fprintln(w, "says so); a run killed outright (kill -9) leaves its job and topics on it: env down, then up.")
		fmt.Fprintln(w, "\nExit codes: 0 ok (status: up and healthy), 1 runtime error (status: nothing up, or not")
		fmt.Fprintln(w, "healthy), 2 invalid input.")
	}
	if len(args) == 0 {
		usage(stderr)
		return exitInput
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return exitOK
	case "up":
		return envUp(args[1:], stdout, stderr, usage)
	case "down":
		return envDown(args[1:], stdout, stderr, usage)
	case "status":
		return envStatus(args[1:], stdout, stderr, usage)
	}
	fmt.Fprintf(stderr, "abload env: unknown subcommand %q (up, down or status)\n\n", args[0])
	usage(stderr)
	return exitInput
}

func envFlags(name string, stderr io.Writer, usage func(io.Writer)) (*command, *string) {
	c := newCommand("env "+name, stderr)
	dir := c.fs.String("dir", "", "the environment's directory: env.json, logs/, and its scratch data (default $ABLOAD_ENV_DIR, else abload/env in the user's cache directory)")
	c.fs.Usage = func() {
		usage(c.fs.Output())
		fmt.Fprintln(c.fs.Output(), "\nFlags:")
		c.fs.PrintDefaults()
	}
	return c, dir
}

func envUp(args []string, stdout, stderr io.Writer, usage func(io.Writer)) int {
	c, dir := envFlags("up", stderr, usage)
	var sets multiFlag
	c.fs.Var(&sets, "set", "override a field of the scenario's env section: PATH=VALUE (repeatable), e.g. --set env.taskmanagers=2")
	kind := c.fs.String("env", "", "the environment's kind, local or docker (default: the scenario's env.kind)")
	runtimeDir := c.fs.String("runtime", "", "runtime bundle directory (default: the env.flink_version line's bundle: $ABLOAD_RUNTIME, runtime[-<line>] next to the binary, or build/runtime[-<line>])")
	pos, code := parseInterleaved(c.fs, args)
	if code >= 0 {
		return code
	}
	orDefault(dir)
	if *kind != "" {
		sets = append([]string{"env.kind=" + *kind}, sets...)
	}
	var sc *scenarios.Scenario
	switch len(pos) {
	case 0:
		s, err := scenarios.Parse("env up", []byte("name: env\n"), sets)
		if err != nil {
			return c.failf(exitInput, "%v", err)
		}
		sc = s
	case 1:
		if sc, code = loadScenario(pos[0], sets, stderr); sc == nil {
			return code
		}
	default:
		return c.failf(exitInput, "expected at most one SCENARIO.yaml argument")
	}
	if err := standing.Refuse(sc); err != nil {
		return c.failf(exitInput, "%v", err)
	}
	rts, code := findRuntimes(stderr, "env up", *runtimeDir, []scenarios.MatrixPoint{{Scenario: sc}})
	if code != exitOK {
		return code
	}
	rt := rts[sc.Env.FlinkVersion]
	if code := checkFlinkKeys(stderr, "env up", []scenarios.MatrixPoint{{Scenario: sc}}, rts); code != exitOK {
		return code
	}
	ctx, done := interruptible(stderr)
	defer done()
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	logf("abload: starting the %s environment in %s (%d TaskManager(s) × %d slot(s), flink %s, kafka %s)",
		sc.Env.Kind, *dir, sc.Env.TaskManagers, sc.Env.Slots, rt.FlinkVersion(), rt.KafkaVersion())
	st, err := standing.Up(ctx, standing.UpOptions{Scenario: sc, Key: harness.SharedEnvKey(sc), Runtime: rt, Dir: *dir, Logf: logf})
	if err != nil {
		var ie *env.InputError
		switch {
		case errors.As(err, &ie):
			return c.failf(exitInput, "%v", err)
		case ctx.Err() != nil:
			return c.failf(exitRuntime, "interrupted: stopped everything it had started (if abload was killed before it could, abload env down --dir %s stops what it recorded)", *dir)
		}
		return c.failf(exitRuntime, "%v", err)
	}
	logf("abload: environment up in %.1fs", st.UpSeconds)
	file := filepath.Join(st.Dir, standing.StateFile)
	fmt.Fprintf(stdout, "environment up: %s\n  kafka %s, flink REST %s\n  use it: abload run SCENARIO.yaml --env-file %s\n  stop it: abload env down --dir %s\n",
		file, strings.Join(st.Endpoints.KafkaBootstrap, ","), st.Endpoints.FlinkREST, file, st.Dir)
	return exitOK
}

func envDown(args []string, stdout, stderr io.Writer, usage func(io.Writer)) int {
	c, dir := envFlags("down", stderr, usage)
	if code := c.parseNone(args); code >= 0 {
		return code
	}
	orDefault(dir)
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	st, err := standing.Read(*dir)
	if err != nil {
		return c.failf(exitRuntime, "%v", err)
	}
	if err := standing.Down(*dir, logf); err != nil {
		return c.failf(exitRuntime, "%v", err)
	}
	fmt.Fprintf(stdout, "environment in %s stopped (logs kept in %s)\n", st.Dir, filepath.Join(st.Dir, "logs"))
	return exitOK
}

func envStatus(args []string, stdout, stderr io.Writer, usage func(io.Writer)) int {
	c, dir := envFlags("status", stderr, usage)
	asJSON := c.fs.Bool("json", false, "print the status as JSON")
	if code := c.parseNone(args); code >= 0 {
		return code
	}
	orDefault(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	h, err := standing.Check(ctx, *dir)
	if err != nil {
		if *asJSON {
			_ = json.NewEncoder(stdout).Encode(map[string]any{"up": false, "dir": *dir, "problem": err.Error()})
		} else {
			fmt.Fprintf(stdout, "nothing up: %v\n", err)
		}
		return exitRuntime
	}
	st := h.State
	if *asJSON {
		out := map[string]any{"up": h.Problem == "", "dir": st.Dir, "state": st, "problem": h.Problem, "in_use_by": h.InUseBy}
		if h.Shape != nil {
			out["topics"], out["jobs_running"], out["slots_available"] = h.Shape.Topics, h.Shape.JobsRunning, h.Shape.SlotsAvailable
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(out)
	} else {
		health := "healthy"
		if h.Problem != "" {
			health = "NOT healthy: " + h.Problem
		}
		fmt.Fprintf(stdout, "environment %s: %s, %s\n", filepath.Join(st.Dir, standing.StateFile), st.Status, health)
		fmt.Fprintf(stdout, "  up since %s (%s); started in %.1fs\n", st.StartedAt.Local().Format(time.DateTime), time.Since(st.StartedAt).Round(time.Second), st.UpSeconds)
		if st.Endpoints != nil {
			fmt.Fprintf(stdout, "  kafka %s at %s; flink %s at %s\n", st.KafkaVersion, strings.Join(st.Endpoints.KafkaBootstrap, ","), st.FlinkVersion, st.Endpoints.FlinkREST)
		}
		for _, p := range st.Processes {
			state := "running"
			for _, g := range h.Gone {
				if g == p {
					state = "NOT running"
				}
			}
			id := fmt.Sprintf("pid %-8d", p.PID)
			if p.Container != "" {
				id = fmt.Sprintf("container %.12s", p.Container)
			}
			fmt.Fprintf(stdout, "  %-14s %s %s\n", p.Name, id, state)
		}
		if h.Shape != nil {
			fmt.Fprintf(stdout, "  %d TaskManager(s), %d of %d slot(s) free, %d job(s) running, %d topic(s)\n",
				h.Shape.TaskManagers, h.Shape.SlotsAvailable, h.Shape.SlotsTotal, h.Shape.JobsRunning, len(h.Shape.Topics))
		}
		if h.InUseBy != "" {
			fmt.Fprintf(stdout, "  in use by the run with pid %s\n", h.InUseBy)
		}
	}
	if h.Problem != "" {
		return exitRuntime
	}
	return exitOK
}

// orDefault fills an empty --dir with standing.DefaultDir (not the flag's
// default: the help text must not depend on who reads it).
func orDefault(dir *string) {
	if *dir == "" {
		*dir = standing.DefaultDir()
	}
}
