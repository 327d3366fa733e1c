package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Idempotency keys let an effect be applied once however often it is asked for: the local
// Persona backend records the result of each action under the step's key (run id + step key)
// and answers a repeated key with that first result, so a step retried after a crash is not
// applied twice.

// IdempotentResult returns the result recorded under key, or ErrNotFound.
func (s *Store) IdempotentResult(ctx context.Context, key string) (json.RawMessage, error) {
	var res []byte
	err := s.readers.QueryRowContext(ctx, `SELECT result FROM idempotency WHERE key = ?`, key).Scan(&res)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: idempotency key %q: %w", key, ErrNotFound)
	}
	return res, err
}

// PutIdempotentResult records result under key together with objects to save, in one
// transaction, unless the key is already recorded: then nothing is written and the first
// result is returned with first set to false.
func (s *Store) PutIdempotentResult(ctx context.Context, key string, result json.RawMessage, objects []Object) (json.RawMessage, bool, error) {
	if key == "" {
		return nil, false, errors.New("store: idempotency key is empty")
	}
	if err := checkJSON("idempotency", "result", result); err != nil {
		return nil, false, err
	}
	data, err := encodeObjects(objects)
	if err != nil {
		return nil, false, err
	}
	var stored json.RawMessage
	first := true
	err = s.write(ctx, func(tx *sql.Tx) error {
		first, stored = true, result
		ok, err := affected(tx.ExecContext(ctx, `INSERT INTO idempotency(key, result, at) VALUES (?, ?, ?)
			ON CONFLICT(key) DO NOTHING`, key, jsonArg(result), s.now().UnixNano()))
		if err != nil {
			return err
		}
		if !ok {
			first = false
			return tx.QueryRowContext(ctx, `SELECT result FROM idempotency WHERE key = ?`, key).Scan((*[]byte)(&stored))
		}
		return s.putObjectsTx(ctx, tx, objects, data)
	})
	return stored, first, err
}
