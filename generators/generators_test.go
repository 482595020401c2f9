package generators

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testConfig(seed int64) Config {
	return Config{Seed: seed, Campaigns: 20, Variants: []string{"A", "B"}, Recipients: 100000}
}

func mustNew(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func TestEventTypeNames(t *testing.T) {
	want := []string{"send", "delivery", "bounce", "open", "click", "conversion", "unsubscribe", "flush"}
	for i, name := range want {
		typ := EventType(i)
		if typ.String() != name {
			t.Errorf("EventType(%d).String() = %q, want %q", i, typ, name)
		}
		back, err := ParseEventType(name)
		if err != nil || back != typ {
			t.Errorf("ParseEventType(%q) = %v, %v", name, back, err)
		}
	}
	if s := EventType(200).String(); s != "EventType(200)" {
		t.Errorf("unknown type String() = %q", s)
	}
	if _, err := ParseEventType("Open"); err == nil {
		t.Errorf("ParseEventType is case-insensitive; the wire format is not")
	}
}

func TestAppendJSONWireFormat(t *testing.T) {
	tests := []struct {
		name string
		e    Event
		want string
	}{
		{
			name: "DESIGN.md example",
			e:    Event{Seq: 12, IntendedNs: 1764132000123456789, EventTimeMs: 1764132000123, Type: Open, Campaign: 3, Variant: "B", Recipient: 48213},
			want: `{"seq":12,"intended_ns":1764132000123456789,"event_time_ms":1764132000123,"type":"open","campaign":3,"variant":"B","recipient":48213,"bot":false}`,
		},
		{
			name: "flush",
			e:    Event{Seq: FlushSeq, IntendedNs: 5, EventTimeMs: 9000, Type: Flush, Variant: "A", Bot: false},
			want: `{"seq":-1,"intended_ns":5,"event_time_ms":9000,"type":"flush","campaign":0,"variant":"A","recipient":0,"bot":false}`,
		},
		{
			name: "bot and escaping",
			e:    Event{Type: Click, Variant: "a\"b\\c\n\x01é", Bot: true},
			want: `{"seq":0,"intended_ns":0,"event_time_ms":0,"type":"click","campaign":0,"variant":"a\"b\\c\n\u0001é","recipient":0,"bot":true}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(tt.e.AppendJSON([]byte("prefix:")))
			if got != "prefix:"+tt.want {
				t.Errorf("AppendJSON:\n got %s\nwant prefix:%s", got, tt.want)
			}
			back, err := DecodeEventJSON([]byte(tt.want))
			if err != nil {
				t.Fatalf("DecodeEventJSON: %v", err)
			}
			if back != tt.e {
				t.Errorf("round trip = %+v, want %+v", back, tt.e)
			}
		})
	}
}

func TestAppendKey(t *testing.T) {
	e := Event{Recipient: 48213}
	if got := string(e.AppendKey([]byte("k="))); got != "k=48213" {
		t.Errorf("AppendKey = %q", got)
	}
}

func TestDecodeEventJSONErrors(t *testing.T) {
	const ok = `{"seq":1,"intended_ns":2,"event_time_ms":3,"type":"open","campaign":4,"variant":"A","recipient":5,"bot":false}`
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"not JSON", `nope`, "decode event"},
		{"trailing garbage", ok + `x`, "decode event"},
		{"missing field", strings.Replace(ok, `"bot":false`, `"other":1`, 1), `"bot": missing field`},
		{"unknown type", strings.Replace(ok, `"open"`, `"read"`, 1), `unknown event type "read"`},
		{"wrong type", strings.Replace(ok, `"seq":1`, `"seq":"1"`, 1), "decode event"},
		{"campaign overflows int32", strings.Replace(ok, `"campaign":4`, `"campaign":4294967296`, 1), "decode event"},
		{"negative seq", strings.Replace(ok, `"seq":1`, `"seq":-1`, 1), "seq -1"},
		{"negative recipient", strings.Replace(ok, `"recipient":5`, `"recipient":-5`, 1), "recipient -5"},
		{"negative campaign", strings.Replace(ok, `"campaign":4`, `"campaign":-4`, 1), "campaign -4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeEventJSON([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("DecodeEventJSON(%s) = %v, want an error containing %q", tt.in, err, tt.wantErr)
			}
		})
	}
	_, err := DecodeEventJSON([]byte(`{}`))
	if !errors.Is(err, ErrMissingField) {
		t.Errorf("missing fields: %v does not wrap ErrMissingField", err)
	}
	if _, err := DecodeEventJSON([]byte(strings.Replace(ok, `"bot":false`, `"bot":false,"extra":[1]`, 1))); err != nil {
		t.Errorf("unknown fields must be ignored: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no campaigns", Config{Campaigns: 0, Variants: []string{"A"}, Recipients: 1}, "campaigns"},
		{"no variants", Config{Campaigns: 1, Recipients: 1}, "variants: must have 1 to 26"},
		{"too many variants", Config{Campaigns: 1, Variants: make([]string, 27), Recipients: 1}, "variants"},
		{"empty variant", Config{Campaigns: 1, Variants: []string{"A", ""}, Recipients: 1}, "variants[1]"},
		{"no recipients", Config{Campaigns: 1, Variants: []string{"A"}}, "recipients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestFillDeterministic(t *testing.T) {
	const n = 2000
	base := int64(1764132000000000000)
	a, b := mustNew(t, testConfig(7)), mustNew(t, testConfig(7))
	other := mustNew(t, testConfig(8))
	forward := make([]Event, n)
	for i := range forward {
		a.Fill(&forward[i], int64(i), base+int64(i)*1e6)
	}
	t.Run("same seed, reverse order, fresh generator", func(t *testing.T) {
		for i := n - 1; i >= 0; i-- {
			var e Event
			b.Fill(&e, int64(i), base+int64(i)*1e6)
			if e != forward[i] {
				t.Fatalf("seq %d: %+v, first time %+v", i, e, forward[i])
			}
		}
	})
	t.Run("Fill overwrites every field", func(t *testing.T) {
		e := Event{Seq: 99, Type: Flush, Bot: true, Variant: "zzz", Campaign: 1e6}
		a.Fill(&e, 5, base+5e6)
		if e != forward[5] {
			t.Fatalf("dirty event filled to %+v, want %+v", e, forward[5])
		}
	})
	t.Run("different seed, different events", func(t *testing.T) {
		same := 0
		for i := range forward {
			var e Event
			other.Fill(&e, int64(i), base+int64(i)*1e6)
			if e == forward[i] {
				same++
			}
		}
		if same > n/20 {
			t.Errorf("%d of %d events equal across seeds", same, n)
		}
	})
	t.Run("event time from intended time", func(t *testing.T) {
		if forward[3].EventTimeMs != (base+3e6)/1e6 || forward[3].IntendedNs != base+3e6 || forward[3].Seq != 3 {
			t.Errorf("times: %+v", forward[3])
		}
	})
}

func TestFillDistribution(t *testing.T) {
	const n = 200000
	g := mustNew(t, Config{Seed: 1, Campaigns: 10, Variants: []string{"A", "B", "C"}, Recipients: 1000})
	types := map[EventType]int{}
	variants := map[string]int{}
	campaigns := map[int32]int{}
	var bots, botEligible int
	recipientsSeen := map[int64]bool{}
	for i := range n {
		var e Event
		g.Fill(&e, int64(i), int64(i))
		types[e.Type]++
		variants[e.Variant]++
		campaigns[e.Campaign]++
		recipientsSeen[e.Recipient] = true
		if e.Campaign < 0 || e.Campaign >= 10 || e.Recipient < 0 || e.Recipient >= 1000 {
			t.Fatalf("out of range: %+v", e)
		}
		if e.Type == Open || e.Type == Click {
			botEligible++
			if e.Bot {
				bots++
			}
		} else if e.Bot {
			t.Fatalf("bot %s event", e.Type)
		}
	}
	near := func(what string, got int, wantShare float64) {
		t.Helper()
		if share := float64(got) / n; math.Abs(share-wantShare) > 0.01 {
			t.Errorf("%s share = %.4f, want %.4f ± 0.01", what, share, wantShare)
		}
	}
	for _, m := range mix {
		near(m.t.String(), types[m.t], float64(m.perMille)/1000)
	}
	for _, v := range []string{"A", "B", "C"} {
		near("variant "+v, variants[v], 1.0/3)
	}
	if len(campaigns) != 10 {
		t.Errorf("campaigns seen = %d, want 10", len(campaigns))
	}
	for c, k := range campaigns {
		near("campaign "+string(rune('0'+c)), k, 0.1)
	}
	if len(recipientsSeen) != 1000 {
		t.Errorf("recipients seen = %d, want all 1000", len(recipientsSeen))
	}
	if share := float64(bots) / float64(botEligible); math.Abs(share-0.02) > 0.005 {
		t.Errorf("bot share of opens and clicks = %.4f, want 0.02", share)
	}
}

// TestGolden pins the generator's output at a fixed seed: a change here
// changes every benchmark's input and must be deliberate (-update).
func TestGolden(t *testing.T) {
	g := mustNew(t, Config{Seed: 42, Campaigns: 5, Variants: []string{"A", "B", "C"}, Recipients: 1000})
	var buf []byte
	sched := ConstantRate(1000)
	start := int64(1764132000000000000)
	for i := range int64(25) {
		var e Event
		g.Fill(&e, i, start+int64(sched.Due(i)))
		buf = e.AppendJSON(buf)
		buf = append(buf, '\n')
	}
	path := filepath.Join("testdata", "seed42.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf, want) {
		t.Errorf("generator output changed (run with -update if deliberate):\n got:\n%s\nwant:\n%s", buf, want)
	}
}

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
			// Consistency over a spread of indices, small and large.
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
			// Count matches the rate over a whole duration.
			for _, d := range []time.Duration{time.Second, 30 * time.Second, time.Hour} {
				want := math.Ceil(d.Seconds() * tt.rate)
				if got := s.Count(d); math.Abs(float64(got)-want) > 1 {
					t.Errorf("Count(%s) = %d, want about %.0f", d, got, want)
				}
			}
		})
	}
}

func TestConstantRatePanics(t *testing.T) {
	tests := []struct {
		name string
		rate float64
	}{
		{"zero", 0},
		{"negative", -1},
		{"NaN", math.NaN()},
		{"infinite", math.Inf(1)},
		{"above 1e9", 2e9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("ConstantRate(%v) did not panic", tt.rate)
				}
			}()
			ConstantRate(tt.rate)
		})
	}
}

func BenchmarkFillAppendJSON(b *testing.B) {
	g := mustNew(b, testConfig(1))
	buf := make([]byte, 0, 256)
	var e Event
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Fill(&e, int64(i), 1764132000000000000+int64(i)*1e6)
		buf = e.AppendJSON(buf[:0])
		buf = e.AppendKey(buf)
	}
}

func TestFillAppendJSONAllocs(t *testing.T) {
	g := mustNew(t, testConfig(1))
	buf := make([]byte, 0, 256)
	var e Event
	i := int64(0)
	allocs := testing.AllocsPerRun(1000, func() {
		g.Fill(&e, i, i*1e6)
		buf = e.AppendJSON(buf[:0])
		i++
	})
	if allocs != 0 {
		t.Errorf("Fill+AppendJSON allocates %.1f times per event, want 0", allocs)
	}
}
