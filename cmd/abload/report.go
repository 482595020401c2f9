package main

import (
	"encoding/json"
	"errors"
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
		fmt.Fprintln(fs.Output(), "or a matrix's (with index.json), whose every run is regenerated.")
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
	dirs, err := runDirs(arg)
	if err != nil {
		fmt.Fprintf(stderr, "abload report: %v\n", err)
		return exitInput
	}
	for _, d := range dirs {
		res, err := reports.ReadResult(filepath.Join(d, reports.ResultFile))
		if err != nil {
			fmt.Fprintf(stderr, "abload report: %v\n", err)
			return exitInput
		}
		written, err := writeReports(d, res, *format)
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

// runDirs returns DIR itself when it holds a result.json, or every run of
// the matrix whose index.json it holds.
func runDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, reports.ResultFile)); err == nil {
		return []string{dir}, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no result.json (a run) or index.json (a matrix) in it", dir)
	}
	if err != nil {
		return nil, err
	}
	var idx struct {
		Runs []struct {
			Dir string `json:"dir"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "index.json"), err)
	}
	var out []string
	for _, r := range idx.Runs {
		if !filepath.IsLocal(r.Dir) {
			return nil, fmt.Errorf("%s: runs[].dir %q: want a directory inside %s", filepath.Join(dir, "index.json"), r.Dir, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, r.Dir, reports.ResultFile)); err == nil {
			out = append(out, filepath.Join(dir, r.Dir))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the matrix has no run with a result.json", dir)
	}
	return out, nil
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
