package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/scenarios"
)

// Topics names the run's topics. Each run gets its own, prefixed with the
// run id, so runs never read each other's data.
type Topics struct {
	Input   string `json:"input"`
	Updates string `json:"updates,omitempty"`
	Windows string `json:"windows,omitempty"`
}

// TopicSpec is a topic the run creates.
type TopicSpec struct {
	Name string
	// LogAppendTime: the broker stamps each record with its append time
	// (output topics, so the harness can tell how far behind the outputs
	// its consumer is; the clock topic, to read the broker's clock).
	LogAppendTime bool
	Partitions    int // 0: kafka.partitions
}

// TopicPlan is what a run does with topics: the names it uses, those it
// creates (the only ones it may delete) and those that must exist already.
type TopicPlan struct {
	Topics   Topics
	Clock    string // the clock-probe topic (created)
	Create   []TopicSpec
	Existing []string // named by env.external.topics: used, never created or deleted
}

// PlanTopics returns the topics of run runID: <prefix><run>-events,
// -updates, -windows and -clock, where prefix is "abload-" or
// env.external.topics.prefix; an external scenario's named topics are used
// instead of creating those.
func PlanTopics(sc *scenarios.Scenario, runID string) TopicPlan {
	prefix := "abload-"
	var named scenarios.ExternalTopics
	if sc.Env.Kind == scenarios.EnvExternal {
		named = sc.Env.External.Topics
		if named.Prefix != "" {
			prefix = named.Prefix
		}
	}
	var p TopicPlan
	pick := func(given, suffix string, logAppend bool) string {
		if given != "" {
			p.Existing = append(p.Existing, given)
			return given
		}
		name := prefix + runID + suffix
		p.Create = append(p.Create, TopicSpec{Name: name, LogAppendTime: logAppend})
		return name
	}
	p.Topics.Input = pick(named.Input, "-events", false)
	if sc.Job.Outputs.Updates {
		p.Topics.Updates = pick(named.Updates, "-updates", true)
	}
	if sc.Job.Outputs.Windows {
		p.Topics.Windows = pick(named.Windows, "-windows", true)
	}
	p.Clock = prefix + runID + "-clock"
	p.Create = append(p.Create, TopicSpec{Name: p.Clock, LogAppendTime: true, Partitions: 1})
	return p
}

func (t Topics) Outputs() []string {
	var out []string
	for _, s := range []string{t.Updates, t.Windows} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// AdminClient is a Kafka admin client for the endpoints (with their
// security); close the returned client.
func AdminClient(ep *env.Endpoints) (*kadm.Client, *kgo.Client, error) {
	cl, err := kgo.NewClient(ep.ClientOpts()...)
	if err != nil {
		return nil, nil, err
	}
	return kadm.NewClient(cl), cl, nil
}

// CreateTopics creates specs (replication factor: the broker's default)
// and returns the names it created, also when it fails part way.
func CreateTopics(ctx context.Context, ep *env.Endpoints, specs []TopicSpec, partitions int) ([]string, error) {
	adm, cl, err := AdminClient(ep)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var created []string
	var errs []error
	for _, t := range specs {
		var cfg map[string]*string
		if t.LogAppendTime {
			logAppend := "LogAppendTime"
			cfg = map[string]*string{"message.timestamp.type": &logAppend}
		}
		n := partitions
		if t.Partitions > 0 {
			n = t.Partitions
		}
		resp, err := adm.CreateTopic(ctx, int32(n), -1, cfg, t.Name)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t.Name, err))
			continue
		}
		created = append(created, t.Name)
	}
	return created, errors.Join(errs...)
}

// CheckExistingTopics checks that the topics an external scenario names exist.
func CheckExistingTopics(ctx context.Context, ep *env.Endpoints, names []string) error {
	if len(names) == 0 {
		return nil
	}
	adm, cl, err := AdminClient(ep)
	if err != nil {
		return err
	}
	defer cl.Close()
	td, err := adm.ListTopics(ctx, names...)
	if err != nil {
		return fmt.Errorf("list topics: %w", err)
	}
	var errs []error
	for _, n := range names {
		d, ok := td[n]
		switch {
		case !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition):
			errs = append(errs, fmt.Errorf("env.external.topics: topic %s does not exist", n))
		case d.Err != nil:
			errs = append(errs, fmt.Errorf("env.external.topics: topic %s: %w", n, d.Err))
		}
	}
	return errors.Join(errs...)
}

// TopicEnd returns a topic's number of partitions and the sum of their
// end offsets.
func TopicEnd(ctx context.Context, ep *env.Endpoints, topic string) (int, int64, error) {
	adm, cl, err := AdminClient(ep)
	if err != nil {
		return 0, 0, err
	}
	defer cl.Close()
	ends, err := adm.ListEndOffsets(ctx, topic)
	if err != nil {
		return 0, 0, fmt.Errorf("end offsets of %s: %w", topic, err)
	}
	if err := ends.Error(); err != nil {
		return 0, 0, fmt.Errorf("end offsets of %s: %w", topic, err)
	}
	n, sum := 0, int64(0)
	ends.Each(func(o kadm.ListedOffset) {
		n++
		sum += o.Offset
	})
	return n, sum, nil
}

// DeleteTopics deletes the named topics and reports each one's outcome.
func DeleteTopics(ctx context.Context, ep *env.Endpoints, names []string) error {
	adm, cl, err := AdminClient(ep)
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := adm.DeleteTopics(ctx, names...)
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if r, ok := resp[n]; ok && r.Err != nil {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", n, r.Err))
		}
	}
	return errors.Join(errs...)
}

// ProducerOpts maps the scenario's producer settings to franz-go options.
func ProducerOpts(k scenarios.Kafka) ([]kgo.Opt, error) {
	acks, linger, compression := k.Acks, k.Linger.Duration, k.Compression
	var opts []kgo.Opt
	if k.BatchSize > 0 {
		opts = append(opts, kgo.ProducerBatchMaxBytes(int32(k.BatchSize)))
	}
	switch acks {
	case "", "all":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "leader":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	case "none":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()), kgo.DisableIdempotentWrite())
	default:
		return nil, fmt.Errorf("kafka.acks: unknown value %q", acks)
	}
	opts = append(opts, kgo.ProducerLinger(linger))
	switch strings.ToLower(compression) {
	case "", "none":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.NoCompression()))
	case "gzip":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.GzipCompression()))
	case "snappy":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
	case "lz4":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.Lz4Compression()))
	case "zstd":
		opts = append(opts, kgo.ProducerBatchCompression(kgo.ZstdCompression()))
	default:
		return nil, fmt.Errorf("kafka.compression: unknown value %q", compression)
	}
	return opts, nil
}
