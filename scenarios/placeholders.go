package scenarios

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Placeholders are the names job.args and job.sql may use as {{name}};
// abload fills each in when it submits the job (harness.JobPlaceholders
// holds the values and their meaning).
var Placeholders = []string{
	"kafka.bootstrap", "kafka.properties", "kafka.sql_options",
	"topics.input", "topics.updates", "topics.windows",
	"group.id", "job.name", "job.parallelism", "job.max_parallelism", "job.delivery", "job.transactional_id_prefix",
	"job.out_of_orderness_ms", "job.idleness_ms", "job.state_ttl_ms", "job.checkpoint.interval_ms",
	"window.kind", "window.size_ms", "window.slide_ms", "window.gap_ms", "window.allowed_lateness_ms",
	"window.function", "window.interval_args", "workload.encoding",
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}\s]*)\s*\}\}`)

// UnknownPlaceholders returns the distinct {{names}} in s that are not
// Placeholders, sorted.
func UnknownPlaceholders(s string) []string {
	known := map[string]bool{}
	for _, p := range Placeholders {
		known[p] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		if !known[m[1]] && !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

// ExpandPlaceholders replaces each {{name}} in s by values[name]; a name
// without a value is an error.
func ExpandPlaceholders(s string, values map[string]string) (string, error) {
	var missing []string
	out := placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		v, ok := values[name]
		if !ok {
			missing = append(missing, name)
			return m
		}
		return v
	})
	if len(missing) > 0 {
		return "", fmt.Errorf("unknown placeholder(s) {{%s}} (known: %s)", strings.Join(missing, "}}, {{"), strings.Join(Placeholders, ", "))
	}
	return out, nil
}
