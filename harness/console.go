package harness

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// console serialises what the harness writes to the terminal: the
// machine-readable phase lines, log lines, and (on a TTY) one live progress
// line that is redrawn in place.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	progress bool // a progress line is on screen
}

func newConsole(w io.Writer) *console {
	c := &console{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			c.tty = true
		}
	}
	return c
}

func (c *console) clear() {
	if c.progress {
		fmt.Fprint(c.w, "\r\033[K")
		c.progress = false
	}
}

// Phase prints the machine-readable phase line scripts wait on.
func (c *console) Phase(name string) {
	c.Logf("abload: phase=%s", name)
}

// Logf prints one line.
func (c *console) Logf(format string, args ...any) {
	if c == nil || c.w == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	fmt.Fprintf(c.w, format+"\n", args...)
}

// Progress redraws the live line (TTY only).
func (c *console) Progress(line string) {
	if c == nil || c.w == nil || !c.tty {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprint(c.w, "\r\033[K"+line)
	c.progress = true
}

// Done removes the live line.
func (c *console) Done() {
	if c == nil || c.w == nil {
		return
	}
	c.mu.Lock()
	c.clear()
	c.mu.Unlock()
}
