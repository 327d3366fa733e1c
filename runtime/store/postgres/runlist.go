package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/runtime/store"
)

// deadOwner is true for a run row whose owner is not a live instance ($3: the oldest live
// heartbeat).
const deadOwner = `NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = runs.owner
	AND i.stopped_at IS NULL AND i.heartbeat_at >= $3)`

// interrupted is true for a run row that nobody is executing and nobody will: running for no
// owner, or queued or running for an owner that is not live ($3: the oldest live heartbeat). A
// run queued for no owner is not interrupted: it waits for any instance's worker.
const interrupted = `((status = 'running' AND owner IS NULL)
	OR (status IN ('queued', 'running') AND owner IS NOT NULL AND ` + deadOwner + `))`

// ListRuns returns runs matching f, newest first, without steps or logs.
func (s *Store) ListRuns(ctx context.Context, f store.RunFilter) ([]store.Run, error) {
	query, args := s.runListQuery(f)
	rows, err := s.pool.Query(ctx, query, args...)
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

// query builds a statement's text and its numbered arguments.
type query struct {
	where []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// runListQuery builds the ListRuns query with only the conditions f asks for, so that the
// planner can use the (workflow, started_at), (status, started_at), (trigger_id, started_at)
// or (started_at) index.
func (s *Store) runListQuery(f store.RunFilter) (string, []any) {
	var q query
	if f.Workflow != "" {
		q.where = append(q.where, "workflow = "+q.arg(f.Workflow))
	}
	switch f.Status {
	case "":
	case store.StatusInterrupted:
		q.where = append(q.where, strings.ReplaceAll(interrupted, "$3", q.arg(s.liveSince())))
	default:
		q.where = append(q.where, "status = "+q.arg(f.Status))
	}
	if f.TriggerID != "" {
		q.where = append(q.where, "trigger_id = "+q.arg(f.TriggerID))
	}
	if !f.Since.IsZero() {
		q.where = append(q.where, "started_at >= "+q.arg(f.Since.UnixNano()))
	}
	if !f.Before.IsZero() {
		q.where = append(q.where, "started_at < "+q.arg(f.Before.UnixNano()))
	}
	if f.After != nil {
		q.where = append(q.where, "(started_at, id) < ("+q.arg(f.After.StartedAt.UnixNano())+", "+q.arg(f.After.ID)+")")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	var b strings.Builder
	b.WriteString("SELECT " + runColumns + " FROM runs")
	if len(q.where) > 0 {
		b.WriteString(" WHERE " + strings.Join(q.where, " AND "))
	}
	b.WriteString(" ORDER BY started_at DESC, id DESC LIMIT " + q.arg(min(limit, store.MaxRunLimit)))
	return b.String(), q.args
}

// markInterrupted reports as interrupted the runs nobody executes: running for no owner, or
// queued or running for an owner that is not live.
func (s *Store) markInterrupted(ctx context.Context, runs []store.Run) error {
	var live map[string]store.Instance
	for i := range runs {
		r := &runs[i]
		if r.Status != store.StatusQueued && r.Status != store.StatusRunning {
			continue
		}
		if r.Owner == "" {
			if r.Status == store.StatusRunning {
				r.Status = store.StatusInterrupted
			}
			continue
		}
		if live == nil {
			var err error
			if live, err = s.LiveInstances(ctx); err != nil {
				return err
			}
		}
		if _, ok := live[r.Owner]; !ok {
			r.Status = store.StatusInterrupted
		}
	}
	return nil
}
