package env

import (
	"context"
	"time"

	"github.com/abload/abload/harness/netproxy"
)

// FaultInjector is implemented by environments that can inject the
// scenario's faults into their own processes.
type FaultInjector interface {
	// KillTaskManager SIGKILLs TaskManager n (1-based); the environment
	// restarts it after its restart delay.
	KillTaskManager(n int) error
	// PauseTaskManagers and ResumeTaskManagers SIGSTOP and SIGCONT
	// TaskManager n, or all of them for n = 0.
	PauseTaskManagers(n int) error
	ResumeTaskManagers(n int) error
	// RestartBroker stops the broker cleanly, keeps it down for down, and
	// starts it again, returning once it serves.
	RestartBroker(ctx context.Context, down time.Duration) error
}

// ApplicationStarter is an environment whose Flink cluster starts in
// application mode, with the job (Reactive Mode needs one): its Start brings
// up Kafka only, StartApplication the cluster running the job.
type ApplicationStarter interface {
	StartApplication(ctx context.Context, mainClass string, args []string, jobID, savepoint string) error
}

// Scaler is implemented by environments that can add and remove
// TaskManagers while a run goes on (the scenario's scaling actions).
type Scaler interface {
	// AddTaskManagers starts n more TaskManagers and returns their names.
	AddTaskManagers(n int) ([]string, error)
	// RemoveTaskManagers stops the n newest TaskManagers for good.
	RemoveTaskManagers(n int) ([]string, error)
}

// NetworkShaper is implemented by environments that can put a network proxy (netproxy.Proxy)
// between the job and the broker (env.network, network faults).
type NetworkShaper interface {
	// NetProxy is the proxy the job's Kafka traffic crosses, or nil when
	// the environment was built without one.
	NetProxy() *netproxy.Proxy
}

// FlinkMetricsEndpoint is a Flink process's Prometheus reporter (scrape
// http://Addr/metrics).
type FlinkMetricsEndpoint struct {
	Component string `json:"component"`
	Addr      string `json:"addr"`
}

// FlinkMetricsLister is implemented by environments whose Flink processes
// run Flink's Prometheus reporter.
type FlinkMetricsLister interface {
	FlinkMetricsEndpoints() []FlinkMetricsEndpoint
}

// ComponentLister is implemented by environments whose processes the
// harness can see (the local environment: child JVMs on this host).
type ComponentLister interface {
	Components() []Component
}

// Standing is implemented by an environment that outlives the runs on it
// (abload env up): File is its state file, recorded in the result.
type Standing interface {
	File() string
}

// JVMOptioned is implemented by an environment whose cluster JVMs abload
// started: JVMOptions are the extra options they run with
// (env.jvm_options), recorded in the result.
type JVMOptioned interface {
	JVMOptions() []string
}

// FlinkConfigured is implemented by an environment that wrote its
// cluster's Flink configuration: ClusterFlinkConfig is it, where the
// processes bind and their directories aside (result.json flink_config).
type FlinkConfigured interface {
	ClusterFlinkConfig() (map[string]string, error)
}
