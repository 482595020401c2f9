package standing

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/scenarios"
)

func TestFitsNamesEveryDifferingField(t *testing.T) {
	st := &State{Dir: "/x", Env: scenarios.Defaults().Env}
	if err := st.Fits(scenarios.Defaults().Env); err != nil {
		t.Fatalf("same env section: %v", err)
	}
	other := scenarios.Defaults().Env
	other.TaskManagers = 3
	other.Slots = 1
	err := st.Fits(other)
	if err == nil {
		t.Fatal("another env section fits")
	}
	for _, want := range []string{"env.taskmanagers: the scenario has 3, the environment 1", "env.slots: the scenario has 1, the environment 2", "abload env up"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The kind is the environment's (the run takes it from the file).
	other = scenarios.Defaults().Env
	other.Kind = ""
	if err := st.Fits(other); err != nil {
		t.Errorf("kind left to the file: %v", err)
	}
}

func TestRefuse(t *testing.T) {
	for _, c := range []struct {
		set  func(*scenarios.Scenario)
		want string
	}{
		{func(sc *scenarios.Scenario) { sc.Env.Kind = scenarios.EnvExternal }, "local or the Docker environment"},
		{func(sc *scenarios.Scenario) { sc.Env.Scheduler = scenarios.SchedulerReactive }, "Reactive Mode"},
	} {
		sc := scenarios.Defaults()
		c.set(sc)
		if err := Refuse(sc); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Refuse = %v, want %q", err, c.want)
		}
	}
	if err := Refuse(scenarios.Defaults()); err != nil {
		t.Errorf("defaults refused: %v", err)
	}
	docker := scenarios.Defaults()
	docker.Env.Kind = scenarios.EnvDocker
	if err := Refuse(docker); err != nil {
		t.Errorf("the Docker kind refused: %v", err)
	}
	// The network proxy stands too: each run starts its own at the
	// address the broker advertises to the job.
	sc := scenarios.Defaults()
	sc.Env.Network.Latency = scenarios.Duration{Duration: time.Millisecond}
	if err := Refuse(sc); err != nil {
		t.Errorf("env.network refused: %v", err)
	}
}

func TestReadSaysWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "no environment is up") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := Read(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "none")) {
		t.Errorf("missing dir: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, StateFile), []byte(`{"schema":"abload.result/v1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir); err == nil || !strings.Contains(err.Error(), `expected "abload.env/v1"`) {
		t.Errorf("other schema: %v", err)
	}
}

// One holder at a time; a released lock is free, and a probe (status)
// takes nothing.
func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock(dir); err == nil || !strings.Contains(err.Error(), "in use by pid") {
		t.Errorf("second lock: %v", err)
	}
	if who := inUse(dir); who == "" {
		t.Error("inUse says free while held")
	}
	l.release()
	if who := inUse(dir); who != "" {
		t.Errorf("inUse = %q after release", who)
	}
	l2, err := lock(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.release()
}

// A detached process outlives nothing here but is found by pid and start
// time, stopped through its process group, and a record whose start time
// differs (a reused pid) signals nothing.
func TestStopRecordedChecksTheStartTime(t *testing.T) {
	p, err := proc.StartDetached("sleeper", filepath.Join(t.TempDir(), "out"), nil, "", "sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	pid := p.Cmd.Process.Pid
	ticks, err := proc.StartTicks(pid)
	if err != nil {
		t.Fatal(err)
	}
	if pgid, _ := syscall.Getpgid(pid); pgid != pid {
		t.Errorf("detached process: pgid %d, want its pid %d (a session of its own)", pgid, pid)
	}
	if err := proc.StopRecorded(pid, ticks+1, time.Second); err != proc.ErrNotSame {
		t.Errorf("another start time: %v, want ErrNotSame", err)
	}
	if !proc.Same(pid, ticks) {
		t.Fatal("signalled although the start time differed")
	}
	if err := proc.StopRecorded(pid, ticks, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done:
	case <-time.After(5 * time.Second):
		t.Fatal("still running after StopRecorded")
	}
	if _, ok := p.Cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !p.Cmd.ProcessState.Sys().(syscall.WaitStatus).Signaled() {
		t.Errorf("exit: %v, want killed by a signal", p.Err)
	}
}
