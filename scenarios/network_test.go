package scenarios

import (
	"reflect"
	"testing"
	"time"
)

func TestBandwidthKBps(t *testing.T) {
	for in, want := range map[string]int64{"512KB/s": 512, "10MB/s": 10000, "1.5GB/s": 1500000, " 1KB/s ": 1, "2.4KB/s": 2, "0.5MB/s": 500} {
		if got, err := BandwidthKBps(in); err != nil || got != want {
			t.Errorf("BandwidthKBps(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "10mbps", "10Mb/s", "10 MiB/s", "-1KB/s", "0KB/s", "0.4KB/s", "2000000GB/s", "1e3KB/s"} {
		if got, err := BandwidthKBps(in); err == nil {
			t.Errorf("BandwidthKBps(%q) = %d, want an error", in, got)
		}
	}
}

func TestNetworkSettings(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`env:
  network: {latency: 50ms, jitter: 80ms, bandwidth: 512KB/s}
faults:
  - {at: 5s, kind: network_delay, duration: 3s, latency: 100ms, jitter: 10ms}
  - {at: 10s, kind: network_cut, duration: 5s}
  - {at: 20s, kind: network_bandwidth, duration: 5s, bandwidth: 64KB/s}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	n := s.Env.Network
	if n.Latency.Duration != 50*time.Millisecond || n.Jitter.Duration != 80*time.Millisecond || n.Bandwidth != "512KB/s" {
		t.Errorf("env.network = %+v", n)
	}
	if got := n.String(); got != "latency=50ms,jitter=80ms,bandwidth=512KB/s" {
		t.Errorf("String() = %q", got)
	}
	want := []Fault{
		{At: Duration{5 * time.Second}, Kind: FaultNetworkDelay, Duration: Duration{3 * time.Second}, Latency: Duration{100 * time.Millisecond}, Jitter: Duration{10 * time.Millisecond}},
		{At: Duration{10 * time.Second}, Kind: FaultNetworkCut, Duration: Duration{5 * time.Second}},
		{At: Duration{20 * time.Second}, Kind: FaultNetworkBandwidth, Duration: Duration{5 * time.Second}, Bandwidth: "64KB/s"},
	}
	if !reflect.DeepEqual(s.Faults, want) {
		t.Errorf("faults =\n%+v\nwant\n%+v", s.Faults, want)
	}
	if !s.NeedsNetProxy() {
		t.Error("NeedsNetProxy = false with env.network set")
	}
}

func TestNeedsNetProxy(t *testing.T) {
	for _, tt := range []struct {
		sets []string
		want bool
	}{
		{nil, false},
		{[]string{"env.network.latency=0ms"}, false},
		{[]string{"env.network.latency=1ms"}, true},
		{[]string{"env.network.jitter=5ms"}, true},
		{[]string{"env.network.bandwidth=1MB/s"}, true},
		{[]string{"env.network.proxy=true"}, true},
		{[]string{"faults=[{at: 1s, kind: pause_taskmanagers, duration: 1s}]"}, false},
		{[]string{"faults=[{at: 1s, kind: network_cut, duration: 1s}]"}, true},
	} {
		s, err := Parse("t.yaml", nil, tt.sets)
		if err != nil {
			t.Fatalf("%v: %v", tt.sets, err)
		}
		if got := s.NeedsNetProxy(); got != tt.want {
			t.Errorf("%v: NeedsNetProxy = %v, want %v", tt.sets, got, tt.want)
		}
	}
}

func TestNetworkProblems(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string
	}{
		{name: "env.network", data: "env:\n  network:\n    latency: -1ms\n    jitter: 1500us\n    bandwidth: 10mbps\n",
			want: []string{
				`t.yaml:3: env.network.latency: must be >= 0, got -1ms`,
				`t.yaml:4: env.network.jitter: must be a whole number of milliseconds, got 1.5ms`,
				`t.yaml:5: env.network.bandwidth: malformed bandwidth "10mbps" (want "" for unlimited, or bytes per second such as 512KB/s, 10MB/s or 1GB/s; 1 KB = 1000 bytes)`,
			}},
		{name: "bandwidth too small", data: "env:\n  network: {bandwidth: 0.1KB/s}\n",
			want: []string{`t.yaml:2: env.network.bandwidth: bandwidth "0.1KB/s" is below the smallest limit, 1KB/s`}},
		{name: "external", data: "env:\n  kind: external\n  network: {latency: 5ms}\n" + externalEnvYAML,
			want: []string{`t.yaml:2: env.network: network shaping needs an environment abload runs (local or docker), not external`}},
		{name: "network faults", data: `faults:
  - {at: 1s, kind: network_delay}
  - {at: 2s, kind: network_delay, duration: 1s, latency: 10ms, jitter: -1ms, bandwidth: 1MB/s}
  - {at: 3s, kind: network_cut, duration: 1s, latency: 10ms, taskmanager: 1}
  - {at: 4s, kind: network_bandwidth, duration: 1s}
  - {at: 5s, kind: network_bandwidth, duration: 1s, bandwidth: fast}
  - {at: 6s, kind: pause_taskmanagers, duration: 1s, jitter: 5ms, bandwidth: 1MB/s}
`,
			want: []string{
				`t.yaml:2: faults[0].latency: must be > 0 for network_delay (added to each direction), got 0s`,
				`t.yaml:2: faults[0].duration: must be > 0, got 0s`,
				`t.yaml:3: faults[1].jitter: must be >= 0, got -1ms`,
				`t.yaml:3: faults[1].bandwidth: is not used by network_delay (only by network_bandwidth); leave it out`,
				`t.yaml:4: faults[2].latency: is not used by network_cut (only by network_delay); leave it out`,
				`t.yaml:4: faults[2].taskmanager: is not used by network_cut; leave it out`,
				`t.yaml:5: faults[3].bandwidth: required for network_bandwidth: the limit, in bytes per second such as 512KB/s or 10MB/s`,
				`t.yaml:6: faults[4].bandwidth: malformed bandwidth "fast" (want bytes per second such as 512KB/s, 10MB/s or 1GB/s; 1 KB = 1000 bytes)`,
				`t.yaml:7: faults[5].jitter: is not used by pause_taskmanagers (only by network_delay); leave it out`,
				`t.yaml:7: faults[5].bandwidth: is not used by pause_taskmanagers (only by network_bandwidth); leave it out`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.data), nil)
			if got := problems(t, err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
