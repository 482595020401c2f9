package reports

import (
	"math"
	"testing"
)

func closeTo(got, want, rel float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= rel*math.Max(math.Abs(got), math.Abs(want))
}

func seq(from, step float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = from + step*float64(i)
	}
	return out
}

// Student's t on log values with the pooled variance, against
// scipy.stats.ttest_ind(log x, log y, equal_var=True) and its
// confidence_interval(0.95) (scipy 1.17).
func TestTShiftAgainstScipy(t *testing.T) {
	for _, tc := range []struct {
		name          string
		x, y          []float64
		tt, p, lo, hi float64
		df            int
	}{
		{"4 vs 4", []float64{110, 120, 130, 125}, []float64{100, 105, 98, 103},
			4.528770123003368, 0.003980345378442126, 0.08102067886920578, 0.2714759677740562, 6},
		{"1 vs history of 3", []float64{300}, []float64{100, 110, 90},
			9.507404272936695, 0.01088281381059101, 0.6032604000530097, 1.600664401185542, 2},
	} {
		x, _ := Transform(tc.x, ScaleRatio)
		y, _ := Transform(tc.y, ScaleRatio)
		noise, ok := RunNoise(x, y, 0)
		if !ok || noise.DF != tc.df || noise.Source != NoiseFromRuns {
			t.Fatalf("%s: noise %+v ok %v", tc.name, noise, ok)
		}
		s := TShift(x, y, noise, 0.05)
		if !closeTo(s.T, tc.tt, 1e-9) || !closeTo(s.P, tc.p, 1e-7) || !closeTo(s.Lo, tc.lo, 1e-7) || !closeTo(s.Hi, tc.hi, 1e-7) || s.DF != tc.df {
			t.Errorf("%s: t %v p %v [%v, %v] df %d; want t %v p %v [%v, %v] df %d", tc.name, s.T, s.P, s.Lo, s.Hi, s.DF, tc.tt, tc.p, tc.lo, tc.hi, tc.df)
		}
		if (s.P < 0.05) != (s.Lo > 0 || s.Hi < 0) {
			t.Errorf("%s: p %v and interval [%v, %v] disagree", tc.name, s.P, s.Lo, s.Hi)
		}
	}
	// scipy.stats.t.ppf(0.975, 2), (0.975, 6)
	if got := TCritical(0.05, 2); !closeTo(got, 4.302652729749462, 1e-9) {
		t.Errorf("TCritical(0.05, 2) = %v", got)
	}
	if got := TCritical(0.05, 6); !closeTo(got, 2.4469118511449786, 1e-9) {
		t.Errorf("TCritical(0.05, 6) = %v", got)
	}
}

// The runs' own noise needs 2 degrees of freedom; identical runs get the floor.
func TestRunNoise(t *testing.T) {
	if _, ok := RunNoise([]float64{0}, []float64{0.2, 0.1}, 0); ok {
		t.Error("1 vs 2 gave a noise estimate of its own")
	}
	n, ok := RunNoise([]float64{0, 0.1}, []float64{0.1, 0.3}, 0)
	if want := math.Sqrt((0.005 + 0.02) / 2); !ok || n.Source != NoiseFromRuns || n.DF != 2 || !closeTo(n.Sigma, want, 1e-12) {
		t.Errorf("2 vs 2: %+v, want sigma %v", n, want)
	}
	if n, _ := RunNoise([]float64{1, 1}, []float64{1, 1}, RatioResolution); n.Sigma != RatioResolution {
		t.Errorf("identical runs: sigma %v, want the floor", n.Sigma)
	}
	// No noise at all: the interval is the estimate.
	s := TShift([]float64{2, 2}, []float64{1, 1}, Noise{Sigma: 0, DF: 2}, 0.05)
	if s.Lo != 1 || s.Hi != 1 || s.P != 0 {
		t.Errorf("noiseless shift: %+v", s)
	}
	if s := TShift([]float64{1}, []float64{1}, Noise{Sigma: 0, DF: 2}, 0.05); s.P != 1 {
		t.Errorf("noiseless no shift: %+v", s)
	}
}

func TestTransform(t *testing.T) {
	if _, ok := Transform([]float64{1, 0}, ScaleRatio); ok {
		t.Error("log of 0 accepted")
	}
	if v, ok := Transform([]float64{-3, 0}, ScaleLinear); !ok || v[0] != -3 {
		t.Errorf("linear: %v %v", v, ok)
	}
	if v, _ := Transform([]float64{math.E}, ScaleRatio); !closeTo(v[0], 1, 1e-15) {
		t.Errorf("log e = %v", v[0])
	}
}

func TestStatsMedian(t *testing.T) {
	in := []float64{5, 1, 3}
	if got := Median(in); got != 3 {
		t.Errorf("Median odd = %v", got)
	}
	if in[0] != 5 {
		t.Error("Median modified its input")
	}
	if got := Median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("Median even = %v", got)
	}
	if got := Median(nil); !math.IsNaN(got) {
		t.Errorf("Median empty = %v", got)
	}
}
