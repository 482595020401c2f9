package harness

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/scenarios"
)

// jobPlaceholders are the values of job.args' and job.sql's {{placeholders}}
// for this run (scenarios.Placeholders names them all).
func (r *runner) jobPlaceholders() map[string]string {
	sc := r.sc
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
	if len(r.ep.JobKafkaProperties) > 0 {
		props = env.JobKafkaPropertiesArg(r.ep.JobKafkaProperties, r.opts.Secrets)
		var b strings.Builder
		for _, kv := range r.ep.JobKafkaProperties {
			fmt.Fprintf(&b, ", 'properties.%s' = '%s'", kv[0], strings.ReplaceAll(kv[1], "'", "''"))
		}
		sqlOpts = b.String()
		r.opts.Secrets.Add(sqlOpts)
	}
	group := r.topicPrefix() + r.runID
	return map[string]string{
		"kafka.bootstrap":             r.ep.JobBootstrap(),
		"kafka.properties":            props,
		"kafka.sql_options":           sqlOpts,
		"topics.input":                r.topics.Input,
		"topics.updates":              r.topics.Updates,
		"topics.windows":              r.topics.Windows,
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

// CustomJobFlinkConfig is the Flink configuration that carries the
// scenario's Flink-level knobs to a job abload did not write (job.jar,
// job.sql), submitted with the jar run request (flinkConfiguration):
// parallelism, checkpointing, state backend, buffer timeout, chaining,
// object reuse, max parallelism, Kryo.
func CustomJobFlinkConfig(sc *scenarios.Scenario) map[string]string {
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
	return m
}

// submitCustom uploads and runs a job.jar, or the SQL runner with job.sql,
// with the placeholders filled in and the Flink-level knobs as the job's
// Flink configuration.
func (r *runner) submitCustom(ctx context.Context, restore string) error {
	j := r.sc.Job
	vals := r.jobPlaceholders()
	jar, entry := j.Jar, j.EntryClass
	var args []string
	if j.Jar != "" {
		for i, a := range j.Args {
			v, err := scenarios.ExpandPlaceholders(a, vals)
			if err != nil {
				return &InputError{Err: fmt.Errorf("job.args[%d]: %w", i, err)}
			}
			args = append(args, v)
		}
	} else {
		path := j.SQL
		if path == scenarios.ShippedSQL {
			path = r.opts.Runtime.ABJobSQL
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql: %w", err)}
		}
		sql, err := scenarios.ExpandPlaceholders(string(text), vals)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql %s: %w", path, err)}
		}
		if _, err := os.Stat(r.opts.Runtime.SQLRunner); err != nil {
			return fmt.Errorf("job.sql needs the SQL runner of the runtime bundle (run `make runtime`): %w", err)
		}
		jar, entry = r.opts.Runtime.SQLRunner, ""
		enc := base64.StdEncoding.EncodeToString([]byte(sql))
		if len(r.ep.JobKafkaProperties) > 0 {
			r.opts.Secrets.Add(enc) // the script carries the cluster's credentials
		}
		args = []string{"--sql", enc, "--job-name", vals["job.name"]}
	}
	if _, err := os.Stat(jar); err != nil {
		return &InputError{Err: fmt.Errorf("job.jar: %w", err)}
	}
	jarID, err := r.flink.UploadJar(ctx, jar)
	if err != nil {
		return fmt.Errorf("upload %s: %w", jar, err)
	}
	r.jarID = jarID
	r.jobID, err = r.flink.RunJarWith(ctx, jarID, flink.RunJarRequest{
		EntryClass: entry, Args: args, Parallelism: j.Parallelism, Savepoint: restore, Config: CustomJobFlinkConfig(r.sc),
	})
	if err != nil {
		return fmt.Errorf("submit %s: %w", jar, err)
	}
	return nil
}

// sqlInterval is a Flink SQL interval literal of ms milliseconds. Flink
// 2.2's SQL has no MILLISECOND unit and SECOND takes two digits, so it is
// written DAY TO SECOND(3): INTERVAL '0 00:00:10.000' DAY TO SECOND(3).
func sqlInterval(ms int64) string {
	s := ms / 1000
	return fmt.Sprintf("INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)", s/86400, s/3600%24, s/60%60, s%60, ms%1000)
}
