package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/abload/abload/reports/gate"
)

// Validate checks every range and cross-field rule and returns a
// *ValidationError listing all problems, or nil. Problems point at the file
// line or --set argument that set the offending value when s came from Load
// or Parse.
func (s *Scenario) Validate() error {
	return errOrNil(s.annotate(s.check()))
}

// annotate fills File and Line from where each value came from; a value
// nobody set is a default: its problem is attributed to where the related
// value (issue.near, e.g. the kind that needs it) came from, else to the
// scenario file as a whole.
func (s *Scenario) annotate(is []issue) []Problem {
	ps := make([]Problem, len(is))
	for i, it := range is {
		p := it.Problem
		if o, ok := s.originOf(p.Path); ok {
			p.File, p.Line = o.file, o.line
		} else if o, ok := s.originOf(it.near); ok && it.near != "" {
			p.File, p.Line = o.file, o.line
		} else {
			p.File = s.Source
		}
		ps[i] = p
	}
	return ps
}

// dropRelated leaves out the validation problems about a field, list or
// element that encloses (or is) a value that could not be decoded: that value
// kept its previous one, so checking the whole would only repeat the problem
// ("steps[1].rte: unknown field" must not also give "steps: needs at least
// one step"). Problems further down are kept: a section that failed to decode
// may still hold a bad value from a later --set.
func dropRelated(is []issue, decoded []Problem) []issue {
	if len(decoded) == 0 {
		return is
	}
	above := map[string]bool{} // the paths that failed and every enclosing path
	for _, p := range decoded {
		for q := p.Path; q != "" && !above[q]; q = parentPath(q) {
			above[q] = true
		}
	}
	out := is[:0]
	for _, it := range is {
		if !above[it.Path] {
			out = append(out, it)
		}
	}
	return out
}

// parentPath drops the last segment of a path: "a.b[2].c" → "a.b[2]" →
// "a.b" → "a" → "".
func parentPath(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// originOf finds where the value at path came from: the path itself, else
// the closest enclosing list element or list ("a.b[2].c", "a.b[2]", "a.b").
func (s *Scenario) originOf(path string) (origin, bool) {
	for path != "" {
		if o, ok := s.origins[path]; ok {
			return o, true
		}
		path = parentPath(path)
	}
	return origin{}, false
}

// MemoryBytes converts a memory size as the scenario accepts it (Flink's
// MemorySize syntax or the JVM's -Xmx syntax, binary units) to bytes.
func MemoryBytes(v string) (int64, error) {
	m := flinkMemoryRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, fmt.Errorf("malformed memory size %q", v)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed memory size %q: %w", v, err)
	}
	shift := map[byte]uint{'k': 10, 'm': 20, 'g': 30, 't': 40}[strings.ToLower(m[2])[0]]
	if n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("memory size %q is too large (2^63 bytes or more)", v)
	}
	return n << shift, nil
}

// BandwidthKBps converts a bandwidth as the scenario accepts it (bytes per
// second in decimal units: "512KB/s", "10MB/s", "1.5GB/s"; 1 KB = 1000
// bytes) to KB/s, rounded to the nearest one.
func BandwidthKBps(v string) (int64, error) {
	m := bandwidthRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, fmt.Errorf("malformed bandwidth %q (want bytes per second such as 512KB/s, 10MB/s or 1GB/s; 1 KB = 1000 bytes)", v)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("malformed bandwidth %q: %w", v, err)
	}
	kbps := f * map[string]float64{"KB": 1, "MB": 1e3, "GB": 1e6}[m[2]]
	switch {
	case kbps < 1:
		return 0, fmt.Errorf("bandwidth %q is below the smallest limit, 1KB/s", v)
	case kbps > 1e9:
		return 0, fmt.Errorf("bandwidth %q is above the largest limit, 1000000GB/s", v)
	}
	return int64(math.Round(kbps)), nil
}

var (
	// A byte rate in decimal units, as BandwidthKBps reads it.
	bandwidthRE = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*(KB|MB|GB)/s$`)
	nameRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	// Flink's MemorySize syntax, with a unit required: a bare number is bytes,
	// which is never what a user means for a process size.
	flinkMemoryRE = regexp.MustCompile(`(?i)^([0-9]+)\s*(k|kb|kibibytes|m|mb|mebibytes|g|gb|gibibytes|t|tb|tebibytes)$`)
	// The JVM's -Xmx syntax.
	jvmHeapRE   = regexp.MustCompile(`^([0-9]+)[kKmMgG]$`)
	jvmOptionRE = regexp.MustCompile(`^-[A-Za-z0-9:+=._/,%@*-]+$`)
	// A Flink configuration key: dotted words of letters, digits, - and _.
	flinkKeyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$`)
)

// minCheckpointInterval is Flink's lower bound for a checkpoint interval.
const minCheckpointInterval = 10 * time.Millisecond

// issue is a Problem before annotate gives it a file and line.
type issue struct {
	Problem
	near string // a related path whose origin to use when Path has none
}

type checker struct{ ps []issue }

func (c *checker) addf(path, format string, args ...any) {
	c.addNear(path, "", format, args...)
}

// addNear reports a problem with path whose value may well be a default, so
// the line to show is the one that set near (the kind that needs the value).
func (c *checker) addNear(path, near, format string, args ...any) {
	c.ps = append(c.ps, issue{Problem: Problem{Path: path, Msg: fmt.Sprintf(format, args...)}, near: near})
}

func (c *checker) atLeast(path string, v, lo int64) {
	if v < lo {
		c.addf(path, "must be >= %d, got %d", lo, v)
	}
}

func (c *checker) positive(path string, d Duration) {
	if d.Duration <= 0 {
		c.addf(path, "must be > 0, got %s", d)
	}
}

func (c *checker) nonNegative(path string, d Duration) {
	if d.Duration < 0 {
		c.addf(path, "must be >= 0, got %s", d)
	}
}

// wholeMillis: Flink takes these as milliseconds; a finer value would be
// silently truncated.
func (c *checker) wholeMillis(path string, d Duration) {
	if d.Duration%time.Millisecond != 0 {
		c.addf(path, "must be a whole number of milliseconds, got %s", d)
	}
}

func (c *checker) oneOf(path, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.addf(path, "must be one of %s, got %q", strings.Join(allowed, ", "), v)
}

// ownedFlinkKeys are the Flink configuration keys abload sets from a
// scenario field (use the field) or for itself (where the processes bind,
// their directories, the metrics it reads): env.flink_config and
// job.flink_config may not set them. "" as the field: abload's own.
var ownedFlinkKeys = map[string]map[string]string{
	"env.flink_config": {
		"taskmanager.numberOfTaskSlots":       "env.slots",
		"taskmanager.memory.process.size":     "env.taskmanager_memory",
		"jobmanager.memory.process.size":      "env.jobmanager_memory",
		"env.java.opts.all":                   "env.jvm_options",
		"heartbeat.interval":                  "env.heartbeat_interval",
		"heartbeat.timeout":                   "env.heartbeat_timeout",
		"taskmanager.memory.managed.fraction": "env.managed_memory_fraction",
		"taskmanager.memory.network.min":      "env.network_memory",
		"taskmanager.memory.network.max":      "env.network_memory",
		"jobmanager.scheduler":                "env.scheduler",
		"scheduler-mode":                      "env.scheduler",
		"rest.port":                           "", "rest.address": "", "rest.bind-address": "",
		"jobmanager.rpc.address": "", "jobmanager.rpc.port": "", "jobmanager.bind-host": "",
		"taskmanager.bind-host": "", "taskmanager.host": "", "taskmanager.rpc.port": "",
		"taskmanager.data.port": "", "blob.server.port": "", "io.tmp.dirs": "", "web.tmpdir": "",
		"execution.checkpointing.dir": "", "metrics.fetcher.update-interval": "",
	},
	"job.flink_config": {
		"parallelism.default":                       "job.parallelism",
		"pipeline.max-parallelism":                  "job.max_parallelism",
		"state.backend.type":                        "job.state_backend",
		"execution.checkpointing.interval":          "job.checkpoint.interval",
		"execution.checkpointing.mode":              "job.checkpoint.mode",
		"execution.checkpointing.timeout":           "job.checkpoint.timeout",
		"execution.checkpointing.min-pause":         "job.checkpoint.min_pause",
		"execution.checkpointing.unaligned.enabled": "job.checkpoint.unaligned",
		"execution.checkpointing.incremental":       "job.checkpoint.incremental",
		"execution.buffer-timeout.interval":         "job.buffer_timeout",
		"pipeline.object-reuse":                     "job.object_reuse",
		"pipeline.operator-chaining.enabled":        "job.chaining",
		"pipeline.force-kryo":                       "job.serializer",
	},
}

// EnvironmentFlinkKey reports whether key is one abload's environments
// set for themselves (where the processes bind, their directories, the
// metrics abload reads), whose value differs from run to run and host to
// host.
func EnvironmentFlinkKey(key string) bool {
	field, owned := ownedFlinkKeys["env.flink_config"][key]
	return owned && field == ""
}

// flinkConfig checks env.flink_config or job.flink_config: each entry
// key=value with a Flink configuration key and a value, no key twice, none
// of the keys abload sets itself (ownedFlinkKeys).
func (c *checker) flinkConfig(path string, entries []string) {
	seen := map[string]int{}
	for i, e := range entries {
		p := fmt.Sprintf("%s[%d]", path, i)
		k, v, ok := strings.Cut(e, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok || v == "":
			c.addf(p, "want key=value, such as taskmanager.load-balance.mode=SLOTS; got %q", e)
		case !flinkKeyRE.MatchString(k):
			c.addf(p, "%q is not a Flink configuration key (dotted words of letters, digits, - and _)", k)
		default:
			if j, dup := seen[k]; dup {
				c.addf(p, "%s is set twice (also %s[%d])", k, path, j)
			}
			seen[k] = i
			field, owned := ownedFlinkKeys[path][k]
			if !owned && path == "env.flink_config" && strings.HasPrefix(k, "metrics.reporter.prom.") {
				owned = true
			}
			switch {
			case owned && field != "":
				c.addf(p, "%s is what %s sets: use %s", k, field, field)
			case owned:
				c.addf(p, "%s is abload's own (where the cluster's processes bind, their directories, the metrics abload reads): it may not be set", k)
			}
		}
	}
}

func (c *checker) memory(path, v string, re *regexp.Regexp, example string) {
	m := re.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		c.addf(path, "malformed memory size %q (want %s)", v, example)
		return
	}
	if strings.Trim(m[1], "0") == "" {
		c.addf(path, "must be > 0, got %q", v)
		return
	}
	// The syntax aside, it must be a size a process can have: a number that
	// overflows bytes would turn into no limit at all downstream.
	if _, err := MemoryBytes(v); err != nil {
		c.addf(path, "%v", err)
	}
}

// check returns the problems with Path and Msg set.
func (s *Scenario) check() []issue {
	var c checker

	switch {
	case s.Name == "":
		c.addf("name", "required")
	case len(s.Name) > 100 || !nameRE.MatchString(s.Name):
		c.addf("name", "must be at most 100 letters, digits, '.', '_' or '-' starting with a letter or digit (it names runs and topics), got %q", s.Name)
	}

	w := s.Workload
	if !(w.Rate > 0) || math.IsInf(w.Rate, 0) {
		c.addf("workload.rate", "must be a finite number > 0 (events/s), got %v", w.Rate)
	}
	c.positive("workload.duration", w.Duration)
	c.nonNegative("workload.warmup", Duration{w.Warmup.Duration})
	checkWarmupAuto(&c, s)
	c.positive("workload.drain_timeout", w.DrainTimeout)
	c.atLeast("workload.campaigns", int64(w.Campaigns), 1)
	if w.Campaigns > math.MaxInt32 {
		c.addf("workload.campaigns", "must be <= %d (campaign ids are int32), got %d", math.MaxInt32, w.Campaigns)
	}
	checkVariants(&c, w.Variants)
	c.atLeast("workload.recipients", w.Recipients, 1)
	c.positive("workload.max_send_delay", w.MaxSendDelay)
	c.positive("workload.max_consumer_delay", w.MaxConsumerDelay)
	c.atLeast("workload.max_failed_checkpoints", int64(w.MaxFailedCheckpoints), 0)
	c.oneOf("workload.encoding", w.Encoding, EncodingJSON, EncodingBinary)
	if w.Lanes < 1 || w.Lanes > MaxLanes {
		c.addf("workload.lanes", "must be in 1..%d, got %d", MaxLanes, w.Lanes)
	}
	checkProfile(&c, w.Profile)
	checkKeySkew(&c, "workload.skew.campaigns", w.Skew.Campaigns, "workload.campaigns", int64(w.Campaigns))
	checkKeySkew(&c, "workload.skew.recipients", w.Skew.Recipients, "workload.recipients", w.Recipients)
	checkFunnel(&c, w.Funnel, len(w.Variants))
	checkDisorder(&c, w.Disorder)
	c.nonNegative("workload.cooldown", w.Cooldown)
	if w.Prefill.Keys < 0 || w.Prefill.Keys > maxPrefillKeys {
		c.addf("workload.prefill.keys", "must be in 0..%d, got %d", maxPrefillKeys, w.Prefill.Keys)
	}
	if w.Prefill.Keys > 0 && !s.Job.Outputs.Updates {
		c.addf("workload.prefill.keys", "needs job.outputs.updates (the harness waits for every prefill event's update before warmup)")
	}
	if w.Recipients > math.MaxInt64-maxPrefillKeys {
		c.addf("workload.recipients", "must be <= %d, got %d", int64(math.MaxInt64-maxPrefillKeys), w.Recipients)
	}

	e := s.Env
	c.oneOf("env.kind", e.Kind, EnvLocal, EnvDocker, EnvExternal)
	if e.Kind != EnvExternal || e.FlinkVersion != "" { // external: "" is the cluster's own line
		c.oneOf("env.flink_version", e.FlinkVersion, FlinkLines...)
	}
	c.atLeast("env.taskmanagers", int64(e.TaskManagers), 1)
	c.atLeast("env.slots", int64(e.Slots), 1)
	c.memory("env.taskmanager_memory", e.TaskManagerMemory, flinkMemoryRE, "a Flink memory size such as 1536m or 2g")
	c.memory("env.jobmanager_memory", e.JobManagerMemory, flinkMemoryRE, "a Flink memory size such as 1024m or 1g")
	c.memory("env.kafka_heap", e.KafkaHeap, jvmHeapRE, "a JVM heap size such as 768m or 1g")
	c.positive("env.startup_timeout", e.StartupTimeout)
	_, ownOptions := s.origins["env.jvm_options"]
	ownOptions = ownOptions || !slices.Equal(e.JVMOptions, DefaultJVMOptions())
	from := ""
	if !ownOptions {
		from = " (from $" + JVMOptionsEnv + ")"
	}
	for i, o := range e.JVMOptions {
		if !jvmOptionRE.MatchString(o) {
			c.addf(fmt.Sprintf("env.jvm_options[%d]", i), "must be one JVM option such as -XX:+UseParallelGC or -Xlog:gc*:file=gc.log (a leading -, then letters, digits and :+=._/,%%@*- only), got %q%s", o, from)
		}
	}
	if e.Kind == EnvExternal && len(e.JVMOptions) > 0 && ownOptions {
		c.addf("env.jvm_options", "applies to the JVMs abload starts (env.kind local or docker); an external cluster's are its operators' to set")
	}
	c.flinkConfig("env.flink_config", e.FlinkConfig)
	if e.Kind == EnvExternal && len(e.FlinkConfig) > 0 {
		c.addf("env.flink_config", "applies to the cluster abload starts (env.kind local or docker); an external cluster's configuration is its operators' to set (job.flink_config reaches the job)")
	}
	if e.NetworkMemory != "" {
		c.memory("env.network_memory", e.NetworkMemory, flinkMemoryRE, `"" (Flink's default share) or a Flink memory size such as 64m`)
	}
	if !(e.ManagedMemoryFraction >= 0 && e.ManagedMemoryFraction < 1) {
		c.addf("env.managed_memory_fraction", "must be in [0, 1), got %v", e.ManagedMemoryFraction)
	}
	c.positive("env.heartbeat_interval", e.HeartbeatInterval)
	c.wholeMillis("env.heartbeat_interval", e.HeartbeatInterval)
	c.wholeMillis("env.heartbeat_timeout", e.HeartbeatTimeout)
	if e.HeartbeatTimeout.Duration <= e.HeartbeatInterval.Duration {
		c.addf("env.heartbeat_timeout", "must be longer than env.heartbeat_interval (%s), got %s", e.HeartbeatInterval, e.HeartbeatTimeout)
	}
	for _, lim := range []struct {
		path string
		cpus float64
	}{{"env.taskmanager.cpus", e.TaskManager.CPUs}, {"env.jobmanager.cpus", e.JobManager.CPUs}, {"env.kafka.cpus", e.Kafka.CPUs}} {
		switch {
		case !(lim.cpus >= 0) || math.IsInf(lim.cpus, 0):
			c.addf(lim.path, "must be a finite number >= 0 (0 = no limit), got %v", lim.cpus)
		case lim.cpus > 0 && lim.cpus < 0.01:
			c.addf(lim.path, "must be at least 0.01 cores (or 0 = no limit), got %v", lim.cpus)
		case lim.cpus > 0 && e.Kind != EnvDocker:
			c.addf(lim.path, "CPU limits need env.kind docker (%s processes share the host's cores); set 0", e.Kind)
		}
	}
	c.oneOf("env.images", e.Images, ImagesAuto, ImagesLocal, ImagesOfficial)
	checkNetwork(&c, e)
	checkPin(&c, e)
	checkExternal(&c, s)

	k := s.Kafka
	c.atLeast("kafka.partitions", int64(k.Partitions), 1)
	c.oneOf("kafka.acks", k.Acks, "all", "leader", "none")
	c.nonNegative("kafka.linger", k.Linger)
	c.oneOf("kafka.compression", k.Compression, "none", "gzip", "snappy", "lz4", "zstd")
	if k.MaxBufferedRecords < 1 || k.MaxBufferedRecords > 10_000_000 {
		c.addf("kafka.max_buffered_records", "must be in 1..10000000 records, got %d", k.MaxBufferedRecords)
	}
	if k.BatchSize < 1024 || k.BatchSize > maxBatchSize {
		c.addf("kafka.batch_size", "must be in 1024..%d bytes (the broker's default message.max.bytes), got %d", maxBatchSize, k.BatchSize)
	}

	j := s.Job
	c.atLeast("job.parallelism", int64(j.Parallelism), 1)
	// The adaptive scheduler runs a job with the slots there are (its
	// parallelism is an upper bound), and Reactive Mode ignores it.
	if e.Kind != EnvExternal && e.Scheduler == SchedulerDefault && e.TaskManagers >= 1 && e.Slots >= 1 && j.Parallelism > e.TaskManagers*e.Slots {
		c.addf("job.parallelism", "%d exceeds the %d task slots of env.taskmanagers × env.slots (%d × %d)",
			j.Parallelism, e.TaskManagers*e.Slots, e.TaskManagers, e.Slots)
	}
	c.flinkConfig("job.flink_config", j.FlinkConfig)
	if len(j.FlinkConfig) > 0 && e.Scheduler == SchedulerReactive {
		c.addf("job.flink_config", "with env.scheduler reactive the job runs in an application cluster and reads the cluster's configuration: set env.flink_config instead")
	}
	checkWindow(&c, j)
	checkCustomJob(&c, s)
	checkStages(&c, s)
	c.nonNegative("job.out_of_orderness", j.OutOfOrderness)
	c.wholeMillis("job.out_of_orderness", j.OutOfOrderness)
	c.positive("job.idleness", j.Idleness)
	c.wholeMillis("job.idleness", j.Idleness)
	c.positive("job.state_ttl", j.StateTTL)
	switch cost := j.CostPerEvent.Duration; {
	case cost < 0 || cost > time.Second:
		c.addf("job.cost_per_event", "must be in 0..1s (CPU time per event; 0 = none), got %s", j.CostPerEvent)
	case cost%time.Microsecond != 0:
		c.addf("job.cost_per_event", "must be whole microseconds, got %s", j.CostPerEvent)
	}
	c.atLeast("job.updates_sample", int64(j.UpdatesSample), 1)
	if j.UpdatesSample > 1 && s.Workload.Prefill.Keys > 0 {
		c.addf("job.updates_sample", "must be 1 with workload.prefill (the harness waits for every prefill event's update), got %d", j.UpdatesSample)
	}
	c.wholeMillis("job.state_ttl", j.StateTTL)
	if iv := j.Checkpoint.Interval.Duration; iv != 0 && iv < minCheckpointInterval {
		c.addf("job.checkpoint.interval", "must be 0 (off) or >= %s, got %s", Duration{minCheckpointInterval}, j.Checkpoint.Interval)
	}
	c.wholeMillis("job.checkpoint.interval", j.Checkpoint.Interval)
	if !j.Outputs.Updates && !j.Outputs.Windows && !j.Custom() {
		c.addf("job.outputs", "at least one of updates and windows must be true (abload's job writes one of them at least)")
	}
	c.nonNegative("job.sink_linger", j.SinkLinger)
	c.wholeMillis("job.sink_linger", j.SinkLinger)
	if j.MaxParallelism != 0 && (j.MaxParallelism < j.Parallelism || j.MaxParallelism > 32768) {
		c.addf("job.max_parallelism", "must be 0 (Flink's default) or in job.parallelism..32768 (%d..32768), got %d", j.Parallelism, j.MaxParallelism)
	}
	c.oneOf("job.checkpoint.mode", j.Checkpoint.Mode, DeliveryExactlyOnce, DeliveryAtLeastOnce)
	if j.Checkpoint.Unaligned && j.Checkpoint.Mode == DeliveryAtLeastOnce {
		c.addf("job.checkpoint.unaligned", "needs job.checkpoint.mode exactly_once (at_least_once checkpoints are never aligned)")
	}
	if j.Checkpoint.Timeout.Duration < minCheckpointInterval {
		c.addf("job.checkpoint.timeout", "must be >= %s (Flink's minimum), got %s", Duration{minCheckpointInterval}, j.Checkpoint.Timeout)
	}
	c.wholeMillis("job.checkpoint.timeout", j.Checkpoint.Timeout)
	c.nonNegative("job.checkpoint.min_pause", j.Checkpoint.MinPause)
	c.wholeMillis("job.checkpoint.min_pause", j.Checkpoint.MinPause)
	c.nonNegative("job.checkpoint.sync_pause", j.Checkpoint.SyncPause)
	c.wholeMillis("job.checkpoint.sync_pause", j.Checkpoint.SyncPause)
	switch sp := j.Checkpoint.SyncPause.Duration; {
	case sp > time.Minute:
		c.addf("job.checkpoint.sync_pause", "must be at most 1m, got %s", j.Checkpoint.SyncPause)
	case sp > 0 && j.Checkpoint.Interval.Duration == 0:
		c.addf("job.checkpoint.sync_pause", "needs checkpointing (job.checkpoint.interval > 0): it pauses each checkpoint")
	case sp > 0 && sp >= j.Checkpoint.Timeout.Duration:
		c.addf("job.checkpoint.sync_pause", "must be below job.checkpoint.timeout (%s), or every checkpoint fails, got %s", j.Checkpoint.Timeout, j.Checkpoint.SyncPause)
	}
	if j.Checkpoint.ControlRun && j.Checkpoint.Interval.Duration == 0 {
		c.addf("job.checkpoint.control_run", "needs checkpointing (job.checkpoint.interval > 0) to compare with the run without it")
	}
	c.oneOf("job.delivery", j.Delivery, DeliveryAtLeastOnce, DeliveryExactlyOnce)
	if j.Delivery == DeliveryExactlyOnce && j.Checkpoint.Interval.Duration == 0 {
		c.addf("job.delivery", "exactly_once needs checkpointing (job.checkpoint.interval > 0): transactions commit on checkpoints")
	}
	c.oneOf("job.state_backend", j.StateBackend, "hashmap", "rocksdb", StateBackendForSt)
	if j.StateBackend == StateBackendForSt && s.Env.FlinkVersion != "" && !ForStLine(s.Env.FlinkVersion) {
		c.addf("job.state_backend", "forst is Flink 2's state backend: it needs a 2.x line (env.flink_version %s), not %s", DefaultFlinkLine, s.Env.FlinkVersion)
	}
	if j.Checkpoint.Incremental && j.StateBackend != "rocksdb" {
		c.addf("job.checkpoint.incremental", "needs job.state_backend rocksdb (the hashmap backend has no incremental checkpoints)")
	}
	c.nonNegative("job.buffer_timeout", j.BufferTimeout)
	c.wholeMillis("job.buffer_timeout", j.BufferTimeout)
	c.oneOf("job.serializer", j.Serializer, SerializerPOJO, SerializerKryo)
	if j.RestoreFrom != "" && strings.TrimSpace(j.RestoreFrom) != j.RestoreFrom {
		c.addf("job.restore_from", "must not start or end with spaces, got %q", j.RestoreFrom)
	}

	c.nonNegative("env.restart_delay", e.RestartDelay)
	checkFaults(&c, s)
	checkScaling(&c, s)
	for i, g := range s.Gates {
		if strings.TrimSpace(g) == "" {
			c.addf(fmt.Sprintf("gates[%d]", i), "must not be empty")
		} else if _, err := gate.Parse(g); err != nil {
			c.addf(fmt.Sprintf("gates[%d]", i), "%v", err)
		}
	}
	c.atLeast("repetitions", int64(s.Repetitions), 1)
	checkCapacity(&c, s.Capacity)
	return c.ps
}

func checkVariants(c *checker, vs []string) {
	const path = "workload.variants"
	if len(vs) < 1 || len(vs) > 26 {
		c.addf(path, "must have 1 to 26 variants, got %d", len(vs))
	}
	seen := map[string]int{}
	for i, v := range vs {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case strings.TrimSpace(v) == "":
			c.addf(p, "must not be empty")
		case !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0:
			c.addf(p, "must be printable text, got %q", v)
		}
		if first, dup := seen[v]; dup {
			c.addf(p, "duplicate variant %q (also [%d])", v, first)
		} else {
			seen[v] = i
		}
	}
}

// maxBatchSize is the broker's default message.max.bytes (1 MiB + 12).
const maxBatchSize = 1048588

// maxPrefillKeys bounds workload.prefill.keys.
const maxPrefillKeys = 1 << 30

// maxWindowsPerEvent bounds job.window.size / job.window.slide: the harness
// tallies every event into each sliding window it belongs to.
const maxWindowsPerEvent = 100

func checkWindow(c *checker, j Job) {
	w := j.Window
	c.oneOf("job.window.kind", w.Kind, WindowTumbling, WindowSliding, WindowSession)
	for _, f := range []struct {
		path string
		d    Duration
	}{{"job.window.size", w.Size}, {"job.window.slide", w.Slide}, {"job.window.gap", w.Gap}, {"job.window.allowed_lateness", w.AllowedLateness}} {
		c.nonNegative(f.path, f.d)
		c.wholeMillis(f.path, f.d)
	}
	switch w.Kind {
	case WindowTumbling, WindowSliding:
		c.positive("job.window.size", w.Size)
	}
	if w.Kind == WindowSliding {
		switch {
		case w.Slide.Duration <= 0:
			c.addNear("job.window.slide", "job.window.kind", "must be > 0 for sliding windows, got %s", w.Slide)
		case w.Slide.Duration > w.Size.Duration:
			c.addf("job.window.slide", "must be <= job.window.size (%s), got %s", w.Size, w.Slide)
		case w.Size.Duration/w.Slide.Duration > maxWindowsPerEvent:
			c.addf("job.window.slide", "puts each event in %d windows (size/slide); at most %d", w.Size.Duration/w.Slide.Duration, maxWindowsPerEvent)
		}
	} else if w.Slide.Duration != 0 {
		c.addf("job.window.slide", "applies only to job.window.kind sliding, not %s; leave it out", w.Kind)
	}
	if w.Kind == WindowSession {
		if w.Gap.Duration <= 0 {
			c.addNear("job.window.gap", "job.window.kind", "must be > 0 for session windows, got %s", w.Gap)
		}
		if w.AllowedLateness.Duration != 0 {
			c.addf("job.window.allowed_lateness", "must be 0 for session windows (a late event can merge sessions, which the harness cannot reconcile)")
		}
	} else if w.Gap.Duration != 0 {
		c.addf("job.window.gap", "applies only to job.window.kind session, not %s; leave it out", w.Kind)
	}
	m := j.SkewMitigation
	c.oneOf("job.skew_mitigation.kind", m.Kind, MitigationNone, MitigationSalted)
	if m.Salts < 2 || m.Salts > 1024 {
		c.addf("job.skew_mitigation.salts", "must be in 2..1024, got %d", m.Salts)
	}
	if m.Kind == MitigationSalted {
		if w.Kind == WindowSession {
			c.addf("job.skew_mitigation.kind", "salted needs tumbling or sliding windows (a session belongs to one key and cannot be split)")
		}
		if !j.Outputs.Windows {
			c.addf("job.skew_mitigation.kind", "salted works on the windows path, but job.outputs.windows is false")
		}
	}
}

// checkStages checks the per-stage parallelism overrides.
func checkStages(c *checker, s *Scenario) {
	j, e := s.Job, s.Env
	slots := e.TaskManagers * e.Slots
	for _, f := range []struct {
		path string
		p    int
	}{{"job.stage_parallelism.dedupe", j.StageParallelism.Dedupe}, {"job.stage_parallelism.counts", j.StageParallelism.Counts}, {"job.stage_parallelism.windows", j.StageParallelism.Windows}} {
		switch {
		case f.p < 0 || f.p > 32768:
			c.addf(f.path, "must be 0 (job.parallelism) or in 1..32768, got %d", f.p)
		case j.MaxParallelism > 0 && f.p > j.MaxParallelism:
			c.addf(f.path, "must be <= job.max_parallelism (%d), got %d", j.MaxParallelism, f.p)
		case e.Kind != EnvExternal && e.Scheduler == SchedulerDefault && e.TaskManagers >= 1 && e.Slots >= 1 && f.p > slots:
			c.addf(f.path, "%d exceeds the %d task slots of env.taskmanagers × env.slots", f.p, slots)
		}
	}
}
