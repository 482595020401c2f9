package harness

import (
	"context"
	"crypto/tls"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/scenarios"
)

// Endpoints is what a started environment offers the run. `abload env up`
// writes it as a file that an external environment can read back.
type Endpoints struct {
	KafkaBootstrap []string `json:"kafka_bootstrap"`
	FlinkREST      string   `json:"flink_rest"`
	// JobKafkaBootstrap is where the job's tasks reach the broker when that
	// differs from where the harness does (containers on a private network,
	// or a proxy that shapes the job's traffic); empty means KafkaBootstrap.
	JobKafkaBootstrap []string `json:"job_kafka_bootstrap,omitempty"`
	// KafkaBehindProxy says a proxy that accepts connections even while the
	// broker is down stands before KafkaBootstrap (Docker's userland proxy
	// for a published port): an EOF right after connecting then means "down
	// for now", not a TLS or SASL mismatch, and the harness's clients retry it.
	KafkaBehindProxy bool `json:"-"`
	// Security is how the harness's Kafka clients authenticate and encrypt
	// (nil: plaintext); JobKafkaProperties the same for the job's Kafka
	// clients, as Kafka client properties (they hold secrets).
	Security           *KafkaSecurity `json:"-"`
	JobKafkaProperties [][2]string    `json:"-"`
	// FlinkTLS and FlinkHeader (name, value) are how the REST client reaches
	// an external Flink (nil, empty: plain HTTP, no header).
	FlinkTLS    *tls.Config `json:"-"`
	FlinkHeader [2]string   `json:"-"`
}

// seed is the harness's Kafka client options for these endpoints: the
// bootstrap servers, the security (TLS, SASL), and EOF retries behind a
// proxy (kgo.AlwaysRetryEOF).
func (e *Endpoints) seed(more ...kgo.Opt) []kgo.Opt {
	opts := []kgo.Opt{kgo.SeedBrokers(e.KafkaBootstrap...)}
	if e.KafkaBehindProxy {
		opts = append(opts, kgo.AlwaysRetryEOF())
	}
	if e.Security != nil {
		// The external environment checked the configuration when it started.
		if so, err := e.Security.Opts(); err == nil {
			opts = append(opts, so...)
		}
	}
	return append(opts, more...)
}

// FlinkClient is a REST client for these endpoints' Flink.
func (e *Endpoints) FlinkClient() *flink.Client {
	var opts []flink.Option
	if e.FlinkTLS != nil {
		opts = append(opts, flink.WithTLS(e.FlinkTLS))
	}
	if e.FlinkHeader[0] != "" {
		opts = append(opts, flink.WithHeader(e.FlinkHeader[0], e.FlinkHeader[1]))
	}
	return flink.NewClient(e.FlinkREST, opts...)
}

// JobBootstrap is the bootstrap servers the job is given.
func (e *Endpoints) JobBootstrap() string {
	if len(e.JobKafkaBootstrap) > 0 {
		return strings.Join(e.JobKafkaBootstrap, ",")
	}
	return strings.Join(e.KafkaBootstrap, ",")
}

// EnvSpec is what an environment factory is given: the scenario, the
// runtime bundle, the run's log directory and a progress sink.
type EnvSpec struct {
	Scenario *scenarios.Scenario
	Runtime  *cluster.Runtime
	LogDir   string
	// SharedDirs are host directories the Flink processes must see at the
	// same path (savepoints are written into the run's output directory;
	// job.restore_from is read).
	SharedDirs []string
	Logf       func(format string, args ...any)
}

// EnvFactory builds (does not start) an environment.
type EnvFactory func(EnvSpec) (Environment, error)

var factories = map[string]EnvFactory{}

// RegisterEnvironment makes env.kind `kind` available to runs; packages that
// implement an environment outside harness (the Docker one) register
// themselves from init.
func RegisterEnvironment(kind string, f EnvFactory) { factories[kind] = f }

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
