package generators_test

import (
	"fmt"
	"time"

	"github.com/abload/abload/generators"
)

// The sender's loop: the schedule, not the clock, says when each event is
// due, and an event that goes out late keeps its intended time.
func ExampleConstantRate() {
	g, err := generators.New(generators.Config{Seed: 1, Campaigns: 3, Variants: []string{"A", "B"}, Recipients: 100})
	if err != nil {
		panic(err)
	}
	sched := generators.ConstantRate(2) // 2 events/s
	start := time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)
	n := sched.Count(2 * time.Second) // events due in the first 2 s
	var e generators.Event
	for i := range n {
		g.Fill(&e, i, start.Add(sched.Due(i)).UnixNano())
		fmt.Printf("%s %s\n", sched.Due(i), e.AppendJSON(nil))
	}
	// Output:
	// 0s {"seq":0,"intended_ns":1764115200000000000,"event_time_ms":1764115200000,"type":"delivery","campaign":1,"variant":"B","recipient":39,"bot":false}
	// 500ms {"seq":1,"intended_ns":1764115200500000000,"event_time_ms":1764115200500,"type":"delivery","campaign":1,"variant":"B","recipient":78,"bot":false}
	// 1s {"seq":2,"intended_ns":1764115201000000000,"event_time_ms":1764115201000,"type":"delivery","campaign":2,"variant":"B","recipient":81,"bot":false}
	// 1.5s {"seq":3,"intended_ns":1764115201500000000,"event_time_ms":1764115201500,"type":"delivery","campaign":1,"variant":"B","recipient":86,"bot":false}
}
