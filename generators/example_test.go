package generators_test

import (
	"fmt"
	"time"

	"github.com/abload/abload/generators"
)

// A run's stream: a ramp profile paces it open loop, and the causal funnel
// fills the slots (a send first, its delivery once due, ...). The stream
// depends only on the configuration and the schedule, never on the clock.
func ExampleStream() {
	g, err := generators.New(generators.Config{
		Seed: 1, Campaigns: 3, Variants: []string{"A", "B"}, Recipients: 100, Lanes: 1,
		Funnel: generators.DefaultFunnel(),
	})
	if err != nil {
		panic(err)
	}
	sched, err := generators.NewSchedule(generators.Profile{Kind: generators.ProfileRamp, From: 100, To: 1000}, time.Minute)
	if err != nil {
		panic(err)
	}
	origin := time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC).UnixNano()
	st := generators.Stream(g, sched, origin, 6, func(e *generators.Event) {
		fmt.Printf("%s\n", e.AppendJSON(nil))
	})
	fmt.Printf("%d events, %d sends\n", st.Events, st.Total().Sends)
	// Output:
	// {"seq":0,"intended_ns":1764115200000000000,"event_time_ms":1764115200000,"type":"send","campaign":0,"variant":"A","recipient":85,"bot":false}
	// {"seq":1,"intended_ns":1764115200009992511,"event_time_ms":1764115200009,"type":"delivery","campaign":0,"variant":"A","recipient":85,"bot":false}
	// {"seq":2,"intended_ns":1764115200019970089,"event_time_ms":1764115200019,"type":"send","campaign":2,"variant":"A","recipient":73,"bot":false}
	// {"seq":3,"intended_ns":1764115200029932802,"event_time_ms":1764115200029,"type":"delivery","campaign":2,"variant":"A","recipient":73,"bot":false}
	// {"seq":4,"intended_ns":1764115200039880714,"event_time_ms":1764115200039,"type":"send","campaign":0,"variant":"B","recipient":92,"bot":false}
	// {"seq":5,"intended_ns":1764115200049813893,"event_time_ms":1764115200049,"type":"delivery","campaign":0,"variant":"B","recipient":92,"bot":false}
	// 6 events, 3 sends
}

// Validation reports every problem at once, each under its scenario path.
func ExampleNew() {
	f := generators.DefaultFunnel()
	f.Open = []float64{0.2, 1.3}
	_, err := generators.New(generators.Config{
		Seed: 1, Campaigns: 10, Variants: []string{"A", "B"}, Recipients: 1000, Lanes: 0,
		CampaignSkew: generators.KeyDist{Kind: generators.KindZipf, S: 0},
		Funnel:       f,
	})
	fmt.Println(err)
	// Output:
	// workload.lanes: must be >= 1, got 0
	// workload.skew.campaigns.s: must be a finite number > 0, got 0
	// workload.funnel.open[1]: must be in [0,1], got 1.3
}
