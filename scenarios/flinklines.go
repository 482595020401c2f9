package scenarios

import "strings"

// FlinkLines are the Flink lines (major.minor) abload runs, each from its
// own runtime bundle; DefaultFlinkLine is the one make runtime builds.
var FlinkLines = []string{"1.20", "2.2", "2.3"}

// ExperimentalFlinkLines are the lines abload runs on parts not built for
// them, each with why; a result on one says so (result.json notes).
var ExperimentalFlinkLines = map[string]string{
	"2.3": "no Kafka connector is released for Flink 2.3: the A/B job and the SQL runner run the 2.2 line's (flink-connector-kafka 5.0.0-2.2) on it",
}

const DefaultFlinkLine = "2.2"

// StateBackendForSt is job.state_backend's value for ForSt, Flink 2's
// state backend (the 2.x lines only).
const StateBackendForSt = "forst"

// ForStLine reports whether a Flink line has ForSt (the 2.x lines).
func ForStLine(line string) bool { return strings.HasPrefix(line, "2.") }

// FlinkLineOf is the line (major.minor) of a Flink version: "1.20.0" → "1.20".
func FlinkLineOf(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}
