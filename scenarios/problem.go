package scenarios

import (
	"strconv"
	"strings"
)

// Problem is one thing wrong with a scenario.
type Problem struct {
	// File is the scenario file name, or for an override the argument as
	// written ("--set workload.rate=-5").
	File string
	// Line is the 1-based line in File, 0 when unknown.
	Line int
	// Path is the dot path of the field ("workload.rate"), empty for
	// problems with the document as a whole.
	Path string
	Msg  string
}

// String formats p as "file:line: path: msg", leaving out empty parts.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError lists every problem found in a scenario.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// origin is where a value came from.
type origin struct {
	file string
	line int
}

// errOrNil returns a *ValidationError for ps, or a nil error (never a typed
// nil) when there are none.
func errOrNil(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}
