package measure

import (
	"github.com/abload/abload/generators"
	"github.com/abload/abload/reports"
)

func ratio(num, den int64) *float64 {
	if den <= 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// BuildTruth assembles the truth section. measured may be nil (no windows output).
func BuildTruth(g *generators.Generator, gen generators.Stats, measured map[string]*reports.MeasuredCounts) *reports.TruthSection {
	t := &reports.TruthSection{Configured: g.Truth(), Generated: gen, LateInjected: gen.Late, DuplicatesInjected: gen.Duplicates}
	for _, vt := range t.Configured.Variants {
		vr := reports.VariantRates{
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
			t.Measured = append(t.Measured, reports.VariantMeasured{Variant: vt.Variant, MeasuredCounts: *m})
			vr.OpenMeasured = ratio(m.UniqueOpens, m.Deliveries)
			vr.ClickThroughMeasured = ratio(m.UniqueClicks, m.Deliveries)
			vr.ConversionMeasured = ratio(m.Conversions, m.UniqueClicks)
		}
		t.Rates = append(t.Rates, vr)
	}
	return t
}
