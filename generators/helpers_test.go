package generators

import (
	"flag"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and test vectors")

func mustNew(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}
