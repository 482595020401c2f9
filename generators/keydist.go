package generators

import (
	"fmt"
	"math"
	"math/bits"
	"time"
)

// KeyDist is a distribution over a finite key space of ids 0..N-1 (campaigns
// or recipients; N comes from the Config). Keys are drawn by rank: rank 1 is
// the most frequent, and rank r is key r-1, rotated by the move offset when
// MoveEvery > 0. Nothing is tabulated, so N may be 10^8 or more.
type KeyDist struct {
	// Kind is "uniform" (the zero value "" means uniform too), "zipf" or
	// "hotset".
	Kind string
	// S is the zipf exponent: P(rank r) ∝ r^-S. Any S > 0 works, including
	// S <= 1, which math/rand's Zipf cannot do.
	S float64
	// HotKeys and HotShare define a hot set: HotShare of the draws spread
	// uniformly over HotKeys keys, the rest uniformly over the other keys.
	HotKeys  int64
	HotShare float64
	// MoveEvery > 0 moves the hot keys every MoveEvery of run time (by the
	// intended offset of the send, so the move is deterministic): a hot set
	// moves on to the next HotKeys keys, a zipf ranking rotates by ⌊0.618·N⌋
	// keys so that successive epochs' hottest keys are far apart.
	MoveEvery time.Duration
}

// Key distribution kinds.
const (
	KindUniform = "uniform"
	KindZipf    = "zipf"
	KindHotset  = "hotset"
)

// validate reports every problem of d over a space of n keys; path is the
// scenario path of d, nPath that of n.
func (d KeyDist) validate(path string, n int64, nPath string) []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s.%s: "+format, append([]any{path, field}, args...)...))
	}
	switch d.Kind {
	case "", KindUniform:
		if d.MoveEvery != 0 {
			bad("move_every", "only for kinds zipf and hotset (a uniform distribution has no hot keys to move), got %s", d.MoveEvery)
		}
	case KindZipf:
		if !(d.S > 0) || math.IsInf(d.S, 1) {
			bad("s", "must be a finite number > 0, got %v", d.S)
		}
	case KindHotset:
		switch {
		case d.HotKeys < 1:
			bad("hot_keys", "must be >= 1, got %d", d.HotKeys)
		case d.HotKeys >= n && n >= 1:
			bad("hot_keys", "must be less than %s (%d) so that some keys stay cold, got %d", nPath, n, d.HotKeys)
		}
		if !(d.HotShare >= 0 && d.HotShare <= 1) {
			bad("hot_share", "must be in [0,1], got %v", d.HotShare)
		}
	default:
		bad("kind", "must be one of uniform, zipf, hotset, got %q", d.Kind)
	}
	if d.MoveEvery < 0 {
		bad("move_every", "must be >= 0, got %s", d.MoveEvery)
	}
	return errs
}

// Share is the analytic probability of the key of rank rank (1-based) in a
// space of n keys; 0 outside 1..n. It is the truth a measured key share is
// compared with, and does not depend on MoveEvery (moving changes which key
// has a rank, not the rank's share). d must be valid for n.
func (d KeyDist) Share(rank, n int64) float64 {
	if rank < 1 || rank > n {
		return 0
	}
	switch d.Kind {
	case KindZipf:
		return math.Pow(float64(rank), -d.S) / harmonic(n, d.S)
	case KindHotset:
		if rank <= d.HotKeys {
			return d.HotShare / float64(d.HotKeys)
		}
		return (1 - d.HotShare) / float64(n-d.HotKeys)
	}
	return 1 / float64(n)
}

// TopShares returns the analytic shares of ranks 1..k (fewer if n < k).
func (d KeyDist) TopShares(k int, n int64) []float64 {
	if int64(k) > n {
		k = int(n)
	}
	if k < 0 {
		k = 0
	}
	out := make([]float64, k)
	var h float64
	if d.Kind == KindZipf {
		h = harmonic(n, d.S)
	}
	for i := range out {
		if d.Kind == KindZipf {
			out[i] = math.Pow(float64(i+1), -d.S) / h
		} else {
			out[i] = d.Share(int64(i+1), n)
		}
	}
	return out
}

// harmonic returns the generalized harmonic number H(n, s) = Σ_{k=1..n} k^-s.
// Up to harmonicExact terms are summed; beyond, the tail from harmonicExact
// on is the Euler–Maclaurin expansion, whose first omitted term is below
// s(s+1)(s+2)(s+3)(s+4)/30240 · harmonicExact^-(s+5): far below float64
// precision for any key space.
func harmonic(n int64, s float64) float64 {
	const harmonicExact = 10000
	m := min(n, harmonicExact)
	var sum float64
	// Smallest terms first, for precision.
	for k := m; k >= 1; k-- {
		sum += math.Pow(float64(k), -s)
	}
	if n <= harmonicExact {
		return sum
	}
	// Σ_{k=M..N} f(k) ≈ ∫_M^N f + (f(M)+f(N))/2 + (f'(N)-f'(M))/12 - (f'''(N)-f'''(M))/720,
	// with f(x) = x^-s; minus f(M), which the exact sum has counted.
	a, b := float64(m), float64(n)
	f := func(x float64) float64 { return math.Pow(x, -s) }
	f1 := func(x float64) float64 { return -s * math.Pow(x, -s-1) }
	f3 := func(x float64) float64 { return -s * (s + 1) * (s + 2) * math.Pow(x, -s-3) }
	integral := zipfH(b, s) - zipfH(a, s)
	tail := integral + (f(a)+f(b))/2 + (f1(b)-f1(a))/12 - (f3(b)-f3(a))/720
	return sum + tail - f(a)
}

// zipfH is ∫_1^x t^-s dt = (x^(1-s) - 1)/(1-s), written so that it is exact
// near and at s = 1 (where it is ln x): the integral of the rejection-
// inversion hat function.
func zipfH(x, s float64) float64 {
	lx := math.Log(x)
	return expm1OverX((1-s)*lx) * lx
}

// zipfHInv inverts zipfH.
func zipfHInv(y, s float64) float64 {
	t := y * (1 - s)
	if t < -1 {
		t = -1 // rounding can push it just past the domain
	}
	return math.Exp(log1pOverX(t) * y)
}

// log1pOverX is log(1+x)/x, continuous at 0. Away from 0 it uses
// math.Log(1+x), which is several times faster than math.Log1p (assembly on
// amd64) and, for |x| > 1e-4, loses at most ~1e-12 relative precision in
// forming 1+x; near 0 the series is exact to below 1e-16.
func log1pOverX(x float64) float64 {
	if math.Abs(x) > 1e-4 {
		return math.Log(1+x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-x*(0.25-0.2*x)))
}

// expm1OverX is (e^x - 1)/x, continuous at 0.
func expm1OverX(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x/3*(1+0.25*x))
}

// zipfSampler draws ranks 1..n with P(k) ∝ k^-s by rejection-inversion
// (Hörmann & Derflinger 1996) in the form Apache Commons RNG's
// RejectionInversionZipfSampler uses, whose hat integral has a limit at s = 1
// and so works for every s > 0. O(1) time and memory: no table of n entries.
// Most draws are accepted by the cheap first test (k - x <= cut), costing one
// log1p and one exp.
type zipfSampler struct {
	alias     *aliasTable // exact O(1) sampler for small key spaces; nil above aliasMaxN
	n         int64
	s         float64
	hX1       float64 // H(1.5) - 1: the hat integral's lower end, with rank 1's mass folded in
	hN        float64 // H(n + 0.5)
	cut       float64 // squeeze: k - x <= cut accepts without evaluating h
	oneMinusS float64
}

func newZipfSampler(n int64, s float64) zipfSampler {
	z := zipfSampler{n: n, s: s, oneMinusS: 1 - s}
	z.hX1 = zipfH(1.5, s) - 1
	z.hN = zipfH(float64(n)+0.5, s)
	z.cut = 2 - zipfHInv(zipfH(2.5, s)-math.Pow(2, -s), s)
	if n <= aliasMaxN {
		w := make([]float64, n)
		for k := range w {
			w[k] = math.Pow(float64(k+1), -s)
		}
		z.alias = newAliasTable(w)
	}
	return z
}

// aliasMaxN bounds the key spaces that get an alias table (12 bytes a key,
// shared by all lanes): campaign-sized spaces, where one table lookup beats
// the exp/log pair of rejection-inversion.
const aliasMaxN = 1 << 16

// aliasTable is Vose's alias method: draw a column uniformly, then keep it
// with probability prob[i] or take alias[i].
type aliasTable struct {
	prob  []float64
	alias []uint32
}

func newAliasTable(w []float64) *aliasTable {
	n := len(w)
	var sum float64
	for _, x := range w {
		sum += x
	}
	t := &aliasTable{prob: make([]float64, n), alias: make([]uint32, n)}
	scaled := make([]float64, n)
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i, x := range w {
		scaled[i] = x * float64(n) / sum
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l, g := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		t.prob[l] = scaled[l]
		t.alias[l] = uint32(g)
		scaled[g] -= 1 - scaled[l]
		if scaled[g] < 1 {
			large = large[:len(large)-1]
			small = append(small, g)
		}
	}
	for _, i := range large {
		t.prob[i] = 1
		t.alias[i] = uint32(i)
	}
	for _, i := range small { // rounding leftovers
		t.prob[i] = 1
		t.alias[i] = uint32(i)
	}
	return t
}

// sample returns an index in 0..n-1.
func (t *aliasTable) sample(r *rng) int64 {
	i := r.below(uint64(len(t.prob)))
	if r.float() < t.prob[i] {
		return int64(i)
	}
	return int64(t.alias[i])
}

// sample returns a rank in 1..n.
func (z *zipfSampler) sample(r *rng) int64 {
	if z.alias != nil {
		return z.alias.sample(r) + 1
	}
	for {
		// u is uniform in (hX1, hN].
		u := z.hN + r.float()*(z.hX1-z.hN)
		// Inline zipfHInv with the precomputed 1-s.
		t := u * z.oneMinusS
		if t < -1 {
			t = -1
		}
		x := math.Exp(log1pOverX(t) * u)
		k := int64(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > z.n {
			k = z.n
		}
		fk := float64(k)
		if fk-x <= z.cut || u >= zipfH(fk+0.5, z.s)-math.Exp(-z.s*math.Log(fk)) {
			return k
		}
	}
}

// Sampler kinds, compiled from KeyDist.Kind.
const (
	samplerUniform uint8 = iota
	samplerZipf
	samplerHotset
)

// keySampler is a KeyDist compiled for a key space of n keys. It is
// immutable and shared by all lanes; a lane keeps its own keyCursor.
type keySampler struct {
	kind      uint8
	n         uint64
	zipf      zipfSampler
	hot       uint64  // hot set size
	hotShare  float64 // probability of a hot key
	moveEvery int64   // ns of run time; 0 = never
	stride    uint64  // rotation per epoch, in keys, < n
}

func newKeySampler(d KeyDist, n int64) keySampler {
	k := keySampler{n: uint64(n), moveEvery: int64(d.MoveEvery)}
	switch d.Kind {
	case KindZipf:
		k.kind = samplerZipf
		k.zipf = newZipfSampler(n, d.S)
		k.stride = uint64(float64(n) * 0.6180339887498949)
	case KindHotset:
		k.kind = samplerHotset
		k.hot = uint64(d.HotKeys)
		k.hotShare = d.HotShare
		k.stride = uint64(d.HotKeys)
	}
	if k.n > 0 {
		k.stride %= k.n
	}
	return k
}

// keyCursor caches a lane's current move offset, so that the division and
// the modular product are paid once per epoch, not once per draw.
type keyCursor struct {
	epoch  int64
	offset uint64
}

// sample draws a key in 0..n-1 for a send intended at run-time offset t.
func (k *keySampler) sample(r *rng, c *keyCursor, t int64) int64 {
	var rank0 uint64 // rank - 1
	switch k.kind {
	case samplerUniform:
		return int64(r.below(k.n))
	case samplerZipf:
		rank0 = uint64(k.zipf.sample(r) - 1)
	case samplerHotset:
		if r.float() < k.hotShare {
			rank0 = r.below(k.hot)
		} else {
			rank0 = k.hot + r.below(k.n-k.hot)
		}
	}
	if k.moveEvery > 0 {
		e := t / k.moveEvery
		if t < 0 && e*k.moveEvery != t {
			e-- // floor, so epochs are equally long either side of 0
		}
		if e != c.epoch {
			c.epoch = e
			c.offset = mulMod(umod(e, k.n), k.stride, k.n)
		}
		rank0 += c.offset
		if rank0 >= k.n {
			rank0 -= k.n
		}
	}
	return int64(rank0)
}

// umod is e mod n in [0, n).
func umod(e int64, n uint64) uint64 {
	if e >= 0 {
		return uint64(e) % n
	}
	m := uint64(-(e + 1)) % n // -(e+1) cannot overflow
	return n - 1 - m
}

// mulMod is a·b mod n for a, b < n, without overflow.
func mulMod(a, b, n uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, rem := bits.Div64(hi, lo, n)
	return rem
}
