package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// IndexSchema identifies index.json, the table of contents of a matrix run.
const IndexSchema = "abload.index/v1"

// Index is index.json: one entry per run of a matrix, in the order they ran.
type Index struct {
	Schema      string       `json:"schema"`
	Scenario    string       `json:"scenario"`
	Points      []IndexPoint `json:"points"`
	Repetitions int          `json:"repetitions"`
	Runs        []IndexRun   `json:"runs"`
	StartedAt   string       `json:"started_at"`
	FinishedAt  string       `json:"finished_at,omitempty"`
}

// IndexPoint is one matrix point.
type IndexPoint struct {
	Name     string   `json:"name"`
	Settings []string `json:"settings"`
}

// IndexRun is one run: a point's repetition, where its result is, how it ended.
type IndexRun struct {
	Point      string   `json:"point"`
	Repetition int      `json:"repetition"`
	Dir        string   `json:"dir"` // relative to the index
	Status     string   `json:"status"`
	Valid      bool     `json:"valid"`
	Reasons    []string `json:"invalid_reasons,omitempty"`
	Error      string   `json:"error,omitempty"`
}

// IndexFile is a matrix directory's table of contents.
const IndexFile = "index.json"

// Tree is what a result argument names, read: a result.json file, a run
// directory (holding one), a matrix directory (holding index.json), or a
// directory whose subdirectories are runs of one configuration
// (repetitions). It is the one reader of result trees: compare, report,
// export and baselines read their arguments through it.
type Tree struct {
	Kind TreeKind
	Path string // the argument, cleaned
	// Configs are the tree's configurations: a matrix's points in the
	// index's order; otherwise one, named by the path (a file's by its
	// directory).
	Configs []TreeConfig
}

// TreeKind is which form a result argument took.
type TreeKind string

// The forms of a result argument.
const (
	TreeKindFile   TreeKind = "file"   // a result.json
	TreeKindRun    TreeKind = "run"    // a directory holding result.json
	TreeKindReps   TreeKind = "reps"   // a directory whose subdirectories hold result.json
	TreeKindMatrix TreeKind = "matrix" // a directory holding index.json
)

// TreeConfig is one configuration of a tree: a matrix point, or the whole
// argument.
type TreeConfig struct {
	Name string
	Path string // where it is: the argument, or the point's directory
	Runs []TreeRun
}

// TreeRun is one run of a configuration, in order (a matrix's by
// repetition, repetitions' by their names' natural order: rep-2 before
// rep-10).
type TreeRun struct {
	Dir        string // the run's directory, as the argument spelled it (a file not named result.json: the file)
	Point      string // the matrix point ("" outside a matrix)
	Repetition int    // the matrix repetition (0 outside a matrix)
	// Result is the run's result; nil for a matrix run that left none,
	// with Missing saying why (its status and error from the index).
	Result  *Result
	Missing string
}

// Results are the configuration's results in order, nil for a run that
// left none.
func (c TreeConfig) Results() []*Result {
	out := make([]*Result, len(c.Runs))
	for i, r := range c.Runs {
		out[i] = r.Result
	}
	return out
}

// Dirs are the configuration's run directories in order.
func (c TreeConfig) Dirs() []string {
	out := make([]string, len(c.Runs))
	for i, r := range c.Runs {
		out[i] = r.Dir
	}
	return out
}

// Runs are every run of the tree that has a result, configuration after
// configuration.
func (t *Tree) Runs() []TreeRun {
	var out []TreeRun
	for _, c := range t.Configs {
		for _, r := range c.Runs {
			if r.Result != nil {
				out = append(out, r)
			}
		}
	}
	return out
}

// ReadTree reads a result argument (see Tree). Errors name the path: a
// path that does not exist, a file that is not a result, a directory that
// is none of the forms, an index that is not a matrix index or names a run
// outside its directory, a result that does not read.
func ReadTree(arg string) (*Tree, error) {
	clean := filepath.Clean(arg)
	st, err := os.Stat(arg)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file or directory", arg)
		}
		return nil, err
	}
	one := func(kind TreeKind, name, file string) (*Tree, error) {
		r, err := ReadResult(file)
		if err != nil {
			return nil, err
		}
		run := TreeRun{Dir: name, Result: r} // a file not named result.json has no run directory: its path
		return &Tree{Kind: kind, Path: clean, Configs: []TreeConfig{{Name: name, Path: name, Runs: []TreeRun{run}}}}, nil
	}
	if !st.IsDir() {
		name := clean
		if filepath.Base(clean) == ResultFile {
			name = filepath.Dir(clean)
		}
		return one(TreeKindFile, name, arg)
	}
	if fileExists(filepath.Join(arg, IndexFile)) {
		return readMatrixTree(arg, clean)
	}
	if fileExists(filepath.Join(arg, ResultFile)) {
		return one(TreeKindRun, clean, filepath.Join(arg, ResultFile))
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, err
	}
	var reps []string
	for _, e := range entries {
		if e.IsDir() && fileExists(filepath.Join(arg, e.Name(), ResultFile)) {
			reps = append(reps, e.Name())
		}
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("%s: not a result: no %s, no %s, and no subdirectory with a %s", arg, ResultFile, IndexFile, ResultFile)
	}
	sort.Slice(reps, func(i, j int) bool { return NaturalLess(reps[i], reps[j]) })
	c := TreeConfig{Name: clean, Path: clean}
	for _, d := range reps {
		r, err := ReadResult(filepath.Join(arg, d, ResultFile))
		if err != nil {
			return nil, err
		}
		c.Runs = append(c.Runs, TreeRun{Dir: filepath.Join(clean, d), Result: r})
	}
	return &Tree{Kind: TreeKindReps, Path: clean, Configs: []TreeConfig{c}}, nil
}

// readMatrixTree reads a matrix directory: one configuration per point, in
// the index's point order, with its runs in repetition order; a run whose
// result.json is missing is kept (Result nil) and says why.
func readMatrixTree(arg, clean string) (*Tree, error) {
	path := filepath.Join(arg, IndexFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: not a matrix index: %v", path, err)
	}
	if idx.Schema != IndexSchema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, idx.Schema, IndexSchema)
	}
	runs := append([]IndexRun(nil), idx.Runs...)
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Repetition < runs[j].Repetition })
	for _, run := range runs {
		if !filepath.IsLocal(filepath.FromSlash(run.Dir)) {
			return nil, fmt.Errorf("%s: runs[].dir %q: want a directory inside %s", path, run.Dir, arg)
		}
	}
	points := map[string]bool{}
	for _, p := range idx.Points {
		points[p.Name] = true
	}
	for _, run := range runs {
		if !points[run.Point] {
			return nil, fmt.Errorf("%s: runs[] point %q is not among the index's points", path, run.Point)
		}
	}
	t := &Tree{Kind: TreeKindMatrix, Path: clean}
	for _, p := range idx.Points {
		c := TreeConfig{Name: p.Name, Path: filepath.Join(clean, p.Name)}
		for _, run := range runs {
			if run.Point != p.Name {
				continue
			}
			dir := filepath.Join(clean, filepath.FromSlash(run.Dir))
			tr := TreeRun{Dir: dir, Point: p.Name, Repetition: run.Repetition}
			file := filepath.Join(dir, ResultFile)
			if !fileExists(file) {
				tr.Missing = "status " + run.Status
				if run.Error != "" {
					tr.Missing += ": " + run.Error
				}
			} else if tr.Result, err = ReadResult(file); err != nil {
				return nil, err
			}
			c.Runs = append(c.Runs, tr)
		}
		t.Configs = append(t.Configs, c)
	}
	if len(t.Configs) == 0 {
		return nil, fmt.Errorf("%s: no points", path)
	}
	return t, nil
}

// NaturalLess orders names with numbers by value: rep-2 before rep-10.
func NaturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, _ := strconv.ParseUint(a[:da], 10, 64)
			nb, _ := strconv.ParseUint(b[:db], 10, 64)
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitPrefix(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
