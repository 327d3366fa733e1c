package store

import (
	"encoding/json"
	"strings"
	"time"
)

// Event is a received (Persona webhook) event, deduplicated by ID.
type Event struct {
	ID         string
	Name       string // e.g. "inquiry.completed"
	Body       json.RawMessage
	ReceivedAt time.Time // set by RecordEvent when zero
	Status     string    // EventReceived when left empty
	Seq        int64     // the order it was recorded in (read only)
}

// Scheduled is a run to start at a future time.
type Scheduled struct {
	ID           string
	Workflow     string
	At           time.Time
	Input        json.RawMessage
	CreatedByRun string // run that scheduled it, if any
	Status       string // SchedulePending when left empty
}

// EventReceived is the status of an event that has been stored but not yet dispatched.
const EventReceived = "received"

// SchedulePending is the status of a scheduled start that has not been taken yet.
const SchedulePending = "pending"

// Accepted is what AcceptEvent did.
type Accepted struct {
	// Duplicate is true when an event with this id was recorded before: nothing was written.
	Duplicate bool
	// Woken are the parked runs waiting for an event of this name, queued again.
	Woken []string
}

// Delivery is what one event did to one workflow listening for its name: it started a run,
// its where filter did not hold, or its where filter failed (and the workflow did not start).
type Delivery struct {
	EventID  string
	Workflow string
	Status   string // DeliveryStarted, DeliveryNotMatched or DeliveryFilterFailed
	RunID    string // the run it started, for DeliveryStarted
	// Error is the filter's error (JSON: message, kind, pos, workflow), for
	// DeliveryFilterFailed.
	Error json.RawMessage
	At    time.Time // set by RecordDeliveries when zero
}

// Delivery statuses.
const (
	DeliveryStarted      = "started"
	DeliveryNotMatched   = "not_matched"
	DeliveryFilterFailed = "filter_failed"
)

// EventFilter selects events for ListEvents; zero fields do not filter.
type EventFilter struct {
	Name   string // exact event name, such as "inquiry.completed"
	Status string // "received" (a signed webhook), "dispatched" (sent locally), "emitted" (by a run)
	// Before continues a listing below this Event.Seq (pass the last event of the previous page).
	Before int64
	Limit  int // default 50, at most 1000
}

// Rejection is a webhook request the service refused before recording an event: a missing,
// forged or stale signature, or a signed body that is not an event. The body itself is not
// kept (it is not trusted, and may be large); its size, and the event's id and name when the
// body could be read, are.
type Rejection struct {
	Seq       int64 // the order it was recorded in (read only)
	At        time.Time
	Endpoint  string // "" for POST /webhooks/persona, else the named endpoint
	Remote    string // the client's address
	Reason    string
	EventID   string
	EventName string
	BodySize  int64
}

// MaxRejections is how many rejections the store keeps; older ones are dropped as new ones
// are recorded, so a flood of forged requests cannot grow the store.
const MaxRejections = 1000

// IsGlob reports whether an event pattern is a glob (has *, ? or [) rather than a name.
func IsGlob(pattern string) bool { return strings.ContainsAny(pattern, "*?[") }
