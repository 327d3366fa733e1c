package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/wf-lang/wf/runtime/store"
)

// Objects are the local Persona backend's records (inquiries, accounts, reports, cases, …),
// stored as JSON documents by kind and id.

// GetObject returns the object kind/id, or ErrNotFound. JSON numbers come back as int64 when
// they are integral and fit, as float64 otherwise.
func (s *Store) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	var data []byte
	err := s.st.getObject.QueryRowContext(ctx, kind, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, store.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return decodeObject(kind, id, data)
}

// PutObject creates or replaces the object kind/id, keeping its first creation time.
func (s *Store) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	objs := []store.Object{{Kind: kind, ID: id, Data: obj}}
	data, err := encodeObjects(objs)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

// PutObjects creates or replaces several objects in one transaction.
func (s *Store) PutObjects(ctx context.Context, objs []store.Object) error {
	data, err := encodeObjects(objs)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.putObjectsTx(ctx, tx, objs, data) })
}

// encodeObjects checks and encodes objects to save.
func encodeObjects(objs []store.Object) ([]string, error) {
	out := make([]string, len(objs))
	for i, o := range objs {
		if o.Kind == "" || o.ID == "" {
			return nil, errors.New("store: object needs a kind and an id")
		}
		data, err := json.Marshal(o.Data)
		if err != nil {
			return nil, fmt.Errorf("store: %s %q: %w", o.Kind, o.ID, err)
		}
		out[i] = string(data)
	}
	return out, nil
}

func (s *Store) putObjectsTx(ctx context.Context, tx *sql.Tx, objs []store.Object, data []string) error {
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
		obj, err := decodeObject(kind, id, data)
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, rows.Err()
}

func decodeObject(kind, id string, data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, err)
	}
	for k, v := range obj {
		obj[k] = convertNumbers(v)
	}
	return obj, nil
}

// convertNumbers replaces every json.Number in v with an int64 or a float64.
func convertNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		return numberValue(v)
	case map[string]any:
		for k, e := range v {
			v[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range v {
			v[i] = convertNumbers(e)
		}
	}
	return v
}

// numberValue is int64 for integral numbers in range (including 1e3 and 2.0), float64 otherwise.
func numberValue(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, err := n.Float64()
	if err != nil {
		return f // out of float64 range: ±Inf, as encoding/json would fail anyway
	}
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return int64(f)
	}
	return f
}
