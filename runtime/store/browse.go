package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// Browsing: newest-first listings of events, webhook rejections and versions for the web
// console. Every listing is keyset-paginated (a cursor is the last row's sequence number), so
// a page costs the same however much history the store holds.

// EventFilter selects events for ListEvents; zero fields do not filter.
type EventFilter struct {
	Name   string // exact event name, such as "inquiry.completed"
	Status string // "received" (a signed webhook), "dispatched" (sent locally), "emitted" (by a run)
	// Before continues a listing below this Event.Seq (pass the last event of the previous page).
	Before int64
	Limit  int // default 50, at most 1000
}

// ListEvents returns events matching f, newest first, with their Seq.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]Event, error) {
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
func (s *Store) DeliveriesOf(ctx context.Context, eventIDs []string) (map[string][]Delivery, error) {
	out := map[string][]Delivery{}
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
		var d Delivery
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

// Rejection is a webhook request the service refused before recording an event: a missing,
// forged or stale signature, or a signed body that is not an event. The body itself is not
// kept (it is not trusted, and may be large); its size, and the event's id and name when the
// body could be read, are.
type Rejection struct {
	Seq       int64 // the order it was recorded in (read only)
	At        time.Time
	Endpoint  string // "" for POST /webhooks/persona, else the named endpoint
	Remote    string // the client's address
	Reason    string
	EventID   string
	EventName string
	BodySize  int64
}

// MaxRejections is how many rejections the store keeps; older ones are dropped as new ones
// are recorded, so a flood of forged requests cannot grow the store.
const MaxRejections = 1000

// RecordRejection records a refused webhook request, dropping the oldest beyond MaxRejections.
func (s *Store) RecordRejection(ctx context.Context, r Rejection) error {
	if r.At.IsZero() {
		r.At = s.now()
	}
	return s.write(ctx, func(tx *sql.Tx) error {
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
		_, err = tx.ExecContext(ctx, `DELETE FROM webhook_rejections WHERE seq <= ?`, seq-MaxRejections)
		return err
	})
}

// Rejections returns recorded webhook rejections, newest first, below the sequence number
// before (0: from the newest).
func (s *Store) Rejections(ctx context.Context, before int64, limit int) ([]Rejection, error) {
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
	var out []Rejection
	for rows.Next() {
		var r Rejection
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
func (s *Store) Versions(ctx context.Context, limit int) ([]Version, error) {
	rows, err := s.readers.QueryContext(ctx, `SELECT hash, path, created_at FROM versions
		ORDER BY created_at DESC, hash LIMIT ?`, pageLimit(limit, 100))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
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
// the (list, value) index, so a page costs the same however long the List is (a search that
// matches few items reads until it has found limit of them).
func (s *Store) BrowseListItems(ctx context.Context, list, query, after string, limit int) ([]ListItem, error) {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if err := listExists(ctx, tx, list); err != nil {
		return nil, err
	}
	q := `SELECT seq, id, value, data, created_at FROM list_items WHERE list_name = ? AND value > ?`
	args := []any{list, after}
	if query != "" {
		q, args = q+` AND instr(value, ?) > 0`, append(args, query)
	}
	rows, err := tx.QueryContext(ctx, q+` ORDER BY value LIMIT ?`, append(args, pageLimit(limit, 50))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
