package runtime

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib/lists"
)

// A long List import commits in chunks, so another process opening the
// store and recording runs meanwhile waits at most for one chunk, well
// within its busy timeout, instead of failing with SQLITE_BUSY (issue 18:
// an import in one 8 s transaction made every concurrent wf run fail).
func TestImportDoesNotLockOutRuns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "wf.db")
	eng, err := Open(ctx, Config{Store: path})
	require.NoError(t, err)
	defer eng.Close()
	_, err = eng.Lists.Create(ctx, "ips", lists.KindIPAddress)
	require.NoError(t, err)

	// The import writes chunks of store.ListChunkItems items, each in its
	// own short transaction, then takes them in with one more: the runs'
	// short busy timeout (a few of SQLite's polls) is enough, while the
	// import as a whole takes several times that timeout.
	const rows = 300_000
	var csv strings.Builder
	csv.WriteString("value\n")
	for i := range rows {
		fmt.Fprintf(&csv, "10.%d.%d.%d\n", i>>16&255, i>>8&255, i&255)
	}
	file := filepath.Join(dir, "ips.csv")
	require.NoError(t, os.WriteFile(file, []byte(csv.String()), 0o600))

	var importing atomic.Bool
	importing.Store(true)
	done := make(chan error, 1)
	go func() {
		defer importing.Store(false)
		f, err := os.Open(file)
		if err != nil {
			done <- err
			return
		}
		defer f.Close()
		n, err := eng.Lists.Import(ctx, "ips", f)
		if err == nil && n != rows {
			err = fmt.Errorf("imported %d items, want %d", n, rows)
		}
		done <- err
	}()

	// Another process: opens the store with a short busy timeout and
	// records a run, again and again, while the import runs.
	during := 0
	for i := 0; importing.Load(); i++ {
		s, err := sqlite.OpenWith(ctx, path, sqlite.Options{BusyTimeout: 100 * time.Millisecond})
		require.NoError(t, err, "open %d during the import", i)
		id := fmt.Sprintf("run_%d", i)
		at := time.Unix(1_700_000_000, 0)
		err = s.CreateRun(ctx, &store.Run{ID: id, Workflow: "w", Version: "v", StartedAt: at, ClockStart: at})
		require.NoError(t, s.Close())
		require.NoError(t, err, "run %d during the import", i)
		if importing.Load() {
			during++
		}
	}
	require.NoError(t, <-done)
	assert.GreaterOrEqual(t, during, 3, "runs were recorded while the import ran")
	l, err := eng.Lists.Store().GetList(ctx, "ips")
	require.NoError(t, err)
	assert.Equal(t, rows, l.Count)
}

// Over the SQLite store, a long-lived Service layers each change over the
// index it built first (one range read per change, no rebuild) and answers
// as a Service building from scratch does; a change made by another
// process (another Store on the file) is seen at the next Handle.
func TestListChangesAreLayeredOverTheStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	eng, err := Open(ctx, Config{Store: path})
	require.NoError(t, err)
	defer eng.Close()
	svc := eng.Lists
	_, err = svc.Create(ctx, "ips", lists.KindIPAddress)
	require.NoError(t, err)
	other, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	otherSvc := lists.NewService(listStore{other})
	pool := []string{"10.0.0.0/8", "10.1.0.0/16", "10.1.2.3", "10.1.2.0/24", "192.0.2.7", "2001:db8::/32", "2001:db8::1"}
	lookups := []string{"10.1.2.3", "10.1.2.4", "10.1.9.9", "10.9.9.9", "192.0.2.7", "192.0.2.8", "2001:db8::1", "2001:db8::2"}
	_, err = svc.Add(ctx, "ips", pool[0], nil)
	require.NoError(t, err)
	_, err = svc.Handle(ctx, "ips")
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(1, 2))
	for step := range 80 {
		writer := svc
		if step%3 == 0 {
			writer = otherSvc // another process
		}
		v := pool[rng.IntN(len(pool))]
		if rng.IntN(2) == 0 {
			_, err = writer.Add(ctx, "ips", v, nil)
		} else {
			_, err = writer.Remove(ctx, "ips", v)
		}
		require.NoError(t, err)
		layered, err := svc.Handle(ctx, "ips")
		require.NoError(t, err)
		fresh, err := lists.NewService(listStore{other}).Handle(ctx, "ips")
		require.NoError(t, err)
		assert.Equal(t, fresh.List().Count, layered.List().Count, "step %d", step)
		for _, s := range lookups {
			want, wok := fresh.MatchString(s)
			got, gok := layered.MatchString(s)
			require.Equal(t, wok, gok, "step %d: %s", step, s)
			if wok {
				require.Equal(t, want.Value, got.Value, "step %d: %s", step, s)
				require.Equal(t, want.ID, got.ID, "step %d: %s", step, s)
			}
		}
	}
}
