package doccheck

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Link is a Markdown link found in a document.
type Link struct {
	Line   int
	Target string
}

var linkRE = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)

// idRE finds explicit anchors: <a id="name"></a>.
var idRE = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)

// Links are the inline links of a Markdown document outside fenced code
// blocks and inline code spans.
func Links(md string) []Link {
	var out []Link
	for _, l := range prose(md) {
		for _, m := range linkRE.FindAllStringSubmatch(stripCode(l.text), -1) {
			out = append(out, Link{Line: l.n, Target: m[1]})
		}
	}
	return out
}

// line is a numbered line of a document.
type line struct {
	n    int
	text string
}

// prose are a Markdown document's lines outside fenced code blocks.
func prose(md string) []line {
	var out []line
	fence := false
	for i, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			continue
		}
		if !fence {
			out = append(out, line{i + 1, l})
		}
	}
	return out
}

// stripCode blanks inline code spans (`...`), whose brackets are not links.
func stripCode(l string) string {
	var b strings.Builder
	in := false
	for _, r := range l {
		if r == '`' {
			in = !in
			b.WriteRune(r)
			continue
		}
		if in {
			b.WriteRune(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Anchors are the fragment names of a Markdown document: its headings', as
// GitHub makes them (lower case, punctuation other than '-' and '_'
// dropped, spaces as '-', a repeated name suffixed -1, -2, ...), and
// explicit <a id="name"> anchors.
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	for _, pl := range prose(md) {
		l := pl.text
		for _, m := range idRE.FindAllStringSubmatch(l, -1) {
			out[m[1]] = true
		}
		if !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimLeft(l, "#")
		if len(h) == len(l) || len(l)-len(h) > 6 || !strings.HasPrefix(h, " ") {
			continue
		}
		s := Slug(h)
		n := seen[s]
		seen[s] = n + 1
		if n > 0 {
			s += "-" + strconv.Itoa(n)
		}
		out[s] = true
	}
	return out
}

// Slug is a heading's anchor name.
func Slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
