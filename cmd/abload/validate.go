package main

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

func validateCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("validate", stderr)
	fs := c.fs
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
	arg, code := c.parseOne(args, "SCENARIO.yaml")
	if code >= 0 {
		return code
	}
	sc, code := loadScenario(arg, sets, stderr)
	if sc == nil {
		return code
	}
	if !*quiet {
		out, err := yaml.Marshal(sc)
		if err != nil {
			fmt.Fprintf(stderr, "abload: %v\n", err)
			return exitRuntime
		}
		fmt.Fprintf(stdout, "# %s: valid\n%s", arg, out)
	}
	return exitOK
}
