package reports

import (
	"strings"
	"testing"
)

func TestAnswerDemandPicksTheSmallestThatHolds(t *testing.T) {
	pts := []CurvePoint{
		{Name: "p1", Parallelism: 1, TaskManagers: 1, SustainableEPS: 2400, FirstFailingEPS: 2600, Confidence: 0.08},
		{Name: "p4", Parallelism: 4, TaskManagers: 1, SustainableEPS: 7000, FirstFailingEPS: 7600},
		{Name: "p2", Parallelism: 2, TaskManagers: 1, SustainableEPS: 6100, FirstFailingEPS: 6500},
	}
	d := AnswerDemand(pts, 5000, 0.2)
	if d == nil || d.Point != "p2" || d.NeedEPS != 6000 {
		t.Fatalf("demand %+v, want p2 for 6000/s", d)
	}
	if !strings.Contains(d.Evidence, "p1 sustains 2400/s") {
		t.Errorf("evidence %q should say why p1 is not enough", d.Evidence)
	}
	if d := AnswerDemand(pts, 7000, 0.2); d.Point != "" || !strings.Contains(d.Evidence, "no configuration sustains 8400") {
		t.Errorf("unreachable target: %+v", d)
	}
	if AnswerDemand(pts, 0, 0.2) != nil {
		t.Error("no target, no demand answer")
	}
	ScalingEfficiencies(pts)
	if e := pts[2].ScalingEfficiency; e < 1.27 || e > 1.28 {
		t.Errorf("p2 efficiency %.3f, want 6100/2400/2 = 1.27", e)
	}
	if pts[0].ScalingEfficiency != 1 {
		t.Errorf("base efficiency %v", pts[0].ScalingEfficiency)
	}
	var b strings.Builder
	if err := WriteCapacityCurveMarkdown(&b, &CapacityCurve{Name: "x", Points: pts, TargetEPS: 5000, Headroom: 0.2, Demand: d}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| [p2](") || !strings.Contains(b.String(), "**Demand**") {
		t.Errorf("markdown:\n%s", b.String())
	}
}
