package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
)

// ToolJVMOpts start short-lived helper JVMs (storage format, memory
// calculation) fast: they compete for CPU with the cluster starting beside them.
var ToolJVMOpts = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"}

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
