package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
	"github.com/wf-lang/wf/runtime/store/storetest"
)

// The PostgreSQL store passes the conformance suite, each test on a schema of its own
// (skipped, saying so, without $WF_TEST_POSTGRES_URL).
func TestConformance(t *testing.T) {
	pgtest.URL(t) // skip the whole suite at once when there is no server
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{Options: opts})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
