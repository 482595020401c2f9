package netproxy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// echoServer accepts connections on loopback and writes back what it reads.
func echoServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return l.Addr().String()
}

func newTestProxy(t *testing.T) *Proxy {
	t.Helper()
	np, err := New("127.0.0.1:0", echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { np.Close() })
	return np
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip sends a short message and times its echo.
func roundTrip(t *testing.T, c net.Conn) time.Duration {
	t.Helper()
	msg := []byte("ping")
	t0 := time.Now()
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(msg))
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("echo: %v", err)
	}
	if !bytes.Equal(buf, msg) {
		t.Fatalf("echo = %q, want %q", buf, msg)
	}
	return time.Since(t0)
}

func minRoundTrip(t *testing.T, c net.Conn, n int) (lo, hi time.Duration) {
	lo = time.Hour
	for i := 0; i < n; i++ {
		d := roundTrip(t, c)
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}

// Latency is added to each direction: a round trip takes at least twice
// the latency, and removing it restores the direct round trip, on the same
// connection.
func TestNetProxyLatency(t *testing.T) {
	np := newTestProxy(t)
	c := dial(t, np.Addr())
	base, _ := minRoundTrip(t, c, 5)
	if base > 20*time.Millisecond {
		t.Fatalf("unshaped round trip %s: the proxy itself is slow", base)
	}
	if err := np.Shape(50*time.Millisecond, 0, 0); err != nil {
		t.Fatal(err)
	}
	lo, hi := minRoundTrip(t, c, 5)
	t.Logf("round trip: %s unshaped, %s..%s with 50ms each way", base, lo, hi)
	if lo < 100*time.Millisecond || hi > 400*time.Millisecond {
		t.Errorf("round trip %s..%s with 50ms latency each way, want 100ms..400ms", lo, hi)
	}
	// A new connection is shaped too.
	if lo, _ := minRoundTrip(t, dial(t, np.Addr()), 2); lo < 100*time.Millisecond {
		t.Errorf("new connection's round trip %s, want >= 100ms", lo)
	}
	if err := np.Shape(0, 0, 0); err != nil {
		t.Fatal(err)
	}
	if lo, _ := minRoundTrip(t, c, 5); lo > 20*time.Millisecond {
		t.Errorf("round trip %s after removing the latency, want the unshaped one (%s)", lo, base)
	}
	st := np.Stats()
	if st.Connections != 2 || st.BytesUp != 4*17 || st.BytesDown != 4*17 {
		t.Errorf("stats = %+v, want 2 connections and 68 bytes each way", st)
	}
}

// Jitter varies the delay around the latency.
func TestNetProxyJitter(t *testing.T) {
	np := newTestProxy(t)
	if err := np.Shape(40*time.Millisecond, 30*time.Millisecond, 0); err != nil {
		t.Fatal(err)
	}
	c := dial(t, np.Addr())
	var trips []time.Duration
	for i := 0; i < 20; i++ {
		trips = append(trips, roundTrip(t, c))
	}
	slices.Sort(trips)
	lo, med, hi := trips[0], trips[len(trips)/2], trips[len(trips)-1]
	t.Logf("round trips with 40ms ± 30ms each way: %s..%s, median %s", lo, hi, med)
	// Each way takes 10..70 ms: a round trip 20..140 ms. None is faster;
	// a busy machine may delay any one (so the median, not the slowest,
	// is held to the top), and the jitter spreads them.
	if lo < 20*time.Millisecond || med > 200*time.Millisecond || hi-lo < 15*time.Millisecond {
		t.Errorf("round trips %s..%s, median %s: want none under 20ms, the median at most 200ms, spread by the jitter", lo, hi, med)
	}
}

// A cut stops data both ways while the connection stays open; nothing sent
// during the cut is lost, and lifting it lets the data through.
func TestNetProxyCut(t *testing.T) {
	np := newTestProxy(t)
	c := dial(t, np.Addr())
	roundTrip(t, c)
	if err := np.Cut(true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("held")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	_ = c.SetReadDeadline(time.Now().Add(700 * time.Millisecond))
	if n, err := io.ReadFull(c, buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read during the cut: %d bytes, %v; want nothing until the deadline", n, err)
	}
	// A connection made during the cut is accepted but carries nothing.
	c2 := dial(t, np.Addr())
	if _, err := c2.Write([]byte("new!")); err != nil {
		t.Fatal(err)
	}
	// Shaping may change during a cut.
	if err := np.Shape(10*time.Millisecond, 0, 100); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := np.Cut(false); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "held" {
		t.Fatalf("after the cut: %q, %v; want the held data", buf, err)
	}
	_ = c2.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadFull(c2, buf); err != nil || string(buf) != "new!" {
		t.Fatalf("connection made during the cut: %q, %v; want its data", buf, err)
	}
	t.Logf("held data arrived %s after the cut was lifted", time.Since(t0))
	if d := roundTrip(t, c); d < 20*time.Millisecond {
		t.Errorf("round trip %s after the cut, want the 10ms latency set during it", d)
	}
}

// transfer sends n bytes through the echo path and reads them back.
func transfer(t *testing.T, c net.Conn, n int) {
	data := bytes.Repeat([]byte("abcdefgh"), n/8)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = c.Write(data)
	}()
	got := make([]byte, len(data))
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Errorf("bulk read: %v", err)
	}
	wg.Wait()
	if !bytes.Equal(got, data) {
		t.Error("bulk transfer corrupted")
	}
}

// The bandwidth limit slows a bulk transfer to the limit, for all
// connections together.
func TestNetProxyBandwidth(t *testing.T) {
	np := newTestProxy(t)
	c1, c2 := dial(t, np.Addr()), dial(t, np.Addr())
	t0 := time.Now()
	transfer(t, c1, 400_000)
	fast := time.Since(t0)
	if err := np.Shape(0, 0, 200); err != nil { // 200 KB/s each way
		t.Fatal(err)
	}
	t0 = time.Now()
	transfer(t, c1, 300_000)
	one := time.Since(t0)
	// Two connections at once share the limit: 2 × 150 KB takes as long.
	t0 = time.Now()
	var wg sync.WaitGroup
	for _, c := range []net.Conn{c1, c2} {
		wg.Add(1)
		go func() { defer wg.Done(); transfer(t, c, 150_000) }()
	}
	wg.Wait()
	two := time.Since(t0)
	t.Logf("400 KB unshaped in %s; at 200 KB/s: 300 KB on one connection in %s, 2 × 150 KB on two in %s", fast, one, two)
	if fast > 500*time.Millisecond {
		t.Errorf("unshaped transfer took %s", fast)
	}
	for _, d := range []time.Duration{one, two} {
		if d < 1300*time.Millisecond || d > 4*time.Second {
			t.Errorf("300 KB at 200 KB/s took %s, want about 1.5s", d)
		}
	}
	if err := np.Shape(0, 0, 0); err != nil {
		t.Fatal(err)
	}
	t0 = time.Now()
	transfer(t, c1, 400_000)
	if d := time.Since(t0); d > 500*time.Millisecond {
		t.Errorf("transfer after lifting the limit took %s", d)
	}
}

// Close ends the proxied connections and stops listening.
func TestNetProxyClose(t *testing.T) {
	np := newTestProxy(t)
	c := dial(t, np.Addr())
	roundTrip(t, c)
	if err := np.Close(); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection still open after Close")
	}
	if c, err := net.DialTimeout("tcp", np.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("proxy still accepts after Close")
	}
	if err := np.Shape(time.Millisecond, 0, 0); err == nil {
		t.Error("Shape after Close: want an error")
	}
	if err := np.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
