package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/harness/measure"
	"github.com/abload/abload/harness/session"
	"github.com/abload/abload/scenarios"
)

// These benchmarks need a real broker and are run by `make bench-producer`
// (go test -run '^$' -bench 'Producer|Pacing' -benchtime 1x ./harness/).
// They start a Kafka-only local environment of their own.

func benchKafka(b *testing.B) (*local.Env, *cluster.Runtime, string) {
	b.Helper()
	if testing.Short() {
		b.Skip("needs a real Kafka broker")
	}
	rt, err := cluster.FindRuntime("")
	if err != nil {
		b.Fatal(err)
	}
	env, ep := ownEnv(b, local.Config{Runtime: rt, KafkaOnly: true, Settings: cluster.Settings{KafkaHeap: "1g"}})
	return env, rt, ep.KafkaBootstrap[0]
}

func benchScenario(b *testing.B, sets ...string) *scenarios.Scenario {
	b.Helper()
	sc, err := scenarios.Load(filepath.Join("..", "scenarios", "quick.yaml"), sets)
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// runSender drives the real sender (generator, encoding, open-loop loop) over
// n events of sched into sink and returns its send stats and the elapsed time
// until the sink acknowledged everything.
func runSender(b *testing.B, sc *scenarios.Scenario, sched generators.Schedule, n int64, sink load.Sink) (load.Stats, *measure.Collector, time.Duration) {
	b.Helper()
	g, err := load.NewGenerator(sc)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := generators.ParseEncoding(sc.Workload.Encoding)
	if err != nil {
		b.Fatal(err)
	}
	clock := session.NewClock()
	col := measure.New(n, load.WindowAssigner{})
	s := &load.Sender{Gen: g, Sched: sched, Enc: enc, Clock: clock, OriginNs: clock.Now(), Total: n, MeasureEnd: n, Tally: col, Sample: col.Sample()}
	start := time.Now()
	st, _ := s.Run(context.Background(), sink, max(1, sc.Workload.Lanes))
	if n, first := s.Errors(); n > 0 {
		b.Fatalf("%d produce errors, first: %v", n, first)
	}
	return st, col, time.Since(start)
}

// BenchmarkProducerVsKafkaPerf compares the harness's producer (the real
// sender: generation, encoding and franz-go, unpaced) with Kafka's own
// ProducerPerformance (kafka-producer-perf-test, from kafka-tools 4.2, which
// has warm-up records; make bench-producer builds jobs/bench-tools) on the
// same broker, fairly:
//
//   - both warmed: each side first sends ABLOAD_BENCH_WARMUP records
//     (default 500,000) that are not timed — the Java side's JIT compiles its
//     hot paths there, as the harness's does nothing comparable but fills
//     its buffers and connections;
//   - both time ABLOAD_BENCH_RECORDS records (default 3,000,000) of the
//     generated stream's mean size, acks=all, the scenario's linger, no
//     compression;
//   - two configurations, each applied to both sides: Kafka's default batch
//     size (batch.size 16 KiB) and franz-go's (1 MiB), so neither side
//     runs with settings the other lacks;
//   - pairs interleaved, alternating who goes first.
//
// It prints every setting and reports each configuration's median ratio
// harness/kafka. Both are bound by the one broker on 2 cores.
func BenchmarkProducerVsKafkaPerf(b *testing.B) {
	toolsLib, _ := filepath.Abs(filepath.Join("..", "jobs", "bench-tools", "target", "lib"))
	if _, err := os.Stat(filepath.Join(toolsLib, "kafka-tools-"+benchToolsKafka+".jar")); err != nil {
		b.Fatalf("kafka-tools %s: %v (make bench-producer builds jobs/bench-tools)", benchToolsKafka, err)
	}
	_, _, bootstrap := benchKafka(b)
	n := envInt(b, "ABLOAD_BENCH_RECORDS", 3_000_000)
	warm := envInt(b, "ABLOAD_BENCH_WARMUP", 500_000)
	pairs := envInt(b, "ABLOAD_BENCH_PAIRS", 3)
	sc := benchScenario(b)
	// Mean record size of the stream the harness sends.
	g, err := load.NewGenerator(sc)
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	generators.Stream(g, generators.ConstantRate(1e6), 0, 100_000, func(e *generators.Event) { bytes += int64(len(e.AppendJSON(nil))) })
	recordSize := bytes / 100_000
	acks, linger := "all", sc.Kafka.Linger.Duration
	const buffered = 1 << 16 // the harness's record buffer; the Java side gets about the same in bytes
	javaBuffer := buffered * int(recordSize+32)
	configs := []struct {
		name  string
		batch int
	}{{"batch 16 KiB (Kafka's default)", 16 << 10}, {"batch 1 MiB (franz-go's default)", 1 << 20}}
	b.Logf("%d timed + %d warm-up records per side × %d B (the generated stream's mean), acks=%s, linger=%s, compression none, %d partitions, %d pairs per configuration",
		n, warm, recordSize, acks, linger, sc.Kafka.Partitions, pairs)
	b.Logf("buffers: abload %d records (franz-go MaxBufferedRecords), kafka-producer-perf-test buffer.memory %d B (about as many records). Not matched: abload's records are keyed (campaign) and idempotent (1 request in flight per broker), the Java side's keyless (sticky partitioner, 5 in flight). Timing: abload times its records after its warm-up's are acknowledged; ProducerPerformance's steady state starts while up to its buffer of warm-up records (about %.1f%% of the timed ones) is still queued, which favours abload by at most that much",
		buffered, javaBuffer, 100*float64(buffered)/float64(n))

	topicN := 0
	ep := &env.Endpoints{KafkaBootstrap: []string{bootstrap}}
	// Each side writes about 450 MB into a topic of its own, deleted
	// after it: every measurement starts from the same broker state.
	newTopic := func(prefix string) string {
		topicN++
		topic := fmt.Sprintf("%s-%d", prefix, topicN)
		if _, err := kafka.CreateTopics(context.Background(), ep, []kafka.TopicSpec{{Name: topic}}, sc.Kafka.Partitions); err != nil {
			b.Fatal(err)
		}
		return topic
	}
	dropTopic := func(topic string) {
		if err := kafka.DeleteTopics(context.Background(), ep, []string{topic}); err != nil {
			b.Fatal(err)
		}
	}
	harness := func(batch int) float64 {
		opts, _ := kafka.ProducerOpts(scenarios.Kafka{Acks: acks, Linger: scenarios.Duration{Duration: linger}, Compression: "none"})
		topic := newTopic("bench-abload")
		defer dropTopic(topic)
		cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(bootstrap), kgo.DefaultProduceTopic(topic),
			kgo.MaxBufferedRecords(buffered), kgo.ProducerBatchMaxBytes(int32(batch)))...)
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		// An unreachable rate: every event is due at once, so this
		// measures throughput. The warm-up is a run of its own, untimed.
		runSender(b, sc, generators.ConstantRate(1e9), int64(warm), cl)
		_, _, took := runSender(b, sc, generators.ConstantRate(1e9), int64(n), cl)
		return float64(n) / took.Seconds()
	}
	kafkaAt := func(batch int) float64 {
		topic := newTopic("bench-perf")
		defer dropTopic(topic)
		cmd := exec.Command(cluster.JavaBin(), "-Xmx1g", "-cp", filepath.Join(toolsLib, "*"),
			"org.apache.kafka.tools.ProducerPerformance", "--topic", topic,
			"--num-records", strconv.Itoa(n+warm), "--warmup-records", strconv.Itoa(warm),
			"--record-size", strconv.FormatInt(recordSize, 10), "--throughput", "-1",
			"--command-property", "bootstrap.servers="+bootstrap, "acks="+acks,
			fmt.Sprintf("linger.ms=%d", linger.Milliseconds()), "compression.type=none",
			fmt.Sprintf("batch.size=%d", batch), fmt.Sprintf("buffer.memory=%d", javaBuffer))
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("ProducerPerformance: %v\n%s", err, out)
		}
		v, err := steadyRate(out)
		if err != nil {
			b.Fatalf("%v:\n%s", err, out)
		}
		return v
	}
	for _, c := range configs {
		var ratios []float64
		for i := 0; i < pairs; i++ {
			var h, k float64
			if i%2 == 0 { // interleave, alternating who goes first
				h, k = harness(c.batch), kafkaAt(c.batch)
			} else {
				k, h = kafkaAt(c.batch), harness(c.batch)
			}
			ratios = append(ratios, h/k)
			b.Logf("%s, pair %d: abload %.0f records/s, kafka-producer-perf-test %.0f records/s, ratio %.2f", c.name, i+1, h, k, h/k)
		}
		sort.Float64s(ratios)
		med := ratios[len(ratios)/2]
		b.Logf("%s: median ratio abload/kafka-producer-perf-test over %d pairs: %.2f", c.name, pairs, med)
		b.ReportMetric(med, fmt.Sprintf("ratio-batch-%dKiB", c.batch>>10))
	}
}

// benchToolsKafka is the kafka-tools version jobs/bench-tools resolves.
const benchToolsKafka = "4.2.2"

// steadyRate is ProducerPerformance's records/s after its warm-up records
// (its "steady state" summary line).
func steadyRate(out []byte) (float64, error) {
	m := steadyLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("ProducerPerformance printed no steady-state summary")
	}
	return strconv.ParseFloat(string(m[2]), 64)
}

var steadyLine = regexp.MustCompile(`(\d+) steady state records sent, ([0-9.]+) records/sec`)

func envInt(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want a positive integer", name, v)
		}
		return n
	}
	return def
}

// BenchmarkPacing50k measures pacing accuracy: the send delay (handed to the
// client minus intended) at 50k events/s for 10 s, into a discarding sink and
// into the local broker.
func BenchmarkPacing50k(b *testing.B) {
	sc := benchScenario(b)
	const rate, secs = 50_000, 10
	n := int64(rate * secs)
	// The harness's own CPU over the run (this process: the sender and
	// the Kafka client; the broker is a process of its own).
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	var cpu0 time.Duration
	report := func(name string, col *measure.Collector, took time.Duration) {
		d := col.Figures().SendDelay
		used := cpu() - cpu0
		b.Logf("%s: send delay p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d events; the harness used %.0f%% of a core (%.2f µs per event)",
			name, d.P50, d.P99, d.Max, n, 100*used.Seconds()/took.Seconds(), float64(used.Microseconds())/float64(n))
		b.ReportMetric(d.P99, name+"-p99-ms")
	}
	cpu0 = cpu()
	_, col, took := runSender(b, sc, generators.ConstantRate(rate), n, load.DiscardSink{})
	report("discard", col, took)

	_, _, bootstrap := benchKafka(b)
	topic := "bench-pacing"
	if _, err := kafka.CreateTopics(context.Background(), &env.Endpoints{KafkaBootstrap: []string{bootstrap}}, []kafka.TopicSpec{{Name: topic}}, sc.Kafka.Partitions); err != nil {
		b.Fatal(err)
	}
	opts, _ := kafka.ProducerOpts(sc.Kafka)
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(bootstrap), kgo.DefaultProduceTopic(topic), kgo.MaxBufferedRecords(1<<16))...)
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	cpu0 = cpu()
	_, col, took = runSender(b, sc, generators.ConstantRate(rate), n, cl)
	report("broker", col, took)
}
