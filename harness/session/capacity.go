package session

import (
	"context"
	"errors"
	"time"

	"github.com/abload/abload/generators"
	"github.com/abload/abload/harness/redact"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// PhaseCapacity is the phase of `abload capacity` between startup and
// teardown: the search's steps and the pauses between them.
const PhaseCapacity = "capacity"

// The capacity search's fixed parameters.
const (
	// capMaxEvents bounds the sender (and the collector's seq bitset, one
	// bit per event): 400 M events, 50 MB.
	capMaxEvents = 400_000_000
	// capSenderMaxWait is how often a waiting sender looks at the schedule
	// again: a rate change takes effect within it.
	capSenderMaxWait = 50 * time.Millisecond
)

// Capacity runs `abload capacity`: it starts the environment (unless given
// one), submits the job once and searches for the highest rate that holds
// the scenario's capacity SLOs, stepping the offered rate of one open-loop
// schedule. The answer is returned (with the steps so far) whenever the
// search began, also on abort or failure alongside the error.
func Capacity(ctx context.Context, opts Options) (res *reports.Capacity, err error) {
	opts = opts.WithDefaults()
	defer func() {
		redact.Scrub(opts.Secrets, res)
		err = opts.Secrets.Error(err)
	}()
	r := newRun(opts)
	dyn := generators.NewDynamic(0) // paused until the first step
	end, err := r.begin(ctx, func() (generators.Schedule, error) {
		if len(r.sc.Scaling) > 0 || r.sc.Env.Scheduler == scenarios.SchedulerReactive {
			return nil, errors.New("a capacity search runs on a fixed cluster: remove the scaling actions and use env.scheduler default or adaptive (a matrix over env.taskmanagers makes a curve)")
		}
		return dyn, nil
	})
	if err != nil {
		return nil, err
	}
	defer func() {
		end()
		if res != nil && r.leftChanged != "" {
			if res.Note != "" {
				res.Note += " "
			}
			res.Note += "Standing environment after the search: " + leftText(r.leftChanged) + "."
		}
	}()
	return r.capacity(ctx, dyn)
}
