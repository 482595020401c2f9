// Package testcontainers will hold the Docker-backed environment: Kafka and
// a Flink cluster as containers through testcontainers-go, implementing
// harness.Environment with the same runtime versions as the local
// environment, and the image build for hosts that reach no image registry.
// It is empty until that environment lands; `--env docker` is refused.
package testcontainers
