package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// root is the repository root, from this package's directory.
const root = "../.."

// docs are the documents whose links are checked: the front door, the
// engineer's document and the manual.
func docs(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	return append([]string{filepath.Join(root, "README.md"), filepath.Join(root, "DESIGN.md")}, pages...)
}

// Every relative link in README.md, DESIGN.md and docs/ names a file that
// exists, and every #fragment a heading of the file it points into.
func TestLinksResolve(t *testing.T) {
	anchors := map[string]map[string]bool{}
	anchorsOf := func(path string) map[string]bool {
		if a, ok := anchors[path]; ok {
			return a
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		anchors[path] = Anchors(string(b))
		return anchors[path]
	}
	checked := 0
	for _, doc := range docs(t) {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range Links(string(b)) {
			if regexp.MustCompile(`^[a-z][a-z0-9+.-]*:`).MatchString(l.Target) {
				continue // http:, https:, mailto:
			}
			path, frag, _ := strings.Cut(l.Target, "#")
			target := doc
			if path != "" {
				target = filepath.Join(filepath.Dir(doc), path)
			}
			rel, _ := filepath.Rel(root, doc)
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s:%d: link %q: no such file", rel, l.Line, l.Target)
				continue
			}
			checked++
			if frag == "" {
				continue
			}
			if !strings.HasSuffix(target, ".md") {
				continue // a line anchor into code, e.g. #L10
			}
			if !anchorsOf(target)[frag] {
				t.Errorf("%s:%d: link %q: %s has no heading #%s", rel, l.Line, l.Target, filepath.Base(target), frag)
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d links checked: is the link syntax still recognised?", checked)
	}
}

// Every docs page names the example scenario that shows what it describes,
// and every example scenario is named by a page.
func TestEveryPageNamesAnExampleAndEveryExampleAPage(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join(root, "scenarios", "*.yaml"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no example scenarios: %v", err)
	}
	named := map[string][]string{}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range examples {
			if strings.Contains(string(b), "scenarios/"+filepath.Base(e)) {
				named[filepath.Base(e)] = append(named[filepath.Base(e)], filepath.Base(p))
				n++
			}
		}
		if n == 0 {
			t.Errorf("docs/%s names no example scenario (scenarios/*.yaml)", filepath.Base(p))
		}
	}
	var missing []string
	for _, e := range examples {
		if len(named[filepath.Base(e)]) == 0 {
			missing = append(missing, filepath.Base(e))
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("example scenarios no docs page names: %s", strings.Join(missing, ", "))
	}
}

// The link checker itself: a broken link and a broken anchor are found,
// links in code are not links, and anchors follow GitHub's rules.
func TestCheckerFindsWhatIsBroken(t *testing.T) {
	md := "# A `b`: c/d\n## Repeat\n## Repeat\n```\n[x](nowhere.md)\n```\nSee [y](#a-b-cd) and `[z](no.md)` and [w](#repeat-1).\n"
	a := Anchors(md)
	for _, want := range []string{"a-b-cd", "repeat", "repeat-1"} {
		if !a[want] {
			t.Errorf("anchor %q missing from %v", want, a)
		}
	}
	ls := Links(md)
	if len(ls) != 2 || ls[0].Target != "#a-b-cd" || ls[1].Target != "#repeat-1" {
		t.Errorf("links %+v, want the two outside code", ls)
	}
}

// README.md is the front door: at most 250 lines, and it links every page
// of the manual.
func TestREADMELinksEveryPage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n > 250 {
		t.Errorf("README.md has %d lines, want at most 250: the manual is docs/", n)
	}
	linked := map[string]bool{}
	for _, l := range Links(string(b)) {
		path, _, _ := strings.Cut(l.Target, "#")
		linked[filepath.Clean(path)] = true
	}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	for _, p := range pages {
		if rel := filepath.Join("docs", filepath.Base(p)); !linked[rel] {
			t.Errorf("README.md does not link %s", rel)
		}
	}
}
