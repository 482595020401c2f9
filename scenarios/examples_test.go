package scenarios

import (
	"path/filepath"
	"testing"
)

// Every scenario shipped in this folder loads and validates (all its matrix points included).
func TestShippedScenariosValidate(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d scenario files, want the shipped examples", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			sc, err := Load(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Points()) == 0 {
				t.Fatal("no points")
			}
		})
	}
}
