package harness

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/abload/abload/scenarios"
)

// Endpoints is what a started environment offers the run. `abload env up`
// writes it as a file that an external environment can read back.
type Endpoints struct {
	KafkaBootstrap []string `json:"kafka_bootstrap"`
	FlinkREST      string   `json:"flink_rest"`
}

// Environment is one place where Kafka and a Flink cluster run: the local
// processes, Docker containers, or an external cluster. Start brings it up and
// waits until it is ready; Stop tears down everything Start created, may be
// called more than once, and must work after a failed or cancelled Start.
type Environment interface {
	Kind() string
	Start(ctx context.Context) (*Endpoints, error)
	// Endpoints returns what Start returned, or nil before a successful Start.
	Endpoints() *Endpoints
	Stop(ctx context.Context) error
	FlinkVersion() string
	KafkaVersion() string
}

// freePorts asks the kernel for n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("allocate port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// FlinkClusterConfig is the Flink configuration (flat config.yaml keys) the
// scenario's env section asks of the cluster an environment starts: failure
// detection and the TaskManager memory split that batching and RocksDB
// depend on.
func FlinkClusterConfig(e scenarios.Env) map[string]string {
	m := map[string]string{
		"heartbeat.interval":                  strconv.FormatInt(e.HeartbeatInterval.Milliseconds(), 10) + " ms",
		"heartbeat.timeout":                   strconv.FormatInt(e.HeartbeatTimeout.Milliseconds(), 10) + " ms",
		"taskmanager.memory.managed.fraction": strconv.FormatFloat(e.ManagedMemoryFraction, 'g', -1, 64),
	}
	if e.NetworkMemory != "" {
		m["taskmanager.memory.network.min"] = e.NetworkMemory
		m["taskmanager.memory.network.max"] = e.NetworkMemory
	}
	return m
}
