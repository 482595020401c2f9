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
	logs := b.TempDir()
	work, _ := os.MkdirTemp("", "abload-bench-")
	env := local.New(local.Config{Runtime: rt, LogDir: logs, WorkDir: work, KafkaOnly: true, Settings: cluster.Settings{KafkaHeap: "1g", StartupTimeout: 3 * time.Minute}})
	ep, err := env.Start(context.Background())
	if err != nil {
		_ = env.Stop(context.Background())
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = env.Stop(context.Background()) })
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

var perfLine = regexp.MustCompile(`(\d+) records sent, ([0-9.]+) records/sec`)

// BenchmarkProducerVsKafkaPerf compares the harness's producer (the real
// sender: generation, encoding and franz-go, unpaced) with Kafka's own
// ProducerPerformance (kafka-producer-perf-test) on the same broker, with the
// same mean record size, acks and linger, in interleaved pairs. It reports
// the median ratio harness/kafka; both are bound by the broker on 2 cores.
func BenchmarkProducerVsKafkaPerf(b *testing.B) {
	_, rt, bootstrap := benchKafka(b)
	const n = 300_000
	pairs := 5
	if v, err := strconv.Atoi(os.Getenv("ABLOAD_BENCH_PAIRS")); err == nil && v > 0 {
		pairs = v
	}
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
	b.Logf("records %d × %d B (mean of the generated stream), acks=%s, linger=%s, %d partitions", n, recordSize, acks, linger, sc.Kafka.Partitions)

	harness := func(i int) float64 {
		topic := fmt.Sprintf("bench-abload-%d", i)
		if _, err := kafka.CreateTopics(context.Background(), &env.Endpoints{KafkaBootstrap: []string{bootstrap}}, []kafka.TopicSpec{{Name: topic}}, sc.Kafka.Partitions); err != nil {
			b.Fatal(err)
		}
		opts, _ := kafka.ProducerOpts(scenarios.Kafka{Acks: acks, Linger: scenarios.Duration{Duration: linger}, Compression: "none"})
		cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(bootstrap), kgo.DefaultProduceTopic(topic), kgo.MaxBufferedRecords(1<<16))...)
		if err != nil {
			b.Fatal(err)
		}
		defer cl.Close()
		// An unreachable rate: every event is due at once, so this measures throughput.
		_, _, took := runSender(b, sc, generators.ConstantRate(1e9), n, cl)
		return float64(n) / took.Seconds()
	}
	kafkaAt := func(i int) float64 {
		topic := fmt.Sprintf("bench-perf-%d", i)
		if _, err := kafka.CreateTopics(context.Background(), &env.Endpoints{KafkaBootstrap: []string{bootstrap}}, []kafka.TopicSpec{{Name: topic}}, sc.Kafka.Partitions); err != nil {
			b.Fatal(err)
		}
		cmd := exec.Command(cluster.JavaBin(), "-Xmx512m", "-cp", filepath.Join(rt.KafkaLib, "*"),
			"org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", strconv.Itoa(n),
			"--record-size", strconv.FormatInt(recordSize, 10), "--throughput", "-1",
			"--producer-props", "bootstrap.servers="+bootstrap, "acks="+acks,
			fmt.Sprintf("linger.ms=%d", linger.Milliseconds()), "compression.type=none")
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("ProducerPerformance: %v\n%s", err, out)
		}
		m := perfLine.FindAllSubmatch(out, -1)
		if len(m) == 0 {
			b.Fatalf("ProducerPerformance printed no summary:\n%s", out)
		}
		last := m[len(m)-1]
		v, _ := strconv.ParseFloat(string(last[2]), 64)
		return v
	}
	var ratios []float64
	for i := 0; i < pairs; i++ {
		var h, k float64
		if i%2 == 0 { // interleave, alternating who goes first
			h, k = harness(i), kafkaAt(i)
		} else {
			k, h = kafkaAt(i), harness(i)
		}
		ratios = append(ratios, h/k)
		b.Logf("pair %d: abload %.0f records/s, kafka-producer-perf-test %.0f records/s, ratio %.2f", i+1, h, k, h/k)
	}
	sort.Float64s(ratios)
	med := ratios[len(ratios)/2]
	b.Logf("median ratio abload/kafka-producer-perf-test over %d pairs: %.2f", pairs, med)
	b.ReportMetric(med, "ratio")
}

// BenchmarkPacing50k measures pacing accuracy: the send delay (handed to the
// client minus intended) at 50k events/s for 10 s, into a discarding sink and
// into the local broker.
func BenchmarkPacing50k(b *testing.B) {
	sc := benchScenario(b)
	const rate, secs = 50_000, 10
	n := int64(rate * secs)
	report := func(name string, col *measure.Collector) {
		d := col.Figures().SendDelay
		b.Logf("%s: send delay p50 %.3f ms, p99 %.3f ms, max %.3f ms over %d events", name, d.P50, d.P99, d.Max, n)
		b.ReportMetric(d.P99, name+"-p99-ms")
	}
	_, col, _ := runSender(b, sc, generators.ConstantRate(rate), n, load.DiscardSink{})
	report("discard", col)

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
	_, col, _ = runSender(b, sc, generators.ConstantRate(rate), n, cl)
	report("broker", col)
}
