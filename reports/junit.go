package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// JUnit XML, the report format CI systems read: one test suite per run (or
// compared config), one test case for the run's validity and one per gate.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitSuite is one suite's input: a name, whether its numbers are valid
// (and why not), and its evaluated gates.
type JUnitSuite struct {
	Name           string
	Valid          bool
	InvalidReasons []string
	Gates          []Gate
	Seconds        float64
	Timestamp      string // RFC 3339
}

// SuiteForResult builds a run's JUnit suite.
func SuiteForResult(r *Result) JUnitSuite {
	s := JUnitSuite{Name: "abload." + scenarioName(r.Scenario), Valid: r.Valid, InvalidReasons: r.InvalidReasons, Gates: r.Gates, Timestamp: r.StartedAt}
	if n := len(r.Phases); n > 0 {
		s.Seconds = r.Phases[n-1].EndS
	}
	return s
}

// WriteJUnit writes the suites as JUnit XML.
func WriteJUnit(w io.Writer, suites []JUnitSuite) error {
	out := junitSuites{Name: "abload"}
	for _, s := range suites {
		js := junitSuite{Name: s.Name, Time: fmt.Sprintf("%.3f", s.Seconds), Timestamp: strings.TrimSuffix(s.Timestamp, "Z")}
		valid := junitCase{Name: "valid", Classname: s.Name, Time: "0"}
		if !s.Valid {
			valid.Failure = &junitFailure{Message: "the run is invalid: its numbers cannot be trusted", Type: "invalid",
				Text: strings.Join(s.InvalidReasons, "\n")}
		}
		js.Cases = append(js.Cases, valid)
		for _, g := range s.Gates {
			c := junitCase{Name: "gate: " + g.Expr, Classname: s.Name, Time: "0"}
			if !g.Pass {
				msg := "gate failed: " + g.Expr + " (value " + gateValue(g)
				if t := gateNoteText(g); t != "" {
					msg += ", " + t
				}
				msg += ")"
				c.Failure = &junitFailure{Message: msg, Type: "gate", Text: msg}
			}
			js.Cases = append(js.Cases, c)
		}
		for _, c := range js.Cases {
			js.Tests++
			if c.Failure != nil {
				js.Failures++
			}
		}
		out.Tests += js.Tests
		out.Failures += js.Failures
		out.Suites = append(out.Suites, js)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
