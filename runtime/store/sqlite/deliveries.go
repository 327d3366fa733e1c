package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// RecordDeliveries stores what an event did to each listening workflow, in one transaction.
func (s *Store) RecordDeliveries(ctx context.Context, ds []store.Delivery) error {
	if err := store.CheckDeliveries(ds); err != nil {
		return err
	}
	return s.write(ctx, func(tx dbtx) error { return s.insertDeliveriesTx(ctx, tx, ds) })
}

func (s *Store) insertDeliveriesTx(ctx context.Context, tx dbtx, ds []store.Delivery) error {
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
func (s *Store) Deliveries(ctx context.Context, eventID string) ([]store.Delivery, error) {
	rows, err := s.st.eventDeliveries.QueryContext(ctx, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d := store.Delivery{EventID: eventID}
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
