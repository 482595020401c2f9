package measure

import (
	"time"

	"github.com/abload/abload/scenarios"
)

// ConsumerDelayBound is how far behind the outputs the harness's consumer
// may read (workload.max_consumer_delay) and how to say so. Consumer delay
// counts from the broker's append time, and transactional output is
// appended before the checkpoint that commits it: exactly-once output is
// allowed one checkpoint cycle on top.
func ConsumerDelayBound(sc *scenarios.Scenario) (time.Duration, string) {
	bound, text := sc.Workload.MaxConsumerDelay.Duration, "workload.max_consumer_delay "+sc.Workload.MaxConsumerDelay.String()
	if sc.Job.Delivery == scenarios.DeliveryExactlyOnce {
		bound += sc.Job.Checkpoint.Interval.Duration + sc.Job.Checkpoint.MinPause.Duration
		text += " + one checkpoint cycle (exactly-once output waits for its commit)"
	}
	return bound, text
}
