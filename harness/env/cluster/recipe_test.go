package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A Flink version finds its line's recipe; a line abload has none for is
// an error that names the lines it has.
func TestRecipeFor(t *testing.T) {
	r, err := RecipeFor("2.2.1")
	if err != nil || r.Line != "2.2" || r.Base == nil || r.Cluster == nil {
		t.Fatalf("2.2.1: %+v, %v", r, err)
	}
	if got := r.Base("1g", "2g", 3)["taskmanager.numberOfTaskSlots"]; got != "3" {
		t.Errorf("2.2 base config: slots %q", got)
	}
	for _, v := range []string{"1.19.1", "3.0.0", "", "2"} {
		if _, err := RecipeFor(v); err == nil || !strings.Contains(err.Error(), "2.2") {
			t.Errorf("%q: %v, want an error naming 2.2", v, err)
		}
	}
	var none *Runtime
	if r, err := none.Recipe(); err != nil || r.Line != DefaultLine {
		t.Errorf("no bundle: %+v, %v", r, err)
	}
	rt := &Runtime{Versions: map[string]string{"flink.version": "1.20.0"}}
	if _, err := rt.Recipe(); err == nil {
		t.Error("a 1.20 bundle: no error")
	}
}

// A class-data sharing archive the JVM would silently ignore is stale: a
// jar of its classpath changed in size or time (newer or older: a copy
// that kept its time), or the bundle moved since the dump.
func TestCDSStale(t *testing.T) {
	dir := t.TempDir()
	rt := &Runtime{Dir: dir, FlinkLib: filepath.Join(dir, "flink", "lib"), KafkaLib: filepath.Join(dir, "kafka", "lib")}
	for _, d := range []string{rt.FlinkLib, rt.KafkaLib, filepath.Join(dir, "cds")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Add(-time.Hour)
	write := func(p, content string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	dist := filepath.Join(rt.FlinkLib, "flink-dist.jar")
	write(dist, "x", at)
	write(filepath.Join(rt.KafkaLib, "kafka.jar"), "k", at)
	if why := rt.CDSStale("taskmanager"); why != "" {
		t.Errorf("no archive: %q, want nothing to say", why)
	}
	t.Setenv(CDSEnv, "auto")
	for _, kind := range []string{"taskmanager", "kafka"} {
		write(filepath.Join(dir, "cds", kind+".jsa"), "a", at)
		if err := WriteCDSManifest(rt, filepath.Join(dir, "cds"), kind); err != nil {
			t.Fatal(err)
		}
	}
	if why := rt.CDSStale("taskmanager"); why != "" {
		t.Errorf("fresh archive: stale %q", why)
	}
	if opts := CDSOpts(rt, "taskmanager-1"); len(opts) != 1 || !strings.Contains(opts[0], "taskmanager.jsa") {
		t.Errorf("auto mode with a fresh archive: %v, want it mapped", opts)
	}
	write(dist, "y", at.Add(-time.Minute)) // same size, older: a copy that kept its time
	if why := rt.CDSStale("taskmanager"); !strings.Contains(why, "flink-dist.jar") {
		t.Errorf("a Flink jar with another time: %q", why)
	}
	if why := rt.CDSStale("kafka"); why != "" {
		t.Errorf("the Kafka archive does not depend on Flink's jars: %q", why)
	}
	if opts := CDSOpts(rt, "taskmanager-1"); len(opts) != 0 {
		t.Errorf("auto mode uses a stale archive: %v", opts)
	}
	write(dist, "longer", at) // the dumped time, another size
	if why := rt.CDSStale("taskmanager"); !strings.Contains(why, "flink-dist.jar") {
		t.Errorf("a Flink jar with another size: %q", why)
	}
	write(dist, "x", at)
	if why := rt.CDSStale("taskmanager"); why != "" {
		t.Errorf("the jar restored: stale %q", why)
	}
	// The bundle copied elsewhere: the archive's classpath is the old one.
	moved := &Runtime{Dir: t.TempDir()}
	moved.FlinkLib, moved.KafkaLib = filepath.Join(moved.Dir, "flink", "lib"), filepath.Join(moved.Dir, "kafka", "lib")
	if err := os.MkdirAll(filepath.Join(moved.Dir, "cds"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "cds", "kafka.manifest"))
	write(filepath.Join(moved.Dir, "cds", "kafka.manifest"), string(b), at)
	write(filepath.Join(moved.Dir, "cds", "kafka.jsa"), "a", at)
	if why := moved.CDSStale("kafka"); !strings.Contains(why, "built for the bundle in "+dir) {
		t.Errorf("a moved bundle: %q", why)
	}
}
