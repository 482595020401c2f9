package scenarios

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxCPU is the highest CPU number a CPU list may name (Linux's default
// CPU_SETSIZE is 1024).
const MaxCPU = 1023

// ParseCPUList parses a Linux CPU list as taskset -c and
// /proc/<pid>/status's Cpus_allowed_list write it: comma-separated CPU
// numbers and ranges a-b (a <= b), e.g. "0", "0-1", "0,2", "0-1,4". It
// returns the CPUs in increasing order, without duplicates.
func ParseCPUList(s string) ([]int, error) {
	if s == "" {
		return nil, fmt.Errorf("empty CPU list")
	}
	num := func(v string) (int, error) {
		if v == "" || strings.Trim(v, "0123456789") != "" {
			return 0, fmt.Errorf("malformed CPU list %q (want CPU numbers and ranges such as 0, 0-1 or 0,2)", s)
		}
		n, err := strconv.Atoi(v)
		if err != nil || n > MaxCPU {
			return 0, fmt.Errorf("CPU %s in %q is above %d", v, s, MaxCPU)
		}
		return n, nil
	}
	var in [MaxCPU + 1]bool
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := num(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = num(hi); err != nil {
				return nil, err
			}
			if a > b {
				return nil, fmt.Errorf("range %s in %q runs backwards (want a-b with a <= b)", part, s)
			}
		}
		for c := a; c <= b; c++ {
			in[c] = true
		}
	}
	var cpus []int
	for c, ok := range in {
		if ok {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// FormatCPUList writes CPUs (in increasing order) as a CPU list, runs of
// consecutive CPUs as ranges: [0 1 2 5] → "0-2,5".
func FormatCPUList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// machineCPUs returns the CPUs env.pin may name: those abload may run on
// when it starts (on Linux its CPU affinity, normally every CPU of the
// machine), in increasing order. A variable so tests can fix the machine.
var machineCPUs = func() []int { return startCPUs }

// startCPUs is read once at startup, before anything pins the harness.
var startCPUs = usableCPUs()

// firstCPUs returns 0..n-1.
func firstCPUs(n int) []int {
	cpus := make([]int, n)
	for i := range cpus {
		cpus[i] = i
	}
	return cpus
}
