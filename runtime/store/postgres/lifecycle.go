package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// eventsLock is the key of the advisory lock that orders event acceptance against parking on
// events (see the package doc), within the current schema.
const eventsLock = `hashtext(current_schema() || '.wf_events')`

// ClaimRun marks a run running for owner and returns it (without steps and logs), in one
// conditional update; ErrNotClaimed when it is not queued for owner or for nobody and not
// interrupted.
func (s *Store) ClaimRun(ctx context.Context, id, owner string) (*store.Run, error) {
	r, err := scanRun(s.pool.QueryRow(ctx, `UPDATE runs SET status = 'running', owner = $1
		WHERE id = $2 AND (
			(status = 'queued' AND (owner IS NULL OR owner = $1))
			OR (status IN ('queued', 'running') AND owner IS NOT NULL AND owner <> $1 AND `+deadOwner+`))
		RETURNING `+runColumns, owner, id, s.liveSince()))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotClaimed
	}
	return r, err
}

// ParkRun parks a running run with the conditions that wake it, unless one already holds
// (then it is queued again for owner and requeued is true). See the package doc for how it
// is ordered against an event's acceptance and a waited run's end.
func (s *Store) ParkRun(ctx context.Context, id, owner string, waits []store.Wait, eventsAfter int64,
	match func(pattern, name string) bool) (requeued bool, err error) {
	now := s.now()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		requeued = false
		due, err := s.wakeNow(ctx, tx, waits, now, eventsAfter, match)
		if err != nil {
			return err
		}
		if due {
			requeued = true
			var gen int64
			if err := tx.QueryRow(ctx, `UPDATE runs SET status = 'queued', owner = $1, queue_gen = queue_gen + 1
				WHERE id = $2 RETURNING queue_gen`, strArg(owner), id).Scan(&gen); err != nil {
				return err
			}
			if owner == "" {
				return s.queuedTx(ctx, tx, []QueuedRun{{ID: id, Gen: gen}})
			}
			return nil
		}
		tag, err := tx.Exec(ctx, `UPDATE runs SET status = 'parked', owner = NULL WHERE id = $1 AND status = 'running'`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: run %q is not running: %w", id, store.ErrNotClaimed)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM waits WHERE run_id = $1`, id); err != nil {
			return err
		}
		var timer time.Time
		for _, w := range waits {
			if _, err := tx.Exec(ctx, `INSERT INTO waits(run_id, key, until_at, event, wait_run)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT(run_id, key) DO UPDATE SET until_at = excluded.until_at,
				event = excluded.event, wait_run = excluded.wait_run`,
				id, w.Key, timeArg(w.Until), strArg(w.Event), strArg(w.WaitRun)); err != nil {
				return err
			}
			if !w.Until.IsZero() && (timer.IsZero() || w.Until.Before(timer)) {
				timer = w.Until
			}
		}
		if !timer.IsZero() && s.jobs != nil {
			return s.jobs.TimerSet(ctx, tx, id, timer)
		}
		return nil
	})
	return requeued, err
}

// wakeNow reports whether a parked run's waits already hold. A wait for events takes the
// events lock exclusively first: every acceptance in flight has then committed, and none
// starts until this transaction ends. A wait for a run locks that run's row.
func (s *Store) wakeNow(ctx context.Context, tx pgx.Tx, waits []store.Wait, now time.Time, eventsAfter int64,
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
			err := tx.QueryRow(ctx, `SELECT status FROM runs WHERE id = $1 FOR SHARE`, w.WaitRun).Scan(&status)
			if errors.Is(err, pgx.ErrNoRows) || (err == nil && store.Ended(status)) {
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
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+eventsLock+`)`); err != nil {
		return false, err
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT name FROM events WHERE seq > $1`, eventsAfter)
	if err != nil {
		return false, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, err
	}
	for _, name := range names {
		for _, p := range patterns {
			if match(p, name) {
				return true, nil
			}
		}
	}
	return false, nil
}

// wakeTx queues for owner the parked runs that query (selecting run_id from waits, with
// args) finds, drops their waits, tells Jobs about them when owner is "", and returns their
// ids in the order found.
func (s *Store) wakeTx(ctx context.Context, tx pgx.Tx, owner, query string, args ...any) ([]string, error) {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(found) == 0 {
		return nil, err
	}
	rows, err = tx.Query(ctx, `UPDATE runs SET status = 'queued', owner = $1, queue_gen = queue_gen + 1
		WHERE id = ANY($2) AND status = 'parked' RETURNING id, queue_gen`, strArg(owner), found)
	if err != nil {
		return nil, err
	}
	gens := map[string]int64{}
	for rows.Next() {
		var id string
		var gen int64
		if err := rows.Scan(&id, &gen); err != nil {
			rows.Close()
			return nil, err
		}
		gens[id] = gen
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM waits WHERE run_id = ANY($1)`, found); err != nil {
		return nil, err
	}
	var woken []string
	var queued []QueuedRun
	seen := map[string]bool{}
	for _, id := range found {
		if gen, ok := gens[id]; ok && !seen[id] {
			seen[id] = true
			woken = append(woken, id)
			queued = append(queued, QueuedRun{ID: id, Gen: gen})
		}
	}
	if owner == "" {
		return woken, s.queuedTx(ctx, tx, queued)
	}
	return woken, nil
}

// WakeDue queues for owner up to limit parked runs whose timer is due at now.
func (s *Store) WakeDue(ctx context.Context, now time.Time, owner string, limit int) ([]string, error) {
	var woken []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		woken, err = s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE until_at <= $1 ORDER BY until_at LIMIT $2`,
			now.UnixNano(), limit)
		return err
	})
	return woken, err
}

// WakeTimer queues for owner the run id when it is parked with a timer due at now (the
// worker of a timer job); false when it is not (it was woken otherwise, or ended).
func (s *Store) WakeTimer(ctx context.Context, id string, now time.Time, owner string) (bool, error) {
	var woken []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		woken, err = s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE run_id = $1 AND until_at <= $2 LIMIT 1`,
			id, now.UnixNano())
		return err
	})
	return len(woken) > 0, err
}

// NextWake returns the earliest timer of a parked run, or the zero time when there is none.
func (s *Store) NextWake(ctx context.Context) (time.Time, error) {
	var at *int64
	err := s.pool.QueryRow(ctx, `SELECT MIN(until_at) FROM waits WHERE until_at IS NOT NULL`).Scan(&at)
	return timeCol(at), err
}

// wakeForEventTx queues the parked runs waiting for an event named name.
func (s *Store) wakeForEventTx(ctx context.Context, tx pgx.Tx, owner, name string, match func(pattern, name string) bool) ([]string, error) {
	woken, err := s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE event = $1`, name)
	if err != nil || match == nil {
		return woken, err
	}
	// Waits on a glob (few) are matched here, one by one.
	rows, err := tx.Query(ctx, `SELECT run_id, event FROM waits WHERE event IS NOT NULL
		AND (strpos(event, '*') > 0 OR strpos(event, '?') > 0 OR strpos(event, '[') > 0)`)
	if err != nil {
		return nil, err
	}
	var globbed []string
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(globbed) == 0 {
		return woken, nil
	}
	more, err := s.wakeTx(ctx, tx, owner, `SELECT run_id FROM waits WHERE run_id = ANY($1)`, globbed)
	return append(woken, more...), err
}

// Requeue queues a failed, cancelled or interrupted run again for owner; its error and end
// are cleared.
func (s *Store) Requeue(ctx context.Context, id, owner string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var gen int64
		err := tx.QueryRow(ctx, `UPDATE runs SET status = 'queued', owner = $1, error = NULL, finished_at = NULL,
			queue_gen = queue_gen + 1 WHERE id = $2 AND (status IN ('failed', 'cancelled') OR `+interrupted+`)
			RETURNING queue_gen`, strArg(owner), id, s.liveSince()).Scan(&gen)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: run %q cannot be resumed: it is not failed, cancelled or interrupted", id)
		}
		if err != nil || owner != "" {
			return err
		}
		return s.queuedTx(ctx, tx, []QueuedRun{{ID: id, Gen: gen}})
	})
}

// CancelRun ends a queued or parked run as cancelled and returns the status it had; a
// running or ended run is left alone.
func (s *Store) CancelRun(ctx context.Context, id string, errJSON json.RawMessage, at time.Time, wakeOwner string) (string, error) {
	var prev string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT status FROM runs WHERE id = $1 FOR UPDATE`, id).Scan(&prev)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: run %q: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if prev != store.StatusQueued && prev != store.StatusParked {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE runs SET status = $1, outputs = NULL, error = $2, finished_at = $3, owner = NULL
			WHERE id = $4`, store.StatusCancelled, jsonArg(errJSON), at.UnixNano(), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM waits WHERE run_id = $1`, id); err != nil {
			return err
		}
		_, err = s.wakeTx(ctx, tx, wakeOwner, `SELECT run_id FROM waits WHERE wait_run = $1`, id)
		return err
	})
	return prev, err
}

// RecoverRuns hands owner every interrupted run, queued, and returns their ids; with a queue
// engine (Jobs), also the runs queued for nobody whose job a dead instance had taken.
func (s *Store) RecoverRuns(ctx context.Context, owner string) ([]string, error) {
	var ids []string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids = nil
		rows, err := tx.Query(ctx, `UPDATE runs SET status = 'queued', owner = $1, queue_gen = queue_gen + 1
			WHERE `+interrupted+` AND (owner IS NULL OR owner <> $2) RETURNING id, queue_gen`,
			strArg(owner), owner, s.liveSince())
		if err != nil {
			return err
		}
		var queued []QueuedRun
		for rows.Next() {
			var q QueuedRun
			if err := rows.Scan(&q.ID, &q.Gen); err != nil {
				rows.Close()
				return err
			}
			ids, queued = append(ids, q.ID), append(queued, q)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		orphans, err := s.orphansTx(ctx, tx, owner)
		if err != nil {
			return err
		}
		for _, q := range orphans {
			ids, queued = append(ids, q.ID), append(queued, q)
		}
		if owner == "" {
			return s.queuedTx(ctx, tx, queued)
		}
		return nil
	})
	return ids, err
}

// orphansTx queues for owner again (a new queueing, so a new job) the runs queued for
// nobody whose job a dead instance had taken (see Jobs.Orphaned), and returns them.
func (s *Store) orphansTx(ctx context.Context, tx pgx.Tx, owner string) ([]QueuedRun, error) {
	if s.jobs == nil {
		return nil, nil
	}
	orphans, err := s.jobs.Orphaned(ctx, tx, s.liveSince())
	if err != nil || len(orphans) == 0 {
		return nil, err
	}
	var out []QueuedRun
	for _, o := range orphans {
		q := QueuedRun{ID: o.ID}
		err := tx.QueryRow(ctx, `UPDATE runs SET owner = $1, queue_gen = queue_gen + 1
			WHERE id = $2 AND status = 'queued' AND owner IS NULL AND queue_gen = $3 RETURNING queue_gen`,
			strArg(owner), o.ID, o.Gen).Scan(&q.Gen)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // claimed or queued again meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// ReleaseRun leaves a run owner holds (running, or queued for it) running for nobody:
// interrupted, for RecoverRuns.
func (s *Store) ReleaseRun(ctx context.Context, id, owner string) error {
	if owner == "" {
		return nil
	}
	_, err := s.pool.Exec(ctx, `UPDATE runs SET status = 'running', owner = NULL
		WHERE id = $1 AND owner = $2 AND status IN ('queued', 'running')`, id, owner)
	return err
}

// QueuedFor returns up to limit runs queued for owner or for nobody, oldest first.
func (s *Store) QueuedFor(ctx context.Context, owner string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM runs WHERE (owner = $1 OR owner IS NULL) AND status = 'queued'
		ORDER BY started_at, id LIMIT $2`, owner, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Waits returns the conditions a parked run waits for.
func (s *Store) Waits(ctx context.Context, runID string) ([]store.Wait, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, until_at, event, wait_run FROM waits WHERE run_id = $1 ORDER BY key`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Wait
	for rows.Next() {
		var w store.Wait
		var until *int64
		var ev, run *string
		if err := rows.Scan(&w.Key, &until, &ev, &run); err != nil {
			return nil, err
		}
		w.Until, w.Event, w.WaitRun = timeCol(until), strCol(ev), strCol(run)
		out = append(out, w)
	}
	return out, rows.Err()
}
