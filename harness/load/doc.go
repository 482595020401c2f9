// Package load is the load a run offers: the scenario's workload as a
// generator and an open-loop schedule (GeneratorConfig, Schedule,
// NewGenerator), and the Sender that puts it on Kafka, one goroutine per
// lane, each event keeping its intended time however late it goes out. It
// reports to a Tally (the run's collector): every acknowledged record and
// every batch handed to the client with its per-window and per-variant
// tallies and send delays. Worker is the seam between a run and whatever
// offers its load: LocalWorker is the Sender in this process; a worker on
// another machine would report the same values. WindowAssigner says which
// windows an event belongs to, for the tallies and for the collector's
// reconciliation.
package load
