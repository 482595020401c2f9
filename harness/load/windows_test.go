package load

import (
	"reflect"
	"testing"

	"github.com/abload/abload/scenarios"
)

func starts(a WindowAssigner, ts int64) []int64 {
	var out []int64
	a.Assign(ts, func(s int64) { out = append(out, s) })
	return out
}

func TestWindowAssigner(t *testing.T) {
	tumbling := WindowAssigner{Kind: scenarios.WindowTumbling, Size: 10, Slide: 10}
	sliding := WindowAssigner{Kind: scenarios.WindowSliding, Size: 10, Slide: 5}
	uneven := WindowAssigner{Kind: scenarios.WindowSliding, Size: 10, Slide: 3}
	session := WindowAssigner{Kind: scenarios.WindowSession, Size: 10, Slide: 10}
	for _, tc := range []struct {
		a    WindowAssigner
		ts   int64
		want []int64
	}{
		{tumbling, 0, []int64{0}},
		{tumbling, 9, []int64{0}},
		{tumbling, 10, []int64{10}},
		{tumbling, -1, []int64{-10}},
		{sliding, 7, []int64{5, 0}},
		{sliding, 10, []int64{10, 5}},
		{sliding, -3, []int64{-5, -10}},
		// size 10, slide 3: windows [s, s+10) with s a multiple of 3 and s <= 11 < s+10
		{uneven, 11, []int64{9, 6, 3}},
		{uneven, 12, []int64{12, 9, 6, 3}},
		{session, 123, []int64{SessionStart}},
		{WindowAssigner{}, 5, nil},
	} {
		if got := starts(tc.a, tc.ts); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v assign(%d) = %v, want %v", tc.a, tc.ts, got, tc.want)
		}
		// Every start really contains ts, as Flink's assigners define it.
		for _, s := range starts(tc.a, tc.ts) {
			if s != SessionStart && !(s <= tc.ts && tc.ts < s+tc.a.Size) {
				t.Errorf("%+v: window [%d, %d) does not contain %d", tc.a, s, s+tc.a.Size, tc.ts)
			}
		}
	}
}
