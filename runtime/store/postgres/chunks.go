package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// The items of a bulk import are kept in chunks, as in the embedded store (see
// store/chunk.go and sqlite/chunks.go): list_chunks, list_chunk_items and list_dead.

// ImportListItems adds, as one change, the items next yields (in strictly increasing Value
// order) that the List does not hold, and returns how many; see store.ListStore. The chunks
// are written in short transactions under an import id and taken into the List by one last
// transaction, which announces the change; store.SmallImport new items or fewer are added as
// rows in one transaction.
func (s *Store) ImportListItems(ctx context.Context, list string, next func() (store.ListItem, bool, error)) (int, error) {
	now := s.now()
	id := store.ImportID(now)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := listMark(ctx, tx, list); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM list_chunks WHERE list_name = $1 AND import_id IS NOT NULL`, list)
		return err
	})
	if err != nil {
		return 0, err
	}
	var mark store.ListMark
	var small []store.ListItem
	staged := 0
	err = s.readTx(ctx, func(rtx pgx.Tx) error {
		var err error
		if mark, err = listMark(ctx, rtx, list); err != nil {
			return err
		}
		src, err := chunkSource(ctx, rtx, list, `ORDER BY lo`, 0)
		if err != nil {
			return err
		}
		src.RowsAfter = func(after string, limit int) ([]string, error) {
			rows, err := rtx.Query(ctx, `SELECT value FROM list_items WHERE list_name = $1 AND value > $2
				ORDER BY value LIMIT $3`, list, after, limit)
			if err != nil {
				return nil, err
			}
			return pgx.CollectRows(rows, pgx.RowTo[string])
		}
		staged, small, err = store.StageChunks(next, src, func(blob []byte, n int, lo, hi string) error {
			return s.inTx(ctx, func(tx pgx.Tx) error {
				var cid int64
				if err := tx.QueryRow(ctx, `INSERT INTO list_chunks(list_name, import_id, n, lo, hi, created_at)
					VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, list, id, n, lo, hi, now.UnixNano()).Scan(&cid); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `INSERT INTO list_chunk_items(chunk_id, items) VALUES ($1, $2)`, cid, blob)
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
		err = s.inTx(ctx, func(tx pgx.Tx) (err error) {
			added, err = s.takeIn(ctx, tx, list, id, mark, staged)
			return err
		})
		if err == nil {
			return added, nil
		}
	}
	if err != nil {
		_, _ = s.pool.Exec(context.WithoutCancel(ctx), `DELETE FROM list_chunks WHERE import_id = $1`, id)
	}
	return 0, err
}

// takeIn makes the chunks staged under import id part of the List; see the embedded store's.
// The List's row is locked first, as by every change to it, then list_items against inserts,
// so that the sequence numbers it takes are consecutive and above every item's before.
func (s *Store) takeIn(ctx context.Context, tx pgx.Tx, list, id string, mark store.ListMark, staged int) (int, error) {
	if err := lockList(ctx, tx, list); err != nil {
		return 0, err
	}
	var version int64
	if err := tx.QueryRow(ctx, `SELECT version FROM lists WHERE name = $1`, list).Scan(&version); err != nil {
		return 0, err
	}
	metas, err := queryMetas(tx.Query(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = $1 AND import_id = $2 ORDER BY lo`, list, id))
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
		if err := tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM list_removals WHERE list_name = $1 AND version > $2) +
			(SELECT COUNT(*) FROM list_chunks WHERE list_name = $1 AND import_id IS NULL AND first_seq > $3)`,
			list, mark.Version, mark.Seq).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fmt.Errorf("store: list %q: %w", list, store.ErrListChanged)
		}
		rows, err := tx.Query(ctx, `SELECT value FROM list_items WHERE list_name = $1 AND seq > $2`, list, mark.Seq)
		if err != nil {
			return 0, err
		}
		if rowsSince, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE list_items IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return 0, err
	}
	var base int64
	if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('list_items', 'seq'))`).Scan(&base); err != nil {
		return 0, err
	}
	if total > 1 {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('list_items', 'seq'), $1)`, base+int64(total)-1); err != nil {
			return 0, err
		}
	}
	plan, err := store.PlanCommit(metas, base, rowsSince, blobReader(ctx, tx))
	if err != nil {
		return 0, err
	}
	b := &pgx.Batch{}
	for _, m := range metas {
		b.Queue(`UPDATE list_chunks SET import_id = NULL, first_seq = $1 WHERE id = $2`, m.FirstSeq, m.ID)
	}
	for _, seq := range plan.Dead {
		b.Queue(`INSERT INTO list_dead(list_name, seq) VALUES ($1, $2)`, list, seq)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, err
	}
	added := total - len(plan.Dead)
	if added == 0 {
		return 0, nil
	}
	_, err = s.bumpList(ctx, tx, list, added, base+int64(total)-1)
	return added, err
}

// chunkSource reads a List's chunks (taken in, in the order given) whose last item is numbered
// after since, and the tombstones after since.
func chunkSource(ctx context.Context, tx pgx.Tx, list, order string, since int64) (*store.ChunkSource, error) {
	metas, err := queryMetas(tx.Query(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = $1 AND import_id IS NULL AND first_seq + n - 1 > $2 `+order, list, since))
	if err != nil {
		return nil, err
	}
	src := &store.ChunkSource{Chunks: metas, Blob: blobReader(ctx, tx), Dead: map[int64]bool{}}
	if len(metas) > 0 {
		if err := addDead(ctx, tx, src.Dead, `SELECT seq FROM list_dead WHERE list_name = $1 AND seq > $2`, list, since); err != nil {
			return nil, err
		}
	}
	return src, nil
}

func addDead(ctx context.Context, tx pgx.Tx, dead map[int64]bool, q string, args ...any) error {
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	for _, s := range seqs {
		dead[s] = true
	}
	return err
}

func blobReader(ctx context.Context, tx pgx.Tx) func(int64) ([]byte, error) {
	return func(id int64) ([]byte, error) {
		var b []byte
		err := tx.QueryRow(ctx, `SELECT items FROM list_chunk_items WHERE chunk_id = $1`, id).Scan(&b)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("store: list chunk %d has no items", id)
		}
		return b, err
	}
}

func queryMetas(rows pgx.Rows, err error) ([]store.ChunkMeta, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ChunkMeta, error) {
		var m store.ChunkMeta
		err := r.Scan(&m.ID, &m.FirstSeq, &m.N, &m.Lo, &m.Hi, &m.CreatedAt)
		return m, err
	})
}

// liveChunkItem returns the live chunk item of the List whose value is v, if any.
func liveChunkItem(ctx context.Context, tx pgx.Tx, list, v string) (store.ListItem, bool, error) {
	metas, err := queryMetas(tx.Query(ctx, `SELECT id, first_seq, n, lo, hi, created_at FROM list_chunks
		WHERE list_name = $1 AND import_id IS NULL AND lo <= $2 AND hi >= $2`, list, v))
	if err != nil || len(metas) == 0 {
		return store.ListItem{}, false, err
	}
	src := &store.ChunkSource{Chunks: metas, Blob: blobReader(ctx, tx), Dead: map[int64]bool{}}
	for _, m := range metas {
		if err := addDead(ctx, tx, src.Dead, `SELECT seq FROM list_dead WHERE list_name = $1 AND seq BETWEEN $2 AND $3`,
			list, m.FirstSeq, m.LastSeq()); err != nil {
			return store.ListItem{}, false, err
		}
	}
	return src.FindLive(v)
}

// itemsSince reads the rows of a list_items query in sequence order (seq, id, value, data,
// created_at) and merges in the List's chunk items numbered after since.
func itemsSince(ctx context.Context, tx pgx.Tx, rows pgx.Rows, err error, list string, since int64) ([]store.ListItem, error) {
	items, seqs, err := queryItemSeqs(rows, err)
	if err != nil {
		return nil, err
	}
	src, err := chunkSource(ctx, tx, list, `ORDER BY first_seq`, since)
	if err != nil {
		return nil, err
	}
	var chunks [][]store.ListItem
	var firsts []int64
	for _, m := range src.Chunks {
		c, err := src.ChunkItems(nil, m, since)
		if err != nil {
			return nil, err
		}
		chunks, firsts = append(chunks, c), append(firsts, max(m.FirstSeq, since+1))
	}
	return store.MergeBySeq(items, seqs, chunks, firsts), nil
}

// ListScan calls fn with each of a List's items in the order they were added, reading one
// chunk at a time, and returns the mark of that moment; see store.ListStore.
func (s *Store) ListScan(ctx context.Context, list string, fn func(store.ListItem) error) (store.ListMark, error) {
	var mark store.ListMark
	err := s.readTx(ctx, func(tx pgx.Tx) (err error) {
		if mark, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, seqs, err := queryItemSeqs(tx.Query(ctx, `SELECT seq, id, value, data, created_at FROM list_items
			WHERE list_name = $1 ORDER BY seq`, list))
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
