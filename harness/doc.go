// Package harness runs one benchmark end to end: it brings up an environment
// (Kafka and a Flink cluster), creates the run's topics, submits the job under
// test, drives the open-loop event stream through warmup, measure and drain,
// consumes the job's outputs, and turns what it saw into a reports.Result.
// Run, RunMatrix and Capacity are its entry points; Options configures them;
// EnvPool shares one environment between runs by one rule.
//
// It owns the run's state from startup to teardown, submitting and
// cancelling the job, prefill, savepoints and control runs, and the result
// assembly. It never decides exit codes: cmd/abload does.
//
// What it drives are packages of their own, none of which imports it:
// measure (the collector of the job's outputs and the figures' arithmetic),
// capacity (the capacity search, stepping the run it is given), job (the
// job's arguments, placeholders and Flink configuration),
// load (the generator, schedule and Sender), monitor (the 1 s sampler), faults
// (faults, scaling actions and their recovery), live (console, live state,
// Prometheus endpoint), clockcheck, kafka (topics), redact (secrets), proc
// (child processes and pinning), flink (REST client), netproxy, and env
// with its kinds (env/local, env/external; Docker in testcontainers) and
// env/cluster (the recipes the local and Docker environments share). The
// Grafana dashboard and a Prometheus configuration live in monitoring/.
package harness
