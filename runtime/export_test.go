package runtime

import (
	"context"

	"github.com/wf-lang/wf/runtime/store"
)

// HeartbeatOnce sends one heartbeat now, as the heart-beating goroutine does.
func (e *Engine) HeartbeatOnce() { e.heartbeatOnce(context.Background()) }

// SwapStore puts st (a test's wrapper around the store) in place of the
// engine's store with no heartbeat in flight, then starts heart-beating
// again: assigning Engine.Store while the heartbeat goroutine reads it is a
// data race.
func (e *Engine) SwapStore(st store.Store) {
	e.stopHeartbeat()
	e.Store = st
	e.startHeartbeat()
}
