package testcontainers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	tc "github.com/testcontainers/testcontainers-go"

	"github.com/abload/abload/harness/env/cluster"
	"github.com/abload/abload/scenarios"
)

// The containers of a Docker environment: their paths and ports, the
// cluster's configuration and JVM flags, and how the broker, the
// JobManager and each TaskManager are started (their command lines, limits
// and requests).

// Container paths. Both image families (the local ones and the official
// ones) keep Flink's jars in /opt/flink/lib and Kafka's in /opt/kafka/libs
// and have java on the PATH; the environment supplies every command line.
const (
	flinkLib  = "/opt/flink/lib"
	kafkaLibs = "/opt/kafka/libs"
	confDir   = "/opt/abload/conf"
	kafkaConf = "/opt/abload/kafka"

	kafkaHostPort     = "9092/tcp" // the harness's listener, mapped to 127.0.0.1
	kafkaInternalPort = 9094       // the job's listener on the private network
	kafkaJobPort      = "9095/tcp" // the job's listener behind the network proxy, mapped to 127.0.0.1
	restPort          = "8081/tcp"
	promPort          = "9249/tcp" // Flink's Prometheus reporter (metrics.reporter.prom.port)
)

// log4jConsole sends every component's log to its container's stdout, which
// Stop saves into the run's logs/.
const log4jConsole = `# Written by abload: container logs go to stdout; times in UTC.
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = Console
appender.console.name = Console
appender.console.type = CONSOLE
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS}{UTC} %-5p %-50c{1.} - %m%n
logger.kafkaclients.name = org.apache.kafka.clients
logger.kafkaclients.level = WARN
`

// flinkConfig is the cluster's config.yaml and the JVM flags of the
// JobManager and the TaskManagers, computed from it by Flink's own memory
// model (on the host, from the same jars the images carry).
func (e *Env) flinkConfig(ctx context.Context) (map[string]string, cluster.JVMFlags, cluster.JVMFlags, error) {
	rec, err := e.cfg.Runtime.Recipe()
	if err != nil {
		return nil, cluster.JVMFlags{}, cluster.JVMFlags{}, err
	}
	conf := rec.Base(e.cfg.JobManagerMemory, e.cfg.TaskManagerMemory, e.cfg.Slots)
	for k, v := range map[string]string{
		"jobmanager.bind-host":        "0.0.0.0",
		"jobmanager.rpc.address":      "jobmanager",
		"jobmanager.rpc.port":         "6123",
		"taskmanager.bind-host":       "0.0.0.0",
		"rest.address":                "jobmanager",
		"rest.bind-address":           "0.0.0.0",
		"rest.port":                   "8081",
		"io.tmp.dirs":                 "/tmp",
		"web.tmpdir":                  "/tmp/flink-web",
		"execution.checkpointing.dir": "file://" + filepath.Join(e.cfg.WorkDir, "checkpoints"),
	} {
		conf[k] = v
	}
	for k, v := range e.cfg.FlinkConfig {
		conf[k] = v
	}
	keys, err := e.cfg.Runtime.FlinkKeys()
	if err != nil {
		return nil, cluster.JVMFlags{}, cluster.JVMFlags{}, err
	}
	if err := keys.Check("the Docker cluster's config.yaml", conf); err != nil {
		return nil, cluster.JVMFlags{}, cluster.JVMFlags{}, err
	}
	jm, tm, err := cluster.FlinkMemoryFlags(ctx, e.cfg.Exec, e.cfg.Runtime, conf)
	return conf, jm, tm, err
}

// baseRequest is what every container of the environment shares: labels,
// the network and its alias, the name, the user, limits.
func (e *Env) baseRequest(name, image string, lim limits, exposed ...string) tc.ContainerRequest {
	uid, gid := os.Getuid(), os.Getgid()
	return tc.ContainerRequest{
		Image:          image,
		ExposedPorts:   exposed,
		Name:           e.id + "-" + name,
		Labels:         map[string]string{LabelRun: e.id, LabelComponent: name},
		Networks:       []string{e.net.Name},
		NetworkAliases: map[string][]string{e.net.Name: {name}},
		ConfigModifier: func(c *container.Config) {
			// The host user: files in bind mounts (checkpoints, savepoints)
			// stay the user's.
			c.User = fmt.Sprintf("%d:%d", uid, gid)
			c.Env = append(c.Env, "HOME=/tmp")
		},
		HostConfigModifier: func(hc *container.HostConfig) {
			lim.apply(hc)
			// Mapped ports on loopback only: nothing of a run is reachable
			// from other hosts. (Publish-all would bind every address.)
			hc.PublishAllPorts = false
			if hc.PortBindings == nil {
				hc.PortBindings = mobynet.PortMap{}
			}
			for _, ep := range exposed {
				p := mobynet.MustParsePort(ep)
				if len(hc.PortBindings[p]) == 0 {
					hc.PortBindings[p] = []mobynet.PortBinding{{}}
				}
			}
			for p, bs := range hc.PortBindings {
				for i := range bs {
					bs[i].HostIP = loopback
				}
				hc.PortBindings[p] = bs
			}
		},
	}
}

// startKafka starts the broker; with proxyAddr it adds the JOB listener
// (container port 9095, published on 127.0.0.1:jobPort), advertised at
// proxyAddr.
func (e *Env) startKafka(ctx context.Context, image string, hostPort, jobPort int, proxyAddr string) error {
	heap, err := scenarios.MemoryBytes(e.cfg.KafkaHeap)
	if err != nil {
		return fmt.Errorf("env.kafka_heap: %w", err)
	}
	l := cluster.KafkaListeners{
		Listeners:         fmt.Sprintf("HOST://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093,INTERNAL://0.0.0.0:%d", kafkaInternalPort),
		Advertised:        fmt.Sprintf("HOST://127.0.0.1:%d,INTERNAL://kafka:%d", hostPort, kafkaInternalPort),
		ProtocolMap:       "CONTROLLER:PLAINTEXT,HOST:PLAINTEXT,INTERNAL:PLAINTEXT",
		InterBroker:       "INTERNAL",
		ControllerAddress: "127.0.0.1:9093",
	}
	exposed := []string{kafkaHostPort}
	if proxyAddr != "" {
		l.Listeners += ",JOB://0.0.0.0:" + mobynet.MustParsePort(kafkaJobPort).Port()
		l.Advertised += ",JOB://" + proxyAddr
		l.ProtocolMap += ",JOB:PLAINTEXT"
		exposed = append(exposed, kafkaJobPort)
	}
	props := cluster.KafkaServerProperties(l, "/tmp/kafka-data")
	clusterID := cluster.NewKafkaClusterID()
	log := "-Dlog4j2.configurationFile=" + kafkaConf + "/log4j2.properties -Dlog4j.configurationFile=" + kafkaConf + "/log4j2.properties"
	// Format once (a restarted container keeps its storage), then run.
	script := fmt.Sprintf(`set -e
java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC %[1]s -cp '%[2]s/*' kafka.tools.StorageTool format --ignore-formatted --cluster-id=%[3]s -c %[4]s/server.properties
exec java -Xmx%[5]s -Xms%[5]s %[6]s -Djava.awt.headless=true %[7]s %[1]s -cp '%[2]s/*' kafka.Kafka %[4]s/server.properties
`, log, kafkaLibs, clusterID, kafkaConf, e.cfg.KafkaHeap, strings.Join(cluster.KafkaGCOpts(e.cfg.JVMOptions), " "), shellWords(e.cfg.JVMOptions))
	// Heap plus room for direct buffers, metaspace and threads.
	lim := e.cfg.limitsOf("kafka", heap+512<<20)
	req := e.baseRequest("kafka", image, lim, exposed...)
	mod := req.HostConfigModifier
	req.HostConfigModifier = func(hc *container.HostConfig) {
		// The host listener is advertised as 127.0.0.1:hostPort, so that
		// port must be fixed before the broker starts; the JOB listener's is
		// the network proxy's upstream, which a restart must not move.
		hc.PortBindings = mobynet.PortMap{mobynet.MustParsePort(kafkaHostPort): {{HostPort: fmt.Sprint(hostPort)}}}
		if proxyAddr != "" {
			hc.PortBindings[mobynet.MustParsePort(kafkaJobPort)] = []mobynet.PortBinding{{HostPort: fmt.Sprint(jobPort)}}
		}
		mod(hc)
	}
	req.Entrypoint = []string{"/bin/sh", "-c", script}
	req.Files = []tc.ContainerFile{
		{Reader: strings.NewReader(props), ContainerFilePath: kafkaConf + "/server.properties", FileMode: 0o644},
		{Reader: strings.NewReader(log4jConsole), ContainerFilePath: kafkaConf + "/log4j2.properties", FileMode: 0o644},
	}
	return e.run(ctx, "kafka", req, lim)
}

// shellWords quotes each of ws for the broker's sh -c script.
func shellWords(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = cluster.ShellQuote(w)
	}
	return strings.Join(q, " ")
}

// startFlinkNode starts the JobManager (tm = 0) or TaskManager tm.
func (e *Env) startFlinkNode(ctx context.Context, image, name string, conf map[string]string, flags cluster.JVMFlags, tm int) error {
	memSize := e.cfg.JobManagerMemory
	main := "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
	dyn := append([]string{}, flags.Dynamic...)
	if tm > 0 {
		memSize = e.cfg.TaskManagerMemory
		main = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"
		dyn = append(dyn, "-D", fmt.Sprintf("taskmanager.resource-id=tm-%d", tm), "-D", "taskmanager.host="+name)
	}
	// Flink's process size is the whole JVM footprint: the container's limit.
	mem, err := scenarios.MemoryBytes(memSize)
	if err != nil {
		return fmt.Errorf("%s memory: %w", name, err)
	}
	cmd := append([]string{}, cluster.FlinkJavaOpts...)
	cmd = append(cmd, flags.JVM...)
	cmd = append(cmd, e.cfg.JVMOptions...)
	cmd = append(cmd, "-Dlog4j.configurationFile="+confDir+"/log4j-console.properties",
		"-Dlog4j2.configurationFile="+confDir+"/log4j-console.properties",
		"-cp", flinkLib+"/*", main, "--configDir", confDir)
	cmd = append(cmd, dyn...)
	exposed := []string{promPort}
	if tm == 0 {
		exposed = append(exposed, restPort)
	}
	lim := e.cfg.limitsOf(name, mem)
	req := e.baseRequest(name, image, lim, exposed...)
	req.Entrypoint = []string{"java"}
	req.Cmd = cmd
	req.Env = map[string]string{"FLINK_CONF_DIR": confDir}
	req.Files = []tc.ContainerFile{
		{Reader: strings.NewReader(string(cluster.FlinkConfigYAML(conf))), ContainerFilePath: confDir + "/config.yaml", FileMode: 0o644},
		{Reader: strings.NewReader(log4jConsole), ContainerFilePath: confDir + "/log4j-console.properties", FileMode: 0o644},
	}
	mod := req.HostConfigModifier
	binds := []string{e.cfg.WorkDir + ":" + e.cfg.WorkDir}
	for _, d := range e.cfg.SharedDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		binds = append(binds, d+":"+d)
	}
	req.HostConfigModifier = func(hc *container.HostConfig) {
		mod(hc)
		hc.Binds = append(hc.Binds, binds...)
	}
	return e.run(ctx, name, req, lim)
}

// run creates and starts one container and records it.
func (e *Env) run(ctx context.Context, name string, req tc.ContainerRequest, lim limits) error {
	if e.isStopped() {
		return errors.New("environment is stopping")
	}
	c, err := tc.GenericContainer(ctx, tc.GenericContainerRequest{ContainerRequest: req, Started: true})
	if c != nil {
		e.mu.Lock()
		stopped := e.stopped
		if !stopped {
			e.nodes[name] = &node{name: name, c: c, id: c.GetContainerID(), cpus: lim.cpus, memBytes: lim.memBytes}
		}
		e.mu.Unlock()
		if stopped {
			// Stop ran while this container was being created: never leave it.
			rctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_ = c.Terminate(rctx, tc.StopTimeout(0))
			cancel()
			return errors.New("environment is stopping")
		}
	}
	if err != nil {
		if e.Images().Source == scenarios.ImagesOfficial {
			return fmt.Errorf("docker: start %s (%s): %w\n(if this host reaches no image registry, build the local images with `make images` and set env.images: local or auto)", name, req.Image, err)
		}
		return fmt.Errorf("docker: start %s (%s): %w", name, req.Image, err)
	}
	e.cfg.Logf("abload: container %s started (%s, %s, id %s)", req.Name, req.Image, lim, c.GetContainerID()[:12])
	return nil
}
