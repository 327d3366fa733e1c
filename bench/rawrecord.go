package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/runtime/store/sqlite"
)

// RawRecorder writes, with plain SQL on one SQLite connection, the rows
// one recorded run of RecordWorkflow writes, in the same order and in the
// same commits as the store (see Run).
// It is the floor of the recorded-run benchmark: no interpreter, no JSON,
// no reads, and statements prepared once, as the store prepares its own.
type RawRecorder struct {
	// Path is the database file.
	Path string
	db   *sql.DB
	st   map[string]*sql.Stmt // by SQL text
	t    template
	n    int
	ctx  context.Context
}

// template holds the values of one run's rows, copied from a real run.
type template struct {
	workflow, version, trigger, event, outputs string
	inquiry, kase, idem                        string // objects' data
	steps                                      [3]struct{ key, name, args, result string }
	actions                                    [3]struct{ id, data string } // applied_action objects; id without the run id
	logs                                       [2]struct{ message, pos string }
}

// NewRawRecorder creates the store's schema at path (through sqlite.Open),
// opens it as the store does (WAL, synchronous NORMAL, foreign keys, one
// writer connection), and copies the row values of the run runID from the
// store at from.
func NewRawRecorder(ctx context.Context, path, from, runID string) (*RawRecorder, error) {
	t, err := readTemplate(ctx, from, runID)
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	r := &RawRecorder{Path: path, db: db, st: map[string]*sql.Stmt{}, t: t, ctx: ctx}
	for _, q := range []string{insertObject, updateObject, insertRun, insertLog, insertStep, finishRun, beginTx, commitTx, rollbackTx} {
		if r.st[q], err = db.PrepareContext(ctx, q); err != nil {
			db.Close()
			return nil, err
		}
	}
	return r, nil
}

// writerDSN mirrors the store's writer connection string.
func writerDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(1)", "synchronous(NORMAL)", "journal_mode(WAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	return u.String()
}

// readTemplate reads the rows of run runID from the store file at from.
func readTemplate(ctx context.Context, from, runID string) (template, error) {
	var t template
	db, err := sql.Open("sqlite", from)
	if err != nil {
		return t, err
	}
	defer db.Close()
	row := func(q string, dst ...any) {
		if err == nil {
			err = db.QueryRowContext(ctx, q, runID).Scan(dst...)
		}
	}
	row(`SELECT workflow, version, trigger, event, outputs FROM runs WHERE id = ?`,
		&t.workflow, &t.version, &t.trigger, &t.event, &t.outputs)
	row(`SELECT data FROM objects WHERE kind = 'inquiry' AND ? <> ''`, &t.inquiry)
	row(`SELECT data FROM objects WHERE kind = 'case' AND ? <> ''`, &t.kase)
	row(`SELECT data FROM objects WHERE kind = 'idempotency_key' AND id LIKE ? || ':%'`, &t.idem)
	for i := range t.steps {
		s := &t.steps[i]
		row(`SELECT key, name, args, result FROM steps WHERE run_id = ? ORDER BY seq LIMIT 1 OFFSET `+strconv.Itoa(i),
			&s.key, &s.name, &s.args, &s.result)
	}
	if err == nil {
		err = readActions(ctx, db, runID, &t)
	}
	for i := range t.logs {
		l := &t.logs[i]
		row(`SELECT message, pos FROM logs WHERE run_id = ? ORDER BY seq LIMIT 1 OFFSET `+strconv.Itoa(i), &l.message, &l.pos)
	}
	if err != nil {
		return t, fmt.Errorf("bench: reading run %s: %w", runID, err)
	}
	return t, nil
}

// readActions reads the applied_action objects of the run's three steps.
func readActions(ctx context.Context, db *sql.DB, runID string, t *template) error {
	rows, err := db.QueryContext(ctx, `SELECT id, data FROM objects WHERE kind = 'applied_action' AND id LIKE ? || ':%'
		ORDER BY id`, runID)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for ; rows.Next() && n < len(t.actions); n++ {
		var id string
		if err := rows.Scan(&id, &t.actions[n].data); err != nil {
			return err
		}
		t.actions[n].id = strings.TrimPrefix(id, runID)
	}
	if n != len(t.actions) {
		return fmt.Errorf("run %s has %d applied actions, want %d", runID, n, len(t.actions))
	}
	return rows.Err()
}

// Run writes the rows of one more run, in the commits the store makes them
// in: the inquiry with the run, the first log line, each step's change of
// objects with the record of its applied action, the three steps' outcomes
// with the second log line (they ride with the run's next write, see
// docs/running.md), the run's finish.
func (r *RawRecorder) Run() error {
	r.n++
	n := strconv.Itoa(r.n)
	run, inq, kase := "run_"+n, "inq_"+n, "case_"+n
	at := RecordStart.UnixNano()
	t := &r.t
	type stmt struct {
		q    string
		args []any
	}
	commits := [][]stmt{
		{{insertObject, []any{"inquiry", inq, t.inquiry, at, at}},
			{insertRun, []any{run, t.workflow, t.version, "running", t.trigger, t.event, 7, at, at}}},
		{{insertLog, []any{run, 1, at, t.logs[0].message, t.logs[0].pos}}},
		{{updateObject, []any{t.inquiry, at, "inquiry", inq}}, {insertObject, r.action(run, 0, at)}},
		{{updateObject, []any{t.inquiry, at, "inquiry", inq}}, {insertObject, r.action(run, 1, at)}},
		{{insertObject, []any{"case", kase, t.kase, at, at}},
			{insertObject, []any{"idempotency_key", run + ":" + t.steps[2].key, t.idem, at, at}},
			{insertObject, r.action(run, 2, at)}},
		{{insertStep, r.step(run, 0, at)}, {insertStep, r.step(run, 1, at)}, {insertStep, r.step(run, 2, at)},
			{insertLog, []any{run, 5, at, t.logs[1].message, t.logs[1].pos}}},
		{{finishRun, []any{"completed", t.outputs, at, run}}},
	}
	for _, c := range commits {
		if len(c) > 1 {
			if _, err := r.st[beginTx].ExecContext(r.ctx); err != nil {
				return err
			}
		}
		for _, s := range c {
			if _, err := r.st[s.q].ExecContext(r.ctx, s.args...); err != nil {
				if len(c) > 1 {
					r.st[rollbackTx].ExecContext(r.ctx)
				}
				return err
			}
		}
		if len(c) > 1 {
			if _, err := r.st[commitTx].ExecContext(r.ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *RawRecorder) action(run string, i int, at int64) []any {
	a := r.t.actions[i]
	return []any{"applied_action", run + a.id, a.data, at, at}
}

func (r *RawRecorder) step(run string, i int, at int64) []any {
	s := r.t.steps[i]
	// Steps and log lines share one sequence: log, three steps, log.
	return []any{run, s.key, i + 2, s.name, s.args, s.result, "completed", 1, at, at}
}

// Close closes the statements and the database.
func (r *RawRecorder) Close() error {
	for _, st := range r.st {
		st.Close()
	}
	return r.db.Close()
}

const (
	// The store runs its transactions the same way, on its one writer connection.
	beginTx, commitTx, rollbackTx = `BEGIN IMMEDIATE`, `COMMIT`, `ROLLBACK`

	insertObject = `INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`
	updateObject = `UPDATE objects SET data = ?, updated_at = ? WHERE kind = ? AND id = ?`
	insertRun    = `INSERT INTO runs(id, workflow, version, status, trigger, event, seed, clock_start, started_at, dry_run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`
	insertLog  = `INSERT INTO logs(run_id, seq, at, level, message, pos) VALUES (?, ?, ?, 'info', ?, ?)`
	insertStep = `INSERT INTO steps(run_id, key, seq, name, args, result, status, attempts, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	finishRun = `UPDATE runs SET status = ?, outputs = ?, finished_at = ? WHERE id = ?`
)
