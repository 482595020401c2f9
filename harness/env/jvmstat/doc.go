// Package jvmstat reads a HotSpot JVM's performance counters from its
// hsperfdata file (the shared-memory file `jstat` reads), without attaching
// to the JVM: the JIT compilers' accumulated time, which Flink and Kafka
// report nowhere, is how a run knows the JVMs under test have stopped
// warming up.
//
// A JVM writes /tmp/hsperfdata_<user>/<pid> unless started with
// -XX:-UsePerfData. From the host, a process's file is reached through
// /proc/<pid>/root, which also reaches into a container's filesystem, so
// the same reader serves local JVMs and Docker containers. The file's
// layout (a prologue, then entries of name, type and value) is HotSpot's
// PerfDataPrologue and PerfDataEntry; no maintained Go library reads it.
package jvmstat
