package netproxy

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

// Proxy is an in-process TCP proxy (Shopify's toxiproxy, used as a
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
type Proxy struct {
	id    string
	proxy *toxiproxy.Proxy

	mu      sync.Mutex // serialises Shape, Cut and Close
	applied Shape      // the latency toxics in place
	closed  bool

	dirs  [2]*proxyDir // [0] client → upstream, [1] upstream → client
	conns atomic.Int64

	cutMu  sync.Mutex
	cut    bool
	change chan struct{} // closed and replaced at each change of cut
}

// Shape is a proxy's shaping of both directions: each chunk of data held
// Latency ± Jitter, and at most KBps kilobytes a second each way (0: no
// limit).
type Shape struct {
	Latency, Jitter time.Duration
	KBps            int64
}

// proxyDir is one direction's counters and bandwidth limit.
type proxyDir struct {
	bytes atomic.Int64
	lim   *rate.Limiter // rate.Inf when unlimited
}

// Stats are a proxy's counters since it started.
type Stats struct {
	Connections int64 // accepted connections
	BytesUp     int64 // client → upstream (the job's requests)
	BytesDown   int64 // upstream → client (the broker's responses)
}

// shapeToxicType is the abload toxic's type name in toxiproxy's registry.
const shapeToxicType = "abload_shape"

func init() { toxics.Register(shapeToxicType, new(shapeToxic)) }

// New starts a proxy listening on listen (host:port; port 0 picks
// one) that forwards each accepted connection to upstream, dialled when the
// connection arrives. It starts unshaped.
func New(listen, upstream string) (*Proxy, error) {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	np := &Proxy{id: hex.EncodeToString(b), change: make(chan struct{})}
	for i := range np.dirs {
		np.dirs[i] = &proxyDir{lim: rate.NewLimiter(rate.Inf, 0)}
	}
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	np.proxy = toxiproxy.NewProxy(srv, "abload-"+np.id, listen, upstream)
	for i, up := range []bool{true, false} {
		attrs, _ := json.Marshal(shapeToxic{ID: np.id, Up: up})
		w, err := np.addToxic(shapeToxicType+"_"+streamName(up), shapeToxicType, up, attrs)
		if err != nil {
			return nil, err
		}
		// toxiproxy built the toxic from its registered type; it learns its
		// proxy here, before the proxy listens (no link exists yet).
		t := w.Toxic.(*shapeToxic)
		t.np, t.dir = np, np.dirs[i]
	}
	if err := np.proxy.Start(); err != nil {
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
func (np *Proxy) Addr() string {
	np.proxy.Lock()
	defer np.proxy.Unlock()
	return np.proxy.Listen
}

// Upstream is where the proxy forwards to.
func (np *Proxy) Upstream() string { return np.proxy.Upstream }

// Stats returns the proxy's counters.
func (np *Proxy) Stats() Stats {
	return Stats{Connections: np.conns.Load(), BytesUp: np.dirs[0].bytes.Load(), BytesDown: np.dirs[1].bytes.Load()}
}

// Shape sets the steady shaping of both directions: latency ± jitter added
// to each direction (whole milliseconds; toxiproxy's unit), and a bandwidth
// limit in KB/s (1 KB = 1000 bytes) per direction for all connections
// together. Zero values remove that shaping.
func (np *Proxy) Shape(latency, jitter time.Duration, bandwidthKBps int64) error {
	if latency < 0 || jitter < 0 || bandwidthKBps < 0 {
		return fmt.Errorf("network proxy: negative shaping (latency %s, jitter %s, bandwidth %d KB/s)", latency, jitter, bandwidthKBps)
	}
	np.mu.Lock()
	defer np.mu.Unlock()
	if np.closed {
		return errors.New("network proxy: closed")
	}
	want := Shape{Latency: latency, Jitter: jitter, KBps: bandwidthKBps}
	for _, d := range np.dirs {
		if want.KBps == 0 {
			d.lim.SetLimit(rate.Inf)
			continue
		}
		bps := float64(want.KBps) * 1000
		// A burst of 1/20 s of traffic (at least a segment, at most 64 KiB):
		// bursts short enough that the limit holds over tens of milliseconds.
		d.lim.SetBurst(int(min(max(bps/20, 1500), 64<<10)))
		d.lim.SetLimit(rate.Limit(bps))
	}
	hadLatency := np.applied.Latency > 0 || np.applied.Jitter > 0
	hasLatency := want.Latency > 0 || want.Jitter > 0
	attrs, _ := json.Marshal(map[string]int64{"latency": want.Latency.Milliseconds(), "jitter": want.Jitter.Milliseconds()})
	for _, up := range []bool{true, false} {
		name := "latency_" + streamName(up)
		var err error
		switch {
		case hasLatency && !hadLatency:
			_, err = np.addToxic(name, "latency", up, attrs)
		case hasLatency && (want.Latency != np.applied.Latency || want.Jitter != np.applied.Jitter):
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

func (np *Proxy) addToxic(name, typ string, up bool, attrs []byte) (*toxics.ToxicWrapper, error) {
	body, _ := json.Marshal(map[string]any{"name": name, "type": typ, "stream": streamName(up), "toxicity": 1, "attributes": json.RawMessage(attrs)})
	w, err := np.proxy.Toxics.AddToxicJson(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("network proxy: add %s toxic: %w", name, err)
	}
	return w, nil
}

// Cut starts (on) or lifts a partition: while it lasts no data flows either
// way; connections stay open and what was sent meanwhile arrives once it is
// lifted.
func (np *Proxy) Cut(on bool) error {
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

func (np *Proxy) cutState() (bool, chan struct{}) {
	np.cutMu.Lock()
	defer np.cutMu.Unlock()
	return np.cut, np.change
}

// State is the steady shaping in place and whether the path is cut.
func (np *Proxy) State() (Shape, bool) {
	np.mu.Lock()
	defer np.mu.Unlock()
	cut, _ := np.cutState()
	return np.applied, cut
}

// Close stops listening and closes every proxied connection. It may be
// called more than once.
func (np *Proxy) Close() error {
	np.mu.Lock()
	if np.closed {
		np.mu.Unlock()
		return nil
	}
	np.closed = true
	np.mu.Unlock()
	np.proxy.Stop()
	return nil
}

// shapeToxic is abload's toxic at the head of each direction's chain: it
// counts, holds data back while the proxy is cut, and applies the
// direction's shared bandwidth limit.
type shapeToxic struct {
	ID string `json:"id"`
	Up bool   `json:"up"`

	np  *Proxy    // set by New before the proxy listens
	dir *proxyDir // this direction's counters and limit
}

// NewState is called once for each new link (a connection has one link per
// direction): the upstream one counts the connection.
func (t *shapeToxic) NewState() any {
	if t.Up {
		t.np.conns.Add(1)
	}
	return nil
}

func (t *shapeToxic) Pipe(stub *toxics.ToxicStub) {
	np, d := t.np, t.dir
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
