package cluster

import (
	"fmt"
	"sort"
	"strings"

	"github.com/abload/abload/scenarios"
)

// Recipe is how abload configures a cluster of one Flink line (major.minor):
// the configuration every cluster it starts shares (Base) and the keys a
// scenario's env section sets (Cluster). Flink renames and drops keys
// between lines, so each line has its own; the runtime bundle says which
// line it holds (Runtime.FlinkVersion).
type Recipe struct {
	Line    string
	Base    func(jmMem, tmMem string, slots int) map[string]string
	Cluster func(e scenarios.Env) map[string]string
}

// recipes are the Flink lines abload starts, by line (a read-only table).
var recipes = map[string]Recipe{
	"1.20": {Line: "1.20", Base: base120, Cluster: cluster120},
	"2.2":  {Line: "2.2", Base: FlinkBaseConfig, Cluster: FlinkClusterConfig},
	"2.3":  {Line: "2.3", Base: FlinkBaseConfig, Cluster: FlinkClusterConfig},
}

// DefaultLine is the Flink line of the runtime bundle `make runtime`
// builds.
const DefaultLine = scenarios.DefaultFlinkLine

// RecipeFor is the recipe of the line a Flink version belongs to
// ("2.2.1" → "2.2"); a line abload has no recipe for is an error naming
// the ones it has.
func RecipeFor(version string) (Recipe, error) {
	if r, ok := recipes[scenarios.FlinkLineOf(version)]; ok && strings.Count(version, ".") >= 1 {
		return r, nil
	}
	var lines []string
	for l := range recipes {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return Recipe{}, fmt.Errorf("Flink %q: abload has cluster recipes for Flink %s only", version, strings.Join(lines, ", "))
}

// Recipe is the recipe of the bundle's Flink line (DefaultLine's without a
// bundle: nothing can start then, and saying so is the start's job).
func (r *Runtime) Recipe() (Recipe, error) {
	if r == nil {
		return recipes[DefaultLine], nil
	}
	return RecipeFor(r.FlinkVersion())
}

// flink120Keys are the 2.2 recipe's keys that Flink 1.20 reads under
// another name (the adaptive scheduler's waits were renamed in 2.0).
var flink120Keys = map[string]string{
	"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling":        "jobmanager.adaptive-scheduler.scaling-interval.min",
	"jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout":  "jobmanager.adaptive-scheduler.scaling-interval.max",
	"jobmanager.adaptive-scheduler.submission.resource-stabilization-timeout": "jobmanager.adaptive-scheduler.resource-stabilization-timeout",
}

// base120 and cluster120 are the 2.2 recipe for Flink 1.20: the same
// settings, each under the key 1.20 reads (and every key is checked
// against 1.20's own before a cluster starts).
func base120(jmMem, tmMem string, slots int) map[string]string {
	return rename120(FlinkBaseConfig(jmMem, tmMem, slots))
}

func cluster120(e scenarios.Env) map[string]string { return rename120(FlinkClusterConfig(e)) }

func rename120(m map[string]string) map[string]string {
	for from, to := range flink120Keys {
		if v, ok := m[from]; ok {
			delete(m, from)
			m[to] = v
		}
	}
	return m
}
