package reports

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HlogFile is the name of the interval log inside a run directory.
const HlogFile = "latency.hlog"

// HlogWriter appends interval histograms to a latency.hlog file. It is safe
// for concurrent use.
type HlogWriter struct {
	mu     sync.Mutex
	f      *os.File
	bw     *bufio.Writer
	lw     *hdrhistogram.HistogramLogWriter
	baseMs int64
	err    error // first error; every later call returns it
}

// CreateHlog creates (or truncates) path and writes the log header. start is
// the run's start: interval timestamps are written relative to it.
func CreateHlog(path string, start time.Time) (*HlogWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create hlog: %w", err)
	}
	bw := bufio.NewWriter(f)
	w := &HlogWriter{f: f, bw: bw, lw: hdrhistogram.NewHistogramLogWriter(bw), baseMs: start.UnixMilli()}
	w.lw.SetBaseTime(w.baseMs)
	// StartTime and BaseTime are written in the Java writer's format, with
	// milliseconds: hdrhistogram-go's OutputStartTime/OutputBaseTime would
	// truncate them to whole seconds.
	secs := float64(w.baseMs) / 1000
	iso := time.UnixMilli(w.baseMs).UTC().Format("2006-01-02T15:04:05.000Z07:00")
	err = errors.Join(
		w.lw.OutputComment("[Logged with abload]"),
		w.lw.OutputLogFormatVersion(),
		w.lw.OutputComment(fmt.Sprintf("[StartTime: %.3f (seconds since epoch), %s]", secs, iso)),
		w.lw.OutputComment(fmt.Sprintf("[BaseTime: %.3f (seconds since epoch)]", secs)),
		w.lw.OutputLegend(),
	)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("create hlog %s: %w", path, err)
	}
	return w, nil
}

// Write appends h as the interval [startOffset, endOffset) from the run's
// start, under tag ("" for e2e latency). h's own tag and timestamps are left
// as they were.
func (w *HlogWriter) Write(tag string, startOffset, endOffset time.Duration, h *hdrhistogram.Histogram) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	switch {
	case strings.ContainsAny(tag, ", \t\r\n"):
		return fmt.Errorf("hlog: tag %q: must not contain commas, spaces or line breaks", tag)
	case startOffset < 0 || endOffset < startOffset:
		return fmt.Errorf("hlog: interval [%s, %s): want 0 <= start <= end", startOffset, endOffset)
	case h == nil:
		return errors.New("hlog: nil histogram")
	}
	oldTag, oldStart, oldEnd := h.Tag(), h.StartTimeMs(), h.EndTimeMs()
	h.SetTag(tag)
	h.SetStartTimeMs(w.baseMs + startOffset.Milliseconds())
	h.SetEndTimeMs(w.baseMs + endOffset.Milliseconds())
	err := w.lw.OutputIntervalHistogram(h)
	h.SetTag(oldTag)
	h.SetStartTimeMs(oldStart)
	h.SetEndTimeMs(oldEnd)
	if err != nil {
		w.err = fmt.Errorf("hlog: write interval: %w", err)
		return w.err
	}
	return nil
}

// Flush pushes buffered intervals to the file, so a reader sees them while
// the run goes on.
func (w *HlogWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("hlog: %w", err)
	}
	return w.err
}

// Close flushes and closes the file. Later calls return an error.
func (w *HlogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return errors.New("hlog: already closed")
	}
	err := w.err
	if err == nil {
		err = w.bw.Flush()
	}
	if err == nil {
		err = w.f.Sync()
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	if w.err == nil {
		w.err = errors.New("hlog: closed")
	}
	if err != nil {
		return fmt.Errorf("hlog: close: %w", err)
	}
	return nil
}

// ReadHlog reads an interval log and merges its intervals per tag ("" is
// e2e). Each merged histogram carries its tag and spans from its first
// interval's start to its last interval's end (Unix ms).
func ReadHlog(path string) (map[string]*hdrhistogram.Histogram, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read hlog: %w", err)
	}
	defer f.Close()
	hs, err := readHlog(f)
	if err != nil {
		return nil, fmt.Errorf("read hlog %s: %w", path, err)
	}
	return hs, nil
}

func readHlog(r io.Reader) (hs map[string]*hdrhistogram.Histogram, err error) {
	// The log reader and decoder are third-party code fed outside input; a
	// panic in them is a malformed file, not a crash.
	defer func() {
		if p := recover(); p != nil {
			hs, err = nil, fmt.Errorf("malformed interval log: %v", p)
		}
	}()
	hs = map[string]*hdrhistogram.Histogram{}
	lr := hdrhistogram.NewHistogramLogReader(r)
	for n := 1; ; n++ {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			return nil, fmt.Errorf("interval %d: %w", n, err)
		}
		if h == nil {
			return hs, nil
		}
		tag := h.Tag()
		m, ok := hs[tag]
		if !ok {
			hs[tag] = h
			continue
		}
		if dropped := m.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("interval %d (tag %q): %d values outside the range of earlier intervals", n, tag, dropped)
		}
		m.SetStartTimeMs(min(m.StartTimeMs(), h.StartTimeMs()))
		m.SetEndTimeMs(max(m.EndTimeMs(), h.EndTimeMs()))
	}
}
