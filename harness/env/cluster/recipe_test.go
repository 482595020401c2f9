package cluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/scenarios"
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
	for _, v := range []string{"1.19.1", "3.0.0", "", "2", "2.4.0"} {
		if _, err := RecipeFor(v); err == nil || !strings.Contains(err.Error(), "1.20, 2.2, 2.3") {
			t.Errorf("%q: %v, want an error naming 1.20, 2.2, 2.3", v, err)
		}
	}
	if r23, err := RecipeFor("2.3.0"); err != nil || r23.Line != "2.3" {
		t.Errorf("2.3.0: %+v, %v", r23, err)
	}
	var none *Runtime
	if r, err := none.Recipe(); err != nil || r.Line != DefaultLine {
		t.Errorf("no bundle: %+v, %v", r, err)
	}
	// 1.20: 2.2's settings under the keys 1.20 reads.
	rt := &Runtime{Versions: map[string]string{"flink.version": "1.20.0"}}
	r120, err := rt.Recipe()
	if err != nil || r120.Line != "1.20" {
		t.Fatalf("a 1.20 bundle: %+v, %v", r120, err)
	}
	e := scenarios.Defaults().Env
	e.Scheduler, e.RescaleCooldown = scenarios.SchedulerAdaptive, scenarios.Duration{Duration: 2 * time.Second}
	c120, c22 := r120.Cluster(e), r.Cluster(e)
	for from, to := range flink120Keys {
		if _, ok := c120[from]; ok {
			t.Errorf("1.20 cluster config has 2.x's %s", from)
		}
		if c120[to] != c22[from] || c120[to] != "2000 ms" {
			t.Errorf("1.20 %s = %q, want 2.2's %s (%q)", to, c120[to], from, c22[from])
		}
	}
	if b := r120.Base("1g", "1g", 1); b["jobmanager.adaptive-scheduler.resource-stabilization-timeout"] != "1000 ms" || len(b) != len(r.Base("1g", "1g", 1)) {
		t.Errorf("1.20 base config %v: want 2.2's", b)
	}
	// Every line abload runs has a recipe, and no other.
	if len(recipes) != len(scenarios.FlinkLines) {
		t.Errorf("recipes for %d lines, scenarios.FlinkLines has %d", len(recipes), len(scenarios.FlinkLines))
	}
	for _, l := range scenarios.FlinkLines {
		if _, ok := recipes[l]; !ok {
			t.Errorf("line %s: no recipe", l)
		}
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

// fakeBundle lays out the files loadRuntime wants, of Flink version v.
func fakeBundle(t *testing.T, dir, v string) string {
	t.Helper()
	for _, d := range []string{"flink/lib", "kafka/lib", "jobs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for f, body := range map[string]string{"jobs/ab-job.jar": "", "versions.properties": "flink.version=" + v + "\nkafka.version=4.1.1\n"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A line's bundle is found by its name (build/runtime for the default
// line, build/runtime-<line> for another), $ABLOAD_RUNTIME only when it
// holds the line, and --runtime only when it holds it; a missing line
// names the command that builds it.
func TestFindRuntimeFor(t *testing.T) {
	root := t.TempDir()
	def := fakeBundle(t, filepath.Join(root, "build", "runtime"), "2.2.1")
	lts := fakeBundle(t, filepath.Join(root, "build", "runtime-1.20"), "1.20.0")
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	t.Setenv("ABLOAD_RUNTIME", def)
	if r, err := FindRuntimeFor("", "1.20"); err != nil || r.Dir != lts {
		t.Errorf("1.20: %v, %v; want %s ($ABLOAD_RUNTIME holds 2.2: passed over)", r, err, lts)
	}
	if r, err := FindRuntimeFor("", "2.2"); err != nil || r.Dir != def {
		t.Errorf("2.2: %v, %v; want %s", r, err, def)
	}
	if r, err := FindRuntime(""); err != nil || r.Dir != def {
		t.Errorf("default: %v, %v; want %s", r, err, def)
	}
	if _, err := FindRuntimeFor(lts, "2.2"); err == nil || !strings.Contains(err.Error(), "holds Flink 1.20.0, not 2.2") || !strings.Contains(err.Error(), "build/runtime;") {
		t.Errorf("--runtime of another line: %v", err)
	}
	if err := os.RemoveAll(lts); err != nil {
		t.Fatal(err)
	}
	if _, err := FindRuntimeFor("", "1.20"); err == nil || !strings.Contains(err.Error(), "make runtime FLINK=1.20") {
		t.Errorf("no 1.20 bundle: %v", err)
	}
}
