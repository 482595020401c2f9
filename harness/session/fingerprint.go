package session

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/abload/abload/reports"
)

// fingerprint describes the host for result.environment: CPU model and
// count, memory and platform, so that compare can tell when two results
// come from different machines.
func fingerprint(e *reports.Environment) {
	e.CPUs = runtime.NumCPU()
	e.OS = runtime.GOOS + "/" + runtime.GOARCH
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				e.CPUModel = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
					e.MemoryMB = kb / 1024
				}
				break
			}
		}
		f.Close()
	}
}
