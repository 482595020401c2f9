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

	"github.com/abload/abload/harness"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/harness/live"
	"github.com/abload/abload/scenarios"
)

// command is what every subcommand shares: its flag set (errors and usage
// on stderr) and how it reads its one positional argument.
type command struct {
	name   string
	fs     *flag.FlagSet
	stderr io.Writer
}

func newCommand(name string, stderr io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &command{name: name, fs: fs, stderr: stderr}
}

// parseOne parses args, flags and positionals in any order, and wants
// exactly one positional argument (what names it in the error). A code >= 0
// means: return it (--help: 0; bad input: 2).
func (c *command) parseOne(args []string, what string) (string, int) {
	pos, code := parseInterleaved(c.fs, args)
	if code >= 0 {
		return "", code
	}
	if len(pos) != 1 {
		fmt.Fprintf(c.stderr, "abload %s: expected exactly one %s argument\n", c.name, what)
		c.fs.Usage()
		return "", exitInput
	}
	return pos[0], -1
}

// parseNone parses args and wants no positional argument. A code >= 0
// means: return it (--help: 0; bad input: 2).
func (c *command) parseNone(args []string) int {
	pos, code := parseInterleaved(c.fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 0 {
		fmt.Fprintf(c.stderr, "abload %s: unexpected argument %q\n", c.name, pos[0])
		c.fs.Usage()
		return exitInput
	}
	return -1
}

// failf prints "abload <name>: …" on stderr and returns code.
func (c *command) failf(code int, format string, args ...any) int {
	fmt.Fprintf(c.stderr, "abload %s: %s\n", c.name, fmt.Sprintf(format, args...))
	return code
}

// scenarioFlags are the flags of the commands that run a scenario on an
// environment (run, capacity), read by one loader.
type scenarioFlags struct {
	sets        multiFlag
	out         *string
	force       *bool
	env         *string
	cleanup     *bool
	runtime     *string
	metricsAddr *string
	envFile     *string
}

// scenarioFlags registers the shared flags; the texts say what differs
// between commands (an example --set, the default --out, what --force
// overwrites, what --cleanup deletes after, what --metrics-addr serves
// during).
func (c *command) scenarioFlags(setExample, outDefault, forceDoc, cleanupWhat, metricsWhile string) *scenarioFlags {
	f := &scenarioFlags{}
	c.fs.Var(&f.sets, "set", "override a scenario field: PATH=VALUE (repeatable), e.g. --set "+setExample)
	f.out = c.fs.String("out", "", "result directory (default "+outDefault+")")
	f.force = c.fs.Bool("force", false, forceDoc)
	f.env = c.fs.String("env", "", "environment kind: local, docker or external (default: the scenario's env.kind)")
	f.cleanup = c.fs.Bool("cleanup", false, "env.kind external: delete the topics "+cleanupWhat+" created when it ends (never a topic it did not create)")
	f.runtime = c.fs.String("runtime", "", "runtime bundle directory (default: the env.flink_version line's bundle: $ABLOAD_RUNTIME, runtime[-<line>] next to the binary, or build/runtime[-<line>])")
	f.metricsAddr = c.fs.String("metrics-addr", "", "serve live Prometheus metrics at http://HOST:PORT/metrics "+metricsWhile+"; loopback only, e.g. 127.0.0.1:9464 (default: off)")
	f.envFile = c.fs.String("env-file", "", "use the environment abload env up started (its env.json, or the directory holding it) instead of starting one; "+cleanupWhat+" creates and deletes its own topics and job on it")
	return f
}

// load checks the flags against each other and the scenario: --metrics-addr
// on loopback, --env as the first --set, the scenario valid, --cleanup only
// for an external environment. A nil scenario comes with the exit code.
func (f *scenarioFlags) load(c *command, path string) (*scenarios.Scenario, int) {
	if *f.metricsAddr != "" {
		if err := live.CheckMetricsAddr(*f.metricsAddr); err != nil {
			return nil, c.failf(exitInput, "%v", err)
		}
	}
	sets := []string(f.sets)
	switch {
	case *f.env != "":
		sets = append([]string{"env.kind=" + *f.env}, sets...)
	case *f.envFile != "":
		// The runs are of the environment's kind, whatever the scenario
		// says (its docker-only fields then validate); attach names a
		// file that can't be read.
		if st, err := standing.Read(*f.envFile); err == nil {
			sets = append([]string{"env.kind=" + st.Kind}, sets...)
		}
	}
	sc, code := loadScenario(path, sets, c.stderr)
	if sc == nil {
		return nil, code
	}
	if *f.cleanup && sc.Env.Kind != scenarios.EnvExternal {
		return nil, c.failf(exitInput, "--cleanup is for env.kind external (the %s environment's topics go with its broker)", sc.Env.Kind)
	}
	return sc, exitOK
}

// interruptible is a context that Ctrl-C (or SIGTERM) cancels, saying so on
// stderr; a second signal then ends abload at once (its JVMs die with it:
// parent-death signal). Call done when the work is over.
func interruptible(stderr io.Writer) (ctx context.Context, done func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	finished := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			fmt.Fprintln(stderr, "\nabload: interrupted: stopping every process (Ctrl-C again to force)")
			stop()
		case <-finished:
		}
	}()
	return ctx, func() { close(finished); stop() }
}

// parseInterleaved parses flags that may come before or after positional
// arguments (`abload run x.yaml --set a=b`). It returns the positionals, and
// an exit code >= 0 when parsing ended the command (help or a bad flag).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, int) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, exitOK
			}
			return nil, exitInput
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, -1
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// noResult says why a run or a capacity search (what) of the scenario at
// path left no result in dir, and is the command's exit code: an invalid
// scenario is bad input (2); an abort, or a failure (pointing at the
// component logs), is a runtime error (1).
func noResult(stderr io.Writer, path, what, dir string, err error) int {
	var ie *harness.InputError
	switch {
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "abload: invalid scenario %s: %v\n", path, err)
		return exitInput
	case errors.Is(err, harness.ErrAborted):
		fmt.Fprintf(stderr, "abload: %v: no result written\n", err)
	default:
		fmt.Fprintf(stderr, "abload: %s failed: %v\n(component logs in %s)\n", what, err, filepath.Join(dir, "logs"))
	}
	return exitRuntime
}

// attach opens the standing environment --env-file names (nil without the
// flag) and checks that every point of sc can use it. A code >= 0 ends the
// command. The caller starts it (takes its lock, checks its health) once
// it is ready to run, and stops it (releases the lock) at the end.
func (f *scenarioFlags) attach(c *command, sc *scenarios.Scenario, rts map[string]*cluster.Runtime) (*standing.Attached, int) {
	if *f.envFile == "" {
		return nil, -1
	}
	a, err := standing.Open(*f.envFile, func(format string, args ...any) { fmt.Fprintf(c.stderr, format+"\n", args...) })
	if err != nil {
		return nil, c.failf(exitInput, "--env-file %s: %v", *f.envFile, err)
	}
	if *f.env != "" && *f.env != a.State().Kind {
		return nil, c.failf(exitInput, "--env-file %s names a %s environment started by abload env up; --env %s asks for another", *f.envFile, a.State().Kind, *f.env)
	}
	for _, p := range sc.Points() {
		if err := harness.FitsStanding(a.State(), p.Scenario, rts[p.Scenario.Env.FlinkVersion]); err != nil {
			where := ""
			if len(sc.Points()) > 1 {
				where = " (matrix point " + p.Name + ")"
			}
			return nil, c.failf(exitInput, "%v%s", err, where)
		}
	}
	return a, -1
}

// startStanding, when --env-file gave a standing environment a, takes its
// lock, checks it is healthy and sets it as opts.Env; the returned stop
// (defer it) releases the lock. false means the command ends (exit 1, said
// on stderr). Without a it does nothing.
func startStanding(ctx context.Context, c *command, a *standing.Attached, opts *harness.Options) (stop func(), ok bool) {
	if a == nil {
		return func() {}, true
	}
	if _, err := a.Start(ctx); err != nil {
		c.failf(exitRuntime, "%v", err)
		return nil, false
	}
	fmt.Fprintf(c.stderr, "abload: using the standing environment in %s (kafka %s, flink REST %s)\n", a.State().Dir, a.Endpoints().KafkaBootstrap[0], a.Endpoints().FlinkREST)
	opts.Env = a
	return func() { _ = a.Stop(context.Background()) }, true
}
