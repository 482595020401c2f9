package flink

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MetricValue is a Flink REST metric value: a number, or a string holding a
// number or "NaN" (Flink serializes some gauges as strings). Missing and NaN
// values are NaN.
type MetricValue float64

func (m *MetricValue) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f = math.NaN()
	}
	*m = MetricValue(f)
	return nil
}

// AggMetric is one entry of GET /jobs/{id}/vertices/{vid}/subtasks/metrics?agg=….
type AggMetric struct {
	ID  string      `json:"id"`
	Min MetricValue `json:"min"`
	Max MetricValue `json:"max"`
	Sum MetricValue `json:"sum"`
}

// VertexMetricIDs lists the metric ids a vertex's subtasks have.
func (c *Client) VertexMetricIDs(ctx context.Context, jobID, vertexID string) (map[string]bool, error) {
	var out []struct {
		ID string `json:"id"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/vertices/"+vertexID+"/subtasks/metrics", nil, "", &out); err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(out))
	for _, o := range out {
		ids[o.ID] = true
	}
	return ids, nil
}

// VertexAgg reads metrics aggregated over a vertex's subtasks. Ask only for
// metrics the vertex has (VertexMetricIDs): Flink answers a request naming
// any unknown metric with nothing at all.
func (c *Client) VertexAgg(ctx context.Context, jobID, vertexID string, names ...string) (map[string]AggMetric, error) {
	var out []AggMetric
	q := "?get=" + url.QueryEscape(strings.Join(names, ",")) + "&agg=min,max,sum"
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/vertices/"+vertexID+"/subtasks/metrics"+q, nil, "", &out); err != nil {
		return nil, err
	}
	m := make(map[string]AggMetric, len(out))
	for _, a := range out {
		m[a.ID] = a
	}
	return m, nil
}

// TaskManagerIDs lists the registered TaskManagers' ids.
func (c *Client) TaskManagerIDs(ctx context.Context) ([]string, error) {
	var out struct {
		TaskManagers []struct {
			ID string `json:"id"`
		} `json:"taskmanagers"`
	}
	if err := c.do(ctx, http.MethodGet, "/taskmanagers", nil, "", &out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.TaskManagers))
	for i, t := range out.TaskManagers {
		ids[i] = t.ID
	}
	return ids, nil
}

// TaskManagerMetrics reads metrics of one TaskManager; with no names it
// lists the metric ids (values NaN).
func (c *Client) TaskManagerMetrics(ctx context.Context, tmID string, names ...string) (map[string]float64, error) {
	var out []struct {
		ID    string      `json:"id"`
		Value MetricValue `json:"value"`
	}
	path := "/taskmanagers/" + tmID + "/metrics"
	if len(names) > 0 {
		path += "?get=" + url.QueryEscape(strings.Join(names, ","))
	}
	if err := c.do(ctx, http.MethodGet, path, nil, "", &out); err != nil {
		return nil, err
	}
	m := make(map[string]float64, len(out))
	for _, o := range out {
		m[o.ID] = float64(o.Value)
	}
	return m, nil
}

// CheckpointEntry is one entry of GET /jobs/{id}/checkpoints' history.
type CheckpointEntry struct {
	ID                int64  `json:"id"`
	Status            string `json:"status"`
	IsSavepoint       bool   `json:"is_savepoint"`
	TriggerTimestamp  int64  `json:"trigger_timestamp"`
	LatestAck         int64  `json:"latest_ack_timestamp"`
	EndToEndDuration  int64  `json:"end_to_end_duration"`
	StateSize         int64  `json:"state_size"`
	CheckpointedSize  int64  `json:"checkpointed_size"`
	AlignmentBuffered int64  `json:"alignment_buffered"`
	ProcessedData     int64  `json:"processed_data"`
	PersistedData     int64  `json:"persisted_data"`
}

// Restored is the checkpoint or savepoint a job started from (GET
// /jobs/{id}/checkpoints, latest.restored).
type Restored struct {
	ID               int64  `json:"id"`
	RestoreTimestamp int64  `json:"restore_timestamp"`
	IsSavepoint      bool   `json:"is_savepoint"`
	ExternalPath     string `json:"external_path"`
}

// RestoredFrom reads what the job restored when it started; nil when it
// started without state.
func (c *Client) RestoredFrom(ctx context.Context, jobID string) (*Restored, error) {
	var out struct {
		Latest struct {
			Restored *Restored `json:"restored"`
		} `json:"latest"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/checkpoints", nil, "", &out); err != nil {
		return nil, err
	}
	return out.Latest.Restored, nil
}

// CheckpointHistory reads the checkpoint statistics' history (the most
// recent web.checkpoints.history checkpoints).
func (c *Client) CheckpointHistory(ctx context.Context, jobID string) ([]CheckpointEntry, error) {
	var out struct {
		History []CheckpointEntry `json:"history"`
	}
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/checkpoints", nil, "", &out); err != nil {
		return nil, err
	}
	return out.History, nil
}

// checkpointTaskSummary is the per-vertex summary of one checkpoint
// (GET /jobs/{id}/checkpoints/details/{cid}/subtasks/{vid}).
type checkpointTaskSummary struct {
	Summary struct {
		CheckpointDuration struct {
			Sync  struct{ Max int64 } `json:"sync"`
			Async struct{ Max int64 } `json:"async"`
		} `json:"checkpoint_duration"`
		Alignment struct {
			Duration struct{ Max int64 } `json:"duration"`
		} `json:"alignment"`
	} `json:"summary"`
}

// CheckpointParts returns the slowest subtask's sync, async and alignment
// durations of one checkpoint over all vertices, in ms.
func (c *Client) CheckpointParts(ctx context.Context, jobID string, cid int64, vertexIDs []string) (sync, async, align int64, err error) {
	for _, vid := range vertexIDs {
		var s checkpointTaskSummary
		path := "/jobs/" + jobID + "/checkpoints/details/" + strconv.FormatInt(cid, 10) + "/subtasks/" + vid
		if err := c.do(ctx, http.MethodGet, path, nil, "", &s); err != nil {
			return 0, 0, 0, err
		}
		sm := s.Summary
		sync = max(sync, sm.CheckpointDuration.Sync.Max)
		async = max(async, sm.CheckpointDuration.Async.Max)
		align = max(align, sm.Alignment.Duration.Max)
	}
	return sync, async, align, nil
}
