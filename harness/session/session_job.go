package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/job"
	"github.com/abload/abload/harness/kafka"
	"github.com/abload/abload/scenarios"
)

// startApplication boots an application cluster running the job under a
// job ID chosen here, so the harness knows it without asking.
func (s *session) startApplication(ctx context.Context, restore string) error {
	app, ok := s.env.(env.ApplicationStarter)
	if !ok {
		return fmt.Errorf("env.scheduler reactive: the %s environment cannot start an application cluster", s.env.Kind())
	}
	main, err := job.MainClass(s.opts.Runtime.JobJar)
	if err != nil {
		return err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	s.jobID = hex.EncodeToString(id[:])
	s.con.Logf("abload: starting the application cluster (Reactive Mode) with job %s", s.jobID)
	if err := app.StartApplication(ctx, main, job.Args(s.jobTarget()), s.jobID, restore); err != nil {
		return fmt.Errorf("start application cluster: %w", err)
	}
	return nil
}

// jobTarget is where the run's job reads and writes.
func (s *session) jobTarget() job.Target {
	return job.Target{Scenario: s.sc, Bootstrap: s.ep.JobBootstrap(), KafkaProperties: s.ep.JobKafkaProperties,
		Secrets: s.opts.Secrets, Topics: s.topics, Group: s.topicPrefix() + s.runID}
}

// partitions is the number of partitions of the run's input topic.
func (s *session) partitions() int {
	if s.inputParts > 0 {
		return s.inputParts
	}
	return s.sc.Kafka.Partitions
}

// topicPrefix starts the names of the topics and the consumer group of
// the run: env.external.topics.prefix, or "abload-".
func (s *session) topicPrefix() string {
	if s.sc.Env.Kind == scenarios.EnvExternal && s.sc.Env.External.Topics.Prefix != "" {
		return s.sc.Env.External.Topics.Prefix
	}
	return "abload-"
}

// attach takes over a job that was running before the run
// (env.external.job_id): it is measured, never submitted or cancelled.
func (s *session) attach(ctx context.Context, id string) error {
	jd, err := s.flink.WaitRunning(ctx, id, 30*time.Second)
	if err != nil {
		return fmt.Errorf("env.external.job_id %s: %w", id, err)
	}
	s.jobID, s.attached = id, true
	s.live.SetParallelism(jd.Parallelism())
	s.con.Logf("abload: attached to running job %s %q (parallelism %d); job.* knobs are not applied to it", id, jd.Name, jd.Parallelism())
	s.writeEndpoints()
	if s.opts.JobRunning != nil {
		s.opts.JobRunning(ctx, s.flink, s.jobID)
	}
	return nil
}

// submitCustom uploads and runs a job.jar, or the SQL runner with job.sql,
// with the placeholders filled in and the Flink-level knobs as the job's
// Flink configuration.
func (s *session) submitCustom(ctx context.Context, restore string) error {
	j := s.sc.Job
	vals := job.Placeholders(s.jobTarget())
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
			path = s.opts.Runtime.ABJobSQL
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql: %w", err)}
		}
		sql, err := scenarios.ExpandPlaceholders(string(text), vals)
		if err != nil {
			return &InputError{Err: fmt.Errorf("job.sql %s: %w", path, err)}
		}
		if _, err := os.Stat(s.opts.Runtime.SQLRunner); err != nil {
			return fmt.Errorf("job.sql needs the SQL runner of the runtime bundle (run `make runtime`): %w", err)
		}
		jar, entry = s.opts.Runtime.SQLRunner, ""
		enc := base64.StdEncoding.EncodeToString([]byte(sql))
		if len(s.ep.JobKafkaProperties) > 0 {
			s.opts.Secrets.Add(enc) // the script carries the cluster's credentials
		}
		args = []string{"--sql", enc, "--job-name", vals["job.name"]}
	}
	if _, err := os.Stat(jar); err != nil {
		return &InputError{Err: fmt.Errorf("job.jar: %w", err)}
	}
	jarID, err := s.flink.UploadJar(ctx, jar)
	if err != nil {
		return fmt.Errorf("upload %s: %w", jar, err)
	}
	s.jarID = jarID
	s.jobID, err = s.flink.RunJarWith(ctx, jarID, flink.RunJarRequest{
		EntryClass: entry, Args: args, Parallelism: j.Parallelism, Savepoint: restore, Config: job.FlinkConfig(s.sc),
	})
	if err != nil {
		return fmt.Errorf("submit %s: %w", jar, err)
	}
	return nil
}

// scoringCost is the scoring step's thread CPU time and events scored so
// far, summed over its subtasks (its costCpuNanos and costEvents metrics),
// read at atNs.
type scoringCost struct {
	cpuNs, events float64
	atNs          int64
}

// readScoringCost sums the scoring operator's costCpuNanos and costEvents
// gauges over its subtasks.
func (s *session) readScoringCost(ctx context.Context) (*scoringCost, error) {
	j, err := s.flink.Job(ctx, s.jobID)
	if err != nil {
		return nil, err
	}
	for _, v := range j.Vertices {
		if !strings.Contains(v.Name, "scoring") {
			continue
		}
		ids, err := s.flink.VertexMetricIDs(ctx, s.jobID, v.ID)
		if err != nil {
			return nil, err
		}
		var cpuID, evID string
		for id := range ids {
			switch {
			case strings.HasSuffix(id, "scoring.costCpuNanos"):
				cpuID = id
			case strings.HasSuffix(id, "scoring.costEvents"):
				evID = id
			}
		}
		if cpuID == "" || evID == "" {
			return nil, fmt.Errorf("vertex %q has no scoring.costCpuNanos/costEvents metrics yet", v.Name)
		}
		agg, err := s.flink.VertexAgg(ctx, s.jobID, v.ID, cpuID, evID)
		if err != nil {
			return nil, err
		}
		return &scoringCost{cpuNs: float64(agg[cpuID].Sum), events: float64(agg[evID].Sum), atNs: s.clock.Now()}, nil
	}
	return nil, fmt.Errorf("no scoring vertex in the job")
}

// takeSavepoint writes a savepoint of the running job into OUT/savepoint
// (job.savepoint_at_end). A failure is logged and marks nothing invalid: the
// measurement is unaffected, only the savepoint is missing from the result.
func (s *session) takeSavepoint(ctx context.Context) {
	dir, err := filepath.Abs(filepath.Join(s.opts.OutDir, "savepoint"))
	if err != nil {
		s.con.Logf("abload: savepoint: %v", err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	loc, err := s.flink.TriggerSavepoint(sctx, s.jobID, dir)
	if err != nil {
		s.con.Logf("abload: savepoint: %v", err)
		s.savepointErr = err.Error()
		return
	}
	s.savepoint = loc
	s.con.Logf("abload: savepoint written to %s in %.1fs", loc, time.Since(t0).Seconds())
	// The version that wrote it, beside it: a run restoring it (another
	// line's, the upgrade's probe) says so wherever it was moved.
	if v := s.env.FlinkVersion(); v != "" {
		if err := writeSavepointInfo(scenarios.LocalPath(loc), v, s.runID); err != nil {
			s.con.Logf("abload: savepoint: %s: %v", SavepointInfoFile, err)
		}
	}
}

// parallelismAndSlots reads the job's parallelism when every vertex runs
// (0 otherwise, or when unknown) and the cluster's slot count.
func (s *session) parallelismAndSlots(ctx context.Context) (par, slots int) {
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if j, err := s.flink.Job(qctx, s.jobID); err == nil && j.AllRunning() {
		par = j.Parallelism()
	}
	if ov, err := s.flink.Overview(qctx); err == nil {
		slots = ov.SlotsTotal
	}
	return par, slots
}

// kafkaClients makes the run's consumer of the job's outputs (read-committed
// for exactly-once output, as a downstream consumer would read it) and its
// producer of input events, with the scenario's producer settings.
func (s *session) kafkaClients() (consumer, producer *kgo.Client, err error) {
	sc := s.sc
	// Outputs the run did not create (an attached job's) hold earlier
	// records: read only what comes after the start.
	from := kgo.NewOffset().AtStart()
	if x := sc.Env.External.Topics; sc.Env.Kind == scenarios.EnvExternal && (x.Updates != "" || x.Windows != "") {
		from = kgo.NewOffset().AtEnd()
	}
	copts := s.ep.ClientOpts(
		kgo.ConsumeTopics(s.topics.Outputs()...),
		kgo.ConsumeResetOffset(from),
		kgo.FetchMaxWait(100*time.Millisecond),
	)
	if sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		copts = append(copts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	popts, err := kafka.ProducerOpts(sc.Kafka)
	if err != nil {
		return nil, nil, err
	}
	if consumer, err = kgo.NewClient(copts...); err != nil {
		return nil, nil, err
	}
	producer, err = kgo.NewClient(append(popts, s.ep.ClientOpts(
		kgo.DefaultProduceTopic(s.topics.Input),
		kgo.MaxBufferedRecords(sc.Kafka.MaxBufferedRecords),
	)...)...)
	if err != nil {
		consumer.Close()
		return nil, nil, err
	}
	return consumer, producer, nil
}
