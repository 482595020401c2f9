package scenarios

import (
	"os"
	"strings"
	"time"

	"github.com/abload/abload/generators"
)

// Scenario is one resolved benchmark scenario: what load to drive, on which
// environment, into which job configuration, and how often.
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Workload    Workload `yaml:"workload" json:"workload"`
	Env         Env      `yaml:"env" json:"env"`
	Kafka       Kafka    `yaml:"kafka" json:"kafka"`
	Job         Job      `yaml:"job" json:"job"`
	Faults      []Fault  `yaml:"faults" json:"faults,omitempty"`
	// Scaling lists TaskManagers joining or leaving on the timeline.
	Scaling     []ScalingAction `yaml:"scaling" json:"scaling,omitempty"`
	Gates       []string        `yaml:"gates,omitempty" json:"gates,omitempty"`
	Repetitions int             `yaml:"repetitions" json:"repetitions"`
	// Capacity configures `abload capacity` (the sustainable-throughput
	// search); plain runs ignore it.
	Capacity Capacity `yaml:"capacity" json:"capacity"`
	// Matrix, if any, lists the points to run; see Points.
	Matrix *Matrix `yaml:"matrix,omitempty" json:"matrix,omitempty"`

	// Source is the name of the file the scenario was loaded from.
	Source string `yaml:"-" json:"-"`

	// origins remembers where each leaf value came from (file line or
	// --set argument) so that Validate can point at it.
	origins map[string]origin
	// points are the matrix's resolved points, set by Parse.
	points []MatrixPoint
}

// Workload is the synthetic load: its rate, phases and key space.
type Workload struct {
	Rate             float64  `yaml:"rate" json:"rate"`
	Duration         Duration `yaml:"duration" json:"duration"`
	Warmup           Warmup   `yaml:"warmup" json:"warmup"`
	WarmupMax        Duration `yaml:"warmup_max" json:"warmup_max"`
	DrainTimeout     Duration `yaml:"drain_timeout" json:"drain_timeout"`
	Campaigns        int      `yaml:"campaigns" json:"campaigns"`
	Variants         []string `yaml:"variants" json:"variants"`
	Recipients       int64    `yaml:"recipients" json:"recipients"`
	Seed             int64    `yaml:"seed" json:"seed"`
	MaxSendDelay     Duration `yaml:"max_send_delay" json:"max_send_delay"`
	MaxConsumerDelay Duration `yaml:"max_consumer_delay" json:"max_consumer_delay"`
	// MaxFailedCheckpoints bounds failed checkpoints in the measurement phase
	// (outside fault recovery) for a valid run.
	MaxFailedCheckpoints int      `yaml:"max_failed_checkpoints" json:"max_failed_checkpoints"`
	Encoding             string   `yaml:"encoding" json:"encoding"`
	Lanes                int      `yaml:"lanes" json:"lanes"`
	Profile              Profile  `yaml:"profile" json:"profile"`
	Skew                 Skew     `yaml:"skew" json:"skew"`
	Funnel               Funnel   `yaml:"funnel" json:"funnel"`
	Disorder             Disorder `yaml:"disorder" json:"disorder"`
	Cooldown             Duration `yaml:"cooldown" json:"cooldown"`
	Prefill              Prefill  `yaml:"prefill" json:"prefill"`
}

// Capacity is the sustainable-throughput search of `abload capacity`: one
// environment, one job, the offered rate stepped up by Growth while steps
// pass, then bisected between the last pass and the first failure until
// they are within Precision of each other. Each step settles, then is judged
// against SLO; the load pauses between steps until the backlog drains. The
// workload's rate and profile are not used.
type Capacity struct {
	StartRate    float64     `yaml:"start_rate" json:"start_rate"`
	Growth       float64     `yaml:"growth" json:"growth"`
	Precision    float64     `yaml:"precision" json:"precision"`
	MaxRate      float64     `yaml:"max_rate" json:"max_rate"`
	Settle       Duration    `yaml:"settle" json:"settle"`
	Judge        Duration    `yaml:"judge" json:"judge"`
	Budget       Duration    `yaml:"budget" json:"budget"`
	DrainTimeout Duration    `yaml:"drain_timeout" json:"drain_timeout"`
	SLO          CapacitySLO `yaml:"slo" json:"slo"`
	// TargetRate and Headroom ask the demand question of a capacity curve
	// (a matrix of configurations): the smallest one whose sustainable rate
	// is at least TargetRate × (1 + Headroom). TargetRate 0: not asked.
	TargetRate float64 `yaml:"target_rate" json:"target_rate"`
	Headroom   float64 `yaml:"headroom" json:"headroom"`
}

// CapacitySLO is what a capacity step must hold to pass (besides no failed
// checkpoints, no restart and the generator keeping up).
type CapacitySLO struct {
	E2EP99        Duration `yaml:"e2e_p99" json:"e2e_p99"`
	LagSlopeRatio float64  `yaml:"lag_slope_ratio" json:"lag_slope_ratio"`
}

// Prefill is state built before warmup: events sent unpaced, not measured,
// so that the job starts the measured run with state of a realistic size.
type Prefill struct {
	// Keys is the number of distinct (campaign, recipient) keys given one
	// open each, which makes one dedupe-state entry per key. Their
	// recipients lie outside the workload's recipients, so they never
	// change what the measured events count.
	Keys int64 `yaml:"keys" json:"keys"`
}

// Profile is the rate profile: how the target rate changes over the run. All
// times are measured from the schedule origin (the start of warmup). Only the
// fields of the chosen Kind may differ from their defaults.
type Profile struct {
	Kind string `yaml:"kind" json:"kind"`

	// ramp: linear from From to To over Over (0 = warmup + duration).
	From float64  `yaml:"from" json:"from"`
	To   float64  `yaml:"to" json:"to"`
	Over Duration `yaml:"over" json:"over"`

	// step: Workload.Rate until the first step, then each step's rate from its At.
	Steps []Point `yaml:"steps" json:"steps"`

	// spike: Workload.Rate × Multiplier during [At, At+Length).
	At         Duration `yaml:"at" json:"at"`
	Length     Duration `yaml:"length" json:"length"`
	Multiplier float64  `yaml:"multiplier" json:"multiplier"`

	// sine: Workload.Rate × (1 + Amplitude·sin(2π·t/Period)).
	Amplitude float64  `yaml:"amplitude" json:"amplitude"`
	Period    Duration `yaml:"period" json:"period"`

	// piecewise: through Points, linear or held (Interpolate).
	Points      []Point `yaml:"points" json:"points"`
	Interpolate string  `yaml:"interpolate" json:"interpolate"`
}

// Point is one (time, rate) pair of a step or piecewise profile.
type Point struct {
	At   Duration `yaml:"at" json:"at"`     // from the schedule origin
	Rate float64  `yaml:"rate" json:"rate"` // events/s
}

// Skew chooses the key distributions of campaigns and recipients.
type Skew struct {
	Campaigns  KeySkew `yaml:"campaigns" json:"campaigns"`
	Recipients KeySkew `yaml:"recipients" json:"recipients"`
}

// KeySkew is one key distribution over ids 0..n-1.
type KeySkew struct {
	Kind      string   `yaml:"kind" json:"kind"`             // uniform, zipf or hotset
	S         float64  `yaml:"s" json:"s"`                   // zipf exponent, > 0
	HotKeys   int64    `yaml:"hot_keys" json:"hot_keys"`     // hotset: number of hot keys
	HotShare  float64  `yaml:"hot_share" json:"hot_share"`   // hotset: share of traffic on them
	MoveEvery Duration `yaml:"move_every" json:"move_every"` // zipf, hotset: > 0 moves the hot keys
}

// Funnel is the email funnel: what happens to each send, with probabilities
// and log-normal delays in campaign time.
type Funnel struct {
	// TimeScale is campaign seconds per run second.
	TimeScale float64 `yaml:"time_scale" json:"time_scale"`
	Bounce    float64 `yaml:"bounce" json:"bounce"`
	// Open, Click and Conversion hold one probability for all variants or
	// one per variant (in the order of Workload.Variants).
	Open        []float64 `yaml:"open" json:"open"`
	Click       []float64 `yaml:"click" json:"click"`
	Conversion  []float64 `yaml:"conversion" json:"conversion"`
	Unsubscribe float64   `yaml:"unsubscribe" json:"unsubscribe"`
	Reopen      float64   `yaml:"reopen" json:"reopen"`
	BotOpen     float64   `yaml:"bot_open" json:"bot_open"`
	Delays      Delays    `yaml:"delays" json:"delays"`
}

// Delays are the funnel's delays between steps, in campaign time.
type Delays struct {
	Delivery   LogNormal `yaml:"delivery" json:"delivery"`     // send → delivery (or bounce)
	Open       LogNormal `yaml:"open" json:"open"`             // delivery → open
	Click      LogNormal `yaml:"click" json:"click"`           // open → click
	Conversion LogNormal `yaml:"conversion" json:"conversion"` // click → conversion
}

// LogNormal is a log-normal delay: exp(N(ln Median, Sigma²)).
type LogNormal struct {
	Median Duration `yaml:"median" json:"median"`
	Sigma  float64  `yaml:"sigma" json:"sigma"`
}

// Disorder is how events arrive out of event-time order, late or twice.
type Disorder struct {
	MaxDelay     Duration `yaml:"max_delay" json:"max_delay"`
	LateFraction float64  `yaml:"late_fraction" json:"late_fraction"`
	LateBy       Duration `yaml:"late_by" json:"late_by"`
	Duplicates   float64  `yaml:"duplicates" json:"duplicates"`
}

// Fault is one fault injected during the run.
type Fault struct {
	// At is when, from the schedule origin (the start of warmup).
	At   Duration `yaml:"at" json:"at"`
	Kind string   `yaml:"kind" json:"kind"`
	// TaskManager is which TaskManager (1-based); 0 = all (pause only).
	TaskManager int `yaml:"taskmanager" json:"taskmanager" abload:"optional"`
	// Duration is how long a pause lasts, how long the broker stays down,
	// or how long a network fault lasts.
	Duration Duration `yaml:"duration" json:"duration" abload:"optional"`
	// Latency and Jitter are what network_delay adds to each direction of
	// the job's path to the broker, on top of env.network.
	Latency Duration `yaml:"latency" json:"latency" abload:"optional"`
	Jitter  Duration `yaml:"jitter" json:"jitter" abload:"optional"`
	// Bandwidth is network_bandwidth's limit, as env.network.bandwidth.
	Bandwidth string `yaml:"bandwidth" json:"bandwidth" abload:"optional"`
}

// ScalingAction adds or removes TaskManagers at a time on the timeline, so
// that a run shows what Flink's scheduler does when resources change.
type ScalingAction struct {
	// At is when, from the schedule origin (the start of warmup).
	At     Duration `yaml:"at" json:"at"`
	Action string   `yaml:"action" json:"action"`
	// Count is how many TaskManagers join or leave (default 1).
	Count int `yaml:"count" json:"count" abload:"optional"`
}

// Scaling actions (scaling[].action).
const (
	ScaleAddTaskManager    = "add_taskmanager"    // start Count more TaskManagers
	ScaleRemoveTaskManager = "remove_taskmanager" // stop the Count newest TaskManagers (SIGTERM, not restarted)
)

// Schedulers (env.scheduler).
const (
	SchedulerDefault  = "default"  // Flink's default scheduler, session cluster: the job keeps its parallelism
	SchedulerAdaptive = "adaptive" // adaptive scheduler, session cluster: job.parallelism is the upper bound, the job runs with the slots there are
	SchedulerReactive = "reactive" // Reactive Mode: application cluster, the job always uses every slot
)

// Fault kinds (faults[].kind).
const (
	FaultKillTaskManager   = "kill_taskmanager"   // SIGKILL; the environment restarts it after env.restart_delay
	FaultPauseTaskManagers = "pause_taskmanagers" // SIGSTOP for duration, then SIGCONT
	FaultRestartBroker     = "restart_broker"     // clean stop, down for duration, start again
	FaultNetworkDelay      = "network_delay"      // latency ± jitter added to the job's path to the broker for duration
	FaultNetworkCut        = "network_cut"        // the job's path to the broker partitioned for duration
	FaultNetworkBandwidth  = "network_bandwidth"  // the job's path to the broker limited to bandwidth for duration
)

// IsNetworkFault reports whether a fault kind acts on the job's network
// path (through the environment's network proxy).
func IsNetworkFault(kind string) bool {
	switch kind {
	case FaultNetworkDelay, FaultNetworkCut, FaultNetworkBandwidth:
		return true
	}
	return false
}

// NeedsNetProxy reports whether the run needs the network proxy between the
// job and the broker: env.network shapes the path or asks for the proxy, or
// a fault acts on the network.
func (s *Scenario) NeedsNetProxy() bool {
	if s.Env.Network.Proxy || s.Env.Network.Shaped() {
		return true
	}
	for _, f := range s.Faults {
		if IsNetworkFault(f.Kind) {
			return true
		}
	}
	return false
}

// Env is the environment the run starts (or, for external, targets).
type Env struct {
	Kind string `yaml:"kind" json:"kind"`
	// FlinkVersion is the Flink line (FlinkLines) the environment runs: the
	// runtime bundle of that line (make runtime FLINK=<line>) and its
	// cluster recipe.
	FlinkVersion      string   `yaml:"flink_version" json:"flink_version"`
	TaskManagers      int      `yaml:"taskmanagers" json:"taskmanagers"`
	Slots             int      `yaml:"slots" json:"slots"`
	TaskManagerMemory string   `yaml:"taskmanager_memory" json:"taskmanager_memory"`
	JobManagerMemory  string   `yaml:"jobmanager_memory" json:"jobmanager_memory"`
	KafkaHeap         string   `yaml:"kafka_heap" json:"kafka_heap"`
	StartupTimeout    Duration `yaml:"startup_timeout" json:"startup_timeout"`
	// JVMOptions are extra options for every JVM of the cluster the local
	// and Docker environments start (the broker, the JobManager, the
	// TaskManagers), after abload's own: a garbage collector, a JIT tier.
	// Default: $ABLOAD_JVM_OPTIONS (DefaultJVMOptions), else none.
	JVMOptions []string `yaml:"jvm_options" json:"jvm_options,omitempty"`
	// FlinkConfig is extra Flink configuration for the cluster the local
	// and Docker environments start, key=value entries applied after
	// abload's own (FlinkConfigMap); every key is checked against the
	// Flink version before anything starts.
	FlinkConfig []string `yaml:"flink_config" json:"flink_config,omitempty"`
	// NetworkMemory, if set, fixes the TaskManagers' network memory
	// (taskmanager.memory.network.min = max); "" keeps Flink's fraction.
	NetworkMemory         string   `yaml:"network_memory" json:"network_memory"`
	ManagedMemoryFraction float64  `yaml:"managed_memory_fraction" json:"managed_memory_fraction"`
	HeartbeatInterval     Duration `yaml:"heartbeat_interval" json:"heartbeat_interval"`
	HeartbeatTimeout      Duration `yaml:"heartbeat_timeout" json:"heartbeat_timeout"`
	// TaskManager, JobManager and Kafka hold per-container limits (docker).
	TaskManager Container `yaml:"taskmanager" json:"taskmanager"`
	JobManager  Container `yaml:"jobmanager" json:"jobmanager"`
	Kafka       Container `yaml:"kafka" json:"kafka"`
	// Images picks the Docker images: auto, local or official.
	Images string `yaml:"images" json:"images"`
	// RestartDelay is how long a dead TaskManager stays down before the
	// environment restarts it.
	RestartDelay Duration `yaml:"restart_delay" json:"restart_delay"`
	// Network shapes the path between the job and the Kafka broker for the
	// whole run (local and docker).
	Network Network `yaml:"network" json:"network"`
	// Scheduler is Flink's scheduler: default, adaptive or reactive.
	Scheduler string `yaml:"scheduler" json:"scheduler"`
	// RescaleCooldown lowers the adaptive scheduler's waits (cooldown after
	// a rescale, resource stabilization) for benchmarks (adaptive, reactive).
	RescaleCooldown Duration `yaml:"rescale_cooldown" json:"rescale_cooldown"`
	// Pin pins the components and the harness to CPUs.
	Pin Pin `yaml:"pin" json:"pin"`
	// MaxClockOffset bounds the measured offset between this host's clock
	// and the broker's: a run beyond it is invalid.
	MaxClockOffset Duration `yaml:"max_clock_offset" json:"max_clock_offset"`
	// External is the cluster of env.kind external.
	External External `yaml:"external" json:"external"`
}

// External describes a Kafka cluster and a Flink cluster abload does not
// run: it connects to them, creates only run-prefixed topics, and submits
// its job or attaches to a running one. Credentials are never in the file,
// only the names of the environment variables or files that hold them.
type External struct {
	Kafka ExternalKafka `yaml:"kafka" json:"kafka"`
	Flink ExternalFlink `yaml:"flink" json:"flink"`
	// JobID attaches to a running job (32 hex digits) instead of
	// submitting abload's; its topics are then named in Topics.
	JobID  string         `yaml:"job_id" json:"job_id"`
	Topics ExternalTopics `yaml:"topics" json:"topics"`
}

// ExternalKafka is how the harness and the job reach an external Kafka.
type ExternalKafka struct {
	Bootstrap []string `yaml:"bootstrap" json:"bootstrap"`
	// JobBootstrap is where the job's tasks reach the brokers, when that
	// differs from where abload does (empty: Bootstrap).
	JobBootstrap []string `yaml:"job_bootstrap" json:"job_bootstrap"`
	TLS          TLS      `yaml:"tls" json:"tls"`
	SASL         SASL     `yaml:"sasl" json:"sasl"`
}

// TLS is a client's TLS configuration; the files are PEM.
type TLS struct {
	Enabled    bool   `yaml:"enabled" json:"enabled"`
	CAFile     string `yaml:"ca_file" json:"ca_file"`
	CertFile   string `yaml:"cert_file" json:"cert_file"`
	KeyFile    string `yaml:"key_file" json:"key_file"`
	ServerName string `yaml:"server_name" json:"server_name"`
}

// SASL is a Kafka client's SASL authentication; the password comes from an
// environment variable or a file, never from the scenario.
type SASL struct {
	Mechanism    string `yaml:"mechanism" json:"mechanism"`
	Username     string `yaml:"username" json:"username"`
	PasswordEnv  string `yaml:"password_env" json:"password_env"`
	PasswordFile string `yaml:"password_file" json:"password_file"`
}

// ExternalFlink is how abload reaches an external Flink cluster's REST API.
type ExternalFlink struct {
	REST string `yaml:"rest" json:"rest"`
	TLS  TLS    `yaml:"tls" json:"tls"`
	// AuthHeader is the header sent with every request when AuthEnv or
	// AuthFile names its value ("Authorization" by default).
	AuthHeader string `yaml:"auth_header" json:"auth_header"`
	AuthEnv    string `yaml:"auth_env" json:"auth_env"`
	AuthFile   string `yaml:"auth_file" json:"auth_file"`
}

// ExternalTopics names the topics of an external run.
type ExternalTopics struct {
	// Prefix starts every topic abload creates: <prefix><run id>-events.
	Prefix string `yaml:"prefix" json:"prefix"`
	// Input, Updates and Windows name existing topics to use instead of
	// creating them (an attached job's topics).
	Input   string `yaml:"input" json:"input"`
	Updates string `yaml:"updates" json:"updates"`
	Windows string `yaml:"windows" json:"windows"`
	// AllowWrite lets abload write into topics it did not create (the load
	// into Input; the job it submits into Updates and Windows).
	AllowWrite bool `yaml:"allow_write" json:"allow_write"`
}

// SASL mechanisms (env.external.kafka.sasl.mechanism).
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// Pin holds CPU affinities: each a Linux CPU list such as "0", "0-1" or
// "0,2" (see ParseCPUList); "" leaves that component unpinned.
type Pin struct {
	Kafka        string `yaml:"kafka" json:"kafka"`
	JobManager   string `yaml:"jobmanager" json:"jobmanager"`
	TaskManagers string `yaml:"taskmanagers" json:"taskmanagers"` // every TaskManager, restarted and added ones too
	Harness      string `yaml:"harness" json:"harness"`           // the abload process itself
}

// Any reports whether anything is pinned.
func (p Pin) Any() bool {
	return p.Kafka != "" || p.JobManager != "" || p.TaskManagers != "" || p.Harness != ""
}

// Network is the steady shaping of the path between the job's tasks and the
// Kafka broker, applied by an in-process TCP proxy that only the job's
// traffic crosses (the harness's producer and consumer reach the broker
// directly).
type Network struct {
	// Latency is added to each direction (a request and its response cross
	// the path once each); Jitter varies it by up to ± Jitter.
	Latency Duration `yaml:"latency" json:"latency"`
	Jitter  Duration `yaml:"jitter" json:"jitter"`
	// Bandwidth limits each direction, all of the job's connections
	// together, e.g. "512KB/s" or "10MB/s"; "" = unlimited.
	Bandwidth string `yaml:"bandwidth" json:"bandwidth"`
	// Proxy routes the job's traffic through the proxy even when nothing is
	// shaped, so that an unshaped baseline crosses the same path.
	Proxy bool `yaml:"proxy" json:"proxy"`
}

// Shaped reports whether n shapes the path at all.
func (n Network) Shaped() bool {
	return n.Latency.Duration != 0 || n.Jitter.Duration != 0 || n.Bandwidth != ""
}

// String is n's shaping as "latency=50ms,jitter=10ms,bandwidth=512KB/s"
// (only what is set); "" when nothing is.
func (n Network) String() string {
	var parts []string
	if n.Latency.Duration != 0 {
		parts = append(parts, "latency="+n.Latency.String())
	}
	if n.Jitter.Duration != 0 {
		parts = append(parts, "jitter="+n.Jitter.String())
	}
	if n.Bandwidth != "" {
		parts = append(parts, "bandwidth="+n.Bandwidth)
	}
	return strings.Join(parts, ",")
}

// Container is one kind of container's limits in the docker environment.
type Container struct {
	// CPUs is the container's CPU limit in cores (0.5 = half a core);
	// 0 = no limit.
	CPUs float64 `yaml:"cpus" json:"cpus"`
}

// Image choices (env.images).
const (
	ImagesAuto     = "auto"     // the local images when they exist, else the official ones
	ImagesLocal    = "local"    // the images `make images` builds (no registry needed)
	ImagesOfficial = "official" // flink:<version>-java17 and apache/kafka:<version>
)

// Kafka configures the run's topics and the harness's producer.
type Kafka struct {
	Partitions  int      `yaml:"partitions" json:"partitions"`
	Acks        string   `yaml:"acks" json:"acks"`
	Linger      Duration `yaml:"linger" json:"linger"`
	Compression string   `yaml:"compression" json:"compression"`
	BatchSize   int      `yaml:"batch_size" json:"batch_size"`
	// MaxBufferedRecords is the most records the harness's producer holds
	// unacknowledged; when it is full, sending blocks.
	MaxBufferedRecords int `yaml:"max_buffered_records" json:"max_buffered_records"`
}

// Job configures the Flink job under test.
type Job struct {
	Parallelism      int              `yaml:"parallelism" json:"parallelism"`
	MaxParallelism   int              `yaml:"max_parallelism" json:"max_parallelism"`
	StageParallelism StageParallelism `yaml:"stage_parallelism" json:"stage_parallelism"`
	Window           Window           `yaml:"window" json:"window"`
	OutOfOrderness   Duration         `yaml:"out_of_orderness" json:"out_of_orderness"`
	Idleness         Duration         `yaml:"idleness" json:"idleness"`
	StateTTL         Duration         `yaml:"state_ttl" json:"state_ttl"`
	Checkpoint       Checkpoint       `yaml:"checkpoint" json:"checkpoint"`
	Outputs          Outputs          `yaml:"outputs" json:"outputs"`
	SinkLinger       Duration         `yaml:"sink_linger" json:"sink_linger"`
	Delivery         string           `yaml:"delivery" json:"delivery"`
	StateBackend     string           `yaml:"state_backend" json:"state_backend"`
	Serializer       string           `yaml:"serializer" json:"serializer"`
	SkewMitigation   SkewMitigation   `yaml:"skew_mitigation" json:"skew_mitigation"`
	BufferTimeout    Duration         `yaml:"buffer_timeout" json:"buffer_timeout"`
	ObjectReuse      bool             `yaml:"object_reuse" json:"object_reuse"`
	Chaining         bool             `yaml:"chaining" json:"chaining"`
	// RestoreFrom is a savepoint directory (one an earlier run wrote with
	// SavepointAtEnd) the job starts from; "" starts with empty state.
	RestoreFrom    string `yaml:"restore_from" json:"restore_from"`
	SavepointAtEnd bool   `yaml:"savepoint_at_end" json:"savepoint_at_end"`
	// CostPerEvent is calibrated CPU work per event (a scoring step after
	// dedupe), to model a heavier job; 0 = none.
	CostPerEvent Duration `yaml:"cost_per_event" json:"cost_per_event"`
	// UpdatesSample keeps 1 in N per-event updates (those with seq % N == 0).
	UpdatesSample int `yaml:"updates_sample" json:"updates_sample"`
	// Jar is the user's job jar to benchmark instead of abload's A/B job
	// ("" = abload's); EntryClass its main class ("" = the manifest's);
	// Args its program arguments, with {{placeholders}} abload fills in.
	Jar        string   `yaml:"jar" json:"jar"`
	EntryClass string   `yaml:"entry_class" json:"entry_class"`
	Args       []string `yaml:"args" json:"args"`
	// SQL is a file of Flink SQL statements (with the same placeholders)
	// that abload's SQL runner executes as the job; "sql:ab-job" is the A/B
	// job in Flink SQL that abload ships.
	SQL string `yaml:"sql" json:"sql"`
	// FlinkConfig is extra Flink configuration submitted with the job
	// (flinkConfiguration), key=value entries applied after what abload
	// derives from the job section; checked like env.flink_config.
	FlinkConfig []string `yaml:"flink_config" json:"flink_config,omitempty"`
}

// FlinkConfigMap reads env.flink_config or job.flink_config entries
// (key=value, split at the first =; validated by Validate) into a map.
func FlinkConfigMap(entries []string) map[string]string {
	m := map[string]string{}
	for _, e := range entries {
		k, v, _ := strings.Cut(e, "=")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

// ShippedSQL names the A/B job in Flink SQL shipped in the runtime bundle
// (job.sql).
const ShippedSQL = "sql:ab-job"

// Custom reports whether the job is not abload's DataStream A/B job (a jar
// or SQL): job-logic knobs then reach it only through placeholders.
func (j Job) Custom() bool { return j.Jar != "" || j.SQL != "" }

// StageParallelism overrides job.parallelism for single stages; 0 keeps it.
type StageParallelism struct {
	Dedupe  int `yaml:"dedupe" json:"dedupe"`
	Counts  int `yaml:"counts" json:"counts"`
	Windows int `yaml:"windows" json:"windows"`
}

// Window is the event-time window of the windows output.
type Window struct {
	Kind            string   `yaml:"kind" json:"kind"`   // tumbling, sliding or session
	Size            Duration `yaml:"size" json:"size"`   // tumbling, sliding
	Slide           Duration `yaml:"slide" json:"slide"` // sliding
	Gap             Duration `yaml:"gap" json:"gap"`     // session
	AllowedLateness Duration `yaml:"allowed_lateness" json:"allowed_lateness"`
}

// Window kinds (job.window.kind).
const (
	WindowTumbling = "tumbling"
	WindowSliding  = "sliding"
	WindowSession  = "session"
)

// SkewMitigation is how the windows path spreads hot keys.
type SkewMitigation struct {
	Kind  string `yaml:"kind" json:"kind"` // none or salted
	Salts int    `yaml:"salts" json:"salts"`
}

// Skew mitigation kinds (job.skew_mitigation.kind).
const (
	MitigationNone   = "none"
	MitigationSalted = "salted"
)

// Serializers (job.serializer).
const (
	SerializerPOJO = "pojo"
	SerializerKryo = "kryo"
)

// Delivery guarantees of the job's Kafka sinks.
const (
	DeliveryAtLeastOnce = "at_least_once"
	DeliveryExactlyOnce = "exactly_once"
)

// Checkpoint configures Flink checkpointing.
type Checkpoint struct {
	// Interval between checkpoints; 0 turns checkpointing off.
	Interval    Duration `yaml:"interval" json:"interval"`
	Mode        string   `yaml:"mode" json:"mode"`
	Unaligned   bool     `yaml:"unaligned" json:"unaligned"`
	Timeout     Duration `yaml:"timeout" json:"timeout"`
	MinPause    Duration `yaml:"min_pause" json:"min_pause"`
	Incremental bool     `yaml:"incremental" json:"incremental"`
	// ControlRun follows each run with a control run with checkpointing off.
	ControlRun bool `yaml:"control_run" json:"control_run"`
	// SyncPause is a pause in every checkpoint's synchronous phase (abload's
	// job): a modelled costly snapshot, and a known cost for truth tests.
	SyncPause Duration `yaml:"sync_pause" json:"sync_pause"`
}

// Outputs selects which of the job's two outputs are produced and measured.
type Outputs struct {
	Updates bool `yaml:"updates" json:"updates"`
	Windows bool `yaml:"windows" json:"windows"`
}

// Environment kinds accepted by validation.
const (
	EnvLocal    = "local"
	EnvDocker   = "docker"
	EnvExternal = "external"
)

// Input encodings (workload.encoding).
const (
	EncodingJSON   = "json"
	EncodingBinary = "binary"
)

// Rate profile kinds (workload.profile.kind), piecewise interpolations
// (workload.profile.interpolate) and key distribution kinds
// (workload.skew.*.kind) are the generators' own names.
const (
	ProfileConstant  = generators.ProfileConstant
	ProfileRamp      = generators.ProfileRamp
	ProfileStep      = generators.ProfileStep
	ProfileSpike     = generators.ProfileSpike
	ProfileSine      = generators.ProfileSine
	ProfilePiecewise = generators.ProfilePiecewise

	InterpolateLinear = generators.InterpolateLinear
	InterpolateStep   = generators.InterpolateStep

	SkewUniform = generators.KindUniform
	SkewZipf    = generators.KindZipf
	SkewHotset  = generators.KindHotset
)

// defaultBatchSize is the producer's largest batch in bytes (franz-go's own
// default, just under the broker's default message.max.bytes).
const defaultBatchSize = 1000012

// MaxLanes bounds workload.lanes.
const MaxLanes = 64

// Defaults returns a new scenario holding every default value. Name is left
// empty: Load and Parse derive it from the file name.
func Defaults() *Scenario {
	s := defaults()
	s.Workload.Cooldown = Duration{DefaultCooldown(s.Job)}
	return s
}

func defaults() *Scenario {
	return &Scenario{
		Workload: Workload{
			Rate:             1000,
			Duration:         Duration{30 * time.Second},
			Warmup:           Warmup{Duration: 10 * time.Second},
			WarmupMax:        Duration{DefaultWarmupMax},
			DrainTimeout:     Duration{60 * time.Second},
			Campaigns:        20,
			Variants:         []string{"A", "B"},
			Recipients:       100000,
			Seed:             1,
			MaxSendDelay:     Duration{time.Second},
			MaxConsumerDelay: Duration{2 * time.Second},
			Encoding:         EncodingJSON,
			Lanes:            1,
			Profile: Profile{
				Kind:        ProfileConstant,
				Multiplier:  1,
				Interpolate: InterpolateLinear,
			},
			Skew: Skew{
				Campaigns:  KeySkew{Kind: SkewUniform, S: 1},
				Recipients: KeySkew{Kind: SkewUniform, S: 1},
			},
			Funnel:   defaultFunnel(),
			Disorder: Disorder{LateBy: Duration{5 * time.Second}},
		},
		Env: Env{
			Kind:                  EnvLocal,
			FlinkVersion:          DefaultFlinkLine,
			TaskManagers:          1,
			Slots:                 2,
			TaskManagerMemory:     "1536m",
			JobManagerMemory:      "1024m",
			KafkaHeap:             "768m",
			StartupTimeout:        Duration{180 * time.Second},
			JVMOptions:            DefaultJVMOptions(),
			ManagedMemoryFraction: 0.4,
			HeartbeatInterval:     Duration{2 * time.Second},
			HeartbeatTimeout:      Duration{10 * time.Second},
			RestartDelay:          Duration{5 * time.Second},
			Scheduler:             SchedulerDefault,
			RescaleCooldown:       Duration{2 * time.Second},
			Images:                ImagesAuto,
			MaxClockOffset:        Duration{100 * time.Millisecond},
			External: External{
				Flink:  ExternalFlink{AuthHeader: "Authorization"},
				Topics: ExternalTopics{Prefix: "abload-"},
			},
		},
		Kafka: Kafka{
			Partitions:         4,
			Acks:               "all",
			Linger:             Duration{5 * time.Millisecond},
			Compression:        "none",
			BatchSize:          defaultBatchSize,
			MaxBufferedRecords: 1 << 16,
		},
		Job: Job{
			UpdatesSample:  1,
			Parallelism:    2,
			Window:         Window{Kind: WindowTumbling, Size: Duration{10 * time.Second}},
			OutOfOrderness: Duration{2 * time.Second},
			Idleness:       Duration{5 * time.Second},
			StateTTL:       Duration{time.Hour},
			Checkpoint:     Checkpoint{Interval: Duration{10 * time.Second}, Mode: DeliveryExactlyOnce, Timeout: Duration{10 * time.Minute}},
			Outputs:        Outputs{Updates: true, Windows: true},
			SinkLinger:     Duration{5 * time.Millisecond},
			Delivery:       DeliveryAtLeastOnce,
			StateBackend:   "hashmap",
			Serializer:     SerializerPOJO,
			SkewMitigation: SkewMitigation{Kind: MitigationNone, Salts: 8},
			BufferTimeout:  Duration{100 * time.Millisecond},
			Chaining:       true,
		},
		Repetitions: 1,
		Capacity: Capacity{
			StartRate:    1000,
			Growth:       2,
			Precision:    0.1,
			MaxRate:      200000,
			Settle:       Duration{15 * time.Second},
			Judge:        Duration{20 * time.Second},
			Budget:       Duration{15 * time.Minute},
			DrainTimeout: Duration{60 * time.Second},
			SLO:          CapacitySLO{E2EP99: Duration{time.Second}, LagSlopeRatio: 0.05},
			Headroom:     0.2,
		},
	}
}

// defaultFunnel takes the generator's own default funnel, so the plausible
// email behaviour is defined in one place.
func defaultFunnel() Funnel {
	g := generators.DefaultFunnel()
	ln := func(l generators.LogNormal) LogNormal { return LogNormal{Median: Duration{l.Median}, Sigma: l.Sigma} }
	return Funnel{
		TimeScale:   g.TimeScale,
		Bounce:      g.Bounce,
		Open:        g.Open,
		Click:       g.Click,
		Conversion:  g.Conversion,
		Unsubscribe: g.Unsubscribe,
		Reopen:      g.Reopen,
		BotOpen:     g.BotOpen,
		Delays: Delays{
			Delivery:   ln(g.DeliveryDelay),
			Open:       ln(g.OpenDelay),
			Click:      ln(g.ClickDelay),
			Conversion: ln(g.ConversionDelay),
		},
	}
}

// JVMOptionsEnv names the environment variable whose value (options split
// at whitespace) is env.jvm_options where a scenario does not set it: one
// setting for every run of a session, such as a test suite's.
const JVMOptionsEnv = "ABLOAD_JVM_OPTIONS"

// DefaultJVMOptions is env.jvm_options's default: $ABLOAD_JVM_OPTIONS split
// at whitespace, nil when unset or empty.
func DefaultJVMOptions() []string {
	f := strings.Fields(os.Getenv(JVMOptionsEnv))
	if len(f) == 0 {
		return nil
	}
	return f
}
