package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/abload/abload/reports"
	"github.com/abload/abload/reports/gate"
)

func compareCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baselineArg := fs.String("baseline", "", "the baseline: a configuration's name (a matrix point's name, or a RESULT as given), a RESULT path, or a saved baseline's name (its history) (default: the first configuration)")
	baselineDir := fs.String("baselines-dir", reports.DefaultBaselineDir, "where saved baselines live")
	format := fs.String("format", "text", "output format: text, md, json (schema abload.compare/v2), html (with the e2e percentile spectra overlaid) or junit (the gates as JUnit XML)")
	var gateFlags multiFlag
	fs.Var(&gateFlags, "gate", "a gate on each non-baseline configuration (repeatable): a threshold on its median, e.g. --gate 'e2e.p99 < 250ms', or a regression check, e.g. --gate 'e2e.p99 worse_by > 10%'")
	alpha := fs.Float64("alpha", reports.DefaultAlpha, "significance level, in (0, 1): intervals cover 1 - alpha; a change is significant when its interval excludes 0")
	tolerance := fs.Float64("tolerance", 100*reports.DefaultTolerance, "percent: a \"no significant change\" must rule out changes this large (its interval lies within ±tolerance); wider intervals are \"inconclusive\"")
	fs.Usage = func() {
		o := fs.Output()
		fmt.Fprintln(o, "Usage: abload compare RESULT... [--baseline RESULT|NAME] [--gate EXPR]... [--format text|md|json|html|junit] [--alpha 0.05] [--tolerance 10]")
		fmt.Fprint(o, compareHelp)
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
	var gates []*gate.Expr
	for _, e := range gateFlags {
		g, err := gate.Parse(e)
		if err != nil {
			return fail("%v", err)
		}
		gates = append(gates, g)
	}
	if !(*alpha > 0 && *alpha < 1) {
		return fail("--alpha must be between 0 and 1 (exclusive), got %v", *alpha)
	}
	if !(*tolerance > 0) || math.IsInf(*tolerance, 0) {
		return fail("--tolerance must be a percentage above 0, got %v", *tolerance)
	}
	opts := reports.CompareOptions{Alpha: *alpha, Tolerance: *tolerance / 100}

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
	cmp := reports.Compare(in, baseline, opts)
	cmp.Warnings = append(warnings, cmp.Warnings...)

	// Gates: thresholds on each non-baseline configuration's median over
	// its valid repetitions (a baseline gate against the baseline's median),
	// worse_by gates on its comparison with the baseline (one family).
	var suites []reports.JUnitSuite
	gateFailed := false
	for i, c := range cmp.Configs {
		if len(gates) == 0 || c.Baseline {
			continue
		}
		suite := reports.JUnitSuite{Name: "abload.compare." + c.Name, Valid: c.Repetitions > 0 && c.Insufficient == ""}
		if c.Repetitions == 0 {
			suite.InvalidReasons = []string{"no valid repetition"}
		} else if c.Insufficient != "" {
			suite.InvalidReasons = []string{"insufficient: " + c.Insufficient}
		}
		// (The comparison's warnings are the table's, printed with it.)
		reg, _ := reports.RegressionGates(gates, in[i], in[baseline], opts)
		baseInsufficient := cmp.Config(cmp.Baseline).Insufficient
		for j, g := range gates {
			var res reports.Gate
			switch {
			case g.WorseBy:
				res = reg[j]
			default:
				res = medianGate(cmp, c.Name, g)
			}
			switch {
			case c.Insufficient != "" && res.Pass:
				res.Pass, res.Error = false, "insufficient: "+c.Insufficient
			case g.NeedsBaseline() && baseInsufficient != "" && res.Pass:
				res.Pass, res.Error = false, "the baseline is insufficient: "+baseInsufficient
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
				var note []string
				switch {
				case g.Detail != "":
					note = append(note, g.Detail)
				case g.NoData:
				case g.Limit != nil:
					note = append(note, fmt.Sprintf("median %.6g, limit %.6g", g.Value, *g.Limit))
				case !g.NoData:
					note = append(note, fmt.Sprintf("median %.6g", g.Value))
				}
				if g.Error != "" {
					note = append(note, g.Error)
				}
				fmt.Fprintf(stderr, "abload compare: gate %s  %s: %s (%s)\n", verdict, strings.TrimPrefix(s.Name, "abload.compare."), g.Expr, strings.Join(note, "; "))
			}
		}
	}

	var err error
	switch *format {
	case "junit":
		err = reports.WriteJUnit(stdout, suites)
	case "html":
		var spectra []reports.Spectrum
		for _, c := range cmp.Configs {
			// Valid repetitions only: invalid runs stay out of the spectra too.
			if sp, ok, _ := reports.ConfigE2ESpectrum(c.Name, c.Results); ok {
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

// medianGate evaluates a threshold or baseline gate on a configuration's
// median (and the baseline's); a metric without data fails, saying so.
func medianGate(cmp *reports.Comparison, config string, g *gate.Expr) reports.Gate {
	v, err := cmp.MedianOf(config, g.Path)
	if err != nil {
		return reports.Gate{Expr: g.Text, Error: err.Error(), NoData: errors.Is(err, reports.ErrNoData) || errors.Is(err, reports.ErrNoMetric)}
	}
	if !g.Baseline {
		return reports.EvaluateGateValue(g, v, nil)
	}
	b, err := cmp.MedianOf(cmp.Baseline, g.Path)
	if err != nil {
		return reports.Gate{Expr: g.Text, Value: v, Error: "baseline: " + err.Error(), NoData: true}
	}
	return reports.EvaluateGateValue(g, v, &b)
}

const compareHelp = `
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
among the arguments, or else a RESULT path or a saved baseline's name (see abload baseline;
its whole history is the baseline's repetitions) that is added as the first configuration.

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
  lag.slope_per_s                         events/s (compared as a difference: it is near 0)

Statistics: the repetition is the unit (never an event), so changes are judged against the
noise between runs - fresh JVMs and JIT, partition placement, GC - which no resampling
inside one run can see. Per configuration and metric: the change is the ratio of the
geometric means over the repetitions minus 1 (for the lag slope, the difference of the
means); it is tested with Student's t on the log values against the pooled run-to-run
variance, and its interval is the estimate +- t(1-alpha/2, df) x standard error (coverage
1 - alpha, exact for log-normal run-to-run noise; checked on abload's A/A corpus). The
verdict and the interval always agree:
  better / worse          the interval excludes 0 (p < alpha): beyond the run-to-run noise
  no significant change   not significant, and the interval lies within +-tolerance
  inconclusive            not significant, but the interval reaches beyond +-tolerance:
                          more runs (or less noise) would tell
  insufficient            too few valid runs to estimate the noise, or most of a
                          configuration's runs invalid (the valid few would be biased)
  too short to test       a latency percentile that rests on fewer than 100 events in
                          some run (p99.9 of a 20 s run at 2000 events/s: 40 events)
The noise comes from the runs compared (a saved baseline's history counts) when there are
4 or more in all (one run against a history of 3); with fewer, abload's default noise,
measured on its A/A corpus (the quick scenario on a 2-core host; reports/noise_default.json),
stands in, and a warning says so: it may not be your machine's. Each metric is its own question
(benchstat's convention): nothing is adjusted across metrics or configurations, so over the
ten metrics of an A/A comparison about one false verdict in two comparisons is expected at
alpha 0.05; gate only what you care about (worse_by gates are adjusted as a family).

Warnings (in the output, and on stderr for md, json, html and junit): invalid results
(valid: false), which are left out of medians, tests, spectra and gates; environments that
differ from the baseline's first result's (every field of result.json's environment); Flink
defaults that differ from the baseline's and that neither scenario set (result.json's
flink_config: a Flink upgrade's changed defaults); too few runs to estimate the noise.

Gates (--gate) on each non-baseline configuration:
  METRIC OP VALUE[unit]       a threshold on its median over valid repetitions
  METRIC OP baseline [* F]    against the baseline's median (moved by |median| x (F-1))
  METRIC worse_by > P%        a regression check: fails only when the metric is worse beyond
                              the noise (verdict worse) and the interval's bound nearest to
                              no change is past P% (worse by more than P% with the interval's
                              confidence); 'worse_by <= P%' is the same gate. With k worse_by
                              gates each is judged at alpha/k (Bonferroni), so a configuration
                              that did not change fails one with probability at most alpha.
A gate whose metric has no data (nothing measured, too short to test, insufficient) fails,
saying why. Verdicts go to stderr, or with --format junit to stdout as JUnit XML (a suite per
configuration).

Exit codes: 0 ok (whatever the verdicts), 1 the output could not be written, 2 invalid
input (a missing path, a file that is not a result, an unsupported schema, a bad flag or
gate, fewer than two configurations), 3 a gate failed.
`

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
	t, err := reports.ReadTree(arg)
	if err != nil {
		return nil, nil, err
	}
	var out []loadedConfig
	var warnings []string
	for _, tc := range t.Configs {
		c := loadedConfig{Config: reports.Config{Name: tc.Name, Results: tc.Results(), Dirs: tc.Dirs()}, path: tc.Path}
		if t.Kind == reports.TreeKindMatrix {
			c.alt = tc.Path
			for _, r := range tc.Runs {
				if r.Result == nil {
					// It still counts among the point's runs: a point most
					// of whose runs crashed is insufficient.
					warnings = append(warnings, fmt.Sprintf("%s: repetition %d has no result (%s) left out (%s)",
						tc.Name, r.Repetition, filepath.Join(r.Dir, reports.ResultFile), r.Missing))
				}
			}
		}
		out = append(out, c)
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
	b, err := reports.ResolveBaseline(arg, baselinesDir)
	if err != nil {
		return 0, nil, fmt.Errorf("%q is not a configuration (%s), a result path, or a saved baseline: %v", arg, strings.Join(cmpConfigNames(configs), ", "), err)
	}
	return 0, &loadedConfig{Config: b.Config(), alt: "baseline " + arg}, nil
}
