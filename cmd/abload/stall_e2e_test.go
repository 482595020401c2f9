package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/abload/abload/reports"
)

// A stall on the harness's side shows in the tail. abload itself is
// stopped (SIGSTOP) for 2 s in the middle of the measurement phase — a
// load generator's GC pause or a busy host — while the job runs on. The
// events due meanwhile go out 0–2 s late. Latency counts from each event's
// intended time, so every event's e2e latency is at least its send delay:
// every quantile of the measured e2e latencies is at least the same
// quantile of their send delays (both from latency.hlog, over the same
// events). A harness timing from the send would see the stall only in the
// few events whose outputs it read late, and its e2e p90 and p95 would lie
// far below the send delay's (about 0.6 s and 1.3 s here).
func TestSenderStallShowsInTail(t *testing.T) {
	const stall = 2 * time.Second
	out := filepath.Join(t.TempDir(), "res")
	// On the shared standing environment: the stall is abload's own (its
	// JVMs are detached, SIGSTOP reaches abload alone either way).
	cmd := exec.Command(bin, "run", quick, "--out", out, "--env-file", sharedEnv(t), "--set", "workload.rate=500",
		"--set", "workload.warmup=3s", "--set", "workload.duration=14s", "--set", "workload.cooldown=0s",
		// The stall is the point: it is not the run's fault.
		"--set", "workload.max_send_delay=60s", "--set", "workload.max_consumer_delay=60s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logMu sync.Mutex
	var logb strings.Builder
	logText := func() string { logMu.Lock(); defer logMu.Unlock(); return logb.String() }
	measuring := make(chan struct{})
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		seen := false
		for sc.Scan() {
			logMu.Lock()
			logb.WriteString(sc.Text() + "\n")
			logMu.Unlock()
			if !seen && sc.Text() == "abload: phase=measure" {
				seen = true
				close(measuring)
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case <-measuring:
	case <-time.After(4 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("phase=measure never logged:\n%s", logText())
	}
	time.Sleep(5 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stall)
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("abload: %v\n%s", err, logText())
		}
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("abload did not finish:\n%s", logText())
	}
	assertSharedEnvAsFound(t)
	res := readResult(t, out)
	if res.Reconciliation.Lost != 0 {
		t.Errorf("lost %d events", res.Reconciliation.Lost)
	}
	hs, err := reports.ReadHlog(filepath.Join(out, "latency.hlog"))
	if err != nil {
		t.Fatal(err)
	}
	e2e, sd := hs[""], hs["send_delay"]
	if e2e == nil || sd == nil {
		t.Fatalf("latency.hlog lacks e2e or send delay: %v", hs)
	}
	t.Logf("%d events: e2e p50/p90/p95/p99 %d/%d/%d/%d ms; send delay %d/%d/%d/%d ms", e2e.TotalCount(),
		e2e.ValueAtQuantile(50)/1000, e2e.ValueAtQuantile(90)/1000, e2e.ValueAtQuantile(95)/1000, e2e.ValueAtQuantile(99)/1000,
		sd.ValueAtQuantile(50)/1000, sd.ValueAtQuantile(90)/1000, sd.ValueAtQuantile(95)/1000, sd.ValueAtQuantile(99)/1000)
	if e2e.TotalCount() != sd.TotalCount() {
		t.Errorf("%d e2e latencies, %d send delays: not the same events", e2e.TotalCount(), sd.TotalCount())
	}
	// The stall hit the sender: the 1,000 events of its 2 s (of 7,000
	// measured) went out late by 2 s down to 0, so the top 5% (350 events)
	// by at least 1.3 s and the first by the whole stall (the signals'
	// own latency adds a little).
	if p95, mx := sd.ValueAtQuantile(95), sd.Max(); p95 < 1_000_000 || p95 > 1_600_000 || mx < 1_900_000 || mx > 2_600_000 {
		t.Fatalf("send delay p95 %d ms, max %d ms: want p95 within [1000, 1600] and max within [1900, 2600] for a 2 s stall", p95/1000, mx/1000)
	}
	// And e2e adds only the pipeline's own latency on top (plus catching
	// up on the stall's events): not another second.
	if a, b := e2e.ValueAtQuantile(99), sd.ValueAtQuantile(99); a > b+1_000_000 {
		t.Errorf("e2e p99 %d ms, send delay p99 %d ms: e2e more than a second beyond the stall", a/1000, b/1000)
	}
	for _, q := range []float64{50, 80, 90, 95, 99, 99.9} {
		if a, b := e2e.ValueAtQuantile(q), sd.ValueAtQuantile(q); a < b {
			t.Errorf("e2e p%g %d ms < send delay p%g %d ms: latency is not counted from the intended time", q, a/1000, q, b/1000)
		}
	}
}
