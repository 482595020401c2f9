package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestJUnitValidates(t *testing.T) {
	ok := sampleResult()
	ok.Gates = []Gate{{Expr: "e2e.p99 < 500ms", Value: 45.67, Pass: true}}
	bad := sampleResult()
	bad.MarkInvalid("generator fell behind its schedule & <worse>")
	lim := 44.0
	bad.Gates = []Gate{{Expr: "e2e.p99 <= baseline * 1.10", Value: 45.67, Limit: &lim}, {Expr: "checkpoints.duration_ms.p99 < 1s", Error: "metric not in the result"}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, []JUnitSuite{SuiteForResult(ok), SuiteForResult(bad)}); err != nil {
		t.Fatal(err)
	}
	// Well-formed, and the counts add up.
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, b.String())
	}
	if doc.Tests != 5 || doc.Failures != 3 || len(doc.Suites) != 2 || doc.Suites[1].Failures != 3 {
		t.Errorf("counts: %+v", doc)
	}
	if !strings.Contains(b.String(), "limit 44") || !strings.Contains(b.String(), "&lt;worse&gt;") {
		t.Errorf("failure details missing or unescaped:\n%s", b.String())
	}
	// Valid against the JUnit schema CI systems read.
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install Debian's libxml2-utils package (the CI setup does)")
	}
	f := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s\n%s", err, out, b.String())
	}
}
