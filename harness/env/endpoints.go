package env

import (
	"crypto/tls"
	"strings"

	"github.com/abload/abload/harness/flink"
	"github.com/twmb/franz-go/pkg/kgo"
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

// ClientOpts is the harness's Kafka client options for these endpoints: the
// bootstrap servers, the security (TLS, SASL), and EOF retries behind a
// proxy (kgo.AlwaysRetryEOF).
func (e *Endpoints) ClientOpts(more ...kgo.Opt) []kgo.Opt {
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
