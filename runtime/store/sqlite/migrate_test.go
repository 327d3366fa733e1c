package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawDB opens path with the store's writer settings but runs no migration.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	opts, err := Options{}.withDefaults()
	require.NoError(t, err)
	db, err := sql.Open("sqlite", dsn(path, opts, false))
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	return db
}

func appliedVersions(t *testing.T, db rawConn) []int {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT version FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestOpenMigratesOldDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	db := rawDB(t, path)
	require.NoError(t, migrate(ctx, db, schemaMigrations()[:1], newClock().Now))
	_, err := db.Exec(`INSERT INTO runs(id, workflow, version, status, started_at) VALUES ('old', 'w', 'h', 'succeeded', 1)`)
	require.NoError(t, err)
	assert.Equal(t, []int{1}, appliedVersions(t, db))
	_, err = db.Exec(`SELECT * FROM lists`)
	require.Error(t, err, "version 1 has no lists table")
	require.NoError(t, db.Close())

	s, err := Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, allVersions(), appliedVersions(t, s.wconn))
	run, err := s.GetRun(ctx, "old")
	require.NoError(t, err)
	assert.Equal(t, "succeeded", run.Status)
	_, err = s.CreateList(ctx, "l", "string")
	assert.NoError(t, err)
}

func TestReopenDoesNotReapplyMigrations(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	require.NoError(t, s.Close())
	for range 2 {
		s2, err := Open(ctx, path)
		require.NoError(t, err)
		require.NoError(t, s2.Close())
	}
	db := rawDB(t, path)
	defer db.Close()
	assert.Equal(t, allVersions(), appliedVersions(t, db))
	assert.GreaterOrEqual(t, SchemaVersion(), 4, "released migrations are never removed")
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	_, err := s.wconn.ExecContext(context.Background(), `INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'future', 0)`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s2, err := Open(ctx, path)
	assert.Nil(t, s2)
	assert.EqualError(t, err, fmt.Sprintf("store: database schema version 99 is newer than this wf (%d)", SchemaVersion()))
}

func TestFailedMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	db := rawDB(t, path)
	defer db.Close()
	migs := []migration{
		{1, "ok", `CREATE TABLE a (x INTEGER)`},
		{2, "broken", `CREATE TABLE b (y INTEGER); CREATE TABLE a (x INTEGER)`},
	}
	err := migrate(ctx, db, migs, func() time.Time { return t0 })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "store: migration 2 (broken): ")
	assert.Equal(t, []int{1}, appliedVersions(t, db))
	_, err = db.Exec(`SELECT * FROM b`)
	assert.Error(t, err, "the half-applied migration must be rolled back")
}

// allVersions is 1, 2, …, SchemaVersion().
func allVersions() []int {
	out := make([]int, SchemaVersion())
	for i := range out {
		out[i] = i + 1
	}
	return out
}
