package harness

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/twmb/franz-go/pkg/kgo"

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
	Runtime  *Runtime
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

// FreePorts asks the kernel for n distinct free TCP ports on 127.0.0.1.
func FreePorts(n int) ([]int, error) {
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
	if e.Scheduler == scenarios.SchedulerAdaptive || e.Scheduler == scenarios.SchedulerReactive {
		// Flink's waits before and after a rescale (30 s cooldown, 60 s
		// stabilization) would hide what a benchmark wants to see.
		wait := strconv.FormatInt(e.RescaleCooldown.Milliseconds(), 10) + " ms"
		m["jobmanager.scheduler"] = "adaptive"
		m["jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"] = wait
		m["jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout"] = wait
		m["jobmanager.adaptive-scheduler.submission.resource-stabilization-timeout"] = wait
	}
	if e.Scheduler == scenarios.SchedulerReactive {
		m["scheduler-mode"] = "reactive"
	}
	return m
}

// FlinkBaseConfig is the Flink configuration every environment that starts
// a cluster shares (flat config.yaml keys): memory, a 1 s metric and
// checkpoint-statistics refresh for the timeline, failure detection and
// restart strategy, the Java 17 module flags. Environments add where the
// processes bind and their directories, then the scenario's
// FlinkClusterConfig on top.
func FlinkBaseConfig(jmMem, tmMem string, slots int) map[string]string {
	return map[string]string{
		"jobmanager.memory.process.size":                                   jmMem,
		"jobmanager.execution.failover-strategy":                           "region",
		"taskmanager.numberOfTaskSlots":                                    strconv.Itoa(slots),
		"taskmanager.memory.process.size":                                  tmMem,
		"parallelism.default":                                              "1",
		"metrics.fetcher.update-interval":                                  "1000 ms",
		"rest.cache.checkpoint-statistics.timeout":                         "500 ms",
		"web.checkpoints.history":                                          "100",
		"web.refresh-interval":                                             "1000 ms",
		"heartbeat.interval":                                               "2000 ms",
		"heartbeat.timeout":                                                "10000 ms",
		"slot.request.timeout":                                             "60000 ms",
		"blob.server.port":                                                 "0",
		"taskmanager.rpc.port":                                             "0",
		"taskmanager.data.port":                                            "0",
		"env.java.opts.all":                                                strings.Join(FlinkJavaOpts, " "),
		"cluster.evenly-spread-out-slots":                                  "true",
		"metrics.reporter.prom.factory.class":                              "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
		"metrics.reporter.prom.port":                                       "9249",
		"taskmanager.memory.jvm-overhead.min":                              "128m",
		"restart-strategy.type":                                            "exponential-delay",
		"restart-strategy.exponential-delay.initial-backoff":               "1000 ms",
		"restart-strategy.exponential-delay.max-backoff":                   "8000 ms",
		"restart-strategy.exponential-delay.backoff-multiplier":            "2.0",
		"restart-strategy.exponential-delay.jitter-factor":                 "0.1",
		"restart-strategy.exponential-delay.reset-backoff-threshold":       "60000 ms",
		"restart-strategy.exponential-delay.attempts-before-reset-backoff": "8",
		"jobmanager.adaptive-scheduler.resource-stabilization-timeout":     "1000 ms",
	}
}

// FlinkMemoryFlags computes the JVM flags (heap, direct, metaspace) and the
// dynamic -D properties the JobManager and a TaskManager start with, from
// the memory model in conf, the way Flink's scripts do (BashJavaUtils from
// the runtime bundle). Environments that launch the JVMs themselves (local
// processes, the Docker environment's own images) use it so sizes are
// Flink's own.
func FlinkMemoryFlags(ctx context.Context, rt *Runtime, conf map[string]string) (jm, tm JVMFlags, err error) {
	dir, err := os.MkdirTemp("", "abload-memconf-")
	if err != nil {
		return jm, tm, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), FlinkConfigYAML(conf), 0o644); err != nil {
		return jm, tm, err
	}
	cp := filepath.Join(rt.FlinkLib, "*")
	if jm.JVM, jm.Dynamic, err = bashJavaUtils(ctx, cp, dir, "GET_JM_RESOURCE_PARAMS"); err != nil {
		return jm, tm, err
	}
	tm.JVM, tm.Dynamic, err = bashJavaUtils(ctx, cp, dir, "GET_TM_RESOURCE_PARAMS")
	return jm, tm, err
}

// JVMFlags is what a Flink process starts with: JVM options, and the
// dynamic properties passed after the main class.
type JVMFlags struct {
	JVM     []string
	Dynamic []string
}

// KafkaListeners are a single-node broker's listeners: what it binds, what
// it advertises, their security protocols, the listener brokers use among
// themselves, and where its controller listens.
type KafkaListeners struct {
	Listeners, Advertised, ProtocolMap, InterBroker, ControllerAddress string
}

// KafkaServerProperties is the server.properties of the single-node KRaft
// broker+controller every environment that starts Kafka runs: the same
// transaction, offsets and thread settings whatever the listeners.
func KafkaServerProperties(l KafkaListeners, logDir string) string {
	return fmt.Sprintf(`# Written by abload: single-node KRaft broker+controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@%s
listeners=%s
advertised.listeners=%s
controller.listener.names=CONTROLLER
inter.broker.listener.name=%s
listener.security.protocol.map=%s
log.dirs=%s
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
`, l.ControllerAddress, l.Listeners, l.Advertised, l.InterBroker, l.ProtocolMap, logDir)
}

// NewKafkaClusterID returns a fresh KRaft cluster id: 16 random bytes,
// base64url without padding. Like Kafka's own Uuid.randomUuid it never
// starts with '-', which a command line would take for an option.
func NewKafkaClusterID() string {
	for {
		id := make([]byte, 16)
		_, _ = rand.Read(id)
		if s := base64.RawURLEncoding.EncodeToString(id); s[0] != '-' {
			return s
		}
	}
}

// KafkaSASLSSLProperties are the server.properties lines of a SASL_SSL
// listener named listener that authenticates with SCRAM-SHA-256 and
// SCRAM-SHA-512 (credentials from the cluster metadata: no password here)
// and presents the PEM keystore file keystore: an unencrypted PKCS#8 key,
// then the certificate chain (Kafka 4.1 reads it without ssl.key.password).
func KafkaSASLSSLProperties(listener, keystore string) string {
	p := "listener.name." + strings.ToLower(listener) + "."
	var b strings.Builder
	b.WriteString("sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512\n")
	for _, m := range []string{"scram-sha-256", "scram-sha-512"} {
		fmt.Fprintf(&b, "%s%s.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n", p, m)
	}
	fmt.Fprintf(&b, "%sssl.keystore.type=PEM\n", p)
	fmt.Fprintf(&b, "%sssl.keystore.location=%s\n", p, propertiesValue(keystore))
	fmt.Fprintf(&b, "%sssl.client.auth=none\n", p)
	return b.String()
}

// propertiesValue escapes v as a java.util.Properties value on one line.
func propertiesValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' && i == 0:
			b.WriteString(`\ `)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		case r < ' ' || r > '~':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
