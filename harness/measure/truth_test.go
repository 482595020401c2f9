package measure

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The truth section puts each variant's configured rates beside the rates
// of what the generator emitted and of what the job's windows measured:
// open = unique opens / deliveries, click-through = unique clicks /
// deliveries, conversion = conversions / unique clicks; a rate over 0 is
// left out, not 0.
func TestBuildTruth(t *testing.T) {
	sc, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "quick.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := load.NewGenerator(sc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := g.Truth()
	if len(cfg.Variants) != 2 {
		t.Fatalf("configured variants %+v", cfg.Variants)
	}
	a, b := cfg.Variants[0].Variant, cfg.Variants[1].Variant
	gen := generators.Stats{Variants: []string{a, b}, ByVariant: []generators.VariantStats{
		{Deliveries: 1000, UniqueOpens: 250, UniqueClicks: 50, Conversions: 5},
		{Deliveries: 0}, // nothing delivered: no rates
	}, Late: 7, Duplicates: 3}
	measured := map[string]*reports.MeasuredCounts{a: {Deliveries: 800, UniqueOpens: 200, UniqueClicks: 40, Conversions: 10}}
	tr := BuildTruth(g, gen, measured)
	if tr.LateInjected != 7 || tr.DuplicatesInjected != 3 || len(tr.Rates) != 2 || len(tr.Measured) != 1 || tr.Measured[0].Variant != a {
		t.Fatalf("truth %+v", tr)
	}
	ra, rb := tr.Rates[0], tr.Rates[1]
	if ra.Variant != a || ra.OpenConfigured != cfg.Variants[0].Open || ra.ClickThroughConfigured != cfg.Variants[0].ClickThrough || ra.ConversionConfigured != cfg.Variants[0].Conversion {
		t.Errorf("configured rates of %s: %+v against %+v", a, ra, cfg.Variants[0])
	}
	for name, c := range map[string]struct {
		got  *float64
		want float64
	}{
		"open generated": {ra.OpenGenerated, 0.25}, "click-through generated": {ra.ClickThroughGenerated, 0.05},
		"conversion generated": {ra.ConversionGenerated, 0.1},
		"open measured":        {ra.OpenMeasured, 0.25}, "click-through measured": {ra.ClickThroughMeasured, 0.05},
		"conversion measured": {ra.ConversionMeasured, 0.25},
	} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s %s: %v, want %v", a, name, deref(c.got), c.want)
		}
	}
	if rb.OpenGenerated != nil || rb.ClickThroughGenerated != nil || rb.ConversionGenerated != nil || rb.OpenMeasured != nil {
		t.Errorf("%s had no deliveries and no windows: its rates must be absent: %+v", b, rb)
	}
	// The section as result.json carries it validates against the
	// result's schema (its types are the schema's, generators' included).
	res, err := reports.ReadResult(filepath.Join("..", "..", "reports", "testdata", "corpus", "shifted-10ms", "run-01", "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	res.Truth = tr
	b2, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if err := reports.ValidateResultJSON(b2); err != nil {
		t.Errorf("a result with this truth section does not validate: %v", err)
	}
	if tr := BuildTruth(g, gen, nil); tr.Measured != nil || tr.Rates[0].OpenMeasured != nil {
		t.Errorf("no windows output: nothing measured, got %+v", tr.Measured)
	}
}

// deref is *p, or nil for a nil p (for printing optional figures).
func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
