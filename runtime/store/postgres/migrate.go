package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// migration is one schema change. Versions are 1, 2, 3, … in slice order; a released
// migration is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string
}

// schemaMigrations returns the schema history, oldest first. The first one is the embedded
// store's schema as of its seventh migration, in PostgreSQL's terms, plus what a shared
// database needs: events and list items numbered by sequences, a queue generation per run
// (see Jobs), and a List's last item sequence number.
func schemaMigrations() []migration {
	return []migration{
		{1, "wf", `
CREATE TABLE versions (
	hash       TEXT COLLATE "C" PRIMARY KEY,
	path       TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	files      TEXT
);
CREATE TABLE runs (
	id          TEXT COLLATE "C" PRIMARY KEY,
	workflow    TEXT COLLATE "C" NOT NULL,
	version     TEXT NOT NULL,
	status      TEXT NOT NULL,
	trigger     TEXT,
	event       TEXT,
	inputs      TEXT,
	seed        BIGINT NOT NULL DEFAULT 0,
	clock_start BIGINT,
	started_at  BIGINT NOT NULL,
	finished_at BIGINT,
	outputs     TEXT,
	error       TEXT,
	parent_id   TEXT,
	dry_run     BOOLEAN NOT NULL DEFAULT FALSE,
	owner       TEXT,
	event_id    TEXT,
	trigger_id  TEXT COLLATE "C",
	rerun_of    TEXT,
	api_key     TEXT,
	root_id     TEXT,
	depth       INTEGER NOT NULL DEFAULT 0,
	queue_gen   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX runs_workflow_started ON runs(workflow, started_at, id);
CREATE INDEX runs_status_started ON runs(status, started_at, id);
CREATE INDEX runs_started ON runs(started_at, id);
CREATE INDEX runs_root ON runs(root_id) WHERE root_id IS NOT NULL;
CREATE UNIQUE INDEX runs_api_key ON runs(workflow, api_key) WHERE api_key IS NOT NULL;
CREATE INDEX runs_trigger_id ON runs(trigger_id, started_at) WHERE trigger_id IS NOT NULL;
CREATE INDEX runs_active ON runs(owner, status) WHERE status IN ('queued', 'running');
CREATE INDEX runs_parent ON runs(parent_id) WHERE parent_id IS NOT NULL;
CREATE TABLE steps (
	run_id      TEXT COLLATE "C" NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	key         TEXT COLLATE "C" NOT NULL,
	seq         BIGINT NOT NULL,
	name        TEXT NOT NULL,
	args        TEXT,
	result      TEXT,
	error       TEXT,
	status      TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	started_at  BIGINT,
	finished_at BIGINT,
	options     TEXT,
	attempt_log TEXT,
	PRIMARY KEY (run_id, key)
);
CREATE TABLE logs (
	run_id  TEXT COLLATE "C" NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	seq     BIGINT NOT NULL,
	at      BIGINT,
	level   TEXT NOT NULL,
	message TEXT NOT NULL,
	pos     TEXT,
	key     TEXT,
	PRIMARY KEY (run_id, seq)
);
CREATE TABLE events (
	seq         BIGSERIAL UNIQUE,
	id          TEXT COLLATE "C" PRIMARY KEY,
	name        TEXT COLLATE "C" NOT NULL,
	received_at BIGINT NOT NULL,
	body        TEXT,
	status      TEXT NOT NULL
);
CREATE INDEX events_status_received ON events(status, received_at, seq);
CREATE INDEX events_name_received ON events(name, received_at);
CREATE TABLE scheduled (
	id             TEXT COLLATE "C" PRIMARY KEY,
	workflow       TEXT NOT NULL,
	at             BIGINT NOT NULL,
	input          TEXT,
	created_by_run TEXT,
	status         TEXT NOT NULL
);
CREATE INDEX scheduled_status_at ON scheduled(status, at, id);
CREATE SEQUENCE list_version;
CREATE TABLE lists (
	name       TEXT COLLATE "C" PRIMARY KEY,
	kind       TEXT NOT NULL,
	version    BIGINT NOT NULL,
	item_count INTEGER NOT NULL DEFAULT 0,
	last_seq   BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE TABLE list_items (
	seq        BIGSERIAL PRIMARY KEY,
	list_name  TEXT COLLATE "C" NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	value      TEXT COLLATE "C" NOT NULL,
	id         TEXT,
	data       TEXT,
	created_at BIGINT NOT NULL,
	UNIQUE (list_name, value)
);
CREATE INDEX list_items_seq ON list_items(list_name, seq);
CREATE TABLE list_removals (
	list_name TEXT COLLATE "C" NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	version   BIGINT NOT NULL,
	value     TEXT NOT NULL
);
CREATE INDEX list_removals_version ON list_removals(list_name, version);
CREATE TABLE objects (
	kind       TEXT COLLATE "C" NOT NULL,
	id         TEXT COLLATE "C" NOT NULL,
	data       TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (kind, id)
);
CREATE TABLE deliveries (
	seq      BIGSERIAL PRIMARY KEY,
	event_id TEXT COLLATE "C" NOT NULL,
	workflow TEXT NOT NULL,
	status   TEXT NOT NULL,
	run_id   TEXT,
	error    TEXT,
	at       BIGINT NOT NULL
);
CREATE INDEX deliveries_event ON deliveries(event_id, seq);
CREATE TABLE waits (
	run_id   TEXT COLLATE "C" NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	key      TEXT COLLATE "C" NOT NULL,
	until_at BIGINT,
	event    TEXT COLLATE "C",
	wait_run TEXT COLLATE "C",
	PRIMARY KEY (run_id, key)
);
CREATE INDEX waits_until ON waits(until_at) WHERE until_at IS NOT NULL;
CREATE INDEX waits_event ON waits(event) WHERE event IS NOT NULL;
CREATE INDEX waits_run ON waits(wait_run) WHERE wait_run IS NOT NULL;
CREATE TABLE instances (
	id           TEXT COLLATE "C" PRIMARY KEY,
	kind         TEXT NOT NULL,
	host         TEXT NOT NULL,
	pid          INTEGER NOT NULL,
	started_at   BIGINT NOT NULL,
	heartbeat_at BIGINT NOT NULL,
	stopped_at   BIGINT
);
CREATE TABLE tokens (
	id           TEXT COLLATE "C" PRIMARY KEY,
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created_at   BIGINT NOT NULL,
	revoked_at   BIGINT,
	last_used_at BIGINT
);
CREATE TABLE schedule_ticks (
	workflow  TEXT COLLATE "C" NOT NULL,
	trigger   TEXT COLLATE "C" NOT NULL,
	last_tick BIGINT NOT NULL,
	PRIMARY KEY (workflow, trigger)
);
CREATE TABLE webhook_rejections (
	seq        BIGSERIAL PRIMARY KEY,
	at         BIGINT NOT NULL,
	endpoint   TEXT NOT NULL,
	remote     TEXT NOT NULL,
	reason     TEXT NOT NULL,
	event_id   TEXT,
	event_name TEXT,
	body_size  BIGINT NOT NULL
);`},
		{2, "list chunks", `
CREATE TABLE list_chunks (
	id         BIGSERIAL PRIMARY KEY,
	list_name  TEXT COLLATE "C" NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	import_id  TEXT COLLATE "C",
	first_seq  BIGINT NOT NULL DEFAULT 0,
	n          INTEGER NOT NULL,
	lo         TEXT COLLATE "C" NOT NULL,
	hi         TEXT COLLATE "C" NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX list_chunks_lo ON list_chunks(list_name, lo);
CREATE INDEX list_chunks_import ON list_chunks(import_id) WHERE import_id IS NOT NULL;
CREATE TABLE list_chunk_items (
	chunk_id BIGINT PRIMARY KEY REFERENCES list_chunks(id) ON DELETE CASCADE,
	items    BYTEA NOT NULL
);
ALTER TABLE list_chunk_items ALTER COLUMN items SET STORAGE EXTERNAL;
CREATE TABLE list_dead (
	list_name TEXT COLLATE "C" NOT NULL REFERENCES lists(name) ON DELETE CASCADE,
	seq       BIGINT NOT NULL,
	PRIMARY KEY (list_name, seq)
);`},
	}
}

// SchemaVersion is the schema version this build of wf writes.
func SchemaVersion() int { return len(schemaMigrations()) }

// migrationLock is the key of the advisory lock Migrate holds, within the current schema.
const migrationLock = `hashtext(current_schema() || '.wf_migrate')`

// Migrate brings the database at url up to date: wf's own tables (in one transaction) and
// River's, the job queue's (each of its migrations in its own: some cannot share one). An
// advisory lock held meanwhile makes a second `wf migrate` at once wait, then find nothing to
// do. It returns the migrations applied, as "wf 1 (wf)" and "river 6 (…)"; none when the
// database was up to date.
func Migrate(ctx context.Context, url string) ([]string, error) {
	s, err := connect(ctx, url, Options{MaxConns: 4})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+migrationLock+`)`); err != nil {
		return nil, err
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+migrationLock+`)`) }()
	var applied []string
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		applied = nil
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		cur, err := currentVersion(ctx, tx)
		if err != nil {
			return err
		}
		if cur > SchemaVersion() {
			return fmt.Errorf("store: %s: database schema version %d is newer than this wf (%d)", s.location, cur, SchemaVersion())
		}
		for _, m := range schemaMigrations() {
			if m.version <= cur {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, s.now().UnixNano()); err != nil {
				return err
			}
			applied = append(applied, fmt.Sprintf("wf %d (%s)", m.version, m.name))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return applied, err
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return applied, fmt.Errorf("store: River's migrations: %w", err)
	}
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river %d (%s)", v.Version, v.Name))
	}
	return applied, nil
}

// ErrUnmigrated reports a database whose schema is older than this wf's (or absent).
var ErrUnmigrated = errors.New("the database is not migrated")

// checkSchema refuses a database that is not exactly at this wf's schema, and one where
// River's tables are missing or old.
func (s *Store) checkSchema(ctx context.Context) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return err
	}
	cur := 0
	if exists {
		var err error
		if cur, err = currentVersion(ctx, s.pool); err != nil {
			return err
		}
	}
	latest := SchemaVersion()
	switch {
	case cur > latest:
		return fmt.Errorf("store: %s: database schema version %d is newer than this wf (%d)", s.location, cur, latest)
	case cur < latest:
		return fmt.Errorf("store: %s: %w (schema version %d, this wf needs %d): run `wf migrate --store URL` first",
			s.location, ErrUnmigrated, cur, latest)
	}
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), nil)
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return err
	}
	if !res.OK {
		return fmt.Errorf("store: %s: %w (River's tables: %s): run `wf migrate --store URL` first",
			s.location, ErrUnmigrated, strings.Join(res.Messages, "; "))
	}
	return nil
}

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// currentVersion returns the highest applied wf migration.
func currentVersion(ctx context.Context, q rowQuerier) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
