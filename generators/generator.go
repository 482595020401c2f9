package generators

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Config is what the generator needs from the scenario's workload. Error
// messages name each field by its scenario path (workload.campaigns,
// workload.skew.recipients.s, ...).
type Config struct {
	Seed       int64
	Campaigns  int      // campaign ids 0..Campaigns-1
	Variants   []string // variant labels, 1 to 26, each at most MaxVariantLen bytes
	Recipients int64    // recipient ids 0..Recipients-1

	// Lanes splits the stream for partitioning without coordination: slot
	// i of the schedule belongs to lane i mod Lanes. Must be >= 1.
	Lanes int

	CampaignSkew, RecipientSkew KeyDist
	Funnel                      Funnel
	Disorder                    Disorder
}

// maxVariants keeps variant indexes in a byte and labels in A..Z range.
const maxVariants = 26

// Generator is a validated Config compiled for the hot path. It is immutable
// and may be shared by any number of goroutines; the mutable state lives in
// the Lanes it hands out.
type Generator struct {
	cfg        Config // deep copy, for Truth
	seed       uint64 // mixed once from Config.Seed
	vseed      uint64 // seed of the variant assignment hash
	lanes      int
	variants   []string
	campaigns  keySampler
	recipients keySampler

	// Funnel, times in run-time ns.
	bounce, botOpen, reopen, unsub    float64
	vf                                []variantFunnel
	delivery, open, click, conversion delayDist
	botWindow                         float64
	followUp                          int64 // MaxFollowUp in run time

	// Disorder.
	maxDelay   int64
	maxDelayMs int64
	lateFrac   float64
	lateLag    int64
	lateJitter uint64 // the late jitter is uniform in [0, lateJitter)
	dup        float64
}

// variantFunnel holds one variant's probabilities.
type variantFunnel struct{ open, click, conversion float64 }

// delayDist is a LogNormal compiled to run-time ns.
type delayDist struct {
	median float64 // ns of run time
	sigma  float64
	limit  float64 // draws are capped here, just past MaxFollowUp
}

// draw returns a delay in run-time ns, capped so that it cannot overflow
// (anything past MaxFollowUp is cut anyway).
func (d *delayDist) draw(r *rng) int64 {
	v := d.median
	if d.sigma != 0 {
		v *= math.Exp(d.sigma * r.normal())
	}
	if v > d.limit {
		v = d.limit
	}
	return int64(v)
}

// New checks cfg and compiles it. It reports every problem at once
// (errors.Join), each naming its scenario path.
func New(cfg Config) (*Generator, error) {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	if cfg.Campaigns < 1 || int64(cfg.Campaigns) > math.MaxInt32 {
		bad("workload.campaigns", "must be in 1..%d, got %d", math.MaxInt32, cfg.Campaigns)
	}
	if len(cfg.Variants) < 1 || len(cfg.Variants) > maxVariants {
		bad("workload.variants", "must have 1 to %d labels, got %d", maxVariants, len(cfg.Variants))
	}
	for i, v := range cfg.Variants {
		p := fmt.Sprintf("workload.variants[%d]", i)
		switch {
		case v == "":
			bad(p, "must not be empty")
		case len(v) > MaxVariantLen:
			bad(p, "must be at most %d bytes (the binary encoding's limit), got %d", MaxVariantLen, len(v))
		case !utf8.ValidString(v):
			bad(p, "must be valid UTF-8, got %q", v)
		}
		for j := range i {
			if cfg.Variants[j] == v && v != "" {
				bad(p, "repeats workload.variants[%d] %q", j, v)
				break
			}
		}
	}
	if cfg.Recipients < 1 {
		bad("workload.recipients", "must be >= 1, got %d", cfg.Recipients)
	}
	if cfg.Lanes < 1 {
		bad("workload.lanes", "must be >= 1, got %d", cfg.Lanes)
	}
	errs = append(errs, cfg.CampaignSkew.validate("workload.skew.campaigns", int64(cfg.Campaigns), "workload.campaigns")...)
	errs = append(errs, cfg.RecipientSkew.validate("workload.skew.recipients", cfg.Recipients, "workload.recipients")...)
	nv := len(cfg.Variants)
	if nv < 1 || nv > maxVariants {
		nv = -1 // reported above; any length of a per-variant list would be wrong
	}
	errs = append(errs, cfg.Funnel.validate(nv)...)
	errs = append(errs, cfg.Disorder.validate()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	f, d := cfg.Funnel, cfg.Disorder
	cfg.Variants = append([]string(nil), cfg.Variants...)
	cfg.Funnel.Open = append([]float64(nil), f.Open...)
	cfg.Funnel.Click = append([]float64(nil), f.Click...)
	cfg.Funnel.Conversion = append([]float64(nil), f.Conversion...)
	g := &Generator{
		cfg:        cfg,
		seed:       splitmix64(uint64(cfg.Seed)),
		lanes:      cfg.Lanes,
		variants:   cfg.Variants,
		campaigns:  newKeySampler(cfg.CampaignSkew, int64(cfg.Campaigns)),
		recipients: newKeySampler(cfg.RecipientSkew, cfg.Recipients),
		bounce:     f.Bounce,
		botOpen:    f.BotOpen,
		reopen:     f.Reopen,
		unsub:      f.Unsubscribe,
		maxDelay:   int64(d.MaxDelay),
		maxDelayMs: d.MaxDelay.Milliseconds(),
		lateFrac:   d.LateFraction,
		lateLag:    int64(d.LateLag),
		lateJitter: uint64(d.LateLag/10) + 1,
		dup:        d.Duplicates,
	}
	g.vseed = splitmix64(g.seed ^ 0x5bd1e9955bd1e995)
	open, click, conv := perVariant(f.Open, len(g.variants)), perVariant(f.Click, len(g.variants)), perVariant(f.Conversion, len(g.variants))
	for i := range g.variants {
		g.vf = append(g.vf, variantFunnel{open: open[i], click: click[i], conversion: conv[i]})
	}
	// Run time = campaign time / TimeScale; the cap keeps sums of delays
	// far from overflowing int64.
	followUp := float64(MaxFollowUp) / f.TimeScale
	g.followUp = int64(min(followUp, 1<<60))
	limit := float64(g.followUp) + 1
	compile := func(ln LogNormal) delayDist {
		return delayDist{median: min(float64(ln.Median)/f.TimeScale, limit), sigma: ln.Sigma, limit: limit}
	}
	g.delivery = compile(f.DeliveryDelay)
	g.open = compile(f.OpenDelay)
	g.click = compile(f.ClickDelay)
	g.conversion = compile(f.ConversionDelay)
	g.botWindow = min(float64(botWindow)/f.TimeScale, limit)
	return g, nil
}

// Lanes returns the number of lanes the stream is split into.
func (g *Generator) Lanes() int { return g.lanes }

// Variants returns the variant labels, in Config order (a copy).
func (g *Generator) Variants() []string { return append([]string(nil), g.variants...) }

// VariantOf returns the variant a recipient sees in a campaign (the label
// variantOf picks), for events made outside the stream such as prefill.
func (g *Generator) VariantOf(campaign int32, recipient int64) string {
	return g.variants[g.variantOf(campaign, recipient)]
}

// variantOf assigns a recipient's variant within a campaign by a hash of
// (seed, campaign, recipient), as real A/B tools do: the same recipient
// always sees the same variant of a campaign, whichever lane sends to them.
func (g *Generator) variantOf(campaign int32, recipient int64) uint8 {
	h := splitmix64(splitmix64(g.vseed^uint64(uint32(campaign))) + uint64(recipient))
	return uint8(uniform(h, uint64(len(g.variants))))
}

// Truth is what the generator was configured to produce: the reference a
// job's measured rates are compared with (result.json's truth section).
type Truth struct {
	Variants    []VariantTruth `json:"variants"`
	Bounce      float64        `json:"bounce"`      // per send
	Unsubscribe float64        `json:"unsubscribe"` // per human-opened send
	Reopen      float64        `json:"reopen"`      // per open, geometric
	BotOpen     float64        `json:"bot_open"`    // per delivery
	TimeScale   float64        `json:"time_scale"`  // campaign seconds per run second
	// Analytic shares of the 10 most frequent keys (fewer if the key space
	// is smaller), most frequent first, whatever key holds each rank.
	CampaignTopShares  []float64     `json:"campaign_top_shares"`
	RecipientTopShares []float64     `json:"recipient_top_shares"`
	Disorder           DisorderTruth `json:"disorder"`
}

// VariantTruth is one variant's configured rates. Lifts are relative to the
// first variant ((rate - first)/first: 0.25 for 0.20 → 0.25); nil when the
// first variant's rate is 0 and the lift is undefined.
type VariantTruth struct {
	Variant string `json:"variant"`
	// Open is per delivery (unique human opens / deliveries).
	Open float64 `json:"open"`
	// ClickToOpen is per human-opened send; ClickThrough = Open ×
	// ClickToOpen is per delivery (unique clicks / deliveries).
	ClickToOpen  float64 `json:"click_to_open"`
	ClickThrough float64 `json:"click_through"`
	// Conversion is per clicked send.
	Conversion float64  `json:"conversion"`
	OpenLift   *float64 `json:"open_lift,omitempty"`
	// ClickLift is the lift of ClickThrough, the rate a marketer calls the
	// click rate.
	ClickLift *float64 `json:"click_lift,omitempty"`
}

// DisorderTruth is the configured disorder, in the job's units.
type DisorderTruth struct {
	MaxDelayMs   float64 `json:"max_delay_ms"`
	LateFraction float64 `json:"late_fraction"`
	LateLagMs    float64 `json:"late_lag_ms"` // how far behind their event time late events arrive
	Duplicates   float64 `json:"duplicates"`
}

// truthTopK is how many key shares Truth reports.
const truthTopK = 10

// Truth returns the configured truth.
func (g *Generator) Truth() Truth {
	lift := func(v, base float64) *float64 {
		if base == 0 {
			return nil
		}
		l := (v - base) / base
		return &l
	}
	t := Truth{
		Bounce:             g.bounce,
		Unsubscribe:        g.unsub,
		Reopen:             g.reopen,
		BotOpen:            g.botOpen,
		TimeScale:          g.cfg.Funnel.TimeScale,
		CampaignTopShares:  g.cfg.CampaignSkew.TopShares(truthTopK, int64(g.cfg.Campaigns)),
		RecipientTopShares: g.cfg.RecipientSkew.TopShares(truthTopK, g.cfg.Recipients),
		Disorder: DisorderTruth{
			MaxDelayMs:   float64(g.cfg.Disorder.MaxDelay) / float64(time.Millisecond),
			LateFraction: g.lateFrac,
			LateLagMs:    float64(g.cfg.Disorder.LateLag) / float64(time.Millisecond),
			Duplicates:   g.dup,
		},
	}
	base := g.vf[0]
	for i, v := range g.vf {
		t.Variants = append(t.Variants, VariantTruth{
			Variant:      g.variants[i],
			Open:         v.open,
			ClickToOpen:  v.click,
			ClickThrough: v.open * v.click,
			Conversion:   v.conversion,
			OpenLift:     lift(v.open, base.open),
			ClickLift:    lift(v.open*v.click, base.open*base.click),
		})
	}
	return t
}

// Stream generates events 0..n-1 of the schedule, all lanes interleaved in
// seq order, and calls fn with each (the Event is reused: copy it to keep
// it). It is the whole stream of a run made by one goroutine: what `abload
// gen` prints and what tests check; a sender that splits the lanes over
// goroutines produces the same events. It returns the merged Stats.
func Stream(g *Generator, sched Schedule, originNs int64, n int64, fn func(*Event)) Stats {
	lanes := make([]*Lane, g.lanes)
	for i := range lanes {
		lanes[i] = g.Lane(i)
	}
	var e Event
	nl := int64(len(lanes))
	for seq := int64(0); seq < n; seq++ {
		lanes[seq%nl].Next(&e, seq, addSat(originNs, int64(sched.Due(seq))), originNs)
		fn(&e)
	}
	var st Stats
	for _, ln := range lanes {
		st.Merge(ln.Stats())
	}
	return st
}

// addSat is a+b, saturated at the int64 range, for Due's "never" value.
func addSat(a, b int64) int64 {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return s
}

// floorDiv is a/b rounded toward -∞ (b > 0), so that event times before
// the epoch still never come after their intended time.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
