// Package warmup decides when a run's warmup may end (workload.warmup:
// auto): once a second it is told the e2e p99 of the second and the JIT
// compile time of each JVM on the data path (the TaskManagers and the
// broker), and says whether both have settled. The run then announces the
// measurement phase's first event to every lane and starts measuring there.
//
// Settled means, over the last Window seconds: every watched JVM's JIT
// compilers busy at most MaxJITPct of a core on average, and the median of
// the per-second p99 within P99Tolerance (or P99SlackMs) of the median over
// the Window before. Without a JIT reading (an external cluster) latency is
// judged alone, and the decision says so.
package warmup
