package testcontainers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/scenarios"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// Image labels `make images` puts on the local images.
const (
	LabelFlinkVersion = "org.abload.flink.version"
	LabelKafkaVersion = "org.abload.kafka.version"
	LabelBundleDigest = "org.abload.bundle.digest"
)

// Images are the two images an environment runs, and where they came from.
type Images struct {
	Flink, Kafka string
	// Source is "local" (built by `make images`) or "official".
	Source string
}

// LocalImages are the names `make images` builds for the pinned versions.
func LocalImages(flinkVersion, kafkaVersion string) Images {
	return Images{Flink: "abload/flink:" + flinkVersion, Kafka: "abload/kafka:" + kafkaVersion, Source: scenarios.ImagesLocal}
}

// OfficialImages are the projects' own images for the pinned versions.
func OfficialImages(flinkVersion, kafkaVersion string) Images {
	return Images{Flink: "flink:" + flinkVersion + "-java17", Kafka: "apache/kafka:" + kafkaVersion, Source: scenarios.ImagesOfficial}
}

// ResolveImages picks the images for env.images: local ones must exist and
// carry the pinned versions; official ones are pulled by testcontainers when
// absent (which fails on hosts without a registry: the error says what to
// do); auto takes the local ones when both exist, else the official ones.
func ResolveImages(ctx context.Context, cli *tc.DockerClient, mode, flinkVersion, kafkaVersion string) (Images, error) {
	local := LocalImages(flinkVersion, kafkaVersion)
	switch mode {
	case scenarios.ImagesOfficial:
		return OfficialImages(flinkVersion, kafkaVersion), nil
	case scenarios.ImagesLocal, scenarios.ImagesAuto, "":
		var missing []string
		for _, im := range []struct{ name, key, want string }{
			{local.Flink, LabelFlinkVersion, flinkVersion},
			{local.Kafka, LabelKafkaVersion, kafkaVersion},
		} {
			labels, err := ImageLabels(ctx, cli, im.name)
			if err != nil {
				missing = append(missing, im.name)
				continue
			}
			if got := labels[im.key]; got != im.want {
				return Images{}, fmt.Errorf("image %s carries %s=%q but the runtime bundle is %s: run `make images` to rebuild it (make images FLINK=<line> for a line other than the default)", im.name, im.key, got, im.want)
			}
		}
		if len(missing) == 0 {
			return local, nil
		}
		if mode == scenarios.ImagesLocal {
			return Images{}, fmt.Errorf("env.images is local but %v not found: run `make images` (builds them from a Debian base and the runtime bundle, no registry needed; make images FLINK=%s for Flink %s)", missing, scenarios.FlinkLineOf(flinkVersion), scenarios.FlinkLineOf(flinkVersion))
		}
		return OfficialImages(flinkVersion, kafkaVersion), nil
	}
	return Images{}, fmt.Errorf("env.images: unknown value %q (want auto, local or official)", mode)
}

// ImageLabels returns an image's labels, or an error when it is not present.
func ImageLabels(ctx context.Context, cli *tc.DockerClient, name string) (map[string]string, error) {
	ins, err := cli.ImageInspect(ctx, name)
	if err != nil {
		return nil, err
	}
	if ins.Config == nil {
		return map[string]string{}, nil
	}
	return ins.Config.Labels, nil
}

// containerStats takes one stats sample of a container.
func containerStats(ctx context.Context, cli *tc.DockerClient, id string) (container.StatsResponse, error) {
	var st container.StatsResponse
	res, err := cli.ContainerStats(ctx, id, client.ContainerStatsOptions{Stream: false})
	if err != nil {
		return st, err
	}
	defer res.Body.Close()
	err = json.NewDecoder(res.Body).Decode(&st)
	return st, err
}
