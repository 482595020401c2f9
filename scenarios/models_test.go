package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

func TestModelDefaults(t *testing.T) {
	s, err := Parse("empty.yaml", nil, nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	w := s.Workload
	tests := []struct {
		path string
		got  any
		want any
	}{
		{"workload.encoding", w.Encoding, "json"},
		{"workload.lanes", w.Lanes, 1},
		{"workload.profile.kind", w.Profile.Kind, "constant"},
		{"workload.profile.from", w.Profile.From, 0.0},
		{"workload.profile.to", w.Profile.To, 0.0},
		{"workload.profile.over", w.Profile.Over, sec(0)},
		{"workload.profile.steps", w.Profile.Steps, []Point(nil)},
		{"workload.profile.at", w.Profile.At, sec(0)},
		{"workload.profile.length", w.Profile.Length, sec(0)},
		{"workload.profile.multiplier", w.Profile.Multiplier, 1.0},
		{"workload.profile.amplitude", w.Profile.Amplitude, 0.0},
		{"workload.profile.period", w.Profile.Period, sec(0)},
		{"workload.profile.points", w.Profile.Points, []Point(nil)},
		{"workload.profile.interpolate", w.Profile.Interpolate, "linear"},
		{"workload.skew.campaigns", w.Skew.Campaigns, KeySkew{Kind: "uniform", S: 1}},
		{"workload.skew.recipients", w.Skew.Recipients, KeySkew{Kind: "uniform", S: 1}},
		{"workload.funnel.time_scale", w.Funnel.TimeScale, 360.0},
		{"workload.funnel.bounce", w.Funnel.Bounce, 0.02},
		{"workload.funnel.open", w.Funnel.Open, []float64{0.2}},
		{"workload.funnel.click", w.Funnel.Click, []float64{0.1}},
		{"workload.funnel.conversion", w.Funnel.Conversion, []float64{0.05}},
		{"workload.funnel.unsubscribe", w.Funnel.Unsubscribe, 0.002},
		{"workload.funnel.reopen", w.Funnel.Reopen, 0.2},
		{"workload.funnel.bot_open", w.Funnel.BotOpen, 0.05},
		{"workload.funnel.delays.delivery", w.Funnel.Delays.Delivery, LogNormal{sec(2), 0.5}},
		{"workload.funnel.delays.open", w.Funnel.Delays.Open, LogNormal{sec(1200), 1}},
		{"workload.funnel.delays.click", w.Funnel.Delays.Click, LogNormal{sec(120), 1}},
		{"workload.funnel.delays.conversion", w.Funnel.Delays.Conversion, LogNormal{sec(600), 1}},
		{"workload.disorder", w.Disorder, Disorder{LateBy: sec(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.path, tt.got, tt.want)
			}
		})
	}
	d := Defaults()
	d.Workload.Funnel.Open[0] = 0.9
	if Defaults().Workload.Funnel.Open[0] != 0.2 {
		t.Errorf("Defaults shares the funnel.open slice between calls")
	}
}

// The schema as documented for users, every value spelled out, is the defaults.
func TestModelDocumentedExampleIsDefault(t *testing.T) {
	const doc = `
workload:
  rate: 1000
  encoding: json
  lanes: 1
  profile:
    kind: constant
    from: 0
    to: 0
    over: 0s
    steps: []
    at: 0s
    length: 0s
    multiplier: 1
    amplitude: 0
    period: 0s
    points: []
    interpolate: linear
  skew:
    campaigns:  {kind: uniform, s: 1.0, hot_keys: 0, hot_share: 0, move_every: 0s}
    recipients: {kind: uniform, s: 1.0, hot_keys: 0, hot_share: 0, move_every: 0s}
  funnel:
    time_scale: 360
    bounce: 0.02
    open: [0.20]
    click: [0.10]
    conversion: [0.05]
    unsubscribe: 0.002
    reopen: 0.2
    bot_open: 0.05
    delays:
      delivery:   {median: 2s,  sigma: 0.5}
      open:       {median: 20m, sigma: 1.0}
      click:      {median: 2m,  sigma: 1.0}
      conversion: {median: 10m, sigma: 1.0}
  disorder:
    max_delay: 0s
    late_fraction: 0
    late_by: 5s
    duplicates: 0
`
	s, err := Parse("doc.yaml", []byte(doc), nil)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := Defaults().Workload; !reflect.DeepEqual(s.Workload, want) {
		t.Errorf("workload =\n%+v\nwant the defaults\n%+v", s.Workload, want)
	}
}

func TestModelParseValues(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		check func(*Scenario) bool
	}{
		{"binary encoding and lanes", "workload: {encoding: binary, lanes: 64}\n", func(s *Scenario) bool {
			return s.Workload.Encoding == EncodingBinary && s.Workload.Lanes == 64
		}},
		{"ramp", "workload:\n  profile: {kind: ramp, from: 100, to: 5000, over: 1m}\n", func(s *Scenario) bool {
			p := s.Workload.Profile
			return p.From == 100 && p.To == 5000 && p.Over == sec(60)
		}},
		{"ramp down to zero", "workload:\n  profile: {kind: ramp, from: 100, to: 0}\n", func(s *Scenario) bool { return s.Workload.Profile.From == 100 }},
		{"steps as block list", "workload:\n  profile:\n    kind: step\n    steps:\n      - at: 10s\n        rate: 500\n      - {at: 20s, rate: 0}\n", func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Profile.Steps, []Point{{sec(10), 500}, {sec(20), 0}})
		}},
		{"spike", "workload:\n  profile: {kind: spike, at: 15s, length: 5s, multiplier: 4}\n", func(s *Scenario) bool {
			p := s.Workload.Profile
			return p.At == sec(15) && p.Length == sec(5) && p.Multiplier == 4
		}},
		{"spike to zero", "workload:\n  profile: {kind: spike, length: 5s, multiplier: 0}\n", func(s *Scenario) bool { return s.Workload.Profile.Multiplier == 0 }},
		{"sine", "workload:\n  profile: {kind: sine, amplitude: 1, period: 10s}\n", func(s *Scenario) bool {
			return s.Workload.Profile.Amplitude == 1 && s.Workload.Profile.Period == sec(10)
		}},
		{"piecewise with a single point", "workload:\n  profile: {kind: piecewise, points: [{at: 0s, rate: 10}], interpolate: step}\n", func(s *Scenario) bool {
			p := s.Workload.Profile
			return len(p.Points) == 1 && p.Interpolate == InterpolateStep
		}},
		{"zipf", "workload:\n  skew:\n    campaigns: {kind: zipf, s: 0.8, move_every: 30s}\n", func(s *Scenario) bool {
			c := s.Workload.Skew.Campaigns
			return c.Kind == SkewZipf && c.S == 0.8 && c.MoveEvery == sec(30) && s.Workload.Skew.Recipients.Kind == SkewUniform
		}},
		{"hotset", "workload:\n  skew:\n    recipients: {kind: hotset, hot_keys: 100, hot_share: 0.5}\n", func(s *Scenario) bool {
			r := s.Workload.Skew.Recipients
			return r.HotKeys == 100 && r.HotShare == 0.5
		}},
		{"per-variant probabilities", "workload:\n  variants: [A, B, C]\n  funnel:\n    open: [0.2, 0.25, 1]\n    click:\n      - 0\n      - 0.1\n      - 0.2\n", func(s *Scenario) bool {
			f := s.Workload.Funnel
			return reflect.DeepEqual(f.Open, []float64{0.2, 0.25, 1}) && reflect.DeepEqual(f.Click, []float64{0, 0.1, 0.2}) && reflect.DeepEqual(f.Conversion, []float64{0.05})
		}},
		{"partial delay keeps the other default", "workload:\n  funnel:\n    delays:\n      open: {sigma: 0}\n", func(s *Scenario) bool {
			return s.Workload.Funnel.Delays.Open == LogNormal{sec(1200), 0}
		}},
		{"merge key inside a list element", "workload:\n  profile:\n    kind: piecewise\n    points:\n      - &p {at: 1s, rate: 5}\n      - {<<: *p, at: 2s}\n", func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Profile.Points, []Point{{sec(1), 5}, {sec(2), 5}})
		}},
		{"disorder", "workload:\n  disorder: {max_delay: 1500ms, late_fraction: 0.01, late_by: 1s, duplicates: 1}\n", func(s *Scenario) bool {
			return s.Workload.Disorder == Disorder{sec(1.5), 0.01, sec(1), 1}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.data), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("unexpected result: %+v", s.Workload)
			}
		})
	}
}

func TestModelErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		sets []string
		want []string
	}{
		// encoding, lanes
		{name: "encoding", data: "workload:\n  encoding: avro\n",
			want: []string{`t.yaml:2: workload.encoding: must be one of json, binary, got "avro"`}},
		{name: "lanes zero", data: "workload:\n  lanes: 0\n",
			want: []string{`t.yaml:2: workload.lanes: must be in 1..64, got 0`}},
		{name: "lanes too many", data: "workload:\n  lanes: 65\n",
			want: []string{`t.yaml:2: workload.lanes: must be in 1..64, got 65`}},

		// profile
		{name: "unknown profile kind", data: "workload:\n  profile:\n    kind: square\n",
			want: []string{`t.yaml:3: workload.profile.kind: must be one of constant, ramp, step, spike, sine, piecewise, got "square"`}},
		{name: "unknown profile field", data: "workload:\n  profile:\n    kind: ramp\n    form: 5\n",
			want: []string{
				`t.yaml:4: workload.profile.form: unknown field (known: kind, from, to, over, steps, at, length, multiplier, amplitude, period, points, interpolate); did you mean "from"?`,
				// A true consequence of the typo: from kept its default.
				`t.yaml:3: workload.profile.to: from and to must not both be 0 for kind ramp`,
			}},
		{name: "ramp from and to both zero", data: "workload:\n  profile:\n    kind: ramp\n",
			want: []string{`t.yaml:3: workload.profile.to: from and to must not both be 0 for kind ramp`}},
		{name: "ramp negative rates and over", data: "workload:\n  profile:\n    kind: ramp\n    from: -1\n    to: .inf\n    over: -1s\n",
			want: []string{
				`t.yaml:4: workload.profile.from: must be a finite number >= 0 (events/s), got -1`,
				`t.yaml:5: workload.profile.to: must be a finite number >= 0 (events/s), got +Inf`,
				`t.yaml:6: workload.profile.over: must be >= 0, got -1s`,
			}},
		{name: "step without steps", data: "workload:\n  profile:\n    kind: step\n",
			want: []string{`t.yaml:3: workload.profile.steps: needs at least one step {at, rate} for kind step`}},
		{name: "steps not increasing, negative", data: "workload:\n  profile:\n    kind: step\n    steps:\n      - {at: 10s, rate: 5}\n      - {at: 10s, rate: -5}\n      - {at: -1s, rate: 1}\n",
			want: []string{
				`t.yaml:6: workload.profile.steps[1].at: must be later than the previous element's at (10s), got 10s`,
				`t.yaml:6: workload.profile.steps[1].rate: must be a finite number >= 0 (events/s), got -5`,
				`t.yaml:7: workload.profile.steps[2].at: must be >= 0, got -1s`,
			}},
		{name: "step element on several lines", data: "workload:\n  profile:\n    kind: step\n    steps:\n      - at: 10s\n        rate: 5\n      - at: 5s\n        rate: 1\n",
			want: []string{`t.yaml:7: workload.profile.steps[1].at: must be later than the previous element's at (10s), got 5s`}},
		{name: "unknown field inside a step", data: "workload:\n  profile:\n    kind: step\n    steps:\n      - {at: 10s, rate: 5}\n      - {at: 20s, rte: 5}\n",
			want: []string{
				`t.yaml:6: workload.profile.steps[1].rte: unknown field (known: at, rate); did you mean "rate"?`,
				`t.yaml:6: workload.profile.steps[1].rate: missing (each element needs at, rate)`,
			}},
		{name: "missing and null fields in a step", data: "workload:\n  profile:\n    kind: step\n    steps:\n      - rate: 5\n      - {at: 1s, rate: }\n",
			want: []string{
				`t.yaml:5: workload.profile.steps[0].at: missing (each element needs at, rate)`,
				`t.yaml:6: workload.profile.steps[1].rate: missing (each element needs at, rate)`,
			}},
		{name: "step element not a mapping", data: "workload:\n  profile:\n    kind: step\n    steps: [10s, ~]\n",
			want: []string{
				`t.yaml:4: workload.profile.steps[0]: expected a mapping (at, rate), got "10s"`,
				`t.yaml:4: workload.profile.steps[1]: expected a mapping (at, rate), got null`,
			}},
		{name: "step element with a bad duration", data: "workload:\n  profile:\n    kind: step\n    steps:\n      - {at: soon, rate: 5}\n",
			want: []string{`t.yaml:5: workload.profile.steps[0].at: malformed duration "soon" (want a Go duration such as 30s, 1m30s, 200ms)`}},
		{name: "steps not a list", data: "workload:\n  profile:\n    kind: step\n    steps: {at: 1s, rate: 5}\n",
			want: []string{`t.yaml:4: workload.profile.steps: expected a list of mappings (at, rate), got a mapping`}},
		{name: "spike without length", data: "workload:\n  profile:\n    kind: spike\n    at: -1s\n    multiplier: -2\n",
			want: []string{
				`t.yaml:4: workload.profile.at: must be >= 0, got -1s`,
				`t.yaml:3: workload.profile.length: must be > 0 for kind spike, got 0s`,
				`t.yaml:5: workload.profile.multiplier: must be a finite number >= 0, got -2`,
			}},
		{name: "sine", data: "workload:\n  profile:\n    kind: sine\n    amplitude: 1.5\n",
			want: []string{
				`t.yaml:4: workload.profile.amplitude: must be in [0, 1] (relative to workload.rate), got 1.5`,
				`t.yaml:3: workload.profile.period: must be > 0 for kind sine, got 0s`,
			}},
		{name: "piecewise without points", data: "workload:\n  profile:\n    kind: piecewise\n    interpolate: cubic\n",
			want: []string{
				`t.yaml:3: workload.profile.points: needs at least one point {at, rate} for kind piecewise`,
				`t.yaml:4: workload.profile.interpolate: must be one of linear, step, got "cubic"`,
			}},
		{name: "piecewise all zero", data: "workload:\n  profile:\n    kind: piecewise\n    points: [{at: 0s, rate: 0}, {at: 1s, rate: 0}]\n",
			want: []string{`t.yaml:4: workload.profile.points: at least one point needs a rate > 0`}},
		{name: "piecewise points repeat an alias", data: "workload:\n  profile:\n    kind: piecewise\n    points:\n      - &p {at: 1s, rate: 5}\n      - {at: 2s, rate: 5}\n      - *p\n",
			want: []string{`t.yaml:7: workload.profile.points[2].at: must be later than the previous element's at (2s), got 1s`}},
		{name: "fields of another profile kind", data: "workload:\n  profile:\n    kind: spike\n    length: 5s\n    from: 10\n    steps: [{at: 1s, rate: 1}]\n    interpolate: step\n",
			want: []string{
				`t.yaml:5: workload.profile.from: only for kind ramp (kind is "spike"); remove it or change the kind`,
				`t.yaml:6: workload.profile.steps: only for kind step (kind is "spike"); remove it or change the kind`,
				`t.yaml:7: workload.profile.interpolate: only for kind piecewise (kind is "spike"); remove it or change the kind`,
			}},
		{name: "constant with a spike field", data: "workload:\n  profile:\n    multiplier: 2\n",
			want: []string{`t.yaml:3: workload.profile.multiplier: only for kind spike (kind is "constant"); remove it or change the kind`}},

		// skew
		{name: "unknown skew kind", data: "workload:\n  skew:\n    campaigns: {kind: pareto}\n",
			want: []string{`t.yaml:3: workload.skew.campaigns.kind: must be one of uniform, zipf, hotset, got "pareto"`}},
		{name: "zipf s", data: "workload:\n  skew:\n    campaigns: {kind: zipf, s: 0}\n    recipients: {kind: zipf, s: -1, move_every: -1s}\n",
			want: []string{
				`t.yaml:3: workload.skew.campaigns.s: must be a finite number > 0 for kind zipf, got 0`,
				`t.yaml:4: workload.skew.recipients.s: must be a finite number > 0 for kind zipf, got -1`,
				`t.yaml:4: workload.skew.recipients.move_every: must be >= 0, got -1s`,
			}},
		{name: "hotset without hot_keys", data: "workload:\n  skew:\n    campaigns:\n      kind: hotset\n      hot_share: 1.5\n",
			want: []string{
				`t.yaml:4: workload.skew.campaigns.hot_keys: must be >= 1 for kind hotset, got 0`,
				`t.yaml:5: workload.skew.campaigns.hot_share: must be a probability in [0, 1], got 1.5`,
			}},
		{name: "hotset hot_keys cover the key space", data: "workload:\n  campaigns: 5\n  recipients: 10\n  skew:\n    campaigns: {kind: hotset, hot_keys: 5, hot_share: 0.9}\n    recipients: {kind: hotset, hot_keys: 11, hot_share: 0.9}\n",
			want: []string{
				`t.yaml:5: workload.skew.campaigns.hot_keys: must be less than workload.campaigns (5) so that some keys stay cold, got 5`,
				`t.yaml:6: workload.skew.recipients.hot_keys: must be less than workload.recipients (10) so that some keys stay cold, got 11`,
			}},
		{name: "fields of another skew kind", data: "workload:\n  skew:\n    campaigns: {s: 2, move_every: 1m}\n    recipients: {kind: zipf, hot_share: 0.5}\n",
			want: []string{
				`t.yaml:3: workload.skew.campaigns.s: only for kind zipf (kind is "uniform"); remove it or change the kind`,
				`t.yaml:3: workload.skew.campaigns.move_every: only for kinds zipf, hotset (kind is "uniform"); remove it or change the kind`,
				`t.yaml:4: workload.skew.recipients.hot_share: only for kind hotset (kind is "zipf"); remove it or change the kind`,
			}},

		// funnel
		{name: "probabilities", data: "workload:\n  funnel:\n    bounce: -0.1\n    unsubscribe: 2\n    reopen: 1\n    bot_open: .nan\n",
			want: []string{
				`t.yaml:3: workload.funnel.bounce: must be a probability in [0, 1], got -0.1`,
				`t.yaml:4: workload.funnel.unsubscribe: must be a probability in [0, 1], got 2`,
				`t.yaml:5: workload.funnel.reopen: must be a probability in [0, 1) (1 would reopen forever), got 1`,
				`t.yaml:6: workload.funnel.bot_open: must be a probability in [0, 1], got NaN`,
			}},
		{name: "per-variant length", data: "workload:\n  funnel:\n    open: [0.2, 0.3, 0.4]\n    click: []\n",
			want: []string{
				`t.yaml:3: workload.funnel.open: want 1 or 2 values (one per variant), got 3`,
				`t.yaml:4: workload.funnel.click: want 1 or 2 values (one per variant), got 0`,
			}},
		{name: "per-variant length, one variant", data: "workload:\n  variants: [only]\n  funnel:\n    conversion: [0.1, 0.1]\n",
			want: []string{`t.yaml:4: workload.funnel.conversion: want 1 value (one for the only variant), got 2`}},
		{name: "per-variant element out of range, block list", data: "workload:\n  funnel:\n    open:\n      - 0.2\n      - 1.2\n",
			want: []string{`t.yaml:5: workload.funnel.open[1]: must be a probability in [0, 1], got 1.2`}},
		{name: "per-variant element not a number", data: "workload:\n  funnel:\n    open: [0.2, high]\n",
			want: []string{`t.yaml:3: workload.funnel.open[1]: expected a number, got "high"`}},
		{name: "per-variant not a list", data: "workload:\n  funnel:\n    open: 0.2\n",
			want: []string{`t.yaml:3: workload.funnel.open: expected a list of numbers such as [0.2, 0.25], got "0.2"`}},
		{name: "time scale", data: "workload:\n  funnel:\n    time_scale: 0\n",
			want: []string{`t.yaml:3: workload.funnel.time_scale: must be a finite number > 0 (campaign seconds per run second), got 0`}},
		{name: "delays", data: "workload:\n  funnel:\n    delays:\n      open: {median: -1m, sigma: -0.5}\n      click:\n        median: 1x\n",
			want: []string{
				`t.yaml:6: workload.funnel.delays.click.median: malformed duration "1x" (want a Go duration such as 30s, 1m30s, 200ms)`,
				`t.yaml:4: workload.funnel.delays.open.median: must be >= 0, got -1m`,
				`t.yaml:4: workload.funnel.delays.open.sigma: must be a finite number >= 0, got -0.5`,
			}},
		{name: "unknown delay", data: "workload:\n  funnel:\n    delays:\n      bounce: {median: 1s}\n",
			want: []string{`t.yaml:4: workload.funnel.delays.bounce: unknown field (known: delivery, open, click, conversion)`}},

		{name: "bad section in the file, bad value from --set", data: "workload: fast\n", sets: []string{"workload.lanes=0"},
			want: []string{
				`t.yaml:1: workload: expected a mapping (rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill), got "fast"`,
				`--set workload.lanes=0: workload.lanes: must be in 1..64, got 0`,
			}},

		// aliases and merge keys that refer to their own mapping
		{name: "merge key cycle", data: "job: &p {<<: *p, idleness: 1s}\n",
			want: []string{`t.yaml:1: job: an alias or merge key refers to a mapping that contains it`}},
		{name: "merge key cycle in a list element", data: "workload:\n  profile:\n    kind: piecewise\n    points: [&p {<<: *p, at: 1s}]\n",
			want: []string{`t.yaml:4: workload.profile.points[0]: an alias or merge key refers to a mapping that contains it`}},
		{name: "merge key cycle through a list", data: "workload:\n  profile:\n    kind: step\n    steps: &s [{<<: *s, at: 1s, rate: 1}]\n",
			want: []string{`t.yaml:4: workload.profile.steps[0]: an alias or merge key refers to a mapping that contains it`}},

		// disorder
		{name: "disorder", data: "workload:\n  disorder:\n    max_delay: -1s\n    late_fraction: 1.01\n    late_by: 0s\n    duplicates: -1\n",
			want: []string{
				`t.yaml:3: workload.disorder.max_delay: must be >= 0, got -1s`,
				`t.yaml:4: workload.disorder.late_fraction: must be a probability in [0, 1], got 1.01`,
				`t.yaml:5: workload.disorder.late_by: must be > 0, got 0s`,
				`t.yaml:6: workload.disorder.duplicates: must be a probability in [0, 1], got -1`,
			}},

		// windows, skew mitigation, stages
		{name: "sliding without slide", data: "job:\n  window: {kind: sliding, size: 10s}\n",
			want: []string{`t.yaml:2: job.window.slide: must be > 0 for sliding windows, got 0s`}},
		{name: "sliding windows", data: "job:\n  window:\n    kind: sliding\n    size: 10s\n    slide: 20s\n",
			want: []string{`t.yaml:5: job.window.slide: must be <= job.window.size (10s), got 20s`}},
		{name: "too many sliding windows per event", data: "job:\n  window: {kind: sliding, size: 10s, slide: 10ms}\n",
			want: []string{`t.yaml:2: job.window.slide: puts each event in 1000 windows (size/slide); at most 100`}},
		{name: "session fields", data: "job:\n  window:\n    kind: session\n    slide: 1s\n    allowed_lateness: 1s\n",
			want: []string{
				`t.yaml:4: job.window.slide: applies only to job.window.kind sliding, not session; leave it out`,
				`t.yaml:3: job.window.gap: must be > 0 for session windows, got 0s`,
				`t.yaml:5: job.window.allowed_lateness: must be 0 for session windows (a late event can merge sessions, which the harness cannot reconcile)`,
			}},
		{name: "gap on tumbling", data: "job:\n  window: {gap: 1s}\n",
			want: []string{`t.yaml:2: job.window.gap: applies only to job.window.kind session, not tumbling; leave it out`}},
		{name: "salted sessions", data: "job:\n  window: {kind: session, gap: 5s}\n  skew_mitigation: {kind: salted, salts: 1}\n",
			want: []string{
				`t.yaml:3: job.skew_mitigation.salts: must be in 2..1024, got 1`,
				`t.yaml:3: job.skew_mitigation.kind: salted needs tumbling or sliding windows (a session belongs to one key and cannot be split)`,
			}},
		{name: "salted without windows", data: "job:\n  outputs: {windows: false}\n  skew_mitigation: {kind: salted}\n",
			want: []string{`t.yaml:3: job.skew_mitigation.kind: salted works on the windows path, but job.outputs.windows is false`}},
		{name: "stage parallelism", data: "job:\n  max_parallelism: 4\n  stage_parallelism: {dedupe: -1, counts: 5, windows: 3}\n",
			want: []string{
				`t.yaml:3: job.stage_parallelism.dedupe: must be 0 (job.parallelism) or in 1..32768, got -1`,
				`t.yaml:3: job.stage_parallelism.counts: must be <= job.max_parallelism (4), got 5`,
				`t.yaml:3: job.stage_parallelism.windows: 3 exceeds the 2 task slots of env.taskmanagers × env.slots`,
			}},
		{name: "serializer", data: "job:\n  serializer: avro\n",
			want: []string{`t.yaml:2: job.serializer: must be one of pojo, kryo, got "avro"`}},
		{name: "env knobs", data: "env:\n  network_memory: lots\n  managed_memory_fraction: 1\n  heartbeat_interval: 5s\n  heartbeat_timeout: 5s\n  taskmanager:\n    cpus: 1.5\n",
			want: []string{
				`t.yaml:2: env.network_memory: malformed memory size "lots" (want "" (Flink's default share) or a Flink memory size such as 64m)`,
				`t.yaml:3: env.managed_memory_fraction: must be in [0, 1), got 1`,
				`t.yaml:5: env.heartbeat_timeout: must be longer than env.heartbeat_interval (5s), got 5s`,
				`t.yaml:7: env.taskmanager.cpus: CPU limits need env.kind docker (local processes share the host's cores); set 0`,
			}},
		{name: "kafka batch size", data: "kafka:\n  batch_size: 100\n",
			want: []string{`t.yaml:2: kafka.batch_size: must be in 1024..1048588 bytes (the broker's default message.max.bytes), got 100`}},
		{name: "prefill and cooldown", data: "workload:\n  cooldown: -1s\n  prefill: {keys: -5}\n",
			want: []string{
				`t.yaml:2: workload.cooldown: must be >= 0, got -1s`,
				`t.yaml:3: workload.prefill.keys: must be in 0..1073741824, got -5`,
			}},
		{name: "prefill without updates", data: "workload:\n  prefill: {keys: 5}\njob:\n  outputs: {updates: false}\n",
			want: []string{`t.yaml:2: workload.prefill.keys: needs job.outputs.updates (the harness waits for every prefill event's update before warmup)`}},

		{name: "faults", data: "faults:\n  - {at: 5s, kind: kill_taskmanager, taskmanager: 3, duration: 1s}\n  - {at: 1h, kind: pause_taskmanagers}\n  - {at: 1s, kind: explode}\n",
			want: []string{
				`t.yaml:2: faults[0].taskmanager: must name one TaskManager, 1..1 (env.taskmanagers), got 3`,
				`t.yaml:2: faults[0].duration: is not used by kill_taskmanager (env.restart_delay says when it comes back); leave it out`,
				`t.yaml:3: faults[1].at: must be inside the load, in [0s, warmup + duration + cooldown) = [0s, 52s), got 1h`,
				`t.yaml:3: faults[1].duration: must be > 0, got 0s`,
				`t.yaml:4: faults[2].kind: must be one of kill_taskmanager, pause_taskmanagers, restart_broker, network_delay, network_cut, network_bandwidth, got "explode"`,
			}},

		{name: "scaling", data: "env:\n  scheduler: elastic\nscaling:\n  - {at: 20s, action: remove_taskmanager}\n  - {at: 10s, action: add_taskmanager, count: 20}\n  - {at: 1h, action: grow}\n",
			want: []string{
				`t.yaml:2: env.scheduler: must be one of default, adaptive, reactive, got "elastic"`,
				`t.yaml:4: scaling[0].count: would leave 0 TaskManager(s) (env.taskmanagers plus earlier actions: 1); at least one must remain`,
				`t.yaml:5: scaling[1].at: must not be before scaling[0].at (20s): list the actions in time order`,
				`t.yaml:5: scaling[1].count: must be 1..16, got 20`,
				`t.yaml:6: scaling[2].action: must be one of add_taskmanager, remove_taskmanager, got "grow"`,
				`t.yaml:6: scaling[2].at: must be inside the load, in [0s, warmup + duration + cooldown) = [0s, 52s), got 1h`,
			}},
		{name: "reactive needs local", data: "env:\n  kind: docker\n  scheduler: reactive\nscaling:\n  - {at: 5s, action: add_taskmanager}\n",
			want: []string{
				`t.yaml:3: env.scheduler: reactive needs an application-mode JobManager, which only the local environment starts; use adaptive with env.kind docker`,
				`t.yaml:5: scaling[0]: scaling actions need the local environment (env.kind local), got docker`,
			}},

		// overrides
		{name: "set kind needing a default-valued field", sets: []string{"workload.profile.kind=spike"},
			want: []string{`--set workload.profile.kind=spike: workload.profile.length: must be > 0 for kind spike, got 0s`}},
		{name: "set a field of another kind", data: "workload:\n  profile: {kind: sine, amplitude: 0.5, period: 10s}\n", sets: []string{"workload.profile.from=5"},
			want: []string{`--set workload.profile.from=5: workload.profile.from: only for kind ramp (kind is "sine"); remove it or change the kind`}},
		{name: "set per-variant list too long", sets: []string{"workload.funnel.open=[0.2,0.25,0.3]"},
			want: []string{`--set workload.funnel.open=[0.2,0.25,0.3]: workload.funnel.open: want 1 or 2 values (one per variant), got 3`}},
		{name: "set a list element's fields", sets: []string{"workload.profile.kind=step", "workload.profile.steps=[{at: 10s, rate: -1}]"},
			want: []string{`--set workload.profile.steps=[{at: 10s, rate: -1}]: workload.profile.steps[0].rate: must be a finite number >= 0 (events/s), got -1`}},
		{name: "set a list with an unknown element field", sets: []string{"workload.profile.steps=[{at: 10s, rate: 1, ramp: 2s}]"},
			want: []string{`--set workload.profile.steps=[{at: 10s, rate: 1, ramp: 2s}]: workload.profile.steps[0].ramp: unknown field (known: at, rate); did you mean "rate"?`}},
		{name: "set through a list", sets: []string{"workload.profile.steps.at=1s"},
			want: []string{`--set workload.profile.steps.at=1s: workload.profile.steps.at: workload.profile.steps is a list of mappings (at, rate), not a section`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.data), tt.sets)
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want problems %q", s.Workload, tt.want)
			}
			if got := problems(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestModelEveryProblemAtOnce(t *testing.T) {
	data := `name: many
workload:
  encoding: xml
  variants: [A, B, C]
  profile:
    kind: ramp
    to: -5
    steps: [{at: 1s, rate: 1}]
  skew:
    recipients: {kind: hotset, hot_keys: 0}
  funnel:
    open: [0.1, 0.2]
    click: [0.1, 0.2, 1.5]
    delays:
      delivery: {median: -2s}
  disorder:
    late_by: 0s
`
	want := []string{
		`many.yaml:3: workload.encoding: must be one of json, binary, got "xml"`,
		`many.yaml:8: workload.profile.steps: only for kind step (kind is "ramp"); remove it or change the kind`,
		`many.yaml:7: workload.profile.to: must be a finite number >= 0 (events/s), got -5`,
		`many.yaml:10: workload.skew.recipients.hot_keys: must be >= 1 for kind hotset, got 0`,
		`many.yaml:12: workload.funnel.open: want 1 or 3 values (one per variant), got 2`,
		`many.yaml:13: workload.funnel.click[2]: must be a probability in [0, 1], got 1.5`,
		`many.yaml:15: workload.funnel.delays.delivery.median: must be >= 0, got -2s`,
		`many.yaml:17: workload.disorder.late_by: must be > 0, got 0s`,
		`--set workload.lanes=100: workload.lanes: must be in 1..64, got 100`,
	}
	_, err := Parse("many.yaml", []byte(data), []string{"workload.lanes=100"})
	got := problems(t, err)
	// Order follows the checks; compare as sets but keep the message readable.
	if !reflect.DeepEqual(sorted(got), sorted(want)) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestModelSetOverrides(t *testing.T) {
	spike := "workload:\n  profile:\n    at: 10s\n    length: 5s\n    multiplier: 3\n"
	tests := []struct {
		name  string
		data  string
		sets  []string
		check func(*Scenario) bool
	}{
		{"per-variant flow list", "", []string{"workload.funnel.open=[0.2,0.25]"}, func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Funnel.Open, []float64{0.2, 0.25})
		}},
		{"profile kind picks up the file's spike fields", spike, []string{"workload.profile.kind=spike"}, func(s *Scenario) bool {
			p := s.Workload.Profile
			return p.Kind == ProfileSpike && p.At == sec(10) && p.Length == sec(5) && p.Multiplier == 3
		}},
		{"zipf exponent", "", []string{"workload.skew.campaigns.kind=zipf", "workload.skew.campaigns.s=1.2"}, func(s *Scenario) bool {
			c := s.Workload.Skew.Campaigns
			return c.Kind == SkewZipf && c.S == 1.2
		}},
		{"steps as a flow list of mappings", "", []string{"workload.profile.kind=step", "workload.profile.steps=[{at: 10s, rate: 500}]"}, func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Profile.Steps, []Point{{sec(10), 500}})
		}},
		{"steps replace the file's", "workload:\n  profile:\n    kind: step\n    steps: [{at: 1s, rate: 1}, {at: 2s, rate: 2}]\n",
			[]string{"workload.profile.steps=[{at: 10s, rate: 500}]"}, func(s *Scenario) bool {
				return reflect.DeepEqual(s.Workload.Profile.Steps, []Point{{sec(10), 500}})
			}},
		{"whole skew section", "", []string{"workload.skew.recipients={kind: hotset, hot_keys: 10, hot_share: 0.8}"}, func(s *Scenario) bool {
			return s.Workload.Skew.Recipients == KeySkew{Kind: SkewHotset, S: 1, HotKeys: 10, HotShare: 0.8}
		}},
		{"nested delay", "", []string{"workload.funnel.delays.open.median=1h"}, func(s *Scenario) bool {
			return s.Workload.Funnel.Delays.Open.Median == sec(3600)
		}},
		{"encoding and lanes", "", []string{"workload.encoding=binary", "workload.lanes=8"}, func(s *Scenario) bool {
			return s.Workload.Encoding == EncodingBinary && s.Workload.Lanes == 8
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.yaml", []byte(tt.data), tt.sets)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("unexpected result: %+v", s.Workload)
			}
		})
	}
}

// A list replaced by --set must not keep the file lines of the old list's
// elements: problems in the new elements point at the --set argument.
func TestModelSetForgetsOldElementLines(t *testing.T) {
	data := "workload:\n  profile:\n    kind: step\n    steps:\n      - {at: 1s, rate: 1}\n      - {at: 2s, rate: 2}\n"
	set := "workload.profile.steps=[{at: 5s, rate: 1}, {at: 4s, rate: 1}]"
	_, err := Parse("f.yaml", []byte(data), []string{set})
	want := []string{`--set ` + set + `: workload.profile.steps[1].at: must be later than the previous element's at (5s), got 4s`}
	if got := problems(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

// A list with a bad element is not applied: the previous value stays.
func TestModelBadListKeepsPrevious(t *testing.T) {
	s := Defaults()
	s.Name = "x"
	if err := s.Set("workload.funnel.open", "[0.3, x]"); err == nil {
		t.Fatalf("Set succeeded")
	}
	if err := s.Set("workload.profile.steps", "[{at: 1s}]"); err == nil || !strings.Contains(err.Error(), "steps[0].rate: missing") {
		t.Fatalf("Set(steps without rate) = %v", err)
	}
	if !reflect.DeepEqual(s.Workload.Funnel.Open, []float64{0.2}) || s.Workload.Profile.Steps != nil {
		t.Errorf("a failed Set changed the scenario: %+v", s.Workload)
	}
}

func TestModelValidateBuiltInCode(t *testing.T) {
	s := Defaults()
	s.Name = "code"
	s.Workload.Profile = Profile{Kind: ProfilePiecewise, Multiplier: 1, Interpolate: InterpolateLinear,
		Points: []Point{{sec(0), 100}, {sec(30), 2000}}}
	s.Workload.Skew.Recipients = KeySkew{Kind: SkewZipf, S: 1.1}
	s.Workload.Funnel.Open = []float64{0.2, 0.3}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	s.Workload.Funnel.Click = []float64{0.1, 0.1, 0.1}
	want := []string{`workload.funnel.click: want 1 or 2 values (one per variant), got 3`}
	if got := problems(t, s.Validate()); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}

func TestDropRelated(t *testing.T) {
	is := func(paths ...string) []issue {
		var out []issue
		for _, p := range paths {
			out = append(out, issue{Problem: Problem{Path: p}})
		}
		return out
	}
	decoded := []Problem{{Path: "workload.profile.steps[1].rte"}, {Path: "workload.funnel.open[1]"}, {Msg: "invalid YAML"}}
	got := dropRelated(is(
		"workload.profile.steps",        // encloses a decoding problem: dropped
		"workload.profile.step",         // a name that is only a prefix: kept
		"workload.funnel.open",          // encloses one: dropped
		"workload.funnel.open[1]",       // the same path: dropped
		"workload.funnel.openness",      // kept
		"workload.profile.kind",         // a sibling: kept
		"workload.profile.steps[1].rte", // the same: dropped
		"workload.funnel.open[1].x",     // inside one: kept
	), decoded)
	var paths []string
	for _, it := range got {
		paths = append(paths, it.Path)
	}
	want := []string{"workload.profile.step", "workload.funnel.openness", "workload.profile.kind", "workload.funnel.open[1].x"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("dropRelated kept %q, want %q", paths, want)
	}
	for in, want := range map[string]string{"a.b[2].c": "a.b[2]", "a.b[2]": "a.b", "a.b": "a", "a": ""} {
		if got := parentPath(in); got != want {
			t.Errorf("parentPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// With the adaptive scheduler job.parallelism is an upper bound: it may
// exceed the cluster's slots (the job runs with the slots there are).
func TestAdaptiveParallelismMayExceedSlots(t *testing.T) {
	if _, err := Parse("t.yaml", []byte("env:\n  scheduler: adaptive\n  taskmanagers: 1\n  slots: 1\njob:\n  parallelism: 4\n"), nil); err != nil {
		t.Fatalf("adaptive: %v", err)
	}
	if _, err := Parse("t.yaml", []byte("env:\n  taskmanagers: 1\n  slots: 1\njob:\n  parallelism: 4\n"), nil); err == nil {
		t.Fatal("default scheduler: parallelism 4 on 1 slot accepted")
	}
}

// withMachineCPUs makes env.pin's validation see a machine with cpus.
func withMachineCPUs(t *testing.T, cpus ...int) {
	t.Helper()
	saved := machineCPUs
	machineCPUs = func() []int { return cpus }
	t.Cleanup(func() { machineCPUs = saved })
}

func TestModelPinValues(t *testing.T) {
	withMachineCPUs(t, 0, 1)
	data := "env:\n  pin:\n    kafka: 0\n    jobmanager: \"0\"\n    taskmanagers: 1\n    harness: 0-1\n"
	s, err := Parse("t.yaml", []byte(data), []string{"env.pin.jobmanager=0,1"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	want := Pin{Kafka: "0", JobManager: "0,1", TaskManagers: "1", Harness: "0-1"}
	if s.Env.Pin != want || !s.Env.Pin.Any() {
		t.Errorf("env.pin = %+v, want %+v", s.Env.Pin, want)
	}
	if d := Defaults().Env.Pin; d != (Pin{}) || d.Any() {
		t.Errorf("default env.pin = %+v, want nothing pinned", d)
	}
}

func TestModelPinProblems(t *testing.T) {
	tests := []struct {
		name    string
		machine []int
		data    string
		want    []string
	}{
		{name: "CPUs that do not exist", machine: []int{0, 1},
			data: "env:\n  pin:\n    kafka: 0\n    taskmanagers: 5\n    jobmanager: 1-3\n",
			want: []string{
				`t.yaml:5: env.pin.jobmanager: CPUs 2-3 do not exist on this machine (CPUs 0-1)`,
				`t.yaml:4: env.pin.taskmanagers: CPU 5 does not exist on this machine (CPUs 0-1)`,
			}},
		{name: "malformed lists", machine: []int{0, 1},
			data: "env:\n  pin:\n    kafka: \"1-0\"\n    jobmanager: \"0,,1\"\n    taskmanagers: \"0 1\"\n    harness: cpu0\n",
			want: []string{
				`t.yaml:3: env.pin.kafka: range 1-0 in "1-0" runs backwards (want a-b with a <= b)`,
				`t.yaml:4: env.pin.jobmanager: malformed CPU list "0,,1" (want CPU numbers and ranges such as 0, 0-1 or 0,2)`,
				`t.yaml:5: env.pin.taskmanagers: malformed CPU list "0 1" (want CPU numbers and ranges such as 0, 0-1 or 0,2)`,
				`t.yaml:6: env.pin.harness: malformed CPU list "cpu0" (want CPU numbers and ranges such as 0, 0-1 or 0,2)`,
			}},
		{name: "not a string", machine: []int{0, 1},
			data: "env:\n  pin:\n    kafka: [0, 1]\n",
			want: []string{`t.yaml:3: env.pin.kafka: expected a string, got a list`}},
		{name: "unknown component", machine: []int{0, 1},
			data: "env:\n  pin:\n    taskmanager: 1\n",
			want: []string{`t.yaml:3: env.pin.taskmanager: unknown field (known: kafka, jobmanager, taskmanagers, harness); did you mean "taskmanagers"?`}},
		{name: "abload started pinned", machine: []int{1, 3},
			data: "env:\n  pin:\n    taskmanagers: 0-1\n",
			want: []string{`t.yaml:3: env.pin.taskmanagers: CPU 0: abload may only use CPUs 1,3 here (its CPU affinity when it started)`}},
		{name: "external", machine: []int{0, 1},
			data: "env:\n  kind: external\n  pin:\n    kafka: 0\n    harness: 1\n" + externalEnvYAML,
			want: []string{`t.yaml:4: env.pin.kafka: pinning needs an environment abload runs (local or docker), not external; leave it out`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withMachineCPUs(t, tt.machine...)
			_, err := Parse("t.yaml", []byte(tt.data), nil)
			if got := problems(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
