package generators

import (
	"math"
	"testing"
	"time"
)

func TestDynamicMonotoneAcrossChanges(t *testing.T) {
	d := NewDynamic(1000)
	// 1000/s for 1 s, pause 0.5 s, 250/s for 2 s, 4000/s after.
	if err := d.Set(time.Second, 0); err != nil {
		t.Fatal(err)
	}
	if got := d.Count(time.Second); got != 1000 {
		t.Fatalf("Count(1s) = %d, want 1000", got)
	}
	// Paused: every later event is Never until a rate comes.
	if got := d.Due(1000); got != Never {
		t.Fatalf("paused: Due(1000) = %v, want Never", got)
	}
	if got := d.Count(10 * time.Second); got != 1000 {
		t.Fatalf("paused: Count(10s) = %d, want 1000", got)
	}
	if err := d.Set(1500*time.Millisecond, 250); err != nil {
		t.Fatal(err)
	}
	if err := d.Set(3500*time.Millisecond, 4000); err != nil {
		t.Fatal(err)
	}
	if err := d.Set(time.Second, 5); err == nil {
		t.Fatal("a change before the last one must be refused")
	}
	if got := d.Due(1000); got != 1500*time.Millisecond {
		t.Fatalf("Due(1000) = %v, want 1.5s (the first event after the pause)", got)
	}
	if got := d.Count(3500 * time.Millisecond); got != 1500 {
		t.Fatalf("Count(3.5s) = %d, want 1500", got)
	}
	prev := time.Duration(-1)
	for i := int64(0); i < 20000; i++ {
		due := d.Due(i)
		if due <= prev {
			t.Fatalf("Due(%d) = %v <= Due(%d) = %v", i, due, i-1, prev)
		}
		if c := d.Count(due); c != i {
			t.Fatalf("Count(Due(%d)) = %d", i, c)
		}
		if due >= time.Second && due < 1500*time.Millisecond {
			t.Fatalf("event %d due at %v, inside the pause", i, due)
		}
		prev = due
	}
	if r := d.Rate(1200 * time.Millisecond); r != 0 {
		t.Errorf("Rate in the pause = %v", r)
	}
	if r := d.Rate(2 * time.Second); r != 250 {
		t.Errorf("Rate(2s) = %v, want 250", r)
	}
	// Mean over [0, 3.5s): 1500 events / 3.5 s.
	if m := d.Mean(0, 3500*time.Millisecond); math.Abs(m-1500/3.5) > 1e-9 {
		t.Errorf("Mean = %v, want %v", m, 1500/3.5)
	}
}

// Changing the rate while events are being taken keeps the events already
// due where they were.
func TestDynamicChangeKeepsPastEvents(t *testing.T) {
	d := NewDynamic(100)
	before := make([]time.Duration, 50)
	for i := range before {
		before[i] = d.Due(int64(i))
	}
	_ = d.Set(495*time.Millisecond, 10000) // event 49 is due at 490 ms, event 50 at 500 ms
	for i, want := range before {
		if got := d.Due(int64(i)); got != want {
			t.Fatalf("Due(%d) moved from %v to %v", i, want, got)
		}
	}
	if got := d.Due(50); got != 495*time.Millisecond {
		t.Fatalf("Due(50) = %v, want 495ms", got)
	}
	if got := d.Due(51); got != 495*time.Millisecond+100*time.Microsecond {
		t.Fatalf("Due(51) = %v", got)
	}
	// Replacing a change at the same offset.
	_ = d.Set(495*time.Millisecond, 0)
	if got := d.Due(50); got != Never {
		t.Fatalf("Due(50) after pausing at the same offset = %v", got)
	}
}
