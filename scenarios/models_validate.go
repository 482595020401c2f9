package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// This file validates the workload's models: rate profile, key skew, funnel
// and disorder.

// finite reports whether f is neither NaN nor infinite.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// probability: in [0, 1].
func (c *checker) probability(path string, f float64) {
	if !(f >= 0 && f <= 1) {
		c.addf(path, "must be a probability in [0, 1], got %v", f)
	}
}

// nonNegativeNumber: finite and >= 0; what names the unit, if any.
func (c *checker) nonNegativeNumber(path string, f float64, unit string) {
	if !(f >= 0) || !finite(f) {
		c.addf(path, "must be a finite number >= 0%s, got %v", unit, f)
	}
}

// kindFields names, for each field of a model with a kind, the kinds that use
// it; a field not listed is used by every kind.
type kindFields map[string][]string

// onlyForKind reports each field of v (at path) that differs from its default
// in def although the chosen kind does not use it.
func onlyForKind(c *checker, path string, v, def reflect.Value, kind string, uses kindFields) {
	fs := fieldsOf(v.Type())
	for _, name := range fs.names {
		kinds, ok := uses[name]
		if !ok || contains(kinds, kind) {
			continue
		}
		i := fs.index[name]
		if sameValue(v.Field(i), def.Field(i)) {
			continue
		}
		what := "kind"
		if len(kinds) > 1 {
			what = "kinds"
		}
		c.addf(join(path, name), "only for %s %s (kind is %q); remove it or change the kind", what, strings.Join(kinds, ", "), kind)
	}
}

// sameValue compares a field with its default; an empty list equals a nil one.
func sameValue(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var profileUses = kindFields{
	"from": {ProfileRamp}, "to": {ProfileRamp}, "over": {ProfileRamp},
	"steps":      {ProfileStep},
	"at":         {ProfileSpike},
	"length":     {ProfileSpike},
	"multiplier": {ProfileSpike},
	"amplitude":  {ProfileSine}, "period": {ProfileSine},
	"points": {ProfilePiecewise}, "interpolate": {ProfilePiecewise},
}

func checkProfile(c *checker, p Profile) {
	const path = "workload.profile"
	const kindPath = path + ".kind"
	kinds := []string{ProfileConstant, ProfileRamp, ProfileStep, ProfileSpike, ProfileSine, ProfilePiecewise}
	if !contains(kinds, p.Kind) {
		c.oneOf(kindPath, p.Kind, kinds...)
		return
	}
	onlyForKind(c, path, reflect.ValueOf(p), reflect.ValueOf(Defaults().Workload.Profile), p.Kind, profileUses)
	switch p.Kind {
	case ProfileRamp:
		c.nonNegativeNumber(path+".from", p.From, " (events/s)")
		c.nonNegativeNumber(path+".to", p.To, " (events/s)")
		if p.From == 0 && p.To == 0 {
			c.addNear(path+".to", kindPath, "from and to must not both be 0 for kind ramp")
		}
		c.nonNegative(path+".over", p.Over)
	case ProfileStep:
		if len(p.Steps) == 0 {
			c.addNear(path+".steps", kindPath, "needs at least one step {at, rate} for kind step")
		}
		checkPoints(c, path+".steps", p.Steps)
	case ProfileSpike:
		c.nonNegative(path+".at", p.At)
		if p.Length.Duration <= 0 {
			c.addNear(path+".length", kindPath, "must be > 0 for kind spike, got %s", p.Length)
		}
		c.nonNegativeNumber(path+".multiplier", p.Multiplier, "")
	case ProfileSine:
		if !(p.Amplitude >= 0 && p.Amplitude <= 1) {
			c.addf(path+".amplitude", "must be in [0, 1] (relative to workload.rate), got %v", p.Amplitude)
		}
		if p.Period.Duration <= 0 {
			c.addNear(path+".period", kindPath, "must be > 0 for kind sine, got %s", p.Period)
		}
	case ProfilePiecewise:
		if len(p.Points) == 0 {
			c.addNear(path+".points", kindPath, "needs at least one point {at, rate} for kind piecewise")
		} else if checkPoints(c, path+".points", p.Points) && !anyPositive(p.Points) {
			c.addf(path+".points", "at least one point needs a rate > 0")
		}
		c.oneOf(path+".interpolate", p.Interpolate, InterpolateLinear, InterpolateStep)
	}
}

// checkPoints: each at >= 0 and after the previous one, each rate finite and
// >= 0. It reports whether all was well.
func checkPoints(c *checker, path string, ps []Point) bool {
	before := len(c.ps)
	for i, p := range ps {
		e := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case p.At.Duration < 0:
			c.addf(e+".at", "must be >= 0, got %s", p.At)
		case i > 0 && p.At.Duration <= ps[i-1].At.Duration:
			c.addf(e+".at", "must be later than the previous element's at (%s), got %s", ps[i-1].At, p.At)
		}
		c.nonNegativeNumber(e+".rate", p.Rate, " (events/s)")
	}
	return len(c.ps) == before
}

func anyPositive(ps []Point) bool {
	for _, p := range ps {
		if p.Rate > 0 {
			return true
		}
	}
	return false
}

var skewUses = kindFields{
	"s":          {SkewZipf},
	"hot_keys":   {SkewHotset},
	"hot_share":  {SkewHotset},
	"move_every": {SkewZipf, SkewHotset},
}

// checkKeySkew checks one key distribution over a key space of n keys (the
// field keysPath).
func checkKeySkew(c *checker, path string, k KeySkew, keysPath string, n int64) {
	kindPath := path + ".kind"
	kinds := []string{SkewUniform, SkewZipf, SkewHotset}
	if !contains(kinds, k.Kind) {
		c.oneOf(kindPath, k.Kind, kinds...)
		return
	}
	onlyForKind(c, path, reflect.ValueOf(k), reflect.ValueOf(Defaults().Workload.Skew.Campaigns), k.Kind, skewUses)
	switch k.Kind {
	case SkewZipf:
		if !(k.S > 0) || !finite(k.S) {
			c.addf(path+".s", "must be a finite number > 0 for kind zipf, got %v", k.S)
		}
	case SkewHotset:
		switch {
		case k.HotKeys < 1:
			c.addNear(path+".hot_keys", kindPath, "must be >= 1 for kind hotset, got %d", k.HotKeys)
		case n >= 1 && k.HotKeys >= n:
			c.addf(path+".hot_keys", "must be less than %s (%d) so that some keys stay cold, got %d", keysPath, n, k.HotKeys)
		}
		c.probability(path+".hot_share", k.HotShare)
	}
	if k.Kind != SkewUniform {
		c.nonNegative(path+".move_every", k.MoveEvery)
	}
}

func checkFunnel(c *checker, f Funnel, variants int) {
	const path = "workload.funnel"
	if !(f.TimeScale > 0) || !finite(f.TimeScale) {
		c.addf(path+".time_scale", "must be a finite number > 0 (campaign seconds per run second), got %v", f.TimeScale)
	}
	c.probability(path+".bounce", f.Bounce)
	perVariant(c, path+".open", f.Open, variants)
	perVariant(c, path+".click", f.Click, variants)
	perVariant(c, path+".conversion", f.Conversion, variants)
	c.probability(path+".unsubscribe", f.Unsubscribe)
	if !(f.Reopen >= 0 && f.Reopen < 1) {
		// Each open reopens with this probability: 1 would never end.
		c.addf(path+".reopen", "must be a probability in [0, 1) (1 would reopen forever), got %v", f.Reopen)
	}
	c.probability(path+".bot_open", f.BotOpen)
	for _, d := range []struct {
		name string
		ln   LogNormal
	}{
		{"delivery", f.Delays.Delivery},
		{"open", f.Delays.Open},
		{"click", f.Delays.Click},
		{"conversion", f.Delays.Conversion},
	} {
		p := path + ".delays." + d.name
		c.nonNegative(p+".median", d.ln.Median)
		c.nonNegativeNumber(p+".sigma", d.ln.Sigma, "")
	}
}

// perVariant checks a list of probabilities holding one value for all
// variants or one per variant.
func perVariant(c *checker, path string, ps []float64, variants int) {
	switch {
	case variants < 1 || variants > 26:
		// workload.variants is reported already.
	case len(ps) == 1 || len(ps) == variants:
	case variants == 1:
		c.addf(path, "want 1 value (one for the only variant), got %d", len(ps))
	default:
		c.addf(path, "want 1 or %d values (one per variant), got %d", variants, len(ps))
	}
	for i, p := range ps {
		c.probability(fmt.Sprintf("%s[%d]", path, i), p)
	}
}

func checkDisorder(c *checker, d Disorder) {
	const path = "workload.disorder"
	c.nonNegative(path+".max_delay", d.MaxDelay)
	c.probability(path+".late_fraction", d.LateFraction)
	c.positive(path+".late_by", d.LateBy)
	c.probability(path+".duplicates", d.Duplicates)
}

// checkWarmupAuto: an auto warmup moves the measurement phase, so anything
// placed by time from the start of warmup (faults, scaling, a rate profile
// other than constant) would land in a phase nobody chose.
func checkWarmupAuto(c *checker, s *Scenario) {
	w := s.Workload
	if !w.Warmup.Auto {
		return
	}
	// Two 5 s windows are judged before anything can settle, and the
	// measurement starts a second after the decision.
	if w.WarmupMax.Duration < minWarmupMax {
		c.addf("workload.warmup_max", "must be >= %s with workload.warmup auto (two 5 s windows are judged, then a 1 s lead), got %s", Duration{minWarmupMax}, w.WarmupMax)
	}
	const why = "counts from the start of warmup, and warmup auto moves the measurement phase; use a fixed workload.warmup"
	if len(s.Faults) > 0 {
		c.addf("faults", "with workload.warmup auto: faults[].at %s", why)
	}
	if len(s.Scaling) > 0 {
		c.addf("scaling", "with workload.warmup auto: scaling[].at %s", why)
	}
	if w.Profile.Kind != "" && w.Profile.Kind != ProfileConstant {
		c.addf("workload.profile.kind", "with workload.warmup auto the profile must be constant (got %s): a %s profile's time %s", w.Profile.Kind, w.Profile.Kind, why)
	}
}
