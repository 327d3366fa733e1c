package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// The life of a run in the service: created queued (owned by the instance that accepted its
// trigger), claimed running by a worker, then completed, failed, cancelled, or parked with
// the conditions that wake it (a time, an event name, another run's end). Waking a parked run
// queues it again; a worker continues it by replaying its journal. Every transition is one
// conditional update, so two workers never execute the same run at once.

// ClaimRun marks a run running for owner and returns it (without steps and logs). It succeeds
// for a run queued for owner (or for nobody) and for an interrupted run (queued or running
// for an owner that stopped heart-beating); otherwise ErrNotClaimed.
func (s *Store) ClaimRun(ctx context.Context, id, owner string) (*store.Run, error) {
	var r *store.Run
	err := s.write(ctx, func(tx dbtx) error {
		ok, err := affected(tx.ExecContext(ctx, `UPDATE runs SET status = 'running', owner = ?1
			WHERE id = ?2 AND (
				(status = 'queued' AND (owner IS NULL OR owner = ?1))
				OR (status IN ('queued', 'running') AND owner IS NOT NULL AND owner != ?1 AND `+deadOwner+`))`,
			owner, id, s.liveSince()))
		if err != nil {
			return err
		}
		if !ok {
			return store.ErrNotClaimed
		}
		r, err = scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
		return err
	})
	return r, err
}

// deadOwner is true for a run row whose owner is not a live instance (?3: the oldest live
// heartbeat).
const deadOwner = `NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = runs.owner
	AND i.stopped_at IS NULL AND i.heartbeat_at >= ?3)`

// interrupted is true for a run row that nobody is executing and nobody will: running for no
// owner, or queued or running for an owner that is not live (?3: the oldest live heartbeat). A
// run queued for no owner is not interrupted: it waits for any instance's worker.
const interrupted = `((status = 'running' AND owner IS NULL)
	OR (status IN ('queued', 'running') AND owner IS NOT NULL AND ` + deadOwner + `))`

// ParkRun parks a running run with the conditions that wake it, unless one already holds: a
// time at or before now, an event recorded after seq eventsAfter (see MaxEventSeq) whose name
// match accepts for a wait's pattern, or a waited run that has ended. Then the run is queued
// again for its owner instead and requeued is true. This closes the window between a run
// looking for its event and parking: the event is seen either by the run or by the waker.
func (s *Store) ParkRun(ctx context.Context, id, owner string, waits []store.Wait, eventsAfter int64,
	match func(pattern, name string) bool) (requeued bool, err error) {
	now := s.now()
	err = s.write(ctx, func(tx dbtx) error {
		requeued = false
		due, err := s.wakeNow(ctx, tx, waits, now, eventsAfter, match)
		if err != nil {
			return err
		}
		if due {
			requeued = true
			_, err := tx.ExecContext(ctx, `UPDATE runs SET status = 'queued', owner = ? WHERE id = ?`, strArg(owner), id)
			return err
		}
		ok, err := affected(tx.ExecContext(ctx, `UPDATE runs SET status = 'parked', owner = NULL
			WHERE id = ? AND status = 'running'`, id))
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("store: run %q is not running: %w", id, store.ErrNotClaimed)
		}
		if _, err := tx.StmtContext(ctx, s.st.deleteWaits).ExecContext(ctx, id); err != nil {
			return err
		}
		for _, w := range waits {
			if _, err := tx.ExecContext(ctx, `INSERT INTO waits(run_id, key, until_at, event, wait_run, glob)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET until_at = excluded.until_at,
				event = excluded.event, wait_run = excluded.wait_run, glob = excluded.glob`,
				id, w.Key, timeArg(w.Until), strArg(w.Event), strArg(w.WaitRun), boolArg(store.IsGlob(w.Event))); err != nil {
				return err
			}
		}
		return nil
	})
	return requeued, err
}

// wakeNow reports whether a parked run's waits already hold.
func (s *Store) wakeNow(ctx context.Context, tx dbtx, waits []store.Wait, now time.Time, eventsAfter int64,
	match func(pattern, name string) bool) (bool, error) {
	var patterns []string
	for _, w := range waits {
		if !w.Until.IsZero() && !w.Until.After(now) {
			return true, nil
		}
		if w.Event != "" {
			patterns = append(patterns, w.Event)
		}
		if w.WaitRun != "" {
			var status string
			err := tx.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, w.WaitRun).Scan(&status)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && store.Ended(status)) {
				return true, nil
			}
			if err != nil {
				return false, err
			}
		}
	}
	if len(patterns) == 0 {
		return false, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT name FROM events WHERE rowid > ?`, eventsAfter)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return false, err
		}
		for _, p := range patterns {
			if match(p, name) {
				return true, nil
			}
		}
	}
	return false, rows.Err()
}

// wakeTx queues for owner the parked runs that query (selecting run_id from waits, with args)
// finds, drops their waits, and returns their ids.
func (s *Store) wakeTx(ctx context.Context, tx dbtx, owner, query string, args ...any) ([]string, error) {
	found, err := tx.Strings(ctx, query, args...)
	if err != nil || len(found) == 0 {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, id := range found {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	var woken []string
	for _, id := range ids {
		ok, err := affected(tx.ExecContext(ctx, `UPDATE runs SET status = 'queued', owner = ?
			WHERE id = ? AND status = 'parked'`, strArg(owner), id))
		if err != nil {
			return nil, err
		}
		if _, err := tx.StmtContext(ctx, s.st.deleteWaits).ExecContext(ctx, id); err != nil {
			return nil, err
		}
		if ok {
			woken = append(woken, id)
		}
	}
	return woken, nil
}

// WakeDue queues for owner up to limit parked runs whose timer is due at now, and returns them.
func (s *Store) WakeDue(ctx context.Context, now time.Time, owner string, limit int) ([]string, error) {
	var woken []string
	err := s.write(ctx, func(tx dbtx) error {
		var err error
		woken, err = s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE until_at <= ? ORDER BY until_at LIMIT ?`,
			now.UnixNano(), limit)
		return err
	})
	return woken, err
}

// NextWake returns the earliest timer of a parked run, or the zero time when there is none.
func (s *Store) NextWake(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	err := s.readers.QueryRowContext(ctx, `SELECT MIN(until_at) FROM waits WHERE until_at IS NOT NULL`).Scan(&at)
	return timeCol(at), err
}

// wakeForEventTx queues the parked runs waiting for an event named name.
func (s *Store) wakeForEventTx(ctx context.Context, tx dbtx, owner, name string, match func(pattern, name string) bool) ([]string, error) {
	woken, err := s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE event = ?`, name)
	if err != nil || match == nil {
		return woken, err
	}
	// Waits on a glob (few) are matched here, one by one.
	rows, err := tx.QueryContext(ctx, `SELECT run_id, event FROM waits WHERE glob = 1`)
	if err != nil {
		return nil, err
	}
	var globbed []any
	for rows.Next() {
		var id, pattern string
		if err := rows.Scan(&id, &pattern); err != nil {
			rows.Close()
			return nil, err
		}
		if match(pattern, name) {
			globbed = append(globbed, id)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(globbed) == 0 {
		return woken, nil
	}
	more, err := s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE run_id IN (?`+
		strings.Repeat(", ?", len(globbed)-1)+`)`, globbed...)
	return append(woken, more...), err
}

// Requeue queues a failed, cancelled or interrupted run again for owner (to resume it from
// its journal); its error and end are cleared.
func (s *Store) Requeue(ctx context.Context, id, owner string) error {
	return s.write(ctx, func(tx dbtx) error {
		ok, err := affected(tx.ExecContext(ctx, `UPDATE runs SET status = 'queued', owner = ?1, error = NULL,
			finished_at = NULL WHERE id = ?2 AND (status IN ('failed', 'cancelled') OR `+interrupted+`)`,
			strArg(owner), id, s.liveSince()))
		if err == nil && !ok {
			err = fmt.Errorf("store: run %q cannot be resumed: it is not failed, cancelled or interrupted", id)
		}
		return err
	})
}

// CancelRun ends a queued or parked run as cancelled (with errJSON as its error) and returns
// the status it had. A running run is left alone (its owner cancels it) and "running" is
// returned; an ended one is left alone too.
func (s *Store) CancelRun(ctx context.Context, id string, errJSON json.RawMessage, at time.Time, wakeOwner string) (string, error) {
	var prev string
	err := s.write(ctx, func(tx dbtx) error {
		err := tx.QueryRowContext(ctx, `SELECT status FROM runs WHERE id = ?`, id).Scan(&prev)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if prev != store.StatusQueued && prev != store.StatusParked {
			return nil
		}
		if _, err := tx.StmtContext(ctx, s.st.finishRun).ExecContext(ctx, store.StatusCancelled, nil, jsonArg(errJSON), at.UnixNano(), id); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.st.deleteWaits).ExecContext(ctx, id); err != nil {
			return err
		}
		_, err = s.wakeTx(ctx, tx, wakeOwner, `SELECT run_id FROM waits WHERE wait_run = ?`, id)
		return err
	})
	return prev, err
}

// RecoverRuns hands owner every queued or running run whose owner is not a live instance
// (the process died), queued, and returns their ids: the service continues them on start-up.
func (s *Store) RecoverRuns(ctx context.Context, owner string) ([]string, error) {
	var ids []string
	err := s.write(ctx, func(tx dbtx) error {
		ids = ids[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE runs SET status = 'queued', owner = ?1
			WHERE `+interrupted+` AND (owner IS NULL OR owner != ?4)
			RETURNING id`, strArg(owner), nil, s.liveSince(), owner)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	return ids, err
}

// ReleaseRun leaves a run owner holds (running, or queued for it) running for nobody:
// interrupted, for RecoverRuns.
func (s *Store) ReleaseRun(ctx context.Context, id, owner string) error {
	if owner == "" {
		return nil
	}
	return s.write(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE runs SET status = 'running', owner = NULL
			WHERE id = ? AND owner = ? AND status IN ('queued', 'running')`, id, owner)
		return err
	})
}

// QueuedFor returns the runs queued for owner (after a restart of the same instance id, or
// for the dispatcher to pick up what it has not yet), oldest first.
func (s *Store) QueuedFor(ctx context.Context, owner string, limit int) ([]string, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT id FROM runs WHERE (owner = ? OR owner IS NULL) AND status = 'queued'
		ORDER BY started_at, id LIMIT ?`, owner, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Waits returns the conditions a parked run waits for.
func (s *Store) Waits(ctx context.Context, runID string) ([]store.Wait, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT key, until_at, event, wait_run FROM waits WHERE run_id = ? ORDER BY key`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Wait
	for rows.Next() {
		var w store.Wait
		var until sql.NullInt64
		var ev, run sql.NullString
		if err := rows.Scan(&w.Key, &until, &ev, &run); err != nil {
			return nil, err
		}
		w.Until, w.Event, w.WaitRun = timeCol(until), strCol(ev), strCol(run)
		out = append(out, w)
	}
	return out, rows.Err()
}

// CountByStatus returns how many runs have each status (parked, queued… for metrics).
func (s *Store) CountByStatus(ctx context.Context) (map[string]int64, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT status, COUNT(*) FROM runs GROUP BY status`)
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
	err := s.readers.QueryRowContext(ctx, `SELECT COUNT(*) FROM runs WHERE root_id = ? OR id = ?`, root, root).Scan(&n)
	return n, err
}

// RunByAPIKey returns the run an API call with this Idempotency-Key started for a workflow.
func (s *Store) RunByAPIKey(ctx context.Context, workflow, key string) (*store.Run, error) {
	r, err := scanRun(s.readers.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE workflow = ? AND api_key = ?`, workflow, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: run with key %q: %w", key, store.ErrNotFound)
	}
	return r, err
}
