package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Load reads the scenario file at path and resolves it: defaults, then the
// file, then each --set override ("PATH=VALUE") in order; then it validates.
// Problems with the content are returned together as a *ValidationError;
// a file that cannot be read gives a wrapped os error.
func Load(path string, sets []string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(path, data, sets)
}

// Parse is Load for content already in memory; name is the file name used in
// messages, as Scenario.Source, and to derive a missing scenario name.
func Parse(name string, data []byte, sets []string) (*Scenario, error) {
	s, d := resolve(name, data, nil, nil, sets)
	ps := d.problems
	if s.Matrix == nil {
		ps = append(ps, s.annotate(dropRelated(s.check(), d.problems))...)
	} else {
		// The scenario without its matrix is never run: check the points.
		ps = append(ps, s.expandMatrix(sets, d)...)
	}
	if err := errOrNil(ps); err != nil {
		return nil, err
	}
	return s, nil
}

// resolve applies defaults, the file (data, or doc when already parsed), a
// matrix point's settings and the --set overrides, in that order, without
// validating.
func resolve(name string, data []byte, doc *yaml.Node, point []matrixSetting, sets []string) (*Scenario, *decoder) {
	s := Defaults()
	s.Source = name
	s.origins = map[string]origin{}
	root := reflect.ValueOf(s).Elem()
	d := &decoder{file: name, origins: s.origins, skipMatrix: point != nil}
	if doc != nil {
		d.value(doc, root, "")
	} else {
		d.document(data, root)
	}
	for _, st := range point {
		d.file, d.setMode, d.visits = st.file, false, 0
		if field, ok := d.lookup(root, st.path); ok {
			d.value(st.node, field, st.path)
			d.origins[st.path] = origin{file: st.file, line: st.line}
		}
	}
	for _, raw := range sets {
		d.set(root, raw)
	}
	if s.Name == "" {
		s.Name = nameFromFile(name)
	}
	for i := range s.Scaling {
		if s.Scaling[i].Count == 0 {
			s.Scaling[i].Count = 1 // scaling[].count's default
		}
	}
	if _, set := s.origins["workload.cooldown"]; !set {
		s.Workload.Cooldown = Duration{DefaultCooldown(s.Job)}
	}
	if _, set := s.origins["env.jvm_options"]; !set && s.Env.Kind == EnvExternal {
		s.Env.JVMOptions = nil // $ABLOAD_JVM_OPTIONS is for the JVMs abload starts
	}
	if _, set := s.origins["env.flink_version"]; !set && s.Env.Kind == EnvExternal {
		// An external cluster's own line: abload asks its REST API before
		// anything starts (external.ClusterFlinkVersion) and submits that
		// line's job.
		s.Env.FlinkVersion = ""
	}
	// A savepoint path as result.json's savepoint names it ("file:/…").
	s.Job.RestoreFrom = LocalPath(s.Job.RestoreFrom)
	s.Workload.resolveWarmup()
	return s, d
}

// LocalPath turns a Flink file URI ("file:/a", "file:///a") into the local
// path it names; any other string is returned as it is.
func LocalPath(p string) string {
	if !strings.HasPrefix(p, "file:") {
		return p
	}
	p = strings.TrimPrefix(p, "file:")
	for strings.HasPrefix(p, "//") {
		p = p[1:]
	}
	return p
}

// DefaultCooldown is workload.cooldown when not set: with the windows
// output on, the window size (a session's gap) plus the out-of-orderness
// bound, so that the watermark of events sent after the measurement phase
// closes its last windows under load rather than the end-of-run flush
// (whose windows skip the wait for the watermark and are left out of window
// latency); without windows, 0.
func DefaultCooldown(j Job) time.Duration {
	if !j.Outputs.Windows {
		return 0
	}
	return max(j.Window.Size.Duration, j.Window.Gap.Duration) + j.OutOfOrderness.Duration
}

// Set applies one override to s: path is a dot path ("workload.rate"), value
// is parsed as YAML and type-checked against the field. It does not check
// ranges; call Validate after the last Set.
func (s *Scenario) Set(path, value string) error {
	if s.origins == nil {
		s.origins = map[string]origin{}
	}
	d := &decoder{origins: s.origins}
	d.set(reflect.ValueOf(s).Elem(), path+"="+value)
	s.Workload.resolveWarmup()
	return errOrNil(d.problems)
}

func nameFromFile(file string) string {
	base := filepath.Base(file)
	if base == "." || base == string(filepath.Separator) {
		return ""
	}
	for _, ext := range []string{".yaml", ".yml"} {
		if strings.HasSuffix(base, ext) {
			return strings.TrimSuffix(base, ext)
		}
	}
	return base
}

// maxVisits bounds the nodes walked for one document or value, so that a
// file nesting aliases and merge keys cannot make decoding explode.
const maxVisits = 100000

var (
	durationType = reflect.TypeOf(Duration{})
	warmupType   = reflect.TypeOf(Warmup{})
)

// isSection reports whether t is decoded as a mapping of named fields.
func isSection(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != durationType && t != warmupType
}

// decoder walks yaml.Nodes against the Scenario struct. It never stops at the
// first problem: a field with a problem keeps its previous value and the walk
// goes on.
type decoder struct {
	file     string // Problem.File for what is being decoded
	setMode  bool   // decoding a --set value: its line numbers mean nothing
	problems []Problem
	origins  map[string]origin
	visits   int
	// aliasLine is the line of the alias being followed, if any: values
	// reached through "*name" are recorded at the alias, where the field they
	// set is, rather than at the anchor.
	aliasLine int
	// active holds the mappings being decoded, so that an alias or merge key
	// that refers to a mapping containing it ("&a {<<: *a}") is reported
	// instead of recursing forever.
	active map[*yaml.Node]bool
	// skipMatrix leaves the matrix section out, when resolving its points.
	skipMatrix bool
	// doc is the document decoded, docVisits the nodes that took.
	doc       *yaml.Node
	docVisits int
}

func (d *decoder) addf(line int, path, format string, args ...any) {
	if d.setMode {
		line = 0
	}
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) record(path string, n *yaml.Node) {
	d.origins[path] = d.originOf(n)
}

func (d *decoder) originOf(n *yaml.Node) origin {
	line := n.Line
	if d.aliasLine != 0 {
		line = d.aliasLine
	}
	if d.setMode {
		line = 0
	}
	return origin{file: d.file, line: line}
}

// replaceList records where a list and its elements came from, forgetting
// the elements of the list it replaces.
func (d *decoder) replaceList(path string, n *yaml.Node, elems map[string]origin) {
	prefix := path + "["
	for k := range d.origins {
		if strings.HasPrefix(k, prefix) {
			delete(d.origins, k)
		}
	}
	for k, o := range elems {
		d.origins[k] = o
	}
	d.record(path, n)
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// yamlError turns a yaml.v3 syntax error into a Problem with its line.
func (d *decoder) yamlError(path string, err error) {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	d.addf(line, path, "invalid YAML: %s", msg)
}

func (d *decoder) document(data []byte, root reflect.Value) {
	d.doc = d.parse(data)
	if d.doc != nil {
		d.value(d.doc, root, "")
	}
	d.docVisits = d.visits
}

// parse reads the one YAML document in data; nil when there is none or it
// cannot be read.
func (d *decoder) parse(data []byte) *yaml.Node {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil // an empty file means all defaults; YAML itself rejects a lone tab
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if !errors.Is(err, io.EOF) {
			d.yamlError("", err)
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.addf(extra.Line, "", "only one YAML document is allowed")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError("", err)
	}
	return &doc
}

func (d *decoder) set(root reflect.Value, raw string) {
	d.setMode = true
	d.visits = 0
	path, value, ok := strings.Cut(raw, "=")
	path = strings.TrimSpace(path)
	d.file = "--set " + raw
	if ok && mayHoldCredentials(path) {
		// The value may be a password or a URL with one: never repeat it.
		d.file = "--set " + path + "=(value not shown)"
	}
	if !ok || path == "" {
		d.addf(0, "", "want PATH=VALUE, e.g. workload.rate=5000")
		return
	}
	field, ok := d.lookup(root, path)
	if !ok {
		return
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(value), &doc); err != nil {
		d.yamlError(path, err)
		return
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == 0 || n.Kind == yaml.DocumentNode || isNull(n) {
		d.addf(0, path, "missing value (want %s)", want(field.Type()))
		return
	}
	d.value(n, field, path)
}

// lookup finds the field at a dot path, reporting a problem if there is none.
func (d *decoder) lookup(root reflect.Value, path string) (reflect.Value, bool) {
	v := root
	done := ""
	for _, seg := range strings.Split(path, ".") {
		if !isSection(v.Type()) {
			d.addf(0, path, "%s is %s, not a section", done, want(v.Type()))
			return reflect.Value{}, false
		}
		fs := fieldsOf(v.Type())
		i, ok := fs.index[seg]
		if !ok {
			where := "the scenario"
			if done != "" {
				where = done
			}
			d.addf(0, path, "unknown field %q in %s (known: %s)%s%s", seg, where, strings.Join(fs.names, ", "), suggest(seg, fs.names), credentialHint(done, seg))
			return reflect.Value{}, false
		}
		v = v.Field(i)
		done = join(done, seg)
	}
	return v, true
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// tooComplex counts a visit to n and reports whether the limit is exceeded.
func (d *decoder) tooComplex(n *yaml.Node, path string) bool {
	d.visits++
	if d.visits > maxVisits {
		if d.visits == maxVisits+1 {
			d.addf(n.Line, path, "document too complex (more than %d nodes, counting aliases)", maxVisits)
		}
		return true
	}
	return false
}

// value decodes n into v, the field at path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if d.tooComplex(n, path) {
		return
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			return
		}
		if d.aliasLine == 0 {
			d.aliasLine = n.Line
			defer func() { d.aliasLine = 0 }()
		}
		d.value(n.Alias, v, path)
		return
	}
	if isNull(n) {
		return // keep the default
	}
	t := v.Type()
	switch {
	case t == durationType:
		d.duration(n, v, path)
	case t == warmupType:
		d.warmup(n, v, path)
	case t == matrixPtrType:
		if !d.skipMatrix {
			d.matrix(n, v, path)
		}
	case isSection(t):
		d.mapping(n, v, path)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		d.stringList(n, v, path)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Float64:
		d.floatList(n, v, path)
	case t.Kind() == reflect.Slice && isSection(t.Elem()):
		d.structList(n, v, path)
	default:
		d.scalar(n, v, path)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	if d.active[n] {
		d.addf(n.Line, path, "an alias or merge key refers to a mapping that contains it")
		return
	}
	if d.active == nil {
		d.active = map[*yaml.Node]bool{}
	}
	d.active[n] = true
	defer delete(d.active, n)
	fs := fieldsOf(v.Type())
	// Merge keys first, so that the mapping's own keys override them.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(n.Content[i+1], v, path)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		k = resolveAlias(k)
		if k == nil || k.Kind != yaml.ScalarNode {
			d.addf(n.Content[i].Line, path, "expected a field name, got %s", describe(n.Content[i]))
			continue
		}
		name := k.Value
		p := join(path, name)
		if first, dup := seen[name]; dup {
			d.addf(k.Line, p, "duplicate field (first set at line %d)", first)
			continue
		}
		seen[name] = k.Line
		idx, ok := fs.index[name]
		if !ok {
			d.addf(k.Line, p, "unknown field (known: %s)%s%s", strings.Join(fs.names, ", "), suggest(name, fs.names), credentialHint(path, name))
			continue
		}
		d.value(val, v.Field(idx), p)
	}
}

// merge applies a YAML merge key ("<<: *base"). In a list of mappings the
// earlier ones win, so they are applied last.
func (d *decoder) merge(n *yaml.Node, v reflect.Value, path string) {
	n = resolveAlias(n)
	if n == nil || d.tooComplex(n, path) {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.mapping(n, v, path)
	case yaml.SequenceNode:
		for i := len(n.Content) - 1; i >= 0; i-- {
			m := resolveAlias(n.Content[i])
			if m == nil || m.Kind != yaml.MappingNode {
				d.addf(n.Content[i].Line, path, "merge key: expected a mapping, got %s", describe(n.Content[i]))
				continue
			}
			d.mapping(m, v, path)
		}
	default:
		d.addf(n.Line, path, "merge key: expected a mapping, got %s", describe(n))
	}
}

func (d *decoder) stringList(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, e := range n.Content {
		e = resolveAlias(e)
		if e == nil || e.Kind != yaml.ScalarNode || isNull(e) || !stringTag(e) {
			d.addf(n.Content[i].Line, fmt.Sprintf("%s[%d]", path, i), "expected a string, got %s", describe(n.Content[i]))
			ok = false
			continue
		}
		out = append(out, e.Value)
	}
	if ok {
		if len(out) == 0 {
			out = nil // so that a resolved scenario survives a round trip through YAML
		}
		v.Set(reflect.ValueOf(out))
		d.record(path, n)
	}
}

func (d *decoder) floatList(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	var out []float64
	elems := map[string]origin{}
	ok := true
	for i, e := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		f, good := yamlFloat(resolveAlias(e))
		if !good {
			d.addf(e.Line, p, "expected a number, got %s", describe(e))
			ok = false
			continue
		}
		out = append(out, f)
		elems[p] = d.originOf(e)
	}
	if ok {
		v.Set(reflect.ValueOf(out))
		d.replaceList(path, n, elems)
	}
}

// structList decodes a list of mappings. Each element starts from the zero
// value, every leaf field of an element is required, and unknown fields are
// errors as anywhere else. The list replaces the previous one only when all
// its elements decode.
func (d *decoder) structList(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	et := v.Type().Elem()
	fs := fieldsOf(et)
	out := reflect.Zero(v.Type())
	saved, before := d.origins, len(d.problems)
	d.origins = map[string]origin{} // collects the elements' origins
	for i, e := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		m := resolveAlias(e)
		if m == nil || m.Kind != yaml.MappingNode {
			d.addf(e.Line, p, "expected %s, got %s", want(et), describe(e))
			continue
		}
		ev := reflect.New(et).Elem()
		start := len(d.problems)
		d.value(e, ev, p)
		d.origins[p] = d.originOf(e)
		var required []string
		for _, name := range fs.names {
			if et.Field(fs.index[name]).Tag.Get("abload") != "optional" {
				required = append(required, name)
			}
		}
		for _, name := range required {
			fp := join(p, name)
			if isSection(et.Field(fs.index[name]).Type) || hasProblemAt(d.problems[start:], p, fp) {
				continue
			}
			if _, set := d.origins[fp]; !set {
				d.addf(m.Line, join(p, name), "missing (each element needs %s)", strings.Join(required, ", "))
			}
		}
		out = reflect.Append(out, ev)
	}
	elems := d.origins
	d.origins = saved
	if len(d.problems) == before {
		if out.Len() == 0 {
			out = reflect.Zero(v.Type())
		}
		v.Set(out)
		d.replaceList(path, n, elems)
	}
}

func stringTag(n *yaml.Node) bool {
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool":
		return true
	}
	return false
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	dur, err := ParseDuration(n.Value)
	if err != nil {
		d.addf(n.Line, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(dur))
	d.record(path, n)
}

func (d *decoder) warmup(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
		return
	}
	w, err := ParseWarmup(n.Value)
	if err != nil {
		d.addf(n.Line, path, "%v", err)
		return
	}
	v.Set(reflect.ValueOf(w))
	d.record(path, n)
}

func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	bad := func() {
		d.addf(n.Line, path, "expected %s, got %s", want(v.Type()), describe(n))
	}
	if n.Kind != yaml.ScalarNode {
		bad()
		return
	}
	switch v.Kind() {
	case reflect.String:
		if !stringTag(n) {
			bad()
			return
		}
		v.SetString(n.Value)
	case reflect.Int, reflect.Int64:
		i, ok := yamlInt(n)
		if !ok || v.OverflowInt(i) {
			bad()
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, ok := yamlFloat(n)
		if !ok {
			bad()
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		var b bool
		if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			bad()
			return
		}
		v.SetBool(b)
	default:
		panic("scenarios: no decoder for field type " + v.Type().String())
	}
	d.record(path, n)
}

// yamlInt reads an integer, also accepting a float with an integral value
// (so "recipients: 1e6" works).
func yamlInt(n *yaml.Node) (int64, bool) {
	switch n.ShortTag() {
	case "!!int":
		var i int64
		if n.Decode(&i) != nil {
			return 0, false
		}
		return i, true
	case "!!float":
		var f float64
		if n.Decode(&f) != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// hasProblemAt reports whether one of ps is about one of paths.
func hasProblemAt(ps []Problem, paths ...string) bool {
	for _, p := range ps {
		for _, path := range paths {
			if p.Path == path {
				return true
			}
		}
	}
	return false
}

// yamlFloat reads a number (an integer or a float).
func yamlFloat(n *yaml.Node) (float64, bool) {
	if n == nil || n.Kind != yaml.ScalarNode {
		return 0, false
	}
	var f float64
	if tag := n.ShortTag(); tag != "!!int" && tag != "!!float" || n.Decode(&f) != nil {
		return 0, false
	}
	return f, true
}
