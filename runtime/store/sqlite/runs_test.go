package sqlite

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

func TestListRunsUsesIndexes(t *testing.T) {
	s, _ := openTest(t)
	tests := []struct {
		f     store.RunFilter
		index string
	}{
		{store.RunFilter{}, "runs_started"},
		{store.RunFilter{Workflow: "w"}, "runs_workflow_started"},
		{store.RunFilter{Status: "failed", Before: t0}, "runs_status_started"},
	}
	for _, tt := range tests {
		q, args := (&Store{}).runListQuery(tt.f)
		rows, err := s.readers.Query("EXPLAIN QUERY PLAN "+q, args...)
		require.NoError(t, err)
		var plan string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan += detail + "\n"
		}
		require.NoError(t, rows.Close())
		assert.Contains(t, plan, "INDEX "+tt.index, "%+v", tt.f)
		assert.NotContains(t, plan, "TEMP B-TREE", "%+v sorts without an index", tt.f)
	}
	_, args := (&Store{}).runListQuery(store.RunFilter{Limit: 5000})
	assert.Equal(t, []any{maxRunLimit}, args)
}
