package measure

import "testing"

// Reference values from Flink 2.2.1's own KeyGroupRangeAssignment
// (assignToKeyGroup, computeOperatorIndexForKeyGroup,
// computeDefaultMaxParallelism) for Tuple2<Integer, String> keys.
func TestKeyGroupsMatchFlink(t *testing.T) {
	for _, tc := range []struct {
		campaign              int32
		variant               string
		p, maxP, keyGroup, op int
	}{
		{0, "A", 2, 128, 104, 1}, {0, "A", 4, 128, 104, 3}, {0, "B", 2, 128, 17, 0},
		{0, "Control", 4, 128, 22, 0}, {1, "A", 4, 128, 125, 3}, {1, "B", 4, 128, 81, 2},
		{1, "Control", 2, 128, 75, 1}, {2, "B", 4, 128, 41, 1}, {7, "A", 2, 128, 6, 0},
		{7, "B", 4, 128, 47, 1}, {19, "A", 4, 128, 89, 2}, {19, "B", 4, 128, 36, 1},
		{123456, "A", 4, 128, 100, 3}, {123456, "B", 4, 128, 88, 2}, {123456, "Control", 4, 128, 57, 1},
	} {
		if got := defaultMaxParallelism(tc.p); got != tc.maxP {
			t.Errorf("defaultMaxParallelism(%d) = %d, want %d", tc.p, got, tc.maxP)
		}
		kg, op := subtaskOf(campaignVariantHash(tc.campaign, tc.variant), tc.maxP, tc.p)
		if kg != tc.keyGroup || op != tc.op {
			t.Errorf("(%d, %q) p=%d: key group %d subtask %d, want %d %d", tc.campaign, tc.variant, tc.p, kg, op, tc.keyGroup, tc.op)
		}
	}
	for p, want := range map[int]int{1: 128, 100: 256, 200: 512, 30000: 32768} {
		if got := defaultMaxParallelism(p); got != want {
			t.Errorf("defaultMaxParallelism(%d) = %d, want %d", p, got, want)
		}
	}
}
