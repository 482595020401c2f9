package measure

import (
	"math"
	"reflect"
	"testing"

	"github.com/abload/abload/harness/flink"
	"github.com/abload/abload/harness/load"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

func TestSkewBetween(t *testing.T) {
	start := []flink.SubtaskRecords{{Name: "windows", RecordsIn: []int64{100, 100, 100, 100}}, {Name: "source", RecordsIn: []int64{0, 0}}}
	end := []flink.SubtaskRecords{{Name: "windows", RecordsIn: []int64{700, 300, 200, 200}}, {Name: "source", RecordsIn: []int64{0, 0}},
		{Name: "balanced", RecordsIn: []int64{50, 50}}}
	sk := SkewBetween(start, end)
	if sk == nil || len(sk.Vertices) != 2 {
		t.Fatalf("skew = %+v, want the two vertices that received records", sk)
	}
	// deltas 600, 200, 100, 100: mean 250, max 600
	want := reports.VertexSkew{Name: "windows", MaxOverMean: 2.4, RecordsIn: []int64{600, 200, 100, 100}}
	if got := sk.Vertices[0]; got.Name != want.Name || math.Abs(got.MaxOverMean-want.MaxOverMean) > 1e-12 || !reflect.DeepEqual(got.RecordsIn, want.RecordsIn) {
		t.Errorf("windows vertex = %+v, want %+v", got, want)
	}
	if sk.Vertices[1].MaxOverMean != 1 {
		t.Errorf("balanced vertex = %+v, want 1", sk.Vertices[1])
	}
	if math.Abs(sk.MaxOverMean-2.4) > 1e-12 {
		t.Errorf("MaxOverMean = %v, want the largest vertex's 2.4", sk.MaxOverMean)
	}
	// A nearly idle, unbalanced vertex is listed but does not set the job's figure.
	sk = SkewBetween(nil, []flink.SubtaskRecords{{Name: "busy", RecordsIn: []int64{1000, 1100}}, {Name: "merge", RecordsIn: []int64{10, 40}}})
	if len(sk.Vertices) != 2 || math.Abs(sk.MaxOverMean-1100.0/1050) > 1e-12 {
		t.Errorf("skew = %+v, want both vertices listed and max_over_mean from the busy one", sk)
	}
	if SkewBetween(nil, []flink.SubtaskRecords{{Name: "x", RecordsIn: []int64{0}}}) != nil {
		t.Error("skew without records should be nil")
	}
	// A subtask restarted (its counter went back): its vertex is not
	// measured (a delta of 0, as before, made it look balanced or skewed).
	sk = SkewBetween([]flink.SubtaskRecords{{Name: "counts", RecordsIn: []int64{900, 1000}}, {Name: "ok", RecordsIn: []int64{0, 0}}},
		[]flink.SubtaskRecords{{Name: "counts", RecordsIn: []int64{300, 2000}}, {Name: "ok", RecordsIn: []int64{100, 100}}})
	if len(sk.Vertices) != 1 || sk.Vertices[0].Name != "ok" || !reflect.DeepEqual(sk.Unmeasured, []string{"counts"}) {
		t.Errorf("skew with a restarted subtask = %+v", sk)
	}
}

// The expected skew of the keyed vertices: each key's events on the
// subtask Flink's key groups give it, the busiest over the mean; salting
// leaves the windows vertex out; a vertex at another parallelism too.
func TestExpectedSkew(t *testing.T) {
	j := scenarios.Defaults().Job
	j.Parallelism, j.MaxParallelism = 2, 128
	// Find two keys on subtask 0 and one on subtask 1.
	var on [2][]load.WindowKey
	for c := int32(0); len(on[0]) < 2 || len(on[1]) < 1; c++ {
		k := load.WindowKey{Campaign: c, Variant: "A"}
		_, st := subtaskOf(campaignVariantHash(k.Campaign, k.Variant), 128, 2)
		on[st] = append(on[st], k)
	}
	perKey := map[load.WindowKey]int64{on[0][0]: 300, on[0][1]: 300, on[1][0]: 200} // 600 vs 200: max/mean 600/400
	sk := &reports.Skew{Vertices: []reports.VertexSkew{
		{Name: "counts", RecordsIn: []int64{1, 1}},
		{Name: "windows -> windows-sink: Writer", RecordsIn: []int64{1, 1}},
		{Name: "dedupe", RecordsIn: []int64{1, 1}},
		{Name: "counts", RecordsIn: []int64{1, 1, 1}}, // rescaled
	}}
	ExpectedSkew(sk, perKey, j)
	for i, want := range []float64{1.5, 1.5, -1, -1} {
		got := sk.Vertices[i].ExpectedMaxOverMean
		if (want < 0) != (got == nil) || (got != nil && math.Abs(*got-want) > 1e-12) {
			t.Errorf("vertex %d %q: expected max/mean %v, want %v", i, sk.Vertices[i].Name, deref(got), want)
		}
	}
	j.SkewMitigation.Kind = scenarios.MitigationSalted
	sk.Vertices[1].ExpectedMaxOverMean = nil
	ExpectedSkew(sk, perKey, j)
	if sk.Vertices[1].ExpectedMaxOverMean != nil {
		t.Error("salted windows: the keyed prediction does not hold, want none")
	}
	// Under max parallelism 256 the same keys may fall elsewhere: the
	// prediction follows job.max_parallelism.
	j.SkewMitigation.Kind, j.MaxParallelism = "", 256
	var want [2]int64
	for k, n := range perKey {
		_, st := subtaskOf(campaignVariantHash(k.Campaign, k.Variant), 256, 2)
		want[st] += n
	}
	sk.Vertices[0].ExpectedMaxOverMean = nil
	ExpectedSkew(sk, perKey, j)
	if e := float64(max(want[0], want[1])) / 400; math.Abs(*sk.Vertices[0].ExpectedMaxOverMean-e) > 1e-12 {
		t.Errorf("max parallelism 256: %v, want %v", *sk.Vertices[0].ExpectedMaxOverMean, e)
	}
}
