package reports

import "strings"

// Environment says what the run ran on: together its fields are the run's
// fingerprint, which compare checks before setting results side by side.
type Environment struct {
	Kind         string `json:"kind"`
	FlinkVersion string `json:"flink_version"`
	KafkaVersion string `json:"kafka_version"`
	Host         string `json:"host"`
	CPUModel     string `json:"cpu_model,omitempty"`
	CPUs         int    `json:"cpus,omitempty"`
	MemoryMB     int64  `json:"memory_mb,omitempty"`
	OS           string `json:"os,omitempty"` // GOOS/GOARCH of the harness
	// Limits are the environment's resource limits (e.g. "cpus=2"), if any.
	Limits string `json:"limits,omitempty"`
	// Network is the steady shaping of the path between the job and the
	// Kafka broker (env.network), e.g. "latency=50ms,jitter=10ms,bandwidth=512KB/s";
	// "unshaped" when the job's traffic crossed the network proxy without
	// shaping; absent when it reached the broker directly.
	Network string `json:"network,omitempty"`
	// Pin is the run's CPU pinning (env.pin); absent when nothing was pinned.
	Pin *Pinning `json:"pin,omitempty"`
	// JVMOptions are the extra options the cluster's JVMs ran with
	// (env.jvm_options), for the environments whose JVMs abload starts;
	// absent when there were none.
	JVMOptions []string `json:"jvm_options,omitempty"`
	// Standing is the state file of the standing environment (abload env
	// up) the run used; absent when the run started its own.
	Standing string `json:"standing,omitempty"`
}

// ClockCheck is the offset between the harness host's clock and the Kafka
// broker's, measured at startup from probe records on a LogAppendTime topic:
// the broker's append time against the midpoint of the local send and
// acknowledgement times of the probe with the shortest round trip.
type ClockCheck struct {
	// OffsetMs is the broker's clock minus this host's, in ms.
	OffsetMs float64 `json:"offset_ms"`
	// UncertaintyMs bounds the error of OffsetMs: half the probe's round
	// trip plus half a millisecond (LogAppendTime's resolution).
	UncertaintyMs float64 `json:"uncertainty_ms"`
	RoundTripMs   float64 `json:"round_trip_ms"`
	Probes        int     `json:"probes"`
	// BoundMs is env.max_clock_offset; Within says |offset| − uncertainty
	// is within it (a run beyond it is invalid).
	BoundMs float64 `json:"bound_ms"`
	Within  bool    `json:"within_bound"`
	// Error says why the check could not be made (the run stays valid).
	Error string `json:"error,omitempty"`
}

// Pinning holds the CPU lists (such as "0", "0-1" or "0,2") the components
// and the harness ran on; an absent one was not pinned.
type Pinning struct {
	Kafka        string `json:"kafka,omitempty"`
	JobManager   string `json:"jobmanager,omitempty"`
	TaskManagers string `json:"taskmanagers,omitempty"` // every TaskManager
	Harness      string `json:"harness,omitempty"`      // abload itself
}

// String is p as "kafka=0 taskmanagers=1,3 harness=0" (only what is set).
func (p *Pinning) String() string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, c := range []struct{ name, cpus string }{{"kafka", p.Kafka}, {"jobmanager", p.JobManager}, {"taskmanagers", p.TaskManagers}, {"harness", p.Harness}} {
		if c.cpus != "" {
			parts = append(parts, c.name+"="+c.cpus)
		}
	}
	return strings.Join(parts, " ")
}

// FlinkConfig is the Flink configuration a run's cluster and job ran with,
// as abload knows it: the defaults of the runtime bundle's Flink version
// (its options that are not deprecated, listed when the bundle was built),
// overlaid with the cluster configuration abload wrote (the line's recipe
// and the env section) and the job's flinkConfiguration (the job section);
// the keys the environment sets for itself (addresses, ports, directories:
// they differ from run to run) left out. What a job sets in its own code is
// not in it. Compare lists the defaults that differ, so that a default an
// upgrade changed is not taken for the version's own effect.
type FlinkConfig struct {
	// Effective is each key's value, as Flink writes it in a configuration.
	Effective map[string]string `json:"effective"`
	// Set are the keys abload wrote (cluster or job), sorted; every other
	// key of Effective holds the version's default.
	Set []string `json:"set"`
}
