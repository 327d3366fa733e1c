package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// maxBatch caps the rows one call returns or writes, so bad input cannot exhaust memory.
const maxBatch = 1_000_000

// GetObject returns the object kind/id, or ErrNotFound.
func (s *Store) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	var data string
	err := s.pool.QueryRow(ctx, `SELECT data FROM objects WHERE kind = $1 AND id = $2`, kind, id).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return store.DecodeObject(kind, id, []byte(data))
}

// PutObject creates or replaces the object kind/id, keeping its first creation time.
func (s *Store) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	objs := []store.Object{{Kind: kind, ID: id, Data: obj}}
	texts, err := store.EncodeObjects(objs)
	if err != nil {
		return err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	data := texts.Data
	return s.inTx(ctx, func(tx pgx.Tx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

// PutObjects creates or replaces several objects in one transaction: all or none.
func (s *Store) PutObjects(ctx context.Context, objs []store.Object) error {
	texts, err := store.EncodeObjects(objs)
	if err != nil {
		return err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	data := texts.Data
	return s.inTx(ctx, func(tx pgx.Tx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

// putObjectsTx saves objects; one with IfNewer replaces a stored one only when its
// updated_at is later (compared as text, byte by byte, as RFC 3339 times compare) or the
// stored one has none.
func (s *Store) putObjectsTx(ctx context.Context, tx pgx.Tx, objs []store.Object, data []string) error {
	now := s.now().UnixNano()
	for i, o := range objs {
		q := `INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`
		if o.IfNewer {
			q += ` WHERE (objects.data::jsonb ->> 'updated_at') IS NULL
				OR (excluded.data::jsonb ->> 'updated_at') COLLATE "C" > (objects.data::jsonb ->> 'updated_at') COLLATE "C"`
		}
		if _, err := tx.Exec(ctx, q, o.Kind, o.ID, data[i], now); err != nil {
			return err
		}
	}
	return nil
}

// ListObjects returns every object of a kind, oldest first.
func (s *Store) ListObjects(ctx context.Context, kind string) ([]map[string]any, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, data FROM objects WHERE kind = $1 ORDER BY created_at, id LIMIT $2`, kind, maxBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		obj, err := store.DecodeObject(kind, id, []byte(data))
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, rows.Err()
}
