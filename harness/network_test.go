package harness

import (
	"reflect"
	"testing"

	"github.com/abload/abload/scenarios"
)

// Matrix points that differ only in env.network's shaping share an
// environment (each run shapes its proxy); points that differ in whether
// there is a proxy do not.
func TestSharedEnvKeyIgnoresShaping(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/network-latency.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	pts := sc.Points()
	if len(pts) != 3 {
		t.Fatalf("%d points", len(pts))
	}
	for _, p := range pts[1:] {
		if !reflect.DeepEqual(SharedEnvKey(pts[0].Scenario), SharedEnvKey(p.Scenario)) {
			t.Errorf("%s and %s do not share an environment", pts[0].Name, p.Name)
		}
	}
	direct, err := scenarios.Load("../scenarios/quick.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cut, err := scenarios.Load("../scenarios/quick.yaml", []string{"workload.warmup=5s", "faults=[{at: 5s, kind: network_cut, duration: 1s}]"})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(SharedEnvKey(direct), SharedEnvKey(cut)) {
		t.Error("a run without the proxy and one with a network fault share an environment")
	}
}
