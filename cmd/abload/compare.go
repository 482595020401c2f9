package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/abload/abload/harness"
	"github.com/abload/abload/reports"
)

func compareCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baselineArg := fs.String("baseline", "", "the baseline: a configuration's name (a matrix point's name, or a RESULT as given), a RESULT path, or a saved baseline's name (default: the first configuration)")
	baselineDir := fs.String("baselines-dir", reports.DefaultBaselineDir, "where saved baselines live")
	format := fs.String("format", "text", "output format: text, md, json (schema abload.compare/v1), html (with the e2e percentile spectra overlaid) or junit (the gates as JUnit XML)")
	var gateFlags multiFlag
	fs.Var(&gateFlags, "gate", "a gate evaluated on each non-baseline configuration's median over its repetitions (repeatable), e.g. --gate 'e2e.p99 <= baseline * 1.10'")
	alpha := fs.Float64("alpha", reports.DefaultAlpha, "significance level, in (0, 1): a change is significant when its adjusted p-value is below it")
	fs.Usage = func() {
		o := fs.Output()
		fmt.Fprintln(o, "Usage: abload compare RESULT... [--baseline RESULT|NAME] [--gate EXPR]... [--format text|md|json|html|junit] [--alpha 0.05]")
		fmt.Fprint(o, `
Compares configurations, each a set of repetitions (runs), against a baseline. Needs no
cluster: it reads result.json files only.

Each RESULT is one of:
  FILE                a result.json: one configuration of one repetition
  DIR/result.json     DIR is a run directory: one configuration of one repetition
  DIR/index.json      DIR is a matrix output: each point is one configuration, named by its
                      point name (DIR/point when two arguments have a point of that name),
                      its repetitions DIR/<point>/rep-<n> (runs without a result.json are
                      left out with a warning)
  DIR/*/result.json   otherwise, a directory whose subdirectories hold results (such as a
                      matrix point's DIR/<point> with its rep-<n>, or runs you collected into
                      one directory): one configuration, each subdirectory a repetition
Checked in this order: a directory with a result.json is a single run even if it has
subdirectories (a control run's control/ is not a repetition). Configurations other than
matrix points are named by the path as given (a result.json file by its directory).
Results are never grouped across arguments: put the repetitions of one configuration in one
directory.

The baseline is the first configuration, or --baseline: a configuration's name, a RESULT
among the arguments, or else a RESULT path or saved baseline name (see abload baseline)
that is added as the first configuration.

Metrics, each compared when both configurations have it in every repetition (units as in
result.json; better: lower unless said):
  latency_ms.e2e.p50, .p99, .p999        ms, when latency_ms.e2e.count > 0
  latency_ms.window.p99                   ms, when latency_ms.window.count > 0
  throughput.in_eps                       events/s, higher is better
  throughput.out_rps                      records/s, higher is better
  checkpoints.duration_ms.p99             ms, when checkpoints.completed > 0
  checkpoints.state_size_bytes.max        bytes, when checkpoints.completed > 0
  recovery.running_after_s                s, max over recovery[] of running_s - at_s
  recovery.lag_recovered_after_s          s, max over recovery[] of lag_recovered_s - at_s
  resources.taskmanager_cpu_pct           %, sum of the taskmanager-* cpu_pct.p50
  lag.slope_per_s                         events/s

Statistics: per configuration and metric, the median over its repetitions and the change of
the medians relative to the baseline's; a two-sided Mann-Whitney U test over the
repetitions (the unit is a run, never an event; exact distribution up to 100 runs in all,
ties by mid-ranks with the exact permutation distribution); the p-values of one
configuration's metrics adjusted together with Benjamini-Hochberg. Verdict: better or
worse when the adjusted p is below --alpha, else "no significant change". With n and m
repetitions no p can be below 2/C(n+m,n): 3 vs 3 cannot reach 0.05, 4 vs 4 can; compare
warns when a configuration has too few.

Warnings (in the output, and on stderr for md and json): invalid results (valid: false),
which are left out; environments that differ from the baseline's first result's (every
field of result.json's environment); too few repetitions.

Gates (--gate, grammar as for run) are evaluated on each non-baseline configuration's median
over its valid repetitions, a baseline gate against the baseline's median; verdicts go to
stderr, or with --format junit to stdout as JUnit XML (a suite per configuration).

Exit codes: 0 ok (whatever the verdicts), 1 the output could not be written, 2 invalid
input (a missing path, a file that is not a result, an unsupported schema, a bad flag or
gate, fewer than two configurations), 3 a gate failed.
`)
		fmt.Fprintln(o, "\nFlags:")
		fs.PrintDefaults()
	}
	pos, code := parseInterleaved(fs, args)
	if code >= 0 {
		return code
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "abload compare: "+format+"\n", a...)
		return exitInput
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "abload compare: expected at least one RESULT argument")
		fs.Usage()
		return exitInput
	}
	if *format != "text" && *format != "md" && *format != "json" && *format != "html" && *format != "junit" {
		return fail("--format must be text, md, json, html or junit, got %q", *format)
	}
	var gates []*reports.GateExpr
	for _, e := range gateFlags {
		g, err := reports.ParseGate(e)
		if err != nil {
			return fail("%v", err)
		}
		gates = append(gates, g)
	}
	if !(*alpha > 0 && *alpha < 1) {
		return fail("--alpha must be between 0 and 1 (exclusive), got %v", *alpha)
	}

	var configs []loadedConfig
	var warnings []string
	names := map[string]bool{}
	for _, arg := range pos {
		cs, ws, err := loadCompareArg(arg)
		if err != nil {
			return fail("%v", err)
		}
		warnings = append(warnings, ws...)
		for _, c := range cs {
			c.Name = cmpUniqueName(names, c.Name, c.alt)
			configs = append(configs, c)
		}
	}
	baseline := 0
	if *baselineArg != "" {
		i, extra, err := findBaseline(*baselineArg, *baselineDir, pos, configs)
		if err != nil {
			return fail("--baseline: %v", err)
		}
		if extra != nil {
			extra.Name = cmpUniqueName(names, extra.Name, extra.alt)
			configs = append([]loadedConfig{*extra}, configs...)
		}
		baseline = i
	}
	if len(configs) < 2 {
		return fail("nothing to compare: %d configuration(s) (%s); give two or more RESULTs, a matrix with two or more points, or --baseline", len(configs), strings.Join(cmpConfigNames(configs), ", "))
	}
	in := make([]reports.Config, len(configs))
	for i, c := range configs {
		in[i] = c.Config
	}
	cmp := reports.Compare(in, baseline, *alpha)
	cmp.Warnings = append(warnings, cmp.Warnings...)

	// Gates: on each non-baseline configuration's median over its valid
	// repetitions (a baseline gate against the baseline's median).
	var suites []reports.JUnitSuite
	gateFailed := false
	for _, c := range cmp.Configs {
		if len(gates) == 0 || c.Baseline {
			continue
		}
		suite := reports.JUnitSuite{Name: "abload.compare." + c.Name, Valid: c.Repetitions > 0}
		if !suite.Valid {
			suite.InvalidReasons = []string{"no valid repetition"}
		}
		for _, g := range gates {
			var res reports.Gate
			v, err := cmp.MedianOf(c.Name, g.Path)
			switch {
			case err != nil:
				res = reports.Gate{Expr: g.Text, Error: err.Error()}
			case g.Baseline:
				b, berr := cmp.MedianOf(cmp.Baseline, g.Path)
				if berr != nil {
					res = reports.Gate{Expr: g.Text, Value: v, Error: "baseline: " + berr.Error()}
				} else {
					res = g.EvaluateValue(v, &b)
				}
			default:
				res = g.EvaluateValue(v, nil)
			}
			gateFailed = gateFailed || !res.Pass
			suite.Gates = append(suite.Gates, res)
		}
		suites = append(suites, suite)
	}
	if len(gates) > 0 && *format != "junit" {
		for _, s := range suites {
			for _, g := range s.Gates {
				verdict := "pass"
				if !g.Pass {
					verdict = "FAIL"
				}
				note := ""
				if g.Limit != nil {
					note = fmt.Sprintf(", limit %.6g", *g.Limit)
				}
				if g.Error != "" {
					note += "; " + g.Error
				}
				fmt.Fprintf(stderr, "abload compare: gate %s  %s: %s (median %.6g%s)\n", verdict, strings.TrimPrefix(s.Name, "abload.compare."), g.Expr, g.Value, note)
			}
		}
	}

	var err error
	switch *format {
	case "junit":
		err = reports.WriteJUnit(stdout, suites)
	case "html":
		var spectra []reports.Spectrum
		for _, c := range configs {
			if sp, ok, _ := reports.ConfigE2ESpectrum(c.Name, c.Dirs); ok {
				spectra = append(spectra, sp)
			}
		}
		err = reports.WriteCompareHTML(stdout, cmp, spectra)
	case "text":
		err = reports.WriteCompareText(stdout, cmp)
	case "md":
		err = reports.WriteCompareMarkdown(stdout, cmp)
	case "json":
		err = reports.WriteCompareJSON(stdout, cmp)
	}
	if *format != "text" {
		for _, w := range cmp.Warnings {
			fmt.Fprintf(stderr, "abload compare: warning: %s\n", w)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "abload compare: write output: %v\n", err)
		return exitRuntime
	}
	if gateFailed {
		return exitGate
	}
	return exitOK
}

// loadedConfig is a configuration read from an argument; alt is the name
// to use when its own is taken.
type loadedConfig struct {
	reports.Config
	alt  string
	path string // the argument it came from (cleaned)
}

func cmpConfigNames(cs []loadedConfig) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func cmpUniqueName(taken map[string]bool, name, alt string) string {
	if taken[name] && alt != "" {
		name = alt
	}
	n := name
	for i := 2; taken[n]; i++ {
		n = fmt.Sprintf("%s#%d", name, i)
	}
	taken[n] = true
	return n
}

// loadCompareArg reads one RESULT argument (see compare --help) into its
// configurations, with warnings about runs left out. Errors name the path.
func loadCompareArg(arg string) ([]loadedConfig, []string, error) {
	clean := filepath.Clean(arg)
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: no such file or directory", arg)
		}
		return nil, nil, err
	}
	if !st.IsDir() {
		r, err := reports.ReadResult(arg)
		if err != nil {
			return nil, nil, err
		}
		name := clean
		if filepath.Base(clean) == reports.ResultFile {
			name = filepath.Dir(clean)
		}
		return []loadedConfig{{Config: reports.Config{Name: name, Results: []*reports.Result{r}, Dirs: []string{name}}, path: name}}, nil, nil
	}
	if cmpFileExists(filepath.Join(arg, "index.json")) {
		return loadMatrixArg(arg, clean)
	}
	if cmpFileExists(filepath.Join(arg, reports.ResultFile)) {
		r, err := reports.ReadResult(filepath.Join(arg, reports.ResultFile))
		if err != nil {
			return nil, nil, err
		}
		return []loadedConfig{{Config: reports.Config{Name: clean, Results: []*reports.Result{r}, Dirs: []string{clean}}, path: clean}}, nil, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, nil, err
	}
	var reps []string
	for _, e := range entries {
		if e.IsDir() && cmpFileExists(filepath.Join(arg, e.Name(), reports.ResultFile)) {
			reps = append(reps, e.Name())
		}
	}
	if len(reps) == 0 {
		return nil, nil, fmt.Errorf("%s: not a result: no %s, no index.json, and no subdirectory with a %s", arg, reports.ResultFile, reports.ResultFile)
	}
	sort.Slice(reps, func(i, j int) bool { return cmpNaturalLess(reps[i], reps[j]) })
	c := loadedConfig{Config: reports.Config{Name: clean}, path: clean}
	for _, d := range reps {
		r, err := reports.ReadResult(filepath.Join(arg, d, reports.ResultFile))
		if err != nil {
			return nil, nil, err
		}
		c.Results = append(c.Results, r)
		c.Dirs = append(c.Dirs, filepath.Join(clean, d))
	}
	return []loadedConfig{c}, nil, nil
}

// loadMatrixArg reads a matrix output: one configuration per point, in the
// index's point order, with its runs in repetition order.
func loadMatrixArg(arg, clean string) ([]loadedConfig, []string, error) {
	path := filepath.Join(arg, "index.json")
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var idx harness.Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, nil, fmt.Errorf("%s: not a matrix index: %v", path, err)
	}
	if idx.Schema != harness.IndexSchema {
		return nil, nil, fmt.Errorf("%s: schema %q, want %q", path, idx.Schema, harness.IndexSchema)
	}
	runs := append([]harness.IndexRun(nil), idx.Runs...)
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Repetition < runs[j].Repetition })
	var out []loadedConfig
	var warnings []string
	for _, p := range idx.Points {
		c := loadedConfig{Config: reports.Config{Name: p.Name}, alt: filepath.Join(clean, p.Name), path: filepath.Join(clean, p.Name)}
		for _, run := range runs {
			if run.Point != p.Name {
				continue
			}
			dir := filepath.Join(clean, filepath.FromSlash(run.Dir))
			file := filepath.Join(dir, reports.ResultFile)
			if !cmpFileExists(file) {
				why := "status " + run.Status
				if run.Error != "" {
					why += ": " + run.Error
				}
				warnings = append(warnings, fmt.Sprintf("%s: repetition %d has no result (%s) left out (%s)", p.Name, run.Repetition, file, why))
				continue
			}
			r, err := reports.ReadResult(file)
			if err != nil {
				return nil, nil, err
			}
			c.Results = append(c.Results, r)
			c.Dirs = append(c.Dirs, dir)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: no points", path)
	}
	return out, warnings, nil
}

// findBaseline resolves --baseline: a configuration's name, an argument's
// path, or else a result path or saved baseline to add as the first
// configuration (then the index is 0 and extra is it).
func findBaseline(arg, baselinesDir string, pos []string, configs []loadedConfig) (int, *loadedConfig, error) {
	for i, c := range configs {
		if c.Name == arg {
			return i, nil, nil
		}
	}
	clean := filepath.Clean(arg)
	var match []int
	for i, c := range configs {
		if c.path != "" && (c.path == clean || filepath.Join(c.path, reports.ResultFile) == clean) {
			match = append(match, i)
		}
	}
	if len(match) == 1 {
		return match[0], nil, nil
	}
	for _, p := range pos {
		if filepath.Clean(p) == clean {
			return 0, nil, fmt.Errorf("%s is a matrix with several points: name one (%s)", arg, strings.Join(cmpConfigNames(configs), ", "))
		}
	}
	if _, err := os.Stat(arg); err == nil {
		cs, _, err := loadCompareArg(arg)
		if err != nil {
			return 0, nil, err
		}
		if len(cs) != 1 {
			return 0, nil, fmt.Errorf("%s holds %d configurations: give a single run, a directory of repetitions, or one point's directory", arg, len(cs))
		}
		return 0, &cs[0], nil
	}
	r, file, err := reports.ResolveBaseline(arg, baselinesDir)
	if err != nil {
		return 0, nil, fmt.Errorf("%q is not a configuration (%s), a result path, or a saved baseline: %v", arg, strings.Join(cmpConfigNames(configs), ", "), err)
	}
	return 0, &loadedConfig{Config: reports.Config{Name: arg, Results: []*reports.Result{r}, Dirs: []string{filepath.Dir(file)}}, alt: "baseline " + arg}, nil
}

func cmpFileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// cmpNaturalLess orders names with numbers by value: rep-2 before rep-10.
func cmpNaturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := cmpDigitPrefix(a), cmpDigitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func cmpDigitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
