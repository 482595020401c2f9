package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/abload/abload/internal/testcleanup"
)

// The package's standing environment (abload env up with the quick
// scenario's env section): the end-to-end tests whose claims don't depend
// on a cold start run on it with --env-file, instead of paying a start-up
// each. The first test that asks starts it; TestZZSharedEnvironmentGoesDown
// (the last test) stops it and checks that nothing is left, and TestMain
// stops it when that test did not run.
var shared struct {
	once sync.Once
	dir  string
	err  error
	down bool
}

// sharedEnv is the standing environment's env file, started on first use.
func sharedEnv(t *testing.T) string {
	t.Helper()
	needCluster(t)
	if shared.down {
		// Stopped by TestZZSharedEnvironmentGoesDown (-count, -shuffle):
		// start it again for whoever asks.
		shared.once, shared.down, shared.err = sync.Once{}, false, nil
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "abload-test-env-")
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = filepath.Join(dir, "env")
		// Interrupted, after env down (newest first): the directory, once
		// down has removed the environment's record from it.
		envDir := shared.dir
		testcleanup.Register("the directory "+dir, func(context.Context) error {
			if _, err := os.Stat(filepath.Join(envDir, "env.json")); err == nil {
				return errors.New("kept: the environment is still recorded in it")
			}
			return os.RemoveAll(dir)
		})
		stdout, stderr, code := abload(t, "env", "up", quick, "--dir", shared.dir)
		if code != 0 {
			shared.err = fmt.Errorf("abload env up: exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return filepath.Join(shared.dir, "env.json")
}

// downSharedEnv stops the shared environment if it is still up.
func downSharedEnv() error {
	if shared.dir == "" || shared.down {
		return nil
	}
	shared.down = true
	out, err := exec.Command(bin, "env", "down", "--dir", shared.dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("abload env down: %v\n%s", err, out)
	}
	if left := jvmsOf(shared.dir); len(left) > 0 {
		return errors.New("JVMs left after env down:\n" + strings.Join(left, "\n"))
	}
	return os.RemoveAll(filepath.Dir(shared.dir))
}

// assertSharedEnvAsFound checks that the runs a test made on the shared
// standing environment left it as env up made it: healthy, no topics, no
// job running, every slot free, not held.
func assertSharedEnvAsFound(t *testing.T) {
	t.Helper()
	s, code := statusOf(t, filepath.Dir(sharedEnv(t)))
	if code != 0 || !s.Up || len(s.Topics) != 0 || s.JobsRunning != 0 || s.SlotsAvailable != s.State.TaskManagers*s.State.Slots || s.InUseBy != "" {
		t.Errorf("the shared environment after the test's runs: exit %d %+v, want healthy, no topics, no jobs, every slot free", code, s)
	}
}
