package main

import (
	"flag"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

func validateCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets multiFlag
	fs.Var(&sets, "set", "override a scenario field: PATH=VALUE (repeatable), e.g. --set workload.rate=5000")
	quiet := fs.Bool("q", false, "print nothing on success")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload validate SCENARIO.yaml [--set PATH=VALUE]... [-q]")
		fmt.Fprintln(fs.Output(), "\nChecks a scenario file and reports every problem at once with file:line and field path.")
		fmt.Fprintln(fs.Output(), "On success prints the resolved scenario (defaults filled in) as YAML. Exit 2 on problems.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "abload validate: expected exactly one SCENARIO.yaml argument")
		fs.Usage()
		return exitInput
	}
	sc, code := loadScenario(pos[0], sets, stderr)
	if sc == nil {
		return code
	}
	if !*quiet {
		out, err := yaml.Marshal(sc)
		if err != nil {
			fmt.Fprintf(stderr, "abload: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(stdout, "# %s: valid\n%s", pos[0], out)
	}
	return exitOK
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
