package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// Every statement a write transaction can run on the writer connection has its twin on the
// driver's connection, and the statements run there: a write made through them is read back
// through database/sql.
func TestWriterStatementsRunOnTheDriver(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	for _, st := range []*sql.Stmt{s.st.begin, s.st.commit, s.st.rollback, s.st.insertRun, s.st.finishRun,
		s.st.upsertStep, s.st.upsertObject, s.st.onWriter[s.st.getObject], s.st.onWriter[s.st.getList]} {
		assert.NotNil(t, s.st.raw[st])
	}
	for w, r := range s.st.onWriter {
		assert.NotNil(t, s.st.raw[r], "reader statement %p has no twin on the driver", w)
	}

	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1", "n": int64(7)}))
	var data string
	require.NoError(t, s.readers.QueryRowContext(ctx, `SELECT data FROM objects WHERE id = 'inq_1'`).Scan(&data))
	assert.JSONEq(t, `{"id":"inq_1","n":7}`, data)
	obj, err := s.GetObject(ctx, "inquiry", "inq_1") // readPoint, on the driver
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"id": "inq_1", "n": int64(7)}, obj)

	// A statement given as text in a write transaction is kept prepared with its twin.
	const q = `SELECT id FROM objects WHERE kind = ? ORDER BY id`
	require.NoError(t, s.write(ctx, func(tx dbtx) error {
		ids, err := tx.Strings(ctx, q, "inquiry")
		assert.Equal(t, []string{"inq_1"}, ids)
		return err
	}))
	assert.NotNil(t, s.st.raw[s.st.byText[q]])
}

// A write runs on the driver's twin of its statement, not on the database/sql statement:
// with the twin replaced by one that writes something else, the write writes that.
func TestWritesRunOnTheTwins(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	s.txmu.Lock()
	twin, err := s.st.prepareRaw(ctx, s.raw, `INSERT INTO objects(kind, id, data, created_at, updated_at)
		VALUES (?, ?, '{"written": "by the twin"}', ?, ?)`)
	if err == nil {
		s.st.raw[s.st.upsertObject] = twin
	}
	s.txmu.Unlock()
	require.NoError(t, err)
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_1", map[string]any{"id": "inq_1"}))
	obj, err := s.GetObject(ctx, "inquiry", "inq_1")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"written": "by the twin"}, obj)
}

// The driver path converts arguments and scans columns as database/sql does, and says so
// when it cannot.
func TestRawArgumentsAndColumns(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	s.txmu.Lock()
	defer s.txmu.Unlock()
	st, err := s.raw.prepare(ctx, `SELECT ?, ?, ?, ?, ?`)
	require.NoError(t, err)
	defer st.close()

	var a, e string
	var b int64
	var c int
	var d []byte
	at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	// An int, a Valuer and a time go through the driver package's converter.
	require.NoError(t, s.raw.queryRow(st, []any{&a, &b, &c, &d, &e}, "x", int64(1<<40), 42, sql.NullString{String: "y", Valid: true}, at))
	assert.Equal(t, "x", a)
	assert.Equal(t, int64(1<<40), b)
	assert.Equal(t, 42, c)
	assert.Equal(t, []byte("y"), d)
	assert.NotEmpty(t, e)

	err = s.raw.queryRow(st, []any{&a, &b, &c, &d}, "x", 1, 2, "y", "z")
	assert.ErrorContains(t, err, "5 columns scanned into 4 values")
	var f float64
	err = s.raw.queryRow(st, []any{&a, &b, &c, &d, &f}, "x", 1, 2, "y", "z")
	assert.ErrorContains(t, err, "column 5: cannot store string in *float64")
	err = s.raw.queryRow(st, []any{&a, &b, &c, &d, &e}, "x", 1, 2, "y", struct{}{})
	assert.ErrorContains(t, err, "argument 5")
	err = s.raw.queryRow(st, []any{&a, &b, &c, &d, &e}, "x", "not a number", 2, "y", "z")
	assert.ErrorContains(t, err, "column 2: cannot store string in *int64")

	two, err := s.raw.prepare(ctx, `SELECT ? UNION ALL SELECT ?`)
	require.NoError(t, err)
	defer two.close()
	require.NoError(t, s.raw.queryRow(two, []any{&a}, "first", "second"))
	assert.Equal(t, "first", a, "as Row.Scan, the first row")
	all, err := s.raw.queryStrings(two, "first", "second")
	require.NoError(t, err)
	assert.Equal(t, []string{"first", "second"}, all)
	_, err = s.raw.queryStrings(st, "x", 1, 2, "y", "z")
	assert.ErrorContains(t, err, "5 columns scanned into 1 values")

	none, err := s.raw.prepare(ctx, `SELECT 1 WHERE 0`)
	require.NoError(t, err)
	defer none.close()
	assert.ErrorIs(t, s.raw.queryRow(none, []any{&b}), sql.ErrNoRows)
}

// A failed statement on the driver path leaves the transaction rolled back and the
// connection usable.
func TestRawFailureRollsBack(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	err := s.write(ctx, func(tx dbtx) error {
		if err := s.putObjectsTx(ctx, tx, []store.Object{{Kind: "inquiry", ID: "inq_1"}}, []string{`{}`}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
		return err
	})
	require.ErrorContains(t, err, "no_such_table")
	_, err = s.GetObject(ctx, "inquiry", "inq_1")
	assert.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, s.PutObject(ctx, "inquiry", "inq_2", map[string]any{}))
	_, err = s.GetObject(ctx, "inquiry", "inq_2")
	assert.NoError(t, err)
}
