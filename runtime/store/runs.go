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

// Version is one workflow source file, identified by the hash of its content.
type Version struct {
	Hash      string
	Path      string
	Source    string
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
	Steps      []Step // filled by GetRun, ordered by Seq
	Logs       []Log  // filled by GetRun, ordered by Seq
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
}

// Log is one log line of a run.
type Log struct {
	Seq     int64 // assigned by AppendLog (last Seq + 1) when zero
	At      time.Time
	Level   string
	Message string
	Pos     string // source position, "file:line:col"
}

// RunFilter selects runs for ListRuns; zero fields do not filter.
type RunFilter struct {
	Workflow string
	Status   string
	Limit    int       // default 100, at most 1000
	Before   time.Time // only runs started strictly before
}

// StatusRunning is the status CreateRun gives a run that has none.
const StatusRunning = "running"

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
	_, err := s.st.insertVersion.ExecContext(ctx, v.Hash, v.Path, v.Source, v.CreatedAt.UnixNano())
	return err
}

// GetVersion returns the source saved under hash, or ErrNotFound.
func (s *Store) GetVersion(ctx context.Context, hash string) (Version, error) {
	v := Version{Hash: hash}
	var created int64
	err := s.st.getVersion.QueryRowContext(ctx, hash).Scan(&v.Path, &v.Source, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Version{}, fmt.Errorf("store: version %q: %w", hash, ErrNotFound)
	}
	v.CreatedAt = time.Unix(0, created).UTC()
	return v, err
}

// CreateRun records a new run. It fills in Status and StartedAt when they are empty and
// returns ErrExists when the ID is taken.
func (s *Store) CreateRun(ctx context.Context, r *Run) error {
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
	ok, err := affected(s.st.insertRun.ExecContext(ctx, r.ID, r.Workflow, r.Version, r.Status,
		jsonArg(r.Trigger), jsonArg(r.Event), jsonArg(r.Inputs), r.Seed, timeArg(r.ClockStart),
		r.StartedAt.UnixNano(), timeArg(r.FinishedAt), jsonArg(r.Outputs), jsonArg(r.Error),
		strArg(r.ParentID), boolArg(r.DryRun)))
	if err == nil && !ok {
		err = fmt.Errorf("store: run %q: %w", r.ID, ErrExists)
	}
	return err
}

// FinishRun sets a run's final status, outputs, error and finish time.
func (s *Store) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, finished time.Time) error {
	if err := errors.Join(checkJSON("run", "outputs", outputs), checkJSON("run", "error", errJSON)); err != nil {
		return err
	}
	ok, err := affected(s.st.finishRun.ExecContext(ctx, status, jsonArg(outputs), jsonArg(errJSON), timeArg(finished), id))
	if err == nil && !ok {
		err = fmt.Errorf("store: run %q: %w", id, ErrNotFound)
	}
	return err
}

// SaveStep inserts or replaces the step (runID, st.Key); a replacement keeps the earlier
// StartedAt and Args when the new ones are empty. Each call is its own durable commit.
func (s *Store) SaveStep(ctx context.Context, runID string, st Step) error {
	if st.Key == "" {
		return errors.New("store: step key is empty")
	}
	if err := errors.Join(checkJSON("step", "args", st.Args), checkJSON("step", "result", st.Result)); err != nil {
		return err
	}
	_, err := s.st.upsertStep.ExecContext(ctx, runID, st.Key, st.Seq, st.Name, jsonArg(st.Args),
		jsonArg(st.Result), strArg(st.Error), st.Status, st.Attempts, timeArg(st.StartedAt), timeArg(st.FinishedAt))
	return missingRun(runID, err)
}

// AppendLog adds a log line to a run.
func (s *Store) AppendLog(ctx context.Context, runID string, l Log) error {
	_, err := s.st.insertLog.ExecContext(ctx, runID, l.Seq, timeArg(l.At), l.Level, l.Message, strArg(l.Pos))
	return missingRun(runID, err)
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
	rows, err := tx.StmtContext(ctx, s.st.runLogs).QueryContext(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var logs []Log
	for rows.Next() {
		var l Log
		var at sql.NullInt64
		var pos sql.NullString
		if err := rows.Scan(&l.Seq, &at, &l.Level, &l.Message, &pos); err != nil {
			return nil, err
		}
		l.At, l.Pos = timeCol(at), strCol(pos)
		logs = append(logs, l)
	}
	return logs, rows.Err()
}

// Journal returns the run's finished steps (those with a FinishedAt, whatever their status)
// by key, for replay.
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
			&errText, &st.Status, &st.Attempts, &started, &finished); err != nil {
			return nil, err
		}
		st.Error, st.StartedAt, st.FinishedAt = strCol(errText), timeCol(started), timeCol(finished)
		steps = append(steps, st)
	}
	return steps, rows.Err()
}
