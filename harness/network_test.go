package harness

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/scenarios"
)

// Matrix points that differ only in env.network's shaping share an
// environment (each run shapes its proxy); points that differ in whether
// there is a proxy do not.
func TestSharedEnvKeyIgnoresShaping(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/network-latency.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	pts := sc.Points()
	if len(pts) != 3 {
		t.Fatalf("%d points", len(pts))
	}
	for _, p := range pts[1:] {
		if !reflect.DeepEqual(SharedEnvKey(pts[0].Scenario), SharedEnvKey(p.Scenario)) {
			t.Errorf("%s and %s do not share an environment", pts[0].Name, p.Name)
		}
	}
	direct, err := scenarios.Load("../scenarios/quick.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := scenarios.Load("../scenarios/quick.yaml", []string{"faults=[{at: 5s, kind: network_cut, duration: 1s}]"})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(SharedEnvKey(direct), SharedEnvKey(cut)) {
		t.Error("a run without the proxy and one with a network fault share an environment")
	}
}

func TestNetworkFaultTarget(t *testing.T) {
	for _, tt := range []struct {
		f    scenarios.Fault
		want string
	}{
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("100ms")}, "network_delay (+100ms)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("100ms"), Jitter: dur("20ms")}, "network_delay (+100ms ±20ms)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "64KB/s"}, "network_bandwidth (64KB/s)"},
		{scenarios.Fault{Kind: scenarios.FaultNetworkCut}, "network_cut"},
	} {
		if got := tt.f.Kind + faultTarget(tt.f); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
}

func dur(s string) scenarios.Duration {
	d, err := scenarios.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

// newShapeProxy is a proxy for checking its shaping: nothing connects, so
// the upstream is never dialled.
func newShapeProxy(t *testing.T) *netproxy.Proxy {
	t.Helper()
	np, err := netproxy.New("127.0.0.1:0", "127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { np.Close() })
	return np
}

// A network fault shapes the proxy for its duration on top of env.network,
// then restores env.network, also when the run stops first.
func TestNetworkFaultRestoresSteadyShaping(t *testing.T) {
	np := newShapeProxy(t)
	sc := &scenarios.Scenario{Env: scenarios.Env{Network: scenarios.Network{Latency: dur("20ms"), Bandwidth: "100KB/s"}}}
	r := &runner{sc: sc, netProxy: np}
	if err := cluster.ShapeNetwork(np, sc.Env.Network); err != nil {
		t.Fatal(err)
	}
	steady := netproxy.Shape{Latency: dur("20ms").Duration, KBps: 100}
	for _, tt := range []struct {
		f    scenarios.Fault
		want netproxy.Shape
		cut  bool
	}{
		{scenarios.Fault{Kind: scenarios.FaultNetworkDelay, Latency: dur("30ms"), Jitter: dur("5ms")}, netproxy.Shape{Latency: dur("50ms").Duration, Jitter: dur("5ms").Duration, KBps: 100}, false},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "50KB/s"}, netproxy.Shape{Latency: dur("20ms").Duration, KBps: 50}, false},
		{scenarios.Fault{Kind: scenarios.FaultNetworkBandwidth, Bandwidth: "1MB/s"}, steady, false}, // env.network's limit is lower
		{scenarios.Fault{Kind: scenarios.FaultNetworkCut}, steady, true},
	} {
		tt.f.Duration = dur("300ms")
		done := make(chan error, 1)
		go func() { done <- r.networkFault(context.Background(), tt.f) }()
		time.Sleep(100 * time.Millisecond)
		if got, cut := np.State(); got != tt.want || cut != tt.cut {
			t.Errorf("%s during the fault: %+v cut %v, want %+v cut %v", tt.f.Kind, got, cut, tt.want, tt.cut)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if got, cut := np.State(); got != steady || cut {
			t.Errorf("%s after the fault: %+v cut %v, want env.network's %+v", tt.f.Kind, got, cut, steady)
		}
	}
	// The run stops during a long cut: lifted at once.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- r.networkFault(ctx, scenarios.Fault{Kind: scenarios.FaultNetworkCut, Duration: dur("1h")})
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the cut outlived the run's context")
	}
	if _, cut := np.State(); cut {
		t.Error("still cut after the run stopped")
	}
}
