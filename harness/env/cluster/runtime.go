package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/abload/abload/scenarios"
)

// Runtime is the resolved runtime bundle: the Flink and Kafka classpaths and
// the job jar, assembled by `make runtime` from Maven Central (see jobs/).
type Runtime struct {
	Dir      string
	FlinkLib string // directory of Flink cluster jars
	KafkaLib string // directory of Kafka broker jars
	JobJar   string // the shaded A/B job
	// SQLRunner runs a file of Flink SQL statements as a job (job.sql);
	// ABJobSQL is the A/B job in Flink SQL (job.sql: sql:ab-job).
	SQLRunner string
	ABJobSQL  string
	Versions  map[string]string
}

// FlinkVersion and KafkaVersion read the pinned versions the bundle was built with.
func (r *Runtime) FlinkVersion() string { return r.Versions["flink.version"] }
func (r *Runtime) KafkaVersion() string { return r.Versions["kafka.version"] }

// HasForSt reports whether the bundle's Flink has ForSt, Flink 2's state
// backend (job.state_backend: forst): the 2.x lines' bundles do.
func (r *Runtime) HasForSt() bool {
	m, _ := filepath.Glob(filepath.Join(r.FlinkLib, "flink-statebackend-forst-*.jar"))
	return len(m) > 0
}

// CDSArchive is the bundle's class-data sharing archive for a JVM kind
// (kafka, jobmanager, taskmanager), "" when the bundle has none: built by
// make cds from a short run (cds/<kind>.jsa), it holds the classes
// those JVMs load while starting and running a job, already parsed and
// verified, so they start faster.
func (r *Runtime) CDSArchive(kind string) string {
	p := filepath.Join(r.Dir, "cds", kind+".jsa")
	if fileExists(p) {
		return p
	}
	return ""
}

// CDSStale says why the archive of kind no longer matches what the JVM
// would run ("" when it matches, or there is none, or it has no manifest
// to tell). JDK 17 validates an archive against the classpath it was
// dumped with (each jar's path, size and time) and ignores one that
// differs, silently: a jar or the JDK replaced after make cds, or the
// bundle moved, would lose the archive without a word. The dump writes a
// manifest beside the archive (WriteCDSManifest); CDSOpts leaves an
// archive whose manifest differs out in auto mode.
func (r *Runtime) CDSStale(kind string) string {
	if r.CDSArchive(kind) == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(r.Dir, "cds", kind+".manifest"))
	if err != nil {
		return ""
	}
	was := strings.Split(strings.TrimSpace(string(b)), "\n")
	now := strings.Split(cdsManifest(r, kind), "\n")
	if len(was) == 0 || len(now) == 0 {
		return "an empty manifest"
	}
	// The bundle's directory: the same directory, however it is spelled.
	wasDir, _ := strings.CutPrefix(was[0], "dir ")
	a, err1 := os.Stat(wasDir)
	b2, err2 := os.Stat(r.Dir)
	if err1 != nil || err2 != nil || !os.SameFile(a, b2) {
		return fmt.Sprintf("built for the bundle in %s, not %s", wasDir, r.Dir)
	}
	seen := map[string]bool{}
	for _, l := range was[1:] {
		seen[l] = true
	}
	for _, l := range now[1:] {
		if !seen[l] {
			return "changed since the archive was built: " + l
		}
	}
	if len(was) != len(now) {
		return "a jar of its classpath was removed since the archive was built"
	}
	return ""
}

// WriteCDSManifest writes what the archive of kind is being dumped against
// (dir/<kind>.manifest), for CDSStale.
func WriteCDSManifest(r *Runtime, dir, kind string) error {
	return os.WriteFile(filepath.Join(dir, kind+".manifest"), []byte(cdsManifest(r, kind)+"\n"), 0o644)
}

// cdsManifest is the bundle's directory, then the JDK's modules image and
// each jar of kind's classpath by name, size and time, one per line.
func cdsManifest(r *Runtime, kind string) string {
	lib := r.FlinkLib
	if kind == "kafka" {
		lib = r.KafkaLib
	}
	lines := []string{"dir " + r.Dir}
	files, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	if java, err := exec.LookPath(JavaBin()); err == nil {
		if real, err := filepath.EvalSymlinks(java); err == nil {
			files = append(files, filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "modules"))
		}
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			lines = append(lines, fmt.Sprintf("%s %d %d", f, fi.Size(), fi.ModTime().UnixNano()))
		}
	}
	return strings.Join(lines, "\n")
}

// ErrNoRuntime is returned when no runtime bundle is found.
var ErrNoRuntime = errors.New("runtime bundle not found (run `make runtime` or set ABLOAD_RUNTIME)")

// FindRuntime locates the default Flink line's runtime bundle
// (FindRuntimeFor with DefaultLine).
func FindRuntime(dir string) (*Runtime, error) { return FindRuntimeFor(dir, DefaultLine) }

// BundleName is the directory name of a line's runtime bundle: runtime for
// the default line, runtime-<line> for the others (make runtime FLINK=<line>).
func BundleName(line string) string {
	if line == DefaultLine || line == "" {
		return "runtime"
	}
	return "runtime-" + line
}

// OtherLineError is a runtime bundle of another Flink line than the one
// asked for (env.flink_version).
type OtherLineError struct{ Dir, Version, Line string }

func (e *OtherLineError) Error() string {
	return fmt.Sprintf("the runtime bundle %s holds Flink %s, not %s (env.flink_version): point --runtime at that line's bundle (build/%s; make runtime FLINK=%s builds it), or leave it out", e.Dir, e.Version, e.Line, BundleName(e.Line), e.Line)
}

// FindRuntimeFor locates the runtime bundle of a Flink line (env.flink_version):
// dir if given (it must hold that line), else $ABLOAD_RUNTIME if it holds
// that line, else BundleName(line) next to the executable, else
// build/BundleName(line) in the working directory or any parent (so `go
// test` and `go run` from the repo find it).
func FindRuntimeFor(dir, line string) (*Runtime, error) {
	if line == "" {
		line = DefaultLine
	}
	check := func(r *Runtime) error {
		if scenarios.FlinkLineOf(r.FlinkVersion()) != line {
			return &OtherLineError{Dir: r.Dir, Version: r.FlinkVersion(), Line: line}
		}
		return nil
	}
	if dir != "" {
		r, err := loadRuntime(dir)
		if err != nil {
			return nil, err
		}
		if err := check(r); err != nil {
			return nil, err
		}
		return r, nil
	}
	var candidates []string
	if env := os.Getenv("ABLOAD_RUNTIME"); env != "" {
		candidates = append(candidates, env)
	}
	name := BundleName(line)
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), name))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			candidates = append(candidates, filepath.Join(d, "build", name))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range candidates {
		if r, err := loadRuntime(c); err == nil && check(r) == nil {
			return r, nil
		}
	}
	if line != DefaultLine {
		return nil, fmt.Errorf("no runtime bundle for Flink %s (env.flink_version): build it with make runtime FLINK=%s; looked in %s", line, line, strings.Join(candidates, ", "))
	}
	return nil, fmt.Errorf("%w; looked in %s", ErrNoRuntime, strings.Join(candidates, ", "))
}

func loadRuntime(dir string) (*Runtime, error) {
	// Absolute: the JVMs' classpaths must not depend on the working
	// directory (a class-data sharing archive records them as given).
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	r := &Runtime{
		Dir:      dir,
		FlinkLib: filepath.Join(dir, "flink", "lib"),
		KafkaLib: filepath.Join(dir, "kafka", "lib"),
		JobJar:   filepath.Join(dir, "jobs", "ab-job.jar"),
		// Checked when a run needs them.
		SQLRunner: filepath.Join(dir, "jobs", "sql-runner.jar"),
		ABJobSQL:  filepath.Join(dir, "jobs", "ab-job.sql"),
	}
	for _, p := range []string{r.FlinkLib, r.KafkaLib, r.JobJar} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("runtime bundle %s: %w", dir, err)
		}
	}
	v, err := readProperties(filepath.Join(dir, "versions.properties"))
	if err != nil {
		return nil, fmt.Errorf("runtime bundle %s: %w", dir, err)
	}
	r.Versions = v
	return r, nil
}

func readProperties(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out, sc.Err()
}
