package session

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/harness/job"
	"github.com/abload/abload/reports"
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
		conf := clusterFlinkConfig(sc.Env, rec)
		if err := keys.Check("the cluster's configuration (env section, env.flink_config)", conf); err != nil {
			return &InputError{Err: err}
		}
	}
	if err := keys.Check("the job's configuration (job section and job.flink_config, submitted as flinkConfiguration)", job.FlinkConfig(sc)); err != nil {
		return &InputError{Err: err}
	}
	return nil
}

// clusterFlinkConfig is the configuration abload writes for a cluster of
// the recipe's line with env section e, where the processes bind and their
// directories aside (environments add those): the recipe's base, the
// recipe's keys for the env section, and env.flink_config.
func clusterFlinkConfig(e scenarios.Env, rec cluster.Recipe) map[string]string {
	conf := rec.Base(e.JobManagerMemory, e.TaskManagerMemory, e.Slots)
	maps.Copy(conf, cluster.SettingsFor(&scenarios.Scenario{Env: e}, rec).FlinkConfig)
	return conf
}

// EffectiveFlinkConfig is result.json's flink_config: the bundle's Flink
// defaults, overlaid with the cluster's configuration and the
// job's flinkConfiguration, less the keys the environments set for
// themselves (addresses, ports, directories). nil for an external cluster;
// an error for a bundle without a defaults list (built before abload made
// one).
//
// clusterConf is the cluster's configuration as its environment wrote it
// (env.FlinkConfigured: an environment given to the run may have been
// started for another scenario); nil: the one abload writes for the
// scenario's env section (a standing environment's, whose env section is
// the run's: its sharing key).
func EffectiveFlinkConfig(sc *scenarios.Scenario, rt *cluster.Runtime, clusterConf map[string]string) (*reports.FlinkConfig, error) {
	if sc.Env.Kind == scenarios.EnvExternal || rt == nil || rt.Dir == "" {
		return nil, nil
	}
	defaults, err := rt.FlinkDefaults()
	if err != nil {
		return nil, err
	}
	if defaults == nil {
		return nil, fmt.Errorf("the runtime bundle %s has no %s (built before abload listed Flink's defaults): rebuild it with make runtime FLINK=%s", rt.Dir, cluster.DefaultsFile, scenarios.FlinkLineOf(rt.FlinkVersion()))
	}
	rec, err := rt.Recipe()
	if err != nil {
		return nil, err
	}
	set := maps.Clone(clusterConf)
	if set == nil {
		set = clusterFlinkConfig(sc.Env, rec)
	}
	maps.Copy(set, job.FlinkConfig(sc))
	eff := maps.Clone(defaults)
	maps.Copy(eff, set)
	// Where the processes bind, their directories and ports differ from
	// run to run (a default such as io.tmp.dirs from host to host): the
	// environments set them, and they are no setting of the job's.
	for k := range eff {
		if scenarios.EnvironmentFlinkKey(k) || strings.HasPrefix(k, "metrics.reporter.") && strings.HasSuffix(k, ".port") {
			delete(eff, k)
			delete(set, k)
		}
	}
	return &reports.FlinkConfig{Effective: eff, Set: slices.Sorted(maps.Keys(set))}, nil
}

// experimentalLine says why a run on Flink version v is on an experimental
// line (scenarios.ExperimentalFlinkLines), for a warning and the result's
// notes; "" when it is not, or when the job is not abload's (the user's own
// jar, or a job attached to): what is experimental is the A/B job's and
// the SQL runner's parts on it.
func experimentalLine(sc *scenarios.Scenario, v string) string {
	why := scenarios.ExperimentalFlinkLines[scenarios.FlinkLineOf(v)]
	if why == "" || sc.Env.External.JobID != "" || (sc.Job.Jar != "" && sc.Job.SQL == "") {
		return ""
	}
	return fmt.Sprintf("Flink %s is an experimental line in abload: %s.", v, why)
}
