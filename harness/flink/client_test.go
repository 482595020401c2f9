package flink

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"1000 ms": time.Second, "10 s": 10 * time.Second, "2min": 2 * time.Minute, "500": 500 * time.Millisecond, " 3 seconds ": 3 * time.Second} {
		if got, ok := ParseDuration(in); !ok || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "ms", "5 fortnights"} {
		if _, ok := ParseDuration(in); ok {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}

// After a failover Flink reads a vertex RUNNING once one of its subtasks
// runs: the job is up only when every subtask is (GET /jobs/{id} as Flink
// 2.2 answers it, trimmed).
func TestAllRunning(t *testing.T) {
	const body = `{"jid":"e8","name":"abload-quick","state":"RUNNING","vertices":[
	 {"id":"a","name":"Source: events-source","parallelism":2,"status":"RUNNING",
	  "tasks":{"CREATED":0,"SCHEDULED":0,"DEPLOYING":0,"INITIALIZING":0,"RUNNING":2,"FINISHED":0,"CANCELING":0,"CANCELED":0,"FAILED":0,"RECONCILING":0}},
	 {"id":"b","name":"updates-sink","parallelism":2,"status":"RUNNING",
	  "tasks":{"CREATED":0,"SCHEDULED":0,"DEPLOYING":1,"INITIALIZING":0,"RUNNING":1,"FINISHED":0,"CANCELING":0,"CANCELED":0,"FAILED":0,"RECONCILING":0}}]}`
	var j JobDetails
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		t.Fatal(err)
	}
	if j.AllRunning() {
		t.Error("one sink subtask deploying: up")
	}
	j.Vertices[1].Tasks["DEPLOYING"], j.Vertices[1].Tasks["RUNNING"] = 0, 2
	if !j.AllRunning() {
		t.Error("every subtask running: not up")
	}
	j.State = "RESTARTING"
	if j.AllRunning() {
		t.Error("job restarting: up")
	}
	// Without task counts the vertices' status decides.
	old := JobDetails{State: "RUNNING", Vertices: []Vertex{{Parallelism: 2, Status: "RUNNING"}, {Parallelism: 1, Status: "INITIALIZING"}}}
	if old.AllRunning() {
		t.Error("a vertex initializing, no task counts: up")
	}
	old.Vertices[1].Status = "RUNNING"
	if !old.AllRunning() {
		t.Error("every vertex running, no task counts: not up")
	}
	if (&JobDetails{State: "RUNNING"}).AllRunning() || (*JobDetails)(nil).AllRunning() {
		t.Error("no vertices: up")
	}
}
