package scenarios

import (
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// A CPU list parses to increasing, distinct CPUs no higher than MaxCPU, and
// formatting them gives a list that parses back to the same CPUs.
func FuzzCPUList(f *testing.F) {
	for _, s := range []string{"0", "0-1", "0,2", "0-1,4", "3-1", "", "1,,2", "-1", "1024", "0-1023", "01", "5-5,5", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := ParseCPUList(s)
		if err != nil {
			return
		}
		if len(cpus) == 0 {
			t.Fatalf("%q: no CPUs and no error", s)
		}
		for i, c := range cpus {
			if c < 0 || c > MaxCPU || i > 0 && c <= cpus[i-1] {
				t.Fatalf("%q → %v: not increasing distinct CPUs in [0, %d]", s, cpus, MaxCPU)
			}
		}
		back, err := ParseCPUList(FormatCPUList(cpus))
		if err != nil || !slices.Equal(back, cpus) {
			t.Fatalf("%q → %v → %q → %v, %v", s, cpus, FormatCPUList(cpus), back, err)
		}
	})
}

var memoryParts = regexp.MustCompile(`(?i)^\s*([0-9]+)\s*([a-z]+)\s*$`)

// A memory size is exact: the number times its binary unit, computed here
// with big integers, and an error (never a wrapped or zero value) when
// that does not fit in an int64.
func FuzzMemoryBytes(f *testing.F) {
	for _, s := range []string{"1g", "512m", "16777216t", "8388607t", "9223372036854775807k", "0m", "1 GB", "1x", "", "1kibibytes", "99999999999999999999m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := MemoryBytes(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("%q: %d beside error %v", s, n, err)
			}
			return
		}
		m := memoryParts.FindStringSubmatch(s)
		if m == nil {
			t.Fatalf("%q accepted as %d bytes: not a number and a unit", s, n)
		}
		want, _ := new(big.Int).SetString(m[1], 10)
		shift := map[byte]uint{'k': 10, 'm': 20, 'g': 30, 't': 40}[strings.ToLower(m[2])[0]]
		want.Lsh(want, shift)
		if !want.IsInt64() || want.Int64() != n {
			t.Fatalf("%q = %d bytes, want %s", s, n, want)
		}
	})
}

// A bandwidth is within the limits it documents, or an error.
func FuzzBandwidthKBps(f *testing.F) {
	for _, s := range []string{"512KB/s", "10MB/s", "1.5GB/s", "0.4KB/s", "1000001GB/s", "1e3MB/s", "KB/s", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := BandwidthKBps(s)
		if err == nil && (v < 1 || v > 1e9) {
			t.Fatalf("%q = %d KB/s: outside [1, 1e9]", s, v)
		}
	})
}

// Filling in every known placeholder leaves none behind, and it fails
// exactly when the text names an unknown one.
func FuzzPlaceholders(f *testing.F) {
	for _, s := range []string{"--bootstrap {{kafka.bootstrap}} --p {{ job.parallelism }}", "{{nope}}", "{{{{topics.input}}}}", "{{}}", "{{ a b }}", "plain"} {
		f.Add(s)
	}
	values := map[string]string{}
	for _, p := range Placeholders {
		values[p] = "V"
	}
	f.Fuzz(func(t *testing.T, s string) {
		unknown := UnknownPlaceholders(s)
		out, err := ExpandPlaceholders(s, values)
		if (err != nil) != (len(unknown) > 0) {
			t.Fatalf("%q: unknown %v but error %v", s, unknown, err)
		}
		if err != nil {
			return
		}
		// No known name can be left: the value V contains none, so no
		// match in the output can be one.
		for _, m := range placeholderRE.FindAllStringSubmatch(out, -1) {
			if _, known := values[m[1]]; known {
				t.Fatalf("%q → %q: {{%s}} left", s, out, m[1])
			}
		}
	})
}

// --set never panics, is deterministic, and agrees with the same override
// given to Parse; Validate can run after it.
func FuzzSet(f *testing.F) {
	for _, kv := range [][2]string{{"workload.rate", "500"}, {"workload.rte", "5"}, {"job.window.size", "1s"}, {"faults", "[{at: 1s, kind: restart_broker}]"}, {"env.pin.harness", "0-1"}, {"workload.variants", "[A, B]"}, {"", ""}, {"a..b", "1"}, {"job.cost_per_event", "&a *a"}} {
		f.Add(kv[0], kv[1])
	}
	f.Fuzz(func(t *testing.T, path, value string) {
		fresh := func() *Scenario {
			s, err := Parse("f.yaml", []byte("name: f\n"), nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := fresh(), fresh()
		errA, errB := a.Set(path, value), b.Set(path, value)
		if (errA == nil) != (errB == nil) || errA == nil && !reflect.DeepEqual(a, b) {
			t.Fatalf("Set(%q, %q) twice: %v / %v", path, value, errA, errB)
		}
		if errA != nil {
			return
		}
		errV := a.Validate()
		if _, errP := Parse("f.yaml", []byte("name: f\n"), []string{path + "=" + value}); (errP == nil) != (errV == nil) {
			t.Fatalf("Set(%q, %q) then Validate: %v; Parse with the same override: %v", path, value, errV, errP)
		}
	})
}
