// Package faults is a run's faults and scaling actions: a Schedule injects
// them on the load's clock through the environment's FaultInjector, Scaler
// and network proxy, holds the collector's consumer-delay excuse open
// while each is in effect, records the job's ups and downs, and times each
// one's recovery (detected, running again, output resumed, lag recovered,
// latency spike, restarts) or rescale from the timeline and a Timeline of
// what the run measured. SetupNetwork gives a run its steady shaping.
package faults
