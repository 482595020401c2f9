package scenarios

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// WarmupAuto is workload.warmup's value for a warmup that ends when the
// system under test has settled.
const WarmupAuto = "auto"

// DefaultWarmupMax is workload.warmup_max's default.
const DefaultWarmupMax = 60 * time.Second

// minWarmupMax is the shortest workload.warmup_max that lets an auto
// warmup settle (harness/warmup judges two 5 s windows; the boundary is
// announced a second ahead).
const minWarmupMax = 11 * time.Second

// Warmup is workload.warmup: a fixed duration ("10s"), or "auto" (Auto set):
// warm up until the job's latency and the JVMs' JIT compilers have settled,
// at most workload.warmup_max. Once the scenario is resolved, Duration is the
// fixed length or, with auto, the max: the load's planned horizon is then an
// upper bound, and the run records the warmup it actually had.
type Warmup struct {
	time.Duration
	Auto bool
}

// ParseWarmup parses "auto" or a Go duration string.
func ParseWarmup(s string) (Warmup, error) {
	if strings.TrimSpace(s) == WarmupAuto {
		return Warmup{Auto: true}, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return Warmup{}, fmt.Errorf("malformed warmup %q (want auto, or a Go duration such as 10s)", s)
	}
	return Warmup{Duration: d}, nil
}

// String is "auto" or the duration as Duration formats it.
func (w Warmup) String() string {
	if w.Auto {
		return WarmupAuto
	}
	return Duration{w.Duration}.String()
}

// MarshalJSON writes "auto" or a duration string.
func (w Warmup) MarshalJSON() ([]byte, error) { return json.Marshal(w.String()) }

// UnmarshalJSON reads "auto" or a duration string (an auto warmup's max is
// workload.warmup_max, read beside it).
func (w *Warmup) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("warmup: want a string such as \"10s\" or \"auto\": %w", err)
	}
	v, err := ParseWarmup(s)
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// MarshalYAML writes "auto" or a duration string.
func (w Warmup) MarshalYAML() (any, error) { return w.String(), nil }

// UnmarshalYAML reads "auto" or a duration string. Scenario files are
// decoded by this package's own walker; this exists for other users of
// yaml.v3.
func (w *Warmup) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want auto or a duration such as 10s", n.Line)
	}
	v, err := ParseWarmup(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*w = v
	return nil
}

// resolveWarmup makes an auto warmup's Duration its max (the planned
// horizon's upper bound).
func (w *Workload) resolveWarmup() {
	if w.Warmup.Auto {
		w.Warmup.Duration = w.WarmupMax.Duration
	}
}

// UnmarshalJSON reads a workload (a result's scenario) and resolves an
// auto warmup's planned length as Parse does.
func (w *Workload) UnmarshalJSON(b []byte) error {
	type plain Workload
	if err := json.Unmarshal(b, (*plain)(w)); err != nil {
		return err
	}
	w.resolveWarmup()
	return nil
}
