package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/wf-lang/wf/runtime/store"
)

// The items of a bulk import are kept in chunks (see store/chunk.go): list_chunks holds a
// chunk's row (its List, first sequence number, item count and value range; import_id while
// the import that wrote it has not finished), list_chunk_items its blob, list_dead the
// sequence numbers of chunk items removed since.

// ImportListItems adds, as one change, the items next yields (in strictly increasing Value
// order) that the List does not hold, and returns how many. It writes them in chunks of up to
// store.ListChunkItems items, each in a short transaction under an import id that keeps them
// out of the List, then takes them in with one last transaction: other writers wait for one
// chunk at most, and a reader sees the List without or with all of them. An import of
// store.SmallImport new items or fewer adds them as rows, in one transaction. An import that
// stops half way (an error, a crash) leaves the List as it was; the chunks it left are
// dropped by the List's next import. Items added one at a time meanwhile are kept once; items removed
// or imported meanwhile make it fail with store.ErrListChanged.
func (s *Store) ImportListItems(ctx context.Context, list string, next func() (store.ListItem, bool, error)) (int, error) {
	now := s.now()
	id := store.ImportID(now)
	err := s.inTx(ctx, func(tx dbtx) error {
		if err := listExists(ctx, tx, list); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM list_chunks WHERE list_name = ? AND import_id IS NOT NULL`, list)
		return err
	})
	if err != nil {
		return 0, err
	}
	var mark store.ListMark
	var small []store.ListItem
	staged := 0
	err = s.readTx(ctx, func(rtx dbtx) error {
		var err error
		if mark, err = listMark(ctx, rtx, list); err != nil {
			return err
		}
		src, err := chunkSource(ctx, rtx, list, `ORDER BY lo`, 0)
		if err != nil {
			return err
		}
		src.RowsAfter = func(after string, limit int) ([]string, error) {
			return queryStrings(rtx.QueryContext(ctx, `SELECT value FROM list_items WHERE list_name = ? AND value > ?
				ORDER BY value LIMIT ?`, list, after, limit))
		}
		staged, small, err = store.StageChunks(next, src, func(blob []byte, n int, lo, hi string) error {
			return s.inTx(ctx, func(tx dbtx) error {
				res, err := tx.ExecContext(ctx, `INSERT INTO list_chunks(list_name, import_id, n, lo, hi, created_at)
					VALUES (?, ?, ?, ?, ?, ?)`, list, id, n, lo, hi, now.UnixNano())
				if err != nil {
					return err
				}
				cid, err := res.LastInsertId()
				if err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, `INSERT INTO list_chunk_items(chunk_id, items) VALUES (?, ?)`, cid, blob)
				return err
			})
		})
		return err
	})
	if err == nil && len(small) > 0 {
		return s.AddListItems(ctx, list, small) // one change, as rows
	}
	if err == nil && staged > 0 {
		var added int
		err = s.inTx(ctx, func(tx dbtx) (err error) {
			added, err = s.takeIn(ctx, tx, list, id, mark, staged)
			return err
		})
		if err == nil {
			return added, nil
		}
	}
	if err != nil {
		// Best effort with a context of its own: the chunks are out of the List anyway.
		_ = s.inTx(context.WithoutCancel(ctx), func(tx dbtx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM list_chunks WHERE import_id = ?`, id)
			return err
		})
	}
	return 0, err
}

// takeIn makes the chunks staged under import id, staged items in all, part of the List,
// numbering their items after every item before, and returns how many it added.
func (s *Store) takeIn(ctx context.Context, tx dbtx, list, id string, mark store.ListMark, staged int) (int, error) {
	var version int64
	if err := tx.QueryRowContext(ctx, `SELECT version FROM lists WHERE name = ?`, list).Scan(&version); err != nil {
		return 0, listGone(list, err)
	}
	metas, err := queryMetas(tx.QueryContext(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = ? AND import_id = ? ORDER BY lo`, list, id))
	if err != nil {
		return 0, err
	}
	total := 0
	for _, m := range metas {
		total += m.N
	}
	if total != staged {
		return 0, fmt.Errorf("store: list %q: %w", list, store.ErrListChanged)
	}
	var rowsSince []string
	if version != mark.Version {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM list_removals WHERE list_name = ? AND version > ?) +
			(SELECT COUNT(*) FROM list_chunks WHERE list_name = ? AND import_id IS NULL AND first_seq > ?)`,
			list, mark.Version, list, mark.Seq).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fmt.Errorf("store: list %q: %w", list, store.ErrListChanged)
		}
		if rowsSince, err = queryStrings(tx.QueryContext(ctx, `SELECT value FROM list_items WHERE list_name = ? AND seq > ?`,
			list, mark.Seq)); err != nil {
			return 0, err
		}
	}
	base, err := allocSeqs(ctx, tx, total)
	if err != nil {
		return 0, err
	}
	plan, err := store.PlanCommit(metas, base, rowsSince, blobReader(ctx, tx))
	if err != nil {
		return 0, err
	}
	for _, m := range metas {
		if _, err := tx.ExecContext(ctx, `UPDATE list_chunks SET import_id = NULL, first_seq = ? WHERE id = ?`, m.FirstSeq, m.ID); err != nil {
			return 0, err
		}
	}
	for _, seq := range plan.Dead {
		if _, err := tx.ExecContext(ctx, `INSERT INTO list_dead(list_name, seq) VALUES (?, ?)`, list, seq); err != nil {
			return 0, err
		}
	}
	added := total - len(plan.Dead)
	return added, s.bumpList(ctx, tx, list, added)
}

// allocSeqs takes n item sequence numbers from list_items' AUTOINCREMENT counter (SQLite lets
// a program change sqlite_sequence) and returns the first.
func allocSeqs(ctx context.Context, tx dbtx, n int) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'list_items'`).Scan(&last)
	switch {
	case err == sql.ErrNoRows:
		_, err = tx.ExecContext(ctx, `INSERT INTO sqlite_sequence(name, seq) VALUES ('list_items', ?)`, n)
	case err == nil:
		_, err = tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = 'list_items'`, last+int64(n))
	}
	return last + 1, err
}

func listGone(list string, err error) error {
	if err == sql.ErrNoRows {
		return fmt.Errorf("store: list %q: %w", list, store.ErrNotFound)
	}
	return err
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// chunkSource reads a List's chunks (taken in, in the order given) whose last item is numbered
// after since, and the tombstones after since.
func chunkSource(ctx context.Context, q queryer, list, order string, since int64) (*store.ChunkSource, error) {
	metas, err := queryMetas(q.QueryContext(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = ? AND import_id IS NULL AND first_seq + n - 1 > ? `+order, list, since))
	if err != nil {
		return nil, err
	}
	src := &store.ChunkSource{Chunks: metas, Blob: blobReader(ctx, q)}
	if len(metas) > 0 {
		if src.Dead, err = deadSeqs(ctx, q, list, since); err != nil {
			return nil, err
		}
	}
	return src, nil
}

// deadSeqs reads the tombstones of a List numbered after since.
func deadSeqs(ctx context.Context, q queryer, list string, since int64) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq FROM list_dead WHERE list_name = ? AND seq > ?`, list, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dead := map[int64]bool{}
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		dead[seq] = true
	}
	return dead, rows.Err()
}

func blobReader(ctx context.Context, q queryer) func(int64) ([]byte, error) {
	return func(id int64) ([]byte, error) {
		var b []byte
		err := q.QueryRowContext(ctx, `SELECT items FROM list_chunk_items WHERE chunk_id = ?`, id).Scan(&b)
		return b, err
	}
}

func queryMetas(rows *sql.Rows, err error) ([]store.ChunkMeta, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ChunkMeta
	for rows.Next() {
		var m store.ChunkMeta
		if err := rows.Scan(&m.ID, &m.FirstSeq, &m.N, &m.Lo, &m.Hi, &m.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func queryStrings(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// liveChunkItem returns the live chunk item of the List whose value is v, if any.
func liveChunkItem(ctx context.Context, q queryer, list, v string) (store.ListItem, bool, error) {
	metas, err := queryMetas(q.QueryContext(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = ? AND import_id IS NULL AND lo <= ? AND hi >= ?`, list, v, v))
	if err != nil || len(metas) == 0 {
		return store.ListItem{}, false, err
	}
	src := &store.ChunkSource{Chunks: metas, Blob: blobReader(ctx, q), Dead: map[int64]bool{}}
	for _, m := range metas {
		rows, err := q.QueryContext(ctx, `SELECT seq FROM list_dead WHERE list_name = ? AND seq BETWEEN ? AND ?`, list, m.FirstSeq, m.LastSeq())
		if err != nil {
			return store.ListItem{}, false, err
		}
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return store.ListItem{}, false, err
			}
			src.Dead[seq] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return store.ListItem{}, false, err
		}
	}
	return src.FindLive(v)
}

// chunkItems reads the live items of a List's chunks numbered after since, in order, per chunk,
// with each chunk's first sequence number.
func chunkItems(ctx context.Context, q queryer, list string, since int64) ([][]store.ListItem, []int64, error) {
	src, err := chunkSource(ctx, q, list, `ORDER BY first_seq`, since)
	if err != nil {
		return nil, nil, err
	}
	var out [][]store.ListItem
	var seqs []int64
	for _, m := range src.Chunks {
		items, err := src.ChunkItems(nil, m, since)
		if err != nil {
			return nil, nil, err
		}
		out, seqs = append(out, items), append(seqs, max(m.FirstSeq, since+1))
	}
	return out, seqs, nil
}

// ListScan calls fn with each of a List's items in the order they were added, reading one
// chunk at a time, and returns the mark of that moment; see store.ListStore.
func (s *Store) ListScan(ctx context.Context, list string, fn func(store.ListItem) error) (store.ListMark, error) {
	var mark store.ListMark
	err := s.readTx(ctx, func(tx dbtx) (err error) {
		if mark, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, seqs, err := queryItems(tx.StmtContext(ctx, s.st.listItems).QueryContext(ctx, list))
		if err != nil {
			return err
		}
		src, err := chunkSource(ctx, tx, list, `ORDER BY first_seq`, 0)
		if err != nil {
			return err
		}
		return store.ScanItems(rows, seqs, src, fn)
	})
	return mark, err
}
