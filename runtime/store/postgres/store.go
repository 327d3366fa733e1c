// Package postgres is the implementation of store.Store on one PostgreSQL database that any
// number of `wf serve` instances share (github.com/jackc/pgx/v5, a pool of connections).
//
// It keeps the semantics of the embedded store (the conformance suite in storetest holds both
// to them) under concurrency from several processes:
//
//   - every run transition is one conditional UPDATE, and READ COMMITTED re-checks its
//     condition on the row's newest version, so two instances never both claim a run;
//   - parking a run and accepting an event serialize on a transaction-scoped advisory lock
//     (shared for acceptances, exclusive for a park that waits for events and for
//     MaxEventSeq), so an event is either seen by the run's park check or wakes the parked
//     run, and the event sequence numbers a run has seen never hide one that commits later;
//   - a park that waits for another run locks that run's row (FOR SHARE), so the child's end
//     either is seen by the park or sees the parent's wait;
//   - a List is changed under its row lock, so its item sequence numbers and versions grow
//     in commit order and ListChanges misses nothing; every change is announced with
//     NOTIFY on ListChannel when it commits.
//
// Runs queued for no owner are handed to a queue engine in the same transaction (see Jobs),
// so an accepted event and the jobs of the runs it starts commit together.
//
// Times are BIGINT Unix nanoseconds (as in the embedded store: a run's clock start must read
// back exactly for replay), JSON is TEXT kept as given, keys and ordered text use the "C"
// collation (byte order, as SQLite's).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wf-lang/wf/runtime/store"
)

// Options tunes a Store; zero fields get the defaults documented on each.
type Options struct {
	store.Options
	// MaxConns caps the pool's connections (default 20); MinConns are kept open (default 2).
	MaxConns, MinConns int32
}

// Store is a WF store on PostgreSQL. It is safe for concurrent use by many goroutines and
// many processes.
type Store struct {
	pool       *pgxpool.Pool
	location   string
	now        func() time.Time
	staleAfter time.Duration
	jobs       Jobs
}

var _ store.Store = (*Store)(nil)

// IsURL reports whether name is a PostgreSQL connection URL (postgres:// or postgresql://).
func IsURL(name string) bool {
	return strings.HasPrefix(name, "postgres://") || strings.HasPrefix(name, "postgresql://")
}

// Open connects to the database at url and checks that its schema is this wf's: a database
// that Migrate has not brought up to date is refused (run `wf migrate`), and so is one
// migrated by a newer wf.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := connect(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// connect opens the pool and waits for the database to answer.
func connect(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", Redact(url), err)
	}
	cfg.MaxConns, cfg.MinConns = 20, 2
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.MinConns > 0 {
		cfg.MinConns = min(opts.MinConns, cfg.MaxConns)
	}
	cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", Redact(url), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: %s: %w", Redact(url), err)
	}
	o := opts.Options.WithDefaults()
	return &Store{pool: pool, location: Redact(url), now: o.Now, staleAfter: o.StaleAfter}, nil
}

// Redact returns url without its password, for logs and messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// Location is the database URL without its password.
func (s *Store) Location() string { return s.location }

// Pool is the store's connection pool, for a queue engine that shares the database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one)
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// liveSince is the oldest heartbeat of a live instance, in the column encoding.
func (s *Store) liveSince() int64 { return s.now().Add(-s.staleAfter).UnixNano() }

// inTx runs fn in one READ COMMITTED transaction and commits it, or rolls back on error. A
// deadlock (two transactions locking rows in a different order) or a connection lost before
// anything was sent is retried a few times with a backoff; fn must therefore have no effect
// but its statements.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(time.Duration(attempt*attempt) * 20 * time.Millisecond):
			}
		}
		err = retryConnect(ctx, func() error { return pgx.BeginFunc(ctx, s.pool, fn) })
		if !retryable(err) {
			return err
		}
	}
	return err
}

// connectRefused reports whether err is the server refusing a new connection for a while:
// it has max_connections clients ("too many clients", 53300) or is starting up or shutting
// down (57P03). Nothing was sent. (A server that does not answer at all is not waited for:
// the operation fails at once, and a webhook is answered 503.)
func connectRefused(err error) bool {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return false
	}
	code := pgCode(ce.Unwrap())
	return code == "53300" || code == "57P03"
}

// connectWaits are the waits between the attempts of an operation whose connection could
// not be opened: about 5 s in all.
var connectWaits = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond,
	400 * time.Millisecond, 800 * time.Millisecond, 1600 * time.Millisecond, 2 * time.Second}

// retryConnect runs fn, and again while the server refuses it a connection (see
// connectRefused), for about 5 s. The pool opens a connection when it has none idle, and the error of a
// refused one is the operation's: at its busiest moments a server at max_connections (several
// instances, or other clients) would otherwise fail a step's journaling, and so its run.
func retryConnect(ctx context.Context, fn func() error) error {
	err := fn()
	for _, wait := range connectWaits {
		if !connectRefused(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
		err = fn()
	}
	return err
}

// exec runs one statement, trying it again while the server refuses it a connection.
func (s *Store) exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := retryConnect(ctx, func() error {
		var err error
		tag, err = s.pool.Exec(ctx, sql, args...)
		return err
	})
	return tag, err
}

// retryable reports whether a failed transaction can be tried again as a whole: a deadlock
// or serialization failure (rolled back by the server), or a connection error before the
// request was sent.
func retryable(err error) bool {
	if err == nil {
		return false
	}

	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return pgconn.SafeToRetry(err)
}

// pgCode returns the SQLSTATE of a server error ("" for other errors).
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// missingRun turns a foreign-key failure on run_id into ErrNotFound.
func missingRun(runID string, err error) error {
	if pgCode(err) == "23503" {
		return fmt.Errorf("store: run %q: %w", runID, store.ErrNotFound)
	}
	return err
}

// Column encodings: times are BIGINT Unix nanoseconds (NULL for the zero time), JSON is TEXT
// (NULL when empty), optional strings are NULL when empty.

func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func timeCol(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n).UTC()
}

func nsTime(n int64) time.Time { return time.Unix(0, n).UTC() }

func jsonArg(raw []byte) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

func strArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func strCol(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func jsonCol(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}
