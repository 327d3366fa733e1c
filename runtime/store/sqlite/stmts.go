package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// stmts are the Store's prepared statements: writes on the writer connection, reads on the
// reader pool (database/sql prepares them again on each pooled connection as needed) and
// again on the writer connection.
type stmts struct {
	insertVersion, getVersion                        *sql.Stmt
	insertRun, finishRun, upsertStep, insertLog      *sql.Stmt
	deleteWaits                                      *sql.Stmt
	getRun, runIDsFrom, runSteps, runLogs, journal   *sql.Stmt
	insertEvent, getEvent, eventsByStatus, markEvent *sql.Stmt
	insertScheduled, dueScheduled, markScheduled     *sql.Stmt
	nextListVersion, insertList, getList, allLists   *sql.Stmt
	deleteList, bumpList                             *sql.Stmt
	insertItem, itemByValue, deleteItem, listItems   *sql.Stmt
	getObject, upsertObject, listObjects             *sql.Stmt
	upsertObjectIfNewer                              *sql.Stmt
	insertDelivery, eventDeliveries                  *sql.Stmt
	begin, commit, rollback                          *sql.Stmt
	all                                              []*sql.Stmt
	// onWriter maps each statement prepared on the reader pool to the same SQL prepared on
	// the writer connection, for a read inside a write transaction.
	onWriter map[*sql.Stmt]*sql.Stmt
	// byText holds the SQL that write transactions ran as text, prepared on the writer
	// connection (see wtx.cached); only the transaction holding the writer uses it.
	byText map[string]*sql.Stmt
	// raw maps each statement prepared on the writer connection (above, in onWriter and in
	// byText) to the same SQL prepared on its driver connection (see raw.go).
	raw    map[*sql.Stmt]*rawStmt
	rawAll []*rawStmt
	// closed is set by close, under the Store's txmu.
	closed bool
}

// preparer prepares statements: the writer connection or the reader pool.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

const stepColumns = `key, seq, name, args, result, error, status, attempts, started_at, finished_at,
	options, attempt_log`

func (s *stmts) prepare(ctx context.Context, w *sql.Conn, raw *rawWriter, r *sql.DB) error {
	s.onWriter = map[*sql.Stmt]*sql.Stmt{}
	s.byText = map[string]*sql.Stmt{}
	s.raw = map[*sql.Stmt]*rawStmt{}
	for _, p := range []struct {
		dst **sql.Stmt
		db  preparer
		sql string
	}{
		{&s.begin, w, `BEGIN IMMEDIATE`},
		{&s.commit, w, `COMMIT`},
		{&s.rollback, w, `ROLLBACK`},

		{&s.insertVersion, w, `INSERT INTO versions(hash, path, source, created_at, files) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(hash) DO UPDATE SET files = COALESCE(versions.files, excluded.files)`},
		{&s.getVersion, r, `SELECT path, source, created_at, files FROM versions WHERE hash = ?`},

		{&s.insertRun, w, `INSERT INTO runs(` + runColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&s.finishRun, w, `UPDATE runs SET status = ?, outputs = ?, error = ?, finished_at = ?, owner = NULL WHERE id = ?`},
		{&s.deleteWaits, w, `DELETE FROM waits WHERE run_id = ?`},
		{&s.upsertStep, w, `INSERT INTO steps(run_id, ` + stepColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(run_id, key) DO UPDATE SET seq = excluded.seq, name = excluded.name,
				args = COALESCE(excluded.args, steps.args), result = excluded.result,
				error = excluded.error, status = excluded.status, attempts = excluded.attempts,
				started_at = COALESCE(excluded.started_at, steps.started_at),
				finished_at = excluded.finished_at, options = COALESCE(excluded.options, steps.options),
				attempt_log = excluded.attempt_log`},
		{&s.insertLog, w, `INSERT INTO logs(run_id, seq, at, level, message, pos, key) SELECT ?1,
			CASE WHEN ?2 > 0 THEN ?2 ELSE COALESCE((SELECT MAX(seq) FROM logs WHERE run_id = ?1), 0) + 1 END,
			?3, ?4, ?5, ?6, ?7
			WHERE ?7 IS NULL OR NOT EXISTS (SELECT 1 FROM logs WHERE run_id = ?1 AND key = ?7)`},

		{&s.getRun, r, `SELECT ` + runColumns + ` FROM runs WHERE id = ?`},
		{&s.runIDsFrom, r, `SELECT id FROM runs WHERE id >= ? ORDER BY id LIMIT 2`},
		{&s.runSteps, r, `SELECT ` + stepColumns + ` FROM steps WHERE run_id = ? ORDER BY seq, key`},
		{&s.runLogs, r, `SELECT seq, at, level, message, pos, key FROM logs WHERE run_id = ? ORDER BY seq`},
		{&s.journal, r, `SELECT ` + stepColumns + ` FROM steps WHERE run_id = ?`},

		{&s.insertEvent, w, `INSERT INTO events(id, name, received_at, body, status) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(id) DO NOTHING`},
		{&s.getEvent, r, `SELECT id, name, received_at, body, status FROM events WHERE id = ?`},
		{&s.eventsByStatus, r, `SELECT id, name, received_at, body, status FROM events
			WHERE status = ? ORDER BY received_at, id LIMIT ?`},
		{&s.markEvent, w, `UPDATE events SET status = ? WHERE id = ?`},

		{&s.insertScheduled, w, `INSERT INTO scheduled(id, workflow, at, input, created_by_run, status)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`},
		{&s.dueScheduled, r, `SELECT id, workflow, at, input, created_by_run, status FROM scheduled
			WHERE status = ? AND at <= ? ORDER BY at, id LIMIT ?`},
		{&s.markScheduled, w, `UPDATE scheduled SET status = ? WHERE id = ?`},

		{&s.nextListVersion, w, `UPDATE counters SET value = value + 1 WHERE name = 'list_version' RETURNING value`},
		{&s.insertList, w, `INSERT INTO lists(name, kind, version, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(name) DO NOTHING`},
		{&s.getList, r, `SELECT name, kind, version, item_count, created_at FROM lists WHERE name = ?`},
		{&s.allLists, r, `SELECT name, kind, version, item_count, created_at FROM lists ORDER BY name`},
		{&s.deleteList, w, `DELETE FROM lists WHERE name = ?`},
		{&s.insertItem, w, `INSERT INTO list_items(list_name, value, id, data, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(list_name, value) DO NOTHING`},
		{&s.itemByValue, w, `SELECT seq, id, created_at FROM list_items WHERE list_name = ? AND value = ?`},
		{&s.deleteItem, w, `DELETE FROM list_items WHERE list_name = ? AND value = ?`},
		{&s.bumpList, w, `UPDATE lists SET version = ?, item_count = item_count + ? WHERE name = ?`},
		{&s.listItems, r, `SELECT seq, id, value, data, created_at FROM list_items WHERE list_name = ? ORDER BY seq`},

		{&s.insertDelivery, w, `INSERT INTO deliveries(event_id, workflow, status, run_id, error, at)
			VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.eventDeliveries, r, `SELECT workflow, status, run_id, error, at FROM deliveries
			WHERE event_id = ? ORDER BY seq`},

		{&s.getObject, r, `SELECT data FROM objects WHERE kind = ? AND id = ?`},
		{&s.upsertObject, w, `INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`},
		{&s.upsertObjectIfNewer, w, `INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at
			WHERE json_extract(objects.data, '$.updated_at') IS NULL
				OR json_extract(excluded.data, '$.updated_at') > json_extract(objects.data, '$.updated_at')`},
		{&s.listObjects, r, `SELECT id, data FROM objects WHERE kind = ? ORDER BY created_at, id LIMIT ?`},
	} {
		st, err := p.db.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("store: prepare %.40q: %w", p.sql, err)
		}
		*p.dst = st
		s.all = append(s.all, st)
		if p.db == r {
			wst, err := w.PrepareContext(ctx, p.sql)
			if err != nil {
				return fmt.Errorf("store: prepare %.40q: %w", p.sql, err)
			}
			s.onWriter[st] = wst
			s.all = append(s.all, wst)
			st = wst
		}
		if s.raw[st], err = s.prepareRaw(ctx, raw, p.sql); err != nil {
			return err
		}
	}
	return nil
}

// prepareRaw prepares query on the writer's driver connection.
func (s *stmts) prepareRaw(ctx context.Context, raw *rawWriter, query string) (*rawStmt, error) {
	st, err := raw.prepare(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: prepare %.40q: %w", query, err)
	}
	s.rawAll = append(s.rawAll, st)
	return st, nil
}

func (s *stmts) close() {
	for _, st := range s.rawAll {
		_ = st.close()
	}
	s.rawAll = nil
	for _, st := range s.all {
		_ = st.Close()
	}
	s.all = nil
	s.closed = true // the statements stay: a closed one answers "statement is closed"
}
