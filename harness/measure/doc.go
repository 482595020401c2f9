// Package measure turns what a run reads into figures. Its Collector takes
// every batch the sender hands to Kafka (as a load.Tally) and every output
// record the run's consumer reads, and keeps, under its own lock: the
// latency histograms by intended time (e2e, window, send and consumer
// delay), reconciliation by seq on the updates path and by count on the
// windows path (every window kind, settled windows folded away), the
// per-second timeline, the checkpoint overhead split, the output's runs
// and gaps for recovery timing, and a capacity step's judge window. It
// hands out what it measured as values (Figures, Judged, live.Values);
// nothing outside reaches its fields.
//
// Beside it is the arithmetic of the figures a run derives from Flink's
// numbers: checkpoint and lag summaries, per-subtask skew and the skew
// Flink's key-group assignment predicts, and the truth section that puts
// the generator's configured rates beside what was emitted and measured.
package measure
