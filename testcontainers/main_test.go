package testcontainers

import (
	"testing"

	"github.com/abload/abload/internal/testcleanup"
)

// TestMain: interrupted, the process removes the containers of the
// environments its tests started and had not stopped (there is no reaper)
// and takes down the standing ones brought up with the binary
// (runAbload registers those).
func TestMain(m *testing.M) {
	testcleanup.Register("the Docker environments this test process started (if any)", RemoveLive)
	testcleanup.Exit(testcleanup.Main(m))
}
