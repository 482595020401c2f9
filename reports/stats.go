package reports

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// Statistics for comparing configurations over repetitions: the unit of
// observation is always one repetition (one run's figure), never one event,
// so the noise a comparison is judged against is the noise between runs —
// fresh JVMs and JIT, partition placement, GC, what else the machine did —
// which resampling inside one run cannot see.
//
// The model: a run's value of a metric is its configuration's level times a
// run-to-run factor, log-normally distributed with the same spread σ for
// every configuration of a comparison (for metrics that can be zero or
// negative, such as the lag slope: level plus a normal deviation). Two
// configurations are compared by the difference of their mean log values
// (the log of the ratio of their geometric means), tested with Student's t
// on the pooled spread — the test that is exact under that model whatever
// the repetition counts, one run against a history of three included — and
// the same t gives the confidence interval, so the verdict and the interval
// always agree.

// Scale says how a metric's values are compared.
type Scale string

// Scales.
const (
	// ScaleRatio compares log values: changes are relative (+12%), the
	// noise is a factor. For metrics whose values are always > 0.
	ScaleRatio Scale = "ratio"
	// ScaleLinear compares values: changes are in the metric's unit. For
	// metrics that can be zero or negative.
	ScaleLinear Scale = "linear"
)

// RatioResolution is the smallest run-to-run spread (in log units, ≈ 0.1%)
// a ratio metric is credited with: latencies come from HdrHistograms kept to
// three significant digits, and result.json rounds what it stores, so
// smaller differences are not measured ones. Without it, metrics that come
// out the same in every run (a fixed offered rate) would call a change in
// the fourth digit significant.
const RatioResolution = 0.001

// LinearResolution is the same for linear metrics, as a share of their
// reference: a lag slope within 0.1% of the offered rate of another is not
// told apart from it (a history of runs whose slopes were all equal would
// otherwise call a change of 0.01 events/s significant).
const LinearResolution = 0.001

// MinNoiseDF is the fewest degrees of freedom (runs in all minus two) with
// which a comparison estimates the run-to-run noise from its own runs; with
// fewer it needs an estimate from elsewhere (DefaultNoise).
const MinNoiseDF = 2

// Noise is the run-to-run spread of a metric: the standard deviation of
// one run's value on the metric's scale (natural-log units for ratio
// metrics: 0.05 ≈ ±5% per run), with the degrees of freedom it was
// estimated with and where it came from.
type Noise struct {
	Sigma  float64 `json:"sigma"`
	DF     int     `json:"df"`
	Source string  `json:"source"`
}

// Noise sources.
const (
	NoiseFromRuns    = "runs"    // the runs compared (a saved baseline's history counts)
	NoiseFromDefault = "default" // DefaultNoise, measured on abload's A/A corpus
)

// Shift is the estimated difference between two sets of values on one
// scale (y the baseline): x̄ − ȳ of the transformed values, its standard
// error, Student's t with DF degrees of freedom, the two-sided P, and the
// confidence interval [Lo, Hi] at the coverage asked for.
type Shift struct {
	Estimate float64
	SE       float64
	T        float64
	DF       int
	P        float64
	Lo, Hi   float64
	// Detectable is the smallest |Estimate| that is significant with this
	// noise and these repetition counts: the interval's half-width.
	Detectable float64
}

// Transform maps values onto the scale a comparison works on: natural logs
// for ScaleRatio (false if some value is not > 0), the values for
// ScaleLinear.
func Transform(vals []float64, s Scale) ([]float64, bool) {
	out := make([]float64, len(vals))
	for i, v := range vals {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
		if s == ScaleRatio {
			if v <= 0 {
				return nil, false
			}
			v = math.Log(v)
		}
		out[i] = v
	}
	return out, true
}

// SumSquares is Σ(v − v̄)² over vals.
func SumSquares(vals []float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	mean := Mean(vals)
	ss := 0.0
	for _, v := range vals {
		ss += (v - mean) * (v - mean)
	}
	return ss
}

// RunNoise estimates the run-to-run spread from two samples (already on
// the comparison's scale): the pooled standard deviation, with n + m − 2
// degrees of freedom. ok is false below MinNoiseDF degrees of freedom.
// floor is the smallest σ credited (RatioResolution for ratio metrics).
func RunNoise(x, y []float64, floor float64) (Noise, bool) {
	df := len(x) + len(y) - 2
	if df < MinNoiseDF {
		return Noise{}, false
	}
	ss := SumSquares(x) + SumSquares(y)
	return Noise{Sigma: math.Max(math.Sqrt(ss/float64(df)), floor), DF: df, Source: NoiseFromRuns}, true
}

// TShift compares x with y (values on the comparison's scale, y the
// baseline) given the run-to-run noise: the estimate x̄ − ȳ, its standard
// error σ·√(1/n + 1/m), Student's t with noise.DF degrees of freedom, the
// two-sided p-value and the interval estimate ± t_{1−α/2}·SE, whose
// coverage is 1 − alpha under the model. The interval excludes zero exactly
// when P < alpha. With σ = 0 (no noise at all) the interval is the
// estimate itself and P is 0 for a nonzero estimate, 1 for none.
func TShift(x, y []float64, noise Noise, alpha float64) Shift {
	n, m := float64(len(x)), float64(len(y))
	s := Shift{Estimate: Mean(x) - Mean(y), DF: noise.DF}
	s.SE = noise.Sigma * math.Sqrt(1/n+1/m)
	if s.SE == 0 || noise.DF < 1 {
		s.Lo, s.Hi = s.Estimate, s.Estimate
		if s.Estimate == 0 {
			s.P = 1
		}
		return s
	}
	dist := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(noise.DF)}
	s.T = s.Estimate / s.SE
	s.P = math.Min(1, 2*dist.Survival(math.Abs(s.T)))
	s.Detectable = dist.Quantile(1-alpha/2) * s.SE
	s.Lo, s.Hi = s.Estimate-s.Detectable, s.Estimate+s.Detectable
	return s
}

// TCritical is Student's t quantile 1 − alpha/2 with df degrees of freedom:
// how many standard errors a change must exceed to be significant.
func TCritical(alpha float64, df int) float64 {
	if df < 1 {
		return math.Inf(1)
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - alpha/2)
}

// Mean is the arithmetic mean of xs; NaN for none.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, v := range xs {
		sum += v
	}
	return sum / float64(len(xs))
}

// Median is the median of xs (the mean of the two middle values for an even
// count); NaN for none. xs is not modified.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}
