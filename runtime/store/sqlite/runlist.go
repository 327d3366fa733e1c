package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/wf-lang/wf/runtime/store"
)

const runColumns = `id, workflow, version, status, trigger, event, inputs, seed, clock_start,
	started_at, finished_at, outputs, error, parent_id, dry_run, owner, event_id, trigger_id,
	rerun_of, api_key, root_id, depth`

// ListRuns returns runs matching f, newest first, without steps or logs. A queued or running
// run whose owner is gone is returned with StatusInterrupted.
func (s *Store) ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	query, args := s.runListQuery(f)
	rows, err := s.readers.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var runs []store.Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		runs = append(runs, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return runs, s.markInterrupted(ctx, runs)
}

// runListQuery builds the ListRuns query with only the conditions f asks for, so that SQLite
// can use the (workflow, started_at), (status, started_at), (trigger_id, started_at) or
// (started_at) index.
func (s *Store) runListQuery(f store.RunFilter) (string, []any) {
	var where []string
	var args []any
	if f.Workflow != "" {
		where, args = append(where, "workflow = ?"), append(args, f.Workflow)
	}
	switch f.Status {
	case "":
	case store.StatusInterrupted:
		where = append(where, strings.ReplaceAll(interrupted, "?3", "?"))
		args = append(args, s.liveSince())
	default:
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.TriggerID != "" {
		where, args = append(where, "trigger_id = ?"), append(args, f.TriggerID)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Before.IsZero() {
		where, args = append(where, "started_at < ?"), append(args, f.Before.UnixNano())
	}
	if f.After != nil {
		at := f.After.StartedAt.UnixNano()
		where, args = append(where, "(started_at, id) < (?, ?)"), append(args, at, f.After.ID)
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

// markInterrupted reports queued and running runs whose owner is not live as interrupted.
func (s *Store) markInterrupted(ctx context.Context, runs []store.Run) error {
	var live map[string]store.Instance
	for i := range runs {
		r := &runs[i]
		if r.Status != store.StatusQueued && r.Status != store.StatusRunning {
			continue
		}
		if live == nil {
			var err error
			if live, err = s.LiveInstances(ctx); err != nil {
				return err
			}
		}
		if r.Owner == "" {
			if r.Status == store.StatusRunning {
				r.Status = store.StatusInterrupted
			}
			continue
		}
		if _, ok := live[r.Owner]; !ok {
			r.Status = store.StatusInterrupted
		}
	}
	return nil
}

type scanner interface {
	Scan(dest ...any) error
}

// scanRun reads one row selected with runColumns.
func scanRun(row scanner) (*store.Run, error) {
	var r store.Run
	var clock, started, finished sql.NullInt64
	var parent, owner, event, trigger, rerun, apiKey, root sql.NullString
	var dry int
	err := row.Scan(&r.ID, &r.Workflow, &r.Version, &r.Status, (*[]byte)(&r.Trigger),
		(*[]byte)(&r.Event), (*[]byte)(&r.Inputs), &r.Seed, &clock, &started, &finished,
		(*[]byte)(&r.Outputs), (*[]byte)(&r.Error), &parent, &dry, &owner, &event, &trigger,
		&rerun, &apiKey, &root, &r.Depth)
	if err != nil {
		return nil, err
	}
	r.ClockStart, r.StartedAt, r.FinishedAt = timeCol(clock), timeCol(started), timeCol(finished)
	r.ParentID, r.DryRun = strCol(parent), dry != 0
	r.Owner, r.EventID, r.TriggerID, r.RerunOf, r.APIKey = strCol(owner), strCol(event), strCol(trigger), strCol(rerun), strCol(apiKey)
	r.RootID = strCol(root)
	return &r, nil
}
