// Package testcleanup stops what an end-to-end test process started when
// the process is interrupted.
//
// An interrupted `go test` (Ctrl-C, lanes.sh passing on a CI's cancel)
// runs no t.Cleanup and no TestMain epilogue. Most of what the tests start
// dies with them anyway (the JVMs of a local environment get a parent-death
// signal), but not what is meant to outlive its starter: a standing
// environment's detached JVMs (`abload env up`) and Docker containers (no
// reaper). A package's TestMain runs the tests through [Main] and ends with
// [Exit]; its helpers [Register] how to stop each such thing before they
// start it ([EnvUp] and [StandingEnv] for `abload env up --dir`). On SIGINT
// or SIGTERM the registered functions run, newest first, each within
// [Timeout], Register blocks (nothing new starts), and the process exits
// 130; a second signal exits at once.
package testcleanup
