package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/scenarios"
)

// abloadWithEnv is abload with extra environment variables.
func abloadWithEnv(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run abload: %v", err)
	}
	return o.String(), e.String(), code
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// env.kind external against a real secured cluster: the local environment's
// broker through its SASL_SSL + SCRAM listener (a CA and certificate made for
// this test), and its Flink behind an HTTPS reverse proxy that answers only
// requests carrying the bearer token. abload knows it only through an
// external scenario, credentials from environment variables. Checked:
// --dry-run and a wrong password create nothing (the broker's topic list);
// the run succeeds with --cleanup, which deletes the run's topics and leaves
// a topic abload did not create; no output file, log or printed line holds
// the password or the token.
func TestExternalSecuredCluster(t *testing.T) {
	needCluster(t)
	rt, err := cluster.FindRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	password, token := "pw-"+randomHex(t, 12), "tok-"+randomHex(t, 16)
	d := scenarios.Defaults().Env
	clusterLogs := t.TempDir()
	env := local.New(local.Config{
		Runtime: rt, LogDir: clusterLogs, WorkDir: filepath.Join(t.TempDir(), "work"),
		Settings: cluster.Settings{TaskManagers: 1, Slots: 2, TaskManagerMemory: d.TaskManagerMemory, JobManagerMemory: d.JobManagerMemory,
			KafkaHeap: d.KafkaHeap, StartupTimeout: 3 * time.Minute, FlinkConfig: cluster.FlinkClusterConfig(d)},
		Secure: &local.SecureListener{User: "bench", Password: password},
		Logf:   t.Logf,
	})
	t.Cleanup(func() { _ = env.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	ep, err := env.Start(ctx)
	if err != nil {
		t.Fatalf("start the cluster: %v", err)
	}
	sec := env.SecureEndpoint()

	// Flink's REST API behind HTTPS and a bearer token, as an ingress would put it.
	flinkURL, _ := url.Parse(ep.FlinkREST)
	proxy := httputil.NewSingleHostReverseProxy(flinkURL)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // abload's clients cancel requests when they stop
	var refused atomic.Int64
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			refused.Add(1)
			http.Error(w, `{"errors":["unauthorized"]}`, http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	front.StartTLS()
	defer front.Close()
	dir := t.TempDir()
	flinkCA := filepath.Join(dir, "flink-ca.pem")
	if err := os.WriteFile(flinkCA, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: front.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	// The cluster's own topic, which abload must never touch.
	admin := secureAdmin(t, sec)
	if _, err := admin.CreateTopic(ctx, 1, 1, nil, "team-orders"); err != nil {
		t.Fatal(err)
	}
	topicsBefore := waitTopics(t, admin, "team-orders")

	scenario := filepath.Join(dir, "external.yaml")
	if err := os.WriteFile(scenario, []byte(fmt.Sprintf(`name: external-e2e
workload: {rate: 300, warmup: 2s, duration: 5s, cooldown: 0s, drain_timeout: 60s, max_consumer_delay: 10s}
env:
  kind: external
  external:
    kafka:
      bootstrap: [%s]
      tls: {enabled: true, ca_file: %s}
      sasl: {mechanism: SCRAM-SHA-512, username: bench, password_env: ABLOAD_TEST_KAFKA_PASSWORD}
    flink:
      rest: %s
      tls: {enabled: true, ca_file: %s}
      auth_env: ABLOAD_TEST_FLINK_TOKEN
    topics: {prefix: e2e-}
job:
  parallelism: 2
  checkpoint: {interval: 2s}
  delivery: exactly_once
`, sec.Addr, sec.CAFile, front.URL, flinkCA)), 0o644); err != nil {
		t.Fatal(err)
	}
	creds := []string{"ABLOAD_TEST_KAFKA_PASSWORD=" + password, "ABLOAD_TEST_FLINK_TOKEN=Bearer " + token}
	var printed []string
	// mustRun runs `abload run` with the credentials, keeps what it printed
	// for the secret scan, and stops the test unless it exits 0.
	mustRun := func(what, scenario, out string) (stderr string) {
		o, e, code := abloadWithEnv(t, creds, "run", scenario, "--out", out, "--cleanup")
		printed = append(printed, o, e)
		t.Logf("%s stderr:\n%s", what, e)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", what, code, o)
		}
		return e
	}

	// --dry-run: says what it would create, submit and delete; creates nothing.
	o, e, code := abloadWithEnv(t, creds, "run", scenario, "--dry-run", "--cleanup")
	printed = append(printed, o, e)
	if code != 0 {
		t.Fatalf("--dry-run: exit %d\n%s%s", code, o, e)
	}
	for _, w := range []string{"would create topics", "e2e-<run>-events", "would upload", "would delete at the end (--cleanup)"} {
		if !strings.Contains(o, w) {
			t.Errorf("--dry-run output lacks %q:\n%s", w, o)
		}
	}
	if got := listTopics(t, admin); !slices.Equal(got, topicsBefore) {
		t.Errorf("--dry-run changed the topics: %v → %v", topicsBefore, got)
	}

	// A wrong password: exit 1, a clear authentication error, nothing created.
	wrong := "wrong-" + randomHex(t, 8)
	o, e, code = abloadWithEnv(t, []string{"ABLOAD_TEST_KAFKA_PASSWORD=" + wrong, creds[1]}, "run", scenario, "--out", filepath.Join(dir, "wrong"))
	printed = append(printed, o, e)
	if code != 1 || !strings.Contains(e, "authentication failed") {
		t.Errorf("wrong password: exit %d, want 1 with an authentication error\n%s%s", code, o, e)
	}
	if strings.Contains(o+e, wrong) {
		t.Errorf("the wrong password was printed:\n%s", e)
	}
	if got := listTopics(t, admin); !slices.Equal(got, topicsBefore) {
		t.Errorf("a refused run changed the topics: %v → %v", topicsBefore, got)
	}

	// The run.
	out := filepath.Join(dir, "res")
	e = mustRun("external run", scenario, out)
	var res struct {
		Valid       bool `json:"valid"`
		Environment struct {
			Kind         string `json:"kind"`
			FlinkVersion string `json:"flink_version"`
		} `json:"environment"`
		Clock *struct {
			OffsetMs      float64 `json:"offset_ms"`
			UncertaintyMs float64 `json:"uncertainty_ms"`
			Within        bool    `json:"within_bound"`
		} `json:"clock"`
		Events struct {
			Sent int64 `json:"sent"`
		} `json:"events"`
		Reconciliation struct {
			Expected, Lost, Duplicated int64
		} `json:"reconciliation"`
	}
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Environment.Kind != "external" || res.Environment.FlinkVersion != rt.FlinkVersion() {
		t.Errorf("environment %+v, want external running Flink %s", res.Environment, rt.FlinkVersion())
	}
	if res.Clock == nil || !res.Clock.Within || res.Clock.OffsetMs < -res.Clock.UncertaintyMs-5 || res.Clock.OffsetMs > res.Clock.UncertaintyMs+5 {
		t.Errorf("clock check %+v: the broker shares this host's clock, want an offset of 0 within its uncertainty", res.Clock)
	}
	if res.Events.Sent < 1500*98/100 || res.Events.Sent > 1500*102/100 || res.Reconciliation.Expected == 0 || res.Reconciliation.Lost != 0 || res.Reconciliation.Duplicated != 0 {
		t.Errorf("events %+v, reconciliation %+v: want every event through the secured path exactly once", res.Events, res.Reconciliation)
	}
	if refused.Load() != 0 {
		t.Errorf("the Flink proxy refused %d requests without the token", refused.Load())
	}
	// --cleanup deleted the run's topics and nothing else.
	if got := listTopics(t, admin); !slices.Equal(got, topicsBefore) {
		t.Errorf("after --cleanup the topics are %v, before the run %v", got, topicsBefore)
	}
	if !strings.Contains(e, "--cleanup: deleted the run's topics e2e-") {
		t.Errorf("the run did not say which topics it deleted")
	}
	// The uploaded jar is gone too.
	var jars struct {
		Files []any `json:"files"`
	}
	if err := flink.NewClient(ep.FlinkREST).GetJSON(ctx, "/jars", &jars); err != nil || len(jars.Files) != 0 {
		t.Errorf("jars left on the cluster: %v (%v)", jars.Files, err)
	}

	// A team's own job, already running on the cluster with its own
	// topics: abload attaches to it (env.external.job_id), writes the load
	// into its input (allowed explicitly), measures its updates, and leaves
	// the job running and its topics in place, --cleanup or not.
	for _, tp := range []struct {
		name string
		cfg  map[string]*string
	}{{"team-events", nil}, {"team-updates", map[string]*string{"message.timestamp.type": ptr("LogAppendTime")}}} {
		if _, err := admin.CreateTopic(ctx, 2, 1, tp.cfg, tp.name); err != nil {
			t.Fatal(err)
		}
	}
	topicsBefore = waitTopics(t, admin, "team-events", "team-updates")
	ca, err := os.ReadFile(sec.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	// The job's Kafka settings, encoded here independently of abload.
	props := "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n" +
		`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="bench" password="` + password + "\";\n" +
		"ssl.truststore.type=PEM\nssl.truststore.certificates=" + strings.ReplaceAll(strings.TrimSpace(string(ca)), "\n", `\n`) + "\n"
	fc := flink.NewClient(ep.FlinkREST)
	jarID, err := fc.UploadJar(ctx, rt.JobJar)
	if err != nil {
		t.Fatal(err)
	}
	teamJob, err := fc.RunJar(ctx, jarID, "", []string{"--bootstrap-servers", sec.Addr, "--input-topic", "team-events",
		"--updates-topic", "team-updates", "--group-id", "team", "--job-name", "team-ab", "--checkpoint-interval-ms", "2000",
		"--kafka-properties", base64.StdEncoding.EncodeToString([]byte(props))}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.WaitRunning(ctx, teamJob, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	attachScenario := filepath.Join(dir, "attach.yaml")
	sb, _ := os.ReadFile(scenario)
	body := strings.Replace(strings.Replace(string(sb), "name: external-e2e", "name: external-attach", 1),
		"    topics: {prefix: e2e-}\n", "    topics: {prefix: e2e-, input: team-events, updates: team-updates, allow_write: true}\n    job_id: "+teamJob+"\n", 1)
	body = strings.Replace(body, "workload: {rate: 300, warmup: 2s, duration: 5s, cooldown: 0s, drain_timeout: 60s, max_consumer_delay: 10s}", "workload: {rate: 200, warmup: 2s, duration: 5s, cooldown: 0s, drain_timeout: 60s}", 1)
	body += "  outputs: {windows: false}\n"
	if err := os.WriteFile(attachScenario, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	attachOut := filepath.Join(dir, "attach")
	mustRun("attached run", attachScenario, attachOut)
	var att struct {
		AttachedJob string `json:"attached_job"`
		Events      struct {
			Sent int64 `json:"sent"`
		} `json:"events"`
		Latency struct {
			E2E struct {
				Count int64   `json:"count"`
				P50   float64 `json:"p50"`
			} `json:"e2e"`
		} `json:"latency_ms"`
	}
	if b, err := os.ReadFile(filepath.Join(attachOut, "result.json")); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &att); err != nil {
		t.Fatal(err)
	}
	if att.AttachedJob != teamJob || att.Events.Sent < 1000*98/100 || att.Events.Sent > 1000*102/100 || att.Latency.E2E.Count == 0 || att.Latency.E2E.P50 <= 0 {
		t.Errorf("attached run: %+v, want job %s measured end to end", att, teamJob)
	}
	if jd, err := fc.Job(ctx, teamJob); err != nil || jd.State != "RUNNING" {
		t.Errorf("the team's job after the run: %v %v, want it still RUNNING", jd, err)
	}
	if got := listTopics(t, admin); !slices.Equal(got, topicsBefore) {
		t.Errorf("after the attached run with --cleanup the topics are %v, before %v (the team's must stay, abload's go)", got, topicsBefore)
	}
	if err := fc.CancelJob(ctx, teamJob); err != nil {
		t.Error(err)
	}

	// No secret anywhere: the result directory, the cluster's own logs
	// (the job's Kafka clients log their configuration), what abload
	// printed, and the job's configuration as Flink's REST API shows it.
	var jobs struct {
		Jobs []struct {
			ID string `json:"id"`
		} `json:"jobs"`
	}
	if err := flink.NewClient(ep.FlinkREST).GetJSON(ctx, "/jobs", &jobs); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.Jobs {
		var cfg json.RawMessage
		if err := flink.NewClient(ep.FlinkREST).GetJSON(ctx, "/jobs/"+j.ID+"/config", &cfg); err == nil {
			printed = append(printed, string(cfg))
			if !strings.Contains(string(cfg), "sasl.jaas.config=<redacted>") {
				t.Errorf("job %s: configuration does not show the redacted JAAS line: %s", j.ID, cfg)
			}
		}
	}
	secretsIn := func(what, s string) {
		for _, sec := range []string{password, token, wrong} {
			if strings.Contains(s, sec) {
				i := strings.Index(s, sec)
				t.Errorf("%s holds a secret: …%s…", what, s[max(0, i-80):i])
			}
		}
	}
	for i, p := range printed {
		secretsIn(fmt.Sprintf("printed output #%d", i), p)
	}
	files := 0
	for _, root := range []string{dir, clusterLogs} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(path)
			if err == nil {
				files++
				secretsIn(path, string(b))
			}
			return nil
		})
	}
	if files < 8 {
		t.Errorf("scanned only %d files", files)
	}
}

func secureAdmin(t *testing.T, sec *local.SecureEndpoint) *kadm.Client {
	t.Helper()
	opts, err := sec.Security("SCRAM-SHA-512").Opts()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(sec.Addr))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return kadm.NewClient(cl)
}

// listTopics lists the broker's topics, internal ones left out, sorted.
func listTopics(t *testing.T, adm *kadm.Client) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	td, err := adm.ListTopics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := td.Names()
	slices.Sort(names)
	return names
}

func ptr(s string) *string { return &s }

// waitTopics waits until the broker's metadata lists the topics just
// created (creation returns before every broker knows them), then lists.
func waitTopics(t *testing.T, adm *kadm.Client, names ...string) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := listTopics(t, adm)
		missing := 0
		for _, n := range names {
			if !slices.Contains(got, n) {
				missing++
			}
		}
		if missing == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("topics %v not listed after 20 s: %v", names, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
