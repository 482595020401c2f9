package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/abload/abload/scenarios"
)

// writeKeys writes a keys file with the given lines and enough filler keys
// to be taken for a Flink version's.
func writeKeys(t *testing.T, lines ...string) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		lines = append(lines, fmt.Sprintf("filler.key-%d", i))
	}
	p := filepath.Join(t.TempDir(), KeysFile)
	if err := os.WriteFile(p, []byte("# comment\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// A key is known as an option's key, a fallback or deprecated key, or a
// metric reporter's option; anything else is refused with every unknown
// key, who wrote it, the version and the replacement the version knows.
func TestKeysCheck(t *testing.T) {
	p := writeKeys(t, "taskmanager.load-balance.mode", "heartbeat.timeout", "factory.class\tsuffix\tmetrics.reporter.<name>", "interval\tsuffix\tmetrics.reporter.<name>",
		"state.backend.type", "state.backend\tdeprecated\tstate.backend.type", "old.fallback\tfallback\theartbeat.timeout")
	k, err := ReadKeys(p, "9.9.9")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"heartbeat.timeout", "state.backend", "old.fallback", "metrics.reporter.prom.factory.class", "metrics.reporter.x.port",
		"metrics.reporter.x.interval", "s3.access-key", "flink.hadoop.dfs.replication"} {
		if !k.Known(key) {
			t.Errorf("%s: not known", key)
		}
	}
	// A reporter's option is no key of its own, and a key of its own is no
	// reporter's option.
	for _, key := range []string{"heartbeat.timeout2", "metrics.reporter.prom.nope", "metrics.reporter.prom", "cluster.evenly-spread-out-slots", "",
		"interval", "factory.class", "metrics.reporter.prom.heartbeat.timeout", "s3."} {
		if k.Known(key) {
			t.Errorf("%q: known", key)
		}
	}
	if err := k.Check("the test's config", map[string]string{"heartbeat.timeout": "1", "state.backend": "hashmap"}); err != nil {
		t.Errorf("known keys: %v", err)
	}
	err = k.Check("the test's config", map[string]string{"heartbeat.timeout": "1", "cluster.evenly-spread-out-slots": "true", "zz.unknown": "x",
		"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling": "1 s"})
	if err == nil {
		t.Fatal("unknown keys: no error")
	}
	msg := err.Error()
	for _, want := range []string{"the test's config", "Flink 9.9.9", `"cluster.evenly-spread-out-slots" (use taskmanager.load-balance.mode: SLOTS)`, `"zz.unknown"`,
		`"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	// A replacement the version does not know is no hint.
	if strings.Contains(msg, "scaling-interval") {
		t.Errorf("error %q hints at a key this version does not know", msg)
	}
	// Not a keys file.
	bad := filepath.Join(t.TempDir(), "bad.txt")
	_ = os.WriteFile(bad, []byte("a\tb\n"), 0o644)
	if _, err := ReadKeys(bad, "1"); err == nil || !strings.Contains(err.Error(), "bad.txt:1") {
		t.Errorf("a malformed line: %v", err)
	}
	_ = os.WriteFile(bad, []byte("a\n"), 0o644)
	if _, err := ReadKeys(bad, "1"); err == nil {
		t.Error("one key: no error")
	}
	if _, err := (&Runtime{Dir: t.TempDir()}).FlinkKeys(); err == nil || !strings.Contains(err.Error(), "make runtime") {
		t.Errorf("a bundle without the keys: %v", err)
	}
}

// Every key each line's recipe writes, for every scheduler, is one that
// line's bundle knows (its keys, extracted at make runtime); the key Flink
// 2 dropped is refused on 2.2 with its replacement.
func TestRecipeKeysKnownToTheBundle(t *testing.T) {
	for _, line := range scenarios.FlinkLines {
		rt, err := FindRuntimeFor("", line)
		if err != nil {
			t.Fatalf("the runtime bundle of Flink %s (make runtimes): %v", line, err)
		}
		keys, err := rt.FlinkKeys()
		if err != nil {
			t.Fatal(err)
		}
		rec, err := rt.Recipe()
		if err != nil || rec.Line != line {
			t.Fatalf("line %s: recipe %q, %v", line, rec.Line, err)
		}
		for _, sched := range []string{scenarios.SchedulerDefault, scenarios.SchedulerAdaptive, scenarios.SchedulerReactive} {
			e := scenarios.Defaults().Env
			e.Scheduler = sched
			e.NetworkMemory = "64m"
			conf := rec.Base("1g", "1g", 2)
			for k, v := range rec.Cluster(e) {
				conf[k] = v
			}
			if err := keys.Check("recipe "+rec.Line, conf); err != nil {
				t.Errorf("Flink %s, scheduler %s: %v", line, sched, err)
			}
		}
		if line == "2.2" {
			err = keys.Check("a scenario", map[string]string{"cluster.evenly-spread-out-slots": "true"})
			if err == nil || !strings.Contains(err.Error(), "taskmanager.load-balance.mode") || !strings.Contains(err.Error(), rt.FlinkVersion()) {
				t.Errorf("the dropped key: %v", err)
			}
		}
		// The metric reporter abload configures: its options are suffix options.
		if !keys.Known("metrics.reporter.prom.factory.class") || keys.Known("factory.class") {
			t.Errorf("Flink %s: metrics.reporter.prom.factory.class known %v, factory.class known %v: want the reporter option only under its prefix",
				line, keys.Known("metrics.reporter.prom.factory.class"), keys.Known("factory.class"))
		}
	}
}

// A defaults file reads back with its escapes undone; a line without a tab
// is an error naming the file and line; too few entries are no version's.
func TestReadDefaults(t *testing.T) {
	lines := []string{"# comment", `a.key` + "\t" + `100 ms`, `b.key` + "\t" + `x\ty\\n\nz`, "empty.key\t"}
	for i := 0; i < 100; i++ {
		lines = append(lines, fmt.Sprintf("filler.key-%d\t%d", i, i))
	}
	p := filepath.Join(t.TempDir(), DefaultsFile)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := ReadDefaults(p)
	if err != nil {
		t.Fatal(err)
	}
	if d["a.key"] != "100 ms" || d["b.key"] != "x\ty\\n\nz" || d["empty.key"] != "" || len(d) != 103 {
		t.Errorf("defaults: a %q, b %q, empty %q, %d entries", d["a.key"], d["b.key"], d["empty.key"], len(d))
	}
	bad := filepath.Join(t.TempDir(), DefaultsFile)
	if err := os.WriteFile(bad, []byte("# c\nno-tab-here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDefaults(bad); err == nil || !strings.Contains(err.Error(), bad+":2:") {
		t.Errorf("a line without a tab: %v", err)
	}
	short := filepath.Join(t.TempDir(), DefaultsFile)
	if err := os.WriteFile(short, []byte("a\t1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDefaults(short); err == nil || !strings.Contains(err.Error(), "only 1 defaults") {
		t.Errorf("one entry: %v", err)
	}
}

// Each line's bundle lists its Flink's defaults (ConfigKeys at make
// runtime), as Flink writes them: a slot per TaskManager, a 100 ms buffer
// timeout.
func TestBundleDefaults(t *testing.T) {
	for _, line := range scenarios.FlinkLines {
		rt, err := FindRuntimeFor("", line)
		if err != nil {
			t.Fatalf("the runtime bundle of Flink %s (make runtimes): %v", line, err)
		}
		d, err := rt.FlinkDefaults()
		if err != nil || d == nil {
			t.Fatalf("Flink %s: defaults %v, %v (rebuild the bundle: make runtime)", line, d != nil, err)
		}
		if len(d) < 300 || d["taskmanager.numberOfTaskSlots"] != "1" || d["execution.buffer-timeout.interval"] != "100 ms" {
			t.Errorf("Flink %s: %d defaults; numberOfTaskSlots %q, execution.buffer-timeout.interval %q", line, len(d),
				d["taskmanager.numberOfTaskSlots"], d["execution.buffer-timeout.interval"])
		}
	}
}
