package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/load"
)

func genCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("gen", stderr)
	fs := c.fs
	var sets multiFlag
	fs.Var(&sets, "set", "override a scenario field: PATH=VALUE (repeatable)")
	count := fs.Int64("count", 10, "number of events to print")
	origin := fs.String("start", "2026-01-01T00:00:00Z", "schedule origin (RFC 3339): event i is intended at start + the schedule's due time of i")
	stats := fs.Bool("stats", false, "print the generator's configured truth and realized counts as JSON on stderr at the end")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload gen SCENARIO.yaml [--count N] [--start TIME] [--stats] [--set PATH=VALUE]...")
		fmt.Fprintln(fs.Output(), "\nPrints the scenario's events as JSON lines (the wire format the job reads), exactly as a run")
		fmt.Fprintln(fs.Output(), "would send them, but against a fixed start instead of the wall clock: the output is reproducible\n(byte-identical for the same scenario, seed and lanes, on any machine).")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	arg, code := c.parseOne(args, "SCENARIO.yaml")
	if code >= 0 {
		return code
	}
	if *count < 0 {
		fmt.Fprintf(stderr, "abload gen: --count: must be >= 0, got %d\n", *count)
		return exitInput
	}
	start, err := time.Parse(time.RFC3339, *origin)
	if err != nil {
		fmt.Fprintf(stderr, "abload gen: --start: expected an RFC 3339 time like 2026-01-01T00:00:00Z: %v\n", err)
		return exitInput
	}
	sc, code := loadScenario(arg, sets, stderr)
	if sc == nil {
		return code
	}
	g, err := load.NewGenerator(sc)
	if err != nil {
		fmt.Fprintf(stderr, "abload gen: %s: %v\n", arg, err)
		return exitInput
	}
	sched, err := load.Schedule(sc)
	if err != nil {
		fmt.Fprintf(stderr, "abload gen: %s: %v\n", arg, err)
		return exitInput
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	buf := make([]byte, 0, 256)
	var werr error
	st := generators.Stream(g, sched, start.UnixNano(), *count, func(ev *generators.Event) {
		if werr != nil {
			return
		}
		buf = append(ev.AppendJSON(buf[:0]), '\n')
		_, werr = w.Write(buf)
	})
	if werr != nil {
		return exitRuntime // stdout closed (e.g. piped into head)
	}
	if *stats {
		out, _ := json.MarshalIndent(map[string]any{"configured": g.Truth(), "generated": st}, "", "  ")
		fmt.Fprintf(stderr, "%s\n", out)
	}
	if err := w.Flush(); err != nil {
		return exitRuntime
	}
	return exitOK
}
