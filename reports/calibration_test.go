package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/abload/abload/reports/gate"
	"gonum.org/v1/gonum/stat/distuv"
)

// The compare corpus (testdata/corpus, recorded by `make bench-compare`):
// aa/ holds independent runs of one configuration, shifted/ runs of the same
// with a fixed delay added to the job's path to the broker. These tests
// check compare's statistics against that truth: on A/A pairs a verdict is
// false, and each metric's false better/worse rate must be alpha ± 0.015;
// on A/shifted pairs the latencies must be found worse as often as the
// test's power says. The same aa/ runs give noise_default.json.

const corpusDir = "testdata/corpus"

func loadCorpus(t *testing.T, set string) []*Result {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(corpusDir, set, "run-*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	var out []*Result
	for _, d := range dirs {
		r, err := ReadResult(filepath.Join(d, ResultFile))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Valid {
			t.Fatalf("%s: the corpus holds valid runs only (record.sh retries invalid ones)", d)
		}
		out = append(out, r)
	}
	if len(out) < 10 {
		t.Fatalf("%s/%s: %d runs, want at least 10 (make bench-compare)", corpusDir, set, len(out))
	}
	return out
}

// noise_default.json is what the committed A/A corpus gives
// (go test ./reports -run TestDefaultNoiseMatchesCorpus -update rewrites it).
func TestDefaultNoiseMatchesCorpus(t *testing.T) {
	aa := loadCorpus(t, "aa")
	want := MeasureNoise(corpusDescription(t, aa), aa)
	b, err := json.MarshalIndent(want, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *update {
		if err := os.WriteFile("noise_default.json", b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(b, defaultNoiseJSON) {
		t.Errorf("noise_default.json differs from what the corpus gives (go test ./reports -run TestDefaultNoiseMatchesCorpus -update):\n%s", b)
	}
	for _, m := range compareMetrics {
		if n, ok := DefaultNoise().Metrics[m.Path]; ok {
			t.Logf("%-34s noise/run ±%5.2f%%  (σ %.4f, df %d)", m.Path, 100*math.Expm1(n.Sigma), n.Sigma, n.DF)
		}
	}
}

// corpusDescription says what the corpus is: its scenario, size, host and
// recording date, from the runs themselves.
func corpusDescription(t *testing.T, rs []*Result) string {
	t.Helper()
	first, last := rs[0].StartedAt, rs[0].StartedAt
	for _, r := range rs {
		first, last = min(first, r.StartedAt), max(last, r.StartedAt)
	}
	e := rs[0].Environment
	return fmt.Sprintf("reports/testdata/corpus/aa: %d independent runs of scenario %q (%s, flink %s, kafka %s, %d CPUs), recorded %s to %s",
		len(rs), scenarioName(rs[0].Scenario), e.Kind, e.FlinkVersion, e.KafkaVersion, e.CPUs, first, last)
}

// design is a way of drawing a comparison from the corpus: n runs of the
// configuration against m of the baseline, the noise from the runs or, when
// they are too few, from the other corpus runs (never from the runs drawn,
// which would let the test see its own answer).
type design struct {
	name string
	n, m int
}

var designs = []design{
	{"1 vs 1 (default noise from the other runs)", 1, 1},
	{"1 vs history of 3", 1, 3},
	{"1 vs history of 10", 1, 10},
	{"4 vs 4", 4, 4},
}

const draws = 1200

// draw picks d.n + d.m distinct runs; the first m are the baseline. For
// designs too small to estimate their own noise, the default noise is
// measured on the runs left, and so is whether it stands in for each metric
// (never on the runs drawn, which would let the test see its own answer:
// the whole procedure, selection included, is tried on runs it never saw).
func draw(rng *rand.Rand, d design, base, other []*Result, shared bool) (x, y []*Result, noise map[string]NoiseRef) {
	idx := rng.Perm(len(base))
	y = pick(base, idx[:d.m])
	rest := idx[d.m:]
	if shared { // x from the same set: distinct runs
		x = pick(base, rest[:d.n])
		rest = rest[d.n:]
	} else {
		x = pick(other, rng.Perm(len(other))[:d.n])
	}
	noise = map[string]NoiseRef{}
	if d.n+d.m-2 < MinNoiseDF {
		noise = MeasureNoise("", pick(base, rest)).Metrics
	}
	return x, y, noise
}

func pick(rs []*Result, idx []int) []*Result {
	out := make([]*Result, len(idx))
	for i, j := range idx {
		out[i] = rs[j]
	}
	return out
}

type rates struct {
	tested, better, worse map[string]int
}

func run(rng *rand.Rand, d design, base, other []*Result, shared bool) rates {
	r := rates{map[string]int{}, map[string]int{}, map[string]int{}}
	for i := 0; i < draws; i++ {
		x, y, noise := draw(rng, d, base, other, shared)
		c := Compare([]Config{{Name: "base", Results: y}, {Name: "x", Results: x}}, 0, CompareOptions{Noise: noise})
		for _, m := range c.Comparisons[0].Metrics {
			if !m.Verdict.Decided() {
				continue
			}
			r.tested[m.Metric]++
			switch m.Verdict {
			case VerdictBetter:
				r.better[m.Metric]++
			case VerdictWorse:
				r.worse[m.Metric]++
			}
		}
	}
	return r
}

// CalibrationBand is how far from alpha a false rate on A/A draws may be.
const CalibrationBand = 0.015

// On A/A draws every better/worse verdict is false. One run against one
// (the acceptance's pairs of different runs), with the default noise
// measured on the other runs of each draw, never on the pair: each metric
// the default stands in for must draw false better/worse verdicts at
// alpha ± 0.015, and the others must never be judged. Metrics the corpus's
// runs are too short to test are not tested.
//
// One run against a history of 3 or 10 and 4 vs 4 use the runs' own noise
// (2, 9 and 6 degrees of freedom): the t-test holds its level when runs
// vary log-normally, and a 16-run corpus cannot pin a rate down to ± 0.015
// (its draws share runs). They are asserted, for the latencies users gate
// on, within [alpha/3, 2 alpha] — a test that never fires, or fires twice
// as often as it says, fails — and every metric's rate is logged.
func TestCompareCalibrationAA(t *testing.T) {
	aa := loadCorpus(t, "aa")
	def := DefaultNoise()
	rng := rand.New(rand.NewPCG(16, 2026))
	for i, d := range designs {
		r := run(rng, d, aa, nil, true)
		for _, m := range compareMetrics {
			n := r.tested[m.Path]
			f := float64(r.better[m.Path]+r.worse[m.Path]) / float64(max(n, 1))
			t.Logf("%-44s %-34s false %.3f (better %d, worse %d of %d tested)", d.name, m.Path, f, r.better[m.Path], r.worse[m.Path], n)
			switch {
			case i == 0 && !def.Metrics[m.Path].StandsIn:
				if n != 0 {
					t.Errorf("%s: %s judged in %d draws without a default that stands in", d.name, m.Path, n)
				}
			case i == 0:
				if n != draws {
					t.Errorf("%s: %s tested in %d of %d draws", d.name, m.Path, n, draws)
				}
				if math.Abs(f-DefaultAlpha) > CalibrationBand {
					t.Errorf("%s: %s: false better/worse rate %.3f, want %.3f ± %.3f", d.name, m.Path, f, DefaultAlpha, CalibrationBand)
				}
			case n == 0:
			case n != draws:
				t.Errorf("%s: %s tested in %d of %d draws", d.name, m.Path, n, draws)
			case strings.HasPrefix(m.Path, "latency_ms.e2e."):
				if f < DefaultAlpha/3 || f > 2*DefaultAlpha {
					t.Errorf("%s: %s: false better/worse rate %.3f, want within [%.3f, %.3f]", d.name, m.Path, f, DefaultAlpha/3, 2*DefaultAlpha)
				}
			}
		}
	}
	// The latencies users gate on stand in, so the CI case of one run
	// against one baseline run is tested for them.
	for _, p := range []string{"latency_ms.e2e.p50", "latency_ms.e2e.p99"} {
		if !def.Metrics[p].StandsIn {
			t.Errorf("%s: the default does not stand in", p)
		}
	}
}

// A/shifted draws: the shifted runs' job reached the broker through a
// delay, so their e2e latencies really are higher. The detection rate
// (verdict worse) of e2e p50 and p99 must reach the power the t-test has
// for the corpus's own effect and noise — computed here by simulating
// normal log values with the measured means and spreads — less 0.1 for
// the corpus's finite size.
func TestCompareDetectsShiftedCorpus(t *testing.T) {
	aa := loadCorpus(t, "aa")
	sets, err := filepath.Glob(filepath.Join(corpusDir, "shifted-*"))
	if err != nil || len(sets) == 0 {
		t.Fatalf("no shifted-* sets in %s: %v", corpusDir, err)
	}
	for _, set := range sets {
		shifted := loadCorpus(t, filepath.Base(set))
		rng := rand.New(rand.NewPCG(17, 2026))
		for _, d := range designs[1:] {
			r := run(rng, d, aa, shifted, false)
			for _, path := range []string{"latency_ms.e2e.p50", "latency_ms.e2e.p99"} {
				m, _ := LookupCompareMetric(path)
				xs, _ := metricValues(m, shifted)
				ys, _ := metricValues(m, aa)
				lx, _ := Transform(xs, ScaleRatio)
				ly, _ := Transform(ys, ScaleRatio)
				effect := Mean(lx) - Mean(ly)
				sigma := math.Sqrt((SumSquares(lx) + SumSquares(ly)) / float64(len(lx)+len(ly)-2))
				power := simulatedPower(rand.New(rand.NewPCG(18, 2026)), d, effect, sigma)
				got := float64(r.worse[path]) / float64(max(r.tested[path], 1))
				wrong := float64(r.better[path]) / float64(max(r.tested[path], 1))
				t.Logf("%-13s %-20s %-20s shift %+.1f%%, noise ±%.1f%%: detected %.3f, called better %.3f, of %d; the t-test's power under log-normal noise %.3f",
					filepath.Base(set), d.name, path, 100*math.Expm1(effect), 100*math.Expm1(sigma), got, wrong, r.tested[path], power)
				if r.tested[path] != draws {
					t.Errorf("%s %s: %s tested in %d of %d draws", set, d.name, path, r.tested[path], draws)
				}
				if got < power-0.1 {
					t.Errorf("%s %s: %s detected in %.3f of draws, want at least %.3f (power %.3f − 0.1)", set, d.name, path, got, power-0.1, power)
				}
				if power >= 0.9 && got < 0.8 {
					t.Errorf("%s %s: %s detected in %.3f of draws, want at least 0.8 where the test's power is %.3f", set, d.name, path, got, power)
				}
				// A shift the design sees at least 3 times in 10 is called
				// better no more often than an A/A comparison calls one
				// side better (for smaller shifts that rate is the A/A
				// rate, which the finite corpus already spreads).
				if power >= 0.3 && wrong > DefaultAlpha/2+CalibrationBand {
					t.Errorf("%s %s: %s called better in %.3f of draws for a latency that rose", set, d.name, path, wrong)
				}
			}
		}
	}
}

// simulatedPower is how often a two-sided Student's t-test on log values
// with the pooled variance, at alpha, finds a shift of effect between n and
// m runs with normal noise of sigma (20,000 simulated comparisons). It is
// written out here, not borrowed from stats.go, so that a fault there does
// not lower the bar it is held to.
func simulatedPower(rng *rand.Rand, d design, effect, sigma float64) float64 {
	const sims = 20000
	df := d.n + d.m - 2
	crit := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(1 - DefaultAlpha/2)
	hit := 0
	x, y := make([]float64, d.n), make([]float64, d.m)
	for i := 0; i < sims; i++ {
		var sx, sy float64
		for j := range x {
			x[j] = effect + sigma*rng.NormFloat64()
			sx += x[j]
		}
		for j := range y {
			y[j] = sigma * rng.NormFloat64()
			sy += y[j]
		}
		mx, my := sx/float64(d.n), sy/float64(d.m)
		var ss float64
		for _, v := range x {
			ss += (v - mx) * (v - mx)
		}
		for _, v := range y {
			ss += (v - my) * (v - my)
		}
		se := math.Sqrt(ss/float64(df)) * math.Sqrt(1/float64(d.n)+1/float64(d.m))
		if (mx-my)/se > crit {
			hit++
		}
	}
	return float64(hit) / sims
}

// The corpus's README names what is in it.
func TestCorpusDocumented(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(corpusDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"make bench-compare", "aa/", "shifted-10ms/", "shifted-30ms/", "noise_default.json"} {
		if !strings.Contains(string(b), w) {
			t.Errorf("corpus README does not mention %q", w)
		}
	}
}

// The manual's table of the default noise is generated from
// noise_default.json (-update rewrites it).
func TestNoiseTableInDocs(t *testing.T) {
	const begin, end = "<!-- noise-table begin", "<!-- noise-table end -->"
	b, err := os.ReadFile(comparingDoc)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("docs/comparing.md: no %q ... %q markers", begin, end)
	}
	i += strings.Index(readme[i:], "-->\n") + len("-->\n")
	want := NoiseMarkdown(DefaultNoise())
	if *update {
		if err := os.WriteFile(comparingDoc, []byte(readme[:i]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if readme[i:j] != want {
		t.Errorf("docs/comparing.md's noise table differs from noise_default.json (go test ./reports -run TestNoiseTableInDocs -update):\n%s", want)
	}
}

// The manual's table of what the CI recipe's gates catch is measured here
// on the corpus (-update rewrites it): for one run against a history of 3
// or 10 and for 4 vs 4, the share of draws in which the recipe's worse_by
// gates fail, on A/A draws (a false failure: at most alpha for the whole
// recipe, which is a family) and on each shifted set.
func TestGateTableInDocs(t *testing.T) {
	const begin, end = "<!-- gate-table begin", "<!-- gate-table end -->"
	aa := loadCorpus(t, "aa")
	sets := []string{"shifted-10ms", "shifted-30ms"}
	recipes := [][]string{{"e2e.p99 worse_by > 10%"}, {"e2e.p99 worse_by > 10%", "e2e.p50 worse_by > 10%"}}
	var b strings.Builder
	b.WriteString("| runs | gates | A/A: fails falsely | +10 ms each way: fails | +30 ms each way: fails |\n|---|---|--:|--:|--:|\n")
	for _, d := range designs[1:] {
		for _, recipe := range recipes {
			var gates []*gate.Expr
			var names []string
			for _, s := range recipe {
				g, err := gate.Parse(s)
				if err != nil {
					t.Fatal(err)
				}
				gates = append(gates, g)
				names = append(names, "`"+s+"`")
			}
			rates := []float64{}
			for i, set := range append([]string{"aa"}, sets...) {
				other := aa
				if i > 0 {
					other = loadCorpus(t, set)
				}
				rng := rand.New(rand.NewPCG(19, 2026))
				fails := 0
				for j := 0; j < draws; j++ {
					x, y, _ := draw(rng, d, aa, other, i == 0)
					res, _ := RegressionGates(gates, Config{Name: "x", Results: x}, Config{Name: "base", Results: y}, CompareOptions{})
					for _, g := range res {
						if !g.Pass {
							fails++
							break
						}
					}
				}
				rates = append(rates, float64(fails)/draws)
			}
			if rates[0] > DefaultAlpha+CalibrationBand {
				t.Errorf("%s, %s: the gates fail %.3f of A/A draws, want at most %.3f", d.name, strings.Join(recipe, " + "), rates[0], DefaultAlpha+CalibrationBand)
			}
			fmt.Fprintf(&b, "| %s | %s | %.3f | %.3f | %.3f |\n", d.name, strings.Join(names, " + "), rates[0], rates[1], rates[2])
		}
	}
	want := b.String()
	readme, err := os.ReadFile(comparingDoc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("docs/comparing.md: no %q ... %q markers", begin, end)
	}
	i += strings.Index(s[i:], "-->\n") + len("-->\n")
	if *update {
		if err := os.WriteFile(comparingDoc, []byte(s[:i]+want+s[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if s[i:j] != want {
		t.Errorf("docs/comparing.md's gate table differs from what the corpus gives (go test ./reports -run TestGateTableInDocs -update):\n%s", want)
	}
}

// comparingDoc is the manual's page holding the noise and gate tables.
const comparingDoc = "../docs/comparing.md"
