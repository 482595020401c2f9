package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/abload/abload/generators"
)

func genCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sets multiFlag
	fs.Var(&sets, "set", "override a scenario field: PATH=VALUE (repeatable)")
	count := fs.Int64("count", 10, "number of events to print")
	origin := fs.String("origin", "2026-01-01T00:00:00Z", "schedule origin (RFC 3339): event i is intended at origin + the schedule's due time of i")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload gen SCENARIO.yaml [--count N] [--origin TIME] [--set PATH=VALUE]...")
		fmt.Fprintln(fs.Output(), "\nPrints the scenario's events as JSON lines (the wire format the job reads), exactly as a run")
		fmt.Fprintln(fs.Output(), "would send them, but against a fixed origin instead of the wall clock: the output is reproducible.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "abload gen: expected exactly one SCENARIO.yaml argument")
		fs.Usage()
		return exitInput
	}
	if *count < 0 {
		fmt.Fprintf(stderr, "abload gen: --count: must be >= 0, got %d\n", *count)
		return exitInput
	}
	start, err := time.Parse(time.RFC3339, *origin)
	if err != nil {
		fmt.Fprintf(stderr, "abload gen: --origin: expected an RFC 3339 time like 2026-01-01T00:00:00Z: %v\n", err)
		return exitInput
	}
	sc, code := loadScenario(pos[0], sets, stderr)
	if sc == nil {
		return code
	}
	g, err := generators.New(generators.Config{Seed: sc.Workload.Seed, Campaigns: sc.Workload.Campaigns,
		Variants: sc.Workload.Variants, Recipients: sc.Workload.Recipients})
	if err != nil {
		fmt.Fprintf(stderr, "abload gen: %v\n", err)
		return exitInput
	}
	sched := generators.ConstantRate(sc.Workload.Rate)
	w := bufio.NewWriterSize(stdout, 1<<16)
	var ev generators.Event
	buf := make([]byte, 0, 256)
	for i := int64(0); i < *count; i++ {
		g.Fill(&ev, i, start.UnixNano()+int64(sched.Due(i)))
		buf = append(ev.AppendJSON(buf[:0]), '\n')
		if _, err := w.Write(buf); err != nil {
			return exitRuntime // stdout closed (e.g. piped into head)
		}
	}
	if err := w.Flush(); err != nil {
		return exitRuntime
	}
	return exitOK
}
