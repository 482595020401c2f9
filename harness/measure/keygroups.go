package measure

import "math/bits"

// Flink's key-group assignment (KeyGroupRangeAssignment), mirrored so the
// harness can predict which subtask of a keyed operator each key lands on:
// the expected per-subtask load that a measured skew index is checked
// against.

// javaStringHash is java.lang.String.hashCode for s (UTF-16 code units).
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := surrogates(r)
			h = 31*h + int32(hi)
			h = 31*h + int32(lo)
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}

func surrogates(r rune) (uint16, uint16) {
	r -= 0x10000
	return uint16(0xD800 + (r>>10)&0x3FF), uint16(0xDC00 + r&0x3FF)
}

// campaignVariantHash is Tuple2<Integer, String>(campaign, variant).hashCode().
func campaignVariantHash(campaign int32, variant string) int32 {
	return 31*campaign + javaStringHash(variant)
}

// flinkMurmurHash is MathUtils.murmurHash(int).
func flinkMurmurHash(code int32) int32 {
	c := uint32(code)
	c *= 0xcc9e2d51
	c = bits.RotateLeft32(c, 15)
	c *= 0x1b873593
	c = bits.RotateLeft32(c, 13)
	c = c*5 + 0xe6546b64
	c ^= 4
	// bitMix (fmix32)
	c ^= c >> 16
	c *= 0x85ebca6b
	c ^= c >> 13
	c *= 0xc2b2ae35
	c ^= c >> 16
	h := int32(c)
	switch {
	case h >= 0:
		return h
	case h != -1<<31:
		return -h
	}
	return 0
}

// defaultMaxParallelism is KeyGroupRangeAssignment.computeDefaultMaxParallelism.
func defaultMaxParallelism(p int) int {
	n := p + p/2
	r := 1
	for r < n {
		r <<= 1
	}
	return min(max(r, 128), 1<<15)
}

// subtaskOf returns the key group and the operator (subtask) index of a
// key with the given Java hashCode.
func subtaskOf(hash int32, maxParallelism, parallelism int) (keyGroup, subtask int) {
	keyGroup = int(flinkMurmurHash(hash)) % maxParallelism
	return keyGroup, keyGroup * parallelism / maxParallelism
}
