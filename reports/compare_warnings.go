package reports

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// missingReason explains why a metric was not compared, or "" when neither
// configuration has it in any repetition (nothing worth mentioning).
func missingReason(m CompareMetric, name string, rs []*Result, dirs []string, baseName string, base []*Result, baseDirs []string) string {
	missing := func(rs []*Result, dirs []string) (have int, lack []string) {
		for i, r := range rs {
			if _, ok := m.value(r); ok {
				have++
			} else {
				lack = append(lack, dirs[i])
			}
		}
		return have, lack
	}
	haveX, lackX := missing(rs, dirs)
	haveY, lackY := missing(base, baseDirs)
	if haveX == 0 && haveY == 0 {
		return ""
	}
	var parts []string
	for _, side := range []struct {
		name string
		n    int
		have int
		lack []string
	}{{name, len(rs), haveX, lackX}, {baseName, len(base), haveY, lackY}} {
		switch {
		case side.n == 0:
			parts = append(parts, side.name+" has no valid result")
		case side.have == 0:
			parts = append(parts, side.name+" does not have it")
		case len(side.lack) > 0:
			parts = append(parts, fmt.Sprintf("%s lacks it in %d of %d repetitions (%s)", side.name, len(side.lack), side.n, strings.Join(side.lack, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}

// environmentWarnings compares every result's environment (the whole
// section, through its JSON form, so fields added later count too) with the
// baseline's first result's.
func (c *Comparison) environmentWarnings(configs []Config, used [][]*Result, dirs [][]string, baseline int) {
	refCfg := baseline
	if len(used[refCfg]) == 0 {
		refCfg = -1
		for i := range used {
			if len(used[i]) > 0 {
				refCfg = i
				break
			}
		}
		if refCfg < 0 {
			return
		}
	}
	ref := envFields(used[refCfg][0].Environment)
	refWhere := dirs[refCfg][0]
	for i, cfg := range configs {
		var order []string
		byDiff := map[string][]string{}
		for j, r := range used[i] {
			d := envDiff(ref, envFields(r.Environment))
			if d == "" {
				continue
			}
			if _, ok := byDiff[d]; !ok {
				order = append(order, d)
			}
			byDiff[d] = append(byDiff[d], dirs[i][j])
		}
		for _, d := range order {
			c.warn("%s: environment differs from %s's (%s) in %d of %d results (%s): %s",
				cfg.Name, configs[refCfg].Name, refWhere, len(byDiff[d]), len(used[i]), strings.Join(byDiff[d], ", "), d)
		}
	}
}

// maxDefaultsListed caps the keys a Flink-defaults warning lists; the rest
// are counted (each result's flink_config has them all).
const maxDefaultsListed = 40

// flinkConfigWarnings lists, for each configuration against the baseline,
// the Flink configuration keys whose values differ although neither side's
// scenario set them: defaults that changed between Flink versions (an
// upgrade comparison), which would otherwise be read as the version's own
// effect. Keys are paired by name: a default changed under a renamed key
// shows among the keys that hold a value on one side only, which are
// counted. What the scenarios set differently is the comparison itself, and
// not repeated. Each side's first result that recorded its configuration
// stands for it; a side without one (an external cluster, an older bundle
// or abload) is said, not taken for "no difference". The reference is the
// baseline's, or the first configuration's with valid results when the
// baseline has none (as for the environment).
func (c *Comparison) flinkConfigWarnings(configs []Config, used [][]*Result, baseline int) {
	first := func(rs []*Result) *Result {
		for _, r := range rs {
			if r.FlinkConfig != nil && len(r.FlinkConfig.Effective) > 0 {
				return r
			}
		}
		return nil
	}
	refCfg := baseline
	if len(used[refCfg]) == 0 {
		refCfg = slices.IndexFunc(used, func(rs []*Result) bool { return len(rs) > 0 })
		if refCfg < 0 {
			return
		}
	}
	ref := first(used[refCfg])
	refName := configs[refCfg].Name
	anyRecorded := false
	for _, rs := range used {
		anyRecorded = anyRecorded || first(rs) != nil
	}
	if !anyRecorded {
		return // results from before abload recorded it, or all external: nothing to say
	}
	noConfig := "%s's results record no Flink configuration (result.json flink_config: an external cluster, or a runtime bundle or abload from before it was recorded): the Flink defaults that differ could not be listed"
	if ref == nil {
		c.warn(noConfig, refName)
		return
	}
	refSet := map[string]bool{}
	for _, k := range ref.FlinkConfig.Set {
		refSet[k] = true
	}
	for i, cfg := range configs {
		if i == refCfg || len(used[i]) == 0 {
			continue
		}
		r := first(used[i])
		if r == nil {
			c.warn(noConfig, cfg.Name)
			continue
		}
		set := map[string]bool{}
		for _, k := range r.FlinkConfig.Set {
			set[k] = true
		}
		a, b := ref.FlinkConfig.Effective, r.FlinkConfig.Effective
		var diffs []string
		onlyRef, onlyThis := 0, 0
		for _, k := range slices.Sorted(maps.Keys(a)) {
			v, ok := b[k]
			switch {
			case !ok:
				onlyRef++
			case v != a[k] && !refSet[k] && !set[k]:
				diffs = append(diffs, fmt.Sprintf("%s %s → %s", k, quoteEmpty(a[k]), quoteEmpty(v)))
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				onlyThis++
			}
		}
		refVer, ver := ref.Environment.FlinkVersion, r.Environment.FlinkVersion
		if len(diffs) > 0 {
			listed := diffs
			more := ""
			if len(diffs) > maxDefaultsListed {
				listed = diffs[:maxDefaultsListed]
				more = fmt.Sprintf("; and %d more (each result's flink_config)", len(diffs)-maxDefaultsListed)
			}
			c.warn("%s: %d Flink defaults differ from %s's (Flink %s → %s), set by neither scenario; part of any difference may be theirs (set one in env.flink_config or job.flink_config on both sides to leave it out): %s%s",
				cfg.Name, len(diffs), refName, refVer, ver, strings.Join(listed, "; "), more)
		}
		if onlyRef+onlyThis > 0 {
			c.warn("%s: %d Flink configuration keys hold a value only in %s's Flink %s, %d only in %s's Flink %s (an option one version alone has, or has without a default, or a renamed one; result.json flink_config)",
				cfg.Name, onlyRef, refName, refVer, onlyThis, cfg.Name, ver)
		}
	}
}

func quoteEmpty(v string) string {
	if v == "" {
		return `""`
	}
	return v
}

// versionWarning warns when the results come from different abload
// versions: a figure's definition may have changed between them (see the
// changelog), whatever the schema says.
func (c *Comparison) versionWarning(used [][]*Result) {
	n := map[string]int{}
	var order []string
	for _, rs := range used {
		for _, r := range rs {
			v := r.AbloadVersion
			if v == "" {
				v = "unknown"
			}
			if n[v] == 0 {
				order = append(order, v)
			}
			n[v]++
		}
	}
	if len(order) < 2 {
		return
	}
	parts := make([]string, len(order))
	for i, v := range order {
		parts[i] = fmt.Sprintf("%s (%d)", v, n[v])
	}
	c.warn("the results come from different abload versions: %s; a figure's definition may differ between them (see the changelog)", strings.Join(parts, ", "))
}

func envFields(e Environment) map[string]any {
	b, _ := json.Marshal(e)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func envDiff(ref, got map[string]any) string {
	keys := map[string]bool{}
	for k := range ref {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	var diffs []string
	for _, k := range names {
		a, b := jsonText(ref, k), jsonText(got, k)
		if a != b {
			diffs = append(diffs, fmt.Sprintf("%s %s vs %s", k, b, a))
		}
	}
	return strings.Join(diffs, ", ")
}

func jsonText(m map[string]any, k string) string {
	v, ok := m[k]
	if !ok {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
