package harness

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

// fakeFlink is a Flink REST endpoint for unit tests: it serves the job,
// vertex and TaskManager metrics, checkpoint history and details the test
// sets, the way Flink's REST API shapes them. Only what the monitor and the
// measurement snapshots read is there.
type fakeFlink struct {
	srv *httptest.Server

	mu       sync.Mutex
	jobID    string
	vertices []flink.Vertex
	// metrics: vertex id → metric id → one value per subtask (NaN: the
	// subtask has no value).
	metrics     map[string]map[string][]float64
	readRecords map[string][]int64 // vertex id → records-in per subtask
	tms         map[string]map[string]float64
	history     []flink.CheckpointEntry
	parts       map[string][3]int64 // "cid/vid" → sync, async, alignment max
	restarts    float64
	config      map[string]string
	fail        map[string]bool // path prefixes answered with a 500
	requests    map[string]int  // path (without query) → count
	// state is the job's ("" until a jar runs when onRun is set, RUNNING
	// otherwise); onRun starts the job from its program arguments, onCancel
	// stops it (both optional, called without the lock).
	state    string
	onRun    func(args []string) error
	onCancel func()
	// fetchInterval > 0 serves vertex metrics as Flink's metric fetcher
	// does (metrics.fetcher.update-interval): a request finding the values
	// older than the interval starts a refresh that takes them now and
	// that later requests see; it itself gets the old values.
	fetchInterval time.Duration
	cache         map[string]map[string][]float64
	cacheAt       time.Time
	// overview, when set, answers GET /overview (404 otherwise).
	overview func() flink.Overview
}

func newFakeFlink(t *testing.T, jobID string, vertices ...flink.Vertex) *fakeFlink {
	f := &fakeFlink{jobID: jobID, vertices: vertices, metrics: map[string]map[string][]float64{},
		readRecords: map[string][]int64{}, tms: map[string]map[string]float64{}, parts: map[string][3]int64{},
		config: map[string]string{}, fail: map[string]bool{}, requests: map[string]int{}}
	for _, v := range vertices {
		f.metrics[v.ID] = map[string][]float64{}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// set sets a vertex metric's per-subtask values.
func (f *fakeFlink) set(vid, name string, perSubtask ...float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.metrics[vid][name] = perSubtask
}

func (f *fakeFlink) client() *flink.Client { return flink.NewClient(f.srv.URL) }

func (f *fakeFlink) serve(w http.ResponseWriter, req *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := req.URL.Path
	f.requests[path]++
	for p := range f.fail {
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
	job := "jobs/" + f.jobID
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
		if f.onRun != nil {
			run := f.onRun
			f.mu.Unlock()
			err := run(body.Args)
			f.mu.Lock()
			if err != nil {
				http.Error(w, fmt.Sprintf(`{"errors":[%q]}`, err.Error()), http.StatusInternalServerError)
				return
			}
		}
		f.state = "RUNNING"
		reply(map[string]string{"jobid": f.jobID})
	case len(parts) == 2 && parts[0] == "jars" && req.Method == http.MethodDelete:
		reply(map[string]any{})
	case strings.TrimPrefix(path, "/") == job && req.Method == http.MethodPatch:
		f.state = "CANCELED"
		if f.onCancel != nil {
			stop := f.onCancel
			f.onCancel = nil
			f.mu.Unlock()
			stop()
			f.mu.Lock()
		}
		reply(map[string]any{})
	case strings.TrimPrefix(path, "/") == job+"/exceptions":
		reply(map[string]any{"root-exception": ""})
	case path == "/overview" && f.overview != nil:
		reply(f.overview())
	case path == "/jobmanager/config":
		var kv []map[string]string
		for k, v := range f.config {
			kv = append(kv, map[string]string{"key": k, "value": v})
		}
		reply(kv)
	case path == "/taskmanagers":
		var tms []map[string]string
		for id := range f.tms {
			tms = append(tms, map[string]string{"id": id})
		}
		reply(map[string]any{"taskmanagers": tms})
	case len(parts) == 3 && parts[0] == "taskmanagers" && parts[2] == "metrics":
		ms, ok := f.tms[parts[1]]
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
	case strings.TrimPrefix(path, "/") == job:
		state := f.state
		if state == "" && f.onRun == nil {
			state = "RUNNING"
		}
		vs := append([]flink.Vertex(nil), f.vertices...)
		for i := range vs {
			vs[i].Status = state
		}
		reply(flink.JobDetails{JID: f.jobID, Name: "ab", State: state, Vertices: vs})
	case strings.TrimPrefix(path, "/") == job+"/metrics":
		if req.URL.Query().Get("get") == "numRestarts" {
			reply([]map[string]any{{"id": "numRestarts", "value": num(f.restarts)}})
			return
		}
		reply([]any{})
	case strings.TrimPrefix(path, "/") == job+"/checkpoints":
		reply(map[string]any{"history": f.history})
	case len(parts) == 7 && parts[2] == "checkpoints" && parts[3] == "details" && parts[5] == "subtasks":
		p := f.parts[parts[4]+"/"+parts[6]]
		reply(map[string]any{"summary": map[string]any{
			"checkpoint_duration": map[string]any{"sync": map[string]int64{"max": p[0]}, "async": map[string]int64{"max": p[1]}},
			"alignment":           map[string]any{"duration": map[string]int64{"max": p[2]}},
		}})
	case len(parts) == 4 && parts[2] == "vertices":
		var subtasks []map[string]any
		for i, n := range f.readRecords[parts[3]] {
			subtasks = append(subtasks, map[string]any{"subtask": i, "metrics": map[string]int64{"read-records": n}})
		}
		reply(map[string]any{"subtasks": subtasks})
	case len(parts) == 6 && parts[2] == "vertices" && parts[4] == "subtasks" && parts[5] == "metrics":
		ms := f.metrics[parts[3]]
		if f.fetchInterval > 0 {
			if f.cache == nil {
				f.cache = map[string]map[string][]float64{}
			}
			served := f.cache[parts[3]]
			if time.Since(f.cacheAt) >= f.fetchInterval {
				f.cacheAt = time.Now()
				for vid, m := range f.metrics {
					cp := make(map[string][]float64, len(m))
					for n, v := range m {
						cp[n] = append([]float64(nil), v...)
					}
					f.cache[vid] = cp
				}
			}
			ms = served
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
