package harness

import (
	"context"
	"errors"
	"fmt"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/netproxy"
	"github.com/abload/abload/scenarios"
)

// envNetProxy is the environment's network proxy, if it has one.
func envNetProxy(e env.Environment) *netproxy.Proxy {
	if ns, ok := e.(env.NetworkShaper); ok {
		return ns.NetProxy()
	}
	return nil
}

// setupNetwork gives the run the steady shaping its scenario asks for: an
// environment shared between runs keeps its proxy, each run shapes it.
func (r *runner) setupNetwork() error {
	r.netProxy = envNetProxy(r.env)
	if r.netProxy == nil {
		if r.sc.NeedsNetProxy() {
			return fmt.Errorf("env.network and network faults need the network proxy between the job and the broker, and this %s environment was started without one", r.env.Kind())
		}
		return nil
	}
	if err := r.netProxy.Cut(false); err != nil {
		return err
	}
	if err := cluster.ShapeNetwork(r.netProxy, r.sc.Env.Network); err != nil {
		return fmt.Errorf("env.network: %w", err)
	}
	if s := r.sc.Env.Network.String(); s != "" {
		r.con.Logf("abload: the job's path to kafka through the network proxy at %s: %s", r.netProxy.Addr(), s)
	}
	return nil
}

// networkText is result.environment.network: the steady shaping of the
// job's path to the broker, "unshaped" when it crosses the proxy with none,
// "" when there is no proxy.
func (r *runner) networkText() string {
	if r.netProxy == nil {
		return ""
	}
	return cluster.ShapingText(r.sc.Env.Network)
}

// networkFault applies a network fault for its duration and then restores
// env.network's steady shaping, also when ctx ends first.
func (r *runner) networkFault(ctx context.Context, f scenarios.Fault) error {
	np := r.netProxy
	if np == nil {
		return errors.New("the environment has no network proxy")
	}
	steady := r.sc.Env.Network
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
		sleepCtx(ctx, f.Duration.Duration)
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
