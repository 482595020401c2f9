package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Baselines are named results kept in a directory a CI cache can hold
// (.abload/baselines by default): DIR/NAME/<entry>/ holds each saved
// result.json (and latency.hlog), DIR/NAME/current names the newest entry,
// and DIR/NAME/history lists the entries of the baseline's current history,
// oldest first: runs of one configuration, whose spread is the run-to-run
// noise a new run is judged against. Saving appends to the history (a
// result of another configuration is refused unless a new history is
// asked for) and never deletes an entry. A comparison uses the newest
// HistoryMax entries of the history.

// DefaultBaselineDir is where baselines live unless told otherwise.
const DefaultBaselineDir = ".abload/baselines"

// HistoryMax is how many of a history's newest entries a comparison uses.
const HistoryMax = 20

var baselineNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// ErrInvalidResult is wrapped when an invalid result (valid: false) is
// offered as a baseline.
var ErrInvalidResult = errors.New("the result is invalid")

// ErrWrite is wrapped when a baseline could not be written.
var ErrWrite = errors.New("write baseline")

// BaselineEntry is one saved baseline result.
type BaselineEntry struct {
	Name    string // the entry directory's name
	Dir     string
	Current bool
	// InHistory is true for the entries of the current history.
	InHistory bool
	// Valid and InvalidReasons are the saved result's.
	Valid          bool
	InvalidReasons []string
}

// SaveOptions tune SaveBaseline.
type SaveOptions struct {
	// AllowInvalid saves an invalid result (it is kept, marked invalid, and
	// left out wherever the baseline is used).
	AllowInvalid bool
	// NewHistory starts a new history with this result (the configuration
	// changed on purpose); the earlier entries stay on disk.
	NewHistory bool
}

// SaveBaseline copies the result (a result.json or the run directory
// holding it) into dir/name as a new entry, appends it to the baseline's
// history and makes it current. It refuses an invalid result (wrapping
// ErrInvalidResult) unless opts.AllowInvalid, and a result whose
// configuration (scenario, environment kind, Flink and Kafka versions)
// differs from the history's unless opts.NewHistory.
func SaveBaseline(resultPath, dir, name string, opts SaveOptions) (string, error) {
	if !baselineNameRE.MatchString(name) {
		return "", fmt.Errorf("baseline name %q: use letters, digits, '.', '_' or '-' (at most 100)", name)
	}
	file := resultFile(resultPath)
	r, err := ReadResult(file)
	if err != nil {
		return "", err
	}
	if !r.Valid && !opts.AllowInvalid {
		return "", fmt.Errorf("%s: %w (%s): a baseline must be a run whose numbers can be trusted (--allow-invalid keeps it anyway, marked invalid and left out wherever the baseline is used)",
			file, ErrInvalidResult, invalidText(r))
	}
	history := readHistory(dir, name)
	if len(history) > 0 && !opts.NewHistory {
		prev, err := ReadResult(filepath.Join(dir, name, history[len(history)-1], ResultFile))
		if err == nil {
			if d := configDiff(prev, r); d != "" {
				return "", fmt.Errorf("%s: not the configuration of baseline %s's history (%s): a history holds runs of one configuration; pass --new-history to start a new one with this result",
					file, name, d)
			}
		}
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	if t, err := time.Parse(time.RFC3339, r.StartedAt); err == nil {
		stamp = t.UTC().Format("20060102T150405Z")
	}
	entry := stamp
	if r.RunID != "" {
		entry += "-" + r.RunID
	}
	dst := filepath.Join(dir, name, entry)
	for i := 2; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(dir, name, fmt.Sprintf("%s-%d", entry, i))
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := copyFile(file, filepath.Join(dst, ResultFile)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if hl := filepath.Join(filepath.Dir(file), "latency.hlog"); fileExists(hl) {
		if err := copyFile(hl, filepath.Join(dst, "latency.hlog")); err != nil {
			return "", fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	if opts.NewHistory {
		history = nil
	}
	history = append(history, filepath.Base(dst))
	if err := writeFileAtomic(filepath.Join(dir, name, "history"), []byte(strings.Join(history, "\n")+"\n")); err != nil {
		return "", fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, name, "current"), []byte(filepath.Base(dst)+"\n")); err != nil {
		return "", fmt.Errorf("%w: %w", ErrWrite, err)
	}
	return dst, nil
}

func invalidText(r *Result) string {
	if len(r.InvalidReasons) == 0 {
		return "valid: false"
	}
	return strings.Join(r.InvalidReasons, "; ")
}

// readHistory is the baseline's history, oldest first: the history file's
// entries that exist, or (a baseline saved before histories) its current
// entry alone; none for a baseline not saved yet.
func readHistory(dir, name string) []string {
	var out []string
	if b, err := os.ReadFile(filepath.Join(dir, name, "history")); err == nil {
		for _, e := range strings.Fields(string(b)) {
			if fileExists(filepath.Join(dir, name, e, ResultFile)) {
				out = append(out, e)
			}
		}
		return out
	}
	if cur, err := os.ReadFile(filepath.Join(dir, name, "current")); err == nil {
		if e := strings.TrimSpace(string(cur)); fileExists(filepath.Join(dir, name, e, ResultFile)) {
			out = append(out, e)
		}
	}
	return out
}

// configDiff says how two results' configurations differ: the resolved
// scenario (every field), the environment's kind and Flink and Kafka
// versions; "" when they don't. Host names are not compared: CI runners
// come and go, and their spread is part of the noise.
func configDiff(a, b *Result) string {
	var diffs []string
	ja, jb := a.scenarioAsWritten(), b.scenarioAsWritten()
	var ma, mb any
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	// Results written before env.flink_version existed ran the 2.2 line.
	for _, m := range []any{ma, mb} {
		if sc, ok := m.(map[string]any); ok {
			if e, ok := sc["env"].(map[string]any); ok {
				if _, set := e["flink_version"]; !set {
					e["flink_version"] = "2.2"
				}
			}
		}
	}
	diffs = append(diffs, jsonDiffs("scenario", mb, ma)...)
	for _, f := range []struct{ name, x, y string }{
		{"environment.kind", b.Environment.Kind, a.Environment.Kind},
		{"environment.flink_version", b.Environment.FlinkVersion, a.Environment.FlinkVersion},
		{"environment.kafka_version", b.Environment.KafkaVersion, a.Environment.KafkaVersion},
	} {
		if f.x != f.y {
			diffs = append(diffs, fmt.Sprintf("%s %q vs %q", f.name, f.x, f.y))
		}
	}
	if len(diffs) > 4 {
		diffs = append(diffs[:4], fmt.Sprintf("and %d more", len(diffs)-4))
	}
	return strings.Join(diffs, ", ")
}

// jsonDiffs lists the paths where two JSON values differ, "path new vs old".
func jsonDiffs(path string, x, y any) []string {
	mx, okX := x.(map[string]any)
	my, okY := y.(map[string]any)
	if okX && okY {
		keys := map[string]bool{}
		for k := range mx {
			keys[k] = true
		}
		for k := range my {
			keys[k] = true
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		var out []string
		for _, k := range names {
			out = append(out, jsonDiffs(path+"."+k, mx[k], my[k])...)
		}
		return out
	}
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	if string(bx) == string(by) {
		return nil
	}
	return []string{fmt.Sprintf("%s %s vs %s", path, bx, by)}
}

// ResolveBaseline finds a baseline: a result.json, a run directory, a
// directory whose subdirectories hold runs of one configuration, or the
// name of a saved baseline in dir (the newest HistoryMax entries of its
// history). Results are returned as saved, invalid ones included: callers
// leave those out (Baseline.Valid) and say so.
func ResolveBaseline(arg, dir string) (*Baseline, error) {
	if _, err := os.Stat(arg); err == nil {
		t, err := ReadTree(arg)
		if err != nil {
			return nil, err
		}
		if len(t.Configs) != 1 {
			return nil, fmt.Errorf("baseline %q: a matrix of %d points is not one configuration: name one point's directory", arg, len(t.Configs))
		}
		c := t.Configs[0]
		b := &Baseline{Name: filepath.Clean(arg), Results: c.Results(), Dirs: c.Dirs()}
		if t.Kind == TreeKindFile {
			b.Dirs = []string{filepath.Dir(filepath.Clean(arg))} // where its latency.hlog would be
		}
		return b, nil
	}
	if !baselineNameRE.MatchString(arg) {
		return nil, fmt.Errorf("baseline %q: no result.json there", arg)
	}
	history := readHistory(dir, arg)
	if len(history) == 0 {
		return nil, fmt.Errorf("baseline %q: neither a result nor a saved baseline in %s (save one with `abload baseline save RESULT --name %s`)", arg, dir, arg)
	}
	if len(history) > HistoryMax {
		history = history[len(history)-HistoryMax:]
	}
	b := &Baseline{Name: arg}
	for _, e := range history {
		file := filepath.Join(dir, arg, e, ResultFile)
		r, err := ReadResult(file)
		if err != nil {
			return nil, err
		}
		b.Results, b.Dirs = append(b.Results, r), append(b.Dirs, filepath.Dir(file))
	}
	return b, nil
}

// ListBaselines returns the saved baselines by name, each with its entries
// (oldest first).
func ListBaselines(dir string) (map[string][]BaselineEntry, error) {
	names, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return map[string][]BaselineEntry{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[string][]BaselineEntry{}
	for _, n := range names {
		if !n.IsDir() {
			continue
		}
		cur, _ := os.ReadFile(filepath.Join(dir, n.Name(), "current"))
		inHistory := map[string]bool{}
		for _, e := range readHistory(dir, n.Name()) {
			inHistory[e] = true
		}
		entries, err := os.ReadDir(filepath.Join(dir, n.Name()))
		if err != nil {
			return nil, err
		}
		var list []BaselineEntry
		for _, e := range entries {
			file := filepath.Join(dir, n.Name(), e.Name(), ResultFile)
			if !e.IsDir() || !fileExists(file) {
				continue
			}
			be := BaselineEntry{Name: e.Name(), Dir: filepath.Dir(file), Current: e.Name() == strings.TrimSpace(string(cur)), InHistory: inHistory[e.Name()]}
			if r, err := ReadResult(file); err == nil {
				be.Valid, be.InvalidReasons = r.Valid, r.InvalidReasons
			} else {
				be.InvalidReasons = []string{err.Error()}
			}
			list = append(list, be)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		out[n.Name()] = list
	}
	return out, nil
}

// resultFile turns a run directory into its result.json path.
func resultFile(p string) string {
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return filepath.Join(p, ResultFile)
	}
	return p
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
