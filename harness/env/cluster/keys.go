package cluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// KeysFile is the bundle's list of the Flink configuration keys its Flink
// version knows: every ConfigOption's key and fallback keys in the
// bundle's Flink jars, extracted when the bundle is built (make runtime;
// jobs/runtime/flink's ConfigKeys).
const KeysFile = "flink-keys.txt"

// Keys is the set of configuration keys one Flink version knows. Flink
// ignores a key it does not know without a word, and its REST API echoes
// such keys back as set: a renamed key would silently leave the default
// in place. Every key abload writes is checked against it first.
type Keys struct {
	Version string
	known   map[string]keyKind
}

// keyKind is how a version reads a key: as a key of its own (an option's,
// or a fallback or deprecated key of one), or, when suffix is set, only as
// <prefix>.<key> (a metric reporter's option, prefix metrics.reporter.<name>).
type keyKind struct{ suffix string }

// replacements are keys that one Flink line has and another does not, with
// the other line's key for the same setting (from Flink's release notes),
// for the error's hint: given only when the version knows the replacement.
var replacements = map[string]string{
	"cluster.evenly-spread-out-slots":                                         "taskmanager.load-balance.mode: SLOTS",
	"state.backend":                                                           "state.backend.type",
	"jobmanager.adaptive-scheduler.scaling-interval.min":                      "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling",
	"jobmanager.adaptive-scheduler.scaling-interval.max":                      "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout",
	"jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling":        "jobmanager.adaptive-scheduler.scaling-interval.min",
	"jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout":  "jobmanager.adaptive-scheduler.scaling-interval.max",
	"jobmanager.adaptive-scheduler.submission.resource-stabilization-timeout": "jobmanager.adaptive-scheduler.resource-stabilization-timeout",
}

// reporterArgs are keys a metric reporter reads itself, under
// metrics.reporter.<name>., that are no ConfigOption of Flink's: the
// Prometheus and JMX reporters' port, a reporter's host.
var reporterArgs = map[string]bool{"port": true, "host": true}

// PassThroughPrefixes start keys that no ConfigOption of Flink's core
// declares, read by a file system plugin, Hadoop or an external resource
// driver as they are: not checked (they are not Flink's to know).
var PassThroughPrefixes = []string{"fs.", "s3.", "s3a.", "s3p.", "gs.", "azure.", "flink.hadoop.", "containerized.master.env.", "containerized.taskmanager.env.", "external-resource."}

var keysCache sync.Map // bundle dir → *Keys

// FlinkKeys reads the keys the bundle's Flink version knows (KeysFile);
// a bundle built before the list existed is an error saying how to
// rebuild it.
func (r *Runtime) FlinkKeys() (*Keys, error) {
	if k, ok := keysCache.Load(r.Dir); ok {
		return k.(*Keys), nil
	}
	path := filepath.Join(r.Dir, KeysFile)
	k, err := ReadKeys(path, r.FlinkVersion())
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("the runtime bundle %s has no %s (the Flink configuration keys its version knows): rebuild it with make runtime", r.Dir, KeysFile)
		}
		return nil, err
	}
	keysCache.Store(r.Dir, k)
	return k, nil
}

// ReadKeys reads a keys file: one key per line, or key, tab, "deprecated"
// or "fallback", tab, and the option that reads it; # starts a comment.
func ReadKeys(path, version string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	k := &Keys{Version: version, known: map[string]keyKind{}}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		parts := strings.Split(t, "\t")
		switch {
		case len(parts) == 1:
			k.known[parts[0]] = keyKind{}
		case len(parts) == 3 && (parts[1] == "deprecated" || parts[1] == "fallback"):
			k.known[parts[0]] = keyKind{}
		case len(parts) == 3 && parts[1] == "suffix":
			k.known[parts[0]] = keyKind{suffix: parts[2]}
		default:
			return nil, fmt.Errorf("%s:%d: want a key, or key<TAB>deprecated|fallback|suffix<TAB>option or prefix; got %q", path, line, t)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(k.known) < 100 {
		return nil, fmt.Errorf("%s: only %d keys: not a Flink version's keys (rebuild it with make runtime)", path, len(k.known))
	}
	return k, nil
}

// Known says whether the version reads key: an option's key, a fallback or
// deprecated key of one, a metric reporter's key (metrics.reporter.
// <name>.<option>) whose option is one of Flink's reporter options or the
// reporter's own argument, or a key of PassThroughPrefixes.
func (k *Keys) Known(key string) bool {
	if kk, ok := k.known[key]; ok && kk.suffix == "" {
		return true
	}
	for _, p := range PassThroughPrefixes {
		if strings.HasPrefix(key, p) && len(key) > len(p) {
			return true
		}
	}
	if rest, ok := strings.CutPrefix(key, "metrics.reporter."); ok {
		if _, opt, ok := strings.Cut(rest, "."); ok {
			kk, known := k.known[opt]
			return (known && kk.suffix != "") || reporterArgs[opt]
		}
	}
	return false
}

// Check refuses a configuration with a key the version does not know:
// the error names every such key, who wrote it (what), the version and,
// where one is known, the key that replaces it.
func (k *Keys) Check(what string, conf map[string]string) error {
	var bad []string
	for key := range conf {
		if k.Known(key) {
			continue
		}
		msg := fmt.Sprintf("%q", key)
		if r, ok := replacements[key]; ok {
			if rk, _, _ := strings.Cut(r, ":"); k.Known(rk) {
				msg += " (use " + r + ")"
			}
		}
		bad = append(bad, msg)
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("%s: Flink %s does not know the configuration key %s: it would ignore it without a word", what, k.Version, strings.Join(bad, ", "))
}

// DefaultsFile is the bundle's list of its Flink version's configuration
// defaults: key, tab, value as Flink writes it in a configuration, one per
// option that has a default (ConfigKeys, make runtime).
const DefaultsFile = "flink-defaults.txt"

// FlinkDefaults reads the defaults of the bundle's Flink version
// (DefaultsFile); nil, nil for a bundle built before the list existed.
func (r *Runtime) FlinkDefaults() (map[string]string, error) {
	if d, ok := defaultsCache.Load(r.Dir); ok {
		return d.(map[string]string), nil
	}
	d, err := ReadDefaults(filepath.Join(r.Dir, DefaultsFile))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defaultsCache.Store(r.Dir, d)
	return d, nil
}

var defaultsCache sync.Map // bundle dir → map[string]string

// ReadDefaults reads a defaults file: key, tab, value (\t, \n, \r and \\
// escaped); # starts a comment.
func ReadDefaults(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if strings.TrimSpace(t) == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, "\t")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s:%d: want key<TAB>value, got %q", path, line, t)
		}
		d[k] = unescapeDefault(v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(d) < 100 {
		return nil, fmt.Errorf("%s: only %d defaults: not a Flink version's defaults (rebuild it with make runtime)", path, len(d))
	}
	return d, nil
}

func unescapeDefault(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			b.WriteByte(v[i])
			continue
		}
		i++
		switch v[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}
