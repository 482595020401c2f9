package scenarios

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateFields = flag.Bool("update", false, "rewrite docs/scenarios.md's field reference from Fields")

// fieldsDoc is the manual's page holding the scenario field reference.
const fieldsDoc = "../docs/scenarios.md"

// The manual's scenario field reference is generated from Fields; this
// test fails when the two drift apart (edit a field's doc and it fails
// until the page is regenerated).
func TestFieldReference(t *testing.T) {
	const begin, end = "<!-- fields:begin -->", "<!-- fields:end -->"
	data, err := os.ReadFile(fieldsDoc)
	if err != nil {
		t.Fatalf("read the field reference: %v", err)
	}
	page := string(data)
	i := strings.Index(page, begin)
	j := strings.Index(page, end)
	if i < 0 || j < 0 || j < i {
		t.Fatalf("%s: want the field table between the lines %q and %q", fieldsDoc, begin, end)
	}
	got := strings.TrimSpace(page[i+len(begin) : j])
	want := strings.TrimSpace(FieldsMarkdown())
	if *updateFields {
		page = page[:i+len(begin)] + "\n" + want + "\n" + page[j:]
		if err := os.WriteFile(fieldsDoc, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("%s's field table differs from scenarios.FieldsMarkdown(); regenerate it: "+
			"go test ./scenarios -run TestFieldReference -update (it replaces the text between %q and %q).\n--- page\n%s\n--- FieldsMarkdown\n%s",
			fieldsDoc, begin, end, got, want)
	}
}
