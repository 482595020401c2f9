package scenarios

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
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
	jvmHeapRE = regexp.MustCompile(`^([0-9]+)[kKmMgG]$`)
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
	c.nonNegative("workload.warmup", w.Warmup)
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
	c.atLeast("env.taskmanagers", int64(e.TaskManagers), 1)
	c.atLeast("env.slots", int64(e.Slots), 1)
	c.memory("env.taskmanager_memory", e.TaskManagerMemory, flinkMemoryRE, "a Flink memory size such as 1536m or 2g")
	c.memory("env.jobmanager_memory", e.JobManagerMemory, flinkMemoryRE, "a Flink memory size such as 1024m or 1g")
	c.memory("env.kafka_heap", e.KafkaHeap, jvmHeapRE, "a JVM heap size such as 768m or 1g")
	c.positive("env.startup_timeout", e.StartupTimeout)
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
	c.oneOf("job.state_backend", j.StateBackend, "hashmap", "rocksdb")
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

// checkNetwork checks env.network.
func checkNetwork(c *checker, e Env) {
	n := e.Network
	for _, f := range []struct {
		path string
		d    Duration
	}{{"env.network.latency", n.Latency}, {"env.network.jitter", n.Jitter}} {
		c.nonNegative(f.path, f.d)
		c.wholeMillis(f.path, f.d)
	}
	c.bandwidth("env.network.bandwidth", n.Bandwidth, `"" for unlimited`)
	if e.Kind == EnvExternal && (n.Shaped() || n.Proxy) {
		c.addNear("env.network", "env.kind", "network shaping needs an environment abload runs (local or docker), not external")
	}
}

// checkPin checks env.pin: each list must parse and name only CPUs of this
// machine; an external environment's components are not abload's to pin.
func checkPin(c *checker, e Env) {
	avail := machineCPUs()
	have := map[int]bool{}
	for _, cpu := range avail {
		have[cpu] = true
	}
	// avail is 0..N-1 unless abload itself was started pinned.
	whole := len(avail) > 0 && avail[0] == 0 && avail[len(avail)-1] == len(avail)-1
	for _, f := range []struct {
		path, cpus string
		component  bool
	}{
		{"env.pin.kafka", e.Pin.Kafka, true},
		{"env.pin.jobmanager", e.Pin.JobManager, true},
		{"env.pin.taskmanagers", e.Pin.TaskManagers, true},
		{"env.pin.harness", e.Pin.Harness, false},
	} {
		if f.cpus == "" {
			continue
		}
		cpus, err := ParseCPUList(f.cpus)
		if err != nil {
			c.addf(f.path, "%v", err)
			continue
		}
		if f.component && e.Kind == EnvExternal {
			c.addf(f.path, "pinning needs an environment abload runs (local or docker), not external; leave it out")
			continue
		}
		var missing []int
		for _, cpu := range cpus {
			if !have[cpu] {
				missing = append(missing, cpu)
			}
		}
		if len(missing) == 0 {
			continue
		}
		what, verb := fmt.Sprintf("CPU %d", missing[0]), "does"
		if len(missing) > 1 {
			what, verb = "CPUs "+FormatCPUList(missing), "do"
		}
		if whole {
			c.addf(f.path, "%s %s not exist on this machine (CPUs %s)", what, verb, FormatCPUList(avail))
		} else {
			c.addf(f.path, "%s: abload may only use CPUs %s here (its CPU affinity when it started)", what, FormatCPUList(avail))
		}
	}
}

// bandwidth checks a bandwidth value; an empty one is fine (the caller
// decides whether it is required; unlimited says what "" means).
func (c *checker) bandwidth(path, v, unlimited string) {
	if v == "" {
		return
	}
	if !bandwidthRE.MatchString(strings.TrimSpace(v)) && unlimited != "" {
		c.addf(path, "malformed bandwidth %q (want %s, or bytes per second such as 512KB/s, 10MB/s or 1GB/s; 1 KB = 1000 bytes)", v, unlimited)
		return
	}
	if _, err := BandwidthKBps(v); err != nil {
		c.addf(path, "%v", err)
	}
}

// checkNetworkFault checks the fields of a network fault, and that the
// network fields stay out of the other kinds.
func checkNetworkFault(c *checker, p string, f Fault) {
	unused := func(field, usedBy string, set bool) {
		if set {
			c.addf(p+"."+field, "is not used by %s (only by %s); leave it out", f.Kind, usedBy)
		}
	}
	switch f.Kind {
	case FaultNetworkDelay:
		if f.Latency.Duration <= 0 {
			c.addNear(p+".latency", p+".kind", "must be > 0 for network_delay (added to each direction), got %s", f.Latency)
		}
		c.wholeMillis(p+".latency", f.Latency)
		c.nonNegative(p+".jitter", f.Jitter)
		c.wholeMillis(p+".jitter", f.Jitter)
	case FaultNetworkBandwidth:
		if f.Bandwidth == "" {
			c.addNear(p+".bandwidth", p+".kind", "required for network_bandwidth: the limit, in bytes per second such as 512KB/s or 10MB/s")
		}
		c.bandwidth(p+".bandwidth", f.Bandwidth, "")
	}
	if f.Kind != FaultNetworkDelay {
		unused("latency", FaultNetworkDelay, f.Latency.Duration != 0)
		unused("jitter", FaultNetworkDelay, f.Jitter.Duration != 0)
	}
	if f.Kind != FaultNetworkBandwidth {
		unused("bandwidth", FaultNetworkBandwidth, f.Bandwidth != "")
	}
	if IsNetworkFault(f.Kind) {
		c.positive(p+".duration", f.Duration)
		if f.TaskManager != 0 {
			c.addf(p+".taskmanager", "is not used by %s; leave it out", f.Kind)
		}
	}
}

func checkScaling(c *checker, s *Scenario) {
	c.oneOf("env.scheduler", s.Env.Scheduler, SchedulerDefault, SchedulerAdaptive, SchedulerReactive)
	c.nonNegative("env.rescale_cooldown", s.Env.RescaleCooldown)
	if s.Env.Scheduler == SchedulerReactive && s.Env.Kind != EnvLocal {
		c.addf("env.scheduler", "reactive needs an application-mode JobManager, which only the local environment starts; use adaptive with env.kind %s", s.Env.Kind)
	}
	w := s.Workload
	end := w.Warmup.Duration + w.Duration.Duration + w.Cooldown.Duration
	tms := s.Env.TaskManagers
	for i, a := range s.Scaling {
		p := fmt.Sprintf("scaling[%d]", i)
		c.oneOf(p+".action", a.Action, ScaleAddTaskManager, ScaleRemoveTaskManager)
		if a.At.Duration < 0 || a.At.Duration >= end {
			c.addf(p+".at", "must be inside the load, in [0s, warmup + duration + cooldown) = [0s, %s), got %s", Duration{end}, a.At)
		}
		if i > 0 && a.At.Duration < s.Scaling[i-1].At.Duration {
			c.addf(p+".at", "must not be before scaling[%d].at (%s): list the actions in time order", i-1, s.Scaling[i-1].At)
		}
		n := a.Count
		if n == 0 {
			n = 1
		}
		if n < 1 || n > 16 {
			c.addf(p+".count", "must be 1..16, got %d", a.Count)
			continue
		}
		switch a.Action {
		case ScaleAddTaskManager:
			tms += n
		case ScaleRemoveTaskManager:
			if tms-n < 1 {
				c.addf(p+".count", "would leave %d TaskManager(s) (env.taskmanagers plus earlier actions: %d); at least one must remain", tms-n, tms)
			}
			tms -= n
		}
		if s.Env.Kind != EnvLocal {
			c.addf(p, "scaling actions need the local environment (env.kind local), got %s", s.Env.Kind)
		}
	}
}

func checkFaults(c *checker, s *Scenario) {
	w := s.Workload
	end := w.Warmup.Duration + w.Duration.Duration + w.Cooldown.Duration
	for i, f := range s.Faults {
		p := fmt.Sprintf("faults[%d]", i)
		c.oneOf(p+".kind", f.Kind, FaultKillTaskManager, FaultPauseTaskManagers, FaultRestartBroker,
			FaultNetworkDelay, FaultNetworkCut, FaultNetworkBandwidth)
		checkNetworkFault(c, p, f)
		if f.At.Duration < 0 || f.At.Duration >= end {
			c.addf(p+".at", "must be inside the load, in [0s, warmup + duration + cooldown) = [0s, %s), got %s", Duration{end}, f.At)
		}
		tms := s.Env.TaskManagers
		switch f.Kind {
		case FaultKillTaskManager:
			if f.TaskManager < 1 || f.TaskManager > tms {
				c.addf(p+".taskmanager", "must name one TaskManager, 1..%d (env.taskmanagers), got %d", tms, f.TaskManager)
			}
			if f.Duration.Duration != 0 {
				c.addf(p+".duration", "is not used by kill_taskmanager (env.restart_delay says when it comes back); leave it out")
			}
		case FaultPauseTaskManagers:
			if f.TaskManager < 0 || f.TaskManager > tms {
				c.addf(p+".taskmanager", "must be 0 (all) or 1..%d (env.taskmanagers), got %d", tms, f.TaskManager)
			}
			c.positive(p+".duration", f.Duration)
		case FaultRestartBroker:
			if f.TaskManager != 0 {
				c.addf(p+".taskmanager", "is not used by restart_broker; leave it out")
			}
			c.nonNegative(p+".duration", f.Duration)
		}
		if s.Env.Kind == EnvExternal {
			c.addf(p, "faults need an environment abload runs (local or docker), not external")
		}
	}
}

// MaxCapacityRate bounds capacity.max_rate (events/s).
const MaxCapacityRate = 1e7

func checkCapacity(c *checker, k Capacity) {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if !(k.StartRate > 0) || !finite(k.StartRate) {
		c.addf("capacity.start_rate", "must be a finite number > 0 (events/s), got %v", k.StartRate)
	}
	if !(k.Growth > 1 && k.Growth <= 100) {
		c.addf("capacity.growth", "must be in (1, 100], got %v", k.Growth)
	}
	if !(k.Precision > 0 && k.Precision <= 1) {
		c.addf("capacity.precision", "must be in (0, 1], got %v", k.Precision)
	}
	switch {
	case !(k.MaxRate > 0) || !finite(k.MaxRate) || k.MaxRate > MaxCapacityRate:
		c.addf("capacity.max_rate", "must be in (0, %g] events/s, got %v", MaxCapacityRate, k.MaxRate)
	case k.StartRate > 0 && k.MaxRate < k.StartRate:
		c.addf("capacity.max_rate", "must be >= capacity.start_rate (%v), got %v", k.StartRate, k.MaxRate)
	}
	c.nonNegative("capacity.settle", k.Settle)
	if k.Judge.Duration < 5*time.Second {
		c.addf("capacity.judge", "must be >= 5s (the lag trend needs samples, one a second), got %s", k.Judge)
	}
	c.positive("capacity.budget", k.Budget)
	if !(k.TargetRate >= 0 && k.TargetRate <= 1e7) {
		c.addf("capacity.target_rate", "must be in 0..1e7 events/s (0 = no demand question), got %v", k.TargetRate)
	}
	if !(k.Headroom >= 0 && k.Headroom <= 10) {
		c.addf("capacity.headroom", "must be in 0..10 (a fraction: 0.2 = 20%% above the target), got %v", k.Headroom)
	}
	c.positive("capacity.drain_timeout", k.DrainTimeout)
	c.positive("capacity.slo.e2e_p99", k.SLO.E2EP99)
	if !(k.SLO.LagSlopeRatio > 0) || !finite(k.SLO.LagSlopeRatio) {
		c.addf("capacity.slo.lag_slope_ratio", "must be a finite number > 0, got %v", k.SLO.LagSlopeRatio)
	}
}

var (
	// An environment variable name as a shell accepts it.
	envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// An HTTP header name, as abload accepts it (a subset of RFC 9110's token).
	headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	// A Flink job id: 32 hex digits.
	jobIDRE = regexp.MustCompile(`^[0-9A-Fa-f]{32}$`)
	// The characters Kafka allows in a topic name.
	topicRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
)

// maxTopicName is the longest topic name Kafka accepts.
const maxTopicName = 249

// maxTopicPrefix bounds env.external.topics.prefix, leaving room for the
// run id and the suffix.
const maxTopicPrefix = 100

// checkExternal checks env.max_clock_offset and env.external: the fields of
// env.external keep their defaults unless env.kind is external, and then
// describe how to reach a Kafka and a Flink cluster abload does not run.
// Files and environment variables are not looked at here (the run reads them
// when it starts).
func checkExternal(c *checker, s *Scenario) {
	e := s.Env
	c.positive("env.max_clock_offset", e.MaxClockOffset)
	c.wholeMillis("env.max_clock_offset", e.MaxClockOffset)
	x := e.External
	if e.Kind != EnvExternal {
		for _, path := range externalSet(x) {
			c.addf(path, "is used only with env.kind external, not %s; leave it out", e.Kind)
		}
		return
	}

	const kp = "env.external.kafka"
	if len(x.Kafka.Bootstrap) == 0 {
		c.addNear(kp+".bootstrap", "env.kind", "required with env.kind external: the brokers, a list of host:port")
	}
	checkHostPorts(c, kp+".bootstrap", x.Kafka.Bootstrap)
	checkHostPorts(c, kp+".job_bootstrap", x.Kafka.JobBootstrap)
	checkTLS(c, kp+".tls", x.Kafka.TLS)
	checkSASL(c, kp+".sasl", x.Kafka.SASL)

	const fp = "env.external.flink"
	scheme := checkREST(c, fp+".rest", x.Flink.REST)
	checkTLS(c, fp+".tls", x.Flink.TLS)
	if x.Flink.TLS.Enabled && scheme == "http" {
		c.addf(fp+".tls.enabled", "needs an https:// env.external.flink.rest")
	}
	if !headerNameRE.MatchString(x.Flink.AuthHeader) {
		// Not repeated: a mistaken value may be the header's value, a token.
		c.addf(fp+".auth_header", "must be an HTTP header name such as Authorization (letters, digits and '-'); its value comes from auth_env or auth_file")
	}
	if x.Flink.AuthEnv != "" && x.Flink.AuthFile != "" {
		c.addf(fp+".auth_file", "set at most one of env.external.flink.auth_env and auth_file")
	}
	c.envName(fp+".auth_env", x.Flink.AuthEnv)

	checkTopics(c, s)

	if s.Job.SavepointAtEnd {
		c.addNear("job.savepoint_at_end", "env.kind", "needs an environment abload runs (local or docker), not external: the savepoint is written into the run's directory")
	}
	if x.JobID != "" && s.Job.Checkpoint.ControlRun {
		c.addNear("job.checkpoint.control_run", "env.external.job_id", "an attached job (env.external.job_id) cannot be rerun without checkpoints; leave it out")
	}
}

// externalSet lists the paths of the fields of x that differ from their
// defaults.
func externalSet(x External) []string {
	d := Defaults().Env.External
	var out []string
	add := func(path string, set bool) {
		if set {
			out = append(out, "env.external."+path)
		}
	}
	tls := func(prefix string, t, dt TLS) {
		add(prefix+".enabled", t.Enabled != dt.Enabled)
		add(prefix+".ca_file", t.CAFile != dt.CAFile)
		add(prefix+".cert_file", t.CertFile != dt.CertFile)
		add(prefix+".key_file", t.KeyFile != dt.KeyFile)
		add(prefix+".server_name", t.ServerName != dt.ServerName)
	}
	add("kafka.bootstrap", !slices.Equal(x.Kafka.Bootstrap, d.Kafka.Bootstrap))
	add("kafka.job_bootstrap", !slices.Equal(x.Kafka.JobBootstrap, d.Kafka.JobBootstrap))
	tls("kafka.tls", x.Kafka.TLS, d.Kafka.TLS)
	add("kafka.sasl.mechanism", x.Kafka.SASL.Mechanism != d.Kafka.SASL.Mechanism)
	add("kafka.sasl.username", x.Kafka.SASL.Username != d.Kafka.SASL.Username)
	add("kafka.sasl.password_env", x.Kafka.SASL.PasswordEnv != d.Kafka.SASL.PasswordEnv)
	add("kafka.sasl.password_file", x.Kafka.SASL.PasswordFile != d.Kafka.SASL.PasswordFile)
	add("flink.rest", x.Flink.REST != d.Flink.REST)
	tls("flink.tls", x.Flink.TLS, d.Flink.TLS)
	add("flink.auth_header", x.Flink.AuthHeader != d.Flink.AuthHeader)
	add("flink.auth_env", x.Flink.AuthEnv != d.Flink.AuthEnv)
	add("flink.auth_file", x.Flink.AuthFile != d.Flink.AuthFile)
	add("job_id", x.JobID != d.JobID)
	add("topics.prefix", x.Topics.Prefix != d.Topics.Prefix)
	add("topics.input", x.Topics.Input != d.Topics.Input)
	add("topics.updates", x.Topics.Updates != d.Topics.Updates)
	add("topics.windows", x.Topics.Windows != d.Topics.Windows)
	add("topics.allow_write", x.Topics.AllowWrite != d.Topics.AllowWrite)
	return out
}

// checkHostPorts checks a list of Kafka addresses, each host:port.
func checkHostPorts(c *checker, path string, addrs []string) {
	for i, a := range addrs {
		p := fmt.Sprintf("%s[%d]", path, i)
		host, port, err := net.SplitHostPort(a)
		if err != nil || host == "" || strings.ContainsAny(host, " \t/@") {
			c.addf(p, "must be host:port, such as broker-1.example.com:9092, got %q", a)
			continue
		}
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			c.addf(p, "port must be a number in 1..65535, got %q", a)
		}
	}
}

// checkTLS checks a TLS section: its files and server name need enabled,
// and the client certificate comes with its key.
func checkTLS(c *checker, prefix string, t TLS) {
	if !t.Enabled {
		for _, f := range []struct{ name, v string }{{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}, {"server_name", t.ServerName}} {
			if f.v != "" {
				c.addf(prefix+"."+f.name, "needs %s.enabled: true", prefix)
			}
		}
		return
	}
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		c.addNear(prefix+".key_file", prefix+".cert_file", "required with %s.cert_file: the client certificate's key (both or neither)", prefix)
	case t.CertFile == "" && t.KeyFile != "":
		c.addNear(prefix+".cert_file", prefix+".key_file", "required with %s.key_file: the client certificate (both or neither)", prefix)
	}
}

// checkSASL checks env.external.kafka.sasl: with a mechanism, a user and
// exactly one source of the password; without one, nothing else.
func checkSASL(c *checker, prefix string, a SASL) {
	switch a.Mechanism {
	case "":
		for _, f := range []struct{ name, v string }{{"username", a.Username}, {"password_env", a.PasswordEnv}, {"password_file", a.PasswordFile}} {
			if f.v != "" {
				c.addf(prefix+"."+f.name, "needs %s.mechanism (%s, %s or %s)", prefix, SASLPlain, SASLScramSHA256, SASLScramSHA512)
			}
		}
		return
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
	default:
		c.addf(prefix+".mechanism", "must be \"\" (no SASL), %s, %s or %s, got %q", SASLPlain, SASLScramSHA256, SASLScramSHA512, a.Mechanism)
	}
	if a.Username == "" {
		c.addNear(prefix+".username", prefix+".mechanism", "required with %s.mechanism", prefix)
	}
	switch {
	case a.PasswordEnv == "" && a.PasswordFile == "":
		c.addNear(prefix+".password_env", prefix+".mechanism",
			"required with %s.mechanism: the name of the environment variable holding the password (or set password_file); credentials are never written in a scenario", prefix)
	case a.PasswordEnv != "" && a.PasswordFile != "":
		c.addf(prefix+".password_file", "set only one of %s.password_env and password_file", prefix)
	}
	c.envName(prefix+".password_env", a.PasswordEnv)
}

// envName checks the name of an environment variable, if set. The value is
// not repeated: a mistaken one may be the secret itself.
func (c *checker) envName(path, v string) {
	if v != "" && !envNameRE.MatchString(v) {
		c.addf(path, "must be the name of an environment variable (letters, digits and '_', not starting with a digit) that holds the secret, not the secret itself")
	}
}

// checkREST checks env.external.flink.rest and returns its scheme ("" when
// it is not a usable URL). A URL's password is never repeated in a message.
func checkREST(c *checker, path, raw string) string {
	if raw == "" {
		c.addNear(path, "env.kind", "required with env.kind external: the Flink REST endpoint, such as https://flink.example.com:8081")
		return ""
	}
	shown, creds := stripUserinfo(raw)
	if creds {
		c.addf(path, "must not carry credentials; use env.external.flink.auth_env or auth_file (got %q without them)", shown)
	}
	u, err := url.Parse(shown)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		c.addf(path, "malformed URL %q: %v", shown, err)
		return ""
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		c.addf(path, "must be an http:// or https:// URL, got %q", shown)
		return ""
	case u.Host == "" || u.Hostname() == "":
		c.addf(path, "needs a host, such as https://flink.example.com:8081, got %q", shown)
	case u.Port() != "":
		if n, err := strconv.ParseUint(u.Port(), 10, 16); err != nil || n == 0 {
			c.addf(path, "port must be a number in 1..65535, got %q", shown)
		}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		c.addf(path, "must not have a query or fragment (abload appends the REST API's paths), got %q", shown)
	}
	return u.Scheme
}

// stripUserinfo removes "user:password@" from a URL's authority, textually
// (so that it works on URLs that do not parse), and reports whether there
// was any.
func stripUserinfo(raw string) (string, bool) {
	start := 0
	if i := strings.Index(raw, "//"); i >= 0 {
		start = i + 2
	}
	end := len(raw)
	if i := strings.IndexAny(raw[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(raw[start:end], "@")
	if at < 0 {
		return raw, false
	}
	return raw[:start] + raw[start+at+1:], true
}

// checkTopics checks env.external.job_id and env.external.topics.
func checkTopics(c *checker, s *Scenario) {
	const tp = "env.external.topics"
	x := s.Env.External
	t := x.Topics
	if x.JobID != "" && !jobIDRE.MatchString(x.JobID) {
		c.addf("env.external.job_id", "must be \"\" (submit abload's job) or a Flink job id, 32 hex digits, got %q", x.JobID)
	}
	if len(t.Prefix) < 1 || len(t.Prefix) > maxTopicPrefix || !topicRE.MatchString(t.Prefix) {
		c.addf(tp+".prefix", "must be 1 to %d letters, digits, '.', '_' or '-' (it starts topic names), got %q", maxTopicPrefix, t.Prefix)
	}
	attached := x.JobID != ""
	for _, f := range []struct {
		name, topic string
		output      bool // an output of the job (else its input)
		on          bool // used: the input always, an output when job.outputs has it
		what        string
	}{
		{"input", t.Input, false, true, "the attached job's input topic, which abload writes the load into"},
		{"updates", t.Updates, true, s.Job.Outputs.Updates, "the attached job's updates topic (job.outputs.updates)"},
		{"windows", t.Windows, true, s.Job.Outputs.Windows, "the attached job's windows topic (job.outputs.windows)"},
	} {
		p := tp + "." + f.name
		if f.topic == "" {
			if attached && f.on {
				c.addNear(p, "env.external.job_id", "required with env.external.job_id: %s", f.what)
			}
			continue
		}
		if len(f.topic) > maxTopicName || !topicRE.MatchString(f.topic) || f.topic == "." || f.topic == ".." {
			c.addf(p, "must be a Kafka topic name: 1 to %d letters, digits, '.', '_' or '-', got %q", maxTopicName, f.topic)
			continue
		}
		if !f.on {
			c.addf(p, "is not used: job.outputs.%s is false; leave it out", f.name)
			continue
		}
		// abload writes the load into the input topic; the job it submits
		// writes into the output topics, an attached job's writes are its own.
		if !t.AllowWrite && (!f.output || !attached) {
			c.addf(p, "abload writes into this topic, which it did not create; set env.external.topics.allow_write: true to allow it")
		}
	}
}

// checkCustomJob checks job.jar, job.entry_class, job.args and job.sql:
// one kind of job, placeholders known, and no knob set that only abload's
// DataStream job understands.
func checkCustomJob(c *checker, s *Scenario) {
	j := s.Job
	if j.Jar != "" && j.SQL != "" {
		c.addf("job.sql", "job.jar and job.sql are exclusive: one job per run")
	}
	if j.Jar == "" {
		if j.EntryClass != "" {
			c.addf("job.entry_class", "needs job.jar")
		}
		if len(j.Args) > 0 {
			c.addf("job.args", "needs job.jar (job.sql takes its placeholders in the SQL text)")
		}
	}
	for i, a := range j.Args {
		if u := UnknownPlaceholders(a); len(u) > 0 {
			c.addf(fmt.Sprintf("job.args[%d]", i), "unknown placeholder(s) {{%s}} (known: %s)", strings.Join(u, "}}, {{"), strings.Join(Placeholders, ", "))
		}
	}
	for _, f := range []struct{ path, v string }{{"job.jar", j.Jar}, {"job.sql", j.SQL}, {"job.entry_class", j.EntryClass}} {
		if f.v != "" && strings.TrimSpace(f.v) != f.v {
			c.addf(f.path, "must not start or end with spaces, got %q", f.v)
		}
	}
	if strings.HasPrefix(j.SQL, "sql:") && j.SQL != ShippedSQL {
		c.addf("job.sql", "unknown shipped SQL job %q (known: %s), or a path to a file of SQL statements", j.SQL, ShippedSQL)
	}
	if !j.Custom() {
		return
	}
	d := Defaults().Job
	what := "job.jar"
	if j.SQL != "" {
		what = "job.sql"
		if j.Window.Kind == WindowSession {
			c.addf("job.window.kind", "session windows are not expressed by job.sql's placeholders (TUMBLE and HOP: tumbling or sliding)")
		}
	}
	for _, f := range []struct {
		path string
		set  bool
	}{
		{"job.stage_parallelism", j.StageParallelism != d.StageParallelism},
		{"job.skew_mitigation", j.SkewMitigation != d.SkewMitigation},
		{"job.cost_per_event", j.CostPerEvent != d.CostPerEvent},
		{"job.updates_sample", j.UpdatesSample != d.UpdatesSample},
		{"job.checkpoint.sync_pause", j.Checkpoint.SyncPause != d.Checkpoint.SyncPause},
	} {
		if f.set {
			c.addf(f.path, "applies to abload's A/B job only, not to a %s job; leave it out", what)
		}
	}
	if s.Env.Scheduler == SchedulerReactive {
		c.addf("env.scheduler", "reactive starts abload's A/B job in an application cluster; a %s job runs on a session cluster (use adaptive)", what)
	}
}
