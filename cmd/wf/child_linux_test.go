//go:build linux

package main

import (
	"os/exec"
	"syscall"
)

// ownChild puts a child process in a process group of its own, killed with SIGKILL when the
// test process dies (a timeout's panic, a crash), so no `wf serve` outlives its test.
func ownChild(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killChild kills a child started with ownChild, and its process group.
func killChild(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
}
