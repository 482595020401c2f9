// Package golden checks generated test vectors against files kept in the
// repository (and read by the Java tests too): the JSON a test builds must
// equal the file, byte for byte; with update set (a test's -update flag)
// the file is rewritten first.
package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// JSON encodes v as indented JSON (no HTML escaping), compares it with the
// file at path (rewriting the file first when update is set) and returns
// the file's bytes for the test to read back.
func JSON(t testing.TB, path string, v any, update bool) []byte {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	if update {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is stale (run with -update if the change is deliberate; the Java tests read it too)", path)
	}
	return got
}
