package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	s, path, _ := openClocked(t)
	return s, path
}

func openClocked(t *testing.T) (*Store, string, *fakeClock) {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".wf", "wf.db")
	clock := newClock()
	s, err := OpenWith(context.Background(), path, Options{Now: clock.Now})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s, path, clock
}

// rawConn is a connection pool or the writer's one connection (Store.wconn), which tests
// use directly while no transaction holds it.
type rawConn interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func pragma(t *testing.T, db rawConn, name string) string {
	t.Helper()
	var v string
	require.NoError(t, db.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v))
	return v
}

func TestOpenCreatesDirectoryAndSetsPragmas(t *testing.T) {
	s, path := openTest(t)
	assert.FileExists(t, path)
	assert.Equal(t, path, s.Path())
	assert.Equal(t, "wal", pragma(t, s.wconn, "journal_mode"))
	for name, db := range map[string]rawConn{"writer": s.wconn, "readers": s.readers} {
		assert.Equal(t, "1", pragma(t, db, "synchronous"), name) // NORMAL
		assert.Equal(t, "1", pragma(t, db, "foreign_keys"), name)
		assert.Equal(t, "5000", pragma(t, db, "busy_timeout"), name)
	}
	assert.Equal(t, "1", pragma(t, s.readers, "query_only"))
}

func TestOpenSynchronousFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wf.db")
	s, err := OpenWith(context.Background(), path, Options{Synchronous: "full", BusyTimeout: time.Second})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, "2", pragma(t, s.wconn, "synchronous"))
	assert.Equal(t, "1000", pragma(t, s.wconn, "busy_timeout"))
}

func TestOpenRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	require.NoError(t, os.WriteFile(garbage, []byte("this is not a database, just some text that is long enough to look like a header"), 0o644))
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o644))

	tests := []struct {
		name, path string
		opts       Options
		want       string
	}{
		{"not sqlite", garbage, Options{}, "store: open " + garbage + ": file is not a SQLite database"},
		{"directory", dir, Options{}, "store: open " + dir + ": is a directory"},
		{"parent is a file", filepath.Join(blocker, "wf.db"), Options{}, "store: open " + filepath.Join(blocker, "wf.db") + ":"},
		{"bad synchronous", filepath.Join(dir, "x.db"), Options{Synchronous: "sometimes"}, `store: synchronous must be NORMAL, FULL or EXTRA, got "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := OpenWith(context.Background(), tt.path, tt.opts)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestOpenCorruptedDatabase(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	require.NoError(t, s.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Greater(t, len(data), 8192)
	for i := 4096; i < len(data); i++ { // keep the header page, scramble the rest
		data[i] = 0xA5
	}
	require.NoError(t, os.WriteFile(path, data, 0o644))

	s2, err := Open(ctx, path)
	require.Error(t, err)
	assert.Nil(t, s2)
	assert.Equal(t, "store: open "+path+": database file is corrupted", err.Error())
}

func TestDefaultPath(t *testing.T) {
	assert.Equal(t, filepath.Join("proj", ".wf", "wf.db"), DefaultPath("proj"))
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	require.NoError(t, s.SaveVersion(ctx, store.Version{Hash: "h1", Path: "a.wf", Source: "workflow a {}"}))
	run := &store.Run{ID: "run-1", Workflow: "a", Version: "h1", Inputs: []byte(`{"x":1}`)}
	require.NoError(t, s.CreateRun(ctx, run))
	require.NoError(t, s.SaveStep(ctx, "run-1", store.Step{Key: "k", Seq: 1, Name: "http.get", Status: "done", FinishedAt: t0}))
	require.NoError(t, s.AppendLog(ctx, "run-1", store.Log{Level: "info", Message: "hello"}, nil))
	woken, err := s.FinishRun(ctx, "run-1", "succeeded", []byte(`{"ok":true}`), nil, t0.Add(time.Minute), "", nil)
	require.NoError(t, err)
	require.Empty(t, woken)
	_, err = s.CreateList(ctx, "blocked-ips", "ip_address")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "blocked-ips", []store.ListItem{{Value: "10.0.0.1"}})
	require.NoError(t, err)
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"status": "created"}))
	_, err = s.RecordEvent(ctx, store.Event{ID: "evt_1", Name: "inquiry.completed", Body: []byte(`{}`)})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s2, err := Open(ctx, path)
	require.NoError(t, err)
	defer s2.Close()
	got, err := s2.GetRun(ctx, "run-1")
	require.NoError(t, err)
	assert.Equal(t, "succeeded", got.Status)
	assert.JSONEq(t, `{"ok":true}`, string(got.Outputs))
	assert.Len(t, got.Steps, 1)
	assert.Len(t, got.Logs, 1)
	v, err := s2.GetVersion(ctx, "h1")
	require.NoError(t, err)
	assert.Equal(t, "workflow a {}", v.Source)
	items, err := s2.ListItems(ctx, "blocked-ips")
	require.NoError(t, err)
	assert.Len(t, items, 1)
	obj, err := s2.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "created", obj["status"])
	dup, err := s2.RecordEvent(ctx, store.Event{ID: "evt_1", Name: "inquiry.completed"})
	require.NoError(t, err)
	assert.True(t, dup)
}

// TestCommittedStepSurvivesCrash copies the database files while the store is still open,
// as a crash would leave them (no Close, no checkpoint), and opens the copy.
func TestCommittedStepSurvivesCrash(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	require.NoError(t, s.CreateRun(ctx, &store.Run{ID: "r", Workflow: "w"}))
	require.NoError(t, s.SaveStep(ctx, "r", store.Step{Key: "charge", Seq: 1, Status: "done", Result: []byte(`{"id":"ch_1"}`), FinishedAt: t0}))

	crashed := filepath.Join(t.TempDir(), "wf.db")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(path + suffix)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(crashed+suffix, data, 0o644))
	}
	s2, err := Open(ctx, crashed)
	require.NoError(t, err)
	defer s2.Close()
	j, err := s2.Journal(ctx, "r")
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"ch_1"}`, string(j["charge"].Result))
}

// The store holds personal data: a new .wf directory is its owner's alone,
// and so are the database and its WAL; a path in another missing
// directory is refused rather than made.
func TestOpenMakesAPrivateStoreAndNoOtherDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".wf", "wf.db")
	s, err := Open(context.Background(), path)
	require.NoError(t, err)
	_, err = s.wconn.ExecContext(context.Background(), "CREATE TABLE probe (x INTEGER)") // writes the WAL
	require.NoError(t, err)
	for file, want := range map[string]os.FileMode{filepath.Dir(path): 0o700 | os.ModeDir, path: 0o600, path + "-wal": 0o600} {
		info, err := os.Stat(file)
		require.NoError(t, err)
		assert.Equal(t, want, info.Mode(), file)
	}
	require.NoError(t, s.Close())

	missing := filepath.Join(dir, "no-such-dir", "wf.db")
	_, err = Open(context.Background(), missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the directory "+filepath.Join(dir, "no-such-dir")+" does not exist")
	assert.NoDirExists(t, filepath.Join(dir, "no-such-dir"))
}
