package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/scenarios"
)

// job.state_backend forst on a bundle without ForSt (the 1.20 line's) is
// refused before anything starts, naming the field and the bundle; with
// the module in the bundle's lib it passes on to the key check.
func TestForStNeedsItsModuleInTheBundle(t *testing.T) {
	dir := t.TempDir()
	rt := &cluster.Runtime{Dir: dir, FlinkLib: filepath.Join(dir, "flink", "lib"), Versions: map[string]string{"flink.version": "1.20.0"}}
	if err := os.MkdirAll(rt.FlinkLib, 0o755); err != nil {
		t.Fatal(err)
	}
	sc := scenarios.Defaults()
	sc.Job.StateBackend = scenarios.StateBackendForSt
	err := CheckFlinkKeys(sc, rt)
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "job.state_backend forst") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("forst without the module: %v, want an input error naming job.state_backend and the bundle", err)
	}
	if err := os.WriteFile(filepath.Join(rt.FlinkLib, "flink-statebackend-forst-2.2.0.jar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if !rt.HasForSt() {
		t.Fatal("HasForSt: false with the module in lib")
	}
	// On to the key check, which needs the bundle's keys list (none here).
	if err := CheckFlinkKeys(sc, rt); err == nil || strings.Contains(err.Error(), "job.state_backend forst") || !strings.Contains(err.Error(), "flink-keys.txt") {
		t.Errorf("forst with the module: %v, want the key check's error about the missing keys list (flink-keys.txt)", err)
	}
	// A 2.x bundle without the module was built before ForSt: build it again.
	os.Remove(filepath.Join(rt.FlinkLib, "flink-statebackend-forst-2.2.0.jar"))
	rt.Versions["flink.version"] = "2.2.1"
	if err := CheckFlinkKeys(sc, rt); err == nil || !strings.Contains(err.Error(), "make runtime") {
		t.Errorf("forst on a 2.2 bundle without the module: %v, want the command that builds it again", err)
	}
}
