// Package harness is abload's engine behind one façade: Run (one run,
// and its control run with job.checkpoint.control_run), RunMatrix (a
// matrix's points and repetitions, sharing environments through EnvPool by
// one rule), Capacity (the capacity search) and Options. It never decides
// exit codes: cmd/abload does.
//
// A run itself is harness/session's: a session per deployment
// (environment, topics, job, clock check, teardown) and a rig of the run's
// live parts on it, which assembles the result. What they drive are
// packages of their own, none of which imports harness or session:
// measure (the collector of the job's outputs and the figures'
// arithmetic), capacity (the capacity search, stepping the rig it is
// given), job (the job's arguments, placeholders and Flink configuration),
// load (the generator, schedule, Sender and the Worker seam), monitor (the
// 1 s sampler), faults (faults, scaling actions and their recovery), live
// (console, live state, Prometheus endpoint), clockcheck, kafka (topics),
// redact (secrets), proc (child processes and pinning), flink (REST
// client), netproxy, and env with its kinds (env/local, env/external;
// Docker in testcontainers) and env/cluster (the recipes the local and
// Docker environments share, per Flink line). The Grafana dashboard and a
// Prometheus configuration live in monitoring/.
package harness
