package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// Browsing: newest-first listings of events, webhook rejections and versions for the web
// console. Every listing is keyset-paginated (a cursor is the last row's sequence number), so
// a page costs the same however much history the store holds.

// ListEvents returns events matching f, newest first, with their Seq.
func (s *Store) ListEvents(ctx context.Context, f store.EventFilter) ([]store.Event, error) {
	var where []string
	var args []any
	if f.Name != "" {
		where, args = append(where, "name = ?"), append(args, f.Name)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.Before > 0 {
		where, args = append(where, "rowid < ?"), append(args, f.Before)
	}
	q := "SELECT id, name, received_at, body, status, rowid FROM events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY rowid DESC LIMIT ?"
	return s.queryEvents(ctx, q, append(args, pageLimit(f.Limit, 50))...)
}

func pageLimit(n, def int) int {
	if n <= 0 {
		return def
	}
	return min(n, maxRunLimit)
}

// DeliveriesOf returns the deliveries of several events at once, by event id.
func (s *Store) DeliveriesOf(ctx context.Context, eventIDs []string) (map[string][]store.Delivery, error) {
	out := map[string][]store.Delivery{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	if len(eventIDs) > maxRunLimit {
		return nil, errors.New("store: too many events at once")
	}
	q := `SELECT event_id, workflow, status, run_id, error, at FROM deliveries WHERE event_id IN (?` +
		strings.Repeat(", ?", len(eventIDs)-1) + `) ORDER BY seq`
	args := make([]any, len(eventIDs))
	for i, id := range eventIDs {
		args[i] = id
	}
	rows, err := s.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d store.Delivery
		var run sql.NullString
		var at int64
		if err := rows.Scan(&d.EventID, &d.Workflow, &d.Status, &run, (*[]byte)(&d.Error), &at); err != nil {
			return nil, err
		}
		d.RunID, d.At = strCol(run), time.Unix(0, at).UTC()
		out[d.EventID] = append(out[d.EventID], d)
	}
	return out, rows.Err()
}

// RecordRejection records a refused webhook request, dropping the oldest beyond MaxRejections.
func (s *Store) RecordRejection(ctx context.Context, r store.Rejection) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	return s.write(ctx, func(tx dbtx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_rejections(at, endpoint, remote, reason, event_id,
			event_name, body_size) VALUES (?, ?, ?, ?, ?, ?, ?)`, r.At.UnixNano(), r.Endpoint, r.Remote, r.Reason,
			strArg(r.EventID), strArg(r.EventName), r.BodySize)
		if err != nil {
			return err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM webhook_rejections WHERE seq <= ?`, seq-store.MaxRejections)
		return err
	})
}

// Rejections returns recorded webhook rejections, newest first, below the sequence number
// before (0: from the newest).
func (s *Store) Rejections(ctx context.Context, before int64, limit int) ([]store.Rejection, error) {
	q := `SELECT seq, at, endpoint, remote, reason, event_id, event_name, body_size FROM webhook_rejections`
	args := []any{}
	if before > 0 {
		q, args = q+` WHERE seq < ?`, append(args, before)
	}
	rows, err := s.readers.QueryContext(ctx, q+` ORDER BY seq DESC LIMIT ?`, append(args, pageLimit(limit, 50))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Rejection
	for rows.Next() {
		var r store.Rejection
		var at int64
		var id, name sql.NullString
		if err := rows.Scan(&r.Seq, &at, &r.Endpoint, &r.Remote, &r.Reason, &id, &name, &r.BodySize); err != nil {
			return nil, err
		}
		r.At, r.EventID, r.EventName = time.Unix(0, at).UTC(), strCol(id), strCol(name)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Versions returns the saved versions, newest first, without their sources (GetVersion reads
// one whole).
func (s *Store) Versions(ctx context.Context, limit int) ([]store.Version, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT hash, path, created_at FROM versions
		ORDER BY created_at DESC, hash LIMIT ?`, pageLimit(limit, 100))
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
		v.CreatedAt = time.Unix(0, created).UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// BrowseListItems returns up to limit items of a List in value order after the value after
// ("" from the start), only those whose value contains query when it is not empty. It walks
// the (list, value) index, and each chunk of imported items from the value after on, so a
// page costs about the same however long the List is (a search that matches few items reads
// until it has found limit of them).
func (s *Store) BrowseListItems(ctx context.Context, list, query, after string, limit int) ([]store.ListItem, error) {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if err := listExists(ctx, rtx{tx}, list); err != nil {
		return nil, err
	}
	q := `SELECT seq, id, value, data, created_at FROM list_items WHERE list_name = ? AND value > ?`
	args := []any{list, after}
	if query != "" {
		q, args = q+` AND instr(value, ?) > 0`, append(args, query)
	}
	limit = pageLimit(limit, 50)
	out, _, err := queryItems(tx.QueryContext(ctx, q+` ORDER BY value LIMIT ?`, append(args, limit)...))
	if err != nil {
		return nil, err
	}
	src, err := chunkSource(ctx, tx, list, `ORDER BY lo`, 0)
	if err != nil {
		return nil, err
	}
	return src.BrowseChunks(out, query, after, limit)
}
