package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed schema is what the Result type generates (run with -update
// to rewrite it after changing the type).
func TestResultSchemaUpToDate(t *testing.T) {
	want, err := GenerateResultSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(filepath.Join("schema", "result.schema.json"), want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(want, ResultSchemaJSON) {
		t.Error("schema/result.schema.json differs from the Result type: go test ./reports -run TestResultSchemaUpToDate -update")
	}
}

// Every result this package writes, and every recorded fixture, validates.
func TestResultsValidateAgainstSchema(t *testing.T) {
	var files []string
	for _, tc := range renderCases() {
		dir := t.TempDir()
		if err := WriteResult(dir, tc.r); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, ResultFile))
	}
	// (The compare fixtures hold only the fields compare reads: not checked.)
	files = append(files, filepath.Join("testdata", "html-fixture.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateResultJSON(b); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// And the schema has teeth: a result missing a required field, or with
	// a field of the wrong type, fails.
	b, _ := os.ReadFile(files[0])
	for _, bad := range []string{
		strings.Replace(string(b), `"valid"`, `"valid_not"`, 1),
		strings.Replace(string(b), `"status": "ok"`, `"status": 7`, 1),
	} {
		if ValidateResultJSON([]byte(bad)) == nil {
			t.Errorf("a broken result validated:\n%.300s", bad)
		}
	}
}
