// Package local is env.kind local: a single-node Kafka (KRaft) and a Flink
// standalone cluster (a session cluster, or an application cluster for
// Reactive Mode) as JVM processes on 127.0.0.1, started from the runtime
// bundle without Flink's or Kafka's shell scripts. It supervises its
// TaskManagers (a dead one is started again after env.restart_delay),
// injects the faults the local processes allow (kill, pause, broker
// restart), adds and removes TaskManagers, puts a network proxy between
// the job and the broker when asked, and can add a SASL_SSL listener with
// a generated certificate.
// harness registers FromSpec as the kind local (env.Register).
package local
