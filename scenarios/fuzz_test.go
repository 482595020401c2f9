package scenarios

import (
	"os"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

func FuzzParse(f *testing.F) {
	quick, err := os.ReadFile("quick.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(quick),
		"",
		"workload:\n  rate: -5\n  rte: 1\n",
		"job:\n  <<: [{parallelism: 1}, {window: {size: 1s}}]\n",
		"job:\n  window: {kind: sliding, size: 10s, slide: 2s, allowed_lateness: 1s}\n  skew_mitigation: {kind: salted, salts: 16}\n",
		"job:\n  window: {kind: session, gap: 3s}\n  serializer: kryo\n  stage_parallelism: {dedupe: 1, windows: 2}\n",
		"workload:\n  prefill: {keys: 1000}\n  cooldown: 5s\nenv:\n  network_memory: 64m\n  heartbeat_timeout: 30s\nkafka:\n  batch_size: 65536\n",
		"job:\n  restore_from: results/x/savepoint/savepoint-1\n  savepoint_at_end: true\n",
		"env:\n  taskmanagers: 2\n  restart_delay: 2s\nfaults:\n  - {at: 20s, kind: kill_taskmanager, taskmanager: 2}\n  - {at: 30s, kind: pause_taskmanagers, duration: 3s}\n  - {at: 35s, kind: restart_broker}\n",
		"a: &a [x, x]\nb: &b [*a, *a]\n",
		"workload:\n  variants: [A, B, A]\n",
		"- 1\n- 2\n",
		"name: a\n---\nname: b\n",
		"workload:\n  profile:\n    kind: step\n    steps: [{at: 1s, rate: 5}, {at: 2s, rate: 1e-7}]\n",
		"workload:\n  profile: {kind: piecewise, points: [&p {at: 0s, rate: 1}, {<<: *p, at: 1s}], interpolate: step}\n",
		"workload:\n  variants: [A, B, C]\n  funnel: {open: [0.1, 0.2, 0.3], click: [1], delays: {open: {median: 1h, sigma: 0}}}\n",
		"workload:\n  skew: {campaigns: {kind: hotset, hot_keys: 3, hot_share: 0.9, move_every: 10s}, recipients: {kind: zipf, s: 1.5}}\n",
		"workload:\n  encoding: binary\n  lanes: 8\n  disorder: {max_delay: 1s, late_fraction: 0.01, late_by: 3s, duplicates: 0.5}\n",
		"job: &p {<<: *p, window: {size: 1s}}\n",
		"matrix:\n  job.checkpoint.interval: [1s, 10s]\n  job.state_backend: [hashmap, rocksdb]\n",
		"matrix:\n  - {job.state_backend: hashmap}\n  - {job.state_backend: rocksdb, job.checkpoint.incremental: true}\n",
		"gates: []\nworkload:\n  profile: {kind: ramp, from: 1, to: 2, steps: []}\n",
		"env:\n  kind: external\n  max_clock_offset: 20ms\n  external:\n    kafka: {bootstrap: [b:9093], tls: {enabled: true, ca_file: ca.pem}, sasl: {mechanism: SCRAM-SHA-512, username: u, password_env: P}}\n    flink: {rest: 'https://jm:8081', auth_env: T}\n    topics: {prefix: x-, updates: up, allow_write: true}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.yaml", data, nil)
		if err != nil {
			if s != nil {
				t.Fatalf("Parse returned both a scenario and an error")
			}
			if err.Error() == "" {
				t.Fatalf("empty error message")
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("Parse accepted a scenario that Validate rejects: %v", err)
		}
		// Whatever parses must survive a round trip through YAML.
		out, err := yaml.Marshal(s)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse("fuzz.yaml", out, nil)
		if err != nil {
			t.Fatalf("re-Parse of\n%s\nfailed: %v", out, err)
		}
		for _, p := range s.Points() {
			if err := p.Scenario.Validate(); err != nil {
				t.Fatalf("Parse accepted point %s that Validate rejects: %v", p.Name, err)
			}
		}
		if got, want := pointNamesOf(back), pointNamesOf(s); !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip changed the points: %q, want %q", got, want)
		}
		// Matrix entries remember their lines, which a round trip changes.
		if s.Matrix != nil {
			s.Matrix, back.Matrix = nil, nil
		}
		s.origins, back.origins = nil, nil
		s.points, back.points = nil, nil
		if !reflect.DeepEqual(s, back) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", s, back)
		}
	})
}

func pointNamesOf(s *Scenario) []string {
	var out []string
	for _, p := range s.Points() {
		out = append(out, p.Name)
		out = append(out, p.Settings...)
	}
	return out
}
