package env

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/abload/abload/harness/env/jvmstat"
)

// Component is one process or container of an environment (or the harness
// itself), for resource sampling.
type Component struct {
	Name string
	PID  int
	// Read, when set, meters the component itself (a container's cgroup,
	// read through the Docker API) instead of /proc/<PID>.
	Read func() (Usage, error)
	// JVM says the component is a HotSpot JVM (a container: runs them),
	// whose JIT compile time is read from its hsperfdata (package jvmstat).
	JVM bool
	// CPULimit (cores) and MemLimitBytes are the component's limits; 0 = none.
	CPULimit      float64
	MemLimitBytes int64
}

// Usage is a component's cumulative resource use at one moment.
type Usage struct {
	// Instance identifies one incarnation (a PID, a container's start
	// time): counters restart with it.
	Instance  string
	CPUNanos  int64 // CPU time used, cumulative
	MemBytes  int64 // resident memory (a container: usage minus page cache)
	Periods   int64 // CFS enforcement periods, cumulative (containers with a CPU limit)
	Throttled int64 // periods in which the CPU limit throttled it, cumulative
	// AtNs is when the counters were read (Unix ns), if the source says so
	// (Docker stats do); 0: at the sampling tick. Rates divide by the time
	// between two reads, not between two ticks: an API call's latency
	// varies and would otherwise inflate or deflate CPU %.
	AtNs int64
	// JIT is the JIT compilers' accumulated compile time, when JITKnown
	// (a JVM whose hsperfdata could be read).
	JIT      time.Duration
	JITKnown bool
}

// Sample returns the component's usage, from Read or /proc.
func (c Component) Sample() (Usage, error) {
	if c.Read != nil {
		return c.Read()
	}
	s, err := readProc(c.PID)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{Instance: strconv.Itoa(c.PID), CPUNanos: s.cpuTicks * (1e9 / clockTicks), MemBytes: s.rssBytes}
	if c.JVM {
		u.JIT, err = jvmstat.ProcessCompileTime(c.PID)
		u.JITKnown = err == nil
	}
	return u, nil
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times
// (100 on every Linux architecture Go supports).
const clockTicks = 100

// procSample is a process's cumulative CPU time and resident memory.
type procSample struct {
	cpuTicks int64
	rssBytes int64
}

// readProc reads /proc/<pid>/stat (utime + stime) and /proc/<pid>/statm (resident pages).
func readProc(pid int) (procSample, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procSample{}, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: parse after the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return procSample{}, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return procSample{}, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return procSample{}, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	statm, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		return procSample{}, err
	}
	g := strings.Fields(string(statm))
	if len(g) < 2 {
		return procSample{}, fmt.Errorf("/proc/%d/statm: malformed", pid)
	}
	pages, err := strconv.ParseInt(g[1], 10, 64)
	if err != nil {
		return procSample{}, fmt.Errorf("/proc/%d/statm: %w", pid, err)
	}
	return procSample{cpuTicks: ut + st, rssBytes: pages * int64(os.Getpagesize())}, nil
}
