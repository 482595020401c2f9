package harness

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/Shopify/toxiproxy/v2/toxics"
	"github.com/rs/zerolog"
	"golang.org/x/time/rate"
)

// NetProxy is an in-process TCP proxy (Shopify's toxiproxy, used as a
// library) on the path between the job under test and the Kafka broker: the
// broker advertises the proxy's address on the job's listener, so every
// byte the job exchanges with Kafka crosses it, while the harness's own
// clients talk to the broker directly. It shapes that path:
//
//   - latency and jitter: toxiproxy's latency toxic on each direction, each
//     chunk of data held latency ± jitter after it was read;
//   - bandwidth: one token bucket per direction shared by all of the job's
//     connections, so the limit is the path's, not each connection's;
//   - a cut: data stops flowing both ways, connections stay open, nothing
//     is dropped. The proxy stops reading, so the sender's socket buffers
//     fill as they would behind a partition (where TCP retransmits what was
//     lost), and the stream resumes intact when the cut is lifted.
//     toxiproxy's own timeout toxic drops what it reads instead, which
//     corrupts a Kafka connection's framing once data flows again.
//
// The bandwidth limit and the cut live in one abload toxic at the head of
// each direction's chain, which also counts connections and bytes.
type NetProxy struct {
	id    string
	proxy *toxiproxy.Proxy

	mu      sync.Mutex // serialises Shape, Cut and Close
	applied netShape   // the latency toxics in place
	closed  bool

	dirs  [2]*proxyDir // [0] client → upstream, [1] upstream → client
	conns atomic.Int64

	cutMu  sync.Mutex
	cut    bool
	change chan struct{} // closed and replaced at each change of cut
}

// netShape is the steady shaping of both directions.
type netShape struct {
	latency, jitter time.Duration
	kbps            int64
}

// proxyDir is one direction's counters and bandwidth limit.
type proxyDir struct {
	bytes atomic.Int64
	lim   *rate.Limiter // rate.Inf when unlimited
}

// NetProxyStats are a proxy's counters since it started.
type NetProxyStats struct {
	Connections int64 // accepted connections
	BytesUp     int64 // client → upstream (the job's requests)
	BytesDown   int64 // upstream → client (the broker's responses)
}

// shapeToxicType is the abload toxic's type name in toxiproxy's registry.
const shapeToxicType = "abload_shape"

var netProxies sync.Map // id → *NetProxy, for the toxics to find their proxy

func init() { toxics.Register(shapeToxicType, new(shapeToxic)) }

// NewNetProxy starts a proxy listening on listen (host:port; port 0 picks
// one) that forwards each accepted connection to upstream, dialled when the
// connection arrives. It starts unshaped.
func NewNetProxy(listen, upstream string) (*NetProxy, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	np := &NetProxy{id: hex.EncodeToString(b), change: make(chan struct{})}
	for i := range np.dirs {
		np.dirs[i] = &proxyDir{lim: rate.NewLimiter(rate.Inf, 0)}
	}
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	np.proxy = toxiproxy.NewProxy(srv, "abload-"+np.id, listen, upstream)
	netProxies.Store(np.id, np)
	for _, up := range []bool{true, false} {
		attrs, _ := json.Marshal(shapeToxic{ID: np.id, Up: up})
		if err := np.addToxic(shapeToxicType+"_"+streamName(up), shapeToxicType, up, attrs); err != nil {
			netProxies.Delete(np.id)
			return nil, err
		}
	}
	if err := np.proxy.Start(); err != nil {
		netProxies.Delete(np.id)
		return nil, fmt.Errorf("network proxy: listen on %s: %w", listen, err)
	}
	return np, nil
}

func streamName(up bool) string {
	if up {
		return "upstream"
	}
	return "downstream"
}

// Addr is the address the proxy listens on.
func (np *NetProxy) Addr() string {
	np.proxy.Lock()
	defer np.proxy.Unlock()
	return np.proxy.Listen
}

// Upstream is where the proxy forwards to.
func (np *NetProxy) Upstream() string { return np.proxy.Upstream }

// Stats returns the proxy's counters.
func (np *NetProxy) Stats() NetProxyStats {
	return NetProxyStats{Connections: np.conns.Load(), BytesUp: np.dirs[0].bytes.Load(), BytesDown: np.dirs[1].bytes.Load()}
}

// Shape sets the steady shaping of both directions: latency ± jitter added
// to each direction (whole milliseconds; toxiproxy's unit), and a bandwidth
// limit in KB/s (1 KB = 1000 bytes) per direction for all connections
// together. Zero values remove that shaping.
func (np *NetProxy) Shape(latency, jitter time.Duration, bandwidthKBps int64) error {
	if latency < 0 || jitter < 0 || bandwidthKBps < 0 {
		return fmt.Errorf("network proxy: negative shaping (latency %s, jitter %s, bandwidth %d KB/s)", latency, jitter, bandwidthKBps)
	}
	np.mu.Lock()
	defer np.mu.Unlock()
	if np.closed {
		return errors.New("network proxy: closed")
	}
	want := netShape{latency: latency, jitter: jitter, kbps: bandwidthKBps}
	for _, d := range np.dirs {
		if want.kbps == 0 {
			d.lim.SetLimit(rate.Inf)
			continue
		}
		bps := float64(want.kbps) * 1000
		// A burst of 1/20 s of traffic (at least a segment, at most 64 KiB):
		// bursts short enough that the limit holds over tens of milliseconds.
		d.lim.SetBurst(int(min(max(bps/20, 1500), 64<<10)))
		d.lim.SetLimit(rate.Limit(bps))
	}
	hadLatency := np.applied.latency > 0 || np.applied.jitter > 0
	hasLatency := want.latency > 0 || want.jitter > 0
	attrs, _ := json.Marshal(map[string]int64{"latency": want.latency.Milliseconds(), "jitter": want.jitter.Milliseconds()})
	for _, up := range []bool{true, false} {
		name := "latency_" + streamName(up)
		var err error
		switch {
		case hasLatency && !hadLatency:
			err = np.addToxic(name, "latency", up, attrs)
		case hasLatency && (want.latency != np.applied.latency || want.jitter != np.applied.jitter):
			body, _ := json.Marshal(map[string]any{"attributes": json.RawMessage(attrs), "toxicity": 1})
			_, err = np.proxy.Toxics.UpdateToxicJson(name, bytes.NewReader(body))
		case !hasLatency && hadLatency:
			err = np.proxy.Toxics.RemoveToxic(context.Background(), name)
		}
		if err != nil {
			return fmt.Errorf("network proxy: %s: %w", name, err)
		}
	}
	np.applied = want
	return nil
}

func (np *NetProxy) addToxic(name, typ string, up bool, attrs []byte) error {
	body, _ := json.Marshal(map[string]any{"name": name, "type": typ, "stream": streamName(up), "toxicity": 1, "attributes": json.RawMessage(attrs)})
	if _, err := np.proxy.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("network proxy: add %s toxic: %w", name, err)
	}
	return nil
}

// Cut starts (on) or lifts a partition: while it lasts no data flows either
// way; connections stay open and what was sent meanwhile arrives once it is
// lifted.
func (np *NetProxy) Cut(on bool) error {
	np.mu.Lock()
	defer np.mu.Unlock()
	if np.closed {
		return errors.New("network proxy: closed")
	}
	np.cutMu.Lock()
	defer np.cutMu.Unlock()
	if np.cut != on {
		np.cut = on
		close(np.change)
		np.change = make(chan struct{})
	}
	return nil
}

func (np *NetProxy) cutState() (bool, chan struct{}) {
	np.cutMu.Lock()
	defer np.cutMu.Unlock()
	return np.cut, np.change
}

// Close stops listening and closes every proxied connection. It may be
// called more than once.
func (np *NetProxy) Close() error {
	np.mu.Lock()
	if np.closed {
		np.mu.Unlock()
		return nil
	}
	np.closed = true
	np.mu.Unlock()
	np.proxy.Stop()
	netProxies.Delete(np.id)
	return nil
}

// shapeToxic is abload's toxic at the head of each direction's chain: it
// counts, holds data back while the proxy is cut, and applies the
// direction's shared bandwidth limit.
type shapeToxic struct {
	ID string `json:"id"`
	Up bool   `json:"up"`
}

func (t *shapeToxic) owner() (*NetProxy, *proxyDir) {
	v, ok := netProxies.Load(t.ID)
	if !ok {
		return nil, nil
	}
	np := v.(*NetProxy)
	if t.Up {
		return np, np.dirs[0]
	}
	return np, np.dirs[1]
}

// NewState is called once for each new link (a connection has one link per
// direction): the upstream one counts the connection.
func (t *shapeToxic) NewState() any {
	if np, _ := t.owner(); np != nil && t.Up {
		np.conns.Add(1)
	}
	return nil
}

func (t *shapeToxic) Pipe(stub *toxics.ToxicStub) {
	np, d := t.owner()
	if np == nil { // the proxy is closing: pass through
		new(toxics.NoopToxic).Pipe(stub)
		return
	}
	for {
		cut, change := np.cutState()
		if cut {
			// Read nothing: the sender's buffers fill, as behind a partition.
			select {
			case <-stub.Interrupt:
				return
			case <-change:
			}
			continue
		}
		select {
		case <-stub.Interrupt:
			return
		case <-change:
			continue
		case c := <-stub.Input:
			if c == nil {
				stub.Close()
				return
			}
			d.bytes.Add(int64(len(c.Data)))
			interrupted := d.wait(stub, len(c.Data))
			// Never drop data: on an interrupt (the chain is changing) the
			// chunk still goes out before the toxic gives way.
			if interrupted {
				stub.Output <- c
				return
			}
			select {
			case stub.Output <- c:
			case <-stub.Interrupt:
				stub.Output <- c
				return
			}
		}
	}
}

// wait holds n bytes back until the direction's bandwidth allows them; it
// returns true if the toxic was interrupted meanwhile.
func (d *proxyDir) wait(stub *toxics.ToxicStub, n int) bool {
	for n > 0 {
		if d.lim.Limit() == rate.Inf {
			return false
		}
		k := min(n, max(d.lim.Burst(), 1))
		r := d.lim.ReserveN(time.Now(), k)
		if !r.OK() {
			continue // the burst changed under us
		}
		if dl := r.Delay(); dl > 0 {
			tm := time.NewTimer(dl)
			select {
			case <-tm.C:
			case <-stub.Interrupt:
				tm.Stop()
				return true
			}
		}
		n -= k
	}
	return false
}
