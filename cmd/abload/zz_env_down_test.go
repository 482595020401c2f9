package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The last test of the package (files run in name order): env down stops
// the shared standing environment (TestStandingEnvironment used it, and
// the tests that run with --env-file), leaves no JVM and no env.json, and
// status then says nothing is up (exit 1).
func TestZZSharedEnvironmentGoesDown(t *testing.T) {
	file := sharedEnv(t) // started here when the tests that use it did not run
	dir := filepath.Dir(file)
	stdout, stderr, code := abload(t, "env", "down", "--dir", dir)
	if code != 0 || !strings.Contains(stdout, "stopped") {
		t.Fatalf("env down: exit %d\n%s\n%s", code, stdout, stderr)
	}
	shared.down = true
	assertNoJVMs(t, dir)
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("env.json left after env down: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "work")); !os.IsNotExist(err) {
		t.Errorf("scratch data left after env down: %v", err)
	}
	if s, code := statusOf(t, dir); code != 1 || s.Up {
		t.Errorf("status after env down: exit %d %+v", code, s)
	}
	_ = os.RemoveAll(filepath.Dir(dir))
}
