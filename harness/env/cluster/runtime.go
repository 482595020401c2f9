package cluster

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
// would run ("" when it matches, or there is none). JDK 17 validates an
// archive against the classpath it was dumped with (each jar's path, size
// and time) and ignores one that differs, silently: a jar or the JDK
// replaced after make cds, or the bundle moved, would lose the archive
// without a word. CDSOpts leaves a stale archive out in auto mode.
func (r *Runtime) CDSStale(kind string) string {
	p := r.CDSArchive(kind)
	if p == "" {
		return ""
	}
	st, err := os.Stat(p)
	if err != nil {
		return err.Error()
	}
	if b, err := os.ReadFile(filepath.Join(r.Dir, "cds", "bundle-dir")); err == nil {
		if was := strings.TrimSpace(string(b)); was != r.Dir {
			return fmt.Sprintf("built for the bundle in %s, not %s", was, r.Dir)
		}
	}
	lib := r.FlinkLib
	if kind == "kafka" {
		lib = r.KafkaLib
	}
	files, _ := filepath.Glob(filepath.Join(lib, "*.jar"))
	if java, err := exec.LookPath(JavaBin()); err == nil {
		if real, err := filepath.EvalSymlinks(java); err == nil {
			files = append(files, filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "modules"))
		}
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(st.ModTime()) {
			return fmt.Sprintf("%s changed after the archive was built", f)
		}
	}
	return ""
}

// ErrNoRuntime is returned when no runtime bundle is found.
var ErrNoRuntime = errors.New("runtime bundle not found (run `make runtime` or set ABLOAD_RUNTIME)")

// FindRuntime locates the runtime bundle: dir if given, else $ABLOAD_RUNTIME,
// else "runtime" next to the executable, else build/runtime above the working
// directory (so `go test` and `go run` from the repo find it).
func FindRuntime(dir string) (*Runtime, error) {
	var candidates []string
	if dir != "" {
		candidates = []string{dir}
	} else {
		if env := os.Getenv("ABLOAD_RUNTIME"); env != "" {
			candidates = append(candidates, env)
		}
		if exe, err := os.Executable(); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(exe), "runtime"))
		}
		if wd, err := os.Getwd(); err == nil {
			for d := wd; ; d = filepath.Dir(d) {
				candidates = append(candidates, filepath.Join(d, "build", "runtime"))
				if filepath.Dir(d) == d {
					break
				}
			}
		}
	}
	for _, c := range candidates {
		r, err := loadRuntime(c)
		if err == nil {
			return r, nil
		}
		if dir != "" {
			return nil, err
		}
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
