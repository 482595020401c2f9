package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ToolJVMOpts start short-lived helper JVMs (storage format, memory
// calculation) fast: they compete for CPU with the cluster starting beside them.
var ToolJVMOpts = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"}

// KafkaGCOpts is the broker's garbage collector setting (G1 with a 20 ms
// pause goal, as Kafka's own scripts start it), unless the cluster's extra
// JVM options (env.jvm_options) choose a collector of their own: the JVM
// refuses two.
func KafkaGCOpts(jvmOptions []string) []string {
	for _, o := range jvmOptions {
		if strings.HasPrefix(o, "-XX:+Use") && strings.HasSuffix(o, "GC") {
			return nil
		}
	}
	return []string{"-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"}
}

// ShellQuote quotes s for a POSIX shell (single quotes).
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func JavaBin() string {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		if p := filepath.Join(home, "bin", "java"); fileExists(p) {
			return p
		}
	}
	return "java"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Exec runs a short-lived helper command (a JVM tool) and returns its
// combined output. An environment that pins abload to some CPUs passes one
// that starts the helper unpinned; nil runs it as exec.Cmd's
// CombinedOutput does.
type Exec func(*exec.Cmd) ([]byte, error)

func (e Exec) output(cmd *exec.Cmd) ([]byte, error) {
	if e == nil {
		return cmd.CombinedOutput()
	}
	return e(cmd)
}

// CDSEnv is the environment variable that chooses how the local
// environment's JVMs use the bundle's class-data sharing archives
// (Runtime.CDSArchive): "" or "auto" uses an archive when there is one
// (the JVM ignores one that does not match, silently); "on" adds
// -Xshare:on, so a JVM whose archive does not match fails at once
// (benchmarks use it to prove the archive is used); "off" uses none;
// "dump=DIR" makes each JVM write its archive into DIR/<kind>.jsa when
// it exits (make cds builds them so). "off" still leaves the JDK's own
// default archive of its base classes in use.
const CDSEnv = "ABLOAD_CDS"

// CDSOpts are the JVM flags for the class-data sharing archive of the
// process name (kafka, jobmanager, taskmanager-N: its kind is the name
// without the number), per CDSEnv. In dump mode only the first
// TaskManager writes the TaskManagers' archive (two JVMs must not write
// one file); with "on" a missing archive fails the JVM too.
func CDSOpts(rt *Runtime, name string) []string {
	kind := strings.TrimRight(name, "-0123456789")
	mode := os.Getenv(CDSEnv)
	if dir, ok := strings.CutPrefix(mode, "dump="); ok {
		if kind != name && !strings.HasSuffix(name, "-1") {
			return nil
		}
		if rt != nil {
			// What the archive is dumped against, for CDSStale later.
			_ = WriteCDSManifest(rt, dir, kind)
		}
		return []string{"-XX:ArchiveClassesAtExit=" + filepath.Join(dir, kind+".jsa")}
	}
	if mode == "off" || rt == nil {
		return nil
	}
	p := rt.CDSArchive(kind)
	if mode == "on" {
		if p == "" {
			p = filepath.Join(rt.Dir, "cds", kind+".jsa") // missing: the JVM says so and exits
		}
		return []string{"-XX:SharedArchiveFile=" + p, "-Xshare:on"}
	}
	if p == "" || rt.CDSStale(kind) != "" {
		return nil // none, or one the JVM would ignore (the environment says why)
	}
	return []string{"-XX:SharedArchiveFile=" + p}
}
