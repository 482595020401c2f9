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
	"2.2": {Line: "2.2", Base: FlinkBaseConfig, Cluster: FlinkClusterConfig},
}

// DefaultLine is the Flink line of the runtime bundle `make runtime`
// builds.
const DefaultLine = "2.2"

// RecipeFor is the recipe of the line a Flink version belongs to
// ("2.2.1" → "2.2"); a line abload has no recipe for is an error naming
// the ones it has.
func RecipeFor(version string) (Recipe, error) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) >= 2 {
		if r, ok := recipes[parts[0]+"."+parts[1]]; ok {
			return r, nil
		}
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
