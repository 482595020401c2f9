package harness

import (
	"reflect"
	"testing"
)

func TestPromqlMetricNames(t *testing.T) {
	for _, c := range []struct {
		expr string
		want []string
	}{
		{`abload_input_lag_events`, []string{"abload_input_lag_events"}},
		{`histogram_quantile(0.99, sum by (le) (rate(abload_e2e_latency_seconds_bucket{job="abload"}[30s])))`, []string{"abload_e2e_latency_seconds_bucket"}},
		{`sum by (task_name, subtask_index) (rate(flink_taskmanager_job_task_numRecordsIn[1m]))`, []string{"flink_taskmanager_job_task_numRecordsIn"}},
		{`max(flink_taskmanager_job_task_busyTimeMsPerSecond) / 1e3 > bool 0.5 or vector(0)`, []string{"flink_taskmanager_job_task_busyTimeMsPerSecond"}},
		{`abload_phase{phase="measure"} * on(run_id) group_left abload_run_info`, []string{"abload_phase", "abload_run_info"}},
	} {
		if got := promqlMetricNames(c.expr); !reflect.DeepEqual(got, c.want) {
			t.Errorf("promqlMetricNames(%q) = %v, want %v", c.expr, got, c.want)
		}
	}
}
