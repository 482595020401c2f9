// Package external is env.kind external: a Kafka and a Flink cluster
// abload does not run (a staging cluster, production's twin). It reads the
// credentials env.external names (environment variables, files) into the
// run's secrets, builds abload's TLS/SASL clients and the job's Kafka
// properties from them, and checks at Start that both clusters answer with
// them (an authentication failure is an AuthError). Stop leaves the
// clusters alone. harness registers FromSpec as the kind external.
package external
