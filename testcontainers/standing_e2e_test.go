package testcontainers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/internal/testcleanup"
)

// abloadBin is the built binary (make test sets ABLOAD_BIN).
func abloadBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("ABLOAD_BIN")
	if bin == "" {
		t.Fatal("ABLOAD_BIN is not set (make test sets it to the built binary)")
	}
	return bin
}

// runAbload runs the binary to its end.
func runAbload(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	testcleanup.EnvUp(abloadBin(t), args)
	cmd := exec.Command(abloadBin(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// startedAt is when a container last started (Docker's State.StartedAt).
func startedAt(t *testing.T, cli *tc.DockerClient, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ins, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil || ins.Container.State == nil {
		t.Fatalf("inspect %.12s: %v", id, err)
	}
	return ins.Container.State.StartedAt
}

// withLabel lists the containers and networks carrying run label id (any
// run label when id is "").
func withLabel(t *testing.T, cli *tc.DockerClient, id string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	label := LabelRun
	if id != "" {
		label += "=" + id
	}
	f := make(client.Filters).Add("label", label)
	var out []string
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.Items {
		out = append(out, "container "+strings.Join(c.Names, ",")+" ("+string(c.State)+")")
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns.Items {
		out = append(out, "network "+n.Name)
	}
	return out
}

// The Docker environment standing between runs: env up starts its
// containers, which outlive abload; env status checks them; two runs use
// them with --env-file, each metering the containers and leaving them as
// found (the same containers, still running); a scenario that needs the
// run's directory inside the containers is refused; env down saves their
// logs and removes everything carrying the environment's label; status
// then says nothing is up.
func TestDockerStandingEnvironment(t *testing.T) {
	cli, _ := needDocker(t)
	quick := filepath.Join("..", "scenarios", "quick.yaml")
	dir := filepath.Join(t.TempDir(), "env")
	down := func() {
		if stdout, stderr, code := runAbload(t, "env", "down", "--dir", dir); code != 0 {
			t.Errorf("env down: exit %d\n%s\n%s", code, stdout, stderr)
		}
	}
	downed := false
	var label string
	t.Cleanup(func() {
		if !downed {
			down()
		}
		if label == "" {
			return
		}
		if left := withLabel(t, cli, label); len(left) > 0 {
			t.Errorf("left behind: %v", left)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			_ = RemoveLabelled(ctx, cli, label)
			cancel()
		}
	})
	stdout, stderr, code := runAbload(t, "env", "up", quick, "--env", "docker", "--dir", dir, "--set", "env.images=local")
	if code != 0 {
		t.Fatalf("env up: exit %d\n%s\n%s", code, stdout, stderr)
	}
	st, err := standing.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	label = st.Label
	if st.Kind != "docker" || st.Label == "" || len(st.Processes) != 3 {
		t.Fatalf("env.json: kind %q label %q processes %+v: want docker, a label, kafka + jobmanager + 1 taskmanager", st.Kind, st.Label, st.Processes)
	}
	ids := map[string]string{}
	started := map[string]string{} // by container: when it (last) started
	for _, p := range st.Processes {
		if p.Container == "" || p.PID != 0 {
			t.Errorf("process %+v: want a container ID and no pid", p)
		}
		ids[p.Name] = p.Container
		started[p.Container] = startedAt(t, cli, p.Container)
	}
	// The containers outlive the abload that started them.
	if left := withLabel(t, cli, st.Label); len(left) != 4 {
		t.Errorf("after env up exited: %v, want 3 containers and the network", left)
	}
	stdout, stderr, code = runAbload(t, "env", "status", "--dir", dir)
	if code != 0 || !strings.Contains(stdout, ": up, healthy") || strings.Contains(stdout, "NOT") {
		t.Errorf("env status: exit %d, want 0, up and healthy\n%s\n%s", code, stdout, stderr)
	}
	for _, p := range st.Processes {
		if line := fmt.Sprintf("container %.12s running", p.Container); !strings.Contains(stdout, line) {
			t.Errorf("env status does not say %q for %s:\n%s", line, p.Name, stdout)
		}
	}

	for i := 1; i <= 2; i++ {
		out := filepath.Join(t.TempDir(), "run")
		stdout, stderr, code := runAbload(t, "run", quick, "--env-file", dir, "--out", out, "--set", "env.images=local",
			"--set", "workload.rate=300", "--set", "workload.warmup=2s", "--set", "workload.duration=6s", "--set", "workload.cooldown=0s")
		if code != 0 {
			t.Fatalf("run %d: exit %d\n%s\n%s", i, code, stdout, stderr)
		}
		var res struct {
			Valid       bool `json:"valid"`
			Environment struct {
				Kind     string `json:"kind"`
				Standing string `json:"standing"`
			} `json:"environment"`
			Reconciliation struct {
				Expected int64 `json:"expected"`
				Lost     int64 `json:"lost"`
			} `json:"reconciliation"`
			Resources []struct {
				Component string `json:"component"`
				Series    []struct {
					CPUPct float64  `json:"cpu_pct"`
					JITPct *float64 `json:"jit_pct"`
				} `json:"series"`
			} `json:"resources"`
		}
		b, err := os.ReadFile(filepath.Join(out, "result.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatal(err)
		}
		if !res.Valid || res.Environment.Kind != "docker" || res.Environment.Standing == "" || res.Reconciliation.Expected == 0 || res.Reconciliation.Lost != 0 {
			t.Errorf("run %d: valid %v, environment %+v, reconciliation %+v: want a valid run on the standing Docker environment, nothing lost",
				i, res.Valid, res.Environment, res.Reconciliation)
		}
		// The monitor metered the containers (Docker's stats, the JVMs'
		// hsperfdata): the TaskManager worked and compiled while the run
		// measured.
		var tmCPU float64
		jit := 0
		for _, r := range res.Resources {
			if r.Component == "taskmanager-1" {
				for _, s := range r.Series {
					tmCPU += s.CPUPct
					if s.JITPct != nil {
						jit++
					}
				}
			}
		}
		if tmCPU <= 0 || jit == 0 {
			t.Errorf("run %d: taskmanager-1's container metered %.0f %%·s of CPU, %d JIT readings: want both: %+v", i, tmCPU, jit, res.Resources)
		}
		if strings.Contains(stderr, "left the environment") {
			t.Errorf("run %d left the environment changed:\n%s", i, stderr)
		}
		// The same containers, still running.
		now, err := standing.Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		if running, gone, err := now.Running(); err != nil || len(running) != 3 || len(gone) != 0 {
			t.Errorf("after run %d: running %v, gone %v, %v", i, running, gone, err)
		}
		for _, p := range now.Processes {
			if ids[p.Name] != p.Container {
				t.Errorf("after run %d: %s is container %.12s, was %.12s", i, p.Name, p.Container, ids[p.Name])
			} else if at := startedAt(t, cli, p.Container); at != started[p.Container] {
				t.Errorf("after run %d: %s restarted (started %s, then %s)", i, p.Name, started[p.Container], at)
			}
		}
	}

	// A savepoint is written into the run's directory, which the standing
	// containers don't see: refused before anything starts.
	_, stderr, code = runAbload(t, "run", quick, "--env-file", dir, "--out", filepath.Join(t.TempDir(), "sp"), "--set", "env.images=local", "--set", "job.savepoint_at_end=true")
	if code != 2 || !strings.Contains(stderr, "job.savepoint_at_end") {
		t.Errorf("a run with job.savepoint_at_end on the standing Docker environment: exit %d, want 2 naming the field\n%s", code, stderr)
	}

	downed = true
	down()
	if left := withLabel(t, cli, st.Label); len(left) > 0 {
		t.Errorf("after env down: %v", left)
	}
	for _, name := range []string{"kafka", "jobmanager", "taskmanager-1"} {
		if fi, err := os.Stat(filepath.Join(dir, "logs", name+".log")); err != nil || fi.Size() == 0 {
			t.Errorf("env down saved no log of %s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "work")); !os.IsNotExist(err) {
		t.Errorf("the scratch directory is still there after env down: %v", err)
	}
	if stdout, stderr, code := runAbload(t, "env", "status", "--dir", dir); code != 1 || !strings.Contains(stdout+stderr, "no environment is up") {
		t.Errorf("env status after down: exit %d, want 1 saying nothing is up\n%s\n%s", code, stdout, stderr)
	}
}

// Ctrl-C while env up starts the containers: everything it created is
// removed and no state file is left.
func TestDockerEnvUpInterrupted(t *testing.T) {
	cli, _ := needDocker(t)
	dir := filepath.Join(t.TempDir(), "env")
	args := []string{"env", "up", "--env", "docker", "--dir", dir, "--set", "env.images=local"}
	testcleanup.EnvUp(abloadBin(t), args)
	cmd := exec.Command(abloadBin(t), args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var label string
	started, lines := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-lines // the scanner's t.Log ends before the test does
		_ = cmd.Wait()
		if label != "" {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			_ = RemoveLabelled(ctx, cli, label)
			cancel()
		}
	})
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			t.Log(sc.Text())
			if !once && strings.Contains(sc.Text(), "container ") && strings.Contains(sc.Text(), " started") {
				once = true
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(3 * time.Minute):
		t.Fatal("env up never started a container")
	}
	st, err := standing.Read(dir)
	if err != nil || st.Label == "" || st.Status != standing.StatusStarting {
		t.Fatalf("while starting: env.json %+v, %v: want status starting with the run label recorded", st, err)
	}
	label = st.Label
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		select {
		case <-exited:
		case <-time.After(time.Minute):
			t.Error("env up did not exit a minute after SIGINT")
			_ = cmd.Process.Kill()
		}
	}()
	<-lines // stderr closed: the process is ending
	err = cmd.Wait()
	close(exited)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit after SIGINT: %v, want exit code 1", err)
	}
	if left := withLabel(t, cli, st.Label); len(left) > 0 {
		t.Errorf("after an interrupted env up: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, standing.StateFile)); !os.IsNotExist(err) {
		t.Errorf("env.json still there after an interrupted env up: %v", err)
	}
}
