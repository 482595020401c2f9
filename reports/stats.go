package reports

import (
	"math"
	"sort"
)

// Statistics for comparing configurations over repetitions: the unit of
// observation is always one repetition (one run's figure), never one event.

// MannWhitney is the result of a two-sided Mann–Whitney U test (the
// Wilcoxon rank-sum test) of x against y.
type MannWhitney struct {
	// U is the U statistic of x: the number of pairs (x_i, y_j) with
	// x_i > y_j, ties counting one half. It ranges over [0, n·m]; n·m/2 is
	// no shift; above it x tends to be larger than y.
	U float64
	// P is the two-sided p-value: twice the smaller tail probability of the
	// observed rank sum under the null hypothesis (x and y from the same
	// distribution), capped at 1.
	P float64
	// Exact is true when P comes from the exact permutation distribution
	// (n+m <= MannWhitneyExactMax), false for the normal approximation.
	Exact bool
	// Ties is true when some values are tied (mid-ranks were used).
	Ties bool
}

// MannWhitneyExactMax is the largest total sample size n+m for which
// MannWhitneyU computes the exact distribution; above it, it uses the normal
// approximation (with tie and continuity corrections). Repetitions of
// benchmark runs are far below it.
const MannWhitneyExactMax = 100

// MannWhitneyU runs the two-sided Mann–Whitney U test of x against y.
//
// Values are ranked together; tied values get their mid-rank. For n+m up to
// MannWhitneyExactMax the p-value is exact: the distribution of x's rank
// sum over all C(n+m, n) equally likely ways to split the observed ranks
// (mid-ranks included) into the two samples, counted by dynamic programming.
// Without ties this is the classical exact null distribution of U (what
// scipy.stats.mannwhitneyu(method="exact") uses); with ties it is the exact
// permutation distribution conditional on the observed tie pattern, so ties
// need no approximation. Larger samples use the normal approximation with
// the tie-corrected variance and a continuity correction.
//
// An empty sample gives U = 0 and P = 1.
func MannWhitneyU(x, y []float64) MannWhitney {
	n, m := len(x), len(y)
	if n == 0 || m == 0 {
		return MannWhitney{P: 1, Exact: true}
	}
	N := n + m
	type obs struct {
		v   float64
		inX bool
	}
	all := make([]obs, 0, N)
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].v < all[j].v })
	// Doubled mid-ranks keep every rank sum an integer: the values at sorted
	// positions i..j (0-based) share the rank (i+j)/2 + 1.
	ranks2 := make([]int, N)
	sumX2 := 0
	ties := false
	tieTerm := 0.0 // Σ (t³ − t) over groups of t tied values
	for i := 0; i < N; {
		j := i
		for j+1 < N && all[j+1].v == all[i].v {
			j++
		}
		if j > i {
			ties = true
			t := float64(j - i + 1)
			tieTerm += t*t*t - t
		}
		for k := i; k <= j; k++ {
			ranks2[k] = i + j + 2
			if all[k].inX {
				sumX2 += i + j + 2
			}
		}
		i = j + 1
	}
	u := float64(sumX2)/2 - float64(n*(n+1))/2
	res := MannWhitney{U: u, Ties: ties}
	if N <= MannWhitneyExactMax {
		res.Exact = true
		res.P = rankSumExactP(ranks2, n, sumX2)
		return res
	}
	mu := float64(n*m) / 2
	nf, mf, Nf := float64(n), float64(m), float64(N)
	variance := nf * mf / 12 * ((Nf + 1) - tieTerm/(Nf*(Nf-1)))
	if variance <= 0 { // every value tied
		res.P = 1
		return res
	}
	d := math.Abs(u-mu) - 0.5
	if d < 0 {
		d = 0
	}
	res.P = math.Min(1, math.Erfc(d/math.Sqrt(variance)/math.Sqrt2))
	return res
}

// rankSumExactP is the exact two-sided p-value of the observed doubled rank
// sum obs of a sample of size n drawn without replacement from the doubled
// ranks: 2 × min(P(S <= obs), P(S >= obs)), capped at 1.
func rankSumExactP(ranks2 []int, n, obs int) float64 {
	N := len(ranks2)
	if n > N-n {
		// Count the complement instead: fewer states, same p-value.
		total := 0
		for _, r := range ranks2 {
			total += r
		}
		n, obs = N-n, total-obs
	}
	maxSum := 0
	for _, r := range ranks2 {
		maxSum += r
	}
	// ways[k][s]: number of k-subsets of the ranks seen so far with doubled
	// sum s. Counts reach C(100, 50) ≈ 1e29: float64 holds them with
	// relative error ~1e-16, far below any p-value that matters.
	ways := make([][]float64, n+1)
	for k := range ways {
		ways[k] = make([]float64, maxSum+1)
	}
	ways[0][0] = 1
	seen := 0
	for _, r := range ranks2 {
		seen += r
		for k := n; k >= 1; k-- {
			row, prev := ways[k], ways[k-1]
			for s := seen; s >= r; s-- {
				if prev[s-r] != 0 {
					row[s] += prev[s-r]
				}
			}
		}
	}
	var lo, hi, total float64
	for s, c := range ways[n] {
		if c == 0 {
			continue
		}
		total += c
		if s <= obs {
			lo += c
		}
		if s >= obs {
			hi += c
		}
	}
	return math.Min(1, 2*math.Min(lo, hi)/total)
}

// MinTwoSidedP is the smallest two-sided p-value the exact Mann–Whitney
// test can give for samples of n and m values without ties: 2 / C(n+m, n)
// (both samples fully separated), capped at 1. When it is not below alpha,
// no difference can be significant whatever the data.
func MinTwoSidedP(n, m int) float64 {
	if n <= 0 || m <= 0 {
		return 1
	}
	return math.Min(1, 2/binomial(n+m, n))
}

// MinRepetitions is the smallest number of repetitions per configuration
// (the same for both) with which the exact two-sided test can reach p <
// alpha: 4 for alpha = 0.05 (2/C(8,4) ≈ 0.029), 5 for 0.01.
func MinRepetitions(alpha float64) int {
	for k := 1; k < 1000; k++ {
		if MinTwoSidedP(k, k) < alpha {
			return k
		}
	}
	return 1000
}

func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	k = min(k, n-k)
	c := 1.0
	for i := 1; i <= k; i++ {
		c = c * float64(n-k+i) / float64(i)
	}
	return math.Round(c)
}

// BenjaminiHochberg adjusts a family of p-values for multiple comparisons,
// controlling the false discovery rate (Benjamini & Hochberg, 1995). It
// returns the adjusted p-values in the input's order: for the i-th smallest
// of k p-values, min over j >= i of p_(j)·k/j, capped at 1 (what R's
// p.adjust(method = "BH") and scipy.stats.false_discovery_control give).
// A NaN p-value stays NaN and does not count in k.
func BenjaminiHochberg(p []float64) []float64 {
	out := make([]float64, len(p))
	idx := make([]int, 0, len(p))
	for i, v := range p {
		if math.IsNaN(v) {
			out[i] = math.NaN()
			continue
		}
		idx = append(idx, i)
	}
	k := len(idx)
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	running := 1.0
	for r := k - 1; r >= 0; r-- {
		adj := p[idx[r]] * float64(k) / float64(r+1)
		running = math.Min(running, adj)
		out[idx[r]] = running
	}
	return out
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
