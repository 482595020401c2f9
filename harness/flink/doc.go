// Package flink is abload's client for Flink's REST API: the cluster
// overview, jar upload and submission, job details and exceptions,
// cancellation and savepoints, and the metrics and checkpoint statistics
// the monitor samples. It knows Flink's JSON as served and nothing of runs,
// scenarios or results.
package flink
