package testcontainers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/env/standing"
	"github.com/abload/abload/scenarios"
)

// A Docker environment that outlives the process that started it (abload
// env up): without a reaper its containers run on after that process exits.
// Package standing records them by ID with the run label, and checks,
// meters and removes them through the functions below, from other
// processes.

func init() {
	standing.RegisterDocker(standing.DockerKind{
		New: func(sc *scenarios.Scenario, rt *cluster.Runtime, logDir, workDir string, logf func(string, ...any)) (standing.DockerEnv, error) {
			return NewFor(sc, rt, logDir, workDir, logf)
		},
		Running:    ContainersRunning,
		Components: ContainerComponents,
		Remove:     RemoveStanding,
	})
}

// Container is one container of a Docker environment.
type Container = standing.Container

// Containers lists the environment's containers, by name (after Start).
func (e *Env) Containers() []Container {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Container, 0, len(e.nodes))
	for _, n := range e.nodes {
		out = append(out, Container{Name: n.name, ID: n.id})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func dockerClient(ctx context.Context) (*tc.DockerClient, error) {
	cli, err := tc.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	return cli, nil
}

// ContainersRunning says which of the containers run (and are not paused),
// by ID; a container that no longer exists does not run. Any other answer
// from Docker is an error.
func ContainersRunning(ctx context.Context, cs []Container) (map[string]bool, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	out := map[string]bool{}
	for _, c := range cs {
		ins, err := cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
		switch {
		case errdefs.IsNotFound(err):
			out[c.ID] = false // removed by hand, or the daemon lost it
		case err != nil:
			return nil, fmt.Errorf("docker: inspect %s (%.12s): %w", c.Name, c.ID, err)
		default:
			st := ins.Container.State
			out[c.ID] = st != nil && st.Running && !st.Paused
		}
	}
	return out, nil
}

// ContainerComponents are the containers as the monitor meters them
// (Docker stats: CPU, memory, throttling, the JVMs' JIT), with the limits
// they were created with. close ends the metering (the client the readers
// share).
func ContainerComponents(ctx context.Context, cs []Container) (comps []env.Component, close func(), err error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []env.Component
	for _, c := range cs {
		ins, err := cli.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
		if err != nil {
			cli.Close()
			return nil, nil, fmt.Errorf("docker: inspect %s (%.12s): %w", c.Name, c.ID, err)
		}
		comp := env.Component{Name: c.Name, Read: func() (env.Usage, error) { return usage(cli, c.ID) }}
		if hc := ins.Container.HostConfig; hc != nil {
			comp.CPULimit, comp.MemLimitBytes = float64(hc.NanoCPUs)/1e9, hc.Memory
		}
		out = append(out, comp)
	}
	return out, func() { cli.Close() }, nil
}

// RemoveStanding saves the log of each container carrying the run label id
// into logDir (<component>.log, as Stop does), recorded or not (an up
// killed outright records none), and removes them and the network.
func RemoveStanding(ctx context.Context, id, logDir string) error {
	if id == "" {
		return errors.New("no run label: nothing to remove by")
	}
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return err
	}
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelRun+"="+id)})
	if err != nil {
		return fmt.Errorf("docker: list containers: %w", err)
	}
	for _, c := range cs.Items {
		name := c.Labels[LabelComponent]
		if name == "" {
			name = c.ID
		}
		saveLogByID(ctx, cli, Container{Name: name, ID: c.ID}, logDir)
	}
	return RemoveLabelled(ctx, cli, id)
}

// saveLogByID writes a container's log (stdout and stderr, demultiplexed)
// to logDir/<name>.log; a container already gone leaves its log as it was.
func saveLogByID(ctx context.Context, cli *tc.DockerClient, c Container, logDir string) {
	rc, err := cli.ContainerLogs(ctx, c.ID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return
	}
	defer rc.Close()
	f, err := os.Create(filepath.Join(logDir, c.Name+".log"))
	if err != nil {
		return
	}
	defer f.Close()
	_, _ = stdcopy.StdCopy(f, f, rc)
}

// NewFor is the environment the registry builds for a scenario, with
// workDir as its scratch directory and no directory shared with a run's
// output (a standing environment outlives its runs' directories).
func NewFor(sc *scenarios.Scenario, rt *cluster.Runtime, logDir, workDir string, logf func(string, ...any)) (*Env, error) {
	rec, err := rt.Recipe()
	if err != nil {
		return nil, err
	}
	return New(configFor(env.Spec{Scenario: sc, Runtime: rt, LogDir: logDir, Logf: logf}, rec, workDir)), nil
}
