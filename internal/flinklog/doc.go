// Package flinklog reads what a Flink JobManager wrote in its log, for
// end-to-end tests that hold abload's timings against Flink's own record:
// when every task of a job ran again after a fault, by the JobManager's
// clock rather than by what abload saw through the REST API. It also
// stamps when a line of abload's own progress output was written, so the
// two can be put on one wall clock. Test support only; nothing in the
// abload binary imports it.
package flinklog
