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

// Reference values without ties: scipy 1.17 stats.mannwhitneyu(x, y,
// method="exact", alternative="two-sided"), whose statistic is x's U.
func TestMannWhitneyExactAgainstScipy(t *testing.T) {
	cases := []struct {
		name string
		x, y []float64
		u, p float64
	}{
		{"5 vs 5 fully separated", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 0, 2.0 / 252},
		{"3 vs 4 fully separated, x above", []float64{10, 20, 30}, []float64{1, 2, 3, 4}, 12, 0.05714285714285714},
		{"4 vs 5 overlapping", []float64{1.1, 2.2, 3.3, 4.4}, []float64{2.5, 3.5, 4.5, 5.5, 6.5}, 3, 0.1111111111111111},
		{"6 vs 7", []float64{19.1, 17.3, 22.0, 21.5, 18.4, 20.2}, []float64{16.0, 18.9, 15.2, 17.7, 16.6, 14.9, 19.5}, 36, 0.03496503496503496},
		{"20 vs 30", seq(0, 2, 20), seq(9, 2, 30), 120, 0.00022893034727909637},
		{"50 vs 50 (the exact limit)", seq(0, 2, 50), seq(21, 2, 50), 780, 0.001055016471113667},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := MannWhitneyU(tc.x, tc.y)
			if !r.Exact || r.Ties {
				t.Errorf("Exact=%v Ties=%v, want exact without ties", r.Exact, r.Ties)
			}
			if r.U != tc.u || !closeTo(r.P, tc.p, 1e-9) {
				t.Errorf("U=%v p=%.17g, want U=%v p=%.17g", r.U, r.P, tc.u, tc.p)
			}
			// Swapping the samples mirrors U and keeps p.
			s := MannWhitneyU(tc.y, tc.x)
			if s.U != float64(len(tc.x)*len(tc.y))-tc.u || !closeTo(s.P, tc.p, 1e-9) {
				t.Errorf("swapped: U=%v p=%v", s.U, s.P)
			}
		})
	}
}

// With ties the p-value is the exact permutation distribution of the
// mid-rank sum. Reference values: brute force over every split of the
// pooled mid-ranks (itertools.combinations with scipy.stats.rankdata),
// two-sided as 2 × the smaller tail. (scipy's method="exact" ignores ties:
// for the last case it gives 0.1304 instead.)
func TestMannWhitneyTiesExactPermutation(t *testing.T) {
	cases := []struct {
		name string
		x, y []float64
		u, p float64
	}{
		{"shared 3s", []float64{1, 2, 2, 3, 3}, []float64{3, 4, 4, 5, 6}, 1, 0.023809523809523808},
		{"heavy ties", []float64{1, 1, 1, 2}, []float64{1, 2, 2, 2, 2}, 4.5, 0.3333333333333333},
		{"ties across", []float64{1, 2, 2, 3}, []float64{2, 3, 3, 4, 4}, 3, 0.15873015873015872},
		{"all equal", []float64{5, 5, 5}, []float64{5, 5, 5}, 4.5, 1},
		{"constant throughput", []float64{2000, 2000, 2000, 2000, 2000}, []float64{2000, 2000, 2000, 2000, 2000}, 12.5, 1},
		{"8 vs 8 with ties", []float64{3, 1, 4, 1, 5, 9, 2, 6}, []float64{5, 3, 5, 8, 9, 7, 9, 3}, 17, 0.12540792540792542},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := MannWhitneyU(tc.x, tc.y)
			if !r.Exact || !r.Ties {
				t.Errorf("Exact=%v Ties=%v, want exact with ties", r.Exact, r.Ties)
			}
			if r.U != tc.u || !closeTo(r.P, tc.p, 1e-9) {
				t.Errorf("U=%v p=%.17g, want U=%v p=%.17g", r.U, r.P, tc.u, tc.p)
			}
		})
	}
}

// Above MannWhitneyExactMax: the normal approximation with tie and
// continuity corrections, as scipy.stats.mannwhitneyu(method="asymptotic",
// use_continuity=True).
func TestMannWhitneyAsymptoticAgainstScipy(t *testing.T) {
	x := []float64{0.3, 0.8, 0.3, -1.3, 0.9, 0.4, -0.5, 0.6, 0.4, 0.3, 0.0, 0.5, -0.7, -0.2, -0.5, 0.6, 0.0, -0.3, -0.8, -0.3, 0.0, -0.3, 1.3, 1.0, -2.7, -1.9, -0.2, -0.4, 0.2, 0.2, 2.1, -1.1, -0.4, 2.0, 0.6, 0.7, -0.5, -1.6, 0.2, 0.1, -1.2, -0.7, -0.1, -0.9, -0.1, 0.1, 0.0, -0.5, 0.6, 0.9, 0.3, -0.8, 0.7, -0.5, 0.9, -1.1, 0.9, 0.0, -1.2, -0.3}
	y := []float64{0.6, 0.8, -0.5, -0.6, 0.7, 0.0, 0.7, 1.3, -1.1, 0.8, 1.7, 0.2, -0.3, 1.3, 0.8, 1.4, 0.2, -1.0, 0.4, 0.1, 1.3, 0.7, -1.1, -0.7, 1.4, 1.2, -0.1, 0.5, 0.9, 1.0, 1.4, 0.8, 0.4, 0.2, 1.6, -1.8, 0.4, 0.5, -0.9, 0.8, -0.2, 1.4, 0.4, 1.2, 1.7, 0.9, -0.4, -1.0, 2.3, 0.4, -0.2, 0.6, 0.3, 1.4, 0.5, 0.5, -0.2, 1.0, -0.5, 1.2, 2.0, -1.0, -2.0, 1.1, 3.0, -0.5, -0.8, 1.1, -0.3, 0.0}
	r := MannWhitneyU(x, y)
	if r.Exact || !r.Ties {
		t.Errorf("Exact=%v Ties=%v, want the approximation with ties", r.Exact, r.Ties)
	}
	if r.U != 1444 || !closeTo(r.P, 0.002187719161581324, 1e-9) {
		t.Errorf("U=%v p=%.17g, want U=1444 p=0.002187719161581324", r.U, r.P)
	}
}

func TestMannWhitneyEmpty(t *testing.T) {
	if r := MannWhitneyU(nil, []float64{1, 2}); r.P != 1 || r.U != 0 {
		t.Errorf("empty x: %+v", r)
	}
}

func TestStatsMinTwoSidedP(t *testing.T) {
	cases := []struct {
		n, m int
		p    float64
	}{
		{5, 5, 2.0 / 252}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {3, 4, 2.0 / 35}, {3, 5, 2.0 / 56}, {1, 1, 1}, {0, 5, 1},
	}
	for _, tc := range cases {
		if got := MinTwoSidedP(tc.n, tc.m); !closeTo(got, tc.p, 1e-12) {
			t.Errorf("MinTwoSidedP(%d, %d) = %v, want %v", tc.n, tc.m, got, tc.p)
		}
	}
	// The minimum is what fully separated samples give.
	if r := MannWhitneyU(seq(0, 1, 4), seq(10, 1, 4)); !closeTo(r.P, MinTwoSidedP(4, 4), 1e-12) {
		t.Errorf("4 vs 4 separated p = %v, want %v", r.P, MinTwoSidedP(4, 4))
	}
	if got := MinRepetitions(0.05); got != 4 {
		t.Errorf("MinRepetitions(0.05) = %d, want 4", got)
	}
	if got := MinRepetitions(0.01); got != 5 {
		t.Errorf("MinRepetitions(0.01) = %d, want 5", got)
	}
}

// Reference values: scipy.stats.false_discovery_control (method "bh").
func TestBHAgainstScipy(t *testing.T) {
	cases := []struct{ p, want []float64 }{
		{[]float64{0.01, 0.04, 0.03, 0.005}, []float64{0.02, 0.04, 0.04, 0.02}},
		{[]float64{0.5, 0.001, 0.02, 0.2, 0.04, 0.9}, []float64{0.6, 0.006, 0.06, 0.3, 0.08, 0.9}},
		{[]float64{0.7}, []float64{0.7}},
		{nil, []float64{}},
	}
	for _, tc := range cases {
		got := BenjaminiHochberg(tc.p)
		if len(got) != len(tc.want) {
			t.Fatalf("BH(%v) = %v", tc.p, got)
		}
		for i := range got {
			if !closeTo(got[i], tc.want[i], 1e-12) {
				t.Errorf("BH(%v) = %v, want %v", tc.p, got, tc.want)
				break
			}
		}
	}
	got := BenjaminiHochberg([]float64{0.01, math.NaN(), 0.04})
	if !closeTo(got[0], 0.02, 1e-12) || !math.IsNaN(got[1]) || !closeTo(got[2], 0.04, 1e-12) {
		t.Errorf("BH with NaN = %v, want [0.02 NaN 0.04]", got)
	}
	// Adjusted p-values never exceed 1.
	for _, v := range BenjaminiHochberg([]float64{0.9, 0.95, 0.99}) {
		if v > 1 {
			t.Errorf("adjusted p %v > 1", v)
		}
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
