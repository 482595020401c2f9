package reports

import (
	"encoding/json"
	"fmt"
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
