package scenarios

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "rewrite README.md's scenario field table from Fields")

// The README's scenario field table is generated from Fields; this test
// fails when the two drift apart.
func TestREADMEFieldTable(t *testing.T) {
	const begin, end = "<!-- fields:begin -->", "<!-- fields:end -->"
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	readme := string(data)
	i := strings.Index(readme, begin)
	j := strings.Index(readme, end)
	if i < 0 || j < 0 || j < i {
		t.Fatalf("README.md: want the field table between the lines %q and %q", begin, end)
	}
	got := strings.TrimSpace(readme[i+len(begin) : j])
	want := strings.TrimSpace(FieldsMarkdown())
	if *updateREADME {
		readme = readme[:i+len(begin)] + "\n" + want + "\n" + readme[j:]
		if err := os.WriteFile("../README.md", []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got != want {
		t.Errorf("README.md's field table differs from scenarios.FieldsMarkdown(); regenerate it: "+
			"go test ./scenarios -run TestREADMEFieldTable -update-readme (it replaces the text between %q and %q).\n--- README\n%s\n--- FieldsMarkdown\n%s",
			begin, end, got, want)
	}
}
