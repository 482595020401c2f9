package harness

import (
	"github.com/abload/abload/scenarios"

	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Topics names the run's topics. Each run gets its own, prefixed with the
// run id, so runs never read each other's data.
type Topics struct {
	Input   string `json:"input"`
	Updates string `json:"updates,omitempty"`
	Windows string `json:"windows,omitempty"`
}

// topicsFor returns the topic names of a run.
func topicsFor(runID string, updates, windows bool) Topics {
	t := Topics{Input: "abload-" + runID + "-events"}
	if updates {
		t.Updates = "abload-" + runID + "-updates"
	}
	if windows {
		t.Windows = "abload-" + runID + "-windows"
	}
	return t
}

func (t Topics) outputs() []string {
	var out []string
	for _, s := range []string{t.Updates, t.Windows} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// createTopics creates the run's topics. Output topics use LogAppendTime so
// the harness can tell how far behind the outputs its own consumer is.
func createTopics(ctx context.Context, bootstrap []string, t Topics, partitions int) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(bootstrap...))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	var errs []error
	create := func(name string, cfg map[string]*string) {
		resp, err := adm.CreateTopic(ctx, int32(partitions), 1, cfg, name)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("create topic %s: %w", name, err))
		}
	}
	create(t.Input, nil)
	logAppend := "LogAppendTime"
	for _, o := range t.outputs() {
		create(o, map[string]*string{"message.timestamp.type": &logAppend})
	}
	return errors.Join(errs...)
}

// producerOpts maps the scenario's producer settings to franz-go options.
func producerOpts(k scenarios.Kafka) ([]kgo.Opt, error) {
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
