package proc

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/abload/abload/scenarios"
)

// TestPinHelperProcess is the child of the pinning tests: a Go process
// with several threads (the runtime's, and four locked ones), alive for a
// few seconds.
func TestPinHelperProcess(t *testing.T) {
	if os.Getenv("ABLOAD_PIN_HELPER") != "1" {
		t.Skip("the child process of the pinning tests")
	}
	for i := 0; i < 4; i++ {
		go func() {
			runtime.LockOSThread()
			select {}
		}()
	}
	time.Sleep(5 * time.Second)
}

// allowedCPUs reads a task's Cpus_allowed_list from its status file.
func allowedCPUs(t *testing.T, status string) string {
	t.Helper()
	data, err := os.ReadFile(status)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("%s: no Cpus_allowed_list", status)
	return ""
}

// threadCPUs returns each thread's Cpus_allowed_list of process pid
// ("self" for this one), by thread id.
func threadCPUs(t *testing.T, pid string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join("/proc", pid, "task"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		out[e.Name()] = allowedCPUs(t, filepath.Join("/proc", pid, "task", e.Name(), "status"))
	}
	return out
}

// allOn fails unless every thread in threads runs on cpus.
func allOn(t *testing.T, what string, threads map[string]string, cpus string) {
	t.Helper()
	for tid, got := range threads {
		if got != cpus {
			t.Errorf("%s: thread %s has Cpus_allowed_list %q, want %q (all: %v)", what, tid, got, cpus, threads)
			return
		}
	}
}

// needCPUs0and1 skips unless this process may run on CPUs 0 and 1 and
// returns its affinity as a CPU list.
func needCPUs0and1(t *testing.T) string {
	t.Helper()
	orig := allowedCPUs(t, "/proc/self/status")
	list, err := scenarios.ParseCPUList(orig)
	if err != nil {
		t.Fatalf("Cpus_allowed_list %q: %v", orig, err)
	}
	if len(list) < 2 || list[0] != 0 || list[1] != 1 {
		t.Skipf("needs CPUs 0 and 1; this process may use %s", orig)
	}
	return orig
}

// startHelper starts the helper process through Start (the path the
// local environment starts its JVMs on) pinned to cpus, and waits until
// the helper runs its threads.
func startHelper(t *testing.T, cpus string) *Process {
	t.Helper()
	p, err := Start("pin-helper", filepath.Join(t.TempDir(), "helper.out"), []string{"ABLOAD_PIN_HELPER=1"}, cpus,
		os.Args[0], "-test.run=^TestPinHelperProcess$")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop(time.Second) })
	pid := p.Cmd.Process.Pid
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		// taskset execs the helper: same pid, the test binary as its
		// executable, then the runtime's threads and the four locked ones.
		exe, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
		if ents, _ := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task")); exe == self && len(ents) >= 5 {
			return p
		}
		if p.Exited() || time.Now().After(deadline) {
			t.Fatalf("helper (pid %d, exe %q) did not start its threads: %v", pid, exe, p.Failure("did not start"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// withMechanism runs f with children pinned through taskset (when it is
// installed) and through the forking thread's affinity.
func withMechanism(t *testing.T, f func(t *testing.T)) {
	saved := tasksetPath
	t.Cleanup(func() { tasksetPath = saved })
	for _, m := range []struct {
		name string
		path string
	}{{"taskset", saved()}, {"sched_setaffinity", ""}} {
		t.Run(m.name, func(t *testing.T) {
			if m.name == "taskset" && m.path == "" {
				t.Skip("taskset is not installed")
			}
			tasksetPath = func() string { return m.path }
			f(t)
		})
	}
}

// A process started pinned has the affinity in every thread, keeps its pid
// (signals and stop work on it), and the harness's own threads keep theirs.
func TestPinnedProcessRunsOnItsCPUs(t *testing.T) {
	orig := needCPUs0and1(t)
	withMechanism(t, func(t *testing.T) {
		p := startHelper(t, "1")
		allOn(t, "pinned helper", threadCPUs(t, strconv.Itoa(p.Cmd.Process.Pid)), "1")
		allOn(t, "harness", threadCPUs(t, "self"), orig)
		p.Stop(2 * time.Second)
		if !p.Exited() {
			t.Error("stop did not end the pinned helper")
		}
		// Unpinned: it inherits the harness's CPUs.
		q := startHelper(t, "")
		allOn(t, "unpinned helper", threadCPUs(t, strconv.Itoa(q.Cmd.Process.Pid)), orig)
	})
}

// Pinning the harness pins every thread of it, threads started later too;
// unpinned children get the CPUs the harness had before; unpinning gives
// every thread its affinity back.
func TestPinHarness(t *testing.T) {
	orig := needCPUs0and1(t)
	withMechanism(t, func(t *testing.T) {
		threads, unpin, err := PinHarness("1")
		if err != nil {
			t.Fatal(err)
		}
		defer unpin()
		if threads < 2 {
			t.Errorf("pinned %d threads, want all of them", threads)
		}
		allOn(t, "pinned harness", threadCPUs(t, "self"), "1")
		// A thread created now inherits the pinning.
		started := make(chan struct{})
		stop := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			close(started)
			<-stop
		}()
		<-started
		allOn(t, "pinned harness, new thread", threadCPUs(t, "self"), "1")
		close(stop)

		if _, _, err := PinHarness("0"); err == nil {
			t.Error("a second run pinning abload to other CPUs was not refused")
		}
		// A second run with the same CPUs shares the pinning until both end.
		_, unpin2, err := PinHarness("1-1")
		if err != nil {
			t.Fatalf("a second run with the same CPUs: %v", err)
		}
		unpin2()
		allOn(t, "harness still pinned by the first run", threadCPUs(t, "self"), "1")

		unpinned := startHelper(t, "")
		allOn(t, "unpinned helper of a pinned harness", threadCPUs(t, strconv.Itoa(unpinned.Cmd.Process.Pid)), orig)
		other := startHelper(t, "0")
		allOn(t, "helper pinned to 0", threadCPUs(t, strconv.Itoa(other.Cmd.Process.Pid)), "0")
		allOn(t, "pinned harness after starting children", threadCPUs(t, "self"), "1")

		unpin()
		unpin() // a second call does nothing
		allOn(t, "unpinned harness", threadCPUs(t, "self"), orig)
	})
}
