package cluster

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
)

// FreePorts finds n distinct free TCP ports on 127.0.0.1 for processes that
// bind them later. They are taken below the kernel's ephemeral range when
// it is known (Linux), because outgoing connections take their local ports
// from that range: a port picked there could be taken by any connection
// (the broker's own, a client's) before the process that was to listen on
// it starts, and Flink's REST endpoint then fails with "Could not start
// rest endpoint on any port". Elsewhere the kernel picks (port 0).
func FreePorts(n int) ([]int, error) {
	lo, hi := belowEphemeral()
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		addr := "127.0.0.1:0"
		if hi > lo && tries < 50*n {
			addr = "127.0.0.1:" + strconv.Itoa(lo+rand.IntN(hi-lo))
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			if addr != "127.0.0.1:0" {
				continue // taken: try another
			}
			return nil, fmt.Errorf("allocate port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// belowEphemeral is the range [lo, hi) FreePorts draws from: from 10000 up
// to the start of the kernel's ephemeral port range (0, 0 when that is not
// known or leaves no room).
func belowEphemeral() (lo, hi int) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(b))
	if len(f) < 1 {
		return 0, 0
	}
	start, err := strconv.Atoi(f[0])
	if err != nil || start <= 11000 {
		return 0, 0
	}
	return 10000, start
}
