// Package session runs one benchmark, or one capacity search, on one
// deployment. A session owns the deployment's lifecycle: the environment
// (started, or given by the caller), the run's topics and Kafka clients,
// the job (submitted, started as an application cluster, or attached), the
// broker-clock check, and the teardown that undoes all of it on success,
// failure and Ctrl-C; it knows nothing of the load's schedule or of what is
// measured. A rig holds the run's live parts on a session — the load's
// Worker, the consumer feeding the measure.Collector, the job watch, the
// monitor, faults and scaling actions, the one-second ticker with its
// timeline and histogram log, the per-subtask probes, the metrics endpoint
// — starts them in one place (startParts) and stops them, drives a run
// (drive) or hands harness/capacity a capacity.Rig, and assembles the
// result from the values they measured.
//
// Run and Capacity are its entry points; harness wraps them (the control
// run, matrices, the environment pool). Options configures both.
package session
