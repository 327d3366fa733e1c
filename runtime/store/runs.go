package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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
	// Status is a stored status, or StatusInterrupted for queued and running runs whose
	// owner is gone.
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
// cancelled. Interrupted is not stored: it is how a queued or running run whose owner stopped
// heart-beating is reported (see ListRuns).
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

const (
	defaultRunLimit = 100
	maxRunLimit     = 1000
)

// SaveVersion records a workflow source under its hash; saving a known hash again is a no-op.
func (s *Store) SaveVersion(ctx context.Context, v Version) error {
	if v.Hash == "" {
		return errors.New("store: version hash is empty")
	}
	if v.CreatedAt.IsZero() {
		v.CreatedAt = s.now()
	}
	var files any
	if len(v.Files) > 0 {
		b, err := json.Marshal(v.Files)
		if err != nil {
			return err
		}
		files = string(b)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.st.insertVersion).ExecContext(ctx, v.Hash, v.Path, v.Source, v.CreatedAt.UnixNano(), files)
		return err
	})
}

// GetVersion returns the source saved under hash, or ErrNotFound.
func (s *Store) GetVersion(ctx context.Context, hash string) (Version, error) {
	v := Version{Hash: hash}
	var created int64
	var files sql.NullString
	err := s.st.getVersion.QueryRowContext(ctx, hash).Scan(&v.Path, &v.Source, &created, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, fmt.Errorf("store: version %q: %w", hash, ErrNotFound)
	}
	if err != nil {
		return Version{}, err
	}
	v.CreatedAt = time.Unix(0, created).UTC()
	if files.Valid {
		if err := json.Unmarshal([]byte(files.String), &v.Files); err != nil {
			return Version{}, fmt.Errorf("store: version %q: files: %w", hash, err)
		}
	}
	return v, nil
}

// CreateRun records a new run. It fills in Status and StartedAt when they are empty and
// returns ErrExists when the ID is taken.
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
	if err := s.prepareRun(r); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.insertRunTx(ctx, tx, r) })
}

// prepareRun checks a new run and fills in its defaults.
func (s *Store) prepareRun(r *Run) error {
	if r.ID == "" || r.Workflow == "" {
		return errors.New("store: run needs an id and a workflow")
	}
	if err := errors.Join(checkJSON("run", "trigger", r.Trigger), checkJSON("run", "event", r.Event),
		checkJSON("run", "inputs", r.Inputs), checkJSON("run", "outputs", r.Outputs),
		checkJSON("run", "error", r.Error)); err != nil {
		return err
	}
	if r.Status == "" {
		r.Status = StatusRunning
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = s.now()
	}
	return nil
}

// insertRunTx inserts a prepared run; ErrExists when its id is taken.
func (s *Store) insertRunTx(ctx context.Context, tx *sql.Tx, r *Run) error {
	ok, err := affected(tx.StmtContext(ctx, s.st.insertRun).ExecContext(ctx, r.ID, r.Workflow, r.Version, r.Status,
		jsonArg(r.Trigger), jsonArg(r.Event), jsonArg(r.Inputs), r.Seed, timeArg(r.ClockStart),
		r.StartedAt.UnixNano(), timeArg(r.FinishedAt), jsonArg(r.Outputs), jsonArg(r.Error),
		strArg(r.ParentID), boolArg(r.DryRun), strArg(r.Owner), strArg(r.EventID), strArg(r.TriggerID),
		strArg(r.RerunOf), strArg(r.APIKey), strArg(r.RootID), r.Depth))
	if err == nil && !ok {
		err = fmt.Errorf("store: run %q: %w", r.ID, ErrExists)
	}
	return err
}

// FinishRun sets a run's final status, outputs, error and finish time, and lets go of it: its
// owner and waits are cleared. Parked runs waiting for it to end (a workflow.call parent) are
// queued again for wakeOwner, in the same transaction; their ids are returned.
func (s *Store) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, finished time.Time, wakeOwner string) ([]string, error) {
	if err := errors.Join(checkJSON("run", "outputs", outputs), checkJSON("run", "error", errJSON)); err != nil {
		return nil, err
	}
	var woken []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		ok, err := affected(tx.StmtContext(ctx, s.st.finishRun).ExecContext(ctx, status, jsonArg(outputs), jsonArg(errJSON), timeArg(finished), id))
		if err == nil && !ok {
			err = fmt.Errorf("store: run %q: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err = tx.StmtContext(ctx, s.st.deleteWaits).ExecContext(ctx, id); err != nil {
			return err
		}
		woken, err = s.wakeTx(ctx, tx, wakeOwner, `SELECT run_id FROM waits WHERE wait_run = ?`, id)
		return err
	})
	return woken, err
}

// SaveStep inserts or replaces the step (runID, st.Key); a replacement keeps the earlier
// StartedAt and Args when the new ones are empty. It returns once the step is committed.
func (s *Store) SaveStep(ctx context.Context, runID string, st Step) error {
	if st.Key == "" {
		return errors.New("store: step key is empty")
	}
	if err := errors.Join(checkJSON("step", "args", st.Args), checkJSON("step", "result", st.Result),
		checkJSON("step", "options", st.Options), checkJSON("step", "attempt_log", st.AttemptLog)); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.st.upsertStep).ExecContext(ctx, runID, st.Key, st.Seq, st.Name, jsonArg(st.Args),
			jsonArg(st.Result), strArg(st.Error), st.Status, st.Attempts, timeArg(st.StartedAt), timeArg(st.FinishedAt),
			jsonArg(st.Options), jsonArg(st.AttemptLog))
		return missingRun(runID, err)
	})
}

// AppendLog adds a log line to a run.
func (s *Store) AppendLog(ctx context.Context, runID string, l Log) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.st.insertLog).ExecContext(ctx, runID, l.Seq, timeArg(l.At), l.Level, l.Message, strArg(l.Pos), strArg(l.Key))
		return missingRun(runID, err)
	})
}

// missingRun turns a foreign-key failure on run_id into ErrNotFound.
func missingRun(runID string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("store: run %q: %w", runID, ErrNotFound)
	}
	return err
}

// GetRun returns the run with id, or with the only id that starts with id, together with its
// steps and logs. It returns ErrNotFound when nothing matches and an error when a prefix is
// ambiguous.
func (s *Store) GetRun(ctx context.Context, id string) (*Run, error) {
	r, err := s.readRun(ctx, id)
	if err != nil {
		return nil, err
	}
	// After the read transaction has given its connection back: holding it
	// while asking the pool for another would deadlock a busy pool.
	one := []Run{*r}
	if err := s.markInterrupted(ctx, one); err != nil {
		return nil, err
	}
	r.Status = one[0].Status
	return r, nil
}

// readRun reads a run with its steps and logs in one read transaction.
func (s *Store) readRun(ctx context.Context, id string) (*Run, error) {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	full, err := s.resolveRunID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	r, err := scanRun(tx.StmtContext(ctx, s.st.getRun).QueryRowContext(ctx, full))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: run %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if r.Steps, err = querySteps(ctx, tx.StmtContext(ctx, s.st.runSteps), full); err != nil {
		return nil, err
	}
	r.Logs, err = s.queryLogs(ctx, tx, full)
	return r, err
}

// resolveRunID expands a unique prefix into a full run id.
func (s *Store) resolveRunID(ctx context.Context, tx *sql.Tx, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("store: run id is empty: %w", ErrNotFound)
	}
	rows, err := tx.StmtContext(ctx, s.st.runIDsFrom).QueryContext(ctx, id)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var got string
		if err := rows.Scan(&got); err != nil {
			return "", err
		}
		if got == id {
			return got, nil
		}
		if strings.HasPrefix(got, id) {
			found = append(found, got)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("store: run %q: %w", id, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("store: run id prefix %q is ambiguous (%s, %s, …)", id, found[0], found[1])
}

func (s *Store) queryLogs(ctx context.Context, tx *sql.Tx, runID string) ([]Log, error) {
	return scanLogs(tx.StmtContext(ctx, s.st.runLogs).QueryContext(ctx, runID))
}

// Logs returns a run's log lines in order.
func (s *Store) Logs(ctx context.Context, runID string) ([]Log, error) {
	return scanLogs(s.st.runLogs.QueryContext(ctx, runID))
}

func scanLogs(rows *sql.Rows, err error) ([]Log, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var logs []Log
	for rows.Next() {
		var l Log
		var at sql.NullInt64
		var pos, key sql.NullString
		if err := rows.Scan(&l.Seq, &at, &l.Level, &l.Message, &pos, &key); err != nil {
			return nil, err
		}
		l.At, l.Pos, l.Key = timeCol(at), strCol(pos), strCol(key)
		logs = append(logs, l)
	}
	return logs, rows.Err()
}

// Journal returns every step row of the run by key, for replay: finished ones (with a
// FinishedAt, whatever their status), and those begun but not finished (a step's intent, a
// wait that has begun).
func (s *Store) Journal(ctx context.Context, runID string) (map[string]Step, error) {
	steps, err := querySteps(ctx, s.st.journal, runID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Step, len(steps))
	for _, st := range steps {
		out[st.Key] = st
	}
	return out, nil
}

func querySteps(ctx context.Context, stmt *sql.Stmt, runID string) ([]Step, error) {
	rows, err := stmt.QueryContext(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []Step
	for rows.Next() {
		var st Step
		var errText sql.NullString
		var started, finished sql.NullInt64
		if err := rows.Scan(&st.Key, &st.Seq, &st.Name, (*[]byte)(&st.Args), (*[]byte)(&st.Result),
			&errText, &st.Status, &st.Attempts, &started, &finished, (*[]byte)(&st.Options),
			(*[]byte)(&st.AttemptLog)); err != nil {
			return nil, err
		}
		st.Error, st.StartedAt, st.FinishedAt = strCol(errText), timeCol(started), timeCol(finished)
		steps = append(steps, st)
	}
	return steps, rows.Err()
}

// LastSeq returns the highest seq of a run's steps and log lines (0 when it has none), so
// that a continued run numbers what it writes after them.
func (s *Store) LastSeq(ctx context.Context, runID string) (int64, error) {
	var seq int64
	err := s.readers.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT MAX(seq) FROM steps WHERE run_id = ?1), 0),
		COALESCE((SELECT MAX(seq) FROM logs WHERE run_id = ?1), 0))`, runID).Scan(&seq)
	return seq, err
}
