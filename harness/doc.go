// Package harness runs one benchmark end to end: it brings up an environment
// (Kafka and a Flink cluster), creates the run's topics, submits the job under
// test, drives the open-loop event stream through warmup, measure and drain,
// consumes the job's outputs, and turns what it saw into a reports.Result.
//
// It owns the environment lifecycle (the local process-based environment
// with its TaskManager supervisor, the external one, the EnvPool that shares
// one between runs), the Kafka driver (franz-go), the collectors (latency
// histograms, reconciliation by seq and by window for every window kind),
// the monitor (Flink metrics, checkpoints, input lag, /proc resources, each
// second), faults and their recovery timing, per-subtask skew and its
// key-group prediction, prefill, savepoints and control runs, the capacity
// search (Capacity), scaling actions and Reactive Mode's application cluster,
// CPU pinning, the live view (a Prometheus endpoint with --metrics-addr, the
// terminal status block, the scrape endpoints of Flink's reporters; the
// Grafana dashboard and a Prometheus configuration live in monitoring/), and
// the phase clock. It never decides exit codes: cmd/abload does.
//
// Its leaves are packages of their own: flink (Flink's REST client),
// netproxy (the job's network proxy), env (the Environment interface, its
// capabilities, Endpoints, the registry of kinds) and env/cluster (the
// runtime bundle and the Flink and Kafka recipes the local and Docker
// environments share).
package harness
