package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ListInfo describes a named List.
type ListInfo struct {
	Name      string
	Kind      string // e.g. "ip_address", "email_address"
	Version   int64  // incremented by every change to the items
	Count     int
	CreatedAt time.Time
}

// ListItem is one value of a List. The store keeps values exactly as given; normalising them
// (case, CIDR form) is the Lists engine's job.
type ListItem struct {
	ID        string
	Value     string
	Data      map[string]string
	CreatedAt time.Time // set by AddListItems when zero
}

// CreateList creates an empty List, or returns ErrExists.
func (s *Store) CreateList(ctx context.Context, name, kind string) (ListInfo, error) {
	if name == "" || kind == "" {
		return ListInfo{}, errors.New("store: list needs a name and a kind")
	}
	info := ListInfo{Name: name, Kind: kind, CreatedAt: s.now().UTC()}
	ok, err := affected(s.st.insertList.ExecContext(ctx, name, kind, info.CreatedAt.UnixNano()))
	if err == nil && !ok {
		err = fmt.Errorf("store: list %q: %w", name, ErrExists)
	}
	return info, err
}

// GetList returns the List called name, or ErrNotFound.
func (s *Store) GetList(ctx context.Context, name string) (ListInfo, error) {
	info, err := scanList(s.st.getList.QueryRowContext(ctx, name))
	if errors.Is(err, sql.ErrNoRows) {
		return ListInfo{}, fmt.Errorf("store: list %q: %w", name, ErrNotFound)
	}
	return info, err
}

// Lists returns every List, by name.
func (s *Store) Lists(ctx context.Context) ([]ListInfo, error) {
	rows, err := s.st.allLists.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListInfo
	for rows.Next() {
		info, err := scanList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, rows.Err()
}

func scanList(row scanner) (ListInfo, error) {
	var info ListInfo
	var created int64
	err := row.Scan(&info.Name, &info.Kind, &info.Version, &info.Count, &created)
	info.CreatedAt = time.Unix(0, created).UTC()
	return info, err
}

// DeleteList deletes a List and its items, or returns ErrNotFound.
func (s *Store) DeleteList(ctx context.Context, name string) error {
	ok, err := affected(s.st.deleteList.ExecContext(ctx, name))
	if err == nil && !ok {
		err = fmt.Errorf("store: list %q: %w", name, ErrNotFound)
	}
	return err
}

// AddListItems adds items to a List in one transaction and returns how many were new: a value
// already present (or repeated in items) is kept once, with its first ID and data. The List's
// version is bumped when anything was added.
func (s *Store) AddListItems(ctx context.Context, list string, items []ListItem) (added int, err error) {
	if len(items) > maxBatch {
		return 0, fmt.Errorf("store: %d list items in one call, at most %d", len(items), maxBatch)
	}
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := listExists(ctx, tx, list); err != nil {
			return err
		}
		insert := tx.StmtContext(ctx, s.st.insertItem)
		added = 0
		for i := range items {
			ok, err := insertItem(ctx, insert, list, &items[i], now)
			if err != nil {
				return err
			}
			if ok {
				added++
			}
		}
		return s.bumpList(ctx, tx, list, added)
	})
	return added, err
}

func insertItem(ctx context.Context, insert *sql.Stmt, list string, it *ListItem, now time.Time) (bool, error) {
	if it.Value == "" {
		return false, fmt.Errorf("store: list %q: item value is empty", list)
	}
	var data any
	if len(it.Data) > 0 {
		b, err := json.Marshal(it.Data)
		if err != nil {
			return false, err
		}
		data = string(b)
	}
	created := it.CreatedAt
	if created.IsZero() {
		created = now
	}
	return affected(insert.ExecContext(ctx, list, it.Value, strArg(it.ID), data, created.UnixNano()))
}

// RemoveListItem removes value from a List and reports whether it was there; removing bumps
// the List's version.
func (s *Store) RemoveListItem(ctx context.Context, list, value string) (removed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := listExists(ctx, tx, list); err != nil {
			return err
		}
		removed, err = affected(tx.StmtContext(ctx, s.st.deleteItem).ExecContext(ctx, list, value))
		if err != nil || !removed {
			return err
		}
		return s.bumpList(ctx, tx, list, -1)
	})
	return removed, err
}

// bumpList records a change of delta items; no change leaves the version alone.
func (s *Store) bumpList(ctx context.Context, tx *sql.Tx, list string, delta int) error {
	if delta == 0 {
		return nil
	}
	_, err := tx.StmtContext(ctx, s.st.bumpList).ExecContext(ctx, delta, list)
	return err
}

func listExists(ctx context.Context, tx *sql.Tx, list string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM lists WHERE name = ?`, list).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: list %q: %w", list, ErrNotFound)
	}
	return err
}

// ListItems returns a List's items in the order they were added, or ErrNotFound.
func (s *Store) ListItems(ctx context.Context, list string) ([]ListItem, error) {
	tx, err := s.readers.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if err := listExists(ctx, tx, list); err != nil {
		return nil, err
	}
	rows, err := tx.StmtContext(ctx, s.st.listItems).QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ListItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func scanItem(rows *sql.Rows) (ListItem, error) {
	var it ListItem
	var id sql.NullString
	var data []byte
	var created int64
	if err := rows.Scan(&id, &it.Value, &data, &created); err != nil {
		return it, err
	}
	it.ID, it.CreatedAt = strCol(id), time.Unix(0, created).UTC()
	if data != nil {
		if err := json.Unmarshal(data, &it.Data); err != nil {
			return it, fmt.Errorf("store: list item %q data: %w", it.Value, err)
		}
	}
	return it, nil
}
