package sqlite

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCorruptObjectIsAnError(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	_, err := s.wconn.ExecContext(context.Background(), `INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES ('k', 'x', '{"a":', 0, 0)`)
	require.NoError(t, err)
	_, err = s.GetObject(ctx, "k", "x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `store: k "x": `)
}
