package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// maxBatch caps the rows one call returns or writes, so bad input cannot exhaust memory.
const maxBatch = 1_000_000

// maxDue caps how many due schedules or pending events one call returns.
const maxDue = 1000

// RecordEvent stores e durably unless an event with the same ID was already recorded, in which
// case it changes nothing and reports duplicate.
func (s *Store) RecordEvent(ctx context.Context, e store.Event) (duplicate bool, err error) {
	if e.ID == "" {
		return false, errors.New("store: event id is empty")
	}
	if err := store.CheckJSON("event", "body", e.Body); err != nil {
		return false, err
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	if e.Status == "" {
		e.Status = store.EventReceived
	}
	err = s.write(ctx, func(tx dbtx) error {
		ok, err := affected(tx.StmtContext(ctx, s.st.insertEvent).ExecContext(ctx, e.ID, e.Name, e.ReceivedAt.UnixNano(), jsonArg(e.Body), e.Status))
		duplicate = err == nil && !ok
		return err
	})
	return duplicate, err
}

// GetEvent returns the event with id, or ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (store.Event, error) {
	e, err := scanEvent(s.st.getEvent.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Event{}, fmt.Errorf("store: event %q: %w", id, store.ErrNotFound)
	}
	return e, err
}

// EventsWithStatus returns up to 1000 events with the given status, oldest first.
func (s *Store) EventsWithStatus(ctx context.Context, status string) ([]store.Event, error) {
	rows, err := s.st.eventsByStatus.QueryContext(ctx, status, maxDue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkEvent sets an event's status, e.g. once its runs have been started.
func (s *Store) MarkEvent(ctx context.Context, id, status string) error {
	ok, err := affected(s.st.markEvent.ExecContext(ctx, status, id))
	if err == nil && !ok {
		err = fmt.Errorf("store: event %q: %w", id, store.ErrNotFound)
	}
	return err
}

func scanEvent(row scanner) (store.Event, error) {
	var e store.Event
	var received int64
	err := row.Scan(&e.ID, &e.Name, &received, (*[]byte)(&e.Body), &e.Status)
	e.ReceivedAt = time.Unix(0, received).UTC()
	return e, err
}

// Schedule records a future start; ErrExists when the ID is taken, which lets callers use a
// deterministic ID to schedule a tick once.
func (s *Store) Schedule(ctx context.Context, sc store.Scheduled) error {
	if sc.ID == "" || sc.Workflow == "" || sc.At.IsZero() {
		return errors.New("store: scheduled start needs an id, a workflow and a time")
	}
	if err := store.CheckJSON("scheduled", "input", sc.Input); err != nil {
		return err
	}
	if sc.Status == "" {
		sc.Status = store.SchedulePending
	}
	ok, err := affected(s.st.insertScheduled.ExecContext(ctx, sc.ID, sc.Workflow, sc.At.UnixNano(),
		jsonArg(sc.Input), strArg(sc.CreatedByRun), sc.Status))
	if err == nil && !ok {
		err = fmt.Errorf("store: scheduled start %q: %w", sc.ID, store.ErrExists)
	}
	return err
}

// DueScheduled returns up to 1000 pending starts whose time is at or before now, earliest first.
func (s *Store) DueScheduled(ctx context.Context, now time.Time) ([]store.Scheduled, error) {
	rows, err := s.st.dueScheduled.QueryContext(ctx, store.SchedulePending, now.UnixNano(), maxDue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Scheduled
	for rows.Next() {
		var sc store.Scheduled
		var at int64
		var by sql.NullString
		if err := rows.Scan(&sc.ID, &sc.Workflow, &at, (*[]byte)(&sc.Input), &by, &sc.Status); err != nil {
			return nil, err
		}
		sc.At, sc.CreatedByRun = time.Unix(0, at).UTC(), strCol(by)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// MarkScheduled sets a scheduled start's status, e.g. "started" or "canceled".
func (s *Store) MarkScheduled(ctx context.Context, id, status string) error {
	ok, err := affected(s.st.markScheduled.ExecContext(ctx, status, id))
	if err == nil && !ok {
		err = fmt.Errorf("store: scheduled start %q: %w", id, store.ErrNotFound)
	}
	return err
}

// AcceptEvent records a received event (once per id) together with what it starts, in one
// transaction: its deliveries, the runs it starts (queued), objects to save for the local
// Persona backend, and the waking of parked runs waiting for an event of its name (queued for
// owner; match decides glob waits). A duplicate id writes nothing.
func (s *Store) AcceptEvent(ctx context.Context, e store.Event, runs []*store.Run, deliveries []store.Delivery, objects []store.Object,
	owner string, match func(pattern, name string) bool) (store.Accepted, error) {
	if e.ID == "" {
		return store.Accepted{}, errors.New("store: event id is empty")
	}
	if err := store.CheckJSON("event", "body", e.Body); err != nil {
		return store.Accepted{}, err
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	if e.Status == "" {
		e.Status = store.EventReceived
	}
	for _, r := range runs {
		if err := s.prepareRun(r); err != nil {
			return store.Accepted{}, err
		}
	}
	texts, err := store.EncodeObjects(objects)
	if err != nil {
		return store.Accepted{}, err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	objData := texts.Data
	var acc store.Accepted
	err = s.write(ctx, func(tx dbtx) error {
		acc = store.Accepted{}
		ok, err := affected(tx.StmtContext(ctx, s.st.insertEvent).ExecContext(ctx, e.ID, e.Name, e.ReceivedAt.UnixNano(), jsonArg(e.Body), e.Status))
		if err != nil {
			return err
		}
		if !ok {
			acc.Duplicate = true
			return nil
		}
		for _, r := range runs {
			if err := s.insertRunTx(ctx, tx, r); err != nil {
				return err
			}
		}
		if err := s.insertDeliveriesTx(ctx, tx, deliveries); err != nil {
			return err
		}
		if err := s.putObjectsTx(ctx, tx, objects, objData); err != nil {
			return err
		}
		acc.Woken, err = s.wakeForEventTx(ctx, tx, owner, e.Name, match)
		return err
	})
	return acc, err
}

// MaxEventSeq returns the sequence number of the newest recorded event (0 when none). Events
// recorded later have higher numbers.
func (s *Store) MaxEventSeq(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	err := s.readers.QueryRowContext(ctx, `SELECT MAX(rowid) FROM events`).Scan(&seq)
	return seq.Int64, err
}

// EventsSince returns up to limit events recorded at or after since whose name equals name
// (or, when glob is true, every event since; the caller matches the pattern), oldest first,
// with their sequence numbers.
func (s *Store) EventsSince(ctx context.Context, name string, glob bool, since time.Time, limit int) ([]store.Event, error) {
	q := `SELECT id, name, received_at, body, status, rowid FROM events WHERE name = ? AND received_at >= ?
		ORDER BY received_at, rowid LIMIT ?`
	args := []any{name, since.UnixNano(), limit}
	if glob {
		q = `SELECT id, name, received_at, body, status, rowid FROM events WHERE received_at >= ?
			ORDER BY received_at, rowid LIMIT ?`
		args = args[1:]
	}
	return s.queryEvents(ctx, q, args...)
}

// queryEvents reads the events a query selects as id, name, received_at, body, status, rowid.
func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]store.Event, error) {
	rows, err := s.readers.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var received int64
		if err := rows.Scan(&e.ID, &e.Name, &received, (*[]byte)(&e.Body), &e.Status, &e.Seq); err != nil {
			return nil, err
		}
		e.ReceivedAt = time.Unix(0, received).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
