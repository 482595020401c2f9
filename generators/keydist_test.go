package generators

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// chiSquareTop5 is the chi-square statistic of the counts of ranks 1..5 and
// of all other ranks together against a distribution's shares (5 degrees of
// freedom; the 0.1% critical value is 20.52).
func chiSquareTop5(counts map[int64]int, total int, d KeyDist, n int64) float64 {
	var chi, rest float64
	restWant := 1.0
	for r := int64(1); r <= min(5, n); r++ {
		want := d.Share(r, n) * float64(total)
		restWant -= d.Share(r, n)
		got := float64(counts[r])
		rest += got
		chi += (got - want) * (got - want) / want
	}
	if n > 5 {
		want := restWant * float64(total)
		got := float64(total) - rest
		chi += (got - want) * (got - want) / want
	}
	return chi
}

const chi2Critical5 = 20.52 // p = 0.001 at 5 degrees of freedom

func TestZipfSamplerMatchesAnalyticShares(t *testing.T) {
	tests := []struct {
		n int64
		s float64
	}{
		{1000, 1.2}, // the acceptance case
		{1000, 0.5}, // s < 1: beyond math/rand's Zipf
		{1000, 1.0}, // s = 1: the hat integral's limit case
		{1000, 0.999999},
		{100, 2},
		{10, 0.1},
		{1, 0.7},
		{2, 3},
		{100_000_000, 0.8}, // a recipient-sized key space, no tables
		{100_000_000, 1.1},
	}
	const samples = 400_000
	for _, tt := range tests {
		t.Run(fmt.Sprintf("n=%d,s=%v", tt.n, tt.s), func(t *testing.T) {
			d := KeyDist{Kind: KindZipf, S: tt.s}
			z := newZipfSampler(tt.n, tt.s)
			r := rng{s: uint64(tt.n) ^ math.Float64bits(tt.s)}
			counts := map[int64]int{}
			for range samples {
				k := z.sample(&r)
				if k < 1 || k > tt.n {
					t.Fatalf("rank %d outside 1..%d", k, tt.n)
				}
				if k <= 5 {
					counts[k]++
				}
			}
			top, want := float64(counts[1])/samples, d.Share(1, tt.n)
			if math.Abs(top-want) > 0.1*want {
				t.Errorf("top share %.5f, want %.5f ± 10%%", top, want)
			}
			if chi := chiSquareTop5(counts, samples, d, tt.n); chi > chi2Critical5 {
				t.Errorf("chi-square of ranks 1-5 = %.1f > %.2f: counts %v, shares %v", chi, chi2Critical5, counts, d.TopShares(5, tt.n))
			}
		})
	}
}

// TestZipfCampaignsThroughTheGenerator is the acceptance check end to end:
// the campaigns of >= 200k sends follow Zipf(1.2) over 1000 campaigns.
func TestZipfCampaignsThroughTheGenerator(t *testing.T) {
	cfg := testConfig(3)
	cfg.Campaigns = 1000
	cfg.CampaignSkew = KeyDist{Kind: KindZipf, S: 1.2}
	g := mustNew(t, cfg)
	counts := map[int64]int{}
	sends := 0
	Stream(g, ConstantRate(5000), testOrigin, 600_000, func(e *Event) {
		if e.Type == Send {
			sends++
			counts[int64(e.Campaign)+1]++ // rank r is key r-1
		}
	})
	if sends < 200_000 {
		t.Fatalf("only %d sends", sends)
	}
	want := 1 / harmonic(1000, 1.2)
	if got := float64(counts[1]) / float64(sends); math.Abs(got-want) > 0.1*want {
		t.Errorf("top campaign share %.4f over %d sends, want 1/H(1000,1.2) = %.4f ± 10%%", got, sends, want)
	}
	if chi := chiSquareTop5(counts, sends, cfg.CampaignSkew, 1000); chi > chi2Critical5 {
		t.Errorf("chi-square of the top 5 campaigns = %.1f", chi)
	}
}

func TestHarmonic(t *testing.T) {
	for _, n := range []int64{1, 2, 9999, 10000, 10001, 12345, 200_000} {
		for _, s := range []float64{0.1, 0.5, 0.99, 1, 1.01, 1.2, 2, 5} {
			var exact float64
			for k := n; k >= 1; k-- {
				exact += math.Pow(float64(k), -s)
			}
			if got := harmonic(n, s); math.Abs(got-exact) > 1e-12*exact {
				t.Errorf("harmonic(%d, %v) = %.15g, exact %.15g", n, s, got, exact)
			}
		}
	}
	// Known value: H(n, 1) - ln n → γ.
	if got := harmonic(1e12, 1) - math.Log(1e12); math.Abs(got-0.5772156649015329) > 1e-9 {
		t.Errorf("H(1e12,1) - ln 1e12 = %.12f, want Euler's γ", got)
	}
	// For s > 1, H(∞, s) = ζ(s): ζ(2) = π²/6.
	if got := harmonic(1e15, 2); math.Abs(got-math.Pi*math.Pi/6) > 1e-12 {
		t.Errorf("H(1e15, 2) = %.15f, want π²/6", got)
	}
}

func TestKeyDistShares(t *testing.T) {
	tests := []struct {
		name string
		d    KeyDist
		n    int64
		top  []float64
	}{
		{"uniform", KeyDist{Kind: KindUniform}, 4, []float64{0.25, 0.25, 0.25, 0.25}},
		{"empty kind is uniform", KeyDist{}, 5, []float64{0.2, 0.2, 0.2, 0.2, 0.2}},
		{"zipf s=1", KeyDist{Kind: KindZipf, S: 1}, 3, []float64{6.0 / 11, 3.0 / 11, 2.0 / 11}},
		{"hotset", KeyDist{Kind: KindHotset, HotKeys: 2, HotShare: 0.9}, 12, []float64{0.45, 0.45, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01}},
		{"hotset, share 0", KeyDist{Kind: KindHotset, HotKeys: 1, HotShare: 0}, 3, []float64{0, 0.5, 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.TopShares(10, tt.n)
			if len(got) != len(tt.top) {
				t.Fatalf("TopShares = %v, want %v", got, tt.top)
			}
			for i := range got {
				if math.Abs(got[i]-tt.top[i]) > 1e-12 {
					t.Errorf("TopShares[%d] = %v, want %v", i, got[i], tt.top[i])
				}
			}
			var sum float64
			for r := int64(1); r <= tt.n; r++ {
				sum += tt.d.Share(r, tt.n)
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Errorf("shares sum to %v", sum)
			}
			if tt.d.Share(0, tt.n) != 0 || tt.d.Share(tt.n+1, tt.n) != 0 {
				t.Errorf("ranks outside 1..n have a share")
			}
		})
	}
}

func TestHotSet(t *testing.T) {
	d := KeyDist{Kind: KindHotset, HotKeys: 10, HotShare: 0.8}
	ks := newKeySampler(d, 1000)
	r := rng{s: 9}
	var c keyCursor
	const n = 300_000
	hot := 0
	seen := map[int64]bool{}
	for range n {
		k := ks.sample(&r, &c, 0)
		if k < 0 || k >= 1000 {
			t.Fatalf("key %d outside 0..999", k)
		}
		if k < 10 {
			hot++
		}
		seen[k] = true
	}
	if got := float64(hot) / n; math.Abs(got-0.8) > 0.01 {
		t.Errorf("hot share %.4f, want 0.8 ± 0.01", got)
	}
	if len(seen) != 1000 {
		t.Errorf("%d keys seen, want all 1000", len(seen))
	}
}

// TestMovingHotKeys checks that the hot keys move after MoveEvery of run
// time, deterministically by offset, for a hot set and for zipf.
func TestMovingHotKeys(t *testing.T) {
	const every = 10 * time.Second
	tests := []struct {
		name string
		d    KeyDist
		// hot returns the hot key of epoch e (for zipf: rank 1's key).
		hot func(e int64) int64
	}{
		{"hotset moves by HotKeys", KeyDist{Kind: KindHotset, HotKeys: 5, HotShare: 1, MoveEvery: every},
			func(e int64) int64 { return (5 * e) % 1000 }},
		{"zipf rotates by 0.618 n", KeyDist{Kind: KindZipf, S: 3, MoveEvery: every},
			func(e int64) int64 { return (618 * e) % 1000 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := newKeySampler(tt.d, 1000)
			r := rng{s: 1}
			var c keyCursor
			for _, e := range []int64{0, 1, 2, 3, 0, 1618, -1, -2} {
				counts := map[int64]int{}
				at := e*int64(every) + int64(every)/2
				for range 5000 {
					counts[ks.sample(&r, &c, at)]++
				}
				best, bestN := int64(-1), 0
				for k, n := range counts {
					if n > bestN || n == bestN && k < best {
						best, bestN = k, n
					}
				}
				want := tt.hot(((e % 1000) + 1000) % 1000)
				if tt.d.Kind == KindHotset {
					// Every key of the hot set is equally hot: check the set.
					for k := range counts {
						if d := (k - want + 1000) % 1000; d >= 5 {
							t.Fatalf("epoch %d: key %d outside the hot set starting at %d", e, k, want)
						}
					}
					continue
				}
				if best != want {
					t.Errorf("epoch %d: hottest key %d, want %d", e, best, want)
				}
			}
		})
	}
	t.Run("through the generator", func(t *testing.T) {
		cfg := testConfig(4)
		cfg.Campaigns = 100
		cfg.CampaignSkew = KeyDist{Kind: KindHotset, HotKeys: 10, HotShare: 0.9, MoveEvery: 5 * time.Second}
		g := mustNew(t, cfg)
		var before, after, total [2]int
		Stream(g, ConstantRate(2000), testOrigin, 40_000, func(e *Event) {
			if e.Type != Send {
				return
			}
			epoch := (e.IntendedNs - testOrigin) / int64(5*time.Second)
			if epoch > 1 {
				return
			}
			total[epoch]++
			if e.Campaign < 10 {
				before[epoch]++
			} else if e.Campaign < 20 {
				after[epoch]++
			}
		})
		// Epoch 0: keys 0-9 are hot; epoch 1: keys 10-19.
		if s := float64(before[0]) / float64(total[0]); math.Abs(s-0.9) > 0.02 {
			t.Errorf("epoch 0: keys 0-9 have %.3f of the sends, want 0.9", s)
		}
		if s := float64(after[1]) / float64(total[1]); math.Abs(s-0.9) > 0.02 {
			t.Errorf("epoch 1: keys 10-19 have %.3f of the sends, want 0.9 (the hot set did not move)", s)
		}
		if s := float64(before[1]) / float64(total[1]); s > 0.02 {
			t.Errorf("epoch 1: the old hot keys still have %.3f of the sends", s)
		}
	})
}

func TestKeyDistValidate(t *testing.T) {
	const path = "workload.skew.campaigns"
	tests := []struct {
		name string
		d    KeyDist
		n    int64
		want []string // substrings, one per error; none means valid
	}{
		{"uniform", KeyDist{Kind: KindUniform}, 10, nil},
		{"zero value", KeyDist{}, 10, nil},
		{"zipf s < 1", KeyDist{Kind: KindZipf, S: 0.3, MoveEvery: time.Second}, 10, nil},
		{"zipf s = 0", KeyDist{Kind: KindZipf}, 10, []string{path + ".s: must be a finite number > 0, got 0"}},
		{"zipf s < 0", KeyDist{Kind: KindZipf, S: -1}, 10, []string{path + ".s: must be a finite number > 0, got -1"}},
		{"zipf s NaN", KeyDist{Kind: KindZipf, S: math.NaN()}, 10, []string{path + ".s:"}},
		{"zipf s +Inf", KeyDist{Kind: KindZipf, S: math.Inf(1)}, 10, []string{path + ".s:"}},
		{"hotset", KeyDist{Kind: KindHotset, HotKeys: 9, HotShare: 1}, 10, nil},
		{"hot set as large as the key space", KeyDist{Kind: KindHotset, HotKeys: 10, HotShare: 0.5}, 10,
			[]string{path + ".hot_keys: must be less than workload.campaigns (10) so that some keys stay cold, got 10"}},
		{"no hot keys", KeyDist{Kind: KindHotset, HotShare: 0.5}, 10, []string{path + ".hot_keys: must be >= 1, got 0"}},
		{"hot share above 1", KeyDist{Kind: KindHotset, HotKeys: 1, HotShare: 1.5}, 10, []string{path + ".hot_share: must be in [0,1], got 1.5"}},
		{"hot share below 0", KeyDist{Kind: KindHotset, HotKeys: 1, HotShare: -0.1}, 10, []string{path + ".hot_share: must be in [0,1], got -0.1"}},
		{"negative move_every", KeyDist{Kind: KindZipf, S: 1, MoveEvery: -time.Second}, 10, []string{path + ".move_every: must be >= 0, got -1s"}},
		{"move_every on uniform", KeyDist{Kind: KindUniform, MoveEvery: time.Second}, 10, []string{path + ".move_every: only for kinds zipf and hotset"}},
		{"unknown kind", KeyDist{Kind: "pareto"}, 10, []string{path + `.kind: must be one of uniform, zipf, hotset, got "pareto"`}},
		{"several problems", KeyDist{Kind: KindHotset, HotKeys: 20, HotShare: 2, MoveEvery: -1}, 10,
			[]string{path + ".hot_keys:", path + ".hot_share:", path + ".move_every:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := tt.d.validate(path, tt.n, "workload.campaigns")
			if len(errs) != len(tt.want) {
				t.Fatalf("validate = %v, want %d errors %q", errs, len(tt.want), tt.want)
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tt.want[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, err, tt.want[i])
				}
			}
		})
	}
}

func TestModularHelpers(t *testing.T) {
	tests := []struct {
		e    int64
		n    uint64
		want uint64
	}{
		{0, 7, 0}, {8, 7, 1}, {-1, 7, 6}, {-7, 7, 0}, {-8, 7, 6}, {math.MinInt64, 10, 2}, {math.MaxInt64, 10, 7},
	}
	for _, tt := range tests {
		if got := umod(tt.e, tt.n); got != tt.want {
			t.Errorf("umod(%d, %d) = %d, want %d", tt.e, tt.n, got, tt.want)
		}
	}
	if got := mulMod(1<<62, 1<<62+3, 1<<63-25); got != 0x60000000000000af {
		t.Errorf("mulMod = %#x", got)
	}
}
