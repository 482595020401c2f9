package generators

import (
	"errors"
	"fmt"
	"math/bits"
)

// Config is what the generator needs from the scenario's workload.
type Config struct {
	Seed       int64
	Campaigns  int
	Variants   []string
	Recipients int64
}

// Generator produces events deterministically from (Seed, seq). It holds no
// mutable state, so one Generator may be shared by any number of goroutines.
type Generator struct {
	seed       uint64 // mixed once from Config.Seed
	campaigns  uint64
	variants   []string
	recipients uint64
}

// New checks cfg and returns a Generator for it.
func New(cfg Config) (*Generator, error) {
	var errs []error
	if cfg.Campaigns < 1 || int64(cfg.Campaigns) > 1<<31-1 {
		errs = append(errs, fmt.Errorf("campaigns: must be in 1..%d, got %d", 1<<31-1, cfg.Campaigns))
	}
	if len(cfg.Variants) < 1 || len(cfg.Variants) > 26 {
		errs = append(errs, fmt.Errorf("variants: must have 1 to 26, got %d", len(cfg.Variants)))
	}
	for i, v := range cfg.Variants {
		if v == "" {
			errs = append(errs, fmt.Errorf("variants[%d]: must not be empty", i))
		}
	}
	if cfg.Recipients < 1 {
		errs = append(errs, fmt.Errorf("recipients: must be >= 1, got %d", cfg.Recipients))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("generator config: %w", err)
	}
	return &Generator{
		seed:       splitmix64(uint64(cfg.Seed)),
		campaigns:  uint64(cfg.Campaigns),
		variants:   append([]string(nil), cfg.Variants...),
		recipients: uint64(cfg.Recipients),
	}, nil
}

// Event type mix, per mille; the cumulative bounds are what Fill draws against.
// Roughly an email funnel: most traffic is sends and deliveries.
var mix = [...]struct {
	t        EventType
	perMille uint64
}{
	{Send, 400},
	{Delivery, 380},
	{Bounce, 20},
	{Open, 120},
	{Click, 50},
	{Conversion, 20},
	{Unsubscribe, 10},
}

// botPerMille is the share of opens and clicks made by machines (security
// scanners, privacy proxies), which real pipelines must filter.
const botPerMille = 20

// Fill overwrites e with event seq, due at intendedNs (Unix ns). The event is
// a pure function of (Seed, seq, intendedNs): the same inputs give the same
// event whatever the clock, the call order or the goroutine.
func (g *Generator) Fill(e *Event, seq int64, intendedNs int64) {
	// One well-mixed state per event, then independent draws from it.
	s := splitmix64(g.seed ^ splitmix64(uint64(seq)))
	g64 := uint64(0x9e3779b97f4a7c15) // a variable, so multiples wrap
	r1 := splitmix64(s + 1*g64)
	r2 := splitmix64(s + 2*g64)
	r3 := splitmix64(s + 3*g64)
	r4 := splitmix64(s + 4*g64)
	r5 := splitmix64(s + 5*g64)

	t := Send
	draw := uniform(r1, 1000)
	for _, m := range mix {
		if draw < m.perMille {
			t = m.t
			break
		}
		draw -= m.perMille
	}
	*e = Event{
		Seq:         seq,
		IntendedNs:  intendedNs,
		EventTimeMs: intendedNs / 1e6,
		Type:        t,
		Campaign:    int32(uniform(r2, g.campaigns)),
		Variant:     g.variants[uniform(r3, uint64(len(g.variants)))],
		Recipient:   int64(uniform(r4, g.recipients)),
		Bot:         (t == Open || t == Click) && uniform(r5, 1000) < botPerMille,
	}
}

// uniform maps a 64-bit random value onto [0, n) by multiply-high (Lemire);
// the bias is below n/2^64, far under anything a benchmark can see.
func uniform(r, n uint64) uint64 {
	hi, _ := bits.Mul64(r, n)
	return hi
}

// splitmix64 is the SplitMix64 finalizer: a bijective mix of 64 bits.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
