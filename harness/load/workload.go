package load

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/scenarios"
)

// GeneratorConfig maps a scenario's workload onto the generator's config.
// The disorder's late lag is the job's watermark bound plus late_by, so
// "late" means late for the job this scenario runs.
func GeneratorConfig(sc *scenarios.Scenario) generators.Config {
	w := sc.Workload
	keyDist := func(k scenarios.KeySkew) generators.KeyDist {
		return generators.KeyDist{Kind: k.Kind, S: k.S, HotKeys: k.HotKeys, HotShare: k.HotShare, MoveEvery: k.MoveEvery.Duration}
	}
	logNormal := func(l scenarios.LogNormal) generators.LogNormal {
		return generators.LogNormal{Median: l.Median.Duration, Sigma: l.Sigma}
	}
	f := w.Funnel
	return generators.Config{
		Seed:          w.Seed,
		Campaigns:     w.Campaigns,
		Variants:      w.Variants,
		Recipients:    w.Recipients,
		Lanes:         w.Lanes,
		CampaignSkew:  keyDist(w.Skew.Campaigns),
		RecipientSkew: keyDist(w.Skew.Recipients),
		Funnel: generators.Funnel{
			TimeScale:       f.TimeScale,
			Bounce:          f.Bounce,
			Open:            f.Open,
			Click:           f.Click,
			Conversion:      f.Conversion,
			Unsubscribe:     f.Unsubscribe,
			Reopen:          f.Reopen,
			BotOpen:         f.BotOpen,
			DeliveryDelay:   logNormal(f.Delays.Delivery),
			OpenDelay:       logNormal(f.Delays.Open),
			ClickDelay:      logNormal(f.Delays.Click),
			ConversionDelay: logNormal(f.Delays.Conversion),
		},
		Disorder: generators.Disorder{
			MaxDelay:     w.Disorder.MaxDelay.Duration,
			LateFraction: w.Disorder.LateFraction,
			LateLag:      sc.Job.OutOfOrderness.Duration + w.Disorder.LateBy.Duration,
			Duplicates:   w.Disorder.Duplicates,
		},
	}
}

// Profile maps the scenario's rate profile onto the generator's.
func Profile(sc *scenarios.Scenario) generators.Profile {
	p := sc.Workload.Profile
	points := func(ps []scenarios.Point) []generators.Point {
		out := make([]generators.Point, len(ps))
		for i, x := range ps {
			out[i] = generators.Point{At: x.At.Duration, Rate: x.Rate}
		}
		return out
	}
	kind := p.Kind
	if kind == "" {
		kind = "constant"
	}
	return generators.Profile{
		Kind: kind, Rate: sc.Workload.Rate,
		From: p.From, To: p.To, Over: p.Over.Duration,
		Steps: points(p.Steps),
		At:    p.At.Duration, Length: p.Length.Duration, Multiplier: p.Multiplier,
		Amplitude: p.Amplitude, Period: p.Period.Duration,
		Points: points(p.Points), Interpolate: p.Interpolate,
	}
}

// Schedule builds the scenario's open-loop schedule over warmup + duration.
func Schedule(sc *scenarios.Scenario) (generators.Schedule, error) {
	horizon := sc.Workload.Warmup.Duration + sc.Workload.Duration.Duration
	s, err := generators.NewSchedule(Profile(sc), horizon)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// NewGenerator builds the scenario's generator.
func NewGenerator(sc *scenarios.Scenario) (*generators.Generator, error) {
	return generators.New(GeneratorConfig(sc))
}

// Check builds the scenario's generator and schedule without running
// anything: what they refuse (beyond scenario validation, e.g. a profile whose
// peak exceeds what the schedule can pace) is an input error, found before
// any process starts.
func Check(sc *scenarios.Scenario) error {
	if _, err := NewGenerator(sc); err != nil {
		return &env.InputError{Err: err}
	}
	if _, err := Schedule(sc); err != nil {
		return &env.InputError{Err: err}
	}
	if p := sc.Job.RestoreFrom; p != "" {
		if _, err := os.Stat(filepath.Join(p, "_metadata")); err != nil {
			return &env.InputError{Err: fmt.Errorf("%sjob.restore_from: %q is not a savepoint directory (no _metadata file in it); "+
				"use the savepoint path of an earlier run's result.json (savepoint)", sourcePrefix(sc), p)}
		}
	}
	return nil
}

func sourcePrefix(sc *scenarios.Scenario) string {
	if sc.Source == "" {
		return ""
	}
	return sc.Source + ": "
}
