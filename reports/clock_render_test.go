package reports

import (
	"bytes"
	"strings"
	"testing"
)

// The broker clock check shows in the summary and report.md, its verdict
// included; a check that could not be made says why.
func TestClockCheckRendered(t *testing.T) {
	r := &Result{Valid: false, Clock: &ClockCheck{OffsetMs: -400.7, UncertaintyMs: 1.5, Probes: 12, BoundMs: 100, Within: false}}
	var sum, md bytes.Buffer
	WriteSummary(&sum, r)
	WriteMarkdown(&md, r)
	want := "-400.7 ms ± 1.5 ms off this host's clock (BEYOND the 100 ms bound; 12 probes)"
	for name, out := range map[string]string{"summary": sum.String(), "markdown": md.String()} {
		if !strings.Contains(out, "broker clock") || !strings.Contains(out, want) {
			t.Errorf("%s lacks the clock line %q:\n%s", name, want, out)
		}
	}
	if got := clockText(&ClockCheck{Error: "no probe came back"}); got != "not checked: no probe came back" {
		t.Errorf("clockText = %q", got)
	}
	if clockText(nil) != "" {
		t.Error("no check: want no line")
	}
}
