package faults

import (
	"context"
	"errors"
	"fmt"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/scenarios"
)

// SetupNetwork gives a run the steady shaping its scenario asks for and
// returns the environment's network proxy (nil: the job's path to the
// broker is direct): an environment shared between runs keeps its proxy,
// each run shapes it.
func SetupNetwork(e env.Environment, sc *scenarios.Scenario, logf func(string, ...any)) (*netproxy.Proxy, error) {
	var np *netproxy.Proxy
	if ns, ok := e.(env.NetworkShaper); ok {
		np = ns.NetProxy()
	}
	if np == nil {
		if sc.NeedsNetProxy() {
			return nil, fmt.Errorf("env.network and network faults need the network proxy between the job and the broker, and this %s environment was started without one", e.Kind())
		}
		return nil, nil
	}
	if err := np.Cut(false); err != nil {
		return nil, err
	}
	if err := cluster.ShapeNetwork(np, sc.Env.Network); err != nil {
		return nil, fmt.Errorf("env.network: %w", err)
	}
	if s := sc.Env.Network.String(); s != "" {
		logf("abload: the job's path to kafka through the network proxy at %s: %s", np.Addr(), s)
	}
	return np, nil
}

// NetworkText is result.environment.network: the steady shaping of the
// job's path to the broker, "unshaped" when it crosses the proxy np with
// none, "" when there is no proxy.
func NetworkText(np *netproxy.Proxy, n scenarios.Network) string {
	if np == nil {
		return ""
	}
	return cluster.ShapingText(n)
}

// networkFault applies a network fault through np for its duration and
// then restores the steady shaping, also when ctx ends first.
func networkFault(ctx context.Context, np *netproxy.Proxy, steady scenarios.Network, f scenarios.Fault) error {
	if np == nil {
		return errors.New("the environment has no network proxy")
	}
	steadyKBps, err := cluster.NetworkKBps(steady.Bandwidth)
	if err != nil {
		return err
	}
	switch f.Kind {
	case scenarios.FaultNetworkDelay:
		err = np.Shape(steady.Latency.Duration+f.Latency.Duration, steady.Jitter.Duration+f.Jitter.Duration, steadyKBps)
	case scenarios.FaultNetworkBandwidth:
		var kbps int64
		if kbps, err = cluster.NetworkKBps(f.Bandwidth); err == nil {
			if steadyKBps > 0 {
				kbps = min(kbps, steadyKBps)
			}
			err = np.Shape(steady.Latency.Duration, steady.Jitter.Duration, kbps)
		}
	case scenarios.FaultNetworkCut:
		err = np.Cut(true)
	default:
		return fmt.Errorf("%s is not a network fault", f.Kind)
	}
	if err == nil {
		load.SleepCtx(ctx, f.Duration.Duration)
	}
	// Restore even when the run is being stopped: the drain and teardown
	// must not find the path cut or slowed.
	return errors.Join(err, np.Cut(false), cluster.ShapeNetwork(np, steady))
}

// networkFaultTarget describes a network fault's setting for logs and
// recovery entries: " (+100ms ±10ms)", " (64KB/s)".
func networkFaultTarget(f scenarios.Fault) string {
	switch f.Kind {
	case scenarios.FaultNetworkDelay:
		if f.Jitter.Duration > 0 {
			return fmt.Sprintf(" (+%s ±%s)", f.Latency, f.Jitter)
		}
		return fmt.Sprintf(" (+%s)", f.Latency)
	case scenarios.FaultNetworkBandwidth:
		return " (" + f.Bandwidth + ")"
	}
	return ""
}
