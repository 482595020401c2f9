package scenarios_test

import (
	"fmt"

	"github.com/abload/abload/scenarios"
)

func ExampleParse() {
	file := []byte("workload:\n  rate: -5\n  rte: 10\njob:\n  parallelism: 2\n")
	_, err := scenarios.Parse("bad.yaml", file, []string{"job.checkpoint.interval=soon"})
	fmt.Println(err)
	// Output:
	// bad.yaml:3: workload.rte: unknown field (known: rate, duration, warmup, warmup_max, drain_timeout, campaigns, variants, recipients, seed, max_send_delay, max_consumer_delay, max_failed_checkpoints, encoding, lanes, profile, skew, funnel, disorder, cooldown, prefill); did you mean "rate"?
	// --set job.checkpoint.interval=soon: job.checkpoint.interval: malformed duration "soon" (want a Go duration such as 30s, 1m30s, 200ms)
	// bad.yaml:2: workload.rate: must be a finite number > 0 (events/s), got -5
}

func ExampleParse_overrides() {
	s, err := scenarios.Parse("quick.yaml", []byte("workload:\n  rate: 2000\n"), []string{"workload.rate=5000", "workload.variants=[A,B,C]"})
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, s.Workload.Rate, s.Workload.Variants, s.Workload.Duration)
	// Output: quick 5000 [A B C] 30s
}
