package live

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

func TestCheckMetricsAddr(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:9464", "localhost:9464", "[::1]:9464", "127.0.0.1:0"} {
		if err := CheckMetricsAddr(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"0.0.0.0:9464", ":9464", "10.1.2.3:9464", "9464", "example.org:9464"} {
		if err := CheckMetricsAddr(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// Prometheus buckets from an HDR histogram of microseconds: cumulative,
// and every value lands in the first bucket whose bound is >= it.
func TestSnapshotUs(t *testing.T) {
	h := reports.NewLatencyHistogram()
	for _, us := range []int64{500, 1500, 1500, 40_000, 3_000_000} { // 0.5 ms, 1.5 ms ×2, 40 ms, 3 s
		_ = h.RecordValue(us)
	}
	s := SnapshotUs(h)
	want := map[float64]uint64{0.001: 1, 0.002: 3, 0.005: 3, 0.02: 3, 0.05: 4, 2: 4, 5: 5, 120: 5}
	for b, n := range want {
		if s.buckets[b] != n {
			t.Errorf("bucket <= %gs: %d, want %d", b, s.buckets[b], n)
		}
	}
	if s.count != 5 {
		t.Errorf("count %d", s.count)
	}
	if s.sum < 3.04 || s.sum > 3.05 {
		t.Errorf("sum %v s, want ~3.0435", s.sum)
	}
}

// On a terminal the status block is redrawn in place (cursor up over the
// previous block); elsewhere it is one plain line every plainStatusEvery.
func TestConsoleStatus(t *testing.T) {
	var tty bytes.Buffer
	c := &Console{w: &tty, tty: true}
	c.Status([]string{"a", "b", "c"})
	c.Status([]string{"d", "e", "f"})
	if got := tty.String(); !strings.Contains(got, "a\nb\nc") || strings.Count(got, "\033[1A") != 2 || !strings.HasSuffix(got, "d\ne\nf") {
		t.Errorf("tty output %q", got)
	}
	c.Logf("log line")
	if !strings.HasSuffix(tty.String(), "log line\n") {
		t.Errorf("a log line clears the block first: %q", tty.String())
	}

	var plain bytes.Buffer
	now := time.Unix(1000, 0)
	p := &Console{w: &plain, now: func() time.Time { return now }}
	p.Status([]string{"abload x  measure", "  load   offered 10/s"})
	now = now.Add(5 * time.Second)
	p.Status([]string{"second"})
	now = now.Add(6 * time.Second)
	p.Status([]string{"third"})
	want := "abload: status: abload x measure | load offered 10/s\nabload: status: third\n"
	if plain.String() != want {
		t.Errorf("plain output %q, want %q", plain.String(), want)
	}
}
