//go:build !linux

package scenarios

import "runtime"

// usableCPUs returns 0..NumCPU-1.
func usableCPUs() []int { return firstCPUs(runtime.NumCPU()) }
