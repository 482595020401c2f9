package generators

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestConstantRate(t *testing.T) {
	tests := []struct {
		name   string
		rate   float64
		checks map[int64]time.Duration // i → Due(i)
	}{
		{"1000/s", 1000, map[int64]time.Duration{0: 0, 1: time.Millisecond, 1000: time.Second, 123456: 123456 * time.Millisecond}},
		{"1/s", 1, map[int64]time.Duration{1: time.Second, 60: time.Minute}},
		{"0.5/s", 0.5, map[int64]time.Duration{1: 2 * time.Second, 3: 6 * time.Second}},
		{"3/s", 3, map[int64]time.Duration{1: 333333333, 2: 666666666, 3: time.Second}},
		{"333.33/s", 333.33, map[int64]time.Duration{1: 3000030, 33333: 100000000000}},
		{"7e6/s", 7e6, map[int64]time.Duration{7: time.Microsecond, 7e6: time.Second}},
		{"1e9/s", 1e9, map[int64]time.Duration{5: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ConstantRate(tt.rate)
			for i, want := range tt.checks {
				if got := s.Due(i); got != want {
					t.Errorf("Due(%d) = %d, want %d", i, got, want)
				}
			}
			if s.Count(0) != 0 || s.Count(-time.Second) != 0 {
				t.Errorf("Count(<=0) = %d, %d; want 0", s.Count(0), s.Count(-time.Second))
			}
			if s.Count(1) != 1 {
				t.Errorf("Count(1ns) = %d; event 0 is due at 0", s.Count(1))
			}
			for _, i := range []int64{0, 1, 2, 3, 7, 999, 1000, 1001, 65537, 1e6, 12345678, 1e9, 1e11} {
				if float64(i)/tt.rate > 1e9 {
					continue // past ~30 years: beyond any run, near Duration's range
				}
				d := s.Due(i)
				if next := s.Due(i + 1); next <= d {
					t.Fatalf("Due(%d) = %d not after Due(%d) = %d", i+1, next, i, d)
				}
				if got := s.Count(d); got != i {
					t.Errorf("Count(Due(%d)) = %d", i, got)
				}
				if got := s.Count(d + 1); got != i+1 {
					t.Errorf("Count(Due(%d)+1ns) = %d, want %d", i, got, i+1)
				}
			}
			for _, d := range []time.Duration{time.Second, 30 * time.Second, time.Hour} {
				want := math.Ceil(d.Seconds() * tt.rate)
				if got := s.Count(d); math.Abs(float64(got)-want) > 1 {
					t.Errorf("Count(%s) = %d, want about %.0f", d, got, want)
				}
			}
			if s.Rate(time.Hour) != tt.rate || s.Mean(0, time.Second) != tt.rate {
				t.Errorf("Rate = %v, Mean = %v", s.Rate(time.Hour), s.Mean(0, time.Second))
			}
		})
	}
	if m := ConstantRate(10).Mean(-time.Second, time.Second); m != 5 {
		t.Errorf("Mean over [-1s, 1s) = %v, want 5 (no events before 0)", m)
	}
}

func TestConstantRatePanics(t *testing.T) {
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1), 2e9} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("ConstantRate(%v) did not panic", rate)
				}
			}()
			ConstantRate(rate)
		})
	}
}

// profileCases are one or more profiles of every kind, with the exact
// integral of their rate over the horizon (events).
var profileCases = []struct {
	name    string
	p       Profile
	horizon time.Duration
	total   float64
	rates   map[time.Duration]float64 // spot checks of Rate
}{
	{"constant", Profile{Kind: ProfileConstant, Rate: 1234.5}, time.Minute, 1234.5 * 60,
		map[time.Duration]float64{0: 1234.5, time.Hour: 1234.5}},
	{"empty kind is constant", Profile{Rate: 10}, time.Minute, 600, nil},
	{"ramp up over the horizon", Profile{Kind: ProfileRamp, From: 100, To: 10_100}, time.Minute, (100 + 10_100) / 2.0 * 60,
		map[time.Duration]float64{0: 100, 30 * time.Second: 5100, time.Minute: 10_100, time.Hour: 10_100}},
	{"ramp from zero, then hold", Profile{Kind: ProfileRamp, From: 0, To: 1000, Over: 10 * time.Second}, time.Minute, 5000 + 50*1000,
		map[time.Duration]float64{0: 0, 5 * time.Second: 500, 20 * time.Second: 1000}},
	{"ramp down to zero", Profile{Kind: ProfileRamp, From: 2000, To: 0, Over: 20 * time.Second}, time.Minute, 20_000,
		map[time.Duration]float64{10 * time.Second: 1000, 30 * time.Second: 0}},
	{"step with a silent span", Profile{Kind: ProfileStep, Rate: 500, Steps: []Point{{10 * time.Second, 0}, {20 * time.Second, 3000}, {40 * time.Second, 1}}}, time.Minute,
		5000 + 0 + 60_000 + 20, map[time.Duration]float64{0: 500, 15 * time.Second: 0, 20 * time.Second: 3000, 50 * time.Second: 1}},
	{"step starting silent", Profile{Kind: ProfileStep, Rate: 0, Steps: []Point{{5 * time.Second, 100}}}, 10 * time.Second, 500,
		map[time.Duration]float64{time.Second: 0, 6 * time.Second: 100}},
	{"spike", Profile{Kind: ProfileSpike, Rate: 1000, At: 20 * time.Second, Length: 5 * time.Second, Multiplier: 2}, time.Minute, 1000*55 + 2000*5,
		map[time.Duration]float64{19 * time.Second: 1000, 20 * time.Second: 2000, 25*time.Second - 1: 2000, 25 * time.Second: 1000}},
	{"spike at 0", Profile{Kind: ProfileSpike, Rate: 100, At: 0, Length: time.Second, Multiplier: 10}, 10 * time.Second, 1000 + 900, nil},
	{"dip to zero", Profile{Kind: ProfileSpike, Rate: 100, At: time.Second, Length: time.Second, Multiplier: 0}, 10 * time.Second, 900, nil},
	{"sine", Profile{Kind: ProfileSine, Rate: 1000, Amplitude: 0.5, Period: 8 * time.Second}, 10 * time.Second,
		1000 * (10 + 0.5*8/(2*math.Pi)*(1-math.Cos(2*math.Pi*10/8))),
		map[time.Duration]float64{0: 1000, 2 * time.Second: 1500, 6 * time.Second: 500}},
	{"sine touching zero", Profile{Kind: ProfileSine, Rate: 300, Amplitude: 1, Period: 4 * time.Second}, 12 * time.Second, 300 * 12,
		map[time.Duration]float64{3 * time.Second: 0, time.Second: 600}},
	{"piecewise linear", Profile{Kind: ProfilePiecewise, Points: []Point{{5 * time.Second, 100}, {15 * time.Second, 1100}, {25 * time.Second, 0}, {30 * time.Second, 0}, {40 * time.Second, 50}}},
		time.Minute, 500 + 6000 + 5500 + 0 + 250 + 1000, map[time.Duration]float64{0: 100, 10 * time.Second: 600, 27 * time.Second: 0, 35 * time.Second: 25, time.Hour: 50}},
	{"piecewise step", Profile{Kind: ProfilePiecewise, Interpolate: InterpolateStep, Points: []Point{{0, 200}, {10 * time.Second, 0}, {20 * time.Second, 700}}},
		30 * time.Second, 2000 + 7000, map[time.Duration]float64{5 * time.Second: 200, 15 * time.Second: 0, 25 * time.Second: 700}},
	{"piecewise with one point", Profile{Kind: ProfilePiecewise, Points: []Point{{time.Hour, 42}}}, time.Minute, 42 * 60, nil},
}

// TestProfiles checks every kind: Count(Due(i)) == i, Due strictly
// increasing while events come, the count over the horizon equal to the
// integral of the rate within one event, and Rate at given offsets.
func TestProfiles(t *testing.T) {
	for _, tt := range profileCases {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSchedule(tt.p, tt.horizon)
			if err != nil {
				t.Fatal(err)
			}
			total := s.Count(tt.horizon)
			if math.Abs(float64(total)-tt.total) > 1 {
				t.Errorf("Count(horizon) = %d, want ∫rate = %.2f ± 1", total, tt.total)
			}
			if m := s.Mean(0, tt.horizon); math.Abs(m*tt.horizon.Seconds()-tt.total) > 1e-6*tt.total {
				t.Errorf("Mean(0, horizon) = %v, want %v", m, tt.total/tt.horizon.Seconds())
			}
			prev := time.Duration(-1)
			step := max(1, total/20_000)
			for i := int64(0); i < total+10; i += step {
				d := s.Due(i)
				if d == Never {
					break
				}
				if d <= prev && step == 1 {
					t.Fatalf("Due(%d) = %d not after Due(%d) = %d", i, d, i-1, prev)
				}
				prev = d
				if got := s.Count(d); got != i {
					t.Fatalf("Count(Due(%d) = %d) = %d", i, d, got)
				}
				if got := s.Count(d + 1); got != i+1 {
					t.Fatalf("Count(Due(%d)+1ns) = %d, want %d", i, got, i+1)
				}
				if i > 0 && s.Due(i-1) >= d {
					t.Fatalf("Due(%d) = %d not after Due(%d) = %d", i, d, i-1, s.Due(i-1))
				}
				if i < total && d >= tt.horizon {
					t.Fatalf("event %d of %d due at %s, after the horizon", i, total, d)
				}
			}
			for at, want := range tt.rates {
				if got := s.Rate(at); math.Abs(got-want) > 1e-9*max(1, want) {
					t.Errorf("Rate(%s) = %v, want %v", at, got, want)
				}
			}
		})
	}
}

// TestProfileInverseExhaustive runs Count(Due(i)) == i over every event of
// a few fast profiles, and over random offsets the other way round.
func TestProfileInverseExhaustive(t *testing.T) {
	for _, tt := range profileCases {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSchedule(tt.p, tt.horizon)
			if err != nil {
				t.Fatal(err)
			}
			total := s.Count(tt.horizon)
			if total > 200_000 {
				total = 200_000
			}
			prev := time.Duration(-1)
			for i := range total {
				d := s.Due(i)
				if d <= prev || s.Count(d) != i {
					t.Fatalf("event %d: Due %d (previous %d), Count(Due) %d", i, d, prev, s.Count(d))
				}
				prev = d
			}
			r := rng{s: 77}
			for range 20_000 {
				d := time.Duration(r.below(uint64(tt.horizon)))
				n := s.Count(d)
				// n events are due before d: event n-1 is, event n is not.
				if n > 0 && s.Due(n-1) >= d || s.Due(n) < d {
					t.Fatalf("Count(%d) = %d, but Due(%d) = %d, Due(%d) = %d", d, n, n-1, s.Due(n-1), n, s.Due(n))
				}
			}
		})
	}
}

func TestSpikeDoublesTheRate(t *testing.T) {
	s, err := NewSchedule(Profile{Kind: ProfileSpike, Rate: 5000, At: 30 * time.Second, Length: 10 * time.Second, Multiplier: 2}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	window := func(from time.Duration) int64 { return s.Count(from+10*time.Second) - s.Count(from) }
	before, inside, after := window(15*time.Second), window(30*time.Second), window(45*time.Second)
	if before != 50_000 || after != 50_000 || inside != 100_000 {
		t.Errorf("events in 10 s before, inside, after the spike: %d, %d, %d; want 50000, 100000, 50000", before, inside, after)
	}
	if m := s.Mean(30*time.Second, 40*time.Second); m != 10_000 {
		t.Errorf("Mean inside the spike = %v", m)
	}
}

func TestScheduleNever(t *testing.T) {
	s, err := NewSchedule(Profile{Kind: ProfileStep, Rate: 100, Steps: []Point{{10 * time.Second, 0}}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Count(time.Hour); n != 1000 {
		t.Errorf("Count = %d, want 1000", n)
	}
	if d := s.Due(999); d >= 10*time.Second {
		t.Errorf("Due(999) = %s", d)
	}
	if d := s.Due(1000); d != Never {
		t.Errorf("Due(1000) = %s, want Never (the rate stays 0)", d)
	}
	if n := s.Count(Never); n != 1000 {
		t.Errorf("Count(Never) = %d", n)
	}
}

func TestNewScheduleErrors(t *testing.T) {
	tests := []struct {
		name    string
		p       Profile
		horizon time.Duration
		want    []string
	}{
		{"no horizon", Profile{Kind: ProfileConstant, Rate: 1}, 0, []string{"workload.duration: the schedule's horizon (warmup + duration) must be > 0, got 0s"}},
		{"unknown kind", Profile{Kind: "square"}, time.Minute, []string{`workload.profile.kind: must be one of constant, ramp, step, spike, sine, piecewise, got "square"`}},
		{"constant rate 0", Profile{Kind: ProfileConstant}, time.Minute, []string{"workload.rate: must be in (0, 1e9] events/s, got 0"}},
		{"constant rate too high", Profile{Kind: ProfileConstant, Rate: 2e9}, time.Minute, []string{"workload.rate: must be in (0, 1e9] events/s, got 2e+09"}},
		{"constant rate NaN", Profile{Kind: ProfileConstant, Rate: math.NaN()}, time.Minute, []string{"workload.rate:"}},
		{"ramp negative from", Profile{Kind: ProfileRamp, From: -1, To: 10}, time.Minute, []string{"workload.profile.from: must be in [0, 1e9] events/s, got -1"}},
		{"ramp all zero", Profile{Kind: ProfileRamp}, time.Minute, []string{"workload.profile: no event is due within the horizon (1m0s): the rate is 0 throughout"}},
		{"ramp negative over", Profile{Kind: ProfileRamp, To: 5, Over: -time.Second}, time.Minute, []string{"workload.profile.over: must be >= 0, got -1s"}},
		{"step points out of order", Profile{Kind: ProfileStep, Rate: 1, Steps: []Point{{5 * time.Second, 1}, {5 * time.Second, 2}, {-time.Second, 3}}}, time.Minute,
			[]string{"workload.profile.steps[1].at: must be later than workload.profile.steps[0].at (5s), got 5s", "workload.profile.steps[2].at: must be >= 0, got -1s"}},
		{"step negative rate", Profile{Kind: ProfileStep, Rate: 1, Steps: []Point{{time.Second, -5}}}, time.Minute, []string{"workload.profile.steps[0].rate: must be in [0, 1e9] events/s, got -5"}},
		{"step silent within the horizon", Profile{Kind: ProfileStep, Rate: 0, Steps: []Point{{2 * time.Minute, 5}}}, time.Minute, []string{"workload.profile: no event is due within the horizon"}},
		{"spike without length", Profile{Kind: ProfileSpike, Rate: 10, Multiplier: 2}, time.Minute, []string{"workload.profile.length: must be > 0, got 0s"}},
		{"spike negative at", Profile{Kind: ProfileSpike, Rate: 10, At: -1, Length: 1, Multiplier: 2}, time.Minute, []string{"workload.profile.at: must be >= 0, got -1ns"}},
		{"spike too high", Profile{Kind: ProfileSpike, Rate: 1e8, Length: 1, Multiplier: 20}, time.Minute, []string{"workload.profile.multiplier: workload.rate × multiplier must be at most 1e9 events/s, got 2e+09"}},
		{"spike negative multiplier", Profile{Kind: ProfileSpike, Rate: 10, Length: 1, Multiplier: -1}, time.Minute, []string{"workload.profile.multiplier: must be a finite number >= 0, got -1"}},
		{"sine amplitude above 1", Profile{Kind: ProfileSine, Rate: 10, Amplitude: 1.5, Period: time.Second}, time.Minute, []string{"workload.profile.amplitude: must be in [0,1], got 1.5"}},
		{"sine without period", Profile{Kind: ProfileSine, Rate: 10, Amplitude: 0.5}, time.Minute, []string{"workload.profile.period: must be > 0, got 0s"}},
		{"sine peak too high", Profile{Kind: ProfileSine, Rate: 9e8, Amplitude: 0.5, Period: time.Second}, time.Minute, []string{"workload.profile.amplitude: workload.rate × (1 + amplitude) must be at most 1e9 events/s"}},
		{"piecewise without points", Profile{Kind: ProfilePiecewise}, time.Minute, []string{"workload.profile.points: must have at least one point"}},
		{"piecewise bad interpolation", Profile{Kind: ProfilePiecewise, Points: []Point{{0, 1}}, Interpolate: "cubic"}, time.Minute, []string{`workload.profile.interpolate: must be linear or step, got "cubic"`}},
		{"piecewise all zero", Profile{Kind: ProfilePiecewise, Points: []Point{{0, 0}, {time.Second, 0}}}, time.Minute, []string{"workload.profile: no event is due"}},
		{"several at once", Profile{Kind: ProfilePiecewise, Points: []Point{{time.Second, -1}, {0, math.Inf(1)}}, Interpolate: "x"}, -time.Second, []string{
			"workload.duration:", "workload.profile.points[0].rate:", "workload.profile.points[1].at:", "workload.profile.points[1].rate:", "workload.profile.interpolate:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSchedule(tt.p, tt.horizon)
			if err == nil {
				t.Fatalf("NewSchedule accepted it: %v", s)
			}
			if lines := strings.Split(err.Error(), "\n"); len(lines) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestScheduleString(t *testing.T) {
	for _, tt := range profileCases {
		s, err := NewSchedule(tt.p, tt.horizon)
		if err != nil {
			t.Fatal(err)
		}
		if str, ok := s.(fmt.Stringer); !ok || str.String() == "" {
			t.Errorf("%s: no description", tt.name)
		}
	}
}
