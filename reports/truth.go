package reports

import "github.com/abload/abload/generators"

// TruthSection is result.json's truth section: what the generator was configured
// to produce, what it actually emitted, and what the job measured, side by
// side per variant, so a job's correctness can be read off one table.
type TruthSection struct {
	Configured generators.Truth `json:"configured"`
	Generated  generators.Stats `json:"generated"`
	// Measured sums the job's window results per variant (windows output only).
	Measured []VariantMeasured `json:"measured,omitempty"`
	// Rates puts the configured, generated and measured rates together.
	Rates []VariantRates `json:"rates"`
	// LateInjected is what the generator sent beyond the watermark bound;
	// the job's count is reconciliation.late_dropped.
	LateInjected       int64 `json:"late_injected"`
	DuplicatesInjected int64 `json:"duplicates_injected"`
}

// VariantMeasured is one variant's summed window counts.
type VariantMeasured struct {
	Variant string `json:"variant"`
	MeasuredCounts
}

// VariantRates compares one variant's rates. Open rate is unique human opens
// per delivery; click-through is unique clicks per delivery; conversion is
// conversions per unique click. A rate whose denominator is 0 is omitted.
type VariantRates struct {
	Variant                string   `json:"variant"`
	OpenConfigured         float64  `json:"open_configured"`
	OpenGenerated          *float64 `json:"open_generated,omitempty"`
	OpenMeasured           *float64 `json:"open_measured,omitempty"`
	ClickThroughConfigured float64  `json:"click_through_configured"`
	ClickThroughGenerated  *float64 `json:"click_through_generated,omitempty"`
	ClickThroughMeasured   *float64 `json:"click_through_measured,omitempty"`
	ConversionConfigured   float64  `json:"conversion_configured"`
	ConversionGenerated    *float64 `json:"conversion_generated,omitempty"`
	ConversionMeasured     *float64 `json:"conversion_measured,omitempty"`
}

// MeasuredCounts are the job's counts (a window's, or their sum per variant).
type MeasuredCounts struct {
	Sends        int64 `json:"sends"`
	Deliveries   int64 `json:"deliveries"`
	Bounces      int64 `json:"bounces"`
	Opens        int64 `json:"opens"`
	BotOpens     int64 `json:"bot_opens"`
	UniqueOpens  int64 `json:"unique_opens"`
	Clicks       int64 `json:"clicks"`
	UniqueClicks int64 `json:"unique_clicks"`
	Conversions  int64 `json:"conversions"`
	Unsubscribes int64 `json:"unsubscribes"`
}

// Add adds o to m.
func (m *MeasuredCounts) Add(o MeasuredCounts) {
	m.Sends += o.Sends
	m.Deliveries += o.Deliveries
	m.Bounces += o.Bounces
	m.Opens += o.Opens
	m.BotOpens += o.BotOpens
	m.UniqueOpens += o.UniqueOpens
	m.Clicks += o.Clicks
	m.UniqueClicks += o.UniqueClicks
	m.Conversions += o.Conversions
	m.Unsubscribes += o.Unsubscribes
}
