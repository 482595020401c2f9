package cluster

import (
	"strings"
	"testing"
)

// A Flink version finds its line's recipe; a line abload has none for is
// an error that names the lines it has.
func TestRecipeFor(t *testing.T) {
	r, err := RecipeFor("2.2.1")
	if err != nil || r.Line != "2.2" || r.Base == nil || r.Cluster == nil {
		t.Fatalf("2.2.1: %+v, %v", r, err)
	}
	if got := r.Base("1g", "2g", 3)["taskmanager.numberOfTaskSlots"]; got != "3" {
		t.Errorf("2.2 base config: slots %q", got)
	}
	for _, v := range []string{"1.19.1", "3.0.0", "", "2"} {
		if _, err := RecipeFor(v); err == nil || !strings.Contains(err.Error(), "2.2") {
			t.Errorf("%q: %v, want an error naming 2.2", v, err)
		}
	}
	var none *Runtime
	if r, err := none.Recipe(); err != nil || r.Line != DefaultLine {
		t.Errorf("no bundle: %+v, %v", r, err)
	}
	rt := &Runtime{Versions: map[string]string{"flink.version": "1.20.0"}}
	if _, err := rt.Recipe(); err == nil {
		t.Error("a 1.20 bundle: no error")
	}
}
