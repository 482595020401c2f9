package generators

import (
	"testing"
	"time"
)

// benchConfig is a full-featured workload: zipf campaigns and recipients
// (moving), the default funnel, disorder with late events and duplicates.
func benchConfig() Config {
	return Config{
		Seed:          1,
		Campaigns:     1000,
		Variants:      []string{"A", "B"},
		Recipients:    10_000_000,
		Lanes:         1,
		CampaignSkew:  KeyDist{Kind: KindZipf, S: 1.1, MoveEvery: time.Minute},
		RecipientSkew: KeyDist{Kind: KindZipf, S: 0.8},
		Funnel:        DefaultFunnel(),
		Disorder:      Disorder{MaxDelay: 2 * time.Second, LateFraction: 0.01, LateLag: 30 * time.Second, Duplicates: 0.05},
	}
}

// benchRate is the per-lane rate of the benchmarks: it sets how many
// follow-ups are pending (~110k entries here), which is what the heap costs.
const benchRate = 100_000

// benchmarkGenerate measures one lane generating and encoding events into a
// reused buffer, after a warm-up that fills the lane's heap to its steady
// state (so the heap's growth is not what is measured).
func benchmarkGenerate(b *testing.B, enc Encoding) {
	g := mustNew(b, benchConfig())
	ln := g.Lane(0)
	sched := ConstantRate(benchRate)
	const origin = int64(1764132000000000000)
	var e Event
	seq := int64(0)
	for ; seq < 2_000_000; seq++ {
		ln.Next(&e, seq, origin+int64(sched.Due(seq)), origin)
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	start := seq
	for b.Loop() {
		ln.Next(&e, seq, origin+int64(sched.Due(seq)), origin)
		buf = e.Append(enc, buf[:0])
		seq++
	}
	b.ReportMetric(float64(seq-start)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkGenerate(b *testing.B)       { benchmarkGenerate(b, EncodingJSON) }
func BenchmarkGenerateBinary(b *testing.B) { benchmarkGenerate(b, EncodingBinary) }

func BenchmarkZipf(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int64
		s    float64
	}{
		{"n=1000,s=1.2", 1000, 1.2},
		{"n=1e8,s=0.8", 1e8, 0.8},
		{"n=1e8,s=1", 1e8, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			z := newZipfSampler(bc.n, bc.s)
			r := rng{s: 1}
			var sum int64
			b.ReportAllocs()
			for b.Loop() {
				sum += z.sample(&r)
			}
			if sum == 0 {
				b.Fatal("no samples")
			}
		})
	}
}

func BenchmarkScheduleDue(b *testing.B) {
	for _, bc := range []struct {
		name string
		p    Profile
	}{
		{"constant", Profile{Kind: ProfileConstant, Rate: 100_000}},
		{"ramp", Profile{Kind: ProfileRamp, From: 1000, To: 100_000}},
		{"piecewise", Profile{Kind: ProfilePiecewise, Points: []Point{{0, 1000}, {10 * time.Second, 50_000}, {20 * time.Second, 5000}, {30 * time.Second, 80_000}}}},
		{"sine", Profile{Kind: ProfileSine, Rate: 50_000, Amplitude: 0.5, Period: 10 * time.Second}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := NewSchedule(bc.p, time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			var i int64
			var sink time.Duration
			b.ReportAllocs()
			for b.Loop() {
				sink += s.Due(i)
				i = (i + 7919) % 3_000_000
			}
			_ = sink
		})
	}
}
