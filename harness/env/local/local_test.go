package local

import (
	"errors"
	"testing"
)

// A start that failed on a taken port is tried again; any other failure is
// not: portTaken reads the failed process's log quoted in the error.
func TestPortTakenReadsTheQuotedLog(t *testing.T) {
	taken := errors.New("kafka exited before it was ready (exited: exit status 1)\n--- last lines of kafka.log ---\nCaused by: java.net.BindException: Address already in use\n\tat sun.nio.ch.Net.bind0(Native Method)")
	if !portTaken(taken) {
		t.Errorf("portTaken(%q) = false", taken)
	}
	if firstLine(taken) != "kafka exited before it was ready (exited: exit status 1)" {
		t.Errorf("firstLine = %q", firstLine(taken))
	}
	for _, m := range []string{
		"jobmanager never ready\n--- last lines ---\norg.apache.flink.util.FlinkException: ... Caused by: java.net.BindException: Could not start rest endpoint on any port in port range 23145",
		"listen tcp 127.0.0.1:23145: bind: address already in use",
	} {
		if !portTaken(errors.New(m)) {
			t.Errorf("portTaken(%q) = false", m)
		}
	}
	if other := errors.New("kafka exited before it was ready (exited: exit status 1)\n--- last lines ---\njava.lang.OutOfMemoryError: Java heap space"); portTaken(other) {
		t.Errorf("portTaken(%q) = true", other)
	}
}
