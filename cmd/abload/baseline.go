package main

import (
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/abload/abload/reports"
)

func baselineCmd(args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: abload baseline save RESULT --name NAME [--dir DIR]")
		fmt.Fprintln(w, "       abload baseline list [--dir DIR]")
		fmt.Fprintln(w, "\nKeeps named baselines for CI: `save` copies a run's result.json (and latency.hlog) into")
		fmt.Fprintln(w, "DIR/NAME/<started-at>-<run id>/ and makes it the baseline NAME means; earlier entries stay as")
		fmt.Fprintln(w, "its history. `run --baseline NAME` and `compare --baseline NAME` use the current entry.")
		fmt.Fprintf(w, "DIR defaults to %s: keep it in the CI cache.\n", reports.DefaultBaselineDir)
		fmt.Fprintln(w, "\nExit codes: 0 ok, 1 a file could not be written, 2 invalid input.")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitInput
		}
		return exitOK
	}
	sub := args[0]
	fs := flag.NewFlagSet("baseline "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", reports.DefaultBaselineDir, "baselines directory")
	name := fs.String("name", "", "baseline name (save)")
	fs.Usage = func() { usage(fs.Output()); fmt.Fprintln(fs.Output(), "\nFlags:"); fs.PrintDefaults() }
	pos, code := parseInterleaved(fs, args[1:])
	if code >= 0 {
		return code
	}
	switch sub {
	case "save":
		if len(pos) != 1 || *name == "" {
			fmt.Fprintln(stderr, "abload baseline save: expected one RESULT argument and --name NAME")
			return exitInput
		}
		dst, err := reports.SaveBaseline(pos[0], *dir, *name)
		if err != nil {
			fmt.Fprintf(stderr, "abload baseline save: %v\n", err)
			return exitInput
		}
		fmt.Fprintf(stdout, "baseline %s: %s (current)\n", *name, dst)
		return exitOK
	case "list":
		all, err := reports.ListBaselines(*dir)
		if err != nil {
			fmt.Fprintf(stderr, "abload baseline list: %v\n", err)
			return exitRuntime
		}
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			for _, e := range all[n] {
				mark := " "
				if e.Current {
					mark = "*"
				}
				fmt.Fprintf(stdout, "%s %-24s %s\n", mark, n, e.Dir)
			}
		}
		return exitOK
	}
	fmt.Fprintf(stderr, "abload baseline: unknown subcommand %q (save or list)\n", sub)
	return exitInput
}
