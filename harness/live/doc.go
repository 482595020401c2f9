// Package live is what a run shows while it goes on: the terminal (a
// Console that serialises phase lines, log lines and the status block,
// redrawn in place on a TTY and logged every 10 s otherwise), the run's
// live State set by its ticker once a second, and the Prometheus endpoint
// that reads a Source at scrape time (with abload's own pprof profiles),
// plus the files that tell a Prometheus server where to scrape. The
// Grafana dashboard and a scrape configuration are in harness/monitoring/.
package live
