package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/abload/abload/scenarios"
)

// CPU affinity (env.pin). A process's threads inherit the affinity of the
// thread that creates them, so a child started with an affinity keeps it in
// every thread its JVM starts. Children are started with one of two
// mechanisms: through `taskset -c LIST` (util-linux) when it is installed,
// which sets its own affinity and execs the command (same pid, same process
// group); otherwise the forking thread is locked, given the affinity for the
// fork and given its own back afterwards.

// affinity is abload's own pinning (env.pin.harness); its mutex also keeps
// a pinning from interleaving with a child's start.
var affinity struct {
	mu   sync.Mutex
	cpus string      // what the harness is pinned to; "" = not pinned
	refs int         // runs holding the pinning
	orig unix.CPUSet // the threads' affinity before it
}

// tasksetPath is taskset's path, "" when it is not installed.
var tasksetPath = sync.OnceValue(func() string {
	p, err := exec.LookPath("taskset")
	if err != nil {
		return ""
	}
	return p
})

// Mechanism names how children are pinned, for the log.
func Mechanism() string {
	if tasksetPath() != "" {
		return "taskset"
	}
	return "sched_setaffinity"
}

// cpuSet converts a CPU list to a CPUSet.
func cpuSet(cpus string) (unix.CPUSet, error) {
	var set unix.CPUSet
	list, err := scenarios.ParseCPUList(cpus)
	if err != nil {
		return set, err
	}
	for _, c := range list {
		set.Set(c)
	}
	return set, nil
}

// cpuList converts a CPUSet to a CPU list.
func cpuList(set *unix.CPUSet) string {
	var cpus []int
	for c := 0; c <= scenarios.MaxCPU; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return scenarios.FormatCPUList(cpus)
}

// StartCmd starts cmd on the CPUs of the list cpus. "" starts it on the
// CPUs abload had before pinning itself: unpinned components must not
// inherit the harness's pinning.
//
// Every start runs on the spawner thread (onSpawner): the children abload
// starts die with it (Pdeathsig), and Linux sends that signal when the
// *thread* that forked a child ends, not the process. Go ends a thread
// when a goroutine locked to it returns without unlocking; a child forked
// from such a thread would be killed then, in the middle of a run.
func StartCmd(cmd *exec.Cmd, cpus string) error {
	affinity.mu.Lock()
	defer affinity.mu.Unlock()
	if cpus == "" && affinity.refs > 0 {
		cpus = cpuList(&affinity.orig)
	}
	var err error
	onSpawner(func() { err = startPinned(cmd, cpus, tasksetPath()) })
	return err
}

var spawner struct {
	once sync.Once
	work chan func()
}

// onSpawner runs f on the spawner: one goroutine locked to its OS thread
// for the life of the process, so that the thread every child was forked
// from never ends before abload does.
func onSpawner(f func()) {
	spawner.once.Do(func() {
		spawner.work = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread must outlive every child
			for g := range spawner.work {
				g()
			}
		}()
	})
	done := make(chan struct{})
	spawner.work <- func() { defer close(done); f() }
	<-done
}

// startPinned starts cmd with the affinity cpus ("" = inherited), through
// taskset if that is its path, else with the forking thread's affinity.
func startPinned(cmd *exec.Cmd, cpus, taskset string) error {
	if cpus == "" || cmd.Err != nil { // cmd.Start reports cmd.Err
		return cmd.Start()
	}
	if taskset != "" {
		// taskset execs the command: the pid, and with it the process
		// group and every signal sent to it, stay the command's.
		cmd.Args = append([]string{taskset, "-c", cpus, cmd.Path}, cmd.Args[1:]...)
		cmd.Path = taskset
		return cmd.Start()
	}
	set, err := cpuSet(cpus)
	if err != nil {
		return err
	}
	// The child is forked by this goroutine's thread and inherits its
	// affinity; a locked thread runs nothing else meanwhile, and the
	// runtime creates no threads from it.
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("read CPU affinity: %w", err)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("set CPU affinity to %s: %w", cpus, err)
	}
	err = cmd.Start()
	if rerr := unix.SchedSetaffinity(0, &old); rerr != nil {
		// On the spawner the thread stays locked anyway (and must not
		// end: it forked the child); a later unpinned start may inherit
		// the child's CPUs, which this error reports.
		runtime.UnlockOSThread()
		return errors.Join(err, fmt.Errorf("restore CPU affinity: %w", rerr))
	}
	runtime.UnlockOSThread()
	return err
}

// CombinedOutput runs a helper command (unpinned) as exec.Cmd's
// CombinedOutput does.
func CombinedOutput(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out // one writer: os/exec writes to it from one goroutine
	if err := StartCmd(cmd, ""); err != nil {
		return nil, err
	}
	err := cmd.Wait()
	return out.Bytes(), err
}

// PinHarness pins every thread of abload to the CPU list cpus (threads
// created later inherit it from their creators) and returns how many
// threads it pinned and the function that gives them their affinity back.
// Runs that overlap in one process must ask for the same CPUs.
func PinHarness(cpus string) (threads int, unpin func(), err error) {
	set, err := cpuSet(cpus)
	if err != nil {
		return 0, nil, err
	}
	cpus = cpuList(&set) // canonical: "0,1" and "0-1" are the same CPUs
	affinity.mu.Lock()
	defer affinity.mu.Unlock()
	switch {
	case affinity.refs > 0 && affinity.cpus != cpus:
		return 0, nil, fmt.Errorf("abload is pinned to CPUs %s by another run", affinity.cpus)
	case affinity.refs > 0:
		tids, _ := threadIDs() // pinned already
		threads = len(tids)
	default:
		var orig unix.CPUSet
		if err := unix.SchedGetaffinity(0, &orig); err != nil {
			return 0, nil, fmt.Errorf("read CPU affinity: %w", err)
		}
		if threads, err = setAllThreads(&set); err != nil {
			_, _ = setAllThreads(&orig)
			return 0, nil, fmt.Errorf("pin abload to CPUs %s: %w", cpus, err)
		}
		affinity.cpus, affinity.orig = cpus, orig
	}
	affinity.refs++
	var once sync.Once
	return threads, func() {
		once.Do(func() {
			affinity.mu.Lock()
			defer affinity.mu.Unlock()
			if affinity.refs--; affinity.refs == 0 {
				_, _ = setAllThreads(&affinity.orig)
				affinity.cpus = ""
			}
		})
	}, nil
}

// setAllThreads sets the affinity of every thread of this process. A thread
// created meanwhile by one not yet set is caught by the next pass.
func setAllThreads(set *unix.CPUSet) (int, error) {
	done := map[int]bool{}
	for pass := 0; pass < 10; pass++ {
		tids, err := threadIDs()
		if err != nil {
			return len(done), err
		}
		fresh := false
		for _, tid := range tids {
			if done[tid] {
				continue
			}
			fresh = true
			if err := unix.SchedSetaffinity(tid, set); err != nil {
				if errors.Is(err, unix.ESRCH) {
					continue // the thread ended
				}
				return len(done), fmt.Errorf("thread %d: %w", tid, err)
			}
			done[tid] = true
		}
		if !fresh {
			break
		}
	}
	return len(done), nil
}

// threadIDs lists this process's threads.
func threadIDs() ([]int, error) {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids, nil
}

// PinText describes the components' pinning, e.g. "kafka on CPUs 0,
// taskmanagers on CPUs 1".
func PinText(p scenarios.Pin) string {
	var parts []string
	for _, c := range []struct{ name, cpus string }{{"kafka", p.Kafka}, {"jobmanager", p.JobManager}, {"taskmanagers", p.TaskManagers}} {
		if c.cpus != "" {
			parts = append(parts, c.name+" on CPUs "+c.cpus)
		}
	}
	return strings.Join(parts, ", ")
}
