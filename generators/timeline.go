package generators

import "math/bits"

// timeline is a lane's priority queue of pending events, keyed by emit time.
// A plain heap of every pending event (~100 000 at 100 000 events/s) costs
// a cache miss per level on every pop, which was most of the generator's
// time. So the queue has tiers, with the semantics of one heap (take yields
// the earliest due entry; ties in an order that is deterministic):
//
//   - ring: buckets of 2^bucketShift ns (~16.8 ms) for the entries due
//     within the ring's span ahead, each an array (appends); arrays are
//     recycled through a pool by size class, so an empty bucket holds no
//     memory however many buckets the ring has;
//   - run: when time reaches a bucket, it is radix-sorted (cheaper than a
//     heap push and pop per entry) and read in order;
//   - near: a 4-ary min-heap of the entries pushed into the current bucket
//     or behind it (already due), which stays small and in cache;
//   - over: a 4-ary min-heap for the rare entries beyond the ring's span
//     (long funnel tails), moved to the ring as it comes within reach.
//
// Steady state allocates nothing: the heaps and the sort buffer grow by
// doubling and are reused, bucket arrays come from the pool.
type timeline struct {
	near []pending
	over []pending
	run  []pending // the current bucket, sorted; run[pos:] not yet taken
	pos  int
	tmp  []pending // radix sort buffer

	ring [][]pending // per bucket, its entries in insertion order; nil when empty
	pool [32][][]pending
	mask int64 // len(ring) - 1
	cur  int64 // the latest bucket poured: run and near hold buckets <= cur, the ring (cur, cur+len(ring))
	far  int   // entries in the ring
	init bool  // cur is set
}

// bucketShift sets the ring's bucket width: 2^24 ns ≈ 16.8 ms.
const bucketShift = 24

// minBucketClass is the log2 capacity of a bucket's first array.
const minBucketClass = 2

// newTimeline sizes the ring to cover span ns ahead (within 2^10..2^16
// buckets: ~17 s to ~18 min).
func newTimeline(span int64) timeline {
	n := int64(1 << 10)
	for n < 1<<16 && n<<bucketShift < span {
		n <<= 1
	}
	return timeline{
		near: make([]pending, 0, 1<<10),
		ring: make([][]pending, n),
		mask: n - 1,
	}
}

// len returns the number of pending entries.
func (tl *timeline) len() int { return len(tl.near) + len(tl.run) - tl.pos + tl.far + len(tl.over) }

// take removes and returns the earliest entry if it is due at t.
func (tl *timeline) take(t int64) (pending, bool) {
	if tl.pos < len(tl.run) {
		if r := &tl.run[tl.pos]; r.at <= t && (len(tl.near) == 0 || r.at <= tl.near[0].at) {
			tl.pos++
			return *r, true
		}
	}
	if len(tl.near) > 0 && tl.near[0].at <= t {
		return popHeap(&tl.near), true
	}
	return pending{}, false
}

// advance pours every bucket up to the one holding t into near, so that
// near's minimum is the earliest entry if any entry is due at t.
func (tl *timeline) advance(t int64) {
	bt := t >> bucketShift
	if !tl.init {
		tl.init = true
		tl.cur = bt
		return
	}
	for tl.cur < bt {
		if tl.far == 0 {
			// Nothing in the ring: skip to the bucket before the
			// overflow's first (or to t), instead of visiting every
			// empty bucket of a long idle span.
			skip := bt
			if len(tl.over) > 0 {
				skip = min(bt, tl.over[0].at>>bucketShift-1)
			}
			if skip > tl.cur {
				tl.cur = skip
				continue
			}
		}
		tl.cur++
		span := tl.mask + 1
		for len(tl.over) > 0 && tl.over[0].at>>bucketShift < tl.cur+span {
			tl.place(popHeap(&tl.over))
		}
		i := tl.cur & tl.mask
		if b := tl.ring[i]; b != nil {
			tl.far -= len(b)
			tl.ring[i] = nil
			tl.pour(b)
		}
	}
}

// pour makes bucket b the current run. What is left of the previous run
// is due already (time has passed its bucket) and moves to near.
func (tl *timeline) pour(b []pending) {
	for _, p := range tl.run[tl.pos:] {
		pushHeap(&tl.near, p)
	}
	if tl.run != nil {
		tl.putBuf(tl.run)
	}
	tl.sortRun(b)
	tl.run, tl.pos = b, 0
}

// sortRun sorts one bucket's entries by at. They share the bits above
// bucketShift, so an LSD radix sort on the low 24 bits (four passes of 6
// bits, ending back in b) does it in linear time; short buckets use
// insertion sort. Both are stable: ties keep insertion order.
func (tl *timeline) sortRun(b []pending) {
	if len(b) < 48 {
		for i := 1; i < len(b); i++ {
			p := b[i]
			j := i
			for j > 0 && b[j-1].at > p.at {
				b[j] = b[j-1]
				j--
			}
			b[j] = p
		}
		return
	}
	if cap(tl.tmp) < len(b) {
		tl.tmp = make([]pending, len(b), 2*len(b))
	}
	src, dst := b, tl.tmp[:len(b)]
	for shift := uint(0); shift < bucketShift; shift += 6 {
		var count [64]int32
		for i := range src {
			count[(src[i].at>>shift)&63]++
		}
		var sum int32
		for d := range count {
			c := count[d]
			count[d] = sum
			sum += c
		}
		for i := range src {
			d := (src[i].at >> shift) & 63
			dst[count[d]] = src[i]
			count[d]++
		}
		src, dst = dst, src
	}
}

// push adds an entry.
func (tl *timeline) push(p pending) {
	if !tl.init {
		// Before the first advance everything is near; cannot happen in
		// a lane, which advances before it pushes.
		pushHeap(&tl.near, p)
		return
	}
	tl.place(p)
}

// place puts p in the tier its bucket belongs to.
func (tl *timeline) place(p pending) {
	b := p.at >> bucketShift
	switch {
	case b <= tl.cur:
		pushHeap(&tl.near, p)
	case b-tl.cur > tl.mask:
		pushHeap(&tl.over, p)
	default:
		i := b & tl.mask
		buf := tl.ring[i]
		if len(buf) == cap(buf) {
			buf = tl.grow(buf)
		}
		tl.ring[i] = append(buf, p)
		tl.far++
	}
}

// grow moves a full bucket into an array twice its size from the pool, and
// recycles the old one.
func (tl *timeline) grow(buf []pending) []pending {
	class := minBucketClass
	if cap(buf) > 0 {
		class = bits.Len(uint(cap(buf)))
	}
	nb := tl.getBuf(class)
	nb = append(nb, buf...)
	if cap(buf) > 0 {
		tl.putBuf(buf)
	}
	return nb
}

// getBuf returns an empty array of capacity 2^class, recycled if possible.
// Buckets fill and drain in a cycle, so after warm-up every array comes
// from the pool and the ring allocates nothing.
func (tl *timeline) getBuf(class int) []pending {
	p := &tl.pool[class]
	if n := len(*p); n > 0 {
		b := (*p)[n-1]
		(*p)[n-1] = nil
		*p = (*p)[:n-1]
		return b
	}
	return make([]pending, 0, 1<<class)
}

func (tl *timeline) putBuf(b []pending) {
	class := bits.Len(uint(cap(b))) - 1
	tl.pool[class] = append(tl.pool[class], b[:0])
}

// pushHeap and popHeap keep a 4-ary min-heap on at: half the depth of a
// binary heap, with a node's children in adjacent cache lines.
func pushHeap(hp *[]pending, p pending) {
	h := append(*hp, p)
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) >> 2
		if h[parent].at <= p.at {
			break
		}
		h[i] = h[parent]
		i = parent
	}
	h[i] = p
	*hp = h
}

func popHeap(hp *[]pending) pending {
	h := *hp
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	*hp = h
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		if c+4 <= n {
			// Common case, unrolled: all four children exist.
			if h[c+1].at < h[m].at {
				m = c + 1
			}
			if h[c+2].at < h[m].at {
				m = c + 2
			}
			if h[c+3].at < h[m].at {
				m = c + 3
			}
		} else {
			for j := c + 1; j < n; j++ {
				if h[j].at < h[m].at {
					m = j
				}
			}
		}
		if last.at <= h[m].at {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = last
	return top
}
