package cluster

import (
	"time"

	"github.com/abload/abload/scenarios"
)

// Settings is what every environment that starts its own Kafka and Flink
// (the local processes, the Docker containers) is built from: the
// cluster's size, its Flink configuration, the TaskManager supervisor's
// delay and the network proxy. Each environment's Config embeds it.
type Settings struct {
	TaskManagers, Slots int
	// Flink process sizes (taskmanager/jobmanager.memory.process.size),
	// such as "1536m"; the Docker containers' memory limits too.
	TaskManagerMemory, JobManagerMemory string
	KafkaHeap                           string // the broker's -Xmx/-Xms
	// JVMOptions go to every JVM of the cluster (broker, JobManager,
	// TaskManagers) after abload's own (env.jvm_options).
	JVMOptions     []string
	StartupTimeout time.Duration
	// FlinkConfig holds extra config.yaml entries (flat keys), applied last.
	FlinkConfig map[string]string
	// RestartDelay is how long a TaskManager that died stays down before
	// the environment starts it again (its supervisor); negative: never.
	RestartDelay time.Duration
	// NetProxy puts a network proxy between the job and the broker: the
	// broker gets a JOB listener advertised at the proxy's address, which
	// the proxy forwards to, and env.Endpoints.JobKafkaBootstrap is the
	// proxy. The harness's own clients keep their direct listener.
	NetProxy bool
	// Network is the proxy's shaping from the start (NetProxy only).
	Network scenarios.Network
}

// SettingsFor is what a scenario's env section asks of a cluster of the
// recipe's Flink line.
func SettingsFor(sc *scenarios.Scenario, rec Recipe) Settings {
	e := sc.Env
	return Settings{
		TaskManagers:      e.TaskManagers,
		Slots:             e.Slots,
		TaskManagerMemory: e.TaskManagerMemory,
		JobManagerMemory:  e.JobManagerMemory,
		KafkaHeap:         e.KafkaHeap,
		// Never nil, so WithDefaults leaves a scenario's own empty list be.
		JVMOptions:     append([]string{}, e.JVMOptions...),
		StartupTimeout: e.StartupTimeout.Duration,
		FlinkConfig:    clusterConfig(e, rec),
		RestartDelay:   e.RestartDelay.Duration,
		NetProxy:       sc.NeedsNetProxy(),
		Network:        e.Network,
	}
}

// clusterConfig is the recipe's keys for the env section, then the
// scenario's own env.flink_config on top.
func clusterConfig(e scenarios.Env, rec Recipe) map[string]string {
	m := rec.Cluster(e)
	for k, v := range scenarios.FlinkConfigMap(e.FlinkConfig) {
		m[k] = v
	}
	return m
}

// WithDefaults fills what is unset: one TaskManager with one slot, and a
// scenario's default memory sizes, startup timeout and JVM options.
func (s Settings) WithDefaults() Settings {
	d := scenarios.Defaults().Env
	s.TaskManagers = max(s.TaskManagers, 1)
	s.Slots = max(s.Slots, 1)
	if s.StartupTimeout <= 0 {
		s.StartupTimeout = d.StartupTimeout.Duration
	}
	if s.TaskManagerMemory == "" {
		s.TaskManagerMemory = d.TaskManagerMemory
	}
	if s.JobManagerMemory == "" {
		s.JobManagerMemory = d.JobManagerMemory
	}
	if s.KafkaHeap == "" {
		s.KafkaHeap = d.KafkaHeap
	}
	if s.JVMOptions == nil {
		s.JVMOptions = d.JVMOptions
	}
	return s
}

// FlinkConfigFor is the configuration an environment with these settings
// writes for a cluster of the recipe's line, where the processes bind and
// their directories aside (each environment adds its own): the recipe's
// base, then the settings' FlinkConfig.
func (s Settings) FlinkConfigFor(rec Recipe) map[string]string {
	conf := rec.Base(s.JobManagerMemory, s.TaskManagerMemory, s.Slots)
	for k, v := range s.FlinkConfig {
		conf[k] = v
	}
	return conf
}
