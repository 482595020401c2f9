// Package monitor samples, once a second while a job runs, what Flink and
// the operating system know about it: per-vertex task metrics, the
// source's position in the input topic (every quarter second, stamped at
// the earliest time the value can have been taken), TaskManager GC, the
// checkpoint history and its parts, restarts, and the CPU and memory of
// every component. It reads through a Flink REST client and an
// env.ComponentLister given in its Config and tells the run what it
// learns through two hooks (each position poll, the checkpoints' spans);
// everything else is read back through its methods. It holds no pointer
// to the run.
package monitor
