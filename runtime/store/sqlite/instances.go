package sqlite

import (
	"context"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// Instances are the processes that execute runs (a `wf serve`, a `wf run`): each registers,
// then heart-beats while it lives. A run is owned by the instance executing it; when that
// instance stops heart-beating for longer than Options.StaleAfter, its unfinished runs are
// interrupted: `wf runs` shows them so and the service takes them over (RecoverRuns).

// liveSince is the oldest heartbeat of a live instance, in the column encoding.
func (s *Store) liveSince() int64 { return s.now().Add(-s.staleAfter).UnixNano() }

// RegisterInstance records a starting instance, and forgets instances gone for a week.
func (s *Store) RegisterInstance(ctx context.Context, in store.Instance) error {
	now := s.now()
	return s.write(ctx, func(tx dbtx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM instances WHERE heartbeat_at < ?`, now.Add(-7*24*time.Hour).UnixNano()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO instances(id, kind, host, pid, started_at, heartbeat_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
			stopped_at = NULL`, in.ID, in.Kind, in.Host, in.PID, now.UnixNano(), now.UnixNano())
		return err
	})
}

// Heartbeat tells the store the instance is alive.
func (s *Store) Heartbeat(ctx context.Context, id string) error {
	now := s.now().UnixNano()
	return s.write(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE instances SET heartbeat_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// StopInstance records that an instance stopped cleanly; runs it still owns are interrupted
// at once.
func (s *Store) StopInstance(ctx context.Context, id string) error {
	now := s.now().UnixNano()
	return s.write(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE instances SET stopped_at = ? WHERE id = ?`, now, id)
		return err
	})
}

// LiveInstances returns the instances heart-beating now.
func (s *Store) LiveInstances(ctx context.Context) (map[string]store.Instance, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT id, kind, host, pid, started_at, heartbeat_at FROM instances
		WHERE stopped_at IS NULL AND heartbeat_at >= ?`, s.liveSince())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]store.Instance{}
	for rows.Next() {
		var in store.Instance
		var started, beat int64
		if err := rows.Scan(&in.ID, &in.Kind, &in.Host, &in.PID, &started, &beat); err != nil {
			return nil, err
		}
		in.StartedAt, in.Heartbeat = time.Unix(0, started).UTC(), time.Unix(0, beat).UTC()
		out[in.ID] = in
	}
	return out, rows.Err()
}
