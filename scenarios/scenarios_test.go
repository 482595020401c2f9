package scenarios

import (
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func sec(n float64) Duration { return Duration{time.Duration(n * float64(time.Second))} }

func TestDefaults(t *testing.T) {
	for _, src := range []struct{ name, data string }{
		{"empty", ""},
		{"whitespace", " \n\t\n  "},
		{"comments only", "# nothing here\n\n# still nothing\n"},
		{"null sections", "workload:\nenv:\nkafka:\njob:\n  checkpoint:\n"},
	} {
		t.Run(src.name, func(t *testing.T) {
			s, err := Parse("empty.yaml", []byte(src.data), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tests := []struct {
				path string
				got  any
				want any
			}{
				{"name", s.Name, "empty"},
				{"description", s.Description, ""},
				{"workload.rate", s.Workload.Rate, 1000.0},
				{"workload.duration", s.Workload.Duration, sec(30)},
				{"workload.warmup", s.Workload.Warmup, Warmup{Duration: 10 * time.Second}},
				{"workload.drain_timeout", s.Workload.DrainTimeout, sec(60)},
				{"workload.campaigns", s.Workload.Campaigns, 20},
				{"workload.variants", s.Workload.Variants, []string{"A", "B"}},
				{"workload.recipients", s.Workload.Recipients, int64(100000)},
				{"workload.seed", s.Workload.Seed, int64(1)},
				{"workload.max_send_delay", s.Workload.MaxSendDelay, sec(1)},
				{"workload.max_consumer_delay", s.Workload.MaxConsumerDelay, sec(2)},
				{"env.kind", s.Env.Kind, "local"},
				{"env.taskmanagers", s.Env.TaskManagers, 1},
				{"env.slots", s.Env.Slots, 2},
				{"env.taskmanager_memory", s.Env.TaskManagerMemory, "1536m"},
				{"env.jobmanager_memory", s.Env.JobManagerMemory, "1024m"},
				{"env.kafka_heap", s.Env.KafkaHeap, "768m"},
				{"env.startup_timeout", s.Env.StartupTimeout, sec(180)},
				{"kafka.partitions", s.Kafka.Partitions, 4},
				{"kafka.acks", s.Kafka.Acks, "all"},
				{"kafka.linger", s.Kafka.Linger, sec(0.005)},
				{"kafka.compression", s.Kafka.Compression, "none"},
				{"job.parallelism", s.Job.Parallelism, 2},
				{"job.window.size", s.Job.Window.Size, sec(10)},
				{"job.out_of_orderness", s.Job.OutOfOrderness, sec(2)},
				{"job.idleness", s.Job.Idleness, sec(5)},
				{"job.state_ttl", s.Job.StateTTL, sec(3600)},
				{"job.checkpoint.interval", s.Job.Checkpoint.Interval, sec(10)},
				{"job.outputs.updates", s.Job.Outputs.Updates, true},
				{"job.outputs.windows", s.Job.Outputs.Windows, true},
				{"job.sink_linger", s.Job.SinkLinger, sec(0.005)},
				{"gates", s.Gates, []string(nil)},
				{"repetitions", s.Repetitions, 1},
				{"source", s.Source, "empty.yaml"},
			}
			for _, tt := range tests {
				if !reflect.DeepEqual(tt.got, tt.want) {
					t.Errorf("%s = %#v, want %#v", tt.path, tt.got, tt.want)
				}
			}
		})
	}
}

func TestDefaultsAreIndependent(t *testing.T) {
	a := Defaults()
	a.Workload.Variants[0] = "Z"
	if b := Defaults(); b.Workload.Variants[0] != "A" {
		t.Fatalf("Defaults shares the variants slice between calls")
	}
}

func TestLoadQuick(t *testing.T) {
	s, err := Load("quick.yaml", nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Defaults()
	want.Name = "quick"
	want.Description = s.Description
	want.Source = "quick.yaml"
	want.Workload.Rate = 2000
	want.Workload.Warmup = Warmup{Duration: DefaultWarmupMax, Auto: true}
	want.Workload.Duration = sec(20)
	want.Job.Window.Size = sec(5)
	want.Workload.Cooldown = sec(7) // window size + out_of_orderness
	s.origins = nil
	if !reflect.DeepEqual(s, want) {
		t.Errorf("quick.yaml resolved to\n%+v\nwant\n%+v", s, want)
	}
	if s.Description == "" {
		t.Errorf("quick.yaml has no description")
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
}

func TestParseValues(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		check func(*Scenario) bool
	}{
		{"integral float as integer", "workload:\n  recipients: 1e6\n", func(s *Scenario) bool { return s.Workload.Recipients == 1000000 }},
		{"integer as number", "workload:\n  rate: 5\n", func(s *Scenario) bool { return s.Workload.Rate == 5 }},
		{"underscores in integers", "workload:\n  recipients: 1_000\n", func(s *Scenario) bool { return s.Workload.Recipients == 1000 }},
		{"zero duration", "job:\n  checkpoint:\n    interval: 0\n", func(s *Scenario) bool { return s.Job.Checkpoint.Interval.Duration == 0 }},
		{"compound duration", "workload:\n  duration: 1m30s\n", func(s *Scenario) bool { return s.Workload.Duration == sec(90) }},
		{"numeric-looking variants", "workload:\n  variants: [1, 2, 3]\n", func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Variants, []string{"1", "2", "3"})
		}},
		{"block list", "gates:\n  - e2e.p99 < 250ms\n  - e2e.p50 < 50ms\n", func(s *Scenario) bool { return len(s.Gates) == 2 }},
		{"anchor and alias", "workload:\n  duration: &d 45s\n  drain_timeout: *d\n", func(s *Scenario) bool { return s.Workload.DrainTimeout == sec(45) }},
		{"merge key, own keys win", "job:\n  <<: {parallelism: 1, idleness: 20s}\n  idleness: 30s\n", func(s *Scenario) bool {
			return s.Job.Parallelism == 1 && s.Job.Idleness == sec(30)
		}},
		{"merge list, earlier wins", "job:\n  <<: [{idleness: 20s}, {idleness: 40s, out_of_orderness: 1s}]\n", func(s *Scenario) bool {
			return s.Job.Idleness == sec(20) && s.Job.OutOfOrderness == sec(1)
		}},
		{"null leaf keeps default", "workload:\n  rate:\n", func(s *Scenario) bool { return s.Workload.Rate == 1000 }},
		{"explicit name", "name: other\n", func(s *Scenario) bool { return s.Name == "other" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.data), nil)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("unexpected result: %+v", s)
			}
		})
	}
}

// problems returns the Problem strings of a *ValidationError.
func problems(t *testing.T, err error) []string {
	t.Helper()
	return problemTexts(t, err, Problem.String)
}

// problemTexts formats each problem of a *ValidationError with f.
func problemTexts(t *testing.T, err error, f func(Problem) string) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = f(p)
	}
	return out
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		sets []string
		want []string
	}{
		{
			name: "unknown field with line and full path",
			data: "name: q\nworkload:\n  rate: 10\n  rte: 5\n",
			want: []string{`t.yaml:4: workload.rte: unknown field (known: rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill); did you mean "rate"?`},
		},
		{
			name: "unknown top-level section",
			data: "bogus: {}\n",
			want: []string{`t.yaml:1: bogus: unknown field (known: name, description, workload, env, kafka, job, faults, scaling, gates, repetitions, capacity, matrix)`},
		},
		{
			name: "unknown nested field",
			data: "job:\n  checkpoint:\n    intervall: 1s\n",
			want: []string{`t.yaml:3: job.checkpoint.intervall: unknown field (known: interval, mode, unaligned, timeout, min_pause, incremental, control_run, sync_pause); did you mean "interval"?`},
		},
		{
			name: "sync pause without checkpoints",
			data: "job:\n  delivery: at_least_once\n  checkpoint:\n    interval: 0s\n    sync_pause: 1s\n",
			want: []string{`t.yaml:5: job.checkpoint.sync_pause: needs checkpointing (job.checkpoint.interval > 0): it pauses each checkpoint`},
		},
		{
			name: "sync pause beyond the checkpoint timeout",
			data: "job:\n  checkpoint:\n    timeout: 10s\n    sync_pause: 10s\n",
			want: []string{`t.yaml:4: job.checkpoint.sync_pause: must be below job.checkpoint.timeout (10s), or every checkpoint fails, got 10s`},
		},
		{
			name: "negative rate",
			data: "workload:\n  rate: -5\n",
			want: []string{`t.yaml:2: workload.rate: must be a finite number > 0 (events/s), got -5`},
		},
		{
			name: "malformed duration",
			data: "workload:\n  duration: 30 seconds\n",
			want: []string{`t.yaml:2: workload.duration: malformed duration "30 seconds" (want a Go duration such as 30s, 1m30s, 200ms)`},
		},
		{
			name: "unitless duration",
			data: "workload:\n  warmup: 30\n",
			want: []string{`t.yaml:2: workload.warmup: malformed warmup "30" (want auto, or a Go duration such as 10s)`},
		},
		{
			name: "zero parallelism",
			data: "job:\n  parallelism: 0\n",
			want: []string{`t.yaml:2: job.parallelism: must be >= 1, got 0`},
		},
		{
			name: "string for integer",
			data: "job:\n  parallelism: two\n",
			want: []string{`t.yaml:2: job.parallelism: expected an integer, got "two"`},
		},
		{
			name: "fractional integer",
			data: "job:\n  parallelism: 1.5\n",
			want: []string{`t.yaml:2: job.parallelism: expected an integer, got "1.5"`},
		},
		{
			name: "quoted number for number",
			data: "workload:\n  rate: \"100\"\n",
			want: []string{`t.yaml:2: workload.rate: expected a number, got "100"`},
		},
		{
			name: "non-bool for bool",
			data: "job:\n  outputs:\n    updates: yes\n",
			want: []string{`t.yaml:3: job.outputs.updates: expected true or false, got "yes"`},
		},
		{
			name: "scalar for section",
			data: "workload: fast\n",
			want: []string{`t.yaml:1: workload: expected a mapping (rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill), got "fast"`},
		},
		{
			name: "scalar for list",
			data: "workload:\n  variants: A\n",
			want: []string{`t.yaml:2: workload.variants: expected a list of strings such as [A, B], got "A"`},
		},
		{
			name: "list element not a string",
			data: "workload:\n  variants:\n    - A\n    - [B]\n",
			want: []string{`t.yaml:4: workload.variants[1]: expected a string, got a list`},
		},
		{
			name: "duplicate variants",
			data: "workload:\n  variants: [A, B, A]\n",
			want: []string{`t.yaml:2: workload.variants[2]: duplicate variant "A" (also [0])`},
		},
		{
			name: "too many variants",
			data: "workload:\n  variants: [A,B,C,D,E,F,G,H,I,J,K,L,M,N,O,P,Q,R,S,T,U,V,W,X,Y,Z,AA]\n",
			want: []string{`t.yaml:2: workload.variants: must have 1 to 26 variants, got 27`},
		},
		{
			name: "empty variant list",
			data: "workload:\n  variants: []\n",
			want: []string{`t.yaml:2: workload.variants: must have 1 to 26 variants, got 0`},
		},
		{
			name: "duplicate key",
			data: "workload:\n  rate: 1\n  rate: 2\n",
			want: []string{`t.yaml:3: workload.rate: duplicate field (first set at line 2)`},
		},
		{
			name: "enum",
			data: "kafka:\n  acks: 1\n  compression: brotli\n",
			want: []string{
				`t.yaml:2: kafka.acks: must be one of all, leader, none, got "1"`,
				`t.yaml:3: kafka.compression: must be one of none, gzip, snappy, lz4, zstd, got "brotli"`,
			},
		},
		{
			name: "memory sizes",
			data: "env:\n  taskmanager_memory: 2 gigs\n  kafka_heap: 1536\n",
			want: []string{
				`t.yaml:2: env.taskmanager_memory: malformed memory size "2 gigs" (want a Flink memory size such as 1536m or 2g)`,
				`t.yaml:3: env.kafka_heap: malformed memory size "1536" (want a JVM heap size such as 768m or 1g)`,
			},
		},
		{
			name: "jvm options",
			data: "env:\n  jvm_options: [-XX:+UseSerialGC, 'rm -rf /', -Xss1m]\n",
			want: []string{`t.yaml:2: env.jvm_options[1]: must be one JVM option such as -XX:+UseParallelGC or -Xlog:gc*:file=gc.log (a leading -, then letters, digits and :+=._/,%@*- only), got "rm -rf /"`},
		},
		{
			name: "parallelism exceeds slots",
			data: "env:\n  taskmanagers: 2\n  slots: 2\njob:\n  parallelism: 5\n",
			want: []string{`t.yaml:5: job.parallelism: 5 exceeds the 4 task slots of env.taskmanagers × env.slots (2 × 2)`},
		},
		{
			name: "checkpoint interval too small",
			data: "job:\n  checkpoint:\n    interval: 5ms\n",
			want: []string{`t.yaml:3: job.checkpoint.interval: must be 0 (off) or >= 10ms, got 5ms`},
		},
		{
			name: "sub-millisecond window",
			data: "job:\n  window:\n    size: 1500us\n",
			want: []string{`t.yaml:3: job.window.size: must be a whole number of milliseconds, got 1.5ms`},
		},
		{
			name: "no outputs",
			data: "job:\n  outputs: {updates: false, windows: false}\n",
			want: []string{`t.yaml: job.outputs: at least one of updates and windows must be true (abload's job writes one of them at least)`},
		},
		{
			name: "bad name from file",
			data: "name: my test\n",
			want: []string{`t.yaml:1: name: must be at most 100 letters, digits, '.', '_' or '-' starting with a letter or digit (it names runs and topics), got "my test"`},
		},
		{
			name: "syntax error",
			data: "workload:\n  rate: 1\n bad: [\n",
			// yaml.v3 reports the line of the enclosing mapping.
			want: []string{`t.yaml:2: invalid YAML: did not find expected key`},
		},
		{
			name: "top level not a mapping",
			data: "- a\n- b\n",
			want: []string{`t.yaml:1: expected a mapping (name, description, workload, env, kafka, job, faults, scaling, gates, repetitions, capacity, matrix), got a list`},
		},
		{
			name: "two documents",
			data: "name: a\n---\nname: b\n",
			want: []string{`t.yaml:2: only one YAML document is allowed`},
		},
		{
			name: "empty gate",
			data: "gates: [\"e2e.p99 < 1s\", \" \"]\n",
			want: []string{`t.yaml:1: gates[1]: must not be empty`},
		},
		{
			name: "zero repetitions",
			data: "repetitions: 0\n",
			want: []string{`t.yaml:1: repetitions: must be >= 1, got 0`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.data), tt.sets)
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want problems %q", s, tt.want)
			}
			if s != nil {
				t.Errorf("Parse returned a scenario with an error")
			}
			if got := problems(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	data := `name: many
workload:
  rate: -1
  duration: 30 seconds
  rte: 5
  campaigns: 0
env:
  slots: x
kafka:
  acks: most
job:
  parallelism: 0
  window: {size: 0s}
`
	want := []string{
		`many.yaml:4: workload.duration: malformed duration "30 seconds" (want a Go duration such as 30s, 1m30s, 200ms)`,
		`many.yaml:5: workload.rte: unknown field (known: rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill); did you mean "rate"?`,
		`many.yaml:8: env.slots: expected an integer, got "x"`,
		`--set workload.seed=abc: workload.seed: expected an integer, got "abc"`,
		`many.yaml:3: workload.rate: must be a finite number > 0 (events/s), got -1`,
		`many.yaml:6: workload.campaigns: must be >= 1, got 0`,
		`many.yaml:10: kafka.acks: must be one of all, leader, none, got "most"`,
		`many.yaml:12: job.parallelism: must be >= 1, got 0`,
		`many.yaml:13: job.window.size: must be > 0, got 0s`,
	}
	_, err := Parse("many.yaml", []byte(data), []string{"workload.seed=abc"})
	got := problems(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	if msg := err.Error(); strings.Count(msg, "\n") != len(want)-1 {
		t.Errorf("Error() should list one problem per line, got:\n%s", msg)
	}
}

func TestSetOverrides(t *testing.T) {
	file := "workload:\n  rate: 500\n  duration: 10s\njob:\n  checkpoint:\n    interval: 1s\n"
	tests := []struct {
		name  string
		sets  []string
		check func(*Scenario) bool
	}{
		{"file beats default", nil, func(s *Scenario) bool {
			return s.Workload.Rate == 500 && s.Workload.Warmup == Warmup{Duration: 10 * time.Second}
		}},
		{"set beats file", []string{"workload.rate=5000"}, func(s *Scenario) bool { return s.Workload.Rate == 5000 }},
		{"later set wins", []string{"workload.rate=1", "workload.rate=2"}, func(s *Scenario) bool { return s.Workload.Rate == 2 }},
		{"duration", []string{"workload.duration=1m"}, func(s *Scenario) bool { return s.Workload.Duration == sec(60) }},
		{"nested path", []string{"job.checkpoint.interval=200ms"}, func(s *Scenario) bool { return s.Job.Checkpoint.Interval == sec(0.2) }},
		{"checkpoint off", []string{"job.checkpoint.interval=0"}, func(s *Scenario) bool { return s.Job.Checkpoint.Interval.Duration == 0 }},
		{"flow list", []string{"workload.variants=[A,B,C]"}, func(s *Scenario) bool {
			return reflect.DeepEqual(s.Workload.Variants, []string{"A", "B", "C"})
		}},
		{"bool", []string{"job.outputs.windows=false"}, func(s *Scenario) bool { return !s.Job.Outputs.Windows && s.Job.Outputs.Updates }},
		{"string", []string{"kafka.compression=zstd"}, func(s *Scenario) bool { return s.Kafka.Compression == "zstd" }},
		{"whole section", []string{"job.checkpoint={interval: 30s}"}, func(s *Scenario) bool { return s.Job.Checkpoint.Interval == sec(30) }},
		{"value containing =", []string{"description=a=b"}, func(s *Scenario) bool { return s.Description == "a=b" }},
		{"name", []string{"name=renamed"}, func(s *Scenario) bool { return s.Name == "renamed" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("f.yaml", []byte(file), tt.sets)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !tt.check(s) {
				t.Errorf("unexpected result: %+v", s)
			}
		})
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name string
		sets []string
		want []string
	}{
		{"negative rate", []string{"workload.rate=-5"}, []string{`--set workload.rate=-5: workload.rate: must be a finite number > 0 (events/s), got -5`}},
		{"unknown path", []string{"workload.rte=5"}, []string{`--set workload.rte=5: workload.rte: unknown field "rte" in workload (known: rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill); did you mean "rate"?`}},
		{"unknown section", []string{"fault.kill=1"}, []string{`--set fault.kill=1: fault.kill: unknown field "fault" in the scenario (known: name, description, workload, env, kafka, job, faults, scaling, gates, repetitions, capacity, matrix); did you mean "faults"?`}},
		{"path through a leaf", []string{"workload.rate.x=1"}, []string{`--set workload.rate.x=1: workload.rate.x: workload.rate is a number, not a section`}},
		{"missing =", []string{"x"}, []string{`--set x: want PATH=VALUE, e.g. workload.rate=5000`}},
		{"empty path", []string{"=5"}, []string{`--set =5: want PATH=VALUE, e.g. workload.rate=5000`}},
		{"missing value", []string{"workload.rate="}, []string{`--set workload.rate=: workload.rate: missing value (want a number)`}},
		{"malformed duration", []string{"workload.duration=30 seconds"}, []string{`--set workload.duration=30 seconds: workload.duration: malformed duration "30 seconds" (want a Go duration such as 30s, 1m30s, 200ms)`}},
		{"type mismatch", []string{"job.parallelism=many"}, []string{`--set job.parallelism=many: job.parallelism: expected an integer, got "many"`}},
		{"bad YAML", []string{"workload.variants=[A,"}, []string{`--set workload.variants=[A,: workload.variants: invalid YAML: did not find expected node content`}},
		{"zero parallelism", []string{"job.parallelism=0"}, []string{`--set job.parallelism=0: job.parallelism: must be >= 1, got 0`}},
		{"several", []string{"job.parallelism=0", "x", "kafka.acks=some"}, []string{
			`--set x: want PATH=VALUE, e.g. workload.rate=5000`,
			`--set kafka.acks=some: kafka.acks: must be one of all, leader, none, got "some"`,
			`--set job.parallelism=0: job.parallelism: must be >= 1, got 0`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.yaml", nil, tt.sets)
			if got := problems(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestSetMethod(t *testing.T) {
	s := Defaults()
	s.Name = "x"
	if err := s.Set("workload.rate", "250"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if s.Workload.Rate != 250 {
		t.Errorf("rate = %v, want 250", s.Workload.Rate)
	}
	if err := s.Set("workload.rate", "fast"); err == nil {
		t.Errorf("Set(fast) succeeded")
	}
	if err := s.Set("job.parallelism", "0"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got := problems(t, s.Validate())
	want := []string{`--set job.parallelism=0: job.parallelism: must be >= 1, got 0`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate after Set:\n got %q\nwant %q", got, want)
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	s := Defaults()
	s.Name = "code"
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate(defaults) = %v", err)
	}
	s.Workload.Rate = 0
	s.Env.Kind = "k8s"
	want := []string{
		`workload.rate: must be a finite number > 0 (events/s), got 0`,
		`env.kind: must be one of local, docker, external, got "k8s"`,
	}
	if got := problems(t, s.Validate()); !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
	s.Name = ""
	if got := problems(t, s.Validate()); got[0] != "name: required" {
		t.Errorf("first problem = %q, want name: required", got[0])
	}
}

func TestExternalSkipsSlotCheck(t *testing.T) {
	if _, err := Parse("x.yaml", []byte("env:\n  kind: external\n"+externalEnvYAML+"job: {parallelism: 64}\n"), nil); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{"all parts", Problem{File: "a.yaml", Line: 3, Path: "job.window", Msg: "bad"}, "a.yaml:3: job.window: bad"},
		{"no line", Problem{File: "a.yaml", Path: "job.window", Msg: "bad"}, "a.yaml: job.window: bad"},
		{"no path", Problem{File: "a.yaml", Line: 1, Msg: "bad"}, "a.yaml:1: bad"},
		{"set", Problem{File: "--set workload.rate=-5", Path: "workload.rate", Msg: "bad"}, "--set workload.rate=-5: workload.rate: bad"},
		{"bare", Problem{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		text string
	}{
		{"seconds", "30s", 30 * time.Second, "30s"},
		{"minutes and seconds", "1m30s", 90 * time.Second, "1m30s"},
		{"whole minutes", "180s", 3 * time.Minute, "3m"},
		{"whole hours", "1h", time.Hour, "1h"},
		{"hours and seconds", "1h0m5s", time.Hour + 5*time.Second, "1h0m5s"},
		{"millis", "200ms", 200 * time.Millisecond, "200ms"},
		{"zero", "0", 0, "0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDuration(tt.in)
			if err != nil || d.Duration != tt.want {
				t.Fatalf("ParseDuration(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
			}
			if d.String() != tt.text {
				t.Errorf("String() = %q, want %q", d.String(), tt.text)
			}
			b, err := json.Marshal(d)
			if err != nil || string(b) != `"`+tt.text+`"` {
				t.Errorf("MarshalJSON = %s, %v", b, err)
			}
			var back Duration
			if err := json.Unmarshal(b, &back); err != nil || back != d {
				t.Errorf("JSON round trip = %v, %v", back, err)
			}
			y, err := yaml.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			var yback Duration
			if err := yaml.Unmarshal(y, &yback); err != nil || yback != d {
				t.Errorf("YAML round trip of %q = %v, %v", y, yback, err)
			}
		})
	}
	var d Duration
	if err := json.Unmarshal([]byte(`30`), &d); err == nil {
		t.Errorf("UnmarshalJSON(30) succeeded; want an error for a bare number")
	}
}

func TestScenarioJSON(t *testing.T) {
	s, err := Load("quick.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"name":"quick"`, `"duration":"20s"`, `"checkpoint":{"interval":"10s",`, `"taskmanagers":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Scenario
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.Source, s.origins = s.Source, nil
	if !reflect.DeepEqual(&back, s) {
		t.Errorf("JSON round trip:\n got %+v\nwant %+v", &back, s)
	}
}

// leaves lists the dot paths of every leaf field of t, by reflection.
func leaves(t reflect.Type, prefix string) []string {
	var out []string
	for _, name := range fieldsOf(t).names {
		f := t.Field(fieldsOf(t).index[name])
		p := join(prefix, name)
		switch {
		case isSection(f.Type):
			out = append(out, leaves(f.Type, p)...)
		case f.Type.Kind() == reflect.Slice && isSection(f.Type.Elem()):
			// A list of mappings: the list itself (its default), then its
			// elements' fields as "list[].field".
			out = append(out, p)
			out = append(out, leaves(f.Type.Elem(), p+"[]")...)
		default:
			out = append(out, p)
		}
	}
	return out
}

func TestFieldsCoverEveryLeaf(t *testing.T) {
	want := leaves(reflect.TypeOf(Scenario{}), "")
	fields := Fields()
	var got []string
	for _, f := range fields {
		got = append(got, f.Path)
		if f.Doc == "" || f.Type == "" || f.Default == "" {
			t.Errorf("field %s is not fully documented: %+v", f.Path, f)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() paths (in order):\n got %q\nwant %q", got, want)
	}
	byPath := map[string]FieldDoc{}
	for _, f := range fields {
		byPath[f.Path] = f
	}
	spot := []struct{ path, typ, def string }{
		{"workload.rate", "number", "1000"},
		{"workload.variants", "list of strings", "[A, B]"},
		{"env.startup_timeout", "duration", "3m"},
		{"job.outputs.updates", "bool", "true"},
		{"workload.recipients", "integer", "100000"},
		{"gates", "list of strings", "[]"},
		{"workload.funnel.open", "list of numbers", "[0.2]"},
		{"workload.profile.steps", "list of {at, rate}", "[]"},
		{"workload.profile.steps[].at", "duration", "required"},
		{"workload.profile.points[].rate", "number", "required"},
		{"workload.funnel.delays.open.median", "duration", "20m"},
		{"workload.skew.campaigns.s", "number", "1"},
	}
	for _, s := range spot {
		if f := byPath[s.path]; f.Type != s.typ || f.Default != s.def {
			t.Errorf("%s: type %q default %q, want %q %q", s.path, f.Type, f.Default, s.typ, s.def)
		}
	}
	if md := FieldsMarkdown(); strings.Count(md, "\n") != len(want)+2 {
		t.Errorf("FieldsMarkdown has %d lines, want %d", strings.Count(md, "\n"), len(want)+2)
	}
}

// workload.cooldown defaults to window size (or gap) + out_of_orderness
// with windows on, 0 without; a cooldown set anywhere wins.
func TestDefaultCooldown(t *testing.T) {
	for _, tc := range []struct {
		sets []string
		want time.Duration
	}{
		{nil, 7 * time.Second}, // quick: 5s windows + 2s
		{[]string{"job.window.size=20s"}, 22 * time.Second},
		{[]string{"job.window.kind=session", "job.window.gap=3s", "job.window.size=0s"}, 5 * time.Second},
		{[]string{"job.outputs.windows=false"}, 0},
		{[]string{"workload.cooldown=1s"}, time.Second},
		{[]string{"workload.cooldown=0s"}, 0},
	} {
		s, err := Load("quick.yaml", tc.sets)
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		if s.Workload.Cooldown.Duration != tc.want {
			t.Errorf("%v: cooldown %s, want %s", tc.sets, s.Workload.Cooldown, tc.want)
		}
	}
}

// Memory sizes: binary units, and a size that overflows 64 bits of bytes
// is an error (it used to wrap to 0, which Docker reads as no limit),
// named with its field by validation.
func TestMemoryBytes(t *testing.T) {
	for in, want := range map[string]int64{"1536m": 1536 << 20, "2g": 2 << 30, "64 mb": 64 << 20, "1t": 1 << 40, "768M": 768 << 20, "8388607t": 8388607 << 40} {
		if got, err := MemoryBytes(in); err != nil || got != want {
			t.Errorf("MemoryBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"16777216t", "8388608t", "9223372036854775807k", "99999999999999999999m", "12", "1x", ""} {
		if got, err := MemoryBytes(in); err == nil {
			t.Errorf("MemoryBytes(%q) = %d, want an error", in, got)
		}
	}
	_, err := Parse("t.yaml", []byte("env:\n  taskmanager_memory: 16777216t\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "env.taskmanager_memory") || !strings.Contains(err.Error(), "too large") {
		t.Errorf("an overflowing memory size: %v; want an error naming env.taskmanager_memory", err)
	}
}

// env.jvm_options defaults to $ABLOAD_JVM_OPTIONS split at whitespace; a
// scenario's own list replaces it; an external environment takes the
// default (its JVMs are not abload's) but refuses options of its own.
func TestJVMOptionsDefault(t *testing.T) {
	t.Setenv(JVMOptionsEnv, "")
	if d := Defaults().Env.JVMOptions; d != nil {
		t.Errorf("unset: %q, want none", d)
	}
	t.Setenv(JVMOptionsEnv, "  -XX:TieredStopAtLevel=1 \t-XX:+UseSerialGC ")
	want := []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"}
	if d := Defaults().Env.JVMOptions; !slices.Equal(d, want) {
		t.Errorf("default %q, want %q", d, want)
	}
	s, err := Parse("x.yaml", []byte("name: x\n"), []string{"env.jvm_options=[-Xss1m]"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Env.JVMOptions, []string{"-Xss1m"}) {
		t.Errorf("--set: %q, want [-Xss1m] alone", s.Env.JVMOptions)
	}
	if s, err := Parse("x.yaml", []byte(externalBase), nil); err != nil || s.Env.JVMOptions != nil {
		t.Errorf("external with the default: %v, options %q; want none (not abload's JVMs)", err, s.Env.JVMOptions)
	}
	// An explicit empty list turns the default off.
	if s, err := Parse("x.yaml", []byte("env:\n  jvm_options: []\n"), nil); err != nil || len(s.Env.JVMOptions) != 0 {
		t.Errorf("jvm_options: []: %v, %q; want none", err, s.Env.JVMOptions)
	}
	// A bad default is named as the variable's.
	t.Setenv(JVMOptionsEnv, "-Xss1m -XX:OnError=kill;rm")
	if _, err := Parse("x.yaml", []byte("name: x\n"), nil); err == nil || !strings.Contains(err.Error(), `got "-XX:OnError=kill;rm" (from $ABLOAD_JVM_OPTIONS)`) {
		t.Errorf("a bad $%s: %v", JVMOptionsEnv, err)
	}
	t.Setenv(JVMOptionsEnv, "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
	_, err = Parse("x.yaml", []byte(externalBase+"  jvm_options: [-Xss1m]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "env.jvm_options: applies to the JVMs abload starts") {
		t.Errorf("external with options of its own: %v", err)
	}
}
