package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

func pageLimit(n, def int) int {
	if n <= 0 {
		return def
	}
	return min(n, store.MaxRunLimit)
}

// ListEvents returns events matching f, newest first, with their Seq.
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	var q query
	if f.Name != "" {
		q.where = append(q.where, "name = "+q.arg(f.Name))
	}
	if f.Status != "" {
		q.where = append(q.where, "status = "+q.arg(f.Status))
	}
	if f.Before > 0 {
		q.where = append(q.where, "seq < "+q.arg(f.Before))
	}
	sql := "SELECT id, name, received_at, body, status, seq FROM events"
	if len(q.where) > 0 {
		sql += " WHERE " + strings.Join(q.where, " AND ")
	}
	sql += " ORDER BY seq DESC LIMIT " + q.arg(pageLimit(f.Limit, 50))
	return s.queryEvents(ctx, sql, q.args...)
}

// DeliveriesOf returns the deliveries of several events at once, by event id.
func (s *Store) DeliveriesOf(ctx context.Context, eventIDs []string) (map[string][]store.Delivery, error) {
	if len(eventIDs) > store.MaxRunLimit {
		return nil, errors.New("store: too many events at once")
	}
	if len(eventIDs) == 0 {
		return map[string][]store.Delivery{}, nil
	}
	return s.deliveriesOf(ctx, eventIDs)
}

// RecordRejection records a refused webhook request, dropping the oldest beyond
// MaxRejections.
func (s *Store) RecordRejection(ctx context.Context, r store.Rejection) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var seq int64
		if err := tx.QueryRow(ctx, `INSERT INTO webhook_rejections(at, endpoint, remote, reason, event_id, event_name, body_size)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq`, r.At.UnixNano(), r.Endpoint, r.Remote, r.Reason,
			strArg(r.EventID), strArg(r.EventName), r.BodySize).Scan(&seq); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM webhook_rejections WHERE seq <= $1`, seq-store.MaxRejections)
		return err
	})
}

// Rejections returns recorded webhook rejections, newest first, below the sequence number
// before (0: from the newest).
func (s *Store) Rejections(ctx context.Context, before int64, limit int) ([]store.Rejection, error) {
	var q query
	sql := `SELECT seq, at, endpoint, remote, reason, event_id, event_name, body_size FROM webhook_rejections`
	if before > 0 {
		sql += ` WHERE seq < ` + q.arg(before)
	}
	rows, err := s.pool.Query(ctx, sql+` ORDER BY seq DESC LIMIT `+q.arg(pageLimit(limit, 50)), q.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Rejection
	for rows.Next() {
		var r store.Rejection
		var at int64
		var id, name *string
		if err := rows.Scan(&r.Seq, &at, &r.Endpoint, &r.Remote, &r.Reason, &id, &name, &r.BodySize); err != nil {
			return nil, err
		}
		r.At, r.EventID, r.EventName = nsTime(at), strCol(id), strCol(name)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Versions returns the saved versions, newest first, without their sources.
func (s *Store) Versions(ctx context.Context, limit int) ([]store.Version, error) {
	rows, err := s.pool.Query(ctx, `SELECT hash, path, created_at FROM versions ORDER BY created_at DESC, hash LIMIT $1`,
		pageLimit(limit, 100))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Version
	for rows.Next() {
		var v store.Version
		var created int64
		if err := rows.Scan(&v.Hash, &v.Path, &created); err != nil {
			return nil, err
		}
		v.CreatedAt = nsTime(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// BrowseListItems returns up to limit items of a List in value order after the value after,
// only those whose value contains query when it is not empty.
func (s *Store) BrowseListItems(ctx context.Context, list, search, after string, limit int) ([]store.ListItem, error) {
	var items []store.ListItem
	err := s.readTx(ctx, func(tx pgx.Tx) error {
		if _, err := listMark(ctx, tx, list); err != nil {
			return err
		}
		q := query{args: []any{list, after}}
		sql := `SELECT seq, id, value, data, created_at FROM list_items WHERE list_name = $1 AND value > $2`
		if search != "" {
			sql += ` AND strpos(value, ` + q.arg(search) + `) > 0`
		}
		limit := pageLimit(limit, 50)
		var err error
		items, err = queryItems(tx.Query(ctx, sql+` ORDER BY value LIMIT `+q.arg(limit), q.args...))
		if err != nil {
			return err
		}
		src, err := chunkSource(ctx, tx, list, `ORDER BY lo`, 0)
		if err != nil {
			return err
		}
		items, err = src.BrowseChunks(items, search, after, limit)
		return err
	})
	return items, err
}
