package generators

import (
	"math"
	"math/bits"
)

// rng is SplitMix64 used as a sequential generator. It is small enough to
// live inline in each lane (one word of state, no interface, no locking),
// passes BigCrush, and its methods inline into the hot path. math/rand/v2
// would cost an interface call per draw through rand.Source.
type rng struct{ s uint64 }

const golden = 0x9e3779b97f4a7c15

func (r *rng) next() uint64 {
	r.s += golden
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a uniform float64 in [0, 1) with 53 random bits.
func (r *rng) float() float64 {
	return float64(r.next()>>11) * 0x1p-53
}

// below returns a uniform integer in [0, n).
func (r *rng) below(n uint64) uint64 {
	return uniform(r.next(), n)
}

// uniform maps a 64-bit random value onto [0, n) by multiply-high (Lemire);
// the bias is below n/2^64, far under anything a benchmark can see.
func uniform(r, n uint64) uint64 {
	hi, _ := bits.Mul64(r, n)
	return hi
}

// splitmix64 is the SplitMix64 finalizer: a bijective mix of 64 bits, used
// to derive independent seeds and to hash keys.
func splitmix64(x uint64) uint64 {
	x += golden
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Standard normal variates by the ziggurat method (Marsaglia & Tsang 2000,
// 128 layers). About 98% of draws take the fast path: one 64-bit draw, a
// table lookup and a multiply, no transcendental function; log-normal delays
// are drawn for most events, so this matters. The layer index and the
// candidate come from disjoint bits of the draw, which avoids the
// correlation Doornik (2005) found in the original.
var zigK [128]uint32
var zigW, zigF [128]float64

const zigR = 3.442619855899 // start of the tail

func init() {
	const m1 = 1 << 31
	const v = 9.91256303526217e-3 // area of each layer
	dn, tn := zigR, zigR
	q := v / math.Exp(-0.5*dn*dn)
	zigK[0] = uint32(dn / q * m1)
	zigK[1] = 0
	zigW[0] = q / m1
	zigW[127] = dn / m1
	zigF[0] = 1
	zigF[127] = math.Exp(-0.5 * dn * dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(v/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = uint32(dn / tn * m1)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / m1
	}
}

// normal returns a standard normal variate.
func (r *rng) normal() float64 {
	u := r.next()
	i := u & 127
	j := int32(u >> 32)
	if absInt32(j) < zigK[i] {
		return float64(j) * zigW[i]
	}
	return r.normalSlow(i, j)
}

func absInt32(j int32) uint32 {
	m := j >> 31
	return uint32((j ^ m) - m)
}

// normalSlow handles the wedges and the tail of the ziggurat.
func (r *rng) normalSlow(i uint64, j int32) float64 {
	for {
		x := float64(j) * zigW[i]
		if i == 0 {
			// The tail beyond zigR, by Marsaglia's exponential method.
			for {
				x = -math.Log(r.open()) / zigR
				y := -math.Log(r.open())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+r.float()*(zigF[i-1]-zigF[i]) < math.Exp(-0.5*x*x) {
			return x
		}
		u := r.next()
		i = u & 127
		j = int32(u >> 32)
		if absInt32(j) < zigK[i] {
			return float64(j) * zigW[i]
		}
	}
}

// open returns a uniform float64 in (0, 1), safe to take the log of.
func (r *rng) open() float64 {
	return (float64(r.next()>>11) + 0.5) * 0x1p-53
}
