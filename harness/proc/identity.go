package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// StartTicks is when process pid started, in clock ticks after boot
// (/proc/<pid>/stat, field 22). With the pid it identifies a process across
// pid reuse: a pid recorded earlier names the same process only while its
// start time is the same.
func StartTicks(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces or
	// parentheses itself: the fields after it start after the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	fields := bytes.Fields(data[i+1:])
	// fields[0] is field 3 (state): starttime, field 22, is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields)+2)
	}
	if string(fields[0]) == "Z" {
		return 0, fmt.Errorf("process %d has exited (zombie)", pid)
	}
	return strconv.ParseUint(string(fields[19]), 10, 64)
}

// Same reports whether process pid is running and is the one that started
// at ticks (not a later process given the same pid).
func Same(pid int, ticks uint64) bool {
	t, err := StartTicks(pid)
	return err == nil && t == ticks
}

// ErrNotSame is StopRecorded's answer for a process that is gone or whose
// pid now names another process: nothing was signalled.
var ErrNotSame = errors.New("not running (or its pid now names another process)")

// StopRecorded stops a detached process known only by its pid and start
// time: SIGTERM to its process group (a detached process leads its own),
// then SIGKILL after grace. It signals nothing unless pid still names the
// process that started at ticks.
func StopRecorded(pid int, ticks uint64, grace time.Duration) error {
	if !Same(pid, ticks) {
		return ErrNotSame
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for Same(pid, ticks) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			for i := 0; i < 50 && Same(pid, ticks); i++ {
				time.Sleep(100 * time.Millisecond)
			}
			if Same(pid, ticks) {
				return fmt.Errorf("process %d survived SIGKILL", pid)
			}
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}
