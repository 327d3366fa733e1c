package sqlite

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// crashDB names the store the crash helper imports into.
const crashDB = "WF_TEST_IMPORT_CRASH_DB"

// A process killed in the middle of an import, after it wrote several chunks, leaves the List
// as it was: the same items, count and version; the chunks it wrote are never seen, and the
// List's next import drops them.
func TestImportKilledHalfWayLeavesTheListAsItWas(t *testing.T) {
	if path := os.Getenv(crashDB); path != "" {
		importUntilKilled(path)
		return
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	s, err := Open(ctx, path)
	require.NoError(t, err)
	_, err = s.CreateList(ctx, "l", "string")
	require.NoError(t, err)
	_, err = s.AddListItems(ctx, "l", []store.ListItem{{Value: "row"}})
	require.NoError(t, err)
	_, err = s.ImportListItems(ctx, "l", store.SortedItems(numbered("old", 5000)))
	require.NoError(t, err)
	before, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	items, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	require.NoError(t, s.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestImportKilledHalfWayLeavesTheListAsItWas$")
	cmd.Env = append(os.Environ(), crashDB+"="+path)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper: %v", err)
	}
	require.Equal(t, "staged\n", line)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	var staged int
	require.NoError(t, s.readers.QueryRowContext(ctx, `SELECT COUNT(*) FROM list_chunks WHERE import_id IS NOT NULL`).Scan(&staged))
	assert.Equal(t, 3, staged, "the killed import had written three chunks")
	after, err := s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, before, after)
	got, err := s.ListItems(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, items, got)
	page, err := s.BrowseListItems(ctx, "l", "new", "", 5)
	require.NoError(t, err)
	assert.Empty(t, page)

	n, err := s.ImportListItems(ctx, "l", store.SortedItems(numbered("new", 20_000)))
	require.NoError(t, err)
	assert.Equal(t, 20_000, n, "importing again adds every item")
	require.NoError(t, s.readers.QueryRowContext(ctx, `SELECT COUNT(*) FROM list_chunks WHERE import_id IS NOT NULL`).Scan(&staged))
	assert.Zero(t, staged, "the chunks left behind are gone")
	after, err = s.GetList(ctx, "l")
	require.NoError(t, err)
	assert.Equal(t, before.Count+20_000, after.Count)
}

// importUntilKilled imports into the store at path and, once three chunks are written, says
// so and waits to be killed.
func importUntilKilled(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Println(err)
		return
	}
	src := store.SortedItems(numbered("new", 20_000))
	k := 0
	_, err = s.ImportListItems(ctx, "l", func() (store.ListItem, bool, error) {
		if k++; k == 3*store.ListChunkItems+1 {
			fmt.Println("staged")
			time.Sleep(time.Hour) // killed meanwhile
		}
		return src()
	})
	fmt.Println("import ended:", err)
}

func numbered(prefix string, n int) []store.ListItem {
	out := make([]store.ListItem, n)
	for i := range out {
		out[i] = store.ListItem{Value: fmt.Sprintf("%s%06d", prefix, i)}
	}
	return out
}
