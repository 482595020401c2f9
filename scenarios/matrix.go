package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxMatrixPoints bounds the number of points a matrix may expand to.
const MaxMatrixPoints = 256

// Matrix is a scenario's matrix section as written: either the product form
// (a mapping of dot path → list of values; the cartesian product, first key
// varying slowest) or the list form (a list of mappings of dot path → value,
// one per point). It marshals back to YAML and JSON in the form it was
// written in. Each value is applied like --set PATH=VALUE on top of the file.
type Matrix struct {
	list  bool
	axes  []matrixAxis      // product form, keys in file order
	items [][]matrixSetting // list form, one element per point
}

type matrixAxis struct {
	path   string
	values []matrixSetting
}

// matrixSetting is one PATH=VALUE of a matrix entry.
type matrixSetting struct {
	path  string     // field dot path, as for --set
	where string     // path in messages: "matrix.job.delivery[1]" or "matrix[2].job.delivery"
	file  string     // where the matrix came from (the file, or a --set argument)
	line  int        // line of the value, 0 when unknown
	node  *yaml.Node // the value: aliases resolved, no anchors, comments or positions
	text  string     // the value as YAML (flow style)
}

func (st matrixSetting) String() string { return st.path + "=" + st.text }

// MatrixPoint is one point of a scenario's matrix.
type MatrixPoint struct {
	// Name is stable, unique within the matrix and filesystem-safe (letters,
	// digits, '.', '_', '-'): "interval-1s_state_backend-hashmap". Each
	// setting contributes LABEL-VALUE, LABEL being the path's last element
	// unless that is ambiguous in the matrix. "default" when there is no
	// matrix.
	Name string
	// Settings are the PATH=VALUE pairs of this point, in matrix order.
	Settings []string
	// Scenario is the resolved, validated scenario of this point (defaults <
	// file < point < --set); its Matrix is nil.
	Scenario *Scenario
}

// Points returns the points of the scenario's matrix, in matrix order, each
// fully resolved and validated by Load or Parse; without a matrix it is a
// single point named "default" holding s itself. It is nil for a scenario
// that has a Matrix but did not come from Load or Parse, and it does not
// follow later changes made with Set.
func (s *Scenario) Points() []MatrixPoint {
	if s.points != nil {
		return s.points
	}
	if s.Matrix == nil {
		return []MatrixPoint{{Name: "default", Scenario: s}}
	}
	return nil
}

// RunSlot is one run of a matrix: Point indexes Points(), Repetition counts
// from 1.
type RunSlot struct{ Point, Repetition int }

// Interleave orders the runs of points × repetitions so that every point
// runs once before any runs again (A B A B …), spreading drift over time
// evenly across the points.
func Interleave(points, repetitions int) []RunSlot {
	if points <= 0 || repetitions <= 0 {
		return nil
	}
	out := make([]RunSlot, 0, points*repetitions)
	for r := 1; r <= repetitions; r++ {
		for p := range points {
			out = append(out, RunSlot{Point: p, Repetition: r})
		}
	}
	return out
}

var matrixPtrType = reflect.TypeOf((*Matrix)(nil))

// size is the number of points, capped just above MaxMatrixPoints.
func (m *Matrix) size() int {
	if m.list {
		return len(m.items)
	}
	n := 1
	for _, a := range m.axes {
		n *= len(a.values)
		if n > MaxMatrixPoints {
			return MaxMatrixPoints + 1
		}
	}
	return n
}

// expand lists the settings of every point: the product form with the first
// key varying slowest.
func (m *Matrix) expand() [][]matrixSetting {
	if m.list {
		return m.items
	}
	var out [][]matrixSetting
	idx := make([]int, len(m.axes))
	for {
		pt := make([]matrixSetting, len(m.axes))
		for i, a := range m.axes {
			pt[i] = a.values[idx[i]]
		}
		out = append(out, pt)
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(m.axes[i].values) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// matrix decodes the matrix section. Bad entries are reported and left out,
// so that the remaining points can still be checked.
func (d *decoder) matrix(n *yaml.Node, v reflect.Value, path string) {
	m := &Matrix{}
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			p, ok := d.matrixKey(k, path, seen)
			if !ok {
				continue
			}
			where := path + "." + p
			if !d.matrixField(k.Line, where, p) {
				continue
			}
			list := resolveAlias(val)
			if list == nil || list.Kind != yaml.SequenceNode {
				d.addf(val.Line, where, "expected a list of values, got %s (a single value belongs in the file, not the matrix)", describe(val))
				continue
			}
			if len(list.Content) == 0 {
				d.addf(val.Line, where, "needs at least one value")
				continue
			}
			axis := matrixAxis{path: p}
			for j, e := range list.Content {
				if st, ok := d.matrixValue(e, p, fmt.Sprintf("%s[%d]", where, j)); ok {
					axis.values = append(axis.values, st)
				}
			}
			if len(axis.values) > 0 {
				m.axes = append(m.axes, axis)
			}
		}
		if len(n.Content) == 0 {
			d.addf(n.Line, path, "needs at least one path")
		}
	case yaml.SequenceNode:
		m.list = true
		for i, e := range n.Content {
			item := fmt.Sprintf("%s[%d]", path, i)
			mm := resolveAlias(e)
			if mm == nil || mm.Kind != yaml.MappingNode {
				d.addf(e.Line, item, "expected a mapping of path: value, got %s", describe(e))
				continue
			}
			pt := []matrixSetting{}
			seen := map[string]int{}
			for j := 0; j+1 < len(mm.Content); j += 2 {
				k, val := mm.Content[j], mm.Content[j+1]
				p, ok := d.matrixKey(k, item, seen)
				if !ok {
					continue
				}
				where := item + "." + p
				if !d.matrixField(k.Line, where, p) {
					continue
				}
				if st, ok := d.matrixValue(val, p, where); ok {
					pt = append(pt, st)
				}
			}
			m.items = append(m.items, pt)
		}
		if len(n.Content) == 0 {
			d.addf(n.Line, path, "needs at least one point")
		}
	default:
		d.addf(n.Line, path, "expected a mapping of path: [values] or a list of mappings of path: value, got %s", describe(n))
		return
	}
	if size := m.size(); size > MaxMatrixPoints {
		what := strconv.Itoa(size)
		if !m.list {
			what = "more than " + strconv.Itoa(MaxMatrixPoints)
		}
		d.addf(n.Line, path, "has %s points; at most %d are allowed", what, MaxMatrixPoints)
	}
	v.Set(reflect.ValueOf(m))
	d.record(path, n)
}

// matrixKey reads one key of a matrix mapping.
func (d *decoder) matrixKey(k *yaml.Node, at string, seen map[string]int) (string, bool) {
	if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
		d.addf(k.Line, at, "merge keys are not supported in a matrix")
		return "", false
	}
	r := resolveAlias(k)
	if r == nil || r.Kind != yaml.ScalarNode || isNull(r) {
		d.addf(k.Line, at, "expected a field path such as job.state_backend, got %s", describe(k))
		return "", false
	}
	p := strings.TrimSpace(r.Value)
	if first, dup := seen[p]; dup {
		d.addf(k.Line, at+"."+p, "duplicate path (first at line %d)", first)
		return "", false
	}
	seen[p] = k.Line
	return p, true
}

// matrixField checks that a matrix key names a field --set accepts.
func (d *decoder) matrixField(line int, where, path string) bool {
	if path == "matrix" || strings.HasPrefix(path, "matrix.") || path == "repetitions" {
		d.addf(line, where, "%s cannot vary in a matrix", path)
		return false
	}
	sd := &decoder{origins: map[string]origin{}}
	sd.lookup(reflect.ValueOf(Defaults()).Elem(), path)
	for _, p := range sd.problems {
		d.addf(line, where, "%s", p.Msg)
	}
	return len(sd.problems) == 0
}

// matrixValue type-checks one value against the field at path.
func (d *decoder) matrixValue(n *yaml.Node, path, where string) (matrixSetting, bool) {
	field, _ := (&decoder{origins: map[string]origin{}}).lookup(reflect.ValueOf(Defaults()).Elem(), path)
	if r := resolveAlias(n); r == nil || isNull(r) {
		d.addf(n.Line, where, "missing value (want %s)", want(field.Type()))
		return matrixSetting{}, false
	}
	sd := &decoder{file: d.file, setMode: d.setMode, origins: map[string]origin{}, visits: d.visits}
	sd.value(n, field, where)
	d.visits = sd.visits
	d.problems = append(d.problems, sd.problems...)
	if len(sd.problems) > 0 {
		return matrixSetting{}, false
	}
	plain := d.plainNode(n, where)
	st := matrixSetting{path: path, where: where, file: d.file, line: n.Line, node: plain, text: flowText(plain)}
	if d.setMode {
		st.line = 0
	}
	return st, true
}

// plainNode copies n without aliases, anchors, comments or positions.
func (d *decoder) plainNode(n *yaml.Node, path string) *yaml.Node {
	n = resolveAlias(n)
	if n == nil || d.tooComplex(n, path) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value}
	for _, e := range n.Content {
		c.Content = append(c.Content, d.plainNode(e, path))
	}
	return c
}

// flowText renders a value as one line of YAML where possible.
func flowText(n *yaml.Node) string {
	var setFlow func(*yaml.Node) *yaml.Node
	setFlow = func(n *yaml.Node) *yaml.Node {
		c := *n
		if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
			c.Style |= yaml.FlowStyle
		}
		c.Content = nil
		for _, e := range n.Content {
			c.Content = append(c.Content, setFlow(e))
		}
		return &c
	}
	out, err := yaml.Marshal(setFlow(n))
	if err != nil {
		return n.Value
	}
	return strings.TrimSpace(string(out))
}

// node renders the matrix as YAML in the form it was written in.
func (m *Matrix) node() *yaml.Node {
	key := func(p string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: p} }
	if m.list {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, pt := range m.items {
			mp := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
			for _, st := range pt {
				mp.Content = append(mp.Content, key(st.path), st.node)
			}
			seq.Content = append(seq.Content, mp)
		}
		return seq
	}
	mp := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for _, a := range m.axes {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, st := range a.values {
			seq.Content = append(seq.Content, st.node)
		}
		mp.Content = append(mp.Content, key(a.path), seq)
	}
	return mp
}

// MarshalYAML writes the matrix in the form it was written in.
func (m *Matrix) MarshalYAML() (any, error) { return m.node(), nil }

// UnmarshalYAML reads a matrix, checking its paths and value types.
func (m *Matrix) UnmarshalYAML(n *yaml.Node) error {
	return m.decode("", n)
}

// MarshalJSON writes the matrix as given: an object of path → array of
// values (keys in order), or an array of objects of path → value.
func (m *Matrix) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	value := func(st matrixSetting) {
		var v any
		if st.node.Decode(&v) == nil {
			if out, err := json.Marshal(v); err == nil {
				b.Write(out)
				return
			}
		}
		out, _ := json.Marshal(st.text) // say .inf, or a mapping with non-string keys
		b.Write(out)
	}
	writeKey := func(i int, p string) {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(p)
		b.Write(k)
		b.WriteByte(':')
	}
	if m.list {
		b.WriteByte('[')
		for i, pt := range m.items {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('{')
			for j, st := range pt {
				writeKey(j, st.path)
				value(st)
			}
			b.WriteByte('}')
		}
		b.WriteByte(']')
		return b.Bytes(), nil
	}
	b.WriteByte('{')
	for i, a := range m.axes {
		writeKey(i, a.path)
		b.WriteByte('[')
		for j, st := range a.values {
			if j > 0 {
				b.WriteByte(',')
			}
			value(st)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes (JSON is YAML).
func (m *Matrix) UnmarshalJSON(data []byte) error {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return err
	}
	return m.decode("", &n)
}

func (m *Matrix) decode(file string, n *yaml.Node) error {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	d := &decoder{file: file, origins: map[string]origin{}}
	var got *Matrix
	d.matrix(n, reflect.ValueOf(&got).Elem(), "matrix")
	if err := errOrNil(d.problems); err != nil {
		return err
	}
	*m = *got
	return nil
}

// expandMatrix resolves and validates every point of s.Matrix; sets are the
// overrides Parse applied and d the decoder that resolved s.
func (s *Scenario) expandMatrix(sets []string, d *decoder) []Problem {
	decoded := d.problems
	base := map[Problem]bool{}
	for _, p := range s.annotate(dropRelated(s.check(), decoded)) {
		base[p] = true
	}
	if s.Matrix.size() > MaxMatrixPoints {
		return nil // reported while decoding
	}
	settings := s.Matrix.expand()
	// Each point decodes the document again: bound the total work.
	if d.docVisits*len(settings) > 20*maxVisits {
		return []Problem{{File: s.Source, Path: "matrix", Msg: fmt.Sprintf("document too complex to expand %d points (%d nodes each, counting aliases)", len(settings), d.docVisits)}}
	}
	names := pointNames(settings)
	seen := map[Problem]bool{}
	var out []Problem
	points := make([]MatrixPoint, len(settings))
	for i, pt := range settings {
		ps, _ := resolve(s.Source, nil, d.doc, pt, sets)
		ps.Matrix = nil
		for _, it := range dropRelated(ps.check(), decoded) {
			p := ps.pointProblem(it, pt, names[i], base)
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
		texts := make([]string, len(pt))
		for j, st := range pt {
			texts[j] = st.String()
		}
		points[i] = MatrixPoint{Name: names[i], Settings: texts, Scenario: ps}
	}
	s.points = points
	return out
}

// pointProblem attributes a validation problem of a point: to the matrix
// entry that set the value, or else, when the problem is not the base
// scenario's own, to the entry most likely responsible.
func (s *Scenario) pointProblem(it issue, pt []matrixSetting, name string, base map[Problem]bool) Problem {
	p := s.annotate([]issue{it})[0]
	at := func(st matrixSetting) Problem {
		msg := it.Msg
		if it.Path != st.path {
			msg = it.Path + ": " + msg
		}
		return Problem{File: st.file, Line: st.line, Path: st.where, Msg: msg + " (in point " + name + ")"}
	}
	for j := len(pt) - 1; j >= 0; j-- {
		st := pt[j]
		if it.Path == st.path || strings.HasPrefix(it.Path, st.path+".") || strings.HasPrefix(it.Path, st.path+"[") {
			if o, ok := s.originOf(it.Path); ok && o == (origin{file: st.file, line: st.line}) {
				return at(st)
			}
		}
	}
	if base[p] || len(pt) == 0 {
		return p
	}
	for _, st := range pt {
		if strings.HasPrefix(st.path, it.Path+".") || strings.Contains(it.Msg, st.path) {
			return at(st)
		}
	}
	return at(pt[0])
}

// pointNames names the points: LABEL-VALUE per setting joined by "_", LABEL
// being the shortest trailing part of the path that is unique in the matrix.
func pointNames(points [][]matrixSetting) []string {
	var paths []string
	known := map[string]bool{}
	for _, pt := range points {
		for _, st := range pt {
			if !known[st.path] {
				known[st.path] = true
				paths = append(paths, st.path)
			}
		}
	}
	label := map[string]string{}
	for _, p := range paths {
		label[p] = p
		el := strings.Split(p, ".")
	suffixes:
		for k := 1; k < len(el); k++ {
			suf := strings.Join(el[len(el)-k:], ".")
			for _, q := range paths {
				if q != p && (q == suf || strings.HasSuffix(q, "."+suf)) {
					continue suffixes
				}
			}
			label[p] = suf
			break
		}
	}
	names := make([]string, len(points))
	count := map[string]int{}
	for i, pt := range points {
		parts := make([]string, len(pt))
		for j, st := range pt {
			parts[j] = label[st.path] + "-" + safeValue(st.text)
		}
		name := strings.Join(parts, "_")
		if name == "" {
			name = "default"
		}
		if len(name) > 200 {
			name = fmt.Sprintf("point-%03d", i+1)
		}
		names[i] = name
		count[name]++
	}
	used := map[string]bool{}
	for i, n := range names {
		if count[n] > 1 {
			n = fmt.Sprintf("%s-%d", n, i+1)
		}
		for used[n] {
			n = fmt.Sprintf("point-%03d-%s", i+1, n)
		}
		used[n] = true
		names[i] = n
	}
	return names
}

// safeValue keeps letters, digits, '.', '_' and '-' of a value, turning other
// runs into '-', at most 40 characters; "" becomes "empty".
func safeValue(v string) string {
	var b strings.Builder
	dash := false
	for _, r := range v {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-._")
	if len(out) > 40 {
		out = strings.TrimRight(out[:40], "-._")
	}
	if out == "" {
		return "empty"
	}
	return out
}
