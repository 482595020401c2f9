package reports

import (
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
// result.json (and latency.hlog), oldest first by name, and DIR/NAME/current
// names the entry that --baseline NAME means. Saving never deletes: the
// entries are the baseline's history.

// DefaultBaselineDir is where baselines live unless told otherwise.
const DefaultBaselineDir = ".abload/baselines"

var baselineNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// BaselineEntry is one saved baseline result.
type BaselineEntry struct {
	Name    string // the entry directory's name
	Dir     string
	Current bool
}

// SaveBaseline copies the result (a result.json or the run directory
// holding it) into dir/name as a new entry and makes it current.
func SaveBaseline(resultPath, dir, name string) (string, error) {
	if !baselineNameRE.MatchString(name) {
		return "", fmt.Errorf("baseline name %q: use letters, digits, '.', '_' or '-' (at most 100)", name)
	}
	file := resultFile(resultPath)
	r, err := ReadResult(file)
	if err != nil {
		return "", err
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
		return "", err
	}
	if err := copyFile(file, filepath.Join(dst, ResultFile)); err != nil {
		return "", err
	}
	if hl := filepath.Join(filepath.Dir(file), "latency.hlog"); fileExists(hl) {
		if err := copyFile(hl, filepath.Join(dst, "latency.hlog")); err != nil {
			return "", err
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, name, "current"), []byte(filepath.Base(dst)+"\n")); err != nil {
		return "", err
	}
	return dst, nil
}

// ResolveBaseline finds a baseline: a result.json, a run directory, or the
// name of a saved baseline in dir (its current entry).
func ResolveBaseline(arg, dir string) (*Result, string, error) {
	if fileExists(resultFile(arg)) {
		r, err := ReadResult(resultFile(arg))
		return r, resultFile(arg), err
	}
	if !baselineNameRE.MatchString(arg) {
		return nil, "", fmt.Errorf("baseline %q: no result.json there", arg)
	}
	cur, err := os.ReadFile(filepath.Join(dir, arg, "current"))
	if err != nil {
		return nil, "", fmt.Errorf("baseline %q: neither a result nor a saved baseline in %s (save one with `abload baseline save RESULT --name %s`)", arg, dir, arg)
	}
	file := filepath.Join(dir, arg, strings.TrimSpace(string(cur)), ResultFile)
	r, err := ReadResult(file)
	return r, file, err
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
		entries, err := os.ReadDir(filepath.Join(dir, n.Name()))
		if err != nil {
			return nil, err
		}
		var list []BaselineEntry
		for _, e := range entries {
			if e.IsDir() && fileExists(filepath.Join(dir, n.Name(), e.Name(), ResultFile)) {
				list = append(list, BaselineEntry{Name: e.Name(), Dir: filepath.Join(dir, n.Name(), e.Name()), Current: e.Name() == strings.TrimSpace(string(cur))})
			}
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
