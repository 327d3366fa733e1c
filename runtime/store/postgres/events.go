package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// maxDue caps how many due schedules or pending events one call returns.
const maxDue = 1000

// prepareEvent checks an event and fills in its defaults.
func (s *Store) prepareEvent(e *store.Event) error {
	if e.ID == "" {
		return errors.New("store: event id is empty")
	}
	if err := store.CheckJSON("event", "body", e.Body); err != nil {
		return err
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	if e.Status == "" {
		e.Status = store.EventReceived
	}
	return nil
}

// insertEventTx records e unless its id is known, under the events lock held shared (see the
// package doc); false for a duplicate.
func insertEventTx(ctx context.Context, tx pgx.Tx, e store.Event) (bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared(`+eventsLock+`)`); err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO events(id, name, received_at, body, status) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT(id) DO NOTHING`, e.ID, e.Name, e.ReceivedAt.UnixNano(), jsonArg(e.Body), e.Status)
	return err == nil && tag.RowsAffected() > 0, err
}

// RecordEvent stores e durably unless an event with the same ID was already recorded.
func (s *Store) RecordEvent(ctx context.Context, e store.Event) (duplicate bool, err error) {
	if err := s.prepareEvent(&e); err != nil {
		return false, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		ok, err := insertEventTx(ctx, tx, e)
		duplicate = err == nil && !ok
		return err
	})
	return duplicate, err
}

// AcceptEvent records a received event (once per id) together with its deliveries, the runs
// it starts, objects to save and the waking of parked runs waiting for it, in one
// transaction; the jobs of runs queued for no owner are inserted in it too.
func (s *Store) AcceptEvent(ctx context.Context, e store.Event, runs []*store.Run, deliveries []store.Delivery, objects []store.Object,
	owner string, match func(pattern, name string) bool) (store.Accepted, error) {
	if err := s.prepareEvent(&e); err != nil {
		return store.Accepted{}, err
	}
	for _, r := range runs {
		if err := store.PrepareRun(r, s.now); err != nil {
			return store.Accepted{}, err
		}
	}
	if err := store.CheckDeliveries(deliveries); err != nil {
		return store.Accepted{}, err
	}
	texts, err := store.EncodeObjects(objects)
	if err != nil {
		return store.Accepted{}, err
	}
	defer texts.Release() // after the write: the driver has copied the texts
	objData := texts.Data
	var acc store.Accepted
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		acc = store.Accepted{}
		ok, err := insertEventTx(ctx, tx, e)
		if err != nil {
			return err
		}
		if !ok {
			acc.Duplicate = true
			return nil
		}
		if err := s.insertRunsTx(ctx, tx, runs); err != nil {
			return err
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

// GetEvent returns the event with id, or ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (store.Event, error) {
	var e store.Event
	var received int64
	var body *string
	err := s.pool.QueryRow(ctx, `SELECT id, name, received_at, body, status FROM events WHERE id = $1`, id).
		Scan(&e.ID, &e.Name, &received, &body, &e.Status)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Event{}, fmt.Errorf("store: event %q: %w", id, store.ErrNotFound)
	}
	e.ReceivedAt, e.Body = nsTime(received), jsonCol(body)
	return e, err
}

// EventsWithStatus returns up to 1000 events with the given status, oldest first.
func (s *Store) EventsWithStatus(ctx context.Context, status string) ([]store.Event, error) {
	evs, err := s.queryEvents(ctx, `SELECT id, name, received_at, body, status, seq FROM events
		WHERE status = $1 ORDER BY received_at, seq LIMIT $2`, status, maxDue)
	for i := range evs {
		evs[i].Seq = 0 // as GetEvent: the sequence is for EventsSince and ListEvents
	}
	return evs, err
}

// MarkEvent sets an event's status.
func (s *Store) MarkEvent(ctx context.Context, id, status string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE events SET status = $1 WHERE id = $2`, status, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = fmt.Errorf("store: event %q: %w", id, store.ErrNotFound)
	}
	return err
}

// MaxEventSeq returns the sequence number of the newest recorded event (0 when none), after
// every acceptance in flight has committed: it takes the events lock exclusively, so no event
// with a lower number can commit after it returns.
func (s *Store) MaxEventSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+eventsLock+`)`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq)
	})
	return seq, err
}

// EventsSince returns up to limit events recorded at or after since named name (every one
// when glob is true), oldest first, with their sequence numbers.
func (s *Store) EventsSince(ctx context.Context, name string, glob bool, since time.Time, limit int) ([]store.Event, error) {
	if glob {
		return s.queryEvents(ctx, `SELECT id, name, received_at, body, status, seq FROM events WHERE received_at >= $1
			ORDER BY received_at, seq LIMIT $2`, since.UnixNano(), limit)
	}
	return s.queryEvents(ctx, `SELECT id, name, received_at, body, status, seq FROM events WHERE name = $1
		AND received_at >= $2 ORDER BY received_at, seq LIMIT $3`, name, since.UnixNano(), limit)
}

// queryEvents reads the events a query selects as id, name, received_at, body, status, seq.
func (s *Store) queryEvents(ctx context.Context, q string, args ...any) ([]store.Event, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var received int64
		var body *string
		if err := rows.Scan(&e.ID, &e.Name, &received, &body, &e.Status, &e.Seq); err != nil {
			return nil, err
		}
		e.ReceivedAt, e.Body = nsTime(received), jsonCol(body)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordDeliveries stores what an event did to each listening workflow, in one transaction.
func (s *Store) RecordDeliveries(ctx context.Context, ds []store.Delivery) error {
	if err := store.CheckDeliveries(ds); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx pgx.Tx) error { return s.insertDeliveriesTx(ctx, tx, ds) })
}

func (s *Store) insertDeliveriesTx(ctx context.Context, tx pgx.Tx, ds []store.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, d := range ds {
		at := d.At
		if at.IsZero() {
			at = s.now()
		}
		batch.Queue(`INSERT INTO deliveries(event_id, workflow, status, run_id, error, at) VALUES ($1, $2, $3, $4, $5, $6)`,
			d.EventID, d.Workflow, d.Status, strArg(d.RunID), jsonArg(d.Error), at.UnixNano())
	}
	return tx.SendBatch(ctx, batch).Close()
}

// Deliveries returns what the event with this id did, in the order it was recorded.
func (s *Store) Deliveries(ctx context.Context, eventID string) ([]store.Delivery, error) {
	all, err := s.deliveriesOf(ctx, []string{eventID})
	return all[eventID], err
}

// deliveriesOf returns the deliveries of events, by event id, in the order recorded.
func (s *Store) deliveriesOf(ctx context.Context, eventIDs []string) (map[string][]store.Delivery, error) {
	out := map[string][]store.Delivery{}
	rows, err := s.pool.Query(ctx, `SELECT event_id, workflow, status, run_id, error, at FROM deliveries
		WHERE event_id = ANY($1) ORDER BY seq`, eventIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d store.Delivery
		var run, errJSON *string
		var at int64
		if err := rows.Scan(&d.EventID, &d.Workflow, &d.Status, &run, &errJSON, &at); err != nil {
			return nil, err
		}
		d.RunID, d.Error, d.At = strCol(run), jsonCol(errJSON), nsTime(at)
		out[d.EventID] = append(out[d.EventID], d)
	}
	return out, rows.Err()
}
