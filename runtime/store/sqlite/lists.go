package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// CreateList creates an empty List, or returns ErrExists.
func (s *Store) CreateList(ctx context.Context, name, kind string) (store.ListInfo, error) {
	if name == "" || kind == "" {
		return store.ListInfo{}, errors.New("store: list needs a name and a kind")
	}
	info := store.ListInfo{Name: name, Kind: kind, CreatedAt: s.now().UTC()}
	err := s.inTx(ctx, func(tx dbtx) error {
		var err error
		if info.Version, err = s.nextListVersion(ctx, tx); err != nil {
			return err
		}
		ok, err := affected(tx.StmtContext(ctx, s.st.insertList).ExecContext(ctx, name, kind, info.Version, info.CreatedAt.UnixNano()))
		if err == nil && !ok {
			err = fmt.Errorf("store: list %q: %w", name, store.ErrExists)
		}
		return err
	})
	if err != nil {
		return store.ListInfo{}, err
	}
	return info, nil
}

// nextListVersion takes the next value of the store-wide List version counter.
func (s *Store) nextListVersion(ctx context.Context, tx dbtx) (int64, error) {
	var v int64
	err := tx.StmtContext(ctx, s.st.nextListVersion).QueryRowContext(ctx).Scan(&v)
	return v, err
}

// GetList returns the List called name, or ErrNotFound.
func (s *Store) GetList(ctx context.Context, name string) (store.ListInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.ListInfo{}, err
	}
	var info store.ListInfo
	var created int64
	err := s.readPoint(s.st.getList, []any{&info.Name, &info.Kind, &info.Version, &info.Count, &created}, name)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ListInfo{}, fmt.Errorf("store: list %q: %w", name, store.ErrNotFound)
	}
	info.CreatedAt = time.Unix(0, created).UTC()
	return info, err
}

// Lists returns every List, by name.
func (s *Store) Lists(ctx context.Context) ([]store.ListInfo, error) {
	rows, err := s.st.allLists.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ListInfo
	for rows.Next() {
		info, err := scanList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, rows.Err()
}

func scanList(row scanner) (store.ListInfo, error) {
	var info store.ListInfo
	var created int64
	err := row.Scan(&info.Name, &info.Kind, &info.Version, &info.Count, &created)
	info.CreatedAt = time.Unix(0, created).UTC()
	return info, err
}

// DeleteList deletes a List and its items, or returns ErrNotFound.
func (s *Store) DeleteList(ctx context.Context, name string) error {
	ok, err := affected(s.st.deleteList.ExecContext(ctx, name))
	if err == nil && !ok {
		err = fmt.Errorf("store: list %q: %w", name, store.ErrNotFound)
	}
	return err
}

// AddListItems adds items to a List in one transaction and returns how many were new: a value
// already present (or repeated in items) is kept once, with its first ID and data. It fills in,
// in place, the ID and CreatedAt of every element of items (for a value already present, those
// of the stored item). The List gets a new Version when anything was added.
func (s *Store) AddListItems(ctx context.Context, list string, items []store.ListItem) (added int, err error) {
	if len(items) > maxBatch {
		return 0, fmt.Errorf("store: %d list items in one call, at most %d", len(items), maxBatch)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx dbtx) error {
		if err := listExists(ctx, tx, list); err != nil {
			return err
		}
		ins := itemInserter{ctx: ctx, list: list, now: now, tx: tx,
			insert: tx.StmtContext(ctx, s.st.insertItem), existing: tx.StmtContext(ctx, s.st.itemByValue)}
		added = 0
		for i := range items {
			ok, err := ins.add(&items[i])
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return s.bumpList(ctx, tx, list, added)
	})
	if err != nil {
		added = 0
	}
	return added, err
}

// itemInserter adds items to one List inside a transaction.
type itemInserter struct {
	ctx              context.Context
	list             string
	now              time.Time
	insert, existing stmt
	tx               dbtx
}

// add inserts it unless its value is present, then fills in its ID and CreatedAt from the
// stored item; it reports whether it was new.
func (in itemInserter) add(it *store.ListItem) (bool, error) {
	if it.Value == "" {
		return false, fmt.Errorf("store: list %q: item value is empty", in.list)
	}
	data, err := store.ItemData(it.Data)
	if err != nil {
		return false, err
	}
	if held, ok, err := liveChunkItem(in.ctx, in.tx, in.list, it.Value); err != nil || ok {
		if ok {
			it.ID, it.CreatedAt = held.ID, held.CreatedAt
		}
		return false, err
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = in.now
	}
	res, err := in.insert.ExecContext(in.ctx, in.list, it.Value, strArg(it.ID), data, it.CreatedAt.UnixNano())
	ok, err := affected(res, err)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, in.fillExisting(it)
	}
	it.CreatedAt = it.CreatedAt.UTC()
	if it.ID == "" {
		seq, err := res.LastInsertId() // seq is the rowid
		if err != nil {
			return false, err
		}
		it.ID = store.ItemID(seq)
	}
	return true, nil
}

// fillExisting copies the stored item's ID and CreatedAt into it.
func (in itemInserter) fillExisting(it *store.ListItem) error {
	var seq, created int64
	var id sql.NullString
	if err := in.existing.QueryRowContext(in.ctx, in.list, it.Value).Scan(&seq, &id, &created); err != nil {
		return err
	}
	it.ID, it.CreatedAt = itemIDOr(id, seq), time.Unix(0, created).UTC()
	return nil
}

// RemoveListItem removes value from a List and reports whether it was there; removing bumps
// the List's version and records the removal for ListChanges.
func (s *Store) RemoveListItem(ctx context.Context, list, value string) (removed bool, err error) {
	err = s.inTx(ctx, func(tx dbtx) error {
		if err := listExists(ctx, tx, list); err != nil {
			return err
		}
		removed, err = affected(tx.StmtContext(ctx, s.st.deleteItem).ExecContext(ctx, list, value))
		if err != nil {
			return err
		}
		if !removed {
			held, ok, err := liveChunkItem(ctx, tx, list, value)
			if err != nil || !ok {
				return err
			}
			seq, err := store.ItemSeq(held.ID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO list_dead(list_name, seq) VALUES (?, ?)`, list, seq); err != nil {
				return err
			}
			removed = true
		}
		v, err := s.bumpListVersion(ctx, tx, list, -1)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO list_removals(list_name, version, value) VALUES (?, ?, ?)`, list, v, value)
		return err
	})
	return removed, err
}

// bumpList records a change of delta items under a new version; no change leaves the
// version alone.
func (s *Store) bumpList(ctx context.Context, tx dbtx, list string, delta int) error {
	_, err := s.bumpListVersion(ctx, tx, list, delta)
	return err
}

// bumpListVersion is bumpList returning the new version (0 when delta is 0).
func (s *Store) bumpListVersion(ctx context.Context, tx dbtx, list string, delta int) (int64, error) {
	if delta == 0 {
		return 0, nil
	}
	v, err := s.nextListVersion(ctx, tx)
	if err != nil {
		return 0, err
	}
	_, err = tx.StmtContext(ctx, s.st.bumpList).ExecContext(ctx, v, delta, list)
	return v, err
}

// ListSnapshot returns a List's items in the order they were added and the mark of that
// moment, read in one transaction, or ErrNotFound.
func (s *Store) ListSnapshot(ctx context.Context, list string) ([]store.ListItem, store.ListMark, error) {
	var items []store.ListItem
	var mark store.ListMark
	err := s.readTx(ctx, func(tx dbtx) (err error) {
		if mark, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, err := tx.StmtContext(ctx, s.st.listItems).QueryContext(ctx, list)
		items, err = itemsSince(ctx, tx, rows, err, list, 0)
		return err
	})
	return items, mark, err
}

// ListChanges returns what changed in a List after since: the items added since then that it
// still holds, in the order added, the values removed since then (a value may have been added
// again: it is then among the items), and the mark of now, read in one transaction.
func (s *Store) ListChanges(ctx context.Context, list string, since store.ListMark) (added []store.ListItem, removed []string, now store.ListMark, err error) {
	err = s.readTx(ctx, func(tx dbtx) error {
		if now, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT seq, id, value, data, created_at FROM list_items
			WHERE list_name = ? AND seq > ? ORDER BY seq`, list, since.Seq)
		added, err = itemsSince(ctx, tx, rows, err, list, since.Seq)
		if err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT value FROM list_removals WHERE list_name = ? AND version > ?
			ORDER BY version`, list, since.Version)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			removed = append(removed, v)
		}
		return rows.Err()
	})
	return added, removed, now, err
}

// listMark reads a List's version and the last item sequence number, or ErrNotFound.
func listMark(ctx context.Context, tx dbtx, list string) (store.ListMark, error) {
	var m store.ListMark
	err := tx.QueryRowContext(ctx, `SELECT version, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'list_items'), 0)
		FROM lists WHERE name = ?`, list).Scan(&m.Version, &m.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("store: list %q: %w", list, store.ErrNotFound)
	}
	return m, err
}

// readTx runs fn in a read-only transaction on the reader pool.
func (s *Store) readTx(ctx context.Context, fn func(tx dbtx) error) error {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	return fn(rtx{tx})
}

func listExists(ctx context.Context, tx dbtx, list string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM lists WHERE name = ?`, list).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: list %q: %w", list, store.ErrNotFound)
	}
	return err
}

// ListItems returns a List's items in the order they were added, or ErrNotFound.
func (s *Store) ListItems(ctx context.Context, list string) ([]store.ListItem, error) {
	items, _, err := s.ListSnapshot(ctx, list)
	return items, err
}

// itemsSince reads the rows of a list_items query in sequence order (seq, id, value, data,
// created_at) and merges in the List's chunk items numbered after since.
func itemsSince(ctx context.Context, tx dbtx, rows *sql.Rows, err error, list string, since int64) ([]store.ListItem, error) {
	items, seqs, err := queryItems(rows, err)
	if err != nil {
		return nil, err
	}
	chunks, firsts, err := chunkItems(ctx, tx, list, since)
	if err != nil {
		return nil, err
	}
	return store.MergeBySeq(items, seqs, chunks, firsts), nil
}

// queryItems reads the rows of a list_items query and their sequence numbers.
func queryItems(rows *sql.Rows, err error) ([]store.ListItem, []int64, error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []store.ListItem
	var seqs []int64
	for rows.Next() {
		it, seq, err := scanItem(rows)
		if err != nil {
			return nil, nil, err
		}
		out, seqs = append(out, it), append(seqs, seq)
	}
	return out, seqs, rows.Err()
}

func scanItem(rows *sql.Rows) (store.ListItem, int64, error) {
	var it store.ListItem
	var id sql.NullString
	var data []byte
	var seq, created int64
	if err := rows.Scan(&seq, &id, &it.Value, &data, &created); err != nil {
		return it, seq, err
	}
	it.ID, it.CreatedAt = itemIDOr(id, seq), time.Unix(0, created).UTC()
	if data != nil {
		var err error
		if it.Data, err = store.DecodeItemData(it.Value, string(data)); err != nil {
			return it, seq, err
		}
	}
	return it, seq, nil
}

func itemIDOr(id sql.NullString, seq int64) string {
	if id.Valid {
		return id.String
	}
	return store.ItemID(seq)
}
