package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store/sqlite"
)

// The language server completes List names from the store of the nearest
// folder that has one, and creates no store where there is none.
func TestStoreListNames(t *testing.T) {
	root := t.TempDir()
	st, err := sqlite.Open(context.Background(), sqlite.DefaultPath(root))
	require.NoError(t, err)
	_, err = st.CreateList(context.Background(), "blocked-ips", "ip_address")
	require.NoError(t, err)
	require.NoError(t, st.Close())

	sub := filepath.Join(root, "flows", "kyc")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	assert.Equal(t, []string{"blocked-ips"}, storeListNames(sub))

	empty := t.TempDir()
	assert.Empty(t, storeListNames(empty))
	_, err = os.Stat(sqlite.DefaultPath(empty))
	assert.True(t, os.IsNotExist(err), "no store is created")
}
