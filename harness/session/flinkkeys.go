package session

import (
	"fmt"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/job"
	"github.com/abload/abload/scenarios"
)

// CheckFlinkKeys refuses, before anything starts, a scenario whose Flink
// configuration holds a key the Flink version that will read it does not
// know (Flink ignores such a key silently, and its REST API echoes it
// back): the configuration every cluster abload starts gets (the line's
// recipe, with the scenario's env section) and the job's
// (flinkConfiguration, from the job section), against the keys the
// runtime bundle's Flink version knows. Each environment checks its
// complete config.yaml again as it writes it.
func CheckFlinkKeys(sc *scenarios.Scenario, rt *cluster.Runtime) error {
	if rt == nil || rt.Dir == "" {
		return nil // no bundle (a runtime assembled in code): no keys to check against
	}
	if sc.Job.StateBackend == scenarios.StateBackendForSt && sc.Env.Kind != scenarios.EnvExternal && !rt.HasForSt() {
		hint := fmt.Sprintf("ForSt is Flink 2's state backend (env.flink_version %s)", scenarios.DefaultFlinkLine)
		if scenarios.ForStLine(scenarios.FlinkLineOf(rt.FlinkVersion())) {
			hint = "the bundle was built before abload added ForSt: build it again (make runtime)"
		}
		return &InputError{Err: fmt.Errorf("job.state_backend forst: the Flink %s bundle in %s has no ForSt (flink-statebackend-forst): %s",
			rt.FlinkVersion(), rt.Dir, hint)}
	}
	keys, err := rt.FlinkKeys()
	if err != nil {
		return err
	}
	if sc.Env.Kind != scenarios.EnvExternal {
		rec, err := rt.Recipe()
		if err != nil {
			return err
		}
		conf := rec.Base(sc.Env.JobManagerMemory, sc.Env.TaskManagerMemory, sc.Env.Slots)
		for k, v := range cluster.SettingsFor(sc, rec).FlinkConfig {
			conf[k] = v // the recipe's for the env section, and env.flink_config
		}
		if err := keys.Check("the cluster's configuration (env section, env.flink_config)", conf); err != nil {
			return &InputError{Err: err}
		}
	}
	if err := keys.Check("the job's configuration (job section and job.flink_config, submitted as flinkConfiguration)", job.FlinkConfig(sc)); err != nil {
		return &InputError{Err: err}
	}
	return nil
}
