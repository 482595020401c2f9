package harness

import (
	"github.com/abload/abload/generators"
)

// Truth is result.json's truth section: what the generator was configured
// to produce, what it actually emitted, and what the job measured, side by
// side per variant, so a job's correctness can be read off one table.
type Truth struct {
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

func ratio(num, den int64) *float64 {
	if den <= 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// buildTruth assembles the truth section. measured may be nil (no windows output).
func buildTruth(g *generators.Generator, gen generators.Stats, measured map[string]*MeasuredCounts) *Truth {
	t := &Truth{Configured: g.Truth(), Generated: gen, LateInjected: gen.Late, DuplicatesInjected: gen.Duplicates}
	for _, vt := range t.Configured.Variants {
		vr := VariantRates{
			Variant:                vt.Variant,
			OpenConfigured:         vt.Open,
			ClickThroughConfigured: vt.ClickThrough,
			ConversionConfigured:   vt.Conversion,
		}
		if v := gen.Variant(vt.Variant); v != nil {
			vr.OpenGenerated = ratio(v.UniqueOpens, v.Deliveries)
			vr.ClickThroughGenerated = ratio(v.UniqueClicks, v.Deliveries)
			vr.ConversionGenerated = ratio(v.Conversions, v.UniqueClicks)
		}
		if m := measured[vt.Variant]; m != nil {
			t.Measured = append(t.Measured, VariantMeasured{Variant: vt.Variant, MeasuredCounts: *m})
			vr.OpenMeasured = ratio(m.UniqueOpens, m.Deliveries)
			vr.ClickThroughMeasured = ratio(m.UniqueClicks, m.Deliveries)
			vr.ConversionMeasured = ratio(m.Conversions, m.UniqueClicks)
		}
		t.Rates = append(t.Rates, vr)
	}
	return t
}
