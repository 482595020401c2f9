package reports

import (
	"encoding/json"
	"strings"
	"testing"
)

// The pinning appears in result.json's environment and in the reports'
// environment line, and is left out when nothing was pinned.
func TestEnvironmentPinning(t *testing.T) {
	e := Environment{Kind: "local", Pin: &Pinning{Kafka: "0", TaskManagers: "1,3", Harness: "0"}}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"pin":{"kafka":"0","taskmanagers":"1,3","harness":"0"}`; !strings.Contains(string(data), want) {
		t.Errorf("environment JSON %s lacks %s", data, want)
	}
	if got, want := envText(e), "local; CPU pinning kafka=0 taskmanagers=1,3 harness=0"; got != want {
		t.Errorf("envText = %q, want %q", got, want)
	}
	data, _ = json.Marshal(Environment{Kind: "local"})
	if strings.Contains(string(data), "pin") {
		t.Errorf("unpinned environment JSON %s mentions pin", data)
	}
}
