package harness

import (
	"fmt"
	"syscall"
)

func signalPID(pid int, sig string) error {
	switch sig {
	case "STOP":
		return syscall.Kill(pid, syscall.SIGSTOP)
	case "CONT":
		return syscall.Kill(pid, syscall.SIGCONT)
	}
	return fmt.Errorf("unknown signal %s", sig)
}
