// Package proc starts and stops the child processes abload runs on this
// host (the local environment's JVMs, helper commands), each in its own
// process group and dying with abload, optionally on a CPU list (env.pin:
// through taskset or the forking thread's affinity), and pins abload's
// own threads (env.pin.harness). Every child is forked from one thread
// that lives as long as abload (the spawner): Linux sends the
// parent-death signal when the forking thread ends. That thread and the
// harness's pinning are process-wide facts, so they are kept here once.
package proc
