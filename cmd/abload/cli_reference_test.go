package main

import (
	"bytes"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"
)

var updateCLI = flag.Bool("update", false, "rewrite docs/cli.md's generated part from the commands' --help")

// cliDoc is the manual's CLI reference.
const cliDoc = "../../docs/cli.md"

// cliReference is the generated part of the CLI reference: abload's usage
// and every command's --help, as the commands print them.
func cliReference(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	var out bytes.Buffer
	usage(&out)
	b.WriteString("### `abload`\n\n```text\n" + out.String() + "```\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var stdout, stderr bytes.Buffer
		if code := commands[n].run([]string{"--help"}, &stdout, &stderr); code != exitOK {
			t.Errorf("abload %s --help: exit %d", n, code)
		}
		help := stderr.String() + stdout.String()
		if !strings.Contains(help, "Usage: abload "+n) {
			t.Errorf("abload %s --help prints no usage line:\n%s", n, help)
		}
		b.WriteString("\n### `abload " + n + "`\n\n```text\n" + help + "```\n")
	}
	return b.String()
}

// The CLI reference's generated part is every command's --help as the
// code prints it: change a flag's help and this fails until the page is
// regenerated (go test ./cmd/abload -run TestCLIReference -update).
func TestCLIReference(t *testing.T) {
	const begin, end = "<!-- cli:begin -->", "<!-- cli:end -->"
	data, err := os.ReadFile(cliDoc)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	i, j := strings.Index(page, begin), strings.Index(page, end)
	if i < 0 || j < i {
		t.Fatalf("%s: want the generated reference between %q and %q", cliDoc, begin, end)
	}
	want := cliReference(t)
	if *updateCLI {
		page = page[:i+len(begin)] + "\n" + want + page[j:]
		if err := os.WriteFile(cliDoc, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := page[i+len(begin)+1 : j]; got != want {
		t.Errorf("%s differs from the commands' --help; regenerate it: go test ./cmd/abload -run TestCLIReference -update", cliDoc)
	}
}
