package store

import (
	"encoding/json"
	"errors"
	"time"
)

// Version is a set of workflow source files, identified by the hash of their content.
type Version struct {
	Hash   string
	Path   string // the files' paths, comma-separated
	Source string // the files' text, each introduced by "# file: path" when there are several
	// Files maps each path to its text, so the version can be loaded again exactly (empty
	// for versions saved before it was kept: then Path and Source are one file).
	Files     map[string]string
	CreatedAt time.Time // set by SaveVersion when zero
}

// Run is the record of one workflow run.
type Run struct {
	ID         string
	Workflow   string
	Version    string // Version.Hash the run is pinned to
	Status     string // "running" when left empty on CreateRun
	Trigger    json.RawMessage
	Event      json.RawMessage
	Inputs     json.RawMessage
	Seed       int64     // seed of the run's deterministic randomness
	ClockStart time.Time // start of the run's deterministic clock
	StartedAt  time.Time // set by CreateRun when zero
	FinishedAt time.Time
	Outputs    json.RawMessage
	Error      json.RawMessage
	ParentID   string // run that started this one, if any
	DryRun     bool
	// Owner is the instance executing the run (queued and running runs); a run whose owner
	// stopped heart-beating is interrupted.
	Owner     string
	EventID   string // the event that started it, if any
	TriggerID string // trigger.id when the trigger has one (an inquiry id…), for finding runs
	RerunOf   string // the run this one re-runs on a newer version, if any
	APIKey    string // the Idempotency-Key of the API call that started it, if any
	// RootID is the run at the top of the tree of runs this one belongs to (runs started by
	// runs, through workflow.call/start and emit), itself for a top run; Depth is how deep
	// below it this run is. They bound how many runs one trigger can cause.
	RootID string
	Depth  int
	Steps  []Step // filled by GetRun, ordered by Seq
	Logs   []Log  // filled by GetRun, ordered by Seq
}

// Step is one journaled effect of a run, keyed by its deterministic Key.
type Step struct {
	Key        string
	Seq        int64 // order of the step within the run
	Name       string
	Args       json.RawMessage
	Result     json.RawMessage
	Error      string
	Status     string
	Attempts   int
	StartedAt  time.Time
	FinishedAt time.Time // non-zero once the step is finished; see Journal
	// Options are the step's `with {…}` options and AttemptLog each attempt, as JSON.
	Options    json.RawMessage
	AttemptLog json.RawMessage
}

// Log is one log line of a run.
type Log struct {
	Seq     int64 // assigned by AppendLog (last Seq + 1) when zero
	At      time.Time
	Level   string
	Message string
	Pos     string // source position, "file:line:col"
	// Key identifies the log statement's execution like a step key, so a run continued by
	// replay does not record the same line twice (AppendLog ignores a key already logged).
	Key string
}

// RunFilter selects runs for ListRuns; zero fields do not filter.
type RunFilter struct {
	Workflow string
	// Status is a stored status, or StatusInterrupted for the runs nobody executes.
	Status    string
	TriggerID string    // runs whose trigger has this id (an inquiry id…)
	Since     time.Time // only runs started at or after
	Before    time.Time // only runs started strictly before
	// After continues a listing after the run with this start time and id (keyset
	// pagination: pass the last run of the previous page).
	After *Cursor
	Limit int // default 100, at most 1000
}

// Cursor is a place in a listing of runs, newest first.
type Cursor struct {
	StartedAt time.Time
	ID        string
}

// Run statuses. A run is queued until an instance executes it, running while it does, parked
// while it waits (durably) for a time, an event or another run, and ends completed, failed or
// cancelled. Interrupted is not stored: it is how a run nobody executes is reported: queued or
// running for an owner that stopped heart-beating, or running for nobody (see
// LifecycleStore.RecoverRuns).
const (
	StatusQueued      = "queued"
	StatusRunning     = "running"
	StatusParked      = "parked"
	StatusCompleted   = "completed"
	StatusFailed      = "failed"
	StatusCancelled   = "cancelled"
	StatusInterrupted = "interrupted"
)

// Step statuses the store itself reads: a step journaled as started (its intent) and not
// finished, and a wait that has begun.
const (
	StepStarted = "started"
	StepWaiting = "waiting"
)

// Wait is one condition a parked run waits for.
type Wait struct {
	Key     string    // the wait's step key
	Until   time.Time // wake at this time (zero: none)
	Event   string    // wake when an event of this name or glob is recorded ("" none)
	WaitRun string    // wake when this run ends ("" none)
}

// ErrNotClaimed reports that a run could not be claimed: it is not queued for this owner, and
// no interrupted run either (another worker has it, or it has ended).
var ErrNotClaimed = errors.New("store: run is not waiting to be executed")

// Ended reports whether a run status is final.
func Ended(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusCancelled
}
