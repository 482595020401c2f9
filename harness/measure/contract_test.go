package measure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/scenarios"
)

// The output contract: records without a required field are told apart
// from zeros, counted per problem with their first example, and not
// measured; a conforming record with seq 0 is measured.
func TestOutputContractBreaches(t *testing.T) {
	c := New(64, load.WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10})
	c.onUpdate([]byte(`{"intended_ns":5}`), 10, 10, true)
	c.onUpdate([]byte(`{"intended_ns":6}`), 10, 10, true)
	c.onUpdate([]byte(`{"seq":1}`), 10, 10, true)
	c.onUpdate([]byte(`not json`), 10, 10, true)
	c.onUpdate([]byte(`{"seq":0,"intended_ns":0}`), 10, 10, true)
	c.onWindow([]byte(`{"campaign":1,"variant":"A","window_start_ms":0,"events":3}`), 10, 10, true)
	if c.badRecords != 5 || c.counted != 1 {
		t.Fatalf("bad %d counted %d, want 5 bad and the seq-0 record counted", c.badRecords, c.counted)
	}
	var got []string
	for _, k := range c.breachOrder {
		b := c.breaches[k]
		got = append(got, fmt.Sprintf("%s %s ×%d", b.Output, b.Problem, b.Count))
	}
	want := []string{"updates without seq ×2", "updates without intended_ns ×1", "updates not a JSON object ×1",
		"windows without window_end_ms ×1", "windows without max_intended_ns ×1"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("breaches %q, want %q", got, want)
	}
	if ex := c.breaches["updates without seq"].Example; ex != `{"intended_ns":5}` {
		t.Errorf("example %q", ex)
	}
}
