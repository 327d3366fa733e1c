//go:build unix

package runtime

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this pid exists on this
// machine (a process we may not signal still exists).
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
