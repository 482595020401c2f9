package session

import (
	"os"
	"strconv"
	"strings"

	"github.com/abload/abload/harness/env"
	"github.com/abload/abload/harness/faults"
	"github.com/abload/abload/reports"
	"github.com/abload/abload/scenarios"
)

// environment is result.json's environment section of a run or a
// capacity search: what ran it and how it was set up.
func (r *rig) environment() reports.Environment {
	host, _ := os.Hostname()
	e := reports.Environment{Kind: r.env.Kind(), FlinkVersion: r.env.FlinkVersion(), KafkaVersion: r.env.KafkaVersion(), Host: host}
	if st, ok := r.env.(env.Standing); ok {
		e.Standing = st.File()
	}
	fingerprint(&e)
	e.Limits = envLimits(r.sc.Env)
	e.Network = faults.NetworkText(r.netProxy, r.sc.Env.Network)
	e.Pin = envPin(r.sc.Env)
	if o, ok := r.env.(env.JVMOptioned); ok {
		// What abload started the cluster's JVMs with (an environment
		// given to the run may have been started for another scenario).
		e.JVMOptions = o.JVMOptions()
	}
	return e
}

// flinkConfig is result.json's flink_config (nil: not known, see
// EffectiveFlinkConfig): the cluster's configuration as its environment
// wrote it, or for a standing environment (started for the same env
// section: its sharing key) the scenario's.
func (r *rig) flinkConfig() *reports.FlinkConfig {
	if r.sc.Env.Kind == scenarios.EnvExternal || r.opts.Runtime == nil || r.opts.Runtime.Dir == "" {
		return nil // its configuration file is not abload's; or no bundle (a runtime assembled in code)
	}
	if rt := r.opts.Runtime; rt != nil && r.env.FlinkVersion() != rt.FlinkVersion() {
		// An environment started from another bundle: its defaults are
		// not this bundle's to tell.
		r.con.Logf("abload: warning: the Flink configuration is not recorded (result.json flink_config): the cluster runs Flink %s, the runtime bundle holds %s", r.env.FlinkVersion(), rt.FlinkVersion())
		return nil
	}
	var clusterConf map[string]string
	if c, ok := r.env.(env.FlinkConfigured); ok {
		conf, err := c.ClusterFlinkConfig()
		if err != nil {
			r.con.Logf("abload: warning: the Flink configuration is not recorded (result.json flink_config): %v", err)
			return nil
		}
		clusterConf = conf
	}
	fc, err := EffectiveFlinkConfig(r.sc, r.opts.Runtime, clusterConf)
	if err != nil {
		r.con.Logf("abload: warning: the Flink configuration is not recorded (result.json flink_config): %v", err)
	}
	return fc
}

// envLimits describes the containers' CPU limits, e.g.
// "taskmanager.cpus=0.5,kafka.cpus=1" ("" when there are none).
func envLimits(e scenarios.Env) string {
	var parts []string
	for _, l := range []struct {
		name string
		cpus float64
	}{{"taskmanager", e.TaskManager.CPUs}, {"jobmanager", e.JobManager.CPUs}, {"kafka", e.Kafka.CPUs}} {
		if l.cpus > 0 {
			parts = append(parts, l.name+".cpus="+strconv.FormatFloat(l.cpus, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// envPin is the run's CPU pinning for result.json (nil: none).
func envPin(e scenarios.Env) *reports.Pinning {
	if !e.Pin.Any() {
		return nil
	}
	p := e.Pin
	return &reports.Pinning{Kafka: p.Kafka, JobManager: p.JobManager, TaskManagers: p.TaskManagers, Harness: p.Harness}
}
