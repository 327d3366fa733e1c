package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// Schedule records a future start; ErrExists when the ID is taken.
func (s *Store) Schedule(ctx context.Context, sc store.Scheduled) error {
	if sc.ID == "" || sc.Workflow == "" || sc.At.IsZero() {
		return errors.New("store: scheduled start needs an id, a workflow and a time")
	}
	if err := store.CheckJSON("scheduled", "input", sc.Input); err != nil {
		return err
	}
	if sc.Status == "" {
		sc.Status = store.SchedulePending
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO scheduled(id, workflow, at, input, created_by_run, status)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT(id) DO NOTHING`,
		sc.ID, sc.Workflow, sc.At.UnixNano(), jsonArg(sc.Input), strArg(sc.CreatedByRun), sc.Status)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("store: scheduled start %q: %w", sc.ID, store.ErrExists)
	}
	return err
}

// DueScheduled returns up to 1000 pending starts whose time is at or before now, earliest
// first.
func (s *Store) DueScheduled(ctx context.Context, now time.Time) ([]store.Scheduled, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, workflow, at, input, created_by_run, status FROM scheduled
		WHERE status = $1 AND at <= $2 ORDER BY at, id LIMIT $3`, store.SchedulePending, now.UnixNano(), maxDue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Scheduled
	for rows.Next() {
		var sc store.Scheduled
		var at int64
		var input, by *string
		if err := rows.Scan(&sc.ID, &sc.Workflow, &at, &input, &by, &sc.Status); err != nil {
			return nil, err
		}
		sc.At, sc.Input, sc.CreatedByRun = nsTime(at), jsonCol(input), strCol(by)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// MarkScheduled sets a scheduled start's status.
func (s *Store) MarkScheduled(ctx context.Context, id, status string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE scheduled SET status = $1 WHERE id = $2`, status, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("store: scheduled start %q: %w", id, store.ErrNotFound)
	}
	return err
}

// StartScheduled marks a pending start as started and creates its run, in one transaction;
// false when it was no longer pending.
func (s *Store) StartScheduled(ctx context.Context, id string, r *store.Run) (bool, error) {
	if err := store.PrepareRun(r, s.now); err != nil {
		return false, err
	}
	started := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		started = false
		tag, err := tx.Exec(ctx, `UPDATE scheduled SET status = 'started' WHERE id = $1 AND status = $2`, id, store.SchedulePending)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if err := s.insertRunsTx(ctx, tx, []*store.Run{r}); err != nil {
			return err
		}
		started = true
		return nil
	})
	return started, err
}

// NextScheduled returns the time of the earliest pending start (zero when none).
func (s *Store) NextScheduled(ctx context.Context) (time.Time, error) {
	var at *int64
	err := s.pool.QueryRow(ctx, `SELECT MIN(at) FROM scheduled WHERE status = $1`, store.SchedulePending).Scan(&at)
	return timeCol(at), err
}

// LastTick returns the last tick fired for a workflow's clock trigger (zero when none).
func (s *Store) LastTick(ctx context.Context, workflow, trigger string) (time.Time, error) {
	var at int64
	err := s.pool.QueryRow(ctx, `SELECT last_tick FROM schedule_ticks WHERE workflow = $1 AND trigger = $2`,
		workflow, trigger).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	return nsTime(at), err
}

// FireTick records tick as fired for the trigger and creates its run, in one transaction;
// false (and nothing written) when that tick or a later one was already fired. Two instances
// firing one tick at once serialize on the trigger's row: the second finds it fired.
func (s *Store) FireTick(ctx context.Context, workflow, trigger string, tick time.Time, r *store.Run) (bool, error) {
	if err := store.PrepareRun(r, s.now); err != nil {
		return false, err
	}
	fired := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		fired = false
		tag, err := tx.Exec(ctx, `INSERT INTO schedule_ticks(workflow, trigger, last_tick) VALUES ($1, $2, $3)
			ON CONFLICT(workflow, trigger) DO UPDATE SET last_tick = excluded.last_tick
			WHERE excluded.last_tick > schedule_ticks.last_tick`, workflow, trigger, tick.UnixNano())
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		if err := s.insertRunsTx(ctx, tx, []*store.Run{r}); err != nil {
			return err
		}
		fired = true
		return nil
	})
	return fired, err
}
