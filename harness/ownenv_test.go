package harness

import (
	"context"
	"testing"
	"time"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/local"
)

// ownEnv is the one way a test or benchmark of this package starts a local
// environment of its own (not the package's shared one): cfg with its zero
// fields filled (the runtime bundle found as runs find it, temporary log
// and work directories, progress logged to tb, a 3-minute start-up bound),
// started, and stopped when tb ends. A start that fails ends tb.
func ownEnv(tb testing.TB, cfg local.Config) (*local.Env, *env.Endpoints) {
	tb.Helper()
	if cfg.Runtime == nil {
		rt, err := cluster.FindRuntime("")
		if err != nil {
			tb.Fatal(err)
		}
		cfg.Runtime = rt
	}
	if cfg.LogDir == "" {
		cfg.LogDir = tb.TempDir()
	}
	if cfg.WorkDir == "" {
		cfg.WorkDir = tb.TempDir()
	}
	if cfg.Logf == nil {
		cfg.Logf = tb.Logf
	}
	if cfg.StartupTimeout == 0 {
		cfg.StartupTimeout = 3 * time.Minute
	}
	e := local.New(cfg)
	tb.Cleanup(func() { _ = e.Stop(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), cfg.StartupTimeout+time.Minute)
	defer cancel()
	ep, err := e.Start(ctx)
	if err != nil {
		tb.Fatalf("start the local environment: %v (logs in %s)", err, cfg.LogDir)
	}
	return e, ep
}
