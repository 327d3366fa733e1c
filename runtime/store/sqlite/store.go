// Package sqlite is the embedded implementation of store.Store: everything lives in one SQLite
// file (modernc.org/sqlite, pure Go), by default <dir>/.wf/wf.db, with nothing to install.
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL, set explicitly. In WAL mode NORMAL
// syncs the WAL only at checkpoints, not at every commit, so a commit is a write(2) to the WAL
// and costs no fsync. A committed transaction survives any crash of the application (the data
// is in the OS page cache and the WAL is replayed on the next open) and the database never
// corrupts; a power loss or kernel crash may lose the last few commits. Use
// Options{Synchronous: "FULL"} to fsync the WAL on every commit when that window matters more
// than write throughput.
//
// # Connections
//
// A Store holds one writer connection and a small pool of reader connections. SQLite allows one
// writer at a time; several writer connections in one process would only contend for the write
// lock and surface SQLITE_BUSY under load (a deferred transaction that reads and then writes
// cannot wait for the lock, it fails). With a single writer, concurrent writes queue for it
// and share its commits (see batch.go), every write transaction begins IMMEDIATE, and WAL
// lets the readers run alongside the writer without blocking it. The writer's statements run
// on the driver's connection directly (see raw.go). busy_timeout still covers other
// processes using the same file.
//
// # Time
//
// Times are stored as INTEGER Unix nanoseconds (sortable, compact, no formatting cost) and
// returned as time.Time in UTC; the zero time is stored as NULL.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wf-lang/wf/runtime/store"
)

// DefaultPath returns the default database path for a working directory: <dir>/.wf/wf.db.
func DefaultPath(dir string) string {
	return filepath.Join(dir, ".wf", "wf.db")
}

// Options tunes a Store; the zero value is the recommended configuration.
type Options struct {
	// Synchronous is the SQLite synchronous level: "NORMAL" (default) or "FULL"
	// (fsync on every commit; survives power loss at a write-throughput cost).
	Synchronous string
	// BusyTimeout is how long a connection waits for a lock held by another
	// process (default 5s).
	BusyTimeout time.Duration
	// Readers is the size of the reader connection pool (default 4).
	Readers int
	// Now is the clock used for created/updated times the caller leaves zero
	// (default time.Now).
	Now func() time.Time
	// StaleAfter is how long an instance may miss heartbeats before its runs
	// count as interrupted (default DefaultStaleAfter).
	StaleAfter time.Duration
}

func (o Options) withDefaults() (Options, error) {
	switch strings.ToUpper(o.Synchronous) {
	case "":
		o.Synchronous = "NORMAL"
	case "NORMAL", "FULL", "EXTRA":
		o.Synchronous = strings.ToUpper(o.Synchronous)
	default:
		return o, fmt.Errorf("store: synchronous must be NORMAL, FULL or EXTRA, got %q", o.Synchronous)
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Readers <= 0 {
		o.Readers = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = store.DefaultStaleAfter
	}
	return o, nil
}

// makeDir makes sure the store's directory exists. Only a missing .wf
// directory (the default layout, <dir>/.wf/wf.db) is created, readable by
// its owner alone; a path in another missing directory is an error, so a
// mistyped --store does not quietly start a new, empty store.
func makeDir(path, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	if filepath.Base(dir) != ".wf" {
		return fmt.Errorf("store: open %s: the directory %s does not exist (create it first; only a .wf directory is made)", path, filepath.Dir(path))
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("store: open %s: %w", path, err)
	}
	return nil
}

// Store is the embedded WF database. It is safe for concurrent use by many goroutines.
type Store struct {
	path    string
	writer  *sql.DB // exactly one connection: SQLite has one writer at a time
	readers *sql.DB // query_only pool
	// wconn is the writer's one connection, held for the Store's life: write transactions
	// run on it as BEGIN IMMEDIATE … COMMIT through statements prepared on it, which
	// costs a fraction of database/sql's Tx (a context, a goroutine and a statement copy
	// per transaction). txmu makes one transaction at a time use it; wtx is that
	// transaction. raw is the same connection as the driver's, where its statements run
	// (see raw.go).
	wconn *sql.Conn
	raw   *rawWriter
	txmu  sync.Mutex
	wtx   wtx
	// commits counts the write transactions committed (tests of the group commit read it).
	commits atomic.Int64
	now     func() time.Time
	// staleAfter is Options.StaleAfter.
	staleAfter time.Duration
	st         stmts
	// The group commit's queue (see batch.go), guarded by qmu: the writes waiting, whether
	// one is leading, the leader's batch, closed once Close began, idle signalled when the
	// last leader stops.
	qmu     sync.Mutex
	pending []*writeOp
	leading bool
	batch   []*writeOp
	closed  bool
	idle    *sync.Cond
}

// Open opens (creating if needed) the database at path with the default Options and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens (creating if needed) the database at path with opts and brings its schema up
// to date. A file that is not a SQLite database, or one written by a newer wf, is an error.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := makeDir(path, filepath.Dir(abs)); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("store: open %s: is a directory", path)
	}
	// The store holds personal data: a new database is its owner's alone
	// (SQLite gives its -wal and -shm files the same mode).
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
	s := &Store{path: abs, now: opts.Now, staleAfter: opts.StaleAfter}
	s.idle = sync.NewCond(&s.qmu)
	if err := s.open(ctx, opts); err != nil {
		s.closeDBs()
		return nil, openError(path, err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, opts Options) error {
	var err error
	if s.writer, err = sql.Open("sqlite", dsn(s.path, opts, false)); err != nil {
		return err
	}
	s.writer.SetMaxOpenConns(1)
	s.writer.SetMaxIdleConns(1)
	s.writer.SetConnMaxLifetime(0)
	s.writer.SetConnMaxIdleTime(0)
	if err := s.writer.PingContext(ctx); err != nil {
		return err
	}
	if err := migrate(ctx, s.writer, schemaMigrations(), s.now); err != nil {
		return err
	}
	if s.readers, err = sql.Open("sqlite", dsn(s.path, opts, true)); err != nil {
		return err
	}
	s.readers.SetMaxOpenConns(opts.Readers)
	s.readers.SetMaxIdleConns(opts.Readers)
	if s.wconn, err = s.writer.Conn(ctx); err != nil {
		return err
	}
	if s.raw, err = newRawWriter(s.wconn); err != nil {
		return err
	}
	s.wtx = wtx{c: s.wconn, raw: s.raw, st: &s.st}
	return s.st.prepare(ctx, s.wconn, s.raw, s.readers)
}

// dsn builds the connection string. Pragmas go in _pragma parameters so that every pooled
// connection gets them, not only the first one.
func dsn(path string, opts Options, reader bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+opts.Synchronous+")")
	if reader {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// openError turns driver errors at open time into messages a user can act on.
func openError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("store: open %s: file is not a SQLite database", path)
		case sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("store: open %s: database file is corrupted", path)
		case sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("store: open %s: cannot open the database file", path)
		}
	}
	if strings.HasPrefix(err.Error(), "store: ") {
		return err
	}
	return fmt.Errorf("store: open %s: %w", path, err)
}

// Path returns the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// Location is the absolute path of the database file.
func (s *Store) Location() string { return s.path }

var _ store.Store = (*Store)(nil)

// Close releases the prepared statements and connections. The writer closes last so that
// SQLite checkpoints the WAL into the main file.
func (s *Store) Close() error {
	s.qmu.Lock()
	s.closed = true
	for s.leading {
		s.idle.Wait() // the writes queued before are committed first
	}
	s.qmu.Unlock()
	s.txmu.Lock()
	defer s.txmu.Unlock()
	s.st.close()
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.readers != nil {
		errs = append(errs, s.readers.Close())
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.Close())
	}
	return errors.Join(errs...)
}

// pointRead is the context of reads of one row by its key that a run makes on its hot path
// (an object for the local backend, a List's header), once the caller's context was checked:
// such a read takes microseconds, and with a context that can be cancelled the driver
// starts a goroutine per statement to watch it.
var pointRead = context.Background()

// readPoint runs st, a reader statement that reads one row by its key, and stores the row's
// columns in dest (*string, *[]byte, *int64 or *int), or returns sql.ErrNoRows. When no write
// holds the writer connection it runs there, on the driver directly: that connection's page
// cache stays valid across its own commits, where a reader's is dropped at every commit and
// its pages read again. Otherwise it runs on the reader pool. Either sees every committed
// write.
func (s *Store) readPoint(st *sql.Stmt, dest []any, args ...any) error {
	if s.txmu.TryLock() {
		w, ok := s.st.raw[s.st.onWriter[st]]
		if ok && !s.st.closed {
			defer s.txmu.Unlock()
			return s.raw.queryRow(w, dest, args...)
		}
		s.txmu.Unlock()
	}
	return st.QueryRowContext(pointRead, args...).Scan(dest...)
}

// dbtx is what a transaction's statements run in: a write transaction (wtx) or a read-only
// *sql.Tx on the reader pool, for code both use.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	StmtContext(ctx context.Context, st *sql.Stmt) stmt
	// Strings runs a query of one TEXT column and returns its values.
	Strings(ctx context.Context, query string, args ...any) ([]string, error)
}

// stmt is a prepared statement bound to a transaction. In a write transaction it runs with
// a context that cannot be cancelled, whatever its caller passes (see wtx); in a read
// transaction, with the caller's.
type stmt struct {
	st  *sql.Stmt
	ctx context.Context // nil: the caller's
	// raw, in a write transaction, is st on the writer's driver connection, where ExecContext
	// runs it (see raw.go).
	raw *rawStmt
	w   *rawWriter
}

func (b stmt) use(ctx context.Context) context.Context {
	if b.ctx != nil {
		return b.ctx
	}
	return ctx
}

func (b stmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if b.raw != nil {
		return b.w.exec(b.raw, args...)
	}
	return b.st.ExecContext(b.use(ctx), args...)
}

func (b stmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return b.st.QueryContext(b.use(ctx), args...)
}

func (b stmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return b.st.QueryRowContext(b.use(ctx), args...)
}

// rtx is a read transaction (or a migration's) as a dbtx.
type rtx struct{ *sql.Tx }

func (t rtx) StmtContext(ctx context.Context, st *sql.Stmt) stmt {
	return stmt{st: t.Tx.StmtContext(ctx, st)}
}

func (t rtx) Strings(ctx context.Context, query string, args ...any) ([]string, error) {
	return queryStrings(t.QueryContext(ctx, query, args...))
}

// wtx is the write transaction open on the writer connection (see inTx). Its statements run
// to the end whatever their caller's context: a write that has begun is committed or rolled
// back whole, and an uncancellable context spares the driver a watcher goroutine per
// statement.
type wtx struct {
	c   *sql.Conn
	raw *rawWriter
	st  *stmts
}

func (t *wtx) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.cached(query); st != nil {
		if r := t.st.raw[st]; r != nil {
			return t.raw.exec(r, args...)
		}
		return st.ExecContext(context.Background(), args...)
	}
	return t.c.ExecContext(context.Background(), query, args...)
}

func (t *wtx) Strings(_ context.Context, query string, args ...any) ([]string, error) {
	if st := t.cached(query); st != nil {
		if r := t.st.raw[st]; r != nil {
			return t.raw.queryStrings(r, args...)
		}
	}
	return queryStrings(t.c.QueryContext(context.Background(), query, args...))
}

func (t *wtx) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.cached(query); st != nil {
		return st.QueryContext(context.Background(), args...)
	}
	return t.c.QueryContext(context.Background(), query, args...)
}

func (t *wtx) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	if st := t.cached(query); st != nil {
		return st.QueryRowContext(context.Background(), args...)
	}
	return t.c.QueryRowContext(context.Background(), query, args...)
}

// maxCached bounds the statements wtx keeps prepared by their text: the store's own SQL is
// a few dozen constant strings, and text built per call (an IN list of n values) must not
// grow the cache without end.
const maxCached = 128

// cached returns query prepared on the writer connection, preparing it the first time
// (SQLite compiles a statement each time it is given as text: for the wake-up query of
// every finished run that was most of the transaction's cost). It returns nil when the
// cache is full or the text does not prepare, and the caller runs the text as given (and
// gets the error).
func (t *wtx) cached(query string) *sql.Stmt {
	if st, ok := t.st.byText[query]; ok {
		return st
	}
	if len(t.st.byText) >= maxCached {
		return nil
	}
	st, err := t.c.PrepareContext(context.Background(), query)
	if err != nil {
		return nil
	}
	t.st.byText[query] = st
	t.st.all = append(t.st.all, st)
	if r, err := t.st.prepareRaw(context.Background(), t.raw, query); err == nil {
		t.st.raw[st] = r
	}
	return st
}

// StmtContext returns st as prepared on the writer connection (every statement is; see
// stmts.prepare).
func (t *wtx) StmtContext(_ context.Context, st *sql.Stmt) stmt {
	if c, ok := t.st.onWriter[st]; ok {
		st = c
	}
	return stmt{st: st, ctx: context.Background(), raw: t.st.raw[st], w: t.raw}
}

// inTx runs fn in one IMMEDIATE write transaction on the writer connection and commits it,
// or rolls back on error. Transactions take turns (txmu).
func (s *Store) inTx(ctx context.Context, fn func(dbtx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.txmu.Lock()
	defer s.txmu.Unlock()
	if s.wconn == nil || s.st.closed {
		return errClosed
	}
	begin, commit, rollback := s.st.raw[s.st.begin], s.st.raw[s.st.commit], s.st.raw[s.st.rollback]
	if _, err := s.raw.exec(begin); err != nil {
		return err
	}
	if err := fn(&s.wtx); err != nil {
		if _, rerr := s.raw.exec(rollback); rerr != nil {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rerr))
		}
		return err
	}
	if _, err := s.raw.exec(commit); err != nil {
		// A failed COMMIT may leave the transaction open (SQLITE_BUSY): end it.
		_, _ = s.raw.exec(rollback)
		return err
	}
	s.commits.Add(1)
	return nil
}

// affected reports whether an exec changed at least one row.
func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.readers.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}
