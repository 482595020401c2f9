package job

import (
	"archive/zip"
	"bufio"
	"fmt"
	"strings"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/scenarios"
)

// MainClass reads Main-Class from a jar's manifest.
func MainClass(jar string) (string, error) {
	zr, err := zip.OpenReader(jar)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	f, err := zr.Open("META-INF/MANIFEST.MF")
	if err != nil {
		return "", fmt.Errorf("%s: %w", jar, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Main-Class:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s: no Main-Class in its manifest", jar)
}

// Target is where a run's job reads and writes: the scenario, the run's
// Kafka as the job reaches it, its topics and consumer group.
type Target struct {
	Scenario *scenarios.Scenario
	// Bootstrap is the brokers' address as the job reaches them;
	// KafkaProperties the job's Kafka client properties (security), with
	// Secrets the values to redact.
	Bootstrap       string
	KafkaProperties [][2]string
	Secrets         *redact.Secrets
	Topics          kafka.Topics
	// Group is the run's consumer group, also the job's transactional id
	// prefix.
	Group string
}

// Args are the command-line arguments of abload's own A/B job: the
// scenario's job knobs and where the job reads and writes.
func Args(t Target) []string {
	sc := t.Scenario
	ms := func(d scenarios.Duration) string { return fmt.Sprint(d.Milliseconds()) }
	args := []string{
		"--bootstrap-servers", t.Bootstrap,
		"--input-topic", t.Topics.Input,
		"--group-id", t.Group,
		"--job-name", "abload-" + sc.Name,
		"--window-kind", sc.Job.Window.Kind,
		"--window-size-ms", ms(sc.Job.Window.Size),
		"--window-slide-ms", ms(sc.Job.Window.Slide),
		"--window-gap-ms", ms(sc.Job.Window.Gap),
		"--allowed-lateness-ms", ms(sc.Job.Window.AllowedLateness),
		"--out-of-orderness-ms", ms(sc.Job.OutOfOrderness),
		"--idleness-ms", ms(sc.Job.Idleness),
		"--dedupe-ttl-ms", ms(sc.Job.StateTTL),
		"--checkpoint-interval-ms", ms(sc.Job.Checkpoint.Interval),
		"--sink-linger-ms", ms(sc.Job.SinkLinger),
		"--checkpoint-mode", sc.Job.Checkpoint.Mode,
		"--checkpoint-timeout-ms", ms(sc.Job.Checkpoint.Timeout),
		"--checkpoint-min-pause-ms", ms(sc.Job.Checkpoint.MinPause),
		"--unaligned-checkpoints", fmt.Sprint(sc.Job.Checkpoint.Unaligned),
		"--incremental-checkpoints", fmt.Sprint(sc.Job.Checkpoint.Incremental),
		"--delivery", sc.Job.Delivery,
		"--state-backend", sc.Job.StateBackend,
		"--buffer-timeout-ms", ms(sc.Job.BufferTimeout),
		"--object-reuse", fmt.Sprint(sc.Job.ObjectReuse),
		"--chaining", fmt.Sprint(sc.Job.Chaining),
		"--max-parallelism", fmt.Sprint(sc.Job.MaxParallelism),
		"--serializer", sc.Job.Serializer,
		"--skew-mitigation", sc.Job.SkewMitigation.Kind,
		"--salts", fmt.Sprint(sc.Job.SkewMitigation.Salts),
		"--parallelism-dedupe", fmt.Sprint(sc.Job.StageParallelism.Dedupe),
		"--parallelism-counts", fmt.Sprint(sc.Job.StageParallelism.Counts),
		"--parallelism-windows", fmt.Sprint(sc.Job.StageParallelism.Windows),
		"--cost-per-event-us", fmt.Sprint(sc.Job.CostPerEvent.Microseconds()),
		"--checkpoint-sync-pause-ms", fmt.Sprint(sc.Job.Checkpoint.SyncPause.Milliseconds()),
		"--updates-sample", fmt.Sprint(sc.Job.UpdatesSample),
	}
	if t.Topics.Updates != "" {
		args = append(args, "--updates-topic", t.Topics.Updates)
	}
	if t.Topics.Windows != "" {
		args = append(args, "--windows-topic", t.Topics.Windows)
	}
	if len(t.KafkaProperties) > 0 {
		args = append(args, "--kafka-properties", env.JobKafkaPropertiesArg(t.KafkaProperties, t.Secrets))
	}
	return args
}
