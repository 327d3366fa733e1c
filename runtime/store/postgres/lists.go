package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store"
)

// ListChannel is the NOTIFY channel on which every change to a List is announced, with the
// List's name as the payload, when the change commits.
const ListChannel = "wf_list_changed"

// CreateList creates an empty List, or returns ErrExists.
func (s *Store) CreateList(ctx context.Context, name, kind string) (store.ListInfo, error) {
	if name == "" || kind == "" {
		return store.ListInfo{}, errors.New("store: list needs a name and a kind")
	}
	info := store.ListInfo{Name: name, Kind: kind, CreatedAt: s.now().UTC()}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO lists(name, kind, version, created_at) VALUES ($1, $2, nextval('list_version'), $3)
			ON CONFLICT(name) DO NOTHING RETURNING version`, name, kind, info.CreatedAt.UnixNano()).Scan(&info.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: list %q: %w", name, store.ErrExists)
		}
		if err != nil {
			return err
		}
		return notifyList(ctx, tx, name)
	})
	if err != nil {
		return store.ListInfo{}, err
	}
	return info, nil
}

// notifyList announces a change to a List when tx commits.
func notifyList(ctx context.Context, tx pgx.Tx, name string) error {
	_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ListChannel, name)
	return err
}

const listColumns = `name, kind, version, item_count, created_at`

func scanList(row pgx.Row) (store.ListInfo, error) {
	var info store.ListInfo
	var created int64
	err := row.Scan(&info.Name, &info.Kind, &info.Version, &info.Count, &created)
	info.CreatedAt = nsTime(created)
	return info, err
}

// GetList returns the List called name, or ErrNotFound.
func (s *Store) GetList(ctx context.Context, name string) (store.ListInfo, error) {
	info, err := scanList(s.pool.QueryRow(ctx, `SELECT `+listColumns+` FROM lists WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ListInfo{}, fmt.Errorf("store: list %q: %w", name, store.ErrNotFound)
	}
	return info, err
}

// Lists returns every List, by name.
func (s *Store) Lists(ctx context.Context) ([]store.ListInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+listColumns+` FROM lists ORDER BY name`)
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

// DeleteList deletes a List and its items, or returns ErrNotFound.
func (s *Store) DeleteList(ctx context.Context, name string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM lists WHERE name = $1`, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: list %q: %w", name, store.ErrNotFound)
		}
		return notifyList(ctx, tx, name)
	})
}

// lockList locks a List's row for the rest of tx, so changes to one List happen one at a time
// and its item sequence numbers and versions grow in commit order; ErrNotFound when there is
// no such List.
func lockList(ctx context.Context, tx pgx.Tx, list string) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM lists WHERE name = $1 FOR UPDATE`, list).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: list %q: %w", list, store.ErrNotFound)
	}
	return err
}

// AddListItems adds items to a List in one transaction and returns how many were new, filling
// in, in place, the ID and CreatedAt of every element of items.
func (s *Store) AddListItems(ctx context.Context, list string, items []store.ListItem) (added int, err error) {
	if len(items) > maxBatch {
		return 0, fmt.Errorf("store: %d list items in one call, at most %d", len(items), maxBatch)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		added = 0
		if err := lockList(ctx, tx, list); err != nil {
			return err
		}
		var last int64
		for i := range items {
			it := &items[i]
			if it.Value == "" {
				return fmt.Errorf("store: list %q: item value is empty", list)
			}
			data, err := store.ItemData(it.Data)
			if err != nil {
				return err
			}
			if held, ok, err := liveChunkItem(ctx, tx, list, it.Value); err != nil {
				return err
			} else if ok {
				it.ID, it.CreatedAt = held.ID, held.CreatedAt
				continue
			}
			created := it.CreatedAt
			if created.IsZero() {
				created = now
			}
			var seq int64
			err = tx.QueryRow(ctx, `INSERT INTO list_items(list_name, value, id, data, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT(list_name, value) DO NOTHING RETURNING seq`, list, it.Value, strArg(it.ID), data, created.UnixNano()).Scan(&seq)
			if errors.Is(err, pgx.ErrNoRows) {
				var id *string
				var at int64
				if err := tx.QueryRow(ctx, `SELECT seq, id, created_at FROM list_items WHERE list_name = $1 AND value = $2`,
					list, it.Value).Scan(&seq, &id, &at); err != nil {
					return err
				}
				it.ID, it.CreatedAt = itemIDOr(id, seq), nsTime(at)
				continue
			}
			if err != nil {
				return err
			}
			it.CreatedAt, last = created.UTC(), seq
			if it.ID == "" {
				it.ID = store.ItemID(seq)
			}
			added++
		}
		_, err := s.bumpList(ctx, tx, list, added, last)
		return err
	})
	if err != nil {
		added = 0
	}
	return added, err
}

func itemIDOr(id *string, seq int64) string {
	if id != nil {
		return *id
	}
	return store.ItemID(seq)
}

// RemoveListItem removes value from a List and reports whether it was there; removing bumps
// the List's version and records the removal for ListChanges.
func (s *Store) RemoveListItem(ctx context.Context, list, value string) (removed bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		removed = false
		if err := lockList(ctx, tx, list); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM list_items WHERE list_name = $1 AND value = $2`, list, value)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			held, ok, err := liveChunkItem(ctx, tx, list, value)
			if err != nil || !ok {
				return err
			}
			seq, err := store.ItemSeq(held.ID)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO list_dead(list_name, seq) VALUES ($1, $2)`, list, seq); err != nil {
				return err
			}
		}
		removed = true
		v, err := s.bumpList(ctx, tx, list, -1, 0)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO list_removals(list_name, version, value) VALUES ($1, $2, $3)`, list, v, value)
		return err
	})
	return removed, err
}

// bumpList records a change of delta items, the newest of them numbered last, under a new
// version and announces it; no change leaves the List alone. It returns the new version.
func (s *Store) bumpList(ctx context.Context, tx pgx.Tx, list string, delta int, last int64) (int64, error) {
	if delta == 0 {
		return 0, nil
	}
	var v int64
	if err := tx.QueryRow(ctx, `UPDATE lists SET version = nextval('list_version'), item_count = item_count + $1,
		last_seq = GREATEST(last_seq, $2) WHERE name = $3 RETURNING version`, delta, last, list).Scan(&v); err != nil {
		return 0, err
	}
	return v, notifyList(ctx, tx, list)
}

// listMark reads a List's version and the last sequence number of its items, or ErrNotFound.
// Both grow in commit order (see lockList).
func listMark(ctx context.Context, tx pgx.Tx, list string) (store.ListMark, error) {
	var m store.ListMark
	err := tx.QueryRow(ctx, `SELECT version, last_seq FROM lists WHERE name = $1`, list).Scan(&m.Version, &m.Seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("store: list %q: %w", list, store.ErrNotFound)
	}
	return m, err
}

// readTx runs fn in a read-only transaction that sees one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, fn)
}

// ListItems returns a List's items in the order they were added, or ErrNotFound.
func (s *Store) ListItems(ctx context.Context, list string) ([]store.ListItem, error) {
	items, _, err := s.ListSnapshot(ctx, list)
	return items, err
}

// ListSnapshot returns a List's items in the order they were added and the mark of that
// moment, read in one snapshot, or ErrNotFound.
func (s *Store) ListSnapshot(ctx context.Context, list string) ([]store.ListItem, store.ListMark, error) {
	var items []store.ListItem
	var mark store.ListMark
	err := s.readTx(ctx, func(tx pgx.Tx) (err error) {
		if mark, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, id, value, data, created_at FROM list_items
			WHERE list_name = $1 ORDER BY seq`, list)
		items, err = itemsSince(ctx, tx, rows, err, list, 0)
		return err
	})
	return items, mark, err
}

// ListChanges returns what changed in a List after since, and the mark of now, read in one
// snapshot.
func (s *Store) ListChanges(ctx context.Context, list string, since store.ListMark) (added []store.ListItem, removed []string, now store.ListMark, err error) {
	err = s.readTx(ctx, func(tx pgx.Tx) error {
		if now, err = listMark(ctx, tx, list); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, id, value, data, created_at FROM list_items
			WHERE list_name = $1 AND seq > $2 ORDER BY seq`, list, since.Seq)
		added, err = itemsSince(ctx, tx, rows, err, list, since.Seq)
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT value FROM list_removals WHERE list_name = $1 AND version > $2
			ORDER BY version`, list, since.Version)
		if err != nil {
			return err
		}
		removed, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return added, removed, now, err
}

// queryItems reads the rows of a list_items query (seq, id, value, data, created_at).
func queryItems(rows pgx.Rows, err error) ([]store.ListItem, error) {
	items, _, err := queryItemSeqs(rows, err)
	return items, err
}

// queryItemSeqs is queryItems returning the items' sequence numbers too.
func queryItemSeqs(rows pgx.Rows, err error) ([]store.ListItem, []int64, error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out []store.ListItem
	var seqs []int64
	for rows.Next() {
		var it store.ListItem
		var id, data *string
		var seq, created int64
		if err := rows.Scan(&seq, &id, &it.Value, &data, &created); err != nil {
			return nil, nil, err
		}
		it.ID, it.CreatedAt = itemIDOr(id, seq), nsTime(created)
		if data != nil {
			var err error
			if it.Data, err = store.DecodeItemData(it.Value, *data); err != nil {
				return nil, nil, err
			}
		}
		out, seqs = append(out, it), append(seqs, seq)
	}
	return out, seqs, rows.Err()
}
