package reports

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The default noise: how much independent runs of one configuration differ,
// per compare metric, measured on abload's A/A corpus (reports/testdata/corpus:
// independent quick runs, each its own `abload run`, recorded by `make
// bench-compare`). It stands in when a comparison has too few runs to
// estimate the noise itself (one run against one baseline run). A test keeps
// noise_default.json equal to what the committed corpus gives.

// NoiseSchema identifies noise_default.json.
const NoiseSchema = "abload.noise/v1"

// NoiseRef is one metric's run-to-run noise measured on a corpus of runs of
// one configuration: the standard deviation of a run's value on the
// metric's scale (log units for ratio metrics) with its degrees of freedom;
// PairFalseRate, for information, is the share of the corpus's pairs that
// the t-test of one run against one, with the noise of the other runs,
// calls different at DefaultAlpha. StandsIn says whether the default is
// used when a comparison has too few runs of its own: only for the e2e
// latency percentiles that the corpus's runs are long enough to test —
// decided by what the metric is, not by how its rate came out, and checked
// by the calibration test. Other metrics' spread between short runs is not
// what it would be in the user's runs (throughput fixed by the offered
// rate, checkpoint figures from two checkpoints, CPU bimodal while the JIT
// warms up): one run against one is "insufficient" for them.
type NoiseRef struct {
	Sigma         float64 `json:"sigma"`
	DF            int     `json:"df"`
	PairFalseRate float64 `json:"pair_false_rate"`
	StandsIn      bool    `json:"stands_in"`
}

// NoiseTable is a set of per-metric run-to-run noise estimates and where
// they were measured.
type NoiseTable struct {
	Schema string `json:"schema"`
	// Corpus says what the estimates were measured on.
	Corpus string `json:"corpus"`
	// Runs is how many runs the estimates rest on.
	Runs int `json:"runs"`
	// Metrics maps a compare metric's path to its noise.
	Metrics map[string]NoiseRef `json:"metrics"`
	// Constant lists the metrics that came out the same in every run
	// (no noise to measure; RatioResolution stands in).
	Constant []string `json:"constant,omitempty"`
}

//go:embed noise_default.json
var defaultNoiseJSON []byte

var defaultNoise = sync.OnceValue(func() NoiseTable {
	var t NoiseTable
	if err := json.Unmarshal(defaultNoiseJSON, &t); err != nil || t.Schema != NoiseSchema {
		panic(fmt.Sprintf("reports: noise_default.json: %v (schema %q)", err, t.Schema))
	}
	return t
})

// DefaultNoise is the run-to-run noise measured on abload's A/A corpus.
func DefaultNoise() NoiseTable {
	t := defaultNoise()
	m := make(map[string]NoiseRef, len(t.Metrics))
	for k, v := range t.Metrics {
		m[k] = v
	}
	t.Metrics = m
	t.Constant = append([]string(nil), t.Constant...)
	return t
}

// MeasureNoise estimates each compare metric's run-to-run noise from runs
// of one configuration (invalid results are left out): the standard
// deviation of the metric's values on its scale, with runs − 1 degrees of
// freedom, for every ratio metric that every valid run has (a linear
// metric's spread, in its unit, would not carry over to other rates), and
// its leave-pair-out calibration (NoiseRef). Metrics equal in every run are
// listed as constant and given RatioResolution.
func MeasureNoise(corpus string, results []*Result) NoiseTable {
	var valid []*Result
	for _, r := range results {
		if r != nil && r.Valid {
			valid = append(valid, r)
		}
	}
	t := NoiseTable{Schema: NoiseSchema, Corpus: corpus, Runs: len(valid), Metrics: map[string]NoiseRef{}}
	if len(valid) < 2 {
		return t
	}
	for _, m := range compareMetrics {
		vals, ok := metricValues(m, valid)
		if !ok || m.Scale != ScaleRatio {
			continue
		}
		xs, ok := Transform(vals, m.Scale)
		if !ok {
			continue
		}
		ref := NoiseRef{Sigma: roundSig(math.Sqrt(SumSquares(xs)/float64(len(xs)-1)), 4), DF: len(xs) - 1}
		if slices.Min(xs) == slices.Max(xs) {
			t.Constant = append(t.Constant, m.Path)
			ref.Sigma = RatioResolution
		}
		ref.PairFalseRate = roundSig(pairFalseRate(xs), 4)
		ref.StandsIn = strings.HasPrefix(m.Path, "latency_ms.e2e.") && tooShort(m, valid) == "" && len(xs) >= 10
		t.Metrics[m.Path] = ref
	}
	return t
}

// pairFalseRate is the share of the pairs of xs (one configuration's runs,
// on the metric's scale) that the t-test of one run against one, with the
// noise estimated on the other runs, calls different at DefaultAlpha.
func pairFalseRate(xs []float64) float64 {
	n := len(xs)
	if n < 5 {
		return math.NaN()
	}
	crit := TCritical(DefaultAlpha, n-3)
	hits, pairs := 0, 0
	rest := make([]float64, 0, n-2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			rest = rest[:0]
			for k, v := range xs {
				if k != i && k != j {
					rest = append(rest, v)
				}
			}
			sigma := math.Max(math.Sqrt(SumSquares(rest)/float64(len(rest)-1)), RatioResolution)
			if math.Abs(xs[i]-xs[j]) > crit*sigma*math.Sqrt2 {
				hits++
			}
			pairs++
		}
	}
	return float64(hits) / float64(pairs)
}

// roundSig rounds v to n significant digits (the table is for reading too).
func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, float64(n)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// WriteNoiseTable writes, for runs of one configuration (a baseline's
// history; invalid ones are left out), each compare metric's median and
// run-to-run noise: the spread a new run is judged against.
func WriteNoiseTable(w io.Writer, results []*Result) {
	var valid []*Result
	for _, r := range results {
		if r != nil && r.Valid {
			valid = append(valid, r)
		}
	}
	rows := [][]string{{"metric", "unit", "median", "noise/run", "df"}}
	for _, m := range compareMetrics {
		vals, ok := metricValues(m, valid)
		if !ok {
			continue
		}
		noise, df := "-", "-"
		if xs, ok := Transform(vals, m.Scale); ok && len(xs) > 1 {
			sigma := math.Sqrt(SumSquares(xs) / float64(len(xs)-1))
			if m.Scale == ScaleRatio {
				sigma = math.Expm1(sigma)
			}
			noise = "±" + strings.TrimPrefix(fmtChange(sigma, m.Scale), "+")
			df = strconv.Itoa(len(xs) - 1)
		}
		scale, unit := displayScale(m.Unit, math.Abs(Median(vals)))
		rows = append(rows, []string{m.Label, unit, fmtCmp(Median(vals) / scale), noise, df})
	}
	writeAligned(w, "  ", rows, []bool{false, false, true, true, true})
}

// NoiseMarkdown is the table the manual (docs/comparing.md) shows of a noise table: per metric
// the noise per run (e^σ − 1) and the runs it rests on.
func NoiseMarkdown(t NoiseTable) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| metric | noise per run | degrees of freedom | leave-pair-out false rate | as the default |\n|---|--:|--:|--:|---|\n")
	constant := map[string]bool{}
	for _, p := range t.Constant {
		constant[p] = true
	}
	for _, m := range compareMetrics {
		n, ok := t.Metrics[m.Path]
		if !ok {
			continue
		}
		note := ""
		switch {
		case n.StandsIn:
			note = "stands in for one run against one or two"
		case constant[m.Path]:
			note = "not used (the same in every run of the corpus)"
		default:
			note = "not used: one run against one is `insufficient`"
		}
		fmt.Fprintf(&b, "| `%s` | ±%.1f%% | %d | %.3f | %s |\n", m.Path, 100*math.Expm1(n.Sigma), n.DF, n.PairFalseRate, note)
	}
	fmt.Fprintf(&b, "\nMeasured on %s. The false rate is the share of the corpus's pairs that one run against one, with the noise of the other runs, would call different at alpha 0.05 (for information: it is near 0.05 only where runs vary log-normally).\n", t.Corpus)
	return b.String()
}
