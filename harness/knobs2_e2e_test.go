package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// The harness producer's batching knobs reach the Kafka client.
func TestProducerOptsCarryKafkaKnobs(t *testing.T) {
	opts, err := kafka.ProducerOpts(scenarios.Kafka{Acks: "leader", Linger: scenarios.Duration{Duration: 7 * time.Millisecond}, Compression: "zstd", BatchSize: 65536})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers("127.0.0.1:1"))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if got := cl.OptValue(kgo.ProducerBatchMaxBytes); got != int32(65536) {
		t.Errorf("ProducerBatchMaxBytes = %v, want 65536", got)
	}
	if got := cl.OptValue(kgo.ProducerLinger); got != 7*time.Millisecond {
		t.Errorf("ProducerLinger = %v, want 7ms", got)
	}
	// Acknowledgements and compression, read back for every value the
	// scenario accepts (idempotence needs acks from all in-sync replicas).
	for _, c := range []struct {
		acks        string
		want        kgo.Acks
		idempotent  bool
		compression string
		codec       kgo.CompressionCodec
	}{
		{"all", kgo.AllISRAcks(), true, "none", kgo.NoCompression()},
		{"", kgo.AllISRAcks(), true, "", kgo.NoCompression()},
		{"leader", kgo.LeaderAck(), false, "gzip", kgo.GzipCompression()},
		{"none", kgo.NoAck(), false, "snappy", kgo.SnappyCompression()},
		{"all", kgo.AllISRAcks(), true, "lz4", kgo.Lz4Compression()},
		{"leader", kgo.LeaderAck(), false, "ZSTD", kgo.ZstdCompression()},
	} {
		opts, err := kafka.ProducerOpts(scenarios.Kafka{Acks: c.acks, Compression: c.compression})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers("127.0.0.1:1"))...)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if got := cl.OptValue(kgo.RequiredAcks); got != c.want {
			t.Errorf("acks %q: RequiredAcks = %v, want %v", c.acks, got, c.want)
		}
		if got := cl.OptValue(kgo.DisableIdempotentWrite); got != !c.idempotent {
			t.Errorf("acks %q: DisableIdempotentWrite = %v, want %v", c.acks, got, !c.idempotent)
		}
		if got := cl.OptValue(kgo.ProducerBatchCompression); !reflect.DeepEqual(got, []kgo.CompressionCodec{c.codec}) {
			t.Errorf("compression %q: ProducerBatchCompression = %v, want %v", c.compression, got, c.codec)
		}
		cl.Close()
	}
	for _, k := range []scenarios.Kafka{{Acks: "most"}, {Compression: "brotli"}} {
		if _, err := kafka.ProducerOpts(k); err == nil {
			t.Errorf("%+v: no error", k)
		}
	}
}

// Sliding windows with allowed lateness: late events inside the lateness are
// counted by late firings instead of dropped, every window reconciles, and a
// cooldown phase runs after the measurement without being measured.
func TestSlidingWindowsWithLatenessAndCooldown(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "workload.rate=500", "workload.warmup=2s", "workload.duration=8s", "workload.cooldown=3s",
		"job.window.kind=sliding", "job.window.size=4s", "job.window.slide=2s", "job.window.allowed_lateness=5s",
		"workload.disorder.late_fraction=0.01", "workload.disorder.late_by=1s")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	rec := res.Reconciliation
	t.Logf("reconciliation %+v windows %+v", rec, rec.Windows)
	if !res.Valid {
		t.Errorf("invalid: %v", res.InvalidReasons)
	}
	if rec.Lost != 0 || rec.LateDropped != 0 {
		t.Errorf("lost %d, late dropped %d: with 5s allowed lateness no 1s-late event is dropped", rec.Lost, rec.LateDropped)
	}
	w := windowsOf(t, res)
	if w.Missing+w.CountMismatch+w.Unexpected != 0 {
		t.Errorf("windows do not reconcile: %+v", w)
	}
	// Each late event (1 s behind) lands in size/slide = 2 windows, of which
	// one or both may have fired already: a late firing each at most twice,
	// and several late events in one window before its next firing still
	// fire it each.
	var injected int64
	for _, v := range rec.Variants {
		injected += v.LateInjected
	}
	if injected < 30 || w.LateFirings < injected/5 || w.LateFirings > 2*injected {
		t.Errorf("%d late firings for %d late events: want within [0.2, 2] × the late events (~1%% of 6,500)", w.LateFirings, injected)
	}
	// 40 keys (20 campaigns × 2 variants); 13 s of event time plus 1 s of
	// lateness touches at most 10 windows of 4 s sliding by 2 s, and each
	// event is in 2: about twice the tumbling count, at least 6.5 per key.
	if w.Expected < 2*13*20/2 || w.Expected > 40*10 {
		t.Errorf("%d windows expected, want within [260, 400] for 40 keys over 13 s", w.Expected)
	}
	var phases []string
	for _, p := range res.Phases {
		phases = append(phases, p.Name)
	}
	if !strings.Contains(strings.Join(phases, ","), "measure,cooldown,drain") {
		t.Errorf("phases %v, want measure, cooldown, drain", phases)
	}
	if want := int64(500 * 8); res.Events.Sent != want {
		t.Errorf("%d events in the measurement, want %d (cooldown events are not measured)", res.Events.Sent, want)
	}
	if want := int64(500 * 13); res.Events.SentTotal != want {
		t.Errorf("%d events in total, want %d", res.Events.SentTotal, want)
	}
}

// Session windows reconcile per (campaign, variant) over all sessions.
func TestSessionWindowsReconcile(t *testing.T) {
	needEnv(t)
	sc := scenario(t, "workload.rate=300", "workload.warmup=2s", "workload.duration=6s",
		"job.window.kind=session", "job.window.gap=1s", "workload.campaigns=200")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	w := windowsOf(t, res)
	t.Logf("windows %+v", w)
	if !res.Valid || w.Missing+w.CountMismatch+w.Unexpected != 0 {
		t.Errorf("session windows do not reconcile (valid %v %v): %+v", res.Valid, res.InvalidReasons, w)
	}
	// 400 keys at 300 events/s: gaps of a second are common, so keys have
	// several sessions; over 8 s of event time, sessions more than 1 s
	// apart, a key has at most 9.
	if w.Received <= w.Expected || w.Received > 9*w.Expected {
		t.Errorf("%d sessions for %d keys: want more than one and at most 9 per key with a 1s gap over 8 s", w.Received, w.Expected)
	}
}

// Salting spreads the hot keys of a Zipf-skewed campaign mix: the windows
// stage's per-subtask load imbalance (max/mean records-in) is lower with
// salting than without, on the same seed.
func TestSaltingLowersWindowSkew(t *testing.T) {
	needEnv(t)
	skew := map[string]float64{}
	for _, kind := range []string{"none", "salted"} {
		sc := scenario(t, "workload.rate=1500", "workload.warmup=2s", "workload.duration=6s", "workload.campaigns=10",
			"workload.seed=7", "workload.skew.campaigns.kind=zipf", "workload.skew.campaigns.s=1.5",
			"env.slots=4", "job.parallelism=4", "job.outputs.updates=false", "job.skew_mitigation.kind="+kind)
		res, err := Run(context.Background(), Options{Scenario: sc, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
		if err != nil {
			t.Fatalf("%s: run: %v", kind, err)
		}
		if w := windowsOf(t, res); w.Missing+w.CountMismatch+w.Unexpected != 0 {
			t.Errorf("%s: windows do not reconcile: %+v", kind, w)
		}
		v := windowsVertex(t, res.Skew)
		t.Logf("%s: %s max/mean %.2f records %v", kind, v.Name, v.MaxOverMean, v.RecordsIn)
		skew[kind] = v.MaxOverMean
	}
	// Zipf(1.5) over 10 campaigns on 4 subtasks: the top campaign alone
	// holds about 40% of the events, so unsalted windows are far from even
	// (the premise), and salting its keys over 4 salts spreads them: at
	// least a fifth of the way down.
	if skew["none"] < 1.4 {
		t.Errorf("unsalted windows max/mean %.2f: want >= 1.4 for a Zipf(1.5) load on 4 subtasks (the test's premise)", skew["none"])
	}
	if !(skew["salted"] <= 0.8*skew["none"]) {
		t.Errorf("windows max/mean salted %.2f, want <= 0.8 × unsalted %.2f", skew["salted"], skew["none"])
	}
}

// windowsVertex finds the vertex of the (first-phase) windows operator.
func windowsVertex(t *testing.T, sk *reports.Skew) reports.VertexSkew {
	t.Helper()
	if sk == nil {
		t.Fatal("no skew section")
	}
	for _, v := range sk.Vertices {
		for _, op := range strings.Split(v.Name, " -> ") {
			if strings.TrimSpace(op) == "windows" {
				return v
			}
		}
	}
	t.Fatalf("no windows vertex in %+v", sk.Vertices)
	return reports.VertexSkew{}
}

// Prefill builds dedupe state before warmup, job.savepoint_at_end saves it,
// and job.restore_from starts the next run's job from it: Flink reports the
// restore, and the restored job's first checkpoint carries the prefilled
// state.
func TestPrefillSavepointRestore(t *testing.T) {
	needEnv(t)
	const keys = 20000
	out1 := t.TempDir()
	sc := scenario(t, "workload.rate=300", "workload.warmup=1s", "workload.duration=4s",
		fmt.Sprintf("workload.prefill.keys=%d", keys), "job.savepoint_at_end=true")
	res, err := Run(context.Background(), Options{Scenario: sc, OutDir: out1, Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}})
	if err != nil {
		t.Fatalf("run 1: %v", err)
	}
	if !res.Valid {
		t.Errorf("run 1 invalid: %v", res.InvalidReasons)
	}
	if rec := res.Reconciliation; rec.Expected != res.Events.SentTotal+keys || rec.Lost != 0 {
		t.Errorf("reconciliation %+v: want the %d prefill events expected and accounted for too", rec, keys)
	}
	if res.Savepoint == "" {
		t.Fatal("no savepoint in the result")
	}
	sp := strings.TrimPrefix(res.Savepoint, "file:")
	if _, err := os.Stat(filepath.Join(sp, "_metadata")); err != nil {
		t.Fatalf("savepoint %s: %v", sp, err)
	}
	if !strings.HasPrefix(sp, out1) {
		t.Errorf("savepoint %s is not inside the run's output directory %s", sp, out1)
	}
	// As `abload run` does: the restore reads the version from it.
	if err := reports.WriteResult(out1, res); err != nil {
		t.Fatal(err)
	}

	var cps struct {
		Latest struct {
			Restored *struct {
				IsSavepoint  bool   `json:"is_savepoint"`
				ExternalPath string `json:"external_path"`
			} `json:"restored"`
			Completed *struct {
				StateSize int64 `json:"state_size"`
			} `json:"completed"`
		} `json:"latest"`
	}
	var readErr error
	hook := func(ctx context.Context, f *flink.Client, id string) {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			readErr = f.GetJSON(ctx, "/jobs/"+id+"/checkpoints", &cps)
			if readErr == nil && cps.Latest.Completed != nil {
				return
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	sc2 := scenario(t, "workload.rate=300", "workload.warmup=1s", "workload.duration=4s",
		"job.checkpoint.interval=1s", "job.restore_from="+sp)
	res2, err := Run(context.Background(), Options{Scenario: sc2, OutDir: t.TempDir(), Runtime: shared.rt, Env: shared.env, Stderr: testWriter{t}, JobRunning: hook})
	if err != nil {
		t.Fatalf("run 2: %v", err)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	if r := cps.Latest.Restored; r == nil || !r.IsSavepoint || !strings.Contains(r.ExternalPath, filepath.Base(sp)) {
		t.Errorf("restored = %+v, want the savepoint %s", r, sp)
	}
	// The result says so too, with the version that wrote it (run 1's).
	if res.Restore != nil {
		t.Errorf("run 1 started without state but records a restore: %+v", res.Restore)
	}
	if rs := res2.Restore; rs == nil || !rs.Restored || !rs.IsSavepoint || rs.From != filepath.Clean(sp) || rs.RunningAfterS <= 0 ||
		rs.FromFlinkVersion == "" || rs.FromFlinkVersion != res.Environment.FlinkVersion {
		t.Errorf("restore = %+v, want savepoint %s restored, written on Flink %s", rs, sp, res.Environment.FlinkVersion)
	} else {
		t.Logf("restore: %s", reports.RestoreText(rs))
	}
	// One dedupe entry per prefilled key: the state holds at least a few bytes each.
	if c := cps.Latest.Completed; c == nil || c.StateSize < keys*8 {
		t.Errorf("first checkpoint after the restore = %+v, want state >= %d bytes for %d restored keys", c, keys*8, keys)
	}
	if rec, w := res2.Reconciliation, windowsOf(t, res2); rec.Lost != 0 || w.Missing+w.Unexpected != 0 {
		t.Errorf("restored run reconciliation %+v windows %+v", rec, w)
	}
}
