package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

const runColumns = `id, workflow, version, status, trigger, event, inputs, seed, clock_start,
	started_at, finished_at, outputs, error, parent_id, dry_run, owner, event_id, trigger_id,
	rerun_of, api_key, root_id, depth`

const stepColumns = `key, seq, name, args, result, error, status, attempts, started_at, finished_at,
	options, attempt_log`

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
	_, err := s.pool.Exec(ctx, `INSERT INTO versions(hash, path, source, created_at, files) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT(hash) DO UPDATE SET files = COALESCE(versions.files, excluded.files)`,
		v.Hash, v.Path, v.Source, v.CreatedAt.UnixNano(), files)
	return err
}

// GetVersion returns the source saved under hash, or ErrNotFound.
func (s *Store) GetVersion(ctx context.Context, hash string) (store.Version, error) {
	v := store.Version{Hash: hash}
	var created int64
	var files *string
	err := s.pool.QueryRow(ctx, `SELECT path, source, created_at, files FROM versions WHERE hash = $1`, hash).
		Scan(&v.Path, &v.Source, &created, &files)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Version{}, fmt.Errorf("store: version %q: %w", hash, store.ErrNotFound)
	}
	if err != nil {
		return store.Version{}, err
	}
	v.CreatedAt = nsTime(created)
	if files != nil {
		if err := json.Unmarshal([]byte(*files), &v.Files); err != nil {
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
	if err := store.PrepareRun(r, s.now); err != nil {
		return err
	}
	texts, err := store.EncodeObjects(objs)
	if err != nil {
		return err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	data := texts.Data
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := s.putObjectsTx(ctx, tx, objs, data); err != nil {
			return err
		}
		return s.insertRunsTx(ctx, tx, []*store.Run{r})
	})
}

// insertRunsTx inserts prepared runs (ErrExists when an id is taken) and tells Jobs about
// those queued for no owner.
func (s *Store) insertRunsTx(ctx context.Context, tx pgx.Tx, runs []*store.Run) error {
	var queued []QueuedRun
	for _, r := range runs {
		gen := int64(0)
		if r.Status == store.StatusQueued && r.Owner == "" {
			gen = 1
			queued = append(queued, QueuedRun{ID: r.ID, Gen: gen})
		}
		tag, err := tx.Exec(ctx, `INSERT INTO runs(`+runColumns+`, queue_gen)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
			ON CONFLICT DO NOTHING`,
			r.ID, r.Workflow, r.Version, r.Status, jsonArg(r.Trigger), jsonArg(r.Event), jsonArg(r.Inputs), r.Seed,
			timeArg(r.ClockStart), r.StartedAt.UnixNano(), timeArg(r.FinishedAt), jsonArg(r.Outputs), jsonArg(r.Error),
			strArg(r.ParentID), r.DryRun, strArg(r.Owner), strArg(r.EventID), strArg(r.TriggerID), strArg(r.RerunOf),
			strArg(r.APIKey), strArg(r.RootID), r.Depth, gen)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: run %q: %w", r.ID, store.ErrExists)
		}
	}
	return s.queuedTx(ctx, tx, queued)
}

// FinishRun sets a run's final status, outputs, error and finish time, lets go of it, and
// queues the parked runs waiting for it to end for wakeOwner, in one transaction.
func (s *Store) FinishRun(ctx context.Context, id, status string, outputs, errJSON json.RawMessage, finished time.Time, wakeOwner string, steps []store.Step) ([]string, error) {
	if err := errors.Join(store.CheckJSON("run", "outputs", outputs), store.CheckJSON("run", "error", errJSON),
		store.CheckSteps(steps)); err != nil {
		return nil, err
	}
	var woken []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := saveStepsTx(ctx, tx, id, steps); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE runs SET status = $1, outputs = $2, error = $3, finished_at = $4, owner = NULL
			WHERE id = $5`, status, jsonArg(outputs), jsonArg(errJSON), timeArg(finished), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM waits WHERE run_id = $1`, id); err != nil {
			return err
		}
		woken, err = s.wakeTx(ctx, tx, wakeOwner, `SELECT run_id FROM waits WHERE wait_run = $1`, id)
		return err
	})
	return woken, err
}

// SaveStep inserts or replaces the step (runID, st.Key); a replacement keeps the earlier
// StartedAt, Args and Options when the new ones are empty.
func (s *Store) SaveStep(ctx context.Context, runID string, st store.Step) error {
	if err := store.CheckSteps([]store.Step{st}); err != nil {
		return err
	}
	_, err := s.exec(ctx, upsertStep, stepArgs(runID, st)...)
	return missingRun(runID, err)
}

// SaveSteps saves steps, each as SaveStep does, in one transaction.
func (s *Store) SaveSteps(ctx context.Context, runID string, steps []store.Step) error {
	if err := store.CheckSteps(steps); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error { return saveStepsTx(ctx, tx, runID, steps) })
}

const upsertStep = `INSERT INTO steps(run_id, ` + stepColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
	ON CONFLICT(run_id, key) DO UPDATE SET seq = excluded.seq, name = excluded.name,
		args = COALESCE(excluded.args, steps.args), result = excluded.result,
		error = excluded.error, status = excluded.status, attempts = excluded.attempts,
		started_at = COALESCE(excluded.started_at, steps.started_at),
		finished_at = excluded.finished_at, options = COALESCE(excluded.options, steps.options),
		attempt_log = excluded.attempt_log`

func stepArgs(runID string, st store.Step) []any {
	return []any{runID, st.Key, st.Seq, st.Name, jsonArg(st.Args), jsonArg(st.Result), strArg(st.Error), st.Status,
		st.Attempts, timeArg(st.StartedAt), timeArg(st.FinishedAt), jsonArg(st.Options), jsonArg(st.AttemptLog)}
}

func saveStepsTx(ctx context.Context, tx pgx.Tx, runID string, steps []store.Step) error {
	for _, st := range steps {
		if _, err := tx.Exec(ctx, upsertStep, stepArgs(runID, st)...); err != nil {
			return missingRun(runID, err)
		}
	}
	return nil
}

// AppendLog adds a log line to a run; a line whose Key is already logged is ignored. steps
// are saved first, in the same transaction.
func (s *Store) AppendLog(ctx context.Context, runID string, l store.Log, steps []store.Step) error {
	if err := store.CheckSteps(steps); err != nil {
		return err
	}
	args := []any{runID, l.Seq, timeArg(l.At), l.Level, l.Message, strArg(l.Pos), strArg(l.Key)}
	if len(steps) == 0 {
		_, err := s.exec(ctx, insertLog, args...)
		return missingRun(runID, err)
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := saveStepsTx(ctx, tx, runID, steps); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, insertLog, args...)
		return missingRun(runID, err)
	})
}

const insertLog = `INSERT INTO logs(run_id, seq, at, level, message, pos, key) SELECT $1::text,
	CASE WHEN $2::bigint > 0 THEN $2::bigint ELSE COALESCE((SELECT MAX(seq) FROM logs WHERE run_id = $1::text), 0) + 1 END,
	$3::bigint, $4::text, $5::text, $6::text, $7::text
	WHERE $7::text IS NULL OR NOT EXISTS (SELECT 1 FROM logs WHERE run_id = $1::text AND key = $7::text)`

// GetRun returns the run with id, or with the only id that starts with id, with its steps
// and logs.
func (s *Store) GetRun(ctx context.Context, id string) (*store.Run, error) {
	var r *store.Run
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		full, err := resolveRunID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r, err = scanRun(tx.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE id = $1`, full)); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
			}
			return err
		}
		if r.Steps, err = querySteps(ctx, tx, `SELECT `+stepColumns+` FROM steps WHERE run_id = $1 ORDER BY seq, key`, full); err != nil {
			return err
		}
		r.Logs, err = queryLogs(ctx, tx, full)
		return err
	})
	if err != nil {
		return nil, err
	}
	one := []store.Run{*r}
	if err := s.markInterrupted(ctx, one); err != nil {
		return nil, err
	}
	r.Status = one[0].Status
	return r, nil
}

// resolveRunID expands a unique prefix into a full run id.
func resolveRunID(ctx context.Context, tx pgx.Tx, id string) (string, error) {
	if id == "" {
		return "", fmt.Errorf("store: run id is empty: %w", store.ErrNotFound)
	}
	rows, err := tx.Query(ctx, `SELECT id FROM runs WHERE id >= $1 ORDER BY id LIMIT 2`, id)
	if err != nil {
		return "", err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	var match []string
	for _, got := range found {
		if got == id {
			return got, nil
		}
		if strings.HasPrefix(got, id) {
			match = append(match, got)
		}
	}
	switch len(match) {
	case 0:
		return "", fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
	case 1:
		return match[0], nil
	}
	return "", fmt.Errorf("store: run id prefix %q is ambiguous (%s, %s, …)", id, match[0], match[1])
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryLogs(ctx context.Context, q querier, runID string) ([]store.Log, error) {
	rows, err := q.Query(ctx, `SELECT seq, at, level, message, pos, key FROM logs WHERE run_id = $1 ORDER BY seq`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var logs []store.Log
	for rows.Next() {
		var l store.Log
		var at *int64
		var pos, key *string
		if err := rows.Scan(&l.Seq, &at, &l.Level, &l.Message, &pos, &key); err != nil {
			return nil, err
		}
		l.At, l.Pos, l.Key = timeCol(at), strCol(pos), strCol(key)
		logs = append(logs, l)
	}
	return logs, rows.Err()
}

// Logs returns a run's log lines in order.
func (s *Store) Logs(ctx context.Context, runID string) ([]store.Log, error) {
	return queryLogs(ctx, s.pool, runID)
}

// Journal returns every step row of the run by key, for replay.
func (s *Store) Journal(ctx context.Context, runID string) (map[string]store.Step, error) {
	steps, err := querySteps(ctx, s.pool, `SELECT `+stepColumns+` FROM steps WHERE run_id = $1`, runID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Step, len(steps))
	for _, st := range steps {
		out[st.Key] = st
	}
	return out, nil
}

func querySteps(ctx context.Context, q querier, sql, runID string) ([]store.Step, error) {
	rows, err := q.Query(ctx, sql, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var steps []store.Step
	for rows.Next() {
		var st store.Step
		var args, result, errText, options, attempts *string
		var started, finished *int64
		if err := rows.Scan(&st.Key, &st.Seq, &st.Name, &args, &result, &errText, &st.Status, &st.Attempts,
			&started, &finished, &options, &attempts); err != nil {
			return nil, err
		}
		st.Args, st.Result, st.Options, st.AttemptLog = jsonCol(args), jsonCol(result), jsonCol(options), jsonCol(attempts)
		st.Error, st.StartedAt, st.FinishedAt = strCol(errText), timeCol(started), timeCol(finished)
		steps = append(steps, st)
	}
	return steps, rows.Err()
}

// LastSeq returns the highest seq of a run's steps and log lines (0 when it has none).
func (s *Store) LastSeq(ctx context.Context, runID string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT GREATEST(COALESCE((SELECT MAX(seq) FROM steps WHERE run_id = $1), 0),
		COALESCE((SELECT MAX(seq) FROM logs WHERE run_id = $1), 0))`, runID).Scan(&seq)
	return seq, err
}

// scanRun reads one row selected with runColumns.
func scanRun(row pgx.Row) (*store.Run, error) {
	var r store.Run
	var trigger, event, inputs, outputs, errJSON *string
	var clock, finished *int64
	var started int64
	var parent, owner, eventID, triggerID, rerun, apiKey, root *string
	err := row.Scan(&r.ID, &r.Workflow, &r.Version, &r.Status, &trigger, &event, &inputs, &r.Seed, &clock,
		&started, &finished, &outputs, &errJSON, &parent, &r.DryRun, &owner, &eventID, &triggerID,
		&rerun, &apiKey, &root, &r.Depth)
	if err != nil {
		return nil, err
	}
	r.Trigger, r.Event, r.Inputs, r.Outputs, r.Error = jsonCol(trigger), jsonCol(event), jsonCol(inputs), jsonCol(outputs), jsonCol(errJSON)
	r.ClockStart, r.StartedAt, r.FinishedAt = timeCol(clock), nsTime(started), timeCol(finished)
	r.ParentID, r.Owner, r.EventID, r.TriggerID = strCol(parent), strCol(owner), strCol(eventID), strCol(triggerID)
	r.RerunOf, r.APIKey, r.RootID = strCol(rerun), strCol(apiKey), strCol(root)
	return &r, nil
}

// CountByStatus returns how many runs have each stored status.
func (s *Store) CountByStatus(ctx context.Context) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, COUNT(*) FROM runs GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// CountTree returns how many runs belong to the tree under root (root included).
func (s *Store) CountTree(ctx context.Context, root string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM runs WHERE root_id = $1 OR id = $1`, root).Scan(&n)
	return n, err
}

// RunByAPIKey returns the run an API call with this Idempotency-Key started for a workflow.
func (s *Store) RunByAPIKey(ctx context.Context, workflow, key string) (*store.Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE workflow = $1 AND api_key = $2`, workflow, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: run with key %q: %w", key, store.ErrNotFound)
	}
	return r, err
}
