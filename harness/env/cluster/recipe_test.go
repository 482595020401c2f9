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
// jar of its classpath newer than it, or the bundle moved since make cds.
func TestCDSStale(t *testing.T) {
	dir := t.TempDir()
	rt := &Runtime{Dir: dir, FlinkLib: filepath.Join(dir, "flink", "lib"), KafkaLib: filepath.Join(dir, "kafka", "lib")}
	for _, d := range []string{rt.FlinkLib, rt.KafkaLib, filepath.Join(dir, "cds")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	write := func(p string, at time.Time) {
		t.Helper()
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(rt.FlinkLib, "flink-dist.jar"), old)
	write(filepath.Join(rt.KafkaLib, "kafka.jar"), old)
	if why := rt.CDSStale("taskmanager"); why != "" {
		t.Errorf("no archive: %q, want nothing to say", why)
	}
	write(filepath.Join(dir, "cds", "taskmanager.jsa"), old.Add(time.Minute))
	write(filepath.Join(dir, "cds", "kafka.jsa"), old.Add(time.Minute))
	if why := rt.CDSStale("taskmanager"); why != "" {
		t.Errorf("fresh archive: stale %q", why)
	}
	write(filepath.Join(rt.FlinkLib, "flink-dist.jar"), old.Add(2*time.Minute))
	if why := rt.CDSStale("taskmanager"); !strings.Contains(why, "flink-dist.jar changed after the archive was built") {
		t.Errorf("a newer Flink jar: %q", why)
	}
	if why := rt.CDSStale("kafka"); why != "" {
		t.Errorf("the Kafka archive does not depend on Flink's jars: %q", why)
	}
	if err := os.WriteFile(filepath.Join(dir, "cds", "bundle-dir"), []byte("/elsewhere/runtime\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if why := rt.CDSStale("kafka"); !strings.Contains(why, "built for the bundle in /elsewhere/runtime") {
		t.Errorf("a moved bundle: %q", why)
	}
	t.Setenv(CDSEnv, "auto")
	if opts := CDSOpts(rt, "kafka"); len(opts) != 0 {
		t.Errorf("auto mode uses a stale archive: %v", opts)
	}
}
