package session

import (
	"context"
	"testing"

	"github.com/abload/abload/harness/env/local"
	"github.com/abload/abload/harness/proc"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// env.pin reaches the local environment and result.json.
func TestPinningFromScenario(t *testing.T) {
	sc := scenarios.Defaults()
	sc.Env.Pin = scenarios.Pin{Kafka: "0", TaskManagers: "1", Harness: "0"}
	env, err := NewEnvironment(sc, nil, t.TempDir(), t.TempDir(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Stop(context.Background())
	if got := env.(*local.Env).Config().Pin; got != sc.Env.Pin {
		t.Errorf("local.Config.Pin = %+v, want %+v", got, sc.Env.Pin)
	}
	if got := proc.PinText(sc.Env.Pin); got != "kafka on CPUs 0, taskmanagers on CPUs 1" {
		t.Errorf("pinText = %q", got)
	}
	p := envPin(sc.Env)
	if p == nil || *p != (reports.Pinning{Kafka: "0", TaskManagers: "1", Harness: "0"}) {
		t.Errorf("envPin = %+v", p)
	}
	if got := p.String(); got != "kafka=0 taskmanagers=1 harness=0" {
		t.Errorf("Pinning.String = %q", got)
	}
	if p := envPin(scenarios.Defaults().Env); p != nil {
		t.Errorf("envPin of an unpinned scenario = %+v, want nil (left out of result.json)", p)
	}
}
