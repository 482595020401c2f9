package flinklog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/abload/abload/reports"
)

// taskRunning matches a task's (not the job's) switch to RUNNING, as the
// ExecutionGraph logs it: "<name> (1/2) (<attempt id>) switched from
// INITIALIZING to RUNNING." The job's own line reads "switched from state".
var taskRunning = regexp.MustCompile(`^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) .* switched from [A-Z]+ to RUNNING\.`)

// LastTaskRunning is the wall time of the last task switch to RUNNING that
// the JobManager log at path records after from and no later than until:
// after a failover, the moment every task ran again. The timestamps are
// UTC: abload's log4j configuration writes them so (local processes and
// containers alike); the lines carry no zone marker.
func LastTaskRunning(path string, from, until time.Time) (time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	var last time.Time
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := taskRunning.FindSubmatch(sc.Bytes())
		if m == nil {
			continue
		}
		ts, err := time.ParseInLocation("2006-01-02 15:04:05,000", string(m[1]), time.UTC)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %v", path, err)
		}
		if ts.After(from) && !ts.After(until) && ts.After(last) {
			last = ts
		}
	}
	if err := sc.Err(); err != nil {
		return time.Time{}, fmt.Errorf("%s: %v", path, err)
	}
	if last.IsZero() {
		return last, fmt.Errorf("%s: no task switched to RUNNING between %s and %s", path, from.Format(time.RFC3339Nano), until.Format(time.RFC3339Nano))
	}
	return last, nil
}

// Stamp passes writes through to W and records the wall time of the first
// write that contains Substr: the moment abload reported, say, a fault's
// injection, as a point shared by abload's relative timeline and Flink's
// log.
type Stamp struct {
	W      io.Writer
	Substr string

	mu sync.Mutex
	at time.Time
}

func (s *Stamp) Write(p []byte) (int, error) {
	now := time.Now()
	s.mu.Lock()
	if s.at.IsZero() && bytes.Contains(p, []byte(s.Substr)) {
		s.at = now
	}
	s.mu.Unlock()
	return s.W.Write(p)
}

// At is when Substr was first written (zero if it never was).
func (s *Stamp) At() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.at
}

// RunningLag is how much later abload timed a fault's recovery (the job
// running again, rc.RunningS) than the JobManager at jmLog logged its last
// task running before output resumed (rc.OutputResumedS, plus a second
// for the timeline's resolution: under exactly-once no output is committed
// before every task runs; a later failover's switches are not this one's).
// injectedAt, when abload reported the fault's injection (see Stamp), ties
// abload's run-relative times to the wall clock.
func RunningLag(rc reports.Recovery, injectedAt time.Time, jmLog string) (time.Duration, error) {
	if rc.RunningS == nil || rc.OutputResumedS == nil {
		return 0, fmt.Errorf("recovery %s: not timed running again and output resumed", rc.Fault)
	}
	if injectedAt.IsZero() {
		return 0, fmt.Errorf("recovery %s: the injection was never reported", rc.Fault)
	}
	wall := func(s float64) time.Time { return injectedAt.Add(time.Duration((s - rc.AtS) * float64(time.Second))) }
	flinkUp, err := LastTaskRunning(jmLog, injectedAt, wall(*rc.OutputResumedS+1))
	if err != nil {
		return 0, err
	}
	abloadUp := wall(*rc.RunningS)
	return abloadUp.Sub(flinkUp), nil
}
