// Package testcontainers is the Docker environment (env.kind docker): a
// single-node Kafka (KRaft) and a Flink session cluster (JobManager + N
// TaskManagers) as containers on a private Docker network, started through
// testcontainers-go. It implements env.Environment, env.FaultInjector,
// env.NetworkShaper and the component listing for resource sampling, and
// registers itself with harness/env on import.
//
// The containers run the same Maven-resolved jars as the local environment:
// `make images` (images/build.sh) builds abload/flink:<version> and
// abload/kafka:<version> from a Debian base made with debootstrap, so no
// image registry is needed; the official images are the alternative
// (env.images). Either way the environment supplies every command line, the
// Flink configuration and the JVM memory flags computed by Flink's own
// memory model, so a Docker run differs from a local one only in isolation
// and limits.
//
// Every container and the network carry the label org.abload.run=<id>; Stop
// saves each container's log into the run's logs/, removes them and sweeps
// anything else with the label. Ryuk is not used (its image cannot be pulled
// on hosts without a registry).
package testcontainers
