package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wf-lang/wf/runtime/store"
)

// holdWriter starts a write that leads and blocks inside its transaction until release is
// closed, and returns once it holds the writer.
func holdWriter(t *testing.T, s *Store, release chan struct{}) <-chan error {
	t.Helper()
	in := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.write(context.Background(), func(tx dbtx) error {
			close(in)
			<-release
			_, err := tx.ExecContext(context.Background(), `INSERT INTO instances(id, kind, host, pid, started_at, heartbeat_at) VALUES ('held', 'k', 'h', 1, 0, 0)`)
			return err
		})
	}()
	<-in
	return done
}

// waitQueued waits until n writes are queued behind the leader.
func waitQueued(s *Store, n int) {
	for {
		s.qmu.Lock()
		q := len(s.pending)
		s.qmu.Unlock()
		if q >= n {
			return
		}
		runtime.Gosched()
	}
}

func insertInstance(id string) func(tx dbtx) error {
	return func(tx dbtx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO instances(id, kind, host, pid, started_at, heartbeat_at) VALUES (?, 'k', 'h', 1, 0, 0)`, id)
		return err
	}
}

func count(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	require.NoError(t, s.readers.QueryRow(`SELECT COUNT(*) FROM instances`).Scan(&n))
	return n
}

// Writes that wait while another commits share the next commit, each caller returning
// with its own outcome once it is committed; a failing one does not take the others down.
func TestGroupCommit(t *testing.T) {
	s, _ := openTest(t)
	base := count(t, s)
	before := s.commits.Load()
	release := make(chan struct{})
	held := holdWriter(t, s, release)
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn := insertInstance(fmt.Sprint("i", i))
			if i == 7 {
				fn = func(tx dbtx) error { return errors.New("op 7 fails") }
			}
			errs[i] = s.write(context.Background(), fn)
		}()
	}
	waitQueued(s, n)
	close(release)
	require.NoError(t, <-held)
	wg.Wait()
	for i, err := range errs {
		if i == 7 {
			assert.EqualError(t, err, "op 7 fails")
		} else {
			assert.NoError(t, err, i)
		}
	}
	assert.Equal(t, base+n, count(t, s), "the held write and the 49 good ones are in")
	// The held write's commit, the batch of 50 (rolled back for op 7), then 49 alone: what
	// matters is that the waiting writes were tried as one batch first.
	assert.Equal(t, int64(1+49), s.commits.Load()-before)
}

// Without a failure the waiting writes are one commit.
func TestGroupCommitOneTransaction(t *testing.T) {
	s, _ := openTest(t)
	before := s.commits.Load()
	release := make(chan struct{})
	held := holdWriter(t, s, release)
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, s.write(context.Background(), insertInstance(fmt.Sprint("j", i))))
		}()
	}
	waitQueued(s, n)
	close(release)
	require.NoError(t, <-held)
	wg.Wait()
	assert.Equal(t, int64(2), s.commits.Load()-before, "the held write, then the 30 waiting in one commit")
}

// Close lets the writes queued before it commit, and refuses those after.
func TestCloseCommitsQueuedWrites(t *testing.T) {
	s, path := openTest(t)
	release := make(chan struct{})
	held := holdWriter(t, s, release)
	queued := make(chan error, 1)
	go func() { queued <- s.write(context.Background(), insertInstance("queued")) }()
	waitQueued(s, 1)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	for {
		s.qmu.Lock()
		c := s.closed
		s.qmu.Unlock()
		if c {
			break
		}
		runtime.Gosched()
	}
	assert.ErrorIs(t, s.write(context.Background(), insertInstance("late")), errClosed)
	close(release)
	require.NoError(t, <-held)
	require.NoError(t, <-queued)
	require.NoError(t, <-closed)

	s2, err := Open(context.Background(), path)
	require.NoError(t, err)
	defer s2.Close()
	var ids []string
	rows, err := s2.readers.Query(`SELECT id FROM instances WHERE id IN ('held', 'queued', 'late') ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	assert.Equal(t, []string{"held", "queued"}, ids)
}

// A point read runs on the writer connection when it is free and on the reader pool while a
// write holds it: it never waits for a write, and it sees every committed write either way.
func TestPointReadsDoNotWaitForWrites(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1", "status": "completed"}))
	got, err := s.GetObject(ctx, "inquiry", "inq_1") // the writer is free
	require.NoError(t, err)
	assert.Equal(t, "completed", got["status"])

	release := make(chan struct{})
	held := holdWriter(t, s, release)
	got, err = s.GetObject(ctx, "inquiry", "inq_1") // a write holds the writer
	require.NoError(t, err)
	assert.Equal(t, "completed", got["status"])
	_, err = s.GetList(ctx, "nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
	close(release)
	require.NoError(t, <-held)

	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1", "status": "declined"}))
	got, err = s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, "declined", got["status"], "the writer's own connection sees its commit")
}

// After Close every call answers with an error, none panics.
func TestCallsAfterCloseFail(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	require.NoError(t, s.Close())
	_, err := s.GetObject(ctx, "inquiry", "x")
	assert.Error(t, err)
	_, err = s.GetList(ctx, "l")
	assert.Error(t, err)
	assert.ErrorIs(t, s.PutObject(ctx, "inquiry", "x", map[string]any{"id": "x"}), errClosed)
	assert.ErrorIs(t, s.inTx(ctx, func(dbtx) error { return nil }), errClosed)
	_, err = s.GetRun(ctx, "r")
	assert.Error(t, err)
}
