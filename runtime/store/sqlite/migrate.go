package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one schema change. Versions are 1, 2, 3, … in slice order; a released
// migration is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string
}

// schemaMigrations returns the schema history, oldest first.
func schemaMigrations() []migration {
	return []migration{
		{1, "runs", `
CREATE TABLE versions (
	hash       TEXT PRIMARY KEY,
	path       TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE runs (
	id          TEXT PRIMARY KEY,
	workflow    TEXT NOT NULL,
	version     TEXT NOT NULL,
	status      TEXT NOT NULL,
	trigger     TEXT,
	event       TEXT,
	inputs      TEXT,
	seed        INTEGER NOT NULL DEFAULT 0,
	clock_start INTEGER,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	outputs     TEXT,
	error       TEXT,
	parent_id   TEXT,
	dry_run     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_workflow_started ON runs(workflow, started_at, id);
CREATE INDEX runs_status_started ON runs(status, started_at, id);
CREATE INDEX runs_started ON runs(started_at, id);
CREATE TABLE steps (
	run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	key         TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	name        TEXT NOT NULL,
	args        TEXT,
	result      TEXT,
	error       TEXT,
	status      TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	started_at  INTEGER,
	finished_at INTEGER,
	PRIMARY KEY (run_id, key)
);
CREATE TABLE logs (
	run_id  TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	at      INTEGER,
	level   TEXT NOT NULL,
	message TEXT NOT NULL,
	pos     TEXT,
	PRIMARY KEY (run_id, seq)
);`},
		{2, "events and schedules", `
CREATE TABLE events (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	body        TEXT,
	status      TEXT NOT NULL
);
CREATE INDEX events_status_received ON events(status, received_at, id);
CREATE TABLE scheduled (
	id             TEXT PRIMARY KEY,
	workflow       TEXT NOT NULL,
	at             INTEGER NOT NULL,
	input          TEXT,
	created_by_run TEXT,
	status         TEXT NOT NULL
);
CREATE INDEX scheduled_status_at ON scheduled(status, at, id);`},
		{3, "lists and objects", `
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT INTO counters(name, value) VALUES ('list_version', 0);
CREATE TABLE lists (
	name       TEXT PRIMARY KEY,
	kind       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	item_count INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
CREATE TABLE list_items (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	list_name  TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	value      TEXT NOT NULL,
	id         TEXT,
	data       TEXT,
	created_at INTEGER NOT NULL,
	UNIQUE (list_name, value)
);
CREATE TABLE objects (
	kind       TEXT NOT NULL,
	id         TEXT NOT NULL,
	data       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
);`},
		{4, "deliveries", `
CREATE TABLE deliveries (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id TEXT NOT NULL,
	workflow TEXT NOT NULL,
	status   TEXT NOT NULL,
	run_id   TEXT,
	error    TEXT,
	at       INTEGER NOT NULL
);
CREATE INDEX deliveries_event ON deliveries(event_id, seq);`},
		{5, "service", `
ALTER TABLE versions ADD COLUMN files TEXT;
ALTER TABLE runs ADD COLUMN owner TEXT;
ALTER TABLE runs ADD COLUMN event_id TEXT;
ALTER TABLE runs ADD COLUMN trigger_id TEXT;
ALTER TABLE runs ADD COLUMN rerun_of TEXT;
ALTER TABLE runs ADD COLUMN api_key TEXT;
ALTER TABLE runs ADD COLUMN root_id TEXT;
ALTER TABLE runs ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_root ON runs(root_id) WHERE root_id IS NOT NULL;
CREATE UNIQUE INDEX runs_api_key ON runs(workflow, api_key) WHERE api_key IS NOT NULL;
CREATE INDEX runs_trigger_id ON runs(trigger_id, started_at) WHERE trigger_id IS NOT NULL;
CREATE INDEX runs_active ON runs(owner, status) WHERE status IN ('queued', 'running');
CREATE INDEX runs_parent ON runs(parent_id) WHERE parent_id IS NOT NULL;
ALTER TABLE steps ADD COLUMN options TEXT;
ALTER TABLE steps ADD COLUMN attempt_log TEXT;
ALTER TABLE logs ADD COLUMN key TEXT;
CREATE INDEX events_name_received ON events(name, received_at);
CREATE TABLE waits (
	run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	key      TEXT NOT NULL,
	until_at INTEGER,
	event    TEXT,
	wait_run TEXT,
	PRIMARY KEY (run_id, key)
);
CREATE INDEX waits_until ON waits(until_at) WHERE until_at IS NOT NULL;
CREATE INDEX waits_event ON waits(event) WHERE event IS NOT NULL;
CREATE INDEX waits_run ON waits(wait_run) WHERE wait_run IS NOT NULL;
CREATE TABLE instances (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	host         TEXT NOT NULL,
	pid          INTEGER NOT NULL,
	started_at   INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL,
	stopped_at   INTEGER
);
CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   INTEGER NOT NULL,
	revoked_at   INTEGER,
	last_used_at INTEGER
);
CREATE TABLE schedule_ticks (
	workflow  TEXT NOT NULL,
	trigger   TEXT NOT NULL,
	last_tick INTEGER NOT NULL,
	PRIMARY KEY (workflow, trigger)
);`},
		{6, "webhook rejections", `
CREATE TABLE webhook_rejections (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	at         INTEGER NOT NULL,
	endpoint   TEXT NOT NULL,
	remote     TEXT NOT NULL,
	reason     TEXT NOT NULL,
	event_id   TEXT,
	event_name TEXT,
	body_size  INTEGER NOT NULL
);`},
		{7, "list changes", `
CREATE INDEX list_items_seq ON list_items(list_name, seq);
CREATE TABLE list_removals (
	list_name TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	version   INTEGER NOT NULL,
	value     TEXT NOT NULL
);
CREATE INDEX list_removals_version ON list_removals(list_name, version);`},
		{8, "glob waits", `
ALTER TABLE waits ADD COLUMN glob INTEGER NOT NULL DEFAULT 0;
UPDATE waits SET glob = 1 WHERE instr(event, '*') > 0 OR instr(event, '?') > 0 OR instr(event, '[') > 0;
CREATE INDEX waits_glob ON waits(glob) WHERE glob = 1;`},
		{9, "list chunks", `
CREATE TABLE list_chunks (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	list_name  TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	import_id  TEXT,
	first_seq  INTEGER NOT NULL DEFAULT 0,
	n          INTEGER NOT NULL,
	lo         TEXT NOT NULL,
	hi         TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX list_chunks_lo ON list_chunks(list_name, lo);
CREATE INDEX list_chunks_import ON list_chunks(import_id) WHERE import_id IS NOT NULL;
CREATE TABLE list_chunk_items (
	chunk_id INTEGER PRIMARY KEY REFERENCES list_chunks(id) ON DELETE CASCADE,
	items    BLOB NOT NULL
);
CREATE TABLE list_dead (
	list_name TEXT NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	seq       INTEGER NOT NULL,
	PRIMARY KEY (list_name, seq)
) WITHOUT ROWID;`},
		// runs_status_started serves the queries on active runs as well (their status comes
		// first), and every index a run's creation, claim and end touch is one more page each
		// of those commits writes.
		{10, "one index less on runs", `
DROP INDEX runs_active;`},
	}
}

// SchemaVersion is the schema version this build of wf writes.
func SchemaVersion() int { return len(schemaMigrations()) }

// migrate applies the migrations db lacks, each in its own IMMEDIATE transaction that
// re-reads the current version first, so two processes opening one file at once apply each
// migration exactly once. A database newer than migs is refused.
//
// A database that is up to date is only read: opening the store then takes no write lock, so
// it does not wait for a writer in another process (a long import).
func migrate(ctx context.Context, db *sql.DB, migs []migration, now func() time.Time) error {
	if cur, err := currentVersion(ctx, db, len(migs)); err == nil && cur == len(migs) {
		return nil
	} else if cur > len(migs) {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	for _, m := range migs {
		if err := applyMigration(ctx, db, m, len(migs), now); err != nil {
			return err
		}
	}
	// A database with no migration left to apply may still be newer than this build.
	_, err := currentVersion(ctx, db, len(migs))
	return err
}

func applyMigration(ctx context.Context, db *sql.DB, m migration, latest int, now func() time.Time) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	cur, err := currentVersion(ctx, tx, latest)
	if err != nil || cur >= m.version {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now().UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// currentVersion returns the highest applied migration, refusing one above latest.
func currentVersion(ctx context.Context, q querier, latest int) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, err
	}
	if v > latest {
		return v, fmt.Errorf("store: database schema version %d is newer than this wf (%d)", v, latest)
	}
	return v, nil
}
