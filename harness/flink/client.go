package flink

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Client speaks Flink's REST API (the JSON field names as served).
type Client struct {
	base   string
	http   *http.Client
	header [2]string // sent with every request when set (an external cluster's auth)
}

// Option configures a Client.
type Option func(*Client)

// WithTLS makes the client verify the endpoint with cfg (an external
// cluster's REST endpoint over HTTPS).
func WithTLS(cfg *tls.Config) Option {
	return func(c *Client) {
		c.http.Transport = &http.Transport{TLSClientConfig: cfg, Proxy: http.ProxyFromEnvironment}
	}
}

// WithHeader sends the header name: value with every request (an external
// cluster's authentication).
func WithHeader(name, value string) Option {
	return func(c *Client) { c.header = [2]string{name, value} }
}

// NewClient returns a client for the REST endpoint at base (e.g. http://127.0.0.1:8081).
func NewClient(base string, opts ...Option) *Client {
	c := &Client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Overview is GET /overview.
type Overview struct {
	TaskManagers   int    `json:"taskmanagers"`
	SlotsTotal     int    `json:"slots-total"`
	SlotsAvailable int    `json:"slots-available"`
	FlinkVersion   string `json:"flink-version"`
	JobsRunning    int    `json:"jobs-running"`
}

// JobDetails is the part of GET /jobs/{id} abload reads.
type JobDetails struct {
	JID      string   `json:"jid"`
	Name     string   `json:"name"`
	State    string   `json:"state"`
	Vertices []Vertex `json:"vertices"`
}

// Parallelism is the highest parallelism of the job's vertices (0: none).
func (j *JobDetails) Parallelism() int {
	if j == nil {
		return 0
	}
	p := 0
	for _, v := range j.Vertices {
		p = max(p, v.Parallelism)
	}
	return p
}

// AllRunning says the job runs with every subtask of every vertex RUNNING
// (or FINISHED). A vertex's own status is not enough: Flink aggregates it to
// RUNNING as soon as one subtask runs, while others still wait for a slot
// or deploy (after a failover, those of a TaskManager not yet back). A
// vertex without task counts (a REST API that gives none) goes by its
// status.
func (j *JobDetails) AllRunning() bool {
	if j == nil || j.State != "RUNNING" || len(j.Vertices) == 0 {
		return false
	}
	for _, v := range j.Vertices {
		if v.Tasks == nil {
			if v.Status != "RUNNING" {
				return false
			}
			continue
		}
		if v.Tasks["RUNNING"]+v.Tasks["FINISHED"] < v.Parallelism || v.Tasks["RUNNING"] == 0 {
			return false
		}
	}
	return true
}

// Vertex is one job vertex of GET /jobs/{id}.
type Vertex struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Parallelism int    `json:"parallelism"`
	Status      string `json:"status"`
	// Tasks counts the vertex's subtasks by execution state (CREATED,
	// SCHEDULED, DEPLOYING, INITIALIZING, RUNNING, FINISHED, …).
	Tasks map[string]int `json:"tasks,omitempty"`
}

// RESTError is a non-2xx answer, with Flink's error text.
type RESTError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *RESTError) Error() string {
	return fmt.Sprintf("flink REST %s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Body)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.header[0] != "" {
		req.Header.Set(c.header[0], c.header[1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("flink REST %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("flink REST %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &RESTError{Method: method, Path: path, Status: resp.StatusCode, Body: flinkErrorText(data)}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("flink REST %s %s: decode: %w", method, path, err)
	}
	return nil
}

// flinkErrorText pulls the first line of each entry of Flink's {"errors":[…]}.
func flinkErrorText(data []byte) string {
	var e struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(data, &e) == nil && len(e.Errors) > 0 {
		var parts []string
		for _, s := range e.Errors {
			lines := strings.Split(strings.TrimSpace(s), "\n")
			parts = append(parts, lines[0])
			// Flink puts the root cause deep in a stack trace: keep its "Caused by" lines.
			for _, l := range lines[1:] {
				if strings.HasPrefix(strings.TrimSpace(l), "Caused by:") {
					parts = append(parts, strings.TrimSpace(l))
				}
			}
		}
		return strings.Join(parts, " | ")
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// GetJSON decodes the JSON answer of GET path into out (any REST resource
// without a typed method).
func (c *Client) GetJSON(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, nil, "", out)
}

// Overview returns the cluster overview.
func (c *Client) Overview(ctx context.Context) (*Overview, error) {
	var o Overview
	return &o, c.do(ctx, http.MethodGet, "/overview", nil, "", &o)
}

// UploadJar uploads a job jar (POST /jars/upload) and returns its jar id.
func (c *Client) UploadJar(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("jarfile", filepath.Base(path))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(part, f); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	var out struct {
		Filename string `json:"filename"`
		Status   string `json:"status"`
	}
	if err := c.do(ctx, http.MethodPost, "/jars/upload", &buf, mw.FormDataContentType(), &out); err != nil {
		return "", err
	}
	// filename is the server-side path; the jar id is its base name.
	return filepath.Base(out.Filename), nil
}

// RunJar starts an uploaded jar (POST /jars/{id}/run) and returns the job id.
func (c *Client) RunJar(ctx context.Context, jarID, entryClass string, args []string, parallelism int) (string, error) {
	return c.RunJarFrom(ctx, jarID, entryClass, args, parallelism, "")
}

// RunJarFrom is RunJar starting from a savepoint ("" = none). State of
// operators the job no longer has (or whose uid changed) is skipped
// (allowNonRestoredState).
func (c *Client) RunJarFrom(ctx context.Context, jarID, entryClass string, args []string, parallelism int, savepoint string) (string, error) {
	return c.RunJarWith(ctx, jarID, RunJarRequest{EntryClass: entryClass, Args: args, Parallelism: parallelism, Savepoint: savepoint})
}

// RunJarRequest is what POST /jars/{id}/run is given.
type RunJarRequest struct {
	EntryClass  string // "" = the jar's manifest
	Args        []string
	Parallelism int    // 0 = the cluster's default
	Savepoint   string // "" = none; with allowNonRestoredState
	// Config is Flink configuration for this job (flinkConfiguration).
	Config map[string]string
}

// RunJarWith starts an uploaded jar and returns the job id.
func (c *Client) RunJarWith(ctx context.Context, jarID string, r RunJarRequest) (string, error) {
	req := map[string]any{"programArgsList": r.Args}
	if r.Args == nil {
		req["programArgsList"] = []string{}
	}
	if r.Savepoint != "" {
		req["savepointPath"] = r.Savepoint
		req["allowNonRestoredState"] = true
	}
	if r.EntryClass != "" {
		req["entryClass"] = r.EntryClass
	}
	if r.Parallelism > 0 {
		req["parallelism"] = r.Parallelism
	}
	if len(r.Config) > 0 {
		req["flinkConfiguration"] = r.Config
	}
	body, _ := json.Marshal(req)
	var out struct {
		JobID string `json:"jobid"`
	}
	if err := c.do(ctx, http.MethodPost, "/jars/"+jarID+"/run", bytes.NewReader(body), "application/json", &out); err != nil {
		return "", err
	}
	return out.JobID, nil
}

// Job returns GET /jobs/{id}.
func (c *Client) Job(ctx context.Context, jobID string) (*JobDetails, error) {
	var j JobDetails
	return &j, c.do(ctx, http.MethodGet, "/jobs/"+jobID, nil, "", &j)
}

// JobStatus returns a job's status from GET /jobs, the dispatcher's list:
// unlike GET /jobs/{id}, whose answer is cached for web.refresh-interval,
// it says CANCELED as soon as the job is (measured: 0.1 s after a cancel,
// against 0.4-1 s). ErrNoSuchJob when the list does not hold it.
func (c *Client) JobStatus(ctx context.Context, jobID string) (string, error) {
	var out struct {
		Jobs []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"jobs"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs", nil, "", &out); err != nil {
		return "", err
	}
	for _, j := range out.Jobs {
		if j.ID == jobID {
			return j.Status, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNoSuchJob, jobID)
}

// ErrNoSuchJob is JobStatus's error for a job the cluster does not list.
var ErrNoSuchJob = errors.New("no such job")

// JobExceptions returns the root exception text of a job, if any.
func (c *Client) JobExceptions(ctx context.Context, jobID string) string {
	var out struct {
		RootException string `json:"root-exception"`
		History       struct {
			Entries []struct {
				Exception string `json:"exceptionName"`
				Stack     string `json:"stacktrace"`
			} `json:"entries"`
		} `json:"exceptionHistory"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/exceptions", nil, "", &out); err != nil {
		return ""
	}
	s := out.RootException
	if s == "" && len(out.History.Entries) > 0 {
		s = out.History.Entries[0].Stack
	}
	return strings.TrimRight(FirstLines(s, 12), "\n")
}

func FirstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// DeleteJar deletes an uploaded jar (DELETE /jars/{id}).
func (c *Client) DeleteJar(ctx context.Context, jarID string) error {
	return c.do(ctx, http.MethodDelete, "/jars/"+jarID, nil, "", nil)
}

// CancelJob cancels a job (PATCH /jobs/{id}?mode=cancel).
func (c *Client) CancelJob(ctx context.Context, jobID string) error {
	return c.do(ctx, http.MethodPatch, "/jobs/"+jobID+"?mode=cancel", nil, "", nil)
}

// WaitRunning waits until the job and all its subtasks are RUNNING (or,
// some running, the rest FINISHED). A job that fails, or is cancelled, ends
// the wait with its root exception.
//
// It polls the dispatcher's job overview (GET /jobs/overview: the job's
// state and its tasks by state, not cached), which says RUNNING as soon as
// the tasks are; the job's details (GET /jobs/{id}, returned) are cached
// for web.refresh-interval and said so up to a second later. A cluster
// whose overview can't be read is polled through the details.
func (c *Client) WaitRunning(ctx context.Context, jobID string, timeout time.Duration) (*JobDetails, error) {
	deadline := time.Now().Add(timeout)
	var last *JobDetails
	for {
		state, up, err := c.jobOverview(ctx, jobID)
		if err != nil {
			var j *JobDetails
			if j, err = c.Job(ctx, jobID); err == nil {
				last, state, up = j, j.State, j.AllRunning()
			}
		}
		if err == nil {
			switch state {
			case "FAILED", "CANCELED", "CANCELLING", "FINISHED", "FAILING":
				if j, jerr := c.Job(ctx, jobID); jerr == nil {
					last = j
				}
				return last, fmt.Errorf("job %s is %s: %s", jobID, state, c.JobExceptions(ctx, jobID))
			case "RUNNING":
				// The details returned (their vertices give the
				// parallelism) may be a cached copy from before: wait for
				// one that says RUNNING too.
				if up {
					if j, jerr := c.Job(ctx, jobID); jerr == nil && j.State == "RUNNING" && len(j.Vertices) > 0 {
						return j, nil
					}
				}
			}
			if last == nil || last.State != state {
				last = &JobDetails{JID: jobID, State: state}
			}
		}
		if time.Now().After(deadline) {
			state := "unknown"
			if last != nil {
				state = last.State
			}
			return last, fmt.Errorf("job %s not running after %s (state %s)", jobID, timeout, state)
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// jobOverview reads the job's entry in GET /jobs/overview: its state, and
// whether every task is up (running or finished, some running).
func (c *Client) jobOverview(ctx context.Context, jobID string) (state string, up bool, err error) {
	var out struct {
		Jobs []struct {
			JID   string         `json:"jid"`
			State string         `json:"state"`
			Tasks map[string]int `json:"tasks"`
		} `json:"jobs"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs/overview", nil, "", &out); err != nil {
		return "", false, err
	}
	for _, j := range out.Jobs {
		if j.JID == jobID {
			t := j.Tasks
			return j.State, t["running"] > 0 && t["running"]+t["finished"] == t["total"], nil
		}
	}
	return "", false, fmt.Errorf("%w: %s", ErrNoSuchJob, jobID)
}

// DefaultFetcherInterval is Flink's metrics.fetcher.update-interval when
// a cluster does not say otherwise.
const DefaultFetcherInterval = 10 * time.Second

// FetcherInterval is how often the JobManager's REST API refreshes the
// metrics it serves (metrics.fetcher.update-interval in its configuration,
// GET /jobmanager/config): Flink's default of 10 s when the cluster does not
// list it, and with an error when the configuration cannot be read or the
// value parsed.
func (c *Client) FetcherInterval(ctx context.Context) (time.Duration, error) {
	var kv []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobmanager/config", nil, "", &kv); err != nil {
		return DefaultFetcherInterval, err
	}
	for _, e := range kv {
		if e.Key == "metrics.fetcher.update-interval" {
			d, ok := ParseDuration(e.Value)
			if !ok {
				return DefaultFetcherInterval, fmt.Errorf("metrics.fetcher.update-interval %q is not a duration", e.Value)
			}
			return d, nil
		}
	}
	return DefaultFetcherInterval, nil
}

// ParseDuration reads a duration as Flink's configuration writes it:
// a number with an optional unit ("1000 ms", "10 s", "2min", "500"; no unit
// is milliseconds).
func ParseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, false
	}
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	var d time.Duration
	switch unit {
	case "", "ms", "milli", "millis", "millisecond", "milliseconds":
		d = time.Millisecond
	case "s", "sec", "secs", "second", "seconds":
		d = time.Second
	case "min", "m", "minute", "minutes":
		d = time.Minute
	case "h", "hour", "hours":
		d = time.Hour
	default:
		return 0, false
	}
	return time.Duration(n) * d, true
}

// SubtaskRecords is one job vertex's records-in per subtask.
type SubtaskRecords struct {
	Name      string
	RecordsIn []int64
}

// SubtaskRecordsIn reads every vertex's per-subtask records-in
// (GET /jobs/{id}/vertices/{vid}, metrics.read-records: the task's
// numRecordsIn). The values are as fresh as metrics.fetcher.update-interval.
func (c *Client) SubtaskRecordsIn(ctx context.Context, jobID string) ([]SubtaskRecords, error) {
	j, err := c.Job(ctx, jobID)
	if err != nil {
		return nil, err
	}
	out := make([]SubtaskRecords, 0, len(j.Vertices))
	for _, v := range j.Vertices {
		var d struct {
			Subtasks []struct {
				Subtask int `json:"subtask"`
				Metrics struct {
					ReadRecords int64 `json:"read-records"`
				} `json:"metrics"`
			} `json:"subtasks"`
		}
		if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/vertices/"+v.ID, nil, "", &d); err != nil {
			return nil, err
		}
		sr := SubtaskRecords{Name: v.Name, RecordsIn: make([]int64, v.Parallelism)}
		for _, st := range d.Subtasks {
			if st.Subtask >= 0 && st.Subtask < len(sr.RecordsIn) {
				sr.RecordsIn[st.Subtask] = st.Metrics.ReadRecords
			}
		}
		out = append(out, sr)
	}
	return out, nil
}

// TriggerSavepoint takes a savepoint of a running job into dir (an absolute
// path the cluster can write) without stopping it, waits for it and returns
// its location.
func (c *Client) TriggerSavepoint(ctx context.Context, jobID, dir string) (string, error) {
	body, _ := json.Marshal(map[string]any{"target-directory": dir, "cancel-job": false, "formatType": "CANONICAL"})
	var trig struct {
		RequestID string `json:"request-id"`
	}
	if err := c.do(ctx, http.MethodPost, "/jobs/"+jobID+"/savepoints", bytes.NewReader(body), "application/json", &trig); err != nil {
		return "", err
	}
	for {
		var st struct {
			Status struct {
				ID string `json:"id"`
			} `json:"status"`
			Operation struct {
				Location     string `json:"location"`
				FailureCause struct {
					StackTrace string `json:"stack-trace"`
				} `json:"failure-cause"`
			} `json:"operation"`
		}
		if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/savepoints/"+trig.RequestID, nil, "", &st); err != nil {
			return "", err
		}
		if st.Status.ID == "COMPLETED" {
			if st.Operation.Location == "" {
				return "", fmt.Errorf("savepoint failed: %s", FirstLines(st.Operation.FailureCause.StackTrace, 3))
			}
			return st.Operation.Location, nil
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("savepoint not done: %w", ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
