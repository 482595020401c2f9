// Command abload is a load generator and benchmark harness for Apache Flink
// jobs that run email A/B tests. Each subcommand lives in its own file; this
// file dispatches to them and is, with them, the only place that picks exit
// codes.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/scenarios"

	// The Docker environment (env.kind docker) registers itself.
	_ "github.com/abload/abload/testcontainers"
)

// version is set at build time (-ldflags "-X main.version=…").
var version = "0.1.0-dev"

// Exit codes (docs/comparing.md, Exit codes).
const (
	exitOK      = 0
	exitRuntime = 1 // runtime error, or an aborted run
	exitInput   = 2 // invalid input: the message names the file, the path and what was expected
	exitGate    = 3 // a gate failed
	exitInvalid = 4 // the run is invalid: its numbers can't be trusted (wins over 3)
)

type subcommand struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]subcommand{
	"run":      {"run a scenario end to end and write its result", runCmd},
	"capacity": {"find the highest rate a configuration sustains (one deployment, stepped load)", capacityCmd},
	"validate": {"check a scenario file and print it resolved", validateCmd},
	"gen":      {"print a scenario's events as JSON lines (no cluster needed)", genCmd},
	"compare":  {"compare results over repetitions: changes with intervals against the run-to-run noise, verdicts", compareCmd},
	"version":  {"print the version", versionCmd},
	"report":   {"regenerate a run's report.md and report.html from its result files", reportCmd},
	"baseline": {"save and list named baselines for CI gates", baselineCmd},
	"export":   {"print results as Go benchmark lines (for benchstat)", exportCmd},
	"env":      {"start an environment that stays up between runs (up), check it (status), stop it (down)", envCmd},
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run([]string{"--help"}, stdout, stderr)
			}
		}
		usage(stdout)
		if len(args) == 0 {
			return exitInput
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "abload: unknown command %q\n\n", args[0])
		usage(stderr)
		return exitInput
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "abload — load generator and benchmark harness for Flink email A/B test jobs")
	fmt.Fprintln(w, "\nUsage: abload <command> [arguments]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'abload <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 runtime error or aborted run, 2 invalid input, 3 gate failed, 4 invalid run.")
}

func versionCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("version", stderr)
	c.fs.Usage = func() {
		fmt.Fprintln(c.fs.Output(), "Usage: abload version")
		fmt.Fprintln(c.fs.Output(), "\nPrints `abload <version>`: `git describe` of the checkout when built by make.")
		fmt.Fprintln(c.fs.Output(), "\nExit codes: 0 ok, 2 invalid input.")
	}
	if code := c.parseNone(args); code >= 0 {
		return code
	}
	fmt.Fprintln(stdout, "abload", version)
	return exitOK
}

// multiFlag collects a repeatable string flag (--set).
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// loadScenario loads and validates a scenario, printing every problem.
func loadScenario(path string, sets []string, stderr io.Writer) (*scenarios.Scenario, int) {
	sc, err := scenarios.Load(path, sets)
	if err != nil {
		var ve *scenarios.ValidationError
		if errors.As(err, &ve) {
			fmt.Fprintf(stderr, "abload: invalid scenario (%d problem(s)):\n", len(ve.Problems))
			for _, p := range ve.Problems {
				fmt.Fprintf(stderr, "  %s\n", p)
			}
			return nil, exitInput
		}
		fmt.Fprintf(stderr, "abload: %v\n", err)
		return nil, exitInput
	}
	// What the generator and schedule refuse is bad input too.
	for _, p := range sc.Points() {
		if err := load.Check(p.Scenario); err != nil {
			where := path
			if len(sc.Points()) > 1 {
				where += " (matrix point " + p.Name + ")"
			}
			fmt.Fprintf(stderr, "abload: invalid scenario %s:\n  %s\n", where, strings.ReplaceAll(err.Error(), "\n", "\n  "))
			return nil, exitInput
		}
	}
	return sc, exitOK
}
