// Package testcleanup stops what an end-to-end test process started when
// the process is interrupted.
//
// An interrupted `go test` (Ctrl-C, lanes.sh passing on a CI's cancel)
// runs no t.Cleanup and no TestMain epilogue. Most of what the tests start
// dies with them anyway (the JVMs of a local environment get a parent-death
// signal), but not what is meant to outlive its starter: a standing
// environment's detached JVMs (`abload env up`) and Docker containers (no
// reaper). A package's TestMain calls [Main]; its helpers [Register] how to
// stop each such thing as they start it. On SIGINT or SIGTERM the
// registered functions run, newest first, and the process exits 130.
package testcleanup
