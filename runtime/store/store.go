// Package store is WF's durable record of everything a run does: the interface the runtime
// and the service write through, the records it holds, and their meaning.
//
// It sits at the bottom of the runtime layer (lang ← interp ← stdlib ← runtime ← cmd): the
// executor, scheduler and HTTP API write runs, journaled steps, logs and outputs here; the
// webhook receiver records events; the Lists adapter and the local Persona backend keep their
// data here. The store knows nothing of the interpreter: values arrive as JSON
// (json.RawMessage) and plain strings.
//
// Two implementations keep the same semantics (the conformance suite in storetest holds both
// to it): package sqlite, one embedded SQLite file (the default: nothing to install), and
// package postgres, one PostgreSQL database that any number of `wf serve` instances share.
//
// # Time
//
// Times are kept to the nanosecond and returned as time.Time in UTC; the zero time means
// "none".
package store

import (
	"context"
	"encoding/json"
	"time"
)

// Options tunes what every implementation shares; the zero value is the recommended
// configuration.
type Options struct {
	// Now is the clock used for created/updated times the caller leaves zero
	// (default time.Now).
	Now func() time.Time
	// StaleAfter is how long an instance may miss heartbeats before its runs
	// count as interrupted (default DefaultStaleAfter).
	StaleAfter time.Duration
}

// WithDefaults fills in the zero fields of o.
func (o Options) WithDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	return o
}

// Store is the durable record. Implementations are safe for concurrent use by many
// goroutines (and, for a shared database, by many processes).
type Store interface {
	VersionStore
	RunStore
	LifecycleStore
	EventStore
	ScheduleStore
	InstanceStore
	TokenStore
	ListStore
	ObjectStore
	BrowseStore

	// Location says where the store is, for people: a file path, or a database URL
	// without its password.
	Location() string
	// Ping checks that the database answers a query.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// VersionStore keeps workflow sources by version hash.
type VersionStore interface {
	// SaveVersion records a workflow source under its hash; saving a known hash again is a
	// no-op.
	SaveVersion(ctx context.Context, v Version) error
	// GetVersion returns the source saved under hash, or ErrNotFound.
	GetVersion(ctx context.Context, hash string) (Version, error)
}

// RunStore records runs, their journaled steps and their log lines.
type RunStore interface {
	// CreateRun records a new run. It fills in Status and StartedAt when they are empty and
	// returns ErrExists when the ID is taken.
	CreateRun(ctx context.Context, r *Run) error
	// CreateRunWith is CreateRun that also saves objs, as PutObjects does, in the same
	// transaction (the trigger's Persona object for the local backend, with its run).
	CreateRunWith(ctx context.Context, r *Run, objs []Object) error
	// FinishRun sets a run's final status, outputs, error and finish time, and lets go of it:
	// its owner and waits are cleared. Parked runs waiting for it to end (a workflow.call
	// parent) are queued again for wakeOwner, in the same transaction; their ids are returned.
	// steps, when there are any, are saved first in the same transaction, as SaveSteps does:
	// the outcomes of the run's last steps ride with its end (nothing is saved on an error).
	FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, finished time.Time, wakeOwner string, steps []Step) ([]string, error)
	// SaveStep inserts or replaces the step (runID, st.Key); a replacement keeps the earlier
	// StartedAt, Args and Options when the new ones are empty. It returns once the step is
	// committed; ErrNotFound when the run does not exist.
	SaveStep(ctx context.Context, runID string, st Step) error
	// SaveSteps saves steps, each as SaveStep does, in one transaction: all of them or, on an
	// error, none.
	SaveSteps(ctx context.Context, runID string, steps []Step) error
	// AppendLog adds a log line to a run (a line whose Key is already logged is ignored);
	// ErrNotFound when the run does not exist. steps, when there are any, are saved first in
	// the same transaction, as SaveSteps does (nothing is saved on an error).
	AppendLog(ctx context.Context, runID string, l Log, steps []Step) error
	// GetRun returns the run with id, or with the only id that starts with id, together with
	// its steps and logs. It returns ErrNotFound when nothing matches and an error when a
	// prefix is ambiguous. An interrupted run (see RecoverRuns) has StatusInterrupted.
	GetRun(ctx context.Context, id string) (*Run, error)
	// Logs returns a run's log lines in order.
	Logs(ctx context.Context, runID string) ([]Log, error)
	// Journal returns every step row of the run by key, for replay: finished ones (with a
	// FinishedAt, whatever their status), and those begun but not finished (a step's intent,
	// a wait that has begun).
	Journal(ctx context.Context, runID string) (map[string]Step, error)
	// LastSeq returns the highest seq of a run's steps and log lines (0 when it has none).
	LastSeq(ctx context.Context, runID string) (int64, error)
	// ListRuns returns runs matching f, newest first, without steps or logs. An interrupted
	// run (see RecoverRuns) is returned with StatusInterrupted.
	ListRuns(ctx context.Context, f RunFilter) ([]Run, error)
	// CountByStatus returns how many runs have each stored status.
	CountByStatus(ctx context.Context) (map[string]int64, error)
	// CountTree returns how many runs belong to the tree under root (root included).
	CountTree(ctx context.Context, root string) (int, error)
	// RunByAPIKey returns the run an API call with this Idempotency-Key started for a
	// workflow, or ErrNotFound.
	RunByAPIKey(ctx context.Context, workflow, key string) (*Run, error)
}

// LifecycleStore moves runs between queued, running, parked and their ends. Every transition
// is one conditional update, so two workers (in one process or in several) never execute the
// same run at once.
//
// A run queued for an owner waits for that instance (it is interrupted when the instance
// stops heart-beating); a run queued for no owner ("") waits for any instance's worker.
type LifecycleStore interface {
	// ClaimRun marks a run running for owner and returns it (without steps and logs). It
	// succeeds for a run queued for owner or for nobody, and for an interrupted run (queued
	// or running for an owner that stopped heart-beating); otherwise ErrNotClaimed.
	ClaimRun(ctx context.Context, id, owner string) (*Run, error)
	// ParkRun parks a running run with the conditions that wake it, unless one already holds:
	// a time at or before now, an event recorded after seq eventsAfter (see MaxEventSeq)
	// whose name match accepts for a wait's pattern, or a waited run that has ended. Then the
	// run is queued again for owner instead and requeued is true. Either the run sees the
	// event or the event's acceptance wakes the parked run, even when they race.
	ParkRun(ctx context.Context, id, owner string, waits []Wait, eventsAfter int64, match func(pattern, name string) bool) (requeued bool, err error)
	// WakeDue queues for owner up to limit parked runs whose timer is due at now, and returns
	// them.
	WakeDue(ctx context.Context, now time.Time, owner string, limit int) ([]string, error)
	// NextWake returns the earliest timer of a parked run, or the zero time when there is
	// none.
	NextWake(ctx context.Context) (time.Time, error)
	// Requeue queues a failed, cancelled or interrupted run again for owner (to resume it
	// from its journal); its error and end are cleared.
	Requeue(ctx context.Context, id, owner string) error
	// CancelRun ends a queued or parked run as cancelled (with errJSON as its error) and
	// returns the status it had. A running run is left alone (its owner cancels it) and
	// "running" is returned; an ended one is left alone too.
	CancelRun(ctx context.Context, id string, errJSON json.RawMessage, at time.Time, wakeOwner string) (string, error)
	// RecoverRuns hands owner ("" for nobody) every interrupted run, queued, and returns
	// their ids: runs running for nobody, and runs queued or running for an owner that is
	// not a live instance (the process died). Runs queued for nobody are not interrupted.
	RecoverRuns(ctx context.Context, owner string) ([]string, error)
	// ReleaseRun gives up owner's hold on a run it claimed (running) or had queued for
	// itself but is not executing (its execution stopped on an error, such as a store
	// that did not answer): the run is left running for nobody, that is interrupted, and
	// RecoverRuns hands it out again. A run in any other state, or held by another owner,
	// is left alone; releasing it is not an error.
	ReleaseRun(ctx context.Context, id, owner string) error
	// QueuedFor returns up to limit runs queued for owner or for nobody, oldest first.
	QueuedFor(ctx context.Context, owner string, limit int) ([]string, error)
	// Waits returns the conditions a parked run waits for.
	Waits(ctx context.Context, runID string) ([]Wait, error)
}

// EventStore records received and emitted events and what they did.
type EventStore interface {
	// RecordEvent stores e durably unless an event with the same ID was already recorded, in
	// which case it changes nothing and reports duplicate.
	RecordEvent(ctx context.Context, e Event) (duplicate bool, err error)
	// GetEvent returns the event with id, or ErrNotFound.
	GetEvent(ctx context.Context, id string) (Event, error)
	// EventsWithStatus returns up to 1000 events with the given status, oldest first.
	EventsWithStatus(ctx context.Context, status string) ([]Event, error)
	// MarkEvent sets an event's status; ErrNotFound when there is no such event.
	MarkEvent(ctx context.Context, id, status string) error
	// AcceptEvent records a received event (once per id) together with what it starts, in
	// one transaction: its deliveries, the runs it starts (queued), objects to save for the
	// local Persona backend, and the waking of parked runs waiting for an event of its name
	// (queued for owner; match decides glob waits). A duplicate id writes nothing.
	AcceptEvent(ctx context.Context, e Event, runs []*Run, deliveries []Delivery, objects []Object, owner string, match func(pattern, name string) bool) (Accepted, error)
	// MaxEventSeq returns the sequence number of the newest recorded event (0 when none).
	// Every event recorded later has a higher number, and every event with a number up to
	// the one returned is visible to reads that start after the call.
	MaxEventSeq(ctx context.Context) (int64, error)
	// EventsSince returns up to limit events recorded at or after since whose name equals
	// name (or, when glob is true, every event since; the caller matches the pattern),
	// oldest first, with their sequence numbers.
	EventsSince(ctx context.Context, name string, glob bool, since time.Time, limit int) ([]Event, error)
	// RecordDeliveries stores what an event did to each listening workflow, in one
	// transaction.
	RecordDeliveries(ctx context.Context, ds []Delivery) error
	// Deliveries returns what the event with this id did, in the order it was recorded.
	Deliveries(ctx context.Context, eventID string) ([]Delivery, error)
}

// ScheduleStore keeps workflow.schedule starts and the ticks of clock triggers.
type ScheduleStore interface {
	// Schedule records a future start; ErrExists when the ID is taken.
	Schedule(ctx context.Context, sc Scheduled) error
	// DueScheduled returns up to 1000 pending starts whose time is at or before now,
	// earliest first.
	DueScheduled(ctx context.Context, now time.Time) ([]Scheduled, error)
	// MarkScheduled sets a scheduled start's status; ErrNotFound when there is none.
	MarkScheduled(ctx context.Context, id, status string) error
	// StartScheduled marks a pending workflow.schedule start as started and creates its
	// run, in one transaction; false when it was no longer pending.
	StartScheduled(ctx context.Context, id string, r *Run) (bool, error)
	// NextScheduled returns the time of the earliest pending start (zero when none).
	NextScheduled(ctx context.Context) (time.Time, error)
	// LastTick returns the last tick fired for a workflow's clock trigger (zero when none).
	LastTick(ctx context.Context, workflow, trigger string) (time.Time, error)
	// FireTick records tick as fired for the trigger and creates its run, in one
	// transaction. It reports false (and writes nothing) when that tick, or a later one, was
	// already fired.
	FireTick(ctx context.Context, workflow, trigger string, tick time.Time, r *Run) (bool, error)
}

// InstanceStore keeps the processes that execute runs and their heartbeats.
type InstanceStore interface {
	// RegisterInstance records a starting instance, and forgets instances gone for a week.
	RegisterInstance(ctx context.Context, in Instance) error
	// Heartbeat tells the store the instance is alive.
	Heartbeat(ctx context.Context, id string) error
	// StopInstance records that an instance stopped cleanly; runs it still owns are
	// interrupted at once.
	StopInstance(ctx context.Context, id string) error
	// LiveInstances returns the instances heart-beating now.
	LiveInstances(ctx context.Context) (map[string]Instance, error)
}

// TokenStore keeps API bearer tokens (their hashes).
type TokenStore interface {
	// CreateToken stores a new token; ErrExists when its id is taken.
	CreateToken(ctx context.Context, t Token) error
	// Tokens lists every token, revoked ones included, oldest first.
	Tokens(ctx context.Context) ([]Token, error)
	// TokenByHash returns the live (not revoked) token with this hash, or ErrNotFound.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// RevokeToken revokes the token with this id (or name); ErrNotFound when there is none.
	RevokeToken(ctx context.Context, idOrName string) error
	// TouchToken records when a token was last used.
	TouchToken(ctx context.Context, id string, at time.Time) error
}

// ListStore keeps named Lists and their items.
type ListStore interface {
	// CreateList creates an empty List, or returns ErrExists.
	CreateList(ctx context.Context, name, kind string) (ListInfo, error)
	// GetList returns the List called name, or ErrNotFound.
	GetList(ctx context.Context, name string) (ListInfo, error)
	// Lists returns every List, by name.
	Lists(ctx context.Context) ([]ListInfo, error)
	// DeleteList deletes a List and its items, or returns ErrNotFound.
	DeleteList(ctx context.Context, name string) error
	// AddListItems adds items to a List in one transaction and returns how many were new:
	// a value already present (or repeated in items) is kept once, with its first ID and
	// data. It fills in, in place, the ID and CreatedAt of every element of items. The List
	// gets a new Version when anything was added.
	AddListItems(ctx context.Context, list string, items []ListItem) (int, error)
	// ImportListItems adds, as one change, the items next yields, in strictly increasing
	// Value order, that the List does not hold yet, and returns how many: the path of bulk
	// imports. It keeps them in chunks (see ListChunkItems) numbered in value order, with IDs
	// from their sequence numbers (an ID given is not kept), or as rows when they are few
	// (SmallImport). Other writers wait for one chunk
	// at most; an import that stops half way (an error, a crash) leaves the List as it was.
	// Items added one at a time meanwhile are kept once; items removed or imported
	// meanwhile make it fail with ErrListChanged.
	ImportListItems(ctx context.Context, list string, next func() (ListItem, bool, error)) (int, error)
	// RemoveListItem removes value from a List and reports whether it was there; removing
	// bumps the List's version.
	RemoveListItem(ctx context.Context, list, value string) (bool, error)
	// ListItems returns a List's items in the order they were added, or ErrNotFound.
	ListItems(ctx context.Context, list string) ([]ListItem, error)
	// ListSnapshot returns a List's items in the order they were added and the mark of that
	// moment, read in one transaction, or ErrNotFound.
	ListSnapshot(ctx context.Context, list string) ([]ListItem, ListMark, error)
	// ListScan calls fn with each of a List's items, in the order they were added, as
	// ListSnapshot returns them, without holding them all (bulk items are read a chunk at
	// a time), and returns the mark of that moment; fn's error stops it and is returned.
	ListScan(ctx context.Context, list string, fn func(ListItem) error) (ListMark, error)
	// ListChanges returns what changed in a List after since: the items added since then
	// that it still holds, in the order added, the values removed since then (a value may
	// have been added again: it is then among the items), and the mark of now, read in one
	// transaction. No change committed after since is missed, even when writers race.
	ListChanges(ctx context.Context, list string, since ListMark) (added []ListItem, removed []string, now ListMark, err error)
}

// ObjectStore keeps the local Persona backend's records (inquiries, accounts, reports,
// cases, …) as JSON documents by kind and id.
type ObjectStore interface {
	// GetObject returns the object kind/id, or ErrNotFound. JSON numbers come back as int64
	// when they are integral and fit, as float64 otherwise.
	GetObject(ctx context.Context, kind, id string) (map[string]any, error)
	// PutObject creates or replaces the object kind/id, keeping its first creation time.
	PutObject(ctx context.Context, kind, id string, obj map[string]any) error
	// ListObjects returns every object of a kind, oldest first.
	ListObjects(ctx context.Context, kind string) ([]map[string]any, error)
	// PutObjects creates or replaces several objects in one transaction: all or none.
	PutObjects(ctx context.Context, objs []Object) error
}

// BrowseStore serves the web console's newest-first listings. Every listing is
// keyset-paginated (a cursor is the last row's sequence number or value), so a page costs the
// same however much history the store holds.
type BrowseStore interface {
	// ListEvents returns events matching f, newest first, with their Seq.
	ListEvents(ctx context.Context, f EventFilter) ([]Event, error)
	// DeliveriesOf returns the deliveries of up to MaxRunLimit events at once, by event id.
	DeliveriesOf(ctx context.Context, eventIDs []string) (map[string][]Delivery, error)
	// RecordRejection records a refused webhook request, dropping the oldest beyond
	// MaxRejections.
	RecordRejection(ctx context.Context, r Rejection) error
	// Rejections returns recorded webhook rejections, newest first, below the sequence
	// number before (0: from the newest).
	Rejections(ctx context.Context, before int64, limit int) ([]Rejection, error)
	// Versions returns up to limit saved versions, newest first, without their sources
	// (GetVersion reads one whole).
	Versions(ctx context.Context, limit int) ([]Version, error)
	// BrowseListItems returns up to limit items of a List in value order after the value
	// after ("" from the start), only those whose value contains query when it is not empty;
	// ErrNotFound when there is no such List.
	BrowseListItems(ctx context.Context, list, query, after string, limit int) ([]ListItem, error)
}
