// Package kafka is what abload does to Kafka outside the hot paths: the
// topics a run uses (their names from the scenario and the run id, their
// plan for `abload run --plan`), creating, checking and deleting them,
// reading a topic's end, and the producer options a scenario's kafka
// section asks for. The sender and the consumer use franz-go directly.
package kafka
