package reports

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestHlogRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), HlogFile)
	start := time.Date(2025, 11, 26, 4, 40, 0, 123e6, time.UTC)
	w, err := CreateHlog(path, start)
	if err != nil {
		t.Fatalf("CreateHlog: %v", err)
	}

	// Three seconds of intervals per kind; the merged reference histograms
	// are what ReadHlog must give back.
	want := map[string]*hdrhistogram.Histogram{"": NewLatencyHistogram(), "window": NewLatencyHistogram(), "send_delay": NewLatencyHistogram()}
	for sec := range 3 {
		for tag, scale := range map[string]int64{"": 1000, "window": 100000, "send_delay": 10} {
			h := NewLatencyHistogram()
			h.SetTag("caller-tag")
			for i := int64(1); i <= 500; i++ {
				record(t, h, (i+int64(sec)*500)*scale/100)
			}
			from, to := time.Duration(sec)*time.Second, time.Duration(sec+1)*time.Second
			if err := w.Write(tag, from, to, h); err != nil {
				t.Fatalf("Write(%q): %v", tag, err)
			}
			if h.Tag() != "caller-tag" || h.StartTimeMs() != 0 {
				t.Errorf("Write changed the caller's histogram: tag %q start %d", h.Tag(), h.StartTimeMs())
			}
			want[tag].Merge(h)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	// An empty interval (nothing happened) is legal and merges to nothing.
	if err := w.Write("window", 3*time.Second, 4*time.Second, NewLatencyHistogram()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	got, err := ReadHlog(path)
	if err != nil {
		t.Fatalf("ReadHlog: %v", err)
	}
	if len(got) != len(want) {
		t.Errorf("tags read: %d, want %d", len(got), len(want))
	}
	for tag, wh := range want {
		gh := got[tag]
		if gh == nil {
			t.Errorf("tag %q missing", tag)
			continue
		}
		if gs, ws := LatencyFromHistogram(gh), LatencyFromHistogram(wh); gs != ws {
			t.Errorf("tag %q: read %+v, want %+v", tag, gs, ws)
		}
		if gh.Tag() != tag {
			t.Errorf("tag %q: merged histogram is tagged %q", tag, gh.Tag())
		}
		wantStart := start.UnixMilli()
		if gh.StartTimeMs() != wantStart {
			t.Errorf("tag %q: start %d, want %d", tag, gh.StartTimeMs(), wantStart)
		}
		wantEnd := wantStart + 3000
		if tag == "window" {
			wantEnd += 1000
		}
		if gh.EndTimeMs() != wantEnd {
			t.Errorf("tag %q: end %d, want %d", tag, gh.EndTimeMs(), wantEnd)
		}
	}

	// The file is an hlog as the reference tools expect it.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	for sc := bufio.NewScanner(f); sc.Scan(); {
		lines = append(lines, sc.Text())
	}
	header := []string{
		"#[Logged with abload]",
		"#[Histogram log format version 1.3]",
		"#[StartTime: 1764132000.123 (seconds since epoch), 2025-11-26T04:40:00.123Z]",
		"#[BaseTime: 1764132000.123 (seconds since epoch)]",
		`"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"`,
	}
	for i, h := range header {
		if i >= len(lines) || lines[i] != h {
			t.Fatalf("line %d = %q, want %q", i+1, lines[min(i, len(lines)-1)], h)
		}
	}
	intervals := lines[len(header):]
	if len(intervals) != 10 {
		t.Fatalf("%d interval lines, want 10", len(intervals))
	}
	if !strings.HasPrefix(intervals[0], "0.000000,1.000000,") && !strings.HasPrefix(intervals[1], "0.000000,1.000000,") && !strings.HasPrefix(intervals[2], "0.000000,1.000000,") {
		t.Errorf("no untagged e2e interval at relative time 0 in %q", intervals[:3])
	}
	var tagged, untagged int
	for _, l := range intervals {
		switch {
		case strings.HasPrefix(l, "Tag=window,"), strings.HasPrefix(l, "Tag=send_delay,"):
			tagged++
		case strings.Contains(l, ",HIST"):
			untagged++
		default:
			t.Errorf("unexpected interval line %q", l)
		}
	}
	if tagged != 7 || untagged != 3 {
		t.Errorf("%d tagged and %d untagged intervals, want 7 and 3", tagged, untagged)
	}
}

func TestHlogWriteErrors(t *testing.T) {
	w, err := CreateHlog(filepath.Join(t.TempDir(), "x.hlog"), time.Unix(1764132000, 0))
	if err != nil {
		t.Fatal(err)
	}
	h := NewLatencyHistogram()
	tests := []struct {
		name       string
		tag        string
		start, end time.Duration
		h          *hdrhistogram.Histogram
	}{
		{"comma in tag", "a,b", 0, time.Second, h},
		{"space in tag", "send delay", 0, time.Second, h},
		{"trailing newline in tag", "x\n", 0, time.Second, h},
		{"negative start", "", -time.Second, time.Second, h},
		{"end before start", "", 2 * time.Second, time.Second, h},
		{"nil histogram", "", 0, time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := w.Write(tt.tag, tt.start, tt.end, tt.h); err == nil {
				t.Errorf("Write succeeded")
			}
		})
	}
	// Bad arguments do not poison the writer.
	if err := w.Write("ok", 0, time.Second, h); err != nil {
		t.Errorf("Write after rejected calls: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write("", 0, time.Second, h); err == nil {
		t.Errorf("Write after Close succeeded")
	}
	if err := w.Close(); err == nil {
		t.Errorf("second Close succeeded")
	}
}

func TestCreateHlogError(t *testing.T) {
	if _, err := CreateHlog(filepath.Join(t.TempDir(), "no", "such", "dir", "x.hlog"), time.Now()); err == nil {
		t.Errorf("CreateHlog in a missing directory succeeded")
	}
}

func TestReadHlogJava(t *testing.T) {
	hs, err := ReadHlog(filepath.Join("testdata", "java-tagged.hlog"))
	if err != nil {
		t.Fatalf("ReadHlog: %v", err)
	}
	if len(hs) != 2 || hs[""] == nil || hs["A"] == nil {
		t.Fatalf("tags = %v, want \"\" and A", keys(hs))
	}
	if hs[""].TotalCount() == 0 || !hs[""].Equals(hs["A"]) {
		t.Errorf("the A intervals duplicate the untagged ones, but merged to %d vs %d values",
			hs["A"].TotalCount(), hs[""].TotalCount())
	}
}

func TestReadHlogErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content string
		wantErr bool
		tags    int
	}{
		{"empty file", "", false, 0},
		{"header only", "#[Histogram log format version 1.3]\n#[StartTime: 1.000 (seconds since epoch), x]\n", false, 0},
		{"bad payload", "0.000,1.000,0.5,HISTnotbase64\n", true, 0},
		{"bad number", "1.2.3,1.000,0.5,HISTFAAAAEV42pNpmSzMwMCgyAABTBDKT4GBgdnNYMcCBvsPEBEJISEuATEZMQ4uASkhIR4nrxg9v2lMaxhvMekILGZkKmcCAEf2Cs4=\n", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".hlog")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			hs, err := ReadHlog(p)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ReadHlog = %v, %v; want error %v", keys(hs), err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not name the file", err)
			}
			if err == nil && len(hs) != tt.tags {
				t.Errorf("%d tags, want %d", len(hs), tt.tags)
			}
		})
	}
	if _, err := ReadHlog(filepath.Join(dir, "missing.hlog")); err == nil {
		t.Errorf("ReadHlog(missing) succeeded")
	}
}

func keys(m map[string]*hdrhistogram.Histogram) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func FuzzReadHlog(f *testing.F) {
	java, err := os.ReadFile(filepath.Join("testdata", "java-tagged.hlog"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(java)
	var buf bytes.Buffer
	lw := hdrhistogram.NewHistogramLogWriter(&buf)
	h := NewLatencyHistogram()
	h.RecordValue(1234)
	h.SetTag("window")
	lw.OutputIntervalHistogram(h)
	f.Add(buf.Bytes())
	f.Add([]byte("Tag=\n"))
	f.Add([]byte("0,0,0,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		hs, err := readHlog(bytes.NewReader(b))
		if err != nil {
			return
		}
		for tag, h := range hs {
			if h == nil {
				t.Fatalf("nil histogram for tag %q", tag)
			}
			_ = LatencyFromHistogram(h)
		}
	})
}
