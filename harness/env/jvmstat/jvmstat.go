package jvmstat

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// magic opens every hsperfdata file (stored big-endian).
const magic = 0xcafec0c0

// Prologue and entry header sizes (HotSpot's PerfDataPrologue, PerfDataEntry).
const (
	prologueLen = 32
	entryHdrLen = 20
)

// Counters are a JVM's long-valued counters by name ("sun.os.hrt.frequency").
type Counters map[string]int64

// Parse reads the long-valued scalar counters of an hsperfdata file's
// contents.
func Parse(b []byte) (Counters, error) {
	if len(b) < prologueLen {
		return nil, errors.New("hsperfdata: shorter than its prologue")
	}
	if binary.BigEndian.Uint32(b[0:4]) != magic {
		return nil, errors.New("hsperfdata: bad magic")
	}
	var bo binary.ByteOrder = binary.BigEndian
	if b[4] == 1 {
		bo = binary.LittleEndian
	}
	if b[7] == 0 {
		return nil, errors.New("hsperfdata: not accessible yet (the JVM is starting)")
	}
	off := int(int32(bo.Uint32(b[24:28])))
	n := int(int32(bo.Uint32(b[28:32])))
	out := Counters{}
	for i := 0; i < n; i++ {
		if off < 0 || off+entryHdrLen > len(b) {
			return nil, fmt.Errorf("hsperfdata: entry %d outside the file", i)
		}
		e := b[off:]
		length := int(int32(bo.Uint32(e[0:4])))
		nameOff := int(int32(bo.Uint32(e[4:8])))
		vecLen := int32(bo.Uint32(e[8:12]))
		typ := e[12]
		dataOff := int(int32(bo.Uint32(e[16:20])))
		if length <= 0 || length > len(e) || nameOff < entryHdrLen || nameOff >= length || dataOff < entryHdrLen || dataOff > length {
			return nil, fmt.Errorf("hsperfdata: entry %d malformed", i)
		}
		name := e[nameOff:length]
		if z := bytes.IndexByte(name, 0); z >= 0 {
			name = name[:z]
		}
		if typ == 'J' && vecLen == 0 && dataOff+8 <= length {
			out[string(name)] = int64(bo.Uint64(e[dataOff : dataOff+8]))
		}
		off += length
	}
	return out, nil
}

// CompileTime is the JIT compilers' accumulated compile time, as
// `jstat -compiler` prints it (java.ci.totalTime over the JVM's
// high-resolution tick frequency).
func (c Counters) CompileTime() (time.Duration, bool) {
	freq := c["sun.os.hrt.frequency"]
	ticks, ok := c["java.ci.totalTime"]
	if !ok {
		ticks, ok = c["sun.ci.totalTime"]
	}
	if !ok || freq <= 0 {
		return 0, false
	}
	return time.Duration(float64(ticks) / float64(freq) * float64(time.Second)), true
}

// ReadFile parses one hsperfdata file.
func ReadFile(path string) (Counters, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ProcessCompileTime is the compile time of the JVM with (host) pid, read
// through /proc/<pid>/root so that a JVM in a container is found too (its
// file is named by its pid inside its own namespace).
func ProcessCompileTime(pid int) (time.Duration, error) {
	ns := nsPID(pid)
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/root/tmp/hsperfdata_*/%d", pid, ns))
	if len(files) == 0 {
		return 0, fmt.Errorf("pid %d: no hsperfdata file (not a HotSpot JVM, or -XX:-UsePerfData)", pid)
	}
	c, err := ReadFile(files[0])
	if err != nil {
		return 0, err
	}
	d, ok := c.CompileTime()
	if !ok {
		return 0, fmt.Errorf("pid %d: hsperfdata has no compile time", pid)
	}
	return d, nil
}

// ContainerCompileTime sums the compile time of every JVM in the container
// with id containerID whose first process has host pid (a shell that
// started java included). The pid is checked to be the container's (its
// cgroup names the id): a daemon on another host, or in another pid
// namespace, reports a pid that is not this host's.
func ContainerCompileTime(pid int, containerID string) (time.Duration, error) {
	cg, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil || containerID == "" || !strings.Contains(string(cg), containerID) {
		return 0, fmt.Errorf("pid %d is not container %.12s's on this host", pid, containerID)
	}
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/root/tmp/hsperfdata_*/*", pid))
	var sum time.Duration
	found := false
	for _, f := range files {
		c, err := ReadFile(f)
		if err != nil {
			continue // a JVM that just started or just ended
		}
		if d, ok := c.CompileTime(); ok {
			sum += d
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("container pid %d: no readable hsperfdata file", pid)
	}
	return sum, nil
}

// nsPID is pid's number inside its own pid namespace (the last NSpid of
// /proc/<pid>/status), pid itself when that is unknown.
func nsPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return pid
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
					return n
				}
			}
		}
	}
	return pid
}
