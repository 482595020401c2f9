package flinktest

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/abload/abload/harness/flink"
)

// Server is a Flink REST endpoint for unit tests: it serves the job,
// vertex and TaskManager metrics, checkpoint history and details the test
// sets, the way Flink's REST API shapes them. Only what the monitor and the
// measurement snapshots read is there. A test changes its fields while
// holding its lock (Lock, Unlock).
type Server struct {
	Srv *httptest.Server

	sync.Mutex
	JobID    string
	Vertices []flink.Vertex
	// Metrics: vertex id → metric id → one value per subtask (NaN: the
	// subtask has no value).
	Metrics     map[string]map[string][]float64
	ReadRecords map[string][]int64 // vertex id → records-in per subtask
	TMs         map[string]map[string]float64
	History     []flink.CheckpointEntry
	Restored    *flink.Restored     // latest.restored of GET /jobs/{id}/checkpoints (nil: none)
	Parts       map[string][3]int64 // "cid/vid" → sync, async, alignment max
	Restarts    float64
	Config      map[string]string
	Fail        map[string]bool // path prefixes answered with a 500
	Requests    map[string]int  // path (without query) → count
	// State is the job's ("" until a jar runs when OnRun is set, RUNNING
	// otherwise); OnRun starts the job from its program arguments, OnCancel
	// stops it (both optional, called without the lock).
	State    string
	OnRun    func(args []string) error
	OnCancel func()
	// FetchInterval > 0 serves vertex metrics as Flink's metric fetcher
	// does (metrics.fetcher.update-interval): a request finding the values
	// older than the interval starts a refresh that takes them now and
	// that later requests see; it itself gets the old values.
	// Records-in (GET /jobs/{id}/vertices/{vid}) come from the same store.
	FetchInterval time.Duration
	cache         map[string]map[string][]float64
	cacheRecs     map[string][]int64
	cacheAt       time.Time
	pending       *fetched
	pendingAt     time.Time
	// Overview, when set, answers GET /overview (404 otherwise).
	Overview func() flink.Overview
}

// NewServer starts a server for the job jobID with these vertices; the
// test ends it.
func NewServer(t testing.TB, jobID string, vertices ...flink.Vertex) *Server {
	f := &Server{JobID: jobID, Vertices: vertices, Metrics: map[string]map[string][]float64{},
		ReadRecords: map[string][]int64{}, TMs: map[string]map[string]float64{}, Parts: map[string][3]int64{},
		Config: map[string]string{}, Fail: map[string]bool{}, Requests: map[string]int{}}
	for _, v := range vertices {
		f.Metrics[v.ID] = map[string][]float64{}
	}
	f.Srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Srv.Close)
	return f
}

// Set sets a vertex metric's per-subtask values.
func (f *Server) Set(vid, name string, perSubtask ...float64) {
	f.Lock()
	defer f.Unlock()
	f.Metrics[vid][name] = perSubtask
}

// Client is a REST client of the server.
func (f *Server) Client() *flink.Client { return flink.NewClient(f.Srv.URL) }

func (f *Server) serve(w http.ResponseWriter, req *http.Request) {
	f.Lock()
	defer f.Unlock()
	path := req.URL.Path
	f.Requests[path]++
	for p := range f.Fail {
		if strings.HasPrefix(path, p) {
			http.Error(w, `{"errors":["injected failure"]}`, http.StatusInternalServerError)
			return
		}
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	num := func(v float64) any {
		if math.IsNaN(v) {
			return "NaN"
		}
		return strconv.FormatFloat(v, 'f', -1, 64) // Flink sends gauges as strings
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	job := "jobs/" + f.JobID
	switch {
	case path == "/jars/upload" && req.Method == http.MethodPost:
		reply(map[string]string{"filename": "/tmp/flink-web-upload/0b1c_job.jar", "status": "success"})
	case len(parts) == 3 && parts[0] == "jars" && parts[2] == "run" && req.Method == http.MethodPost:
		var body struct {
			Args []string `json:"programArgsList"`
		}
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			http.Error(w, `{"errors":["bad request"]}`, http.StatusBadRequest)
			return
		}
		if f.OnRun != nil {
			run := f.OnRun
			f.Unlock()
			err := run(body.Args)
			f.Lock()
			if err != nil {
				http.Error(w, fmt.Sprintf(`{"errors":[%q]}`, err.Error()), http.StatusInternalServerError)
				return
			}
		}
		f.State = "RUNNING"
		reply(map[string]string{"jobid": f.JobID})
	case len(parts) == 2 && parts[0] == "jars" && req.Method == http.MethodDelete:
		reply(map[string]any{})
	case strings.TrimPrefix(path, "/") == job && req.Method == http.MethodPatch:
		f.State = "CANCELED"
		if f.OnCancel != nil {
			stop := f.OnCancel
			f.OnCancel = nil
			f.Unlock()
			stop()
			f.Lock()
		}
		reply(map[string]any{})
	case strings.TrimPrefix(path, "/") == job+"/exceptions":
		reply(map[string]any{"root-exception": ""})
	case path == "/overview" && f.Overview != nil:
		reply(f.Overview())
	case path == "/jobmanager/config":
		var kv []map[string]string
		for k, v := range f.Config {
			kv = append(kv, map[string]string{"key": k, "value": v})
		}
		reply(kv)
	case path == "/taskmanagers":
		var tms []map[string]string
		for id := range f.TMs {
			tms = append(tms, map[string]string{"id": id})
		}
		reply(map[string]any{"taskmanagers": tms})
	case len(parts) == 3 && parts[0] == "taskmanagers" && parts[2] == "metrics":
		ms, ok := f.TMs[parts[1]]
		if !ok {
			http.NotFound(w, req)
			return
		}
		var out []map[string]any
		if get := req.URL.Query().Get("get"); get != "" {
			for _, n := range strings.Split(get, ",") {
				if v, ok := ms[n]; ok {
					out = append(out, map[string]any{"id": n, "value": num(v)})
				}
			}
		} else {
			for n := range ms {
				out = append(out, map[string]any{"id": n})
			}
		}
		reply(out)
	case path == "/jobs/overview":
		state := f.State
		if state == "" && f.OnRun == nil {
			state = "RUNNING"
		}
		total := 0
		for _, v := range f.Vertices {
			total += max(v.Parallelism, 1)
		}
		tasks := map[string]int{"total": total, "running": 0, "created": 0}
		if state == "RUNNING" {
			tasks["running"] = total
		} else {
			tasks["created"] = total
		}
		reply(map[string]any{"jobs": []map[string]any{{"jid": f.JobID, "state": state, "tasks": tasks}}})
	case path == "/jobs" && req.Method == http.MethodGet:
		state := f.State
		if state == "" && f.OnRun == nil {
			state = "RUNNING"
		}
		reply(map[string]any{"jobs": []map[string]string{{"id": f.JobID, "status": state}}})
	case strings.TrimPrefix(path, "/") == job:
		state := f.State
		if state == "" && f.OnRun == nil {
			state = "RUNNING"
		}
		vs := append([]flink.Vertex(nil), f.Vertices...)
		for i := range vs {
			vs[i].Status = state
		}
		reply(flink.JobDetails{JID: f.JobID, Name: "ab", State: state, Vertices: vs})
	case strings.TrimPrefix(path, "/") == job+"/metrics":
		if req.URL.Query().Get("get") == "numRestarts" {
			reply([]map[string]any{{"id": "numRestarts", "value": num(f.Restarts)}})
			return
		}
		reply([]any{})
	case strings.TrimPrefix(path, "/") == job+"/checkpoints":
		reply(map[string]any{"history": f.History, "latest": map[string]any{"restored": f.Restored}})
	case len(parts) == 7 && parts[2] == "checkpoints" && parts[3] == "details" && parts[5] == "subtasks":
		p := f.Parts[parts[4]+"/"+parts[6]]
		reply(map[string]any{"summary": map[string]any{
			"checkpoint_duration": map[string]any{"sync": map[string]int64{"max": p[0]}, "async": map[string]int64{"max": p[1]}},
			"alignment":           map[string]any{"duration": map[string]int64{"max": p[2]}},
		}})
	case len(parts) == 4 && parts[2] == "vertices":
		recs := f.ReadRecords[parts[3]]
		if f.FetchInterval > 0 {
			_, served := f.refreshLocked()
			recs = served[parts[3]]
		}
		var subtasks []map[string]any
		for i, n := range recs {
			subtasks = append(subtasks, map[string]any{"subtask": i, "metrics": map[string]int64{"read-records": n}})
		}
		reply(map[string]any{"subtasks": subtasks})
	case len(parts) == 6 && parts[2] == "vertices" && parts[4] == "subtasks" && parts[5] == "metrics":
		ms := f.Metrics[parts[3]]
		if f.FetchInterval > 0 {
			served, _ := f.refreshLocked()
			ms = served[parts[3]]
		}
		get := req.URL.Query().Get("get")
		if get == "" {
			var out []map[string]string
			for n := range ms {
				out = append(out, map[string]string{"id": n})
			}
			reply(out)
			return
		}
		var out []map[string]any
		for _, n := range strings.Split(get, ",") {
			vals, ok := ms[n]
			if !ok {
				// Flink answers a request naming an unknown metric with nothing.
				reply([]any{})
				return
			}
			lo, hi, sum, seen := math.Inf(1), math.Inf(-1), 0.0, false
			for _, v := range vals {
				if math.IsNaN(v) {
					continue
				}
				lo, hi, sum, seen = math.Min(lo, v), math.Max(hi, v), sum+v, true
			}
			if !seen {
				lo, hi, sum = math.NaN(), math.NaN(), math.NaN()
			}
			out = append(out, map[string]any{"id": n, "min": num(lo), "max": num(hi), "sum": num(sum)})
		}
		reply(out)
	default:
		http.Error(w, fmt.Sprintf(`{"errors":["not found: %s"]}`, path), http.StatusNotFound)
	}
}

// OffsetMetric is the id of the KafkaSource's current-offset metric of a
// topic's partition, as the subtask reading it reports it (the source
// operator named events-source).
func OffsetMetric(topic string, subtask, partition int) string {
	return fmt.Sprintf("%d.Source__events-source.KafkaSourceReader.topic.%s.partition.%d.currentOffset", subtask, topic, partition)
}

// refreshLocked is the metric fetcher's store (FetchInterval > 0): it
// returns the values served now (metrics and records-in by vertex). A
// request that finds them older than the interval starts a refresh that
// takes the values now; as Flink's (a query to each TaskManager) it lands
// fetchLatency later, and requests until then get the old values.
func (f *Server) refreshLocked() (map[string]map[string][]float64, map[string][]int64) {
	now := time.Now()
	if f.pending != nil && !now.Before(f.pendingAt.Add(fetchLatency)) {
		f.cache, f.cacheRecs, f.pending = f.pending.metrics, f.pending.recs, nil
	}
	if f.pending == nil && now.Sub(f.cacheAt) >= f.FetchInterval {
		f.cacheAt, f.pendingAt = now, now
		next := make(map[string]map[string][]float64, len(f.Metrics))
		for vid, m := range f.Metrics {
			cp := make(map[string][]float64, len(m))
			for n, v := range m {
				cp[n] = append([]float64(nil), v...)
			}
			next[vid] = cp
		}
		recs := make(map[string][]int64, len(f.ReadRecords))
		for vid, r := range f.ReadRecords {
			recs[vid] = append([]int64(nil), r...)
		}
		f.pending = &fetched{next, recs}
	}
	return f.cache, f.cacheRecs
}

// fetchLatency is how long a refresh of the fake's metric store takes.
const fetchLatency = 20 * time.Millisecond

// fetched is a refresh of the metric store on its way.
type fetched struct {
	metrics map[string]map[string][]float64
	recs    map[string][]int64
}
