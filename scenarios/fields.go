package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// FieldDoc documents one leaf field of the scenario file.
type FieldDoc struct {
	Path    string // dot path, as in --set ("workload.rate")
	Type    string // "string", "integer", "number", "bool", "duration", "list of strings"
	Default string // the default, as it would be written in a file
	Doc     string
}

// fieldDocs is the hand-written part of the field table; Type and Default are
// filled from the struct and Defaults so they cannot drift. A test checks
// that it names every leaf field exactly once.
var fieldDocs = []FieldDoc{
	{Path: "name", Default: "file name without .yaml", Doc: "Scenario name: letters, digits, '.', '_', '-'. Names runs and topics."},
	{Path: "description", Doc: "Free text shown in reports."},
	{Path: "workload.rate", Doc: "Target input rate in events/s. Open loop: the schedule never waits for the system under test."},
	{Path: "workload.duration", Doc: "Measurement phase, by intended time. Results cover events intended inside it. > 0."},
	{Path: "workload.warmup", Doc: "Warmup phase before measurement, at the same rate; not measured. >= 0."},
	{Path: "workload.drain_timeout", Doc: "How long to wait after the last event for every output to arrive. > 0."},
	{Path: "workload.campaigns", Doc: "Number of campaigns; events pick one uniformly. >= 1."},
	{Path: "workload.variants", Doc: "Variant labels, 1 to 26, unique; events pick one uniformly."},
	{Path: "workload.recipients", Doc: "Number of recipients; events pick one uniformly. >= 1."},
	{Path: "workload.seed", Doc: "Generator seed: the same seed gives the same events."},
	{Path: "workload.max_send_delay", Doc: "A run whose generator falls behind its schedule by more than this is invalid. > 0."},
	{Path: "workload.max_consumer_delay", Doc: "A run whose harness consumer falls behind the outputs by more than this is invalid. > 0."},
	{Path: "env.kind", Doc: "Environment: local (JVM processes on 127.0.0.1), docker or external. Only local is implemented so far."},
	{Path: "env.taskmanagers", Doc: "Number of Flink TaskManagers. >= 1."},
	{Path: "env.slots", Doc: "Task slots per TaskManager. >= 1."},
	{Path: "env.taskmanager_memory", Doc: "Flink taskmanager.memory.process.size, a Flink memory size (1536m, 2g)."},
	{Path: "env.jobmanager_memory", Doc: "Flink jobmanager.memory.process.size, a Flink memory size."},
	{Path: "env.kafka_heap", Doc: "Kafka broker JVM heap (-Xmx), such as 768m or 1g."},
	{Path: "env.startup_timeout", Doc: "How long the environment may take to come up. > 0."},
	{Path: "kafka.partitions", Doc: "Partitions of each of the run's topics. >= 1."},
	{Path: "kafka.acks", Doc: "Producer acks: all, leader or none."},
	{Path: "kafka.linger", Doc: "Producer linger (batching delay). >= 0."},
	{Path: "kafka.compression", Doc: "Producer compression: none, gzip, snappy, lz4 or zstd."},
	{Path: "job.parallelism", Doc: "Job parallelism; at most env.taskmanagers × env.slots. >= 1."},
	{Path: "job.window", Doc: "Event-time tumbling window size, whole milliseconds. > 0."},
	{Path: "job.out_of_orderness", Doc: "Watermark bound for out-of-order events. >= 0."},
	{Path: "job.idleness", Doc: "A source partition idle this long stops holding back watermarks. > 0."},
	{Path: "job.dedupe_ttl", Doc: "How long the job remembers a (campaign, recipient) for unique opens and clicks. > 0."},
	{Path: "job.checkpoint.interval", Doc: "Checkpoint interval; 0 turns checkpointing off, else >= 10ms."},
	{Path: "job.outputs.updates", Doc: "Produce the per-event updates output (e2e latency, exact reconciliation)."},
	{Path: "job.outputs.windows", Doc: "Produce the per-window output (window latency)."},
	{Path: "job.sink_linger", Doc: "Linger of the job's Kafka sinks. >= 0."},
	{Path: "gates", Doc: "Pass/fail gates such as \"e2e.p99 < 250ms\", checked after the run."},
	{Path: "repetitions", Doc: "How many times to run the scenario. >= 1."},
}

// Fields returns the documented leaf fields of the scenario file, in file
// order.
func Fields() []FieldDoc {
	def := reflect.ValueOf(Defaults()).Elem()
	out := make([]FieldDoc, len(fieldDocs))
	for i, f := range fieldDocs {
		v, ok := valueAt(def, f.Path)
		if !ok {
			panic("scenarios: field table names unknown path " + f.Path)
		}
		f.Type = typeName(v.Type())
		if f.Default == "" {
			f.Default = formatValue(v)
		}
		out[i] = f
	}
	return out
}

// FieldsMarkdown renders Fields as a Markdown table, for the README.
func FieldsMarkdown() string {
	var b strings.Builder
	b.WriteString("| field | type | default | meaning |\n|---|---|---|---|\n")
	for _, f := range Fields() {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` | %s |\n", f.Path, f.Type, f.Default, strings.ReplaceAll(f.Doc, "|", `\|`))
	}
	return b.String()
}

func valueAt(v reflect.Value, path string) (reflect.Value, bool) {
	for _, seg := range strings.Split(path, ".") {
		if v.Kind() != reflect.Struct || v.Type() == durationType {
			return reflect.Value{}, false
		}
		i, ok := fieldsOf(v.Type()).index[seg]
		if !ok {
			return reflect.Value{}, false
		}
		v = v.Field(i)
	}
	return v, true
}

func typeName(t reflect.Type) string {
	if t == durationType {
		return "duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		return "list of strings"
	}
	return t.String()
}

func formatValue(v reflect.Value) string {
	if v.Type() == durationType {
		return v.Interface().(Duration).String()
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Slice:
		return "[" + strings.Join(v.Interface().([]string), ", ") + "]"
	}
	return fmt.Sprint(v.Interface())
}
