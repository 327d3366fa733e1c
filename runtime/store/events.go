package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Event is a received (Persona webhook) event, deduplicated by ID.
type Event struct {
	ID         string
	Name       string // e.g. "inquiry.completed"
	Body       json.RawMessage
	ReceivedAt time.Time // set by RecordEvent when zero
	Status     string    // EventReceived when left empty
}

// Scheduled is a run to start at a future time.
type Scheduled struct {
	ID           string
	Workflow     string
	At           time.Time
	Input        json.RawMessage
	CreatedByRun string // run that scheduled it, if any
	Status       string // SchedulePending when left empty
}

// EventReceived is the status of an event that has been stored but not yet dispatched.
const EventReceived = "received"

// SchedulePending is the status of a scheduled start that has not been taken yet.
const SchedulePending = "pending"

// maxBatch caps the rows one call returns or writes, so bad input cannot exhaust memory.
const maxBatch = 1_000_000

// maxDue caps how many due schedules or pending events one call returns.
const maxDue = 1000

// RecordEvent stores e durably unless an event with the same ID was already recorded, in which
// case it changes nothing and reports duplicate.
func (s *Store) RecordEvent(ctx context.Context, e Event) (duplicate bool, err error) {
	if e.ID == "" {
		return false, errors.New("store: event id is empty")
	}
	if err := checkJSON("event", "body", e.Body); err != nil {
		return false, err
	}
	if e.ReceivedAt.IsZero() {
		e.ReceivedAt = s.now()
	}
	if e.Status == "" {
		e.Status = EventReceived
	}
	ok, err := affected(s.st.insertEvent.ExecContext(ctx, e.ID, e.Name, e.ReceivedAt.UnixNano(), jsonArg(e.Body), e.Status))
	return err == nil && !ok, err
}

// GetEvent returns the event with id, or ErrNotFound.
func (s *Store) GetEvent(ctx context.Context, id string) (Event, error) {
	e, err := scanEvent(s.st.getEvent.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("store: event %q: %w", id, ErrNotFound)
	}
	return e, err
}

// EventsWithStatus returns up to 1000 events with the given status, oldest first.
func (s *Store) EventsWithStatus(ctx context.Context, status string) ([]Event, error) {
	rows, err := s.st.eventsByStatus.QueryContext(ctx, status, maxDue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
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
		err = fmt.Errorf("store: event %q: %w", id, ErrNotFound)
	}
	return err
}

func scanEvent(row scanner) (Event, error) {
	var e Event
	var received int64
	err := row.Scan(&e.ID, &e.Name, &received, (*[]byte)(&e.Body), &e.Status)
	e.ReceivedAt = time.Unix(0, received).UTC()
	return e, err
}

// Schedule records a future start; ErrExists when the ID is taken, which lets callers use a
// deterministic ID to schedule a tick once.
func (s *Store) Schedule(ctx context.Context, sc Scheduled) error {
	if sc.ID == "" || sc.Workflow == "" || sc.At.IsZero() {
		return errors.New("store: scheduled start needs an id, a workflow and a time")
	}
	if err := checkJSON("scheduled", "input", sc.Input); err != nil {
		return err
	}
	if sc.Status == "" {
		sc.Status = SchedulePending
	}
	ok, err := affected(s.st.insertScheduled.ExecContext(ctx, sc.ID, sc.Workflow, sc.At.UnixNano(),
		jsonArg(sc.Input), strArg(sc.CreatedByRun), sc.Status))
	if err == nil && !ok {
		err = fmt.Errorf("store: scheduled start %q: %w", sc.ID, ErrExists)
	}
	return err
}

// DueScheduled returns up to 1000 pending starts whose time is at or before now, earliest first.
func (s *Store) DueScheduled(ctx context.Context, now time.Time) ([]Scheduled, error) {
	rows, err := s.st.dueScheduled.QueryContext(ctx, SchedulePending, now.UnixNano(), maxDue)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Scheduled
	for rows.Next() {
		var sc Scheduled
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
		err = fmt.Errorf("store: scheduled start %q: %w", id, ErrNotFound)
	}
	return err
}
