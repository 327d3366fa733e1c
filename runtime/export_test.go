package runtime

import "context"

// HeartbeatOnce sends one heartbeat now, as the heart-beating goroutine does.
func (e *Engine) HeartbeatOnce() { e.heartbeatOnce(context.Background()) }
