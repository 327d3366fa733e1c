package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"
)

// Delivery is what one event did to one workflow listening for its name: it started a run,
// its where filter did not hold, or its where filter failed (and the workflow did not start).
type Delivery struct {
	EventID  string
	Workflow string
	Status   string // DeliveryStarted, DeliveryNotMatched or DeliveryFilterFailed
	RunID    string // the run it started, for DeliveryStarted
	// Error is the filter's error (JSON: message, kind, pos, workflow), for
	// DeliveryFilterFailed.
	Error json.RawMessage
	At    time.Time // set by RecordDeliveries when zero
}

// Delivery statuses.
const (
	DeliveryStarted      = "started"
	DeliveryNotMatched   = "not_matched"
	DeliveryFilterFailed = "filter_failed"
)

// RecordDeliveries stores what an event did to each listening workflow, in one transaction.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) error {
	if err := checkDeliveries(ds); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.insertDeliveriesTx(ctx, tx, ds) })
}

func checkDeliveries(ds []Delivery) error {
	for _, d := range ds {
		if d.EventID == "" || d.Workflow == "" || d.Status == "" {
			return errors.New("store: a delivery needs an event id, a workflow and a status")
		}
		if err := checkJSON("delivery", "error", d.Error); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertDeliveriesTx(ctx context.Context, tx *sql.Tx, ds []Delivery) error {
	stmt := tx.StmtContext(ctx, s.st.insertDelivery)
	for _, d := range ds {
		at := d.At
		if at.IsZero() {
			at = s.now()
		}
		if _, err := stmt.ExecContext(ctx, d.EventID, d.Workflow, d.Status, strArg(d.RunID), jsonArg(d.Error), at.UnixNano()); err != nil {
			return err
		}
	}
	return nil
}

// Deliveries returns what the event with this id did, in the order it was recorded.
func (s *Store) Deliveries(ctx context.Context, eventID string) ([]Delivery, error) {
	rows, err := s.st.eventDeliveries.QueryContext(ctx, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		d := Delivery{EventID: eventID}
		var run sql.NullString
		var at int64
		if err := rows.Scan(&d.Workflow, &d.Status, &run, (*[]byte)(&d.Error), &at); err != nil {
			return nil, err
		}
		d.RunID, d.At = strCol(run), time.Unix(0, at).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}
