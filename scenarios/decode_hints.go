package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// want names what a field of type t expects, for messages.
func want(t reflect.Type) string {
	if t == durationType {
		return "a duration such as 30s"
	}
	if t == warmupType {
		return "auto or a duration such as 10s"
	}
	if t == matrixPtrType {
		return matrixTypeName
	}
	switch t.Kind() {
	case reflect.Struct:
		return "a mapping (" + strings.Join(fieldsOf(t).names, ", ") + ")"
	case reflect.Slice:
		switch e := t.Elem(); {
		case e.Kind() == reflect.Float64:
			return "a list of numbers such as [0.2, 0.25]"
		case isSection(e):
			return "a list of mappings (" + strings.Join(fieldsOf(e).names, ", ") + ")"
		}
		return "a list of strings such as [A, B]"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

// describe names what a node holds, for messages.
func describe(n *yaml.Node) string {
	n = resolveAlias(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	}
	return "nothing"
}

type structFields struct {
	names []string       // yaml names in declaration order
	index map[string]int // yaml name → field index
}

func fieldsOf(t reflect.Type) structFields {
	fs := structFields{index: map[string]int{}}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fs.names = append(fs.names, name)
		fs.index[name] = i
	}
	return fs
}

// suggest returns `; did you mean "x"?` for the closest known name, if close.
func suggest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if dist := editDistance(strings.ToLower(name), k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// credentialSections are the sections that configure authentication: a
// credential written into them would end up in the scenario file, in
// result.json and in logs.
var credentialSections = []string{"env.external.kafka.sasl", "env.external.flink"}

// credentialKeys are the field names a user might write a credential under.
var credentialKeys = map[string]bool{"password": true, "token": true, "secret": true, "auth": true, "auth_value": true}

// credentialHint is the hint for an unknown field name in the section at
// path that looks like an inline credential; "" for any other.
func credentialHint(path, name string) string {
	if !credentialKeys[strings.ToLower(name)] || !slices.Contains(credentialSections, path) {
		return ""
	}
	return "; credentials are never written in a scenario: name an environment variable (…_env) or a file (…_file)"
}

// mayHoldCredentials reports whether a --set value at path may hold a
// credential (in a mapping, or as a URL's user:password@): a section that
// contains a credential section, or a field inside one.
func mayHoldCredentials(path string) bool {
	for _, sec := range credentialSections {
		if path == sec || strings.HasPrefix(path, sec+".") || strings.HasPrefix(sec, path+".") {
			return true
		}
	}
	return false
}
