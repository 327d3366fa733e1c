package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// A page far down the history is a seek in the index, not a walk from the newest run: its
// cost does not grow with its depth.
func TestListRunsKeysetIsASeek(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	for _, f := range []store.RunFilter{{}, {Workflow: "w"}, {Status: "running"}} {
		f.After = &store.Cursor{StartedAt: t0, ID: "run_9"}
		q, args := s.runListQuery(f)
		rows, err := s.readers.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Close())
		assert.Contains(t, strings.Join(plan, "; "), "(started_at,id)<(?,?)", "plan for %+v: %v", f, plan)
	}
}
