package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unsafe"

	"github.com/wf-lang/wf/runtime/store"
)

// Objects are the local Persona backend's records (inquiries, accounts, reports, cases, …),
// stored as JSON documents by kind and id.

// GetObject returns the object kind/id, or ErrNotFound. JSON numbers come back as int64 when
// they are integral and fit, as float64 otherwise.
func (s *Store) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var data string
	err := s.readPoint(s.st.getObject, []any{&data}, kind, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	// DecodeObject only reads the text and keeps nothing of it: no copy into a []byte.
	return store.DecodeObject(kind, id, unsafe.Slice(unsafe.StringData(data), len(data)))
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
	return s.write(ctx, func(tx dbtx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

// PutObjects creates or replaces several objects in one transaction.
func (s *Store) PutObjects(ctx context.Context, objs []store.Object) error {
	texts, err := store.EncodeObjects(objs)
	if err != nil {
		return err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	data := texts.Data
	return s.write(ctx, func(tx dbtx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

func (s *Store) putObjectsTx(ctx context.Context, tx dbtx, objs []store.Object, data []string) error {
	now := s.now().UnixNano()
	for i, o := range objs {
		stmt := s.st.upsertObject
		if o.IfNewer {
			stmt = s.st.upsertObjectIfNewer
		}
		if _, err := tx.StmtContext(ctx, stmt).ExecContext(ctx, o.Kind, o.ID, data[i], now, now); err != nil {
			return err
		}
	}
	return nil
}

// ListObjects returns every object of a kind, oldest first.
func (s *Store) ListObjects(ctx context.Context, kind string) ([]map[string]any, error) {
	rows, err := s.st.listObjects.QueryContext(ctx, kind, maxBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return nil, err
		}
		obj, err := store.DecodeObject(kind, id, data)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, rows.Err()
}
