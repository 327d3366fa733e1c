package store

import (
	"context"
	"database/sql"
	"strings"
)

const runColumns = `id, workflow, version, status, trigger, event, inputs, seed, clock_start,
	started_at, finished_at, outputs, error, parent_id, dry_run`

// ListRuns returns runs matching f, newest first, without steps or logs. Runs that started at
// the same instant as the last one returned are skipped by a following page that passes its
// StartedAt as Before.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]Run, error) {
	query, args := runListQuery(f)
	rows, err := s.readers.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, *r)
	}
	return runs, rows.Err()
}

// runListQuery builds the ListRuns query with only the conditions f asks for, so that SQLite
// can use the (workflow, started_at), (status, started_at) or (started_at) index.
func runListQuery(f RunFilter) (string, []any) {
	var where []string
	var args []any
	if f.Workflow != "" {
		where, args = append(where, "workflow = ?"), append(args, f.Workflow)
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if !f.Before.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, f.Before.UnixNano())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultRunLimit
	}
	limit = min(limit, maxRunLimit)
	var b strings.Builder
	b.WriteString("SELECT " + runColumns + " FROM runs")
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " AND "))
	}
	b.WriteString(" ORDER BY started_at DESC, id DESC LIMIT ?")
	return b.String(), append(args, limit)
}

type scanner interface {
	Scan(dest ...any) error
}

// scanRun reads one row selected with runColumns.
func scanRun(row scanner) (*Run, error) {
	var r Run
	var clock, started, finished sql.NullInt64
	var parent sql.NullString
	var dry int
	err := row.Scan(&r.ID, &r.Workflow, &r.Version, &r.Status, (*[]byte)(&r.Trigger),
		(*[]byte)(&r.Event), (*[]byte)(&r.Inputs), &r.Seed, &clock, &started, &finished,
		(*[]byte)(&r.Outputs), (*[]byte)(&r.Error), &parent, &dry)
	if err != nil {
		return nil, err
	}
	r.ClockStart, r.StartedAt, r.FinishedAt = timeCol(clock), timeCol(started), timeCol(finished)
	r.ParentID, r.DryRun = strCol(parent), dry != 0
	return &r, nil
}
