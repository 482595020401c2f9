package scenarios

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// checkNetwork checks env.network.
func checkNetwork(c *checker, e Env) {
	n := e.Network
	for _, f := range []struct {
		path string
		d    Duration
	}{{"env.network.latency", n.Latency}, {"env.network.jitter", n.Jitter}} {
		c.nonNegative(f.path, f.d)
		c.wholeMillis(f.path, f.d)
	}
	c.bandwidth("env.network.bandwidth", n.Bandwidth, `"" for unlimited`)
	if e.Kind == EnvExternal && (n.Shaped() || n.Proxy) {
		c.addNear("env.network", "env.kind", "network shaping needs an environment abload runs (local or docker), not external")
	}
}

// checkPin checks env.pin: each list must parse and name only CPUs of this
// machine; an external environment's components are not abload's to pin.
func checkPin(c *checker, e Env) {
	avail := machineCPUs()
	have := map[int]bool{}
	for _, cpu := range avail {
		have[cpu] = true
	}
	// avail is 0..N-1 unless abload itself was started pinned.
	whole := len(avail) > 0 && avail[0] == 0 && avail[len(avail)-1] == len(avail)-1
	for _, f := range []struct {
		path, cpus string
		component  bool
	}{
		{"env.pin.kafka", e.Pin.Kafka, true},
		{"env.pin.jobmanager", e.Pin.JobManager, true},
		{"env.pin.taskmanagers", e.Pin.TaskManagers, true},
		{"env.pin.harness", e.Pin.Harness, false},
	} {
		if f.cpus == "" {
			continue
		}
		cpus, err := ParseCPUList(f.cpus)
		if err != nil {
			c.addf(f.path, "%v", err)
			continue
		}
		if f.component && e.Kind == EnvExternal {
			c.addf(f.path, "pinning needs an environment abload runs (local or docker), not external; leave it out")
			continue
		}
		var missing []int
		for _, cpu := range cpus {
			if !have[cpu] {
				missing = append(missing, cpu)
			}
		}
		if len(missing) == 0 {
			continue
		}
		what, verb := fmt.Sprintf("CPU %d", missing[0]), "does"
		if len(missing) > 1 {
			what, verb = "CPUs "+FormatCPUList(missing), "do"
		}
		if whole {
			c.addf(f.path, "%s %s not exist on this machine (CPUs %s)", what, verb, FormatCPUList(avail))
		} else {
			c.addf(f.path, "%s: abload may only use CPUs %s here (its CPU affinity when it started)", what, FormatCPUList(avail))
		}
	}
}

// bandwidth checks a bandwidth value; an empty one is fine (the caller
// decides whether it is required; unlimited says what "" means).
func (c *checker) bandwidth(path, v, unlimited string) {
	if v == "" {
		return
	}
	if !bandwidthRE.MatchString(strings.TrimSpace(v)) && unlimited != "" {
		c.addf(path, "malformed bandwidth %q (want %s, or bytes per second such as 512KB/s, 10MB/s or 1GB/s; 1 KB = 1000 bytes)", v, unlimited)
		return
	}
	if _, err := BandwidthKBps(v); err != nil {
		c.addf(path, "%v", err)
	}
}

// checkNetworkFault checks the fields of a network fault, and that the
// network fields stay out of the other kinds.
func checkNetworkFault(c *checker, p string, f Fault) {
	unused := func(field, usedBy string, set bool) {
		if set {
			c.addf(p+"."+field, "is not used by %s (only by %s); leave it out", f.Kind, usedBy)
		}
	}
	switch f.Kind {
	case FaultNetworkDelay:
		if f.Latency.Duration <= 0 {
			c.addNear(p+".latency", p+".kind", "must be > 0 for network_delay (added to each direction), got %s", f.Latency)
		}
		c.wholeMillis(p+".latency", f.Latency)
		c.nonNegative(p+".jitter", f.Jitter)
		c.wholeMillis(p+".jitter", f.Jitter)
	case FaultNetworkBandwidth:
		if f.Bandwidth == "" {
			c.addNear(p+".bandwidth", p+".kind", "required for network_bandwidth: the limit, in bytes per second such as 512KB/s or 10MB/s")
		}
		c.bandwidth(p+".bandwidth", f.Bandwidth, "")
	}
	if f.Kind != FaultNetworkDelay {
		unused("latency", FaultNetworkDelay, f.Latency.Duration != 0)
		unused("jitter", FaultNetworkDelay, f.Jitter.Duration != 0)
	}
	if f.Kind != FaultNetworkBandwidth {
		unused("bandwidth", FaultNetworkBandwidth, f.Bandwidth != "")
	}
	if IsNetworkFault(f.Kind) {
		c.positive(p+".duration", f.Duration)
		if f.TaskManager != 0 {
			c.addf(p+".taskmanager", "is not used by %s; leave it out", f.Kind)
		}
	}
}

func checkScaling(c *checker, s *Scenario) {
	c.oneOf("env.scheduler", s.Env.Scheduler, SchedulerDefault, SchedulerAdaptive, SchedulerReactive)
	c.nonNegative("env.rescale_cooldown", s.Env.RescaleCooldown)
	if s.Env.Scheduler == SchedulerReactive && s.Env.Kind != EnvLocal {
		c.addf("env.scheduler", "reactive needs an application-mode JobManager, which only the local environment starts; use adaptive with env.kind %s", s.Env.Kind)
	}
	w := s.Workload
	end := w.Warmup.Duration + w.Duration.Duration + w.Cooldown.Duration
	tms := s.Env.TaskManagers
	for i, a := range s.Scaling {
		p := fmt.Sprintf("scaling[%d]", i)
		c.oneOf(p+".action", a.Action, ScaleAddTaskManager, ScaleRemoveTaskManager)
		if a.At.Duration < 0 || a.At.Duration >= end {
			c.addf(p+".at", "must be inside the load, in [0s, warmup + duration + cooldown) = [0s, %s), got %s", Duration{end}, a.At)
		}
		if i > 0 && a.At.Duration < s.Scaling[i-1].At.Duration {
			c.addf(p+".at", "must not be before scaling[%d].at (%s): list the actions in time order", i-1, s.Scaling[i-1].At)
		}
		n := a.Count
		if n == 0 {
			n = 1
		}
		if n < 1 || n > 16 {
			c.addf(p+".count", "must be 1..16, got %d", a.Count)
			continue
		}
		switch a.Action {
		case ScaleAddTaskManager:
			tms += n
		case ScaleRemoveTaskManager:
			if tms-n < 1 {
				c.addf(p+".count", "would leave %d TaskManager(s) (env.taskmanagers plus earlier actions: %d); at least one must remain", tms-n, tms)
			}
			tms -= n
		}
		if s.Env.Kind != EnvLocal {
			c.addf(p, "scaling actions need the local environment (env.kind local), got %s", s.Env.Kind)
		}
	}
}

func checkFaults(c *checker, s *Scenario) {
	w := s.Workload
	end := w.Warmup.Duration + w.Duration.Duration + w.Cooldown.Duration
	for i, f := range s.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		c.oneOf(p+".kind", f.Kind, FaultKillTaskManager, FaultPauseTaskManagers, FaultRestartBroker,
			FaultNetworkDelay, FaultNetworkCut, FaultNetworkBandwidth)
		checkNetworkFault(c, p, f)
		if f.At.Duration < 0 || f.At.Duration >= end {
			c.addf(p+".at", "must be inside the load, in [0s, warmup + duration + cooldown) = [0s, %s), got %s", Duration{end}, f.At)
		}
		tms := s.Env.TaskManagers
		switch f.Kind {
		case FaultKillTaskManager:
			if f.TaskManager < 1 || f.TaskManager > tms {
				c.addf(p+".taskmanager", "must name one TaskManager, 1..%d (env.taskmanagers), got %d", tms, f.TaskManager)
			}
			if f.Duration.Duration != 0 {
				c.addf(p+".duration", "is not used by kill_taskmanager (env.restart_delay says when it comes back); leave it out")
			}
		case FaultPauseTaskManagers:
			if f.TaskManager < 0 || f.TaskManager > tms {
				c.addf(p+".taskmanager", "must be 0 (all) or 1..%d (env.taskmanagers), got %d", tms, f.TaskManager)
			}
			c.positive(p+".duration", f.Duration)
		case FaultRestartBroker:
			if f.TaskManager != 0 {
				c.addf(p+".taskmanager", "is not used by restart_broker; leave it out")
			}
			c.nonNegative(p+".duration", f.Duration)
		}
		if s.Env.Kind == EnvExternal {
			c.addf(p, "faults need an environment abload runs (local or docker), not external")
		}
	}
}

// MaxCapacityRate bounds capacity.max_rate (events/s).
const MaxCapacityRate = 1e7

func checkCapacity(c *checker, k Capacity) {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(k.StartRate > 0) || !finite(k.StartRate) {
		c.addf("capacity.start_rate", "must be a finite number > 0 (events/s), got %v", k.StartRate)
	}
	if !(k.Growth > 1 && k.Growth <= 100) {
		c.addf("capacity.growth", "must be in (1, 100], got %v", k.Growth)
	}
	if !(k.Precision > 0 && k.Precision <= 1) {
		c.addf("capacity.precision", "must be in (0, 1], got %v", k.Precision)
	}
	switch {
	case !(k.MaxRate > 0) || !finite(k.MaxRate) || k.MaxRate > MaxCapacityRate:
		c.addf("capacity.max_rate", "must be in (0, %g] events/s, got %v", MaxCapacityRate, k.MaxRate)
	case k.StartRate > 0 && k.MaxRate < k.StartRate:
		c.addf("capacity.max_rate", "must be >= capacity.start_rate (%v), got %v", k.StartRate, k.MaxRate)
	}
	c.nonNegative("capacity.settle", k.Settle)
	if k.Judge.Duration < 5*time.Second {
		c.addf("capacity.judge", "must be >= 5s (the lag trend needs samples, one a second), got %s", k.Judge)
	}
	c.positive("capacity.budget", k.Budget)
	if !(k.TargetRate >= 0 && k.TargetRate <= 1e7) {
		c.addf("capacity.target_rate", "must be in 0..1e7 events/s (0 = no demand question), got %v", k.TargetRate)
	}
	if !(k.Headroom >= 0 && k.Headroom <= 10) {
		c.addf("capacity.headroom", "must be in 0..10 (a fraction: 0.2 = 20%% above the target), got %v", k.Headroom)
	}
	c.positive("capacity.drain_timeout", k.DrainTimeout)
	c.positive("capacity.slo.e2e_p99", k.SLO.E2EP99)
	if !(k.SLO.LagSlopeRatio > 0) || !finite(k.SLO.LagSlopeRatio) {
		c.addf("capacity.slo.lag_slope_ratio", "must be a finite number > 0, got %v", k.SLO.LagSlopeRatio)
	}
}
