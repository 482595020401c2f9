// Package flinktest serves a fake Flink REST API for unit tests (as
// net/http/httptest serves HTTP): the job, vertex and TaskManager metrics,
// checkpoint history and details a test sets, shaped as Flink shapes them,
// optionally refreshed the way Flink's metric fetcher refreshes them.
// End-to-end tests and benchmarks use a real cluster, never this.
package flinktest
