package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCapacity(t *testing.T) {
	c := &Capacity{Schema: CapacitySchema, Name: "quick", SustainableEPS: 2000, FirstFailingEPS: 2200,
		FailReason: "e2e p99 4100.0 ms > 1000 ms", Confidence: 0.1, StoppedBy: StoppedByPrecision,
		SLO: CapacitySLO{E2EP99Ms: 1000, LagSlopeRatio: 0.05, MaxSendDelay: 1000},
		Steps: []CapacityStep{
			{N: 1, RateEPS: 1000, Verdict: VerdictPass},
			{N: 2, RateEPS: 2200, Verdict: VerdictFail, Reason: "e2e p99 4100.0 ms > 1000 ms | x"},
		}}
	dir := t.TempDir()
	if err := WriteCapacity(dir, c); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "capacity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Capacity
	if err := json.Unmarshal(b, &back); err != nil || back.SustainableEPS != 2000 || len(back.Steps) != 2 {
		t.Fatalf("capacity.json round trip: %v %+v", err, back)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "capacity.md"))
	for _, want := range []string{"| sustainable | **2000 events/s** |", "| first failing | 2200 events/s |", "10.0%", `4100.0 ms > 1000 ms \| x`} {
		if !strings.Contains(string(md), want) {
			t.Errorf("capacity.md lacks %q:\n%s", want, md)
		}
	}
	if a := CapacityAnswer(c); !strings.Contains(a, "sustainable: 2000 events/s; first failing: 2200 events/s") {
		t.Errorf("answer %q", a)
	}
}
