package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/abload/abload/reports"
)

func exportCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "benchstat", "output format: benchstat (Go benchmark lines)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload export RESULT... [--format benchstat]")
		fmt.Fprintln(fs.Output(), "\nPrints results as Go benchmark lines, one per run (RESULT: a result.json, a run directory,")
		fmt.Fprintln(fs.Output(), "a matrix directory or a directory of repetitions, whose runs are all exported), so benchstat")
		fmt.Fprintln(fs.Output(), "and other Go benchmark tooling can read them, e.g.:")
		fmt.Fprintln(fs.Output(), "  abload export results/a > a.txt; abload export results/b > b.txt; benchstat a.txt b.txt")
		fmt.Fprintln(fs.Output(), "\nExit codes: 0 ok, 2 invalid input.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "abload export: expected at least one RESULT argument")
		fs.Usage()
		return exitInput
	}
	if *format != "benchstat" {
		fmt.Fprintf(stderr, "abload export: --format must be benchstat, got %q\n", *format)
		return exitInput
	}
	var all []reports.BenchRun
	for _, p := range pos {
		runs, err := treeRuns(p, true)
		if err != nil {
			fmt.Fprintf(stderr, "abload export: %v\n", err)
			return exitInput
		}
		for _, r := range runs {
			all = append(all, reports.BenchRun{Result: r.Result, Point: r.Point})
		}
	}
	if err := reports.WriteBenchstat(stdout, all); err != nil {
		fmt.Fprintf(stderr, "abload export: %v\n", err)
		return exitRuntime
	}
	return exitOK
}
