package live

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/abload/abload/harness/redact"
)

// Console serialises what the harness writes to the terminal: the
// machine-readable phase lines, log lines, and (on a TTY) one live progress
// line that is redrawn in place.
type Console struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	progress bool // a progress line is on screen
	block    int  // lines of the status block on screen (TTY)
	// lastPlain is when the last plain status line was written (not a TTY).
	lastPlain time.Time
	now       func() time.Time
}

// plainStatusEvery is how often the status is logged as a plain line when
// stderr is not a terminal (CI logs stay readable).
const plainStatusEvery = 10 * time.Second

// NewConsole writes to w (nil: nowhere) through secrets.
func NewConsole(w io.Writer, secrets *redact.Secrets) *Console {
	c := &Console{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			c.tty = true
		}
	}
	if w != nil {
		// Nothing abload prints may carry a credential it has read.
		c.w = secrets.Writer(w)
	}
	return c
}

func (c *Console) clear() {
	if c.progress {
		fmt.Fprint(c.w, "\r\033[K")
		c.progress = false
	}
	if c.block > 0 {
		// Up to the block's first line, clearing each line on the way.
		fmt.Fprint(c.w, "\r\033[K")
		for i := 1; i < c.block; i++ {
			fmt.Fprint(c.w, "\033[1A\033[K")
		}
		c.block = 0
	}
}

// Status shows the live status block: redrawn in place on a TTY; when not a
// TTY, logged as one plain line every plainStatusEvery.
func (c *Console) Status(lines []string) {
	if c == nil || c.w == nil || len(lines) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty {
		c.clear()
		fmt.Fprint(c.w, strings.Join(lines, "\n"))
		c.block = len(lines)
		return
	}
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	if t := now(); c.lastPlain.IsZero() || t.Sub(c.lastPlain) >= plainStatusEvery {
		c.lastPlain = t
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = strings.Join(strings.Fields(l), " ")
		}
		fmt.Fprintln(c.w, "abload: status: "+strings.Join(parts, " | "))
	}
}

// Phase prints the machine-readable phase line scripts wait on.
func (c *Console) Phase(name string) {
	c.Logf("abload: phase=%s", name)
}

// Logf prints one line.
func (c *Console) Logf(format string, args ...any) {
	if c == nil || c.w == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	fmt.Fprintf(c.w, format+"\n", args...)
}

// Progress redraws the live line (TTY only).
func (c *Console) Progress(line string) {
	if c == nil || c.w == nil || !c.tty {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprint(c.w, "\r\033[K"+line)
	c.progress = true
}

// Done removes the live line.
func (c *Console) Done() {
	if c == nil || c.w == nil {
		return
	}
	c.mu.Lock()
	c.clear()
	c.mu.Unlock()
}
