package scenarios

import (
	"strings"
	"testing"
)

func TestCapacityDefaultsAndValidation(t *testing.T) {
	s, err := Parse("t.yaml", []byte("name: t\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k := s.Capacity; k.StartRate != 1000 || k.Growth != 2 || k.Precision != 0.1 || k.SLO.LagSlopeRatio != 0.05 {
		t.Errorf("capacity defaults %+v", k)
	}
	_, err = Parse("t.yaml", []byte("name: t\ncapacity:\n  start_rate: 5000\n  max_rate: 1000\n  growth: 1\n  judge: 2s\n  slo: {e2e_p99: 0s, lag_slope_ratio: -1}\n"), []string{"capacity.precision=0"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"t.yaml:4: capacity.max_rate: must be >= capacity.start_rate (5000), got 1000",
		"t.yaml:5: capacity.growth: must be in (1, 100], got 1",
		"t.yaml:6: capacity.judge: must be >= 5s",
		"t.yaml:7: capacity.slo.e2e_p99: must be > 0, got 0s",
		"t.yaml:7: capacity.slo.lag_slope_ratio: must be a finite number > 0, got -1",
		"--set capacity.precision=0: capacity.precision: must be in (0, 1], got 0",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}
