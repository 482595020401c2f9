package scenarios

import (
	"strings"
	"testing"
)

// job.jar, job.entry_class, job.args and job.sql: one kind of job, known
// placeholders, no knob only abload's job understands.
func TestCustomJobProblems(t *testing.T) {
	jar := "job:\n  jar: my.jar\n"
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"jar and sql", "job:\n  jar: my.jar\n  sql: my.sql\n", []string{"job.sql: job.jar and job.sql are exclusive"}},
		{"entry class without jar", "job:\n  entry_class: com.example.Main\n", []string{"job.entry_class: needs job.jar"}},
		{"args without jar", "job:\n  args: [--x]\n", []string{"job.args: needs job.jar"}},
		{"unknown placeholder", jar + "  args: [--in, \"{{topics.input}}\", --out, \"{{topics.output}}\"]\n",
			[]string{"job.args[3]: unknown placeholder(s) {{topics.output}}"}},
		{"unknown shipped sql", "job:\n  sql: \"sql:nope\"\n", []string{`job.sql: unknown shipped SQL job "sql:nope"`}},
		{"session windows in sql", "job:\n  sql: my.sql\n  window: {kind: session, gap: 5s}\n", []string{"job.window.kind: session windows are not expressed"}},
		{"A/B-only knobs", jar + "  cost_per_event: 10us\n  updates_sample: 4\n  skew_mitigation: {kind: salted}\n  stage_parallelism: {dedupe: 1}\n",
			[]string{"job.stage_parallelism: applies to abload's A/B job only", "job.skew_mitigation: applies to abload's A/B job only",
				"job.cost_per_event: applies to abload's A/B job only", "job.updates_sample: applies to abload's A/B job only"}},
		{"reactive", jar + "env:\n  scheduler: reactive\n", []string{"env.scheduler: reactive starts abload's A/B job"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(c.data), nil)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// A foreign job may emit neither output (abload then measures throughput,
// lag and checkpoints only); abload's own job must emit one.
func TestCustomJobOutputsAndPlaceholders(t *testing.T) {
	if _, err := Parse("t.yaml", []byte("job:\n  jar: my.jar\n  args: [\"{{kafka.bootstrap}}\", \"{{ topics.input }}\"]\n  outputs: {updates: false, windows: false}\n"), nil); err != nil {
		t.Errorf("a jar without outputs: %v", err)
	}
	if _, err := Parse("t.yaml", []byte("job:\n  outputs: {updates: false, windows: false}\n"), nil); err == nil {
		t.Error("abload's job without outputs: no error")
	}
	if _, err := Parse("t.yaml", []byte("job:\n  sql: \"sql:ab-job\"\n  window: {kind: sliding, size: 10s, slide: 5s}\n"), nil); err != nil {
		t.Errorf("the shipped SQL job with sliding windows: %v", err)
	}
	got, err := ExpandPlaceholders("a {{topics.input}} b {{ job.parallelism }} {{topics.input}}", map[string]string{"topics.input": "T", "job.parallelism": "4"})
	if err != nil || got != "a T b 4 T" {
		t.Errorf("expand: %q, %v", got, err)
	}
	if _, err := ExpandPlaceholders("{{nope}}", map[string]string{}); err == nil || !strings.Contains(err.Error(), "{{nope}}") {
		t.Errorf("expand unknown: %v", err)
	}
	if u := UnknownPlaceholders("{{kafka.bootstrap}} {{x.y}} {{x.y}} {{}}"); strings.Join(u, ",") != ",x.y" {
		t.Errorf("unknown placeholders %q", u)
	}
}
