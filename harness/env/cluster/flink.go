package cluster

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/abload/abload/scenarios"
)

// FlinkClusterConfig is the Flink 2.2 line's recipe (Recipe.Cluster) for
// the Flink configuration (flat config.yaml keys) the scenario's env
// section asks of the cluster an environment starts: failure
// detection and the TaskManager memory split that batching and RocksDB
// depend on.
func FlinkClusterConfig(e scenarios.Env) map[string]string {
	m := map[string]string{
		"heartbeat.interval":                  strconv.FormatInt(e.HeartbeatInterval.Milliseconds(), 10) + " ms",
		"heartbeat.timeout":                   strconv.FormatInt(e.HeartbeatTimeout.Milliseconds(), 10) + " ms",
		"taskmanager.memory.managed.fraction": strconv.FormatFloat(e.ManagedMemoryFraction, 'g', -1, 64),
	}
	if e.NetworkMemory != "" {
		m["taskmanager.memory.network.min"] = e.NetworkMemory
		m["taskmanager.memory.network.max"] = e.NetworkMemory
	}
	if e.Scheduler == scenarios.SchedulerAdaptive || e.Scheduler == scenarios.SchedulerReactive {
		// Flink's waits before and after a rescale (30 s cooldown, 60 s
		// stabilization) would hide what a benchmark wants to see.
		wait := strconv.FormatInt(e.RescaleCooldown.Milliseconds(), 10) + " ms"
		m["jobmanager.scheduler"] = "adaptive"
		m["jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling"] = wait
		m["jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout"] = wait
		m["jobmanager.adaptive-scheduler.submission.resource-stabilization-timeout"] = wait
	}
	if e.Scheduler == scenarios.SchedulerReactive {
		m["scheduler-mode"] = "reactive"
	}
	return m
}

// FlinkBaseConfig is the Flink 2.2 line's recipe (Recipe.Base) for the
// Flink configuration every environment that starts a cluster shares (flat config.yaml keys): memory, a 1 s metric and
// checkpoint-statistics refresh for the timeline, failure detection and
// restart strategy, the Java 17 module flags. Environments add where the
// processes bind and their directories, then the scenario's
// FlinkClusterConfig on top.
func FlinkBaseConfig(jmMem, tmMem string, slots int) map[string]string {
	return map[string]string{
		"jobmanager.memory.process.size":           jmMem,
		"jobmanager.execution.failover-strategy":   "region",
		"taskmanager.numberOfTaskSlots":            strconv.Itoa(slots),
		"taskmanager.memory.process.size":          tmMem,
		"parallelism.default":                      "1",
		"metrics.fetcher.update-interval":          "1000 ms",
		"rest.cache.checkpoint-statistics.timeout": "500 ms",
		"web.checkpoints.history":                  "100",
		"web.refresh-interval":                     "1000 ms",
		"heartbeat.interval":                       "2000 ms",
		"heartbeat.timeout":                        "10000 ms",
		"slot.request.timeout":                     "60000 ms",
		// A TaskManager that starts before the JobManager's RPC endpoint
		// answers (they start together) retries after this pause; Flink's
		// 10 s default made a cold start 15 s instead of 5.
		"cluster.registration.error-delay": "500 ms",
		"blob.server.port":                 "0",
		"taskmanager.rpc.port":             "0",
		"taskmanager.data.port":            "0",
		"env.java.opts.all":                strings.Join(FlinkJavaOpts, " "),
		// Spread a job's slots over the TaskManagers (2.x: the key
		// cluster.evenly-spread-out-slots is gone; Flink ignored it).
		"taskmanager.load-balance.mode":                                    "SLOTS",
		"metrics.reporter.prom.factory.class":                              "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
		"metrics.reporter.prom.port":                                       "9249",
		"taskmanager.memory.jvm-overhead.min":                              "128m",
		"restart-strategy.type":                                            "exponential-delay",
		"restart-strategy.exponential-delay.initial-backoff":               "1000 ms",
		"restart-strategy.exponential-delay.max-backoff":                   "8000 ms",
		"restart-strategy.exponential-delay.backoff-multiplier":            "2.0",
		"restart-strategy.exponential-delay.jitter-factor":                 "0.1",
		"restart-strategy.exponential-delay.reset-backoff-threshold":       "60000 ms",
		"restart-strategy.exponential-delay.attempts-before-reset-backoff": "8",
		"jobmanager.adaptive-scheduler.resource-stabilization-timeout":     "1000 ms",
	}
}

// FlinkMemoryFlags computes the JVM flags (heap, direct, metaspace) and the
// dynamic -D properties the JobManager and a TaskManager start with, from
// the memory model in conf, the way Flink's scripts do (BashJavaUtils from
// the runtime bundle). Environments that launch the JVMs themselves (local
// processes, the Docker environment's own images) use it so sizes are
// Flink's own.
func FlinkMemoryFlags(ctx context.Context, run Exec, rt *Runtime, conf map[string]string) (jm, tm JVMFlags, err error) {
	dir, err := os.MkdirTemp("", "abload-memconf-")
	if err != nil {
		return jm, tm, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), FlinkConfigYAML(conf), 0o644); err != nil {
		return jm, tm, err
	}
	cp := filepath.Join(rt.FlinkLib, "*")
	if jm.JVM, jm.Dynamic, err = BashJavaUtils(ctx, run, cp, dir, "GET_JM_RESOURCE_PARAMS"); err != nil {
		return jm, tm, err
	}
	tm.JVM, tm.Dynamic, err = BashJavaUtils(ctx, run, cp, dir, "GET_TM_RESOURCE_PARAMS")
	return jm, tm, err
}

// JVMFlags is what a Flink process starts with: JVM options, and the
// dynamic properties passed after the main class.
type JVMFlags struct {
	JVM     []string
	Dynamic []string
}

// Java 17 module flags that Flink's own scripts pass (env.java.opts.all of
// the default config.yaml of the pinned version).
var FlinkJavaOpts = []string{
	"--add-exports=java.base/sun.net.util=ALL-UNNAMED",
	"--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
	"--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
	"--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
	"--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
	"--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
	"--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
	"--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
	"--add-opens=java.base/java.lang=ALL-UNNAMED",
	"--add-opens=java.base/java.net=ALL-UNNAMED",
	"--add-opens=java.base/java.io=ALL-UNNAMED",
	"--add-opens=java.base/java.nio=ALL-UNNAMED",
	"--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
	"--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
	"--add-opens=java.base/java.text=ALL-UNNAMED",
	"--add-opens=java.base/java.time=ALL-UNNAMED",
	"--add-opens=java.base/java.util=ALL-UNNAMED",
	"--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
	"--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
	"--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
}

const Log4jConfig = `# Written by abload: one file per component, named by -Dlog.file; times in UTC.
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = File
appender.file.name = File
appender.file.type = File
appender.file.append = true
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS}{UTC} %-5p %-50c{1.} - %m%n
logger.kafkaclients.name = org.apache.kafka.clients
logger.kafkaclients.level = WARN
`

// FlinkConfigYAML renders flat keys as config.yaml (flat dotted keys are
// valid standard YAML and Flink 2.x reads them as such).
func FlinkConfigYAML(kv map[string]string) []byte {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	b.WriteString("# Written by abload for one run.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, yamlScalar(kv[k]))
	}
	return b.Bytes()
}

func yamlScalar(v string) string {
	if v == "" || strings.ContainsAny(v, ":#{}[],&*!|>'\"%@`") || strings.TrimSpace(v) != v {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return v
}

// BashJavaUtils returns the JVM flags and the dynamic -D properties for a
// JobManager or TaskManager, as Flink's start scripts compute them.
func BashJavaUtils(ctx context.Context, run Exec, cp, confDir, command string) (jvm, dyn []string, err error) {
	argv := append(append([]string{"-Xmx128m"}, ToolJVMOpts...), "-cp", cp,
		"org.apache.flink.runtime.util.bash.BashJavaUtils", command, "--configDir", confDir)
	cmd := exec.CommandContext(ctx, JavaBin(), argv...)
	out, err := run.output(cmd)
	if err != nil {
		return nil, nil, fmt.Errorf("flink: %s: %w\n%s", command, err, tailLines(out, 20))
	}
	var results []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "BASH_JAVA_UTILS_EXEC_RESULT:"); ok {
			results = append(results, v)
		}
	}
	if len(results) < 2 {
		return nil, nil, fmt.Errorf("flink: %s printed no memory settings:\n%s", command, tailLines(out, 20))
	}
	return strings.Fields(results[0]), strings.Fields(results[1]), nil
}

func tailLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
