package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// CreateToken stores a new token.
func (s *Store) CreateToken(ctx context.Context, t store.Token) error {
	if t.ID == "" || t.Hash == "" {
		return errors.New("store: a token needs an id and a hash")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	return s.write(ctx, func(tx dbtx) error {
		ok, err := affected(tx.ExecContext(ctx, `INSERT INTO tokens(id, name, hash, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, t.ID, t.Name, t.Hash, t.CreatedAt.UnixNano()))
		if err == nil && !ok {
			err = fmt.Errorf("store: token %q: %w", t.ID, store.ErrExists)
		}
		return err
	})
}

// Tokens lists every token, revoked ones included, oldest first.
func (s *Store) Tokens(ctx context.Context) ([]store.Token, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT id, name, hash, created_at, revoked_at, last_used_at
		FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		var t store.Token
		var created int64
		var revoked, used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.Hash, &created, &revoked, &used); err != nil {
			return nil, err
		}
		t.CreatedAt, t.RevokedAt, t.LastUsed = time.Unix(0, created).UTC(), timeCol(revoked), timeCol(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenByHash returns the live (not revoked) token with this hash, or ErrNotFound.
func (s *Store) TokenByHash(ctx context.Context, hash string) (store.Token, error) {
	t := store.Token{Hash: hash}
	var created int64
	err := s.readers.QueryRowContext(ctx, `SELECT id, name, created_at FROM tokens
		WHERE hash = ? AND revoked_at IS NULL`, hash).Scan(&t.ID, &t.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Token{}, fmt.Errorf("store: token: %w", store.ErrNotFound)
	}
	t.CreatedAt = time.Unix(0, created).UTC()
	return t, err
}

// RevokeToken revokes the token with this id (or name); ErrNotFound when there is none.
func (s *Store) RevokeToken(ctx context.Context, idOrName string) error {
	now := s.now().UnixNano()
	return s.write(ctx, func(tx dbtx) error {
		ok, err := affected(tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = ?
			WHERE (id = ?2 OR name = ?2) AND revoked_at IS NULL`, now, idOrName))
		if err == nil && !ok {
			err = fmt.Errorf("store: token %q: %w", idOrName, store.ErrNotFound)
		}
		return err
	})
}

// TouchToken records when a token was last used.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tokens SET last_used_at = ? WHERE id = ?`, at.UnixNano(), id)
		return err
	})
}
