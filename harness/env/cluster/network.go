package cluster

import (
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/scenarios"
)

// ShapeNetwork applies a scenario's env.network as the proxy's steady
// shaping (nothing set removes all shaping).
func ShapeNetwork(np *netproxy.Proxy, n scenarios.Network) error {
	kbps, err := NetworkKBps(n.Bandwidth)
	if err != nil {
		return err
	}
	return np.Shape(n.Latency.Duration, n.Jitter.Duration, kbps)
}

// NetworkKBps is a bandwidth as env.network and the network faults write
// it, in KB/s (0: none set, no limit).
func NetworkKBps(bw string) (int64, error) {
	if bw == "" {
		return 0, nil
	}
	return scenarios.BandwidthKBps(bw)
}

// ShapingText is n's shaping for log lines ("unshaped" when none).
func ShapingText(n scenarios.Network) string {
	if s := n.String(); s != "" {
		return s
	}
	return "unshaped"
}
