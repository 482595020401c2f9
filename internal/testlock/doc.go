// Package testlock lets the end-to-end tests of several test processes run
// at the same time on one machine without spoiling the tests whose claims
// are timing truths.
//
// `make test` runs the Go tests with lanes.sh: first the tests that call
// [Alone] (found in the source: it is their first statement), one after
// another with nothing else running, then every other test in four lanes:
// four `go test` processes at once, each with its own clusters. Those tests
// claim counts, reconciliation, files, exit codes or latencies with wide
// margins, and run beside the other lanes' tests ([Shared]). A test whose
// claim needs the machine's CPU to itself — a capacity ceiling, a
// configured cost per event, a latency difference of a few tens of
// milliseconds — runs [Alone]: it holds the lock exclusively, so it also
// waits for (and keeps out) any other process's end-to-end test, and then
// waits until the machine's CPU is quiet.
//
// The lock is a pair of flock(2) files in the temporary directory, so it
// also keeps two `make test` runs on one machine from measuring each other.
// A process that dies releases its locks.
package testlock
