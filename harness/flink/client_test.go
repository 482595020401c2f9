package flink

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"1000 ms": time.Second, "10 s": 10 * time.Second, "2min": 2 * time.Minute, "500": 500 * time.Millisecond, " 3 seconds ": 3 * time.Second} {
		if got, ok := ParseDuration(in); !ok || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "ms", "5 fortnights"} {
		if _, ok := ParseDuration(in); ok {
			t.Errorf("ParseDuration(%q) accepted", in)
		}
	}
}
