package sqlite

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

	"github.com/wf-lang/wf/runtime/store"
)

const (
	defaultRunLimit = 100
	maxRunLimit     = 1000
)

// SaveVersion records a workflow source under its hash; saving a known hash again is a no-op.
func (s *Store) SaveVersion(ctx context.Context, v store.Version) error {
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
	return s.write(ctx, func(tx dbtx) error {
		_, err := tx.StmtContext(ctx, s.st.insertVersion).ExecContext(ctx, v.Hash, v.Path, v.Source, v.CreatedAt.UnixNano(), files)
		return err
	})
}

// GetVersion returns the source saved under hash, or ErrNotFound.
func (s *Store) GetVersion(ctx context.Context, hash string) (store.Version, error) {
	v := store.Version{Hash: hash}
	var created int64
	var files sql.NullString
	err := s.st.getVersion.QueryRowContext(ctx, hash).Scan(&v.Path, &v.Source, &created, &files)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Version{}, fmt.Errorf("store: version %q: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return store.Version{}, err
	}
	v.CreatedAt = time.Unix(0, created).UTC()
	if files.Valid {
		if err := json.Unmarshal([]byte(files.String), &v.Files); err != nil {
			return store.Version{}, fmt.Errorf("store: version %q: files: %w", hash, err)
		}
	}
	return v, nil
}

// CreateRun records a new run. It fills in Status and StartedAt when they are empty and
// returns ErrExists when the ID is taken.
func (s *Store) CreateRun(ctx context.Context, r *store.Run) error {
	return s.CreateRunWith(ctx, r, nil)
}

// CreateRunWith is CreateRun that also saves objs in the same transaction.
func (s *Store) CreateRunWith(ctx context.Context, r *store.Run, objs []store.Object) error {
	if err := s.prepareRun(r); err != nil {
		return err
	}
	texts, err := store.EncodeObjects(objs)
	if err != nil {
		return err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	data := texts.Data
	return s.write(ctx, func(tx dbtx) error {
		if err := s.putObjectsTx(ctx, tx, objs, data); err != nil {
			return err
		}
		return s.insertRunTx(ctx, tx, r)
	})
}

// prepareRun checks a new run and fills in its defaults.
func (s *Store) prepareRun(r *store.Run) error { return store.PrepareRun(r, s.now) }

// insertRunTx inserts a prepared run; ErrExists when its id is taken.
func (s *Store) insertRunTx(ctx context.Context, tx dbtx, r *store.Run) error {
	ok, err := affected(tx.StmtContext(ctx, s.st.insertRun).ExecContext(ctx, r.ID, r.Workflow, r.Version, r.Status,
		jsonArg(r.Trigger), jsonArg(r.Event), jsonArg(r.Inputs), r.Seed, timeArg(r.ClockStart),
		r.StartedAt.UnixNano(), timeArg(r.FinishedAt), jsonArg(r.Outputs), jsonArg(r.Error),
		strArg(r.ParentID), boolArg(r.DryRun), strArg(r.Owner), strArg(r.EventID), strArg(r.TriggerID),
		strArg(r.RerunOf), strArg(r.APIKey), strArg(r.RootID), r.Depth))
	if err == nil && !ok {
		err = fmt.Errorf("store: run %q: %w", r.ID, store.ErrExists)
	}
	return err
}

// FinishRun sets a run's final status, outputs, error and finish time, and lets go of it: its
// owner and waits are cleared. Parked runs waiting for it to end (a workflow.call parent) are
// queued again for wakeOwner, in the same transaction; their ids are returned. steps are saved
// first, in the same transaction.
func (s *Store) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, finished time.Time, wakeOwner string, steps []store.Step) ([]string, error) {
	if err := errors.Join(store.CheckJSON("run", "outputs", outputs), store.CheckJSON("run", "error", errJSON),
		store.CheckSteps(steps)); err != nil {
		return nil, err
	}
	var woken []string
	err := s.write(ctx, func(tx dbtx) error {
		if err := s.saveStepsTx(ctx, tx, id, steps); err != nil {
			return err
		}
		ok, err := affected(tx.StmtContext(ctx, s.st.finishRun).ExecContext(ctx, status, jsonArg(outputs), jsonArg(errJSON), timeArg(finished), id))
		if err == nil && !ok {
			err = fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
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
func (s *Store) SaveStep(ctx context.Context, runID string, st store.Step) error {
	return s.SaveSteps(ctx, runID, []store.Step{st})
}

// SaveSteps saves steps, each as SaveStep does, in one transaction.
func (s *Store) SaveSteps(ctx context.Context, runID string, steps []store.Step) error {
	if err := store.CheckSteps(steps); err != nil {
		return err
	}
	return s.write(ctx, func(tx dbtx) error { return s.saveStepsTx(ctx, tx, runID, steps) })
}

func (s *Store) saveStepsTx(ctx context.Context, tx dbtx, runID string, steps []store.Step) error {
	for _, st := range steps {
		_, err := tx.StmtContext(ctx, s.st.upsertStep).ExecContext(ctx, runID, st.Key, st.Seq, st.Name, jsonArg(st.Args),
			jsonArg(st.Result), strArg(st.Error), st.Status, st.Attempts, timeArg(st.StartedAt), timeArg(st.FinishedAt),
			jsonArg(st.Options), jsonArg(st.AttemptLog))
		if err != nil {
			return missingRun(runID, err)
		}
	}
	return nil
}

// AppendLog adds a log line to a run, after saving steps in the same transaction.
func (s *Store) AppendLog(ctx context.Context, runID string, l store.Log, steps []store.Step) error {
	if err := store.CheckSteps(steps); err != nil {
		return err
	}
	return s.write(ctx, func(tx dbtx) error {
		if err := s.saveStepsTx(ctx, tx, runID, steps); err != nil {
			return err
		}
		_, err := tx.StmtContext(ctx, s.st.insertLog).ExecContext(ctx, runID, l.Seq, timeArg(l.At), l.Level, l.Message, strArg(l.Pos), strArg(l.Key))
		return missingRun(runID, err)
	})
}

// missingRun turns a foreign-key failure on run_id into ErrNotFound.
func missingRun(runID string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("store: run %q: %w", runID, store.ErrNotFound)
	}
	return err
}

// GetRun returns the run with id, or with the only id that starts with id, together with its
// steps and logs. It returns ErrNotFound when nothing matches and an error when a prefix is
// ambiguous.
func (s *Store) GetRun(ctx context.Context, id string) (*store.Run, error) {
	r, err := s.readRun(ctx, id)
	if err != nil {
		return nil, err
	}
	// After the read transaction has given its connection back: holding it
	// while asking the pool for another would deadlock a busy pool.
	one := []store.Run{*r}
	if err := s.markInterrupted(ctx, one); err != nil {
		return nil, err
	}
	r.Status = one[0].Status
	return r, nil
}

// readRun reads a run with its steps and logs in one read transaction.
func (s *Store) readRun(ctx context.Context, id string) (*store.Run, error) {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	full, err := s.resolveRunID(ctx, rtx{tx}, id)
	if err != nil {
		return nil, err
	}
	r, err := scanRun(tx.StmtContext(ctx, s.st.getRun).QueryRowContext(ctx, full))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if r.Steps, err = querySteps(ctx, stmt{st: tx.StmtContext(ctx, s.st.runSteps)}, full); err != nil {
		return nil, err
	}
	r.Logs, err = s.queryLogs(ctx, rtx{tx}, full)
	return r, err
}

// resolveRunID expands a unique prefix into a full run id.
func (s *Store) resolveRunID(ctx context.Context, tx dbtx, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("store: run id is empty: %w", store.ErrNotFound)
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
		return "", fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("store: run id prefix %q is ambiguous (%s, %s, …)", id, found[0], found[1])
}

func (s *Store) queryLogs(ctx context.Context, tx dbtx, runID string) ([]store.Log, error) {
	return scanLogs(tx.StmtContext(ctx, s.st.runLogs).QueryContext(ctx, runID))
}

// Logs returns a run's log lines in order.
func (s *Store) Logs(ctx context.Context, runID string) ([]store.Log, error) {
	return scanLogs(s.st.runLogs.QueryContext(ctx, runID))
}

func scanLogs(rows *sql.Rows, err error) ([]store.Log, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var logs []store.Log
	for rows.Next() {
		var l store.Log
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
func (s *Store) Journal(ctx context.Context, runID string) (map[string]store.Step, error) {
	steps, err := querySteps(ctx, stmt{st: s.st.journal}, runID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Step, len(steps))
	for _, st := range steps {
		out[st.Key] = st
	}
	return out, nil
}

func querySteps(ctx context.Context, stmt stmt, runID string) ([]store.Step, error) {
	rows, err := stmt.QueryContext(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []store.Step
	for rows.Next() {
		var st store.Step
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
