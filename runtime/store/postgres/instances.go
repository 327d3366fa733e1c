package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// RegisterInstance records a starting instance, and forgets instances gone for a week.
func (s *Store) RegisterInstance(ctx context.Context, in store.Instance) error {
	now := s.now()
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM instances WHERE heartbeat_at < $1`, now.Add(-7*24*time.Hour).UnixNano()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO instances(id, kind, host, pid, started_at, heartbeat_at)
			VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at,
			stopped_at = NULL`, in.ID, in.Kind, in.Host, in.PID, now.UnixNano())
		return err
	})
}

// Heartbeat tells the store the instance is alive.
func (s *Store) Heartbeat(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE instances SET heartbeat_at = $1 WHERE id = $2`, s.now().UnixNano(), id)
	return err
}

// StopInstance records that an instance stopped cleanly.
func (s *Store) StopInstance(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `UPDATE instances SET stopped_at = $1 WHERE id = $2`, s.now().UnixNano(), id)
	return err
}

// LiveInstances returns the instances heart-beating now.
func (s *Store) LiveInstances(ctx context.Context) (map[string]store.Instance, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, kind, host, pid, started_at, heartbeat_at FROM instances
		WHERE stopped_at IS NULL AND heartbeat_at >= $1`, s.liveSince())
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
		in.StartedAt, in.Heartbeat = nsTime(started), nsTime(beat)
		out[in.ID] = in
	}
	return out, rows.Err()
}

// CreateToken stores a new token; ErrExists when its id is taken.
func (s *Store) CreateToken(ctx context.Context, t store.Token) error {
	if t.ID == "" || t.Hash == "" {
		return errors.New("store: a token needs an id and a hash")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO tokens(id, name, hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, t.ID, t.Name, t.Hash, t.CreatedAt.UnixNano())
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("store: token %q: %w", t.ID, store.ErrExists)
	}
	return err
}

// Tokens lists every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, hash, created_at, revoked_at, last_used_at
		FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		var t store.Token
		var created int64
		var revoked, used *int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Hash, &created, &revoked, &used); err != nil {
			return nil, err
		}
		t.CreatedAt, t.RevokedAt, t.LastUsed = nsTime(created), timeCol(revoked), timeCol(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenByHash returns the live (not revoked) token with this hash, or ErrNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	t := store.Token{Hash: hash}
	var created int64
	err := s.pool.QueryRow(ctx, `SELECT id, name, created_at FROM tokens WHERE hash = $1 AND revoked_at IS NULL`, hash).
		Scan(&t.ID, &t.Name, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Token{}, fmt.Errorf("store: token: %w", store.ErrNotFound)
	}
	t.CreatedAt = nsTime(created)
	return t, err
}

// RevokeToken revokes the token with this id (or name); ErrNotFound when there is none.
func (s *Store) RevokeToken(ctx context.Context, idOrName string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE tokens SET revoked_at = $1 WHERE (id = $2 OR name = $2) AND revoked_at IS NULL`,
		s.now().UnixNano(), idOrName)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("store: token %q: %w", idOrName, store.ErrNotFound)
	}
	return err
}

// TouchToken records when a token was last used.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, at.UnixNano(), id)
	return err
}
