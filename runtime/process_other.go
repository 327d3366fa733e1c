//go:build !unix

package runtime

// processAlive cannot tell on this platform: the heartbeat timeout decides.
func processAlive(int) bool { return true }
