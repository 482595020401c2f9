package harness

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// metricValue is a Flink REST metric value: a number, or a string holding a
// number or "NaN" (Flink serializes some gauges as strings). Missing and NaN
// values are NaN.
type metricValue float64

func (m *metricValue) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f = math.NaN()
	}
	*m = metricValue(f)
	return nil
}

// aggMetric is one entry of GET /jobs/{id}/vertices/{vid}/subtasks/metrics?agg=….
type aggMetric struct {
	ID  string      `json:"id"`
	Min metricValue `json:"min"`
	Max metricValue `json:"max"`
	Sum metricValue `json:"sum"`
}

// VertexMetricIDs lists the metric ids a vertex's subtasks have.
func (c *FlinkClient) VertexMetricIDs(ctx context.Context, jobID, vertexID string) (map[string]bool, error) {
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
func (c *FlinkClient) VertexAgg(ctx context.Context, jobID, vertexID string, names ...string) (map[string]aggMetric, error) {
	var out []aggMetric
	q := "?get=" + url.QueryEscape(strings.Join(names, ",")) + "&agg=min,max,sum"
	if err := c.do(ctx, http.MethodGet, "/jobs/"+jobID+"/vertices/"+vertexID+"/subtasks/metrics"+q, nil, "", &out); err != nil {
		return nil, err
	}
	m := make(map[string]aggMetric, len(out))
	for _, a := range out {
		m[a.ID] = a
	}
	return m, nil
}

// TaskManagerIDs lists the registered TaskManagers' ids.
func (c *FlinkClient) TaskManagerIDs(ctx context.Context) ([]string, error) {
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
func (c *FlinkClient) TaskManagerMetrics(ctx context.Context, tmID string, names ...string) (map[string]float64, error) {
	var out []struct {
		ID    string      `json:"id"`
		Value metricValue `json:"value"`
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

// checkpointEntry is one entry of GET /jobs/{id}/checkpoints' history.
type checkpointEntry struct {
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

// checkpointHistory reads the checkpoint statistics' history (the most
// recent web.checkpoints.history checkpoints).
func (c *FlinkClient) checkpointHistory(ctx context.Context, jobID string) ([]checkpointEntry, error) {
	var out struct {
		History []checkpointEntry `json:"history"`
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

// checkpointParts returns the slowest subtask's sync, async and alignment
// durations of one checkpoint over all vertices, in ms.
func (c *FlinkClient) checkpointParts(ctx context.Context, jobID string, cid int64, vertexIDs []string) (sync, async, align int64, err error) {
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
