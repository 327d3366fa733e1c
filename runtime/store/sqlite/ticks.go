package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// Schedule ticks: for each schedule trigger of a workflow the store keeps the last tick it
// fired, so a restart neither fires a tick twice nor silently forgets one (the scheduler fires
// a tick missed while it was down once, late).

// LastTick returns the last tick fired for a workflow's schedule trigger (zero when none).
func (s *Store) LastTick(ctx context.Context, workflow, trigger string) (time.Time, error) {
	var at int64
	err := s.readers.QueryRowContext(ctx, `SELECT last_tick FROM schedule_ticks WHERE workflow = ? AND trigger = ?`,
		workflow, trigger).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return time.Unix(0, at).UTC(), err
}

// FireTick records tick as fired for the trigger and creates its run, in one transaction. It
// reports false (and writes nothing) when that tick, or a later one, was already fired.
func (s *Store) FireTick(ctx context.Context, workflow, trigger string, tick time.Time, r *store.Run) (bool, error) {
	if err := s.prepareRun(r); err != nil {
		return false, err
	}
	fired := false
	err := s.write(ctx, func(tx dbtx) error {
		fired = false
		ok, err := affected(tx.ExecContext(ctx, `INSERT INTO schedule_ticks(workflow, trigger, last_tick) VALUES (?, ?, ?)
			ON CONFLICT(workflow, trigger) DO UPDATE SET last_tick = excluded.last_tick
			WHERE excluded.last_tick > schedule_ticks.last_tick`, workflow, trigger, tick.UnixNano()))
		if err != nil || !ok {
			return err
		}
		if err := s.insertRunTx(ctx, tx, r); err != nil {
			return err
		}
		fired = true
		return nil
	})
	return fired, err
}

// StartScheduled marks a pending workflow.schedule start as started and creates its run, in
// one transaction; false when it was no longer pending.
func (s *Store) StartScheduled(ctx context.Context, id string, r *store.Run) (bool, error) {
	if err := s.prepareRun(r); err != nil {
		return false, err
	}
	started := false
	err := s.write(ctx, func(tx dbtx) error {
		started = false
		ok, err := affected(tx.ExecContext(ctx, `UPDATE scheduled SET status = 'started' WHERE id = ? AND status = ?`,
			id, store.SchedulePending))
		if err != nil || !ok {
			return err
		}
		if err := s.insertRunTx(ctx, tx, r); err != nil {
			return err
		}
		started = true
		return nil
	})
	return started, err
}

// NextScheduled returns the time of the earliest pending workflow.schedule start (zero when
// none).
func (s *Store) NextScheduled(ctx context.Context) (time.Time, error) {
	var at sql.NullInt64
	err := s.readers.QueryRowContext(ctx, `SELECT MIN(at) FROM scheduled WHERE status = ?`, store.SchedulePending).Scan(&at)
	return timeCol(at), err
}
