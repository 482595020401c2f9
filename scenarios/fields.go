package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// FieldDoc documents one leaf field of the scenario file.
type FieldDoc struct {
	// Path is the dot path, as in --set ("workload.rate"); a field of the
	// elements of a list of mappings is written "workload.profile.steps[].at".
	Path    string
	Type    string // "string", "integer", "number", "bool", "duration", "list of strings", "list of numbers", "list of {at, rate}"
	Default string // the default, as it would be written in a file
	Doc     string
}

// fieldDocs is the hand-written part of the field table; Type and Default are
// filled from the struct and Defaults so they cannot drift. A test checks
// that it names every leaf field exactly once.
var fieldDocs = []FieldDoc{
	{Path: "name", Default: "file name without .yaml", Doc: "Scenario name: letters, digits, '.', '_', '-'. Names runs and topics."},
	{Path: "description", Doc: "Free text shown in reports."},
	{Path: "workload.rate", Doc: "Target input rate in events/s. Open loop: the schedule never waits for the system under test. It is also the base rate of the step, spike and sine profiles; ramp and piecewise ignore it."},
	{Path: "workload.duration", Doc: "Measurement phase, by intended time. Results cover events intended inside it. > 0."},
	{Path: "workload.warmup", Doc: "Warmup phase before measurement, at the same rate; not measured. `auto`: warm up until the JVMs' JIT compilers and the per-second e2e p99 have settled (docs/measurements.md), at most workload.warmup_max; the measurement phase then starts at an event announced to every lane, and result.json records the decision. A fixed warmup that ends before the job began taking in events (as its updates tell) leaves a note: the measurement then includes the job's start. `abload capacity` warms the job up this long (auto: until settled) at capacity.start_rate before the first step (not judged; the backlog drains after it). >= 0."},
	{Path: "workload.warmup_max", Doc: "With workload.warmup auto: the longest warmup; the measurement starts then even if the system has not settled (result.json says so). >= 11s (two 5 s windows are judged, then a 1 s lead)."},
	{Path: "workload.drain_timeout", Doc: "How long to wait after the last event for every output to arrive. > 0."},
	{Path: "workload.campaigns", Doc: "Number of campaigns (the campaign key space); how events pick one: workload.skew.campaigns. >= 1."},
	{Path: "workload.variants", Doc: "Variant labels, 1 to 26, unique; each (campaign, recipient) is assigned one by a hash, as A/B tools do."},
	{Path: "workload.recipients", Doc: "Number of recipients (the recipient key space); how events pick one: workload.skew.recipients. >= 1."},
	{Path: "workload.seed", Doc: "Generator seed: the same seed gives the same events."},
	{Path: "workload.max_send_delay", Doc: "A run whose generator falls behind its schedule by more than this is invalid. > 0."},
	{Path: "workload.max_consumer_delay", Doc: "A run whose harness consumer falls behind the outputs by more than this is invalid. > 0."},
	{Path: "workload.max_failed_checkpoints", Doc: "A run with more failed checkpoints than this in its measurement phase (not counting those while recovering from an injected fault) is invalid. >= 0."},
	{Path: "workload.encoding", Doc: "Wire encoding of the input events: json or binary (see DESIGN.md)."},
	{Path: "workload.lanes", Doc: "Stream partitions (lanes) the generator splits the stream into; the stream is identical for a given seed and number of lanes. 1 to 64."},
	{Path: "workload.profile.kind", Doc: "Rate profile: constant, ramp, step, spike, sine or piecewise. Times in the profile count from the schedule origin (the start of warmup). Fields of other kinds must keep their defaults."},
	{Path: "workload.profile.from", Doc: "ramp: start rate in events/s. >= 0; from and to not both 0."},
	{Path: "workload.profile.to", Doc: "ramp: end rate in events/s, held after the ramp. >= 0."},
	{Path: "workload.profile.over", Doc: "ramp: ramp length; 0 = warmup + duration. >= 0."},
	{Path: "workload.profile.steps", Doc: "step: the rate changes, as a list of {at, rate}; workload.rate applies before the first. At least one."},
	{Path: "workload.profile.steps[].at", Default: "required", Doc: "step: when this rate starts. >= 0, strictly increasing."},
	{Path: "workload.profile.steps[].rate", Default: "required", Doc: "step: rate in events/s from at on. >= 0."},
	{Path: "workload.profile.at", Doc: "spike: when the spike starts. >= 0."},
	{Path: "workload.profile.length", Doc: "spike: how long the spike lasts. > 0."},
	{Path: "workload.profile.multiplier", Doc: "spike: the rate inside the spike is workload.rate × multiplier. >= 0."},
	{Path: "workload.profile.amplitude", Doc: "sine: relative amplitude; the rate is workload.rate × (1 + amplitude × sin(2π t / period)). In [0, 1]."},
	{Path: "workload.profile.period", Doc: "sine: period. > 0."},
	{Path: "workload.profile.points", Doc: "piecewise: the rate curve, as a list of {at, rate}; the first rate holds before the first point, the last after the last. At least one, one with rate > 0."},
	{Path: "workload.profile.points[].at", Default: "required", Doc: "piecewise: time of the point. >= 0, strictly increasing."},
	{Path: "workload.profile.points[].rate", Default: "required", Doc: "piecewise: rate in events/s at the point. >= 0."},
	{Path: "workload.profile.interpolate", Doc: "piecewise: between points, linear or step (hold the earlier point's rate)."},
	{Path: "workload.skew.campaigns.kind", Doc: "Campaign key distribution: uniform, zipf (rank k has weight 1/k^s) or hotset (hot_share of the events on hot_keys campaigns). Fields of other kinds must keep their defaults."},
	{Path: "workload.skew.campaigns.s", Doc: "zipf: exponent. > 0."},
	{Path: "workload.skew.campaigns.hot_keys", Doc: "hotset: number of hot campaigns. >= 1 and < workload.campaigns."},
	{Path: "workload.skew.campaigns.hot_share", Doc: "hotset: share of the events on the hot campaigns. In [0, 1]."},
	{Path: "workload.skew.campaigns.move_every", Doc: "zipf, hotset: > 0 moves the hot keys to other campaigns this often (run time); 0 never. >= 0."},
	{Path: "workload.skew.recipients.kind", Doc: "Recipient key distribution: uniform, zipf or hotset, as for campaigns."},
	{Path: "workload.skew.recipients.s", Doc: "zipf: exponent. > 0."},
	{Path: "workload.skew.recipients.hot_keys", Doc: "hotset: number of hot recipients. >= 1 and < workload.recipients."},
	{Path: "workload.skew.recipients.hot_share", Doc: "hotset: share of the events on the hot recipients. In [0, 1]."},
	{Path: "workload.skew.recipients.move_every", Doc: "zipf, hotset: > 0 moves the hot keys to other recipients this often (run time); 0 never. >= 0."},
	{Path: "workload.funnel.time_scale", Doc: "Campaign seconds per run second: the funnel's delays are divided by it. > 0."},
	{Path: "workload.funnel.bounce", Doc: "Probability that a send bounces instead of being delivered. In [0, 1]."},
	{Path: "workload.funnel.open", Doc: "Probability of a human open given delivery: one value for all variants, or one per variant in the order of workload.variants. Each in [0, 1]."},
	{Path: "workload.funnel.click", Doc: "Probability of a click given an open; one value, or one per variant. Each in [0, 1]."},
	{Path: "workload.funnel.conversion", Doc: "Probability of a conversion given a click; one value, or one per variant. Each in [0, 1]."},
	{Path: "workload.funnel.unsubscribe", Doc: "Probability of an unsubscribe given an open. In [0, 1]."},
	{Path: "workload.funnel.reopen", Doc: "Probability of another open after an open (likewise of another click after a click). In [0, 1)."},
	{Path: "workload.funnel.bot_open", Doc: "Probability of a machine (bot) open given delivery, besides human opens. In [0, 1]."},
	{Path: "workload.funnel.delays.delivery.median", Doc: "Median delay from send to delivery or bounce, campaign time (log-normal). >= 0."},
	{Path: "workload.funnel.delays.delivery.sigma", Doc: "Log-normal sigma of that delay (0 = always the median). >= 0."},
	{Path: "workload.funnel.delays.open.median", Doc: "Median delay from delivery to open, campaign time. >= 0."},
	{Path: "workload.funnel.delays.open.sigma", Doc: "Log-normal sigma of that delay. >= 0."},
	{Path: "workload.funnel.delays.click.median", Doc: "Median delay from open to click, campaign time. >= 0."},
	{Path: "workload.funnel.delays.click.sigma", Doc: "Log-normal sigma of that delay. >= 0."},
	{Path: "workload.funnel.delays.conversion.median", Doc: "Median delay from click to conversion, campaign time. >= 0."},
	{Path: "workload.funnel.delays.conversion.sigma", Doc: "Log-normal sigma of that delay. >= 0."},
	{Path: "workload.disorder.max_delay", Doc: "Bounded out-of-orderness: events arrive up to this long after their event time; keep it <= job.out_of_orderness for none to be late. >= 0."},
	{Path: "workload.disorder.late_fraction", Doc: "Fraction of events delivered beyond the job's watermark bound (late). In [0, 1]."},
	{Path: "workload.disorder.late_by", Doc: "How far beyond job.out_of_orderness the late events arrive. > 0."},
	{Path: "workload.disorder.duplicates", Doc: "Fraction of human opens sent a second time as identical events. In [0, 1]."},
	{Path: "workload.cooldown", Default: "window size (or gap) + out_of_orderness with the windows output on, else 0s", Doc: "After the measurement phase, keep sending at the schedule's rate this long, unmeasured, so the last measured windows close under load rather than by the end-of-run flush (windows the flush closes are reconciled but left out of window latency). >= 0."},
	{Path: "workload.prefill.keys", Doc: "Before warmup, send this many opens unpaced, each for a distinct (campaign, recipient) outside workload.recipients, so dedupe state has that many entries when measuring starts; not measured. Needs job.outputs.updates. 0 = none."},
	{Path: "env.kind", Doc: "Environment: local (JVM processes on 127.0.0.1), docker (containers through testcontainers-go, with per-container CPU and memory limits) or external (a Kafka and Flink cluster abload does not run: env.external)."},
	{Path: "env.flink_version", Doc: "The Flink line the environment runs: 1.20 (the LTS line), 2.2 or 2.3 (experimental: it runs the 2.2 line's Kafka connector, none being released for 2.3; the result notes it); each from its own runtime bundle (make runtime FLINK=1.20 builds build/runtime-1.20; 2.2 is build/runtime), with its own A/B job, SQL runner and cluster configuration. result.json records the exact version (environment.flink_version). With env.kind external, left unset, it is the external cluster's own line, read from its REST API before anything starts."},
	{Path: "env.taskmanagers", Doc: "Number of Flink TaskManagers. >= 1."},
	{Path: "env.slots", Doc: "Task slots per TaskManager. >= 1."},
	{Path: "env.taskmanager_memory", Doc: "Flink taskmanager.memory.process.size, a Flink memory size (1536m, 2g)."},
	{Path: "env.jobmanager_memory", Doc: "Flink jobmanager.memory.process.size, a Flink memory size."},
	{Path: "env.kafka_heap", Doc: "Kafka broker JVM heap (-Xmx), such as 768m or 1g."},
	{Path: "env.startup_timeout", Doc: "How long the environment may take to come up. > 0."},
	{Path: "env.jvm_options", Default: "$ABLOAD_JVM_OPTIONS split at spaces, else none", Doc: "Extra options for every JVM of the cluster the local and Docker environments start (broker, JobManager, TaskManagers), after abload's own, such as [-XX:+UseParallelGC]; recorded in result.json (environment.jvm_options). Each one a leading -, then letters, digits and :+=._/,%@*- only. A garbage collector chosen here replaces the broker's G1 settings. Not for env.kind external."},
	{Path: "env.flink_config", Default: "none", Doc: "Extra Flink configuration for the cluster the local and Docker environments start, a list of key=value entries (config.yaml keys, such as [taskmanager.network.memory.buffer-debloat.enabled=true]) applied after abload's own. Every key must be one the Flink version knows: it is checked before anything starts (Flink would ignore an unknown key without a word). Not for env.kind external."},
	{Path: "env.network_memory", Doc: "TaskManager network memory (buffers for batching between tasks), a Flink memory size; \"\" keeps Flink's default share (10% of total Flink memory)."},
	{Path: "env.managed_memory_fraction", Doc: "Share of TaskManager Flink memory that is managed memory (RocksDB's cache and write buffers). In [0, 1)."},
	{Path: "env.heartbeat_interval", Doc: "Flink heartbeat interval between JobManager and TaskManagers. > 0."},
	{Path: "env.heartbeat_timeout", Doc: "A TaskManager silent this long is declared lost (failure detection time). > heartbeat_interval."},
	{Path: "env.taskmanager.cpus", Doc: "CPU limit of each TaskManager container in cores, e.g. 0.5 (docker only); 0 = no limit."},
	{Path: "env.jobmanager.cpus", Doc: "CPU limit of the JobManager container in cores (docker only); 0 = no limit."},
	{Path: "env.kafka.cpus", Doc: "CPU limit of the Kafka broker container in cores (docker only); 0 = no limit."},
	{Path: "env.images", Doc: "Docker images (docker only): local (built by `make images`, no registry needed), official (flink:<version>-java17, apache/kafka:<version>) or auto (local when present, else official)."},
	{Path: "env.restart_delay", Doc: "The environment restarts a TaskManager that died (killed by a fault or crashed) after this long, as a pod supervisor would. >= 0."},
	{Path: "env.network.latency", Doc: "Delay added to each direction of the path between the job and the Kafka broker, for the whole run (a record crosses it at least twice: the job's fetch and the job's produce). Applied by an in-process TCP proxy that only the job's Kafka traffic crosses; the harness's producer and consumer reach the broker directly. Local and docker. Whole milliseconds, >= 0."},
	{Path: "env.network.jitter", Doc: "Each delay varies by up to ± this, uniformly (a delay never goes below 0; jitter may exceed latency). Whole milliseconds, >= 0."},
	{Path: "env.network.bandwidth", Doc: "Bandwidth of that path in each direction, all of the job's connections together: bytes per second such as 512KB/s, 10MB/s or 1.5GB/s (1 KB = 1000 bytes); \"\" = unlimited."},
	{Path: "env.network.proxy", Doc: "Route the job's Kafka traffic through the proxy even when nothing is shaped, so that an unshaped baseline crosses the same path (the proxy is used anyway when latency, jitter or bandwidth is set, or a network fault is scheduled)."},
	{Path: "env.scheduler", Doc: "Flink's scheduler: default (session cluster; the job keeps job.parallelism), adaptive (session cluster with the adaptive scheduler: job.parallelism is the upper bound, the job runs with the slots there are and scales up when TaskManagers join) or reactive (Reactive Mode: the JobManager starts in application mode with the job, which always runs on every slot; local only). Rescales are timed in result.json (rescales)."},
	{Path: "env.rescale_cooldown", Doc: "adaptive and reactive: the adaptive scheduler's cooldown after a rescale and its resource-stabilization waits, lowered from Flink's defaults (30 s and 60 s) so a benchmark sees a rescale soon after resources change. >= 0."},
	{Path: "env.pin.kafka", Doc: "CPU affinity of the Kafka broker: a Linux CPU list such as 0, 0-1 or 0,2, naming only CPUs of this machine; \"\" = not pinned. local: the broker's JVM starts with that affinity, so all its threads have it; docker: the container's cpuset (--cpuset-cpus). Not with env.kind external."},
	{Path: "env.pin.jobmanager", Doc: "CPU affinity of the Flink JobManager, a CPU list as env.pin.kafka; \"\" = not pinned."},
	{Path: "env.pin.taskmanagers", Doc: "CPU affinity of every TaskManager (those restarted after a fault and those added by scaling actions too), a CPU list as env.pin.kafka; \"\" = not pinned. All TaskManagers share these CPUs."},
	{Path: "env.pin.harness", Doc: "CPU affinity of abload itself (load generator, consumer, metering) for the run, a CPU list as env.pin.kafka; \"\" = not pinned. Components left unpinned keep the CPUs abload had before. result.json records the pinning (environment.pin)."},
	{Path: "env.max_clock_offset", Doc: "Bound on the offset between this host's clock and the Kafka broker's, measured when the run starts from the LogAppendTime of probe records against their local send and ack times (± half the round trip); a run whose offset exceeds it even allowing for that uncertainty is invalid. Any environment. Whole milliseconds, > 0."},
	{Path: "env.external.kafka.bootstrap", Doc: "external: the Kafka brokers abload connects to, a list of host:port; required with env.kind external."},
	{Path: "env.external.kafka.job_bootstrap", Doc: "external: where the job's tasks reach the brokers, a list of host:port, when that differs from env.external.kafka.bootstrap (another listener or network); empty = bootstrap."},
	{Path: "env.external.kafka.tls.enabled", Doc: "external: TLS to the brokers (SSL or SASL_SSL), for the harness's clients and the job's."},
	{Path: "env.external.kafka.tls.ca_file", Doc: "external: PEM bundle of the CAs that verify the brokers' certificates; \"\" = the system's roots. Needs tls.enabled."},
	{Path: "env.external.kafka.tls.cert_file", Doc: "external: PEM client certificate for mutual TLS; with key_file (both or neither). Needs tls.enabled."},
	{Path: "env.external.kafka.tls.key_file", Doc: "external: the client certificate's key, unencrypted PEM; with cert_file. Needs tls.enabled."},
	{Path: "env.external.kafka.tls.server_name", Doc: "external: the name to verify in the brokers' certificates instead of the host connected to; the harness's clients only (the job's Java client verifies the host it connects to). \"\" = the host. Needs tls.enabled."},
	{Path: "env.external.kafka.sasl.mechanism", Doc: "external: SASL authentication to the brokers: \"\" (none), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512."},
	{Path: "env.external.kafka.sasl.username", Doc: "external: the SASL user; required with a mechanism."},
	{Path: "env.external.kafka.sasl.password_env", Doc: "external: the name of the environment variable holding the SASL password (read when the run starts). Credentials are never written in the scenario. Exactly one of password_env and password_file with a mechanism."},
	{Path: "env.external.kafka.sasl.password_file", Doc: "external: a file holding the SASL password (a trailing newline is ignored), instead of password_env."},
	{Path: "env.external.flink.rest", Doc: "external: the Flink REST endpoint, an http:// or https:// URL without credentials (such as https://flink.example.com:8081); required with env.kind external."},
	{Path: "env.external.flink.tls.enabled", Doc: "external: use the TLS settings below for the REST endpoint; needs an https:// rest (without them an https endpoint is verified against the system's roots)."},
	{Path: "env.external.flink.tls.ca_file", Doc: "external: PEM bundle of the CAs that verify the REST endpoint's certificate; \"\" = the system's roots. Needs flink.tls.enabled."},
	{Path: "env.external.flink.tls.cert_file", Doc: "external: PEM client certificate for the REST endpoint; with key_file (both or neither). Needs flink.tls.enabled."},
	{Path: "env.external.flink.tls.key_file", Doc: "external: the client certificate's key, unencrypted PEM; with cert_file. Needs flink.tls.enabled."},
	{Path: "env.external.flink.tls.server_name", Doc: "external: the name to verify in the REST endpoint's certificate instead of the URL's host; \"\" = the host. Needs flink.tls.enabled."},
	{Path: "env.external.flink.auth_header", Doc: "external: the HTTP header sent with every REST request when auth_env or auth_file gives its value (such as \"Bearer <token>\"); letters, digits and '-'."},
	{Path: "env.external.flink.auth_env", Doc: "external: the name of the environment variable holding that header's value (read when the run starts); \"\" = no header. At most one of auth_env and auth_file."},
	{Path: "env.external.flink.auth_file", Doc: "external: a file holding that header's value (a trailing newline is ignored), instead of auth_env."},
	{Path: "env.external.job_id", Doc: "external: attach to this running Flink job (32 hex digits) instead of submitting abload's; its input topic (and the output topics of job.outputs) must then be named in env.external.topics. job.* knobs are not applied to an attached job. \"\" = submit abload's job."},
	{Path: "env.external.topics.prefix", Doc: "external: every topic abload creates is named <prefix><run id>-events, -updates, -windows or -clock. 1 to 100 letters, digits, '.', '_' or '-'."},
	{Path: "env.external.topics.input", Doc: "external: an existing topic to write the load into instead of creating one; required with job_id (the attached job's input). Needs topics.allow_write. With --cleanup abload deletes only topics it created."},
	{Path: "env.external.topics.updates", Doc: "external: an existing topic to read the updates output from instead of creating one; required with job_id when job.outputs.updates. Without job_id abload's job writes into it, which needs topics.allow_write."},
	{Path: "env.external.topics.windows", Doc: "external: an existing topic to read the windows output from instead of creating one; required with job_id when job.outputs.windows. Without job_id abload's job writes into it, which needs topics.allow_write."},
	{Path: "env.external.topics.allow_write", Doc: "external: let abload write into topics it did not create (the load into topics.input; the job abload submits into topics.updates and topics.windows); abload refuses to unless this is true."},
	{Path: "kafka.partitions", Doc: "Partitions of each of the run's topics. >= 1."},
	{Path: "kafka.acks", Doc: "Producer acks: all, leader or none."},
	{Path: "kafka.linger", Doc: "The harness producer's linger (batching delay): Kafka 4's own producer default, 5ms. Part of e2e latency, as a real producer's would be; lower it for jobs whose latency is a few ms, at the price of more CPU in abload (about 1.5× at 1ms). >= 0."},
	{Path: "kafka.compression", Doc: "Producer compression: none, gzip, snappy, lz4 or zstd."},
	{Path: "kafka.batch_size", Doc: "Largest producer batch in bytes (per partition). 1024..1048588."},
	{Path: "kafka.max_buffered_records", Doc: "The most records the harness's producer holds that the broker has not acknowledged; when full, sending blocks and the events due meanwhile go out late (their send delay and e2e latency, counted from the intended time, include the wait). 1..10000000."},
	{Path: "job.parallelism", Doc: "Job parallelism; at most env.taskmanagers × env.slots. >= 1."},
	{Path: "job.max_parallelism", Doc: "Max parallelism (number of key groups); 0 leaves Flink's default, else parallelism..32768."},
	{Path: "job.stage_parallelism.dedupe", Doc: "Parallelism of the dedupe stage; 0 = job.parallelism. At most the task slots."},
	{Path: "job.stage_parallelism.counts", Doc: "Parallelism of the running-counts stage (and the updates sink); 0 = job.parallelism."},
	{Path: "job.stage_parallelism.windows", Doc: "Parallelism of the windows stage(s) and the windows sink; 0 = job.parallelism."},
	{Path: "job.window.kind", Doc: "Event-time window of the windows output: tumbling, sliding or session. Fields of other kinds must keep their defaults."},
	{Path: "job.window.size", Doc: "tumbling, sliding: window length, whole milliseconds. > 0. Not used by session windows."},
	{Path: "job.window.slide", Doc: "sliding: how far successive windows start apart; each event is in size/slide windows (at most 100). In (0, size]."},
	{Path: "job.window.gap", Doc: "session: a key's session closes after this long without events. > 0."},
	{Path: "job.window.allowed_lateness", Doc: "tumbling, sliding: events up to this far behind the watermark still count; their window fires again with the corrected counts (a late firing). 0 for session. >= 0."},
	{Path: "job.out_of_orderness", Doc: "Watermark bound for out-of-order events. >= 0."},
	{Path: "job.idleness", Doc: "A source partition idle this long stops holding back watermarks. > 0."},
	{Path: "job.state_ttl", Doc: "Event-time retention of the dedupe state: how long the job remembers a (campaign, recipient) for unique opens and clicks. > 0."},
	{Path: "job.checkpoint.interval", Doc: "Checkpoint interval; 0 turns checkpointing off, else >= 10ms."},
	{Path: "job.checkpoint.mode", Doc: "Checkpointing mode: exactly_once (aligned barriers) or at_least_once."},
	{Path: "job.checkpoint.unaligned", Doc: "Unaligned checkpoints (barriers overtake buffered data); needs mode exactly_once."},
	{Path: "job.checkpoint.timeout", Doc: "A checkpoint not done in this time fails. > 0."},
	{Path: "job.checkpoint.min_pause", Doc: "Least time between the end of one checkpoint and the start of the next. >= 0."},
	{Path: "job.checkpoint.incremental", Doc: "Incremental checkpoints; needs job.state_backend rocksdb."},
	{Path: "job.checkpoint.control_run", Doc: "Follow each run with a control run on the same environment with checkpointing off (and at_least_once delivery), written to OUT/control; result.json's checkpoints.control holds the ratios (latency, output rate, TaskManager CPU). Not with an attached job (env.external.job_id)."},
	{Path: "job.checkpoint.sync_pause", Doc: "abload's job: a pause of this long in every checkpoint's synchronous phase (in the source's task, which stops meanwhile): a modelled costly snapshot, and a known checkpoint cost (the overhead figures must show it). 0 = none; whole ms, <= 1m."},
	{Path: "job.outputs.updates", Doc: "Produce the per-event updates output (e2e latency, exact reconciliation)."},
	{Path: "job.outputs.windows", Doc: "Produce the per-window output (window latency)."},
	{Path: "job.sink_linger", Doc: "Linger of the job's Kafka sinks. >= 0."},
	{Path: "job.delivery", Doc: "Kafka sink guarantee: at_least_once, or exactly_once (transactional; output visible at checkpoint commit, so e2e latency includes the commit delay; needs checkpointing; the harness reads read-committed)."},
	{Path: "job.state_backend", Doc: "State backend: hashmap (heap), rocksdb, or forst (ForSt, Flink 2's state backend; 2.x lines only): under the A/B job's synchronous state API ForSt keeps its files on the TaskManager's disk, so the latency of the remote storage it is made for is not measured (the result says so)."},
	{Path: "job.serializer", Doc: "How Flink serializes events between tasks and in state: pojo (Flink's POJO serializer) or kryo (forced generic Kryo serialization), to measure the difference."},
	{Path: "job.skew_mitigation.kind", Doc: "Hot-key mitigation on the windows path: none, or salted (two-phase aggregation: partial windows per (campaign, variant, salt), then a merge per (campaign, variant)). salted needs tumbling or sliding windows."},
	{Path: "job.skew_mitigation.salts", Doc: "salted: salts per key (a recipient's salt is a hash of its id). 2..1024."},
	{Path: "job.buffer_timeout", Doc: "Network buffer timeout: how long a partly filled buffer may wait before it is sent; 0 flushes every record (lowest latency, least batching). >= 0."},
	{Path: "job.object_reuse", Doc: "Flink object reuse between chained operators."},
	{Path: "job.chaining", Doc: "Operator chaining; false puts every operator in its own task (the cost of extra hand-overs)."},
	{Path: "job.restore_from", Doc: "A savepoint directory to start the job from (one an earlier run wrote with job.savepoint_at_end), so the run measures on grown state; \"\" = empty state. Operator state is restored; source and sink state are not (every run has its own topics). Dedupe state keeps earlier runs' (campaign, recipient) keys, so unique counts can fall below the generator's truth."},
	{Path: "job.savepoint_at_end", Doc: "Take a savepoint after the drain, into OUT/savepoint; its path is in result.json (savepoint). Not with env.kind external."},
	{Path: "job.cost_per_event", Doc: "Calibrated CPU work per event in a scoring step right after dedupe (real computation, calibrated on thread CPU time when each subtask opens), to model a heavier job or give capacity searches a known cost; whole microseconds, 0..1s; 0 = no scoring step."},
	{Path: "job.updates_sample", Doc: "Emit the per-event update of 1 in N events (those with seq % N == 0) so the harness's consumption stays light at high rates; e2e latency and reconciliation then cover those events (reconciliation.updates_sample). >= 1; 1 = every event. Windows are unaffected."},
	{Path: "job.jar", Doc: "Your job's jar, benchmarked instead of abload's A/B job (\"\" = abload's): a path on this host, uploaded to the cluster. It must honour the job contract (docs/your-own-job.md): read the input topic, write updates and/or windows records. abload's Flink-level knobs (parallelism, checkpointing, state backend, buffer timeout, chaining, object reuse, max parallelism, serializer) reach it through the job's Flink configuration; the other job.* knobs only through placeholders in job.args."},
	{Path: "job.entry_class", Doc: "job.jar's main class; \"\" = the Main-Class of its manifest."},
	{Path: "job.args", Doc: "job.jar's program arguments; {{placeholders}} are filled in: {{kafka.bootstrap}}, {{topics.input}}, {{topics.updates}}, {{topics.windows}}, {{group.id}}, {{job.name}}, {{job.parallelism}}, {{job.delivery}}, {{kafka.properties}} (docs/your-own-job.md lists all). An unknown placeholder is an error."},
	{Path: "job.sql", Doc: "A file of Flink SQL statements run as the job by abload's SQL runner (Table API, no SQL gateway), with the placeholders of job.args in its text; sql:ab-job is the A/B job in Flink SQL that abload ships. Exclusive with job.jar. Windows: tumbling or sliding (TUMBLE, HOP)."},
	{Path: "job.flink_config", Default: "none", Doc: "Extra Flink configuration submitted with the job (flinkConfiguration), a list of key=value entries (such as [execution.checkpointing.max-concurrent-checkpoints=2]) applied after what abload derives from the job section; abload's A/B job sets its job-section knobs (checkpointing, state backend, buffer timeout, …) in code, which wins over the same key here. Every key must be one the Flink version knows: it is checked before anything starts. Not with env.scheduler reactive (use env.flink_config)."},
	{Path: "faults", Default: "none", Doc: "Faults to inject, a list of {at, kind, taskmanager, duration, latency, jitter, bandwidth} (only the fields of the kind); each is timed in result.json (recovery)."},
	{Path: "faults[].at", Default: "required", Doc: "When, from the start of warmup; inside warmup + duration + cooldown."},
	{Path: "faults[].kind", Default: "required", Doc: "kill_taskmanager (SIGKILL; back after env.restart_delay), pause_taskmanagers (SIGSTOP for duration, then SIGCONT), restart_broker (clean stop, down for duration, start again), network_delay (latency ± jitter added to each direction of the job's path to the broker for duration, on top of env.network), network_cut (that path partitioned for duration: nothing flows either way, connections stay open, nothing is lost) or network_bandwidth (that path limited to bandwidth for duration, or to env.network.bandwidth if lower). After a network fault env.network's shaping is back."},
	{Path: "faults[].taskmanager", Default: "0", Doc: "Which TaskManager, 1..env.taskmanagers; pause_taskmanagers: 0 = all."},
	{Path: "faults[].duration", Default: "0s", Doc: "pause_taskmanagers and the network faults: how long (> 0); restart_broker: how long the broker stays down."},
	{Path: "faults[].latency", Default: "0s", Doc: "network_delay: delay added to each direction, whole milliseconds (> 0)."},
	{Path: "faults[].jitter", Default: "0s", Doc: "network_delay: ± variation of that delay, whole milliseconds (>= 0)."},
	{Path: "faults[].bandwidth", Default: `""`, Doc: "network_bandwidth: the limit per direction, as env.network.bandwidth (required)."},
	{Path: "scaling", Default: "none", Doc: "TaskManagers joining or leaving on the timeline, a list of {at, action, count} (local environment). Each action is timed in result.json (rescales: when the job's parallelism read back from Flink's REST API changed, the output gap, the latency spike, the job's read rate before and after). With env.scheduler default the job does not rescale."},
	{Path: "scaling[].at", Default: "required", Doc: "When, from the start of warmup; inside warmup + duration + cooldown."},
	{Path: "scaling[].action", Default: "required", Doc: "add_taskmanager (start count more TaskManagers, env.slots each) or remove_taskmanager (stop the count newest TaskManagers, SIGTERM; they are not restarted). At least one TaskManager must remain."},
	{Path: "scaling[].count", Default: "1", Doc: "How many TaskManagers join or leave. 1..16."},
	{Path: "gates", Doc: "Pass/fail gates such as \"e2e.p99 < 250ms\", checked after the run."},
	{Path: "repetitions", Doc: "How many times to run the scenario. >= 1."},
	{Path: "capacity.start_rate", Doc: "`abload capacity`: the first step's offered rate in events/s. The capacity search ignores workload.rate, workload.profile, duration and cooldown (workload.warmup warms the job up before the first step) (plain runs ignore the capacity section). > 0."},
	{Path: "capacity.growth", Doc: "`abload capacity`: while steps pass, the next step's rate is the last one's × growth; after the first failure the search bisects. In (1, 100]."},
	{Path: "capacity.precision", Doc: "`abload capacity`: stop once (first failing − highest passing) / highest passing <= precision. In (0, 1]."},
	{Path: "capacity.max_rate", Doc: "`abload capacity`: the highest rate tried; a search that passes there stops (stopped_by max_rate). >= start_rate, <= 1e7."},
	{Path: "capacity.settle", Doc: "`abload capacity`: time at each step's rate before it is judged (steady state; not judged). >= 0."},
	{Path: "capacity.judge", Doc: "`abload capacity`: the judged part of each step: e2e latency of the events intended in it, the lag's trend, send delay and checkpoints in it. >= 5s."},
	{Path: "capacity.budget", Doc: "`abload capacity`: time budget of the search from the start of the load (the warmup included, startup not); when it runs out the search stops and reports what it established (stopped_by budget). > 0."},
	{Path: "capacity.drain_timeout", Doc: "`abload capacity`: between steps the load pauses until the input lag drains; a backlog still there after this long fails the step before (\"backlog did not drain\"). > 0."},
	{Path: "capacity.slo.e2e_p99", Doc: "`abload capacity`: a step passes only if the e2e p99 (by intended time) of the events intended in its judge window is at most this. > 0."},
	{Path: "capacity.slo.lag_slope_ratio", Doc: "`abload capacity`: a step fails when the input lag grows over its judge window: its least-squares slope (events/s) above lag_slope_ratio × the step's rate, with the last lag sample above two seconds' worth of events (the source's position is read up to ~2 s stale). > 0."},
	{Path: "capacity.target_rate", Doc: "`abload capacity` with a matrix (a capacity curve): the demand question, the smallest configuration (lowest job.parallelism, then env.taskmanagers, then CPU limit) whose sustainable rate is at least target_rate × (1 + headroom); 0 = not asked. 0..1e7 events/s."},
	{Path: "capacity.headroom", Doc: "`abload capacity`: the margin above capacity.target_rate a configuration must sustain, as a fraction (0.2 = 20%). 0..10."},
	{Path: "matrix", Default: "none", Doc: "Points to run the scenario at, each once per repetition, interleaved (A B A B …). Either a mapping of dot path → list of values (the cartesian product, first path varying slowest) or a list of mappings of dot path → value (one point each). Paths are those --set accepts, except matrix and repetitions; values are applied like --set PATH=VALUE: defaults < file < matrix point < --set. At most 256 points."},
}

const matrixTypeName = "map of path → list, or list of maps"

// Fields returns the documented leaf fields of the scenario file, in file
// order.
func Fields() []FieldDoc {
	def := reflect.ValueOf(Defaults()).Elem()
	out := make([]FieldDoc, len(fieldDocs))
	for i, f := range fieldDocs {
		v, ok := valueAt(def, f.Path)
		if !ok {
			panic("scenarios: field table names unknown path " + f.Path)
		}
		f.Type = typeName(v.Type())
		if f.Default == "" {
			f.Default = formatValue(v)
		}
		out[i] = f
	}
	return out
}

// FieldsMarkdown renders Fields as a Markdown table, for the manual (docs/scenarios.md).
func FieldsMarkdown() string {
	var b strings.Builder
	b.WriteString("| field | type | default | meaning |\n|---|---|---|---|\n")
	for _, f := range Fields() {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", f.Path, f.Type, f.Default, strings.ReplaceAll(f.Doc, "|", `\|`))
	}
	return b.String()
}

// valueAt finds the field at a documented path; "list[]" steps into a zero
// element of a list of mappings.
func valueAt(v reflect.Value, path string) (reflect.Value, bool) {
	for _, seg := range strings.Split(path, ".") {
		if !isSection(v.Type()) {
			return reflect.Value{}, false
		}
		name, elem := strings.CutSuffix(seg, "[]")
		i, ok := fieldsOf(v.Type()).index[name]
		if !ok {
			return reflect.Value{}, false
		}
		v = v.Field(i)
		if elem {
			if v.Kind() != reflect.Slice || !isSection(v.Type().Elem()) {
				return reflect.Value{}, false
			}
			v = reflect.New(v.Type().Elem()).Elem()
		}
	}
	return v, true
}

func typeName(t reflect.Type) string {
	if t == durationType {
		return "duration"
	}
	if t == warmupType {
		return "duration or auto"
	}
	if t == matrixPtrType {
		return matrixTypeName
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		switch e := t.Elem(); {
		case e.Kind() == reflect.Float64:
			return "list of numbers"
		case isSection(e):
			return "list of {" + strings.Join(fieldsOf(e).names, ", ") + "}"
		}
		return "list of strings"
	}
	return t.String()
}

func formatValue(v reflect.Value) string {
	if v.Type() == durationType {
		return v.Interface().(Duration).String()
	}
	if v.Type() == warmupType {
		return v.Interface().(Warmup).String()
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Slice:
		items := make([]string, v.Len())
		for i := range items {
			items[i] = formatValue(v.Index(i))
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	return fmt.Sprint(v.Interface())
}
