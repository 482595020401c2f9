package generators

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// testOrigin is a schedule origin in 2025, as a run's would be.
const testOrigin = int64(1764132000000000000)

// testConfig is a small valid configuration with the default funnel and no
// skew or disorder.
func testConfig(seed int64) Config {
	return Config{
		Seed:       seed,
		Campaigns:  20,
		Variants:   []string{"A", "B"},
		Recipients: 100_000,
		Lanes:      1,
		Funnel:     DefaultFunnel(),
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want []string // every one must appear
	}{
		{"no campaigns", func(c *Config) { c.Campaigns = 0 }, []string{"workload.campaigns: must be in 1..2147483647, got 0"}},
		{"no variants", func(c *Config) { c.Variants = nil }, []string{"workload.variants: must have 1 to 26 labels, got 0"}},
		{"too many variants", func(c *Config) {
			c.Variants = nil
			for i := range 27 {
				c.Variants = append(c.Variants, fmt.Sprint(i))
			}
		}, []string{"workload.variants: must have 1 to 26 labels, got 27"}},
		{"empty variant", func(c *Config) { c.Variants = []string{"A", ""} }, []string{"workload.variants[1]: must not be empty"}},
		{"repeated variant", func(c *Config) { c.Variants = []string{"A", "B", "A"} }, []string{`workload.variants[2]: repeats workload.variants[0] "A"`}},
		{"variant too long", func(c *Config) { c.Variants = []string{strings.Repeat("v", 256)} }, []string{"workload.variants[0]: must be at most 255 bytes"}},
		{"variant not UTF-8", func(c *Config) { c.Variants = []string{"\xff"} }, []string{"workload.variants[0]: must be valid UTF-8"}},
		{"no recipients", func(c *Config) { c.Recipients = 0 }, []string{"workload.recipients: must be >= 1, got 0"}},
		{"no lanes", func(c *Config) { c.Lanes = 0 }, []string{"workload.lanes: must be >= 1, got 0"}},
		{"negative lanes", func(c *Config) { c.Lanes = -2 }, []string{"workload.lanes: must be >= 1, got -2"}},
		{"zipf s = 0", func(c *Config) { c.CampaignSkew = KeyDist{Kind: KindZipf} }, []string{"workload.skew.campaigns.s: must be a finite number > 0, got 0"}},
		{"zipf s < 0 on recipients", func(c *Config) { c.RecipientSkew = KeyDist{Kind: KindZipf, S: -0.5} }, []string{"workload.skew.recipients.s: must be a finite number > 0, got -0.5"}},
		{"hot set as large as the key space", func(c *Config) { c.CampaignSkew = KeyDist{Kind: KindHotset, HotKeys: 20, HotShare: 0.5} },
			[]string{"workload.skew.campaigns.hot_keys: must be less than workload.campaigns (20) so that some keys stay cold, got 20"}},
		{"hot set larger than the recipients", func(c *Config) { c.RecipientSkew = KeyDist{Kind: KindHotset, HotKeys: 1e6, HotShare: 0.5} },
			[]string{"workload.skew.recipients.hot_keys: must be less than workload.recipients (100000)"}},
		{"hot share outside [0,1]", func(c *Config) { c.CampaignSkew = KeyDist{Kind: KindHotset, HotKeys: 2, HotShare: 1.2} },
			[]string{"workload.skew.campaigns.hot_share: must be in [0,1], got 1.2"}},
		{"time scale 0", func(c *Config) { c.Funnel.TimeScale = 0 }, []string{"workload.funnel.time_scale: must be a finite number > 0 (campaign seconds per run second), got 0"}},
		{"time scale negative", func(c *Config) { c.Funnel.TimeScale = -1 }, []string{"workload.funnel.time_scale:"}},
		{"open rate above 1", func(c *Config) { c.Funnel.Open = []float64{0.2, 1.3} }, []string{"workload.funnel.open[1]: must be in [0,1], got 1.3"}},
		{"click rate negative", func(c *Config) { c.Funnel.Click = []float64{-0.1} }, []string{"workload.funnel.click[0]: must be in [0,1], got -0.1"}},
		{"conversion NaN", func(c *Config) { c.Funnel.Conversion = []float64{math.NaN()} }, []string{"workload.funnel.conversion[0]: must be in [0,1], got NaN"}},
		{"bounce above 1", func(c *Config) { c.Funnel.Bounce = 2 }, []string{"workload.funnel.bounce: must be in [0,1], got 2"}},
		{"unsubscribe negative", func(c *Config) { c.Funnel.Unsubscribe = -1 }, []string{"workload.funnel.unsubscribe: must be in [0,1], got -1"}},
		{"bot open above 1", func(c *Config) { c.Funnel.BotOpen = 1.1 }, []string{"workload.funnel.bot_open: must be in [0,1], got 1.1"}},
		{"reopen 1", func(c *Config) { c.Funnel.Reopen = 1 }, []string{"workload.funnel.reopen: must be in [0,1)"}},
		{"wrong per-variant length", func(c *Config) { c.Funnel.Open = []float64{0.1, 0.2, 0.3} },
			[]string{"workload.funnel.open: must have 1 value (for every variant) or 2 (one per variant), got 3"}},
		{"empty per-variant list", func(c *Config) { c.Funnel.Click = nil }, []string{"workload.funnel.click: must have 1 value (for every variant) or 2 (one per variant), got 0"}},
		{"per-variant list for one variant", func(c *Config) { c.Variants = []string{"A"}; c.Funnel.Open = []float64{0.1, 0.2} },
			[]string{"workload.funnel.open: must have 1 value, got 2"}},
		{"negative median", func(c *Config) { c.Funnel.OpenDelay.Median = -time.Minute }, []string{"workload.funnel.delays.open.median: must be >= 0, got -1m0s"}},
		{"negative sigma", func(c *Config) { c.Funnel.ClickDelay.Sigma = -0.5 }, []string{"workload.funnel.delays.click.sigma: must be a finite number >= 0, got -0.5"}},
		{"infinite sigma", func(c *Config) { c.Funnel.DeliveryDelay.Sigma = math.Inf(1) }, []string{"workload.funnel.delays.delivery.sigma:"}},
		{"negative max delay", func(c *Config) { c.Disorder.MaxDelay = -time.Second }, []string{"workload.disorder.max_delay: must be >= 0, got -1s"}},
		{"max delay not in ms", func(c *Config) { c.Disorder.MaxDelay = 1500 * time.Microsecond }, []string{"workload.disorder.max_delay: must be a whole number of milliseconds"}},
		{"late fraction above 1", func(c *Config) { c.Disorder.LateFraction = 1.5; c.Disorder.LateLag = time.Minute }, []string{"workload.disorder.late_fraction: must be in [0,1], got 1.5"}},
		{"late lag within max delay", func(c *Config) {
			c.Disorder = Disorder{MaxDelay: 5 * time.Second, LateFraction: 0.01, LateLag: 5 * time.Second}
		}, []string{"workload.disorder.late_by: must be greater than workload.disorder.max_delay (5s) for late events to be late, got 5s"}},
		{"negative late lag", func(c *Config) { c.Disorder.LateLag = -time.Second }, []string{"workload.disorder.late_by: must be >= 0, got -1s"}},
		{"duplicates above 1", func(c *Config) { c.Disorder.Duplicates = 1.01 }, []string{"workload.disorder.duplicates: must be in [0,1], got 1.01"}},
		{"late lag beyond a day", func(c *Config) { c.Disorder.LateLag = 25 * time.Hour }, []string{"workload.disorder.late_by: must be at most 24h0m0s, got 25h0m0s"}},
		{"max delay beyond a day", func(c *Config) { c.Disorder.MaxDelay = 48 * time.Hour }, []string{"workload.disorder.max_delay: must be at most 24h0m0s, got 48h0m0s"}},
		{"several problems at once", func(c *Config) {
			c.Campaigns = 0
			c.Lanes = 0
			c.CampaignSkew = KeyDist{Kind: KindZipf, S: -1}
			c.RecipientSkew = KeyDist{Kind: KindHotset, HotKeys: 0, HotShare: 3}
			c.Funnel.TimeScale = 0
			c.Funnel.Open = []float64{0.2, 1.3}
			c.Funnel.ConversionDelay = LogNormal{Median: -1, Sigma: -1}
			c.Disorder.LateFraction = -0.1
		}, []string{
			"workload.campaigns:", "workload.lanes:", "workload.skew.campaigns.s:", "workload.skew.recipients.hot_keys:",
			"workload.skew.recipients.hot_share:", "workload.funnel.time_scale:", "workload.funnel.open[1]:",
			"workload.funnel.delays.conversion.median:", "workload.funnel.delays.conversion.sigma:", "workload.disorder.late_fraction:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(1)
			tt.edit(&cfg)
			g, err := New(cfg)
			if err == nil {
				t.Fatalf("New accepted it: %+v", g)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, "workload.") {
					t.Errorf("error line %q does not start with its path", l)
				}
			}
		})
	}
	if _, err := New(testConfig(1)); err != nil {
		t.Fatalf("the test config itself is invalid: %v", err)
	}
}

// streamJSON returns n events of a run at rate events/s as JSON lines.
func streamJSON(t testing.TB, cfg Config, rate float64, n int64) []byte {
	t.Helper()
	var buf []byte
	Stream(mustNew(t, cfg), ConstantRate(rate), testOrigin, n, func(e *Event) {
		buf = append(e.AppendJSON(buf), '\n')
	})
	return buf
}

// fullConfig turns on everything: skew, disorder, duplicates, lanes.
func fullConfig(seed int64, lanes int) Config {
	cfg := testConfig(seed)
	cfg.Lanes = lanes
	cfg.CampaignSkew = KeyDist{Kind: KindZipf, S: 1.1, MoveEvery: 20 * time.Second}
	cfg.RecipientSkew = KeyDist{Kind: KindHotset, HotKeys: 100, HotShare: 0.3}
	cfg.Funnel.Open = []float64{0.2, 0.25}
	cfg.Disorder = Disorder{MaxDelay: time.Second, LateFraction: 0.01, LateLag: 10 * time.Second, Duplicates: 0.05}
	return cfg
}

func TestDeterminism(t *testing.T) {
	const n = 100_000
	a := streamJSON(t, fullConfig(7, 1), 2000, n)
	t.Run("same seed, byte-identical stream", func(t *testing.T) {
		if b := streamJSON(t, fullConfig(7, 1), 2000, n); !bytes.Equal(a, b) {
			t.Errorf("two runs at seed 7 differ")
		}
	})
	t.Run("different seed, different stream", func(t *testing.T) {
		b := streamJSON(t, fullConfig(8, 1), 2000, n)
		la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
		same := 0
		for i := range la {
			if bytes.Equal(la[i], lb[i]) {
				same++
			}
		}
		if same > n/100 {
			t.Errorf("%d of %d lines equal across seeds", same, n)
		}
	})
	t.Run("lanes=4, byte-identical across runs", func(t *testing.T) {
		x := streamJSON(t, fullConfig(7, 4), 2000, n)
		if y := streamJSON(t, fullConfig(7, 4), 2000, n); !bytes.Equal(x, y) {
			t.Errorf("two runs with 4 lanes differ")
		}
		if bytes.Equal(x, a) {
			t.Errorf("4 lanes gave the same stream as 1")
		}
	})
	t.Run("lanes on their own goroutines give the same events", func(t *testing.T) {
		cfg := fullConfig(7, 4)
		g := mustNew(t, cfg)
		sched := ConstantRate(2000)
		want := map[int64]Event{}
		Stream(g, sched, testOrigin, n, func(e *Event) { want[e.Seq] = *e })
		got := make([][]Event, cfg.Lanes)
		var wg sync.WaitGroup
		for l := range cfg.Lanes {
			wg.Go(func() {
				ln := g.Lane(l)
				var e Event
				for seq := int64(l); seq < n; seq += int64(cfg.Lanes) {
					ln.Next(&e, seq, testOrigin+int64(sched.Due(seq)), testOrigin)
					got[l] = append(got[l], e)
				}
			})
		}
		wg.Wait()
		total := 0
		for _, evs := range got {
			for _, e := range evs {
				total++
				if want[e.Seq] != e {
					t.Fatalf("seq %d: lane goroutine made %+v, Stream %+v", e.Seq, e, want[e.Seq])
				}
			}
		}
		if total != n {
			t.Fatalf("%d events, want %d", total, n)
		}
	})
}

// TestGolden pins the stream at a fixed seed with every feature on: a
// change here changes every benchmark's input and must be deliberate
// (-update).
func TestGolden(t *testing.T) {
	got := streamJSON(t, fullConfig(42, 2), 50, 200)
	path := filepath.Join("testdata", "stream-seed42.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("generator output changed (run with -update if deliberate):\n got:\n%s\nwant:\n%s", got, want)
	}
}

// TestFunnelRates: the realized per-variant rates match the configured
// ones. 200k+ sends at a rate where the funnel's delays are short against
// the run, so few follow-ups are still pending at its end.
func TestFunnelRates(t *testing.T) {
	cfg := testConfig(11)
	cfg.Recipients = 1 << 40
	cfg.Funnel.Open = []float64{0.20, 0.25}
	cfg.Funnel.Click = []float64{0.10, 0.14}
	cfg.Funnel.Conversion = []float64{0.05, 0.10}
	cfg.Funnel.Unsubscribe = 0.01
	cfg.Disorder = Disorder{MaxDelay: 500 * time.Millisecond}
	g := mustNew(t, cfg)
	st := Stream(g, ConstantRate(1000), testOrigin, 560_000, func(*Event) {})
	tot := st.Total()
	if tot.Sends < 200_000 {
		t.Fatalf("only %d sends", tot.Sends)
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.4f, want %.4f ± %g", what, got, want, tol)
		}
	}
	ratio := func(a, b int64) float64 { return float64(a) / float64(b) }
	for i, v := range cfg.Variants {
		vs := st.ByVariant[i]
		near(v+": open rate (unique opens / deliveries)", ratio(vs.UniqueOpens, vs.Deliveries), cfg.Funnel.Open[i], 0.01)
		near(v+": click-to-open (unique clicks / unique opens)", ratio(vs.UniqueClicks, vs.UniqueOpens), cfg.Funnel.Click[i], 0.01)
		near(v+": conversion (conversions / unique clicks)", ratio(vs.Conversions, vs.UniqueClicks), cfg.Funnel.Conversion[i], 0.01)
		near(v+": share of sends", ratio(vs.Sends, tot.Sends), 0.5, 0.005)
	}
	near("bounce rate", ratio(tot.Bounces, tot.Sends), cfg.Funnel.Bounce, 0.002)
	near("bot opens per delivery", ratio(st.Bots, tot.Deliveries), cfg.Funnel.BotOpen, 0.002)
	near("unsubscribes per unique open", ratio(tot.Unsubscribes, tot.UniqueOpens), cfg.Funnel.Unsubscribe, 0.003)
	// Re-opens are geometric: Reopen/(1-Reopen) per opened send.
	near("re-opens per unique open", ratio(tot.HumanOpens-tot.UniqueOpens, tot.UniqueOpens), 0.2/0.8, 0.015)
	near("re-clicks per unique click", ratio(tot.Clicks-tot.UniqueClicks, tot.UniqueClicks), 0.2/0.8, 0.03)
	if tot.Opens != tot.HumanOpens+st.Bots+st.Duplicates {
		t.Errorf("opens %d != human %d + bot %d + duplicates %d", tot.Opens, tot.HumanOpens, st.Bots, st.Duplicates)
	}
	if got := tot.Sends + tot.Deliveries + tot.Bounces + tot.Opens + tot.Clicks + tot.Conversions + tot.Unsubscribes; got != st.Events {
		t.Errorf("per-type counts add up to %d, events %d", got, st.Events)
	}
}

// TestFunnelDelays: the realized delays between funnel steps, in run time,
// have the configured medians divided by the time scale.
func TestFunnelDelays(t *testing.T) {
	tests := []struct {
		name      string
		timeScale float64
		from, to  EventType
		median    func(f Funnel) time.Duration
	}{
		{"send → delivery", 10, Send, Delivery, func(f Funnel) time.Duration { return f.DeliveryDelay.Median }},
		{"delivery → open", 360, Delivery, Open, func(f Funnel) time.Duration { return f.OpenDelay.Median }},
		{"open → click", 360, Open, Click, func(f Funnel) time.Duration { return f.ClickDelay.Median }},
		{"click → conversion", 360, Click, Conversion, func(f Funnel) time.Duration { return f.ConversionDelay.Median }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(5)
			cfg.Recipients = 1 << 50 // every send has its own (campaign, recipient)
			cfg.Funnel.TimeScale = tt.timeScale
			cfg.Funnel.Open = []float64{0.5}
			cfg.Funnel.Click = []float64{0.5}
			cfg.Funnel.Conversion = []float64{0.5}
			cfg.Disorder = Disorder{MaxDelay: 300 * time.Millisecond}
			type key struct {
				c int32
				r int64
			}
			// Earliest event time of each step per send, whatever the
			// order the disorder emits them in.
			from, to := map[key]int64{}, map[key]int64{}
			earliest := func(m map[key]int64, k key, ms int64) {
				if t0, ok := m[k]; !ok || ms < t0 {
					m[k] = ms
				}
			}
			Stream(mustNew(t, cfg), ConstantRate(2000), testOrigin, 400_000, func(e *Event) {
				k := key{e.Campaign, e.Recipient}
				switch {
				case e.Bot:
				case e.Type == tt.from:
					earliest(from, k, e.EventTimeMs)
				case e.Type == tt.to:
					earliest(to, k, e.EventTimeMs)
				}
			})
			var delays []float64
			for k, t1 := range to {
				if t0, ok := from[k]; ok {
					delays = append(delays, float64(t1-t0))
				}
			}
			if len(delays) < 5000 {
				t.Fatalf("only %d delays", len(delays))
			}
			sort.Float64s(delays)
			got := delays[len(delays)/2]
			want := float64(runTimeOf(tt.median(cfg.Funnel), tt.timeScale)) / 1e6
			if math.Abs(got-want) > 0.05*want {
				t.Errorf("median %s delay %.1f ms over %d, want %.1f ms ± 5%%", tt.name, got, len(delays), want)
			}
			t.Logf("median %.1f ms over %d sends, want %.1f ms", got, len(delays), want)
		})
	}
}

func runTimeOf(d time.Duration, timeScale float64) time.Duration {
	return time.Duration(float64(d) / timeScale)
}

// TestDisorder checks the disorder guarantees on every event of a stream:
// event time never after intended time, lag within MaxDelay except for
// exactly the late events, the late fraction, and duplicates that are
// exact copies under a new seq within the bound.
func TestDisorder(t *testing.T) {
	tests := []struct {
		name  string
		sched func(t *testing.T) Schedule
		n     int64
	}{
		{"steady rate", func(*testing.T) Schedule { return ConstantRate(2000) }, 600_000},
		{"rate drop after a blast", func(t *testing.T) Schedule {
			// 10× for 20 s, then follow-ups pile up behind the slots of
			// a low rate: event times get clamped, and the lag bound must
			// still hold.
			s, err := NewSchedule(Profile{Kind: ProfileSpike, Rate: 300, At: 10 * time.Second, Length: 20 * time.Second, Multiplier: 20}, 10*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, 250_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(21)
			cfg.Recipients = 1 << 50
			cfg.Lanes = 3
			cfg.Disorder = Disorder{MaxDelay: 2 * time.Second, LateFraction: 0.02, LateLag: 20 * time.Second, Duplicates: 0.1}
			maxMs := cfg.Disorder.MaxDelay.Milliseconds()
			type key struct {
				c  int32
				r  int64
				ms int64
			}
			opens := map[key][]Event{}
			var beyond, lagSum, ordinary int64
			st := Stream(mustNew(t, cfg), tt.sched(t), testOrigin, tt.n, func(e *Event) {
				if e.EventTimeMs*1e6 > e.IntendedNs {
					t.Fatalf("event time after intended time: %+v", e)
				}
				lag := floorDiv(e.IntendedNs, 1e6) - e.EventTimeMs
				if lag > maxMs {
					beyond++
					if lag < cfg.Disorder.LateLag.Milliseconds()-1 {
						t.Fatalf("lag %d ms: beyond max_delay but short of late_by: %+v", lag, e)
					}
				} else {
					lagSum += lag
					ordinary++
				}
				if e.Type == Open && !e.Bot {
					k := key{e.Campaign, e.Recipient, e.EventTimeMs}
					opens[k] = append(opens[k], *e)
				}
			})
			if beyond != st.Late {
				t.Errorf("%d events lag beyond max_delay, Stats.Late = %d", beyond, st.Late)
			}
			if got := float64(st.Late) / float64(st.Events-st.Duplicates); math.Abs(got-0.02) > 0.005 {
				t.Errorf("late fraction %.4f, want 0.02 ± 0.005", got)
			}
			if mean := float64(lagSum) / float64(ordinary); mean < 0.3*float64(maxMs) || mean > 0.7*float64(maxMs) {
				t.Errorf("mean ordinary lag %.0f ms, want about %d/2", mean, maxMs)
			}
			var dups int64
			for _, evs := range opens {
				for _, d := range evs[1:] {
					dups++
					o := evs[0]
					if d.Seq <= o.Seq || d.IntendedNs < o.IntendedNs {
						t.Fatalf("duplicate %+v not after its original %+v", d, o)
					}
					o.Seq, o.IntendedNs = d.Seq, d.IntendedNs
					if d != o {
						t.Fatalf("duplicate %+v differs from its original %+v beyond seq and intended time", d, evs[0])
					}
				}
			}
			if dups != st.Duplicates || dups == 0 {
				t.Errorf("%d duplicate opens in the stream, Stats.Duplicates = %d", dups, st.Duplicates)
			}
			human := st.Total().HumanOpens
			if got := float64(st.Duplicates+st.DroppedDuplicates) / float64(human); math.Abs(got-0.1) > 0.01 {
				t.Errorf("duplicates made per human open %.4f, want 0.1 ± 0.01", got)
			}
			t.Logf("%d events, %d late, %d duplicates (%d dropped)", st.Events, st.Late, st.Duplicates, st.DroppedDuplicates)
		})
	}
}

// TestNoDisorder: with a zero Disorder events come in event-time order with
// event time = intended time.
func TestNoDisorder(t *testing.T) {
	cfg := testConfig(2)
	last := int64(math.MinInt64)
	st := Stream(mustNew(t, cfg), ConstantRate(500), testOrigin, 50_000, func(e *Event) {
		if e.EventTimeMs != floorDiv(e.IntendedNs, 1e6) || e.EventTimeMs < last {
			t.Fatalf("event %+v out of order (last %d)", e, last)
		}
		last = e.EventTimeMs
	})
	if st.Late != 0 || st.Duplicates != 0 {
		t.Errorf("late %d, duplicates %d", st.Late, st.Duplicates)
	}
}

func TestVariantAssignment(t *testing.T) {
	cfg := testConfig(9)
	cfg.Variants = []string{"A", "B", "C"}
	cfg.Recipients = 300
	cfg.Lanes = 4
	cfg.Funnel.Open = []float64{0.2}
	type key struct {
		c int32
		r int64
	}
	got := map[key]string{}
	counts := map[string]int{}
	Stream(mustNew(t, cfg), ConstantRate(1000), testOrigin, 200_000, func(e *Event) {
		k := key{e.Campaign, e.Recipient}
		if v, ok := got[k]; ok && v != e.Variant {
			t.Fatalf("campaign %d recipient %d got variants %s and %s", e.Campaign, e.Recipient, v, e.Variant)
		}
		got[k] = e.Variant
	})
	for _, v := range got {
		counts[v]++
	}
	for _, v := range cfg.Variants {
		if share := float64(counts[v]) / float64(len(got)); math.Abs(share-1.0/3) > 0.02 {
			t.Errorf("variant %s has %.3f of the (campaign, recipient) pairs", v, share)
		}
	}
	// Another seed reshuffles the assignment.
	g2 := mustNew(t, func() Config { c := cfg; c.Seed = 10; return c }())
	same := 0
	for k, v := range got {
		if g2.variants[g2.variantOf(k.c, k.r)] == v {
			same++
		}
	}
	if share := float64(same) / float64(len(got)); share > 0.4 {
		t.Errorf("%.2f of the assignments survive a change of seed", share)
	}
}

func TestLane(t *testing.T) {
	g := mustNew(t, fullConfig(1, 2))
	for _, l := range []int{-1, 2} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Lane(%d) of 2 did not panic", l)
				}
			}()
			g.Lane(l)
		}()
	}
	t.Run("Next overwrites every field", func(t *testing.T) {
		a, b := g.Lane(0), g.Lane(0)
		for seq := int64(0); seq < 1000; seq += 2 {
			var clean Event
			dirty := Event{Seq: 99, Type: Flush, Bot: true, Variant: "zzz", Campaign: 1e6, EventTimeMs: 5, Recipient: -4}
			a.Next(&clean, seq, testOrigin+seq*1e6, testOrigin)
			b.Next(&dirty, seq, testOrigin+seq*1e6, testOrigin)
			if clean != dirty {
				t.Fatalf("seq %d: %+v vs %+v", seq, clean, dirty)
			}
		}
	})
	t.Run("no allocations in steady state", func(t *testing.T) {
		ln := g.Lane(1)
		sched := ConstantRate(20_000)
		var e Event
		buf := make([]byte, 0, 512)
		seq := int64(1)
		next := func() {
			ln.Next(&e, seq, testOrigin+int64(sched.Due(seq)), testOrigin)
			buf = e.AppendJSON(buf[:0])
			seq += 2
		}
		for range 1_000_000 { // fill the lane to its steady state
			next()
		}
		if a := testing.AllocsPerRun(100_000, next); a != 0 {
			t.Errorf("Next+AppendJSON allocates %.3f times per event", a)
		}
	})
	t.Run("pending state stays bounded", func(t *testing.T) {
		ln := g.Lane(0)
		sched := ConstantRate(10_000)
		var e Event
		peak := 0
		for seq := int64(0); seq < 4_000_000; seq += 2 {
			ln.Next(&e, seq, testOrigin+int64(sched.Due(seq)), testOrigin)
			peak = max(peak, ln.Pending())
		}
		// The lane sees 5000 events/s; about 60% of them are follow-ups
		// that wait ~6 s, and 1% late ones wait 10 s.
		if peak > 5000*20 {
			t.Errorf("peak pending %d for 5000 events/s", peak)
		}
		t.Logf("peak pending %d", peak)
	})
}

func TestStatsMerge(t *testing.T) {
	cfg := fullConfig(3, 3)
	g := mustNew(t, cfg)
	sched := ConstantRate(3000)
	merged := Stream(g, sched, testOrigin, 30_000, func(*Event) {})
	// Merge in another order, starting from a Stats with the variants in
	// another order: counts are matched by label.
	lanes := []*Lane{g.Lane(0), g.Lane(1), g.Lane(2)}
	var e Event
	for seq := int64(0); seq < 30_000; seq++ {
		lanes[seq%3].Next(&e, seq, testOrigin+int64(sched.Due(seq)), testOrigin)
	}
	st := Stats{Variants: []string{"B", "A"}, ByVariant: make([]VariantStats, 2)}
	for _, l := range []int{2, 0, 1} {
		st.Merge(lanes[l].Stats())
	}
	for _, v := range cfg.Variants {
		if *st.Variant(v) != *merged.Variant(v) {
			t.Errorf("variant %s: %+v vs %+v", v, *st.Variant(v), *merged.Variant(v))
		}
	}
	if st.Events != 30_000 || merged.Events != 30_000 || st.Late != merged.Late || st.Duplicates != merged.Duplicates || st.Bots != merged.Bots {
		t.Errorf("totals differ: %+v vs %+v", st, merged)
	}
	if st.Variant("C") != nil {
		t.Errorf("Variant of an unknown label is not nil")
	}
}

func TestTruth(t *testing.T) {
	cfg := testConfig(1)
	cfg.Variants = []string{"A", "B", "C"}
	cfg.Funnel.Open = []float64{0.20, 0.25, 0.15}
	cfg.Funnel.Click = []float64{0.10, 0.10, 0.20}
	cfg.CampaignSkew = KeyDist{Kind: KindZipf, S: 1}
	cfg.RecipientSkew = KeyDist{Kind: KindHotset, HotKeys: 2, HotShare: 0.5}
	cfg.Disorder = Disorder{MaxDelay: 1500 * time.Millisecond, LateFraction: 0.01, LateLag: 30 * time.Second, Duplicates: 0.02}
	tr := mustNew(t, cfg).Truth()
	lifts := []struct {
		v           int
		open, click float64
	}{{0, 0, 0}, {1, 0.25, 0.25}, {2, -0.25, 0.5}}
	for _, l := range lifts {
		vt := tr.Variants[l.v]
		if vt.OpenLift == nil || math.Abs(*vt.OpenLift-l.open) > 1e-12 || vt.ClickLift == nil || math.Abs(*vt.ClickLift-l.click) > 1e-12 {
			t.Errorf("variant %s: lifts %v %v, want %v %v", vt.Variant, deref(vt.OpenLift), deref(vt.ClickLift), l.open, l.click)
		}
	}
	if tr.Variants[2].ClickThrough != 0.15*0.20 || tr.Variants[2].ClickToOpen != 0.20 || tr.Variants[1].Open != 0.25 {
		t.Errorf("variant rates: %+v", tr.Variants)
	}
	if len(tr.CampaignTopShares) != 10 || math.Abs(tr.CampaignTopShares[0]-1/harmonic(20, 1)) > 1e-12 {
		t.Errorf("campaign top shares %v", tr.CampaignTopShares)
	}
	if tr.RecipientTopShares[0] != 0.25 || tr.RecipientTopShares[2] != 0.5/(100_000-2) {
		t.Errorf("recipient top shares %v", tr.RecipientTopShares)
	}
	if tr.Disorder != (DisorderTruth{MaxDelayMs: 1500, LateFraction: 0.01, LateLagMs: 30000, Duplicates: 0.02}) {
		t.Errorf("disorder %+v", tr.Disorder)
	}
	if _, err := json.Marshal(tr); err != nil {
		t.Errorf("Truth does not marshal: %v", err)
	}
	t.Run("lift undefined when the first variant's rate is 0", func(t *testing.T) {
		c := cfg
		c.Funnel.Open = []float64{0, 0.1, 0.2}
		tr := mustNew(t, c).Truth()
		if tr.Variants[1].OpenLift != nil || tr.Variants[1].ClickLift != nil {
			t.Errorf("lifts against 0: %v %v", deref(tr.Variants[1].OpenLift), deref(tr.Variants[1].ClickLift))
		}
		if _, err := json.Marshal(tr); err != nil {
			t.Errorf("Truth does not marshal: %v", err)
		}
	})
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestNewCopiesItsInput(t *testing.T) {
	cfg := testConfig(1)
	cfg.Variants = []string{"A", "B"}
	cfg.Funnel.Open = []float64{0.2, 0.3}
	g := mustNew(t, cfg)
	before := streamJSON(t, cfg, 100, 2000)
	cfg.Variants[0] = "X"
	cfg.Funnel.Open[0] = 0.9
	var after []byte
	Stream(g, ConstantRate(100), testOrigin, 2000, func(e *Event) { after = append(e.AppendJSON(after), '\n') })
	if !bytes.Equal(before, after) {
		t.Errorf("changing the Config after New changed the Generator")
	}
	if !slices.Equal(g.Variants(), []string{"A", "B"}) || g.Lanes() != 1 {
		t.Errorf("Variants() = %v, Lanes() = %d", g.Variants(), g.Lanes())
	}
}

func TestNewErrorsAreJoined(t *testing.T) {
	cfg := testConfig(1)
	cfg.Lanes = 0
	cfg.Funnel.TimeScale = 0
	_, err := New(cfg)
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Errorf("New's error is not a join of 2: %v", err)
	}
}
