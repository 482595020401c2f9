package jvmstat

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// file builds an hsperfdata file in byte order bo with the given long
// counters and one string entry (which Parse skips).
func file(bo binary.ByteOrder, longs map[string]int64) []byte {
	b := make([]byte, prologueLen)
	binary.BigEndian.PutUint32(b[0:4], magic)
	if bo == binary.LittleEndian {
		b[4] = 1
	}
	b[5], b[6], b[7] = 2, 0, 1
	n := 0
	entry := func(name string, typ byte, vec int32, data []byte) {
		nameOff := entryHdrLen
		dataOff := (nameOff + len(name) + 1 + 7) &^ 7
		e := make([]byte, dataOff+len(data))
		copy(e[nameOff:], name)
		copy(e[dataOff:], data)
		bo.PutUint32(e[0:4], uint32(len(e)))
		bo.PutUint32(e[4:8], uint32(nameOff))
		bo.PutUint32(e[8:12], uint32(vec))
		e[12] = typ
		bo.PutUint32(e[16:20], uint32(dataOff))
		b = append(b, e...)
		n++
	}
	entry("java.property.java.vm.name", 'B', 16, []byte("OpenJDK 64-Bit\x00\x00"))
	for name, v := range longs {
		d := make([]byte, 8)
		bo.PutUint64(d, uint64(v))
		entry(name, 'J', 0, d)
	}
	bo.PutUint32(b[24:28], prologueLen)
	bo.PutUint32(b[28:32], uint32(n))
	return b
}

func TestParseBothByteOrders(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		c, err := Parse(file(bo, map[string]int64{"java.ci.totalTime": 2_500_000_000, "sun.os.hrt.frequency": 1_000_000_000}))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c["java.property.java.vm.name"]; ok {
			t.Error("a string entry was read as a counter")
		}
		if d, ok := c.CompileTime(); !ok || d != 2500*time.Millisecond {
			t.Errorf("%v: compile time %v %v, want 2.5s", bo, d, ok)
		}
	}
	// sun.ci.totalTime when the public counter is absent; nothing without a frequency.
	c, _ := Parse(file(binary.LittleEndian, map[string]int64{"sun.ci.totalTime": 3000, "sun.os.hrt.frequency": 1000}))
	if d, ok := c.CompileTime(); !ok || d != 3*time.Second {
		t.Errorf("fallback: %v %v", d, ok)
	}
	c, _ = Parse(file(binary.LittleEndian, map[string]int64{"java.ci.totalTime": 3000}))
	if _, ok := c.CompileTime(); ok {
		t.Error("compile time without a tick frequency")
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	good := file(binary.LittleEndian, map[string]int64{"java.ci.totalTime": 1, "sun.os.hrt.frequency": 1})
	for name, b := range map[string][]byte{
		"short":     good[:10],
		"magic":     append([]byte{0, 0, 0, 0}, good[4:]...),
		"truncated": good[:len(good)-12],
		"not ready": func() []byte { c := append([]byte(nil), good...); c[7] = 0; return c }(),
		"bad offset": func() []byte {
			c := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(c[24:28], 1<<30)
			return c
		}(),
		// Negative name and data offsets inside the first entry: an error, not a panic.
		"negative name offset": func() []byte {
			c := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(c[prologueLen+4:], uint32(0xfffffff0))
			return c
		}(),
		"negative data offset": func() []byte {
			c := append([]byte(nil), good...)
			binary.LittleEndian.PutUint32(c[prologueLen+16:], uint32(0xfffffff0))
			return c
		}(),
	} {
		if _, err := Parse(b); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// Against the JDK's own reader: a real JVM's compile time read here lies
// between what jstat -compiler prints just after one reading and just
// before the next.
func TestProcessCompileTimeAgreesWithJstat(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	java, err1 := exec.LookPath("java")
	jstat, err2 := exec.LookPath("jstat")
	if err1 != nil || err2 != nil {
		t.Fatal("java and jstat (JDK 17) are needed")
	}
	src := filepath.Join(t.TempDir(), "Busy.java")
	prog := `public class Busy { public static void main(String[] a) throws Exception {
  long end = System.nanoTime() + 60_000_000_000L; double x = 0;
  java.util.Map<Integer, String> m = new java.util.HashMap<>();
  while (System.nanoTime() < end) { for (int i = 0; i < 100000; i++) { x += Math.sqrt(i) * Math.sin(x); m.put(i % 977, Integer.toString(i)); } Thread.sleep(5); }
  System.out.println(x); } }`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(java, "-Xmx64m", src)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	pid := cmd.Process.Pid
	var before time.Duration
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := ProcessCompileTime(pid)
		if err == nil && d > 0 {
			before = d
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no compile time for pid %d: %v", pid, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := exec.Command(jstat, "-compiler", strconv.Itoa(pid)).Output()
	if err != nil {
		t.Fatalf("jstat: %v", err)
	}
	after, err := ProcessCompileTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	// "Compiled Failed Invalid   Time   FailedType FailedMethod": Time in s.
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	f := strings.Fields(lines[len(lines)-1])
	if len(lines) < 2 || len(f) < 4 {
		t.Fatalf("jstat printed %q", out)
	}
	js, err := strconv.ParseFloat(f[3], 64)
	if err != nil {
		t.Fatalf("jstat Time %q: %v", f[3], err)
	}
	// jstat prints 2 decimals; allow their rounding.
	if js < before.Seconds()-0.006 || js > after.Seconds()+0.006 {
		t.Errorf("jstat says %.3f s compiled, this reader %.3f s before and %.3f s after", js, before.Seconds(), after.Seconds())
	}
	t.Logf("compile time: %.3f s (jstat %.2f s, then %.3f s)", before.Seconds(), js, after.Seconds())
}
