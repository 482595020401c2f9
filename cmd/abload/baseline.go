package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/abload/abload/reports"
)

func baselineCmd(args []string, stdout, stderr io.Writer) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: abload baseline save RESULT --name NAME [--dir DIR] [--new-history] [--allow-invalid]")
		fmt.Fprintln(w, "       abload baseline list [--dir DIR]")
		fmt.Fprintln(w, "       abload baseline show NAME [--dir DIR]")
		fmt.Fprintln(w, "\nKeeps named baselines for CI. `save` copies a run's result.json (and latency.hlog) into")
		fmt.Fprintln(w, "DIR/NAME/<started-at>-<run id>/ and appends it to NAME's history: runs of one configuration")
		fmt.Fprintln(w, "(scenario, environment kind, Flink and Kafka versions), whose spread is the run-to-run noise")
		fmt.Fprintln(w, "that `run --baseline NAME` and `compare --baseline NAME` judge a new run against (they use")
		fmt.Fprintf(w, "the newest %d entries). Save every main-branch run: with 3 or more, a single new run can be\n", reports.HistoryMax)
		fmt.Fprintln(w, "compared with a noise estimate of your own; with fewer, abload's default noise stands in.")
		fmt.Fprintln(w, "A result of another configuration is refused; --new-history starts a new history with it")
		fmt.Fprintln(w, "(earlier entries stay on disk). An invalid result is refused; --allow-invalid keeps it,")
		fmt.Fprintln(w, "marked invalid, and it is left out wherever the baseline is used.")
		fmt.Fprintln(w, "`list` shows every entry (* current, h in the history, INVALID); `show` a baseline's")
		fmt.Fprintln(w, "history: per metric its median and run-to-run noise.")
		fmt.Fprintf(w, "DIR defaults to %s: keep it in the CI cache.\n", reports.DefaultBaselineDir)
		fmt.Fprintln(w, "\nExit codes: 0 ok, 1 a file could not be written or read, 2 invalid input (an invalid")
		fmt.Fprintln(w, "result, another configuration, a bad name or argument).")
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
	newHistory := fs.Bool("new-history", false, "save: start a new history with this result (the configuration changed on purpose)")
	allowInvalid := fs.Bool("allow-invalid", false, "save: keep an invalid result too (marked invalid; left out wherever the baseline is used)")
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
		dst, err := reports.SaveBaseline(pos[0], *dir, *name, reports.SaveOptions{AllowInvalid: *allowInvalid, NewHistory: *newHistory})
		if err != nil {
			fmt.Fprintf(stderr, "abload baseline save: %v\n", err)
			if errors.Is(err, reports.ErrWrite) {
				return exitRuntime
			}
			return exitInput
		}
		b, err := reports.ResolveBaseline(*name, *dir)
		if err != nil {
			fmt.Fprintf(stderr, "abload baseline save: %v\n", err)
			return exitRuntime
		}
		valid, invalid := b.Valid()
		fmt.Fprintf(stdout, "baseline %s: %s (current); history: %d run(s), %d valid\n", *name, dst, len(b.Results), len(valid))
		if len(invalid) > 0 && *allowInvalid {
			fmt.Fprintf(stdout, "note: invalid entries are kept but left out wherever the baseline is used: %s\n", strings.Join(invalid, ", "))
		}
		if len(valid) < 3 {
			fmt.Fprintf(stdout, "note: with %d valid run(s) the history cannot estimate its own noise yet (3 are needed); abload's default noise stands in\n", len(valid))
		}
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
				mark := []byte("  ")
				if e.Current {
					mark[0] = '*'
				}
				if e.InHistory {
					mark[1] = 'h'
				}
				state := ""
				if !e.Valid {
					state = "  INVALID: " + strings.Join(e.InvalidReasons, "; ")
				}
				fmt.Fprintf(stdout, "%s %-24s %s%s\n", mark, n, e.Dir, state)
			}
		}
		return exitOK
	case "show":
		if len(pos) != 1 {
			fmt.Fprintln(stderr, "abload baseline show: expected one NAME argument")
			return exitInput
		}
		b, err := reports.ResolveBaseline(pos[0], *dir)
		if err != nil {
			fmt.Fprintf(stderr, "abload baseline show: %v\n", err)
			return exitInput
		}
		valid, invalid := b.Valid()
		fmt.Fprintf(stdout, "baseline %s: %d run(s) in its history, %d valid\n", b.Name, len(b.Results), len(valid))
		for _, d := range invalid {
			fmt.Fprintf(stdout, "  left out (invalid): %s\n", d)
		}
		reports.WriteNoiseTable(stdout, valid)
		return exitOK
	}
	fmt.Fprintf(stderr, "abload baseline: unknown subcommand %q (save, list or show)\n", sub)
	return exitInput
}
