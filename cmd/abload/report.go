package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/abload/abload/reports"
)

func reportCmd(args []string, stdout, stderr io.Writer) int {
	c := newCommand("report", stderr)
	fs := c.fs
	format := fs.String("format", "all", "which reports to write: md, html, or all")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: abload report DIR [--format md|html|all]")
		fmt.Fprintln(fs.Output(), "\nRegenerates a run's report.md and report.html (and junit.xml, when it has gates) from its")
		fmt.Fprintln(fs.Output(), "result.json and latency.hlog alone: no cluster is needed. DIR is a run's result directory,")
		fmt.Fprintln(fs.Output(), "a matrix's (with index.json) or a directory of repetitions (subdirectories with result.json),")
		fmt.Fprintln(fs.Output(), "whose every run is regenerated.")
		fmt.Fprintln(fs.Output(), "\nExit codes: 0 ok, 1 a report could not be written, 2 DIR holds no result.")
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	arg, code := c.parseOne(args, "DIR")
	if code >= 0 {
		return code
	}
	if *format != "md" && *format != "html" && *format != "all" {
		fmt.Fprintf(stderr, "abload report: --format must be md, html or all, got %q\n", *format)
		return exitInput
	}
	runs, err := treeRuns(arg, false)
	if err != nil {
		fmt.Fprintf(stderr, "abload report: %v\n", err)
		return exitInput
	}
	for _, r := range runs {
		d := r.Dir
		written, err := writeReports(d, r.Result, *format)
		if err != nil {
			fmt.Fprintf(stderr, "abload report: %s: %v\n", d, err)
			return exitRuntime
		}
		for _, f := range written {
			fmt.Fprintln(stdout, filepath.Join(d, f))
		}
	}
	return exitOK
}

// treeRuns are the runs with a result that a RESULT argument holds
// (reports.ReadTree: a result.json, a run, a matrix, a directory of
// repetitions), in order; files says whether a result file may be named
// (report writes next to each result, so it wants directories).
func treeRuns(arg string, files bool) ([]reports.TreeRun, error) {
	t, err := reports.ReadTree(arg)
	if err != nil {
		return nil, err
	}
	if t.Kind == reports.TreeKindFile && !files {
		return nil, fmt.Errorf("%s: a directory is wanted (a run's, a matrix's or one of repetitions), not a file", arg)
	}
	runs := t.Runs()
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s: no run with a %s in it", arg, reports.ResultFile)
	}
	return runs, nil
}

// writeReports writes the run's report files from its result (and hlog).
func writeReports(dir string, res *reports.Result, format string) ([]string, error) {
	var written []string
	if format == "md" || format == "all" {
		f, err := os.Create(filepath.Join(dir, "report.md"))
		if err != nil {
			return written, err
		}
		reports.WriteMarkdown(f, res)
		if err := f.Close(); err != nil {
			return written, err
		}
		written = append(written, "report.md")
		if len(res.Gates) > 0 {
			j, err := os.Create(filepath.Join(dir, "junit.xml"))
			if err != nil {
				return written, err
			}
			if err := reports.WriteJUnit(j, []reports.JUnitSuite{reports.SuiteForResult(res)}); err != nil {
				j.Close()
				return written, err
			}
			if err := j.Close(); err != nil {
				return written, err
			}
			written = append(written, "junit.xml")
		}
	}
	if format == "html" || format == "all" {
		if err := writeHTMLReport(dir, res); err != nil {
			return written, err
		}
		written = append(written, "report.html")
	}
	return written, nil
}
