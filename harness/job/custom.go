package job

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/scenarios"
)

// Placeholders are the values of job.args' and job.sql's {{placeholders}}
// for a run (scenarios.Placeholders names them all). The SQL options carry
// the job's Kafka properties: they are added to t.Secrets.
func Placeholders(t Target) map[string]string {
	sc := t.Scenario
	j := sc.Job
	ms := func(d scenarios.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }
	delivery := "at-least-once"
	if j.Delivery == scenarios.DeliveryExactlyOnce {
		delivery = "exactly-once"
	}
	fn, args := "TUMBLE", sqlInterval(j.Window.Size.Milliseconds())
	if j.Window.Kind == scenarios.WindowSliding {
		fn = "HOP"
		args = sqlInterval(j.Window.Slide.Milliseconds()) + ", " + sqlInterval(j.Window.Size.Milliseconds())
	}
	props, sqlOpts := "", ""
	if len(t.KafkaProperties) > 0 {
		props = env.JobKafkaPropertiesArg(t.KafkaProperties, t.Secrets)
		var b strings.Builder
		for _, kv := range t.KafkaProperties {
			fmt.Fprintf(&b, ", 'properties.%s' = '%s'", kv[0], strings.ReplaceAll(kv[1], "'", "''"))
		}
		sqlOpts = b.String()
		t.Secrets.Add(sqlOpts)
	}
	group := t.Group
	return map[string]string{
		"kafka.bootstrap":             t.Bootstrap,
		"kafka.properties":            props,
		"kafka.sql_options":           sqlOpts,
		"topics.input":                t.Topics.Input,
		"topics.updates":              t.Topics.Updates,
		"topics.windows":              t.Topics.Windows,
		"group.id":                    group,
		"job.name":                    "abload-" + sc.Name,
		"job.parallelism":             strconv.Itoa(j.Parallelism),
		"job.max_parallelism":         strconv.Itoa(j.MaxParallelism),
		"job.delivery":                delivery,
		"job.transactional_id_prefix": group,
		"job.out_of_orderness_ms":     ms(j.OutOfOrderness),
		"job.idleness_ms":             ms(j.Idleness),
		"job.state_ttl_ms":            ms(j.StateTTL),
		"job.checkpoint.interval_ms":  ms(j.Checkpoint.Interval),
		"window.kind":                 j.Window.Kind,
		"window.size_ms":              ms(j.Window.Size),
		"window.slide_ms":             ms(j.Window.Slide),
		"window.gap_ms":               ms(j.Window.Gap),
		"window.allowed_lateness_ms":  ms(j.Window.AllowedLateness),
		"window.function":             fn,
		"window.interval_args":        args,
		"workload.encoding":           sc.Workload.Encoding,
	}
}

// FlinkConfig is the Flink configuration that carries the
// scenario's Flink-level knobs to a job abload did not write (job.jar,
// job.sql), submitted with the jar run request (flinkConfiguration):
// parallelism, checkpointing, state backend, buffer timeout, chaining,
// object reuse, max parallelism, Kryo; then job.flink_config.
func FlinkConfig(sc *scenarios.Scenario) map[string]string {
	j := sc.Job
	ms := func(d scenarios.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) + " ms" }
	m := map[string]string{
		"parallelism.default":                strconv.Itoa(j.Parallelism),
		"state.backend.type":                 j.StateBackend,
		"execution.buffer-timeout.interval":  ms(j.BufferTimeout),
		"pipeline.object-reuse":              strconv.FormatBool(j.ObjectReuse),
		"pipeline.operator-chaining.enabled": strconv.FormatBool(j.Chaining),
	}
	if j.MaxParallelism > 0 {
		m["pipeline.max-parallelism"] = strconv.Itoa(j.MaxParallelism)
	}
	if c := j.Checkpoint; c.Interval.Duration > 0 {
		m["execution.checkpointing.interval"] = ms(c.Interval)
		m["execution.checkpointing.mode"] = strings.ToUpper(c.Mode)
		m["execution.checkpointing.timeout"] = ms(c.Timeout)
		m["execution.checkpointing.min-pause"] = ms(c.MinPause)
		m["execution.checkpointing.unaligned.enabled"] = strconv.FormatBool(c.Unaligned)
		m["execution.checkpointing.incremental"] = strconv.FormatBool(c.Incremental)
	}
	if j.Serializer == scenarios.SerializerKryo {
		m["pipeline.force-kryo"] = "true"
	}
	if j.SQL != "" {
		// Partitions that see no events must not hold the watermark back.
		m["table.exec.source.idle-timeout"] = ms(j.Idleness)
	}
	for k, v := range scenarios.FlinkConfigMap(j.FlinkConfig) {
		m[k] = v // the scenario's own job.flink_config, last
	}
	return m
}

// sqlInterval is a Flink SQL interval literal of ms milliseconds. Flink
// 2.2's SQL has no MILLISECOND unit and SECOND takes two digits, so it is
// written DAY TO SECOND(3): INTERVAL '0 00:00:10.000' DAY TO SECOND(3).
func sqlInterval(ms int64) string {
	s := ms / 1000
	return fmt.Sprintf("INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)", s/86400, s/3600%24, s/60%60, s%60, ms%1000)
}
