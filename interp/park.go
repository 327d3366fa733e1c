package interp

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Parked is the error a host returns from Wait (or a step's Do returns)
// when the run cannot go on until something happens: a time passes, an
// event arrives, another run ends. It is not a failure: it unwinds the run
// without running anything more, try/catch does not catch it, and a
// parallel block lets its other branches run on until they end or park
// too. Program.Run then reports the run as parked, with every condition
// that may wake it. A durable host continues such a run later by replaying
// it from its journal; the wait that parked it then finds its answer.
type Parked struct {
	Waits []ParkedWait
}

// ParkedWait is one thing a parked run waits for. At least one of Until,
// Event and Run is set.
type ParkedWait struct {
	Key   string    // the key of the wait or step that parked
	Until time.Time // wake at this time (zero: no timer)
	Event string    // wake when an event of this name (or glob) arrives
	Run   string    // wake when this run ends (a workflow.call child)
}

// Error describes what the run waits for.
func (p *Parked) Error() string {
	parts := make([]string, 0, len(p.Waits))
	for _, w := range p.Waits {
		var what []string
		if w.Event != "" {
			what = append(what, fmt.Sprintf("event %q", w.Event))
		}
		if w.Run != "" {
			what = append(what, "run "+w.Run)
		}
		if !w.Until.IsZero() {
			what = append(what, "until "+w.Until.UTC().Format(time.RFC3339))
		}
		parts = append(parts, strings.Join(what, " or "))
	}
	return "parked waiting for " + strings.Join(parts, "; ")
}

// Park returns a Parked error for one condition.
func Park(w ParkedWait) *Parked { return &Parked{Waits: []ParkedWait{w}} }

// AsParked reports whether err is (or wraps) a Parked.
func AsParked(err error) (*Parked, bool) {
	if err == nil {
		return nil, false // the common case, without errors.As's allocation
	}
	var p *Parked
	ok := errors.As(err, &p)
	return p, ok
}

// mergeParked joins the conditions of branches that parked.
func mergeParked(a, b *Parked) *Parked {
	if a == nil {
		return b
	}
	return &Parked{Waits: append(append([]ParkedWait(nil), a.Waits...), b.Waits...)}
}

// StatusParked is the status of a run waiting, durably, for a time, an
// event or another run.
const StatusParked = "parked"
