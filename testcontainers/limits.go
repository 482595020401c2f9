package testcontainers

import (
	"fmt"

	"github.com/moby/moby/api/types/container"
)

// limits are one container's resource limits.
type limits struct {
	cpus     float64 // cores (CPU quota); 0 = none
	cpuset   string  // the CPUs it may run on, a CPU list; "" = any
	memBytes int64   // memory, swap included; 0 = none
}

// limitsOf returns the limits of the container name (kafka, jobmanager or
// taskmanager-N), whose memory limit is memBytes.
func (c Config) limitsOf(name string, memBytes int64) limits {
	switch name {
	case "kafka":
		return limits{cpus: c.KafkaCPUs, cpuset: c.KafkaCPUSet, memBytes: memBytes}
	case "jobmanager":
		return limits{cpus: c.JobManagerCPUs, cpuset: c.JobManagerCPUSet, memBytes: memBytes}
	default:
		return limits{cpus: c.TaskManagerCPUs, cpuset: c.TaskManagerCPUSet, memBytes: memBytes}
	}
}

// apply sets the limits in a container's host config.
func (l limits) apply(hc *container.HostConfig) {
	if l.cpus > 0 {
		hc.NanoCPUs = int64(l.cpus * 1e9)
	}
	if l.cpuset != "" {
		hc.CpusetCpus = l.cpuset
	}
	if l.memBytes > 0 {
		hc.Memory = l.memBytes
		hc.MemorySwap = l.memBytes // no swap beyond the limit
	}
}

// String describes the limits for the log.
func (l limits) String() string {
	s := "no CPU limit"
	if l.cpus > 0 {
		s = fmt.Sprintf("%g CPUs", l.cpus)
	}
	if l.cpuset != "" {
		s += ", pinned to CPUs " + l.cpuset
	}
	return s + fmt.Sprintf(", %d MiB memory limit", l.memBytes>>20)
}
