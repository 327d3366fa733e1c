package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// The writer connection's statements run on the driver directly.
//
// database/sql wraps every statement it runs: it converts the arguments into a new slice,
// takes the connection's lock through closures, wraps the driver's result and tracks each
// statement's dependencies: a dozen allocations and a few microseconds per statement, with
// a recorded run making about fifteen (three BEGIN/COMMIT pairs, its rows, two point reads).
// On the writer connection none of that buys anything: the Store holds that connection for
// its whole life and every use of it, through database/sql or not, happens under txmu, so no
// two ever overlap. Each statement prepared on the writer connection is therefore prepared a
// second time on the driver's connection (a rawStmt) and executed there, with an argument
// slice the writer reuses. Queries that scan into many columns inside a write transaction
// still go through database/sql (their *sql.Rows); the point reads of a run's hot path
// (readPoint) use the raw statements too.
//
// database/sql's Conn.Raw hands out the driver connection for the duration of a callback
// and asks that it not be used after it. What such a use could meet is database/sql's own use
// of the connection: closing it, resetting it for the pool, a statement run through it. Here
// the connection is not returned to the pool before Close, the raw statements are closed
// before it, and txmu orders every use, through database/sql or not, as the callback would.

// rawWriter is the writer's driver connection with the scratch space of its statements.
// Only the holder of txmu uses it.
type rawWriter struct {
	conn driver.ConnPrepareContext
	args []driver.NamedValue
	vals []driver.Value
}

// rawStmt is a statement prepared on the writer's driver connection.
type rawStmt struct {
	st    driver.Stmt
	exec  driver.StmtExecContext
	query driver.StmtQueryContext
}

// errRawUnsupported is returned when the driver's connection or statements lack the
// context-aware interfaces (modernc.org/sqlite has them all).
var errRawUnsupported = errors.New("store: the sqlite driver does not support direct statements")

// newRawWriter takes the driver connection under c.
func newRawWriter(c *sql.Conn) (*rawWriter, error) {
	w := &rawWriter{}
	err := c.Raw(func(dc any) error {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errRawUnsupported
		}
		w.conn = p
		return nil
	})
	return w, err
}

func (w *rawWriter) prepare(ctx context.Context, query string) (*rawStmt, error) {
	st, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	e, okE := st.(driver.StmtExecContext)
	q, okQ := st.(driver.StmtQueryContext)
	if !okE || !okQ {
		_ = st.Close()
		return nil, errRawUnsupported
	}
	return &rawStmt{st: st, exec: e, query: q}, nil
}

// bind fills the reused argument slice as database/sql would: driver values as they are,
// anything else (an int, a Valuer) through the driver package's default converter.
func (w *rawWriter) bind(args []any) ([]driver.NamedValue, error) {
	nv := w.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			clear(nv)
			return nil, fmt.Errorf("store: argument %d: %w", i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	w.args = nv
	return nv, nil
}

func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, float64, bool, []byte, string:
		return v, nil
	case int:
		return int64(v), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// exec runs st with args. The driver binds (copies) the arguments before it returns, so the
// slice is reused by the next statement.
func (w *rawWriter) exec(st *rawStmt, args ...any) (sql.Result, error) {
	nv, err := w.bind(args)
	if err != nil {
		return nil, err
	}
	res, err := st.exec.ExecContext(context.Background(), nv)
	clear(nv)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// query runs st with args and calls each with the columns of row after row (valid until
// each returns) while it returns true, after checking that the query has cols columns.
func (w *rawWriter) query(st *rawStmt, cols int, each func([]driver.Value) (bool, error), args []any) (err error) {
	nv, err := w.bind(args)
	if err != nil {
		return err
	}
	rows, err := st.query.QueryContext(context.Background(), nv)
	clear(nv)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
	}()
	if n := len(rows.Columns()); n != cols {
		return fmt.Errorf("store: %d columns scanned into %d values", n, cols)
	}
	if cap(w.vals) < cols {
		w.vals = make([]driver.Value, cols)
	}
	vals := w.vals[:cols]
	defer clear(vals)
	for {
		if err := rows.Next(vals); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		if more, err := each(vals); err != nil || !more {
			return err
		}
	}
}

// queryRow runs st, a query of one row, and stores its columns in dest as Row.Scan would,
// for the destinations the point reads use (*string, *[]byte, *int64, *int); sql.ErrNoRows when
// there is no row. A *[]byte gets its own copy: the driver's values are valid only until
// the next call.
func (w *rawWriter) queryRow(st *rawStmt, dest []any, args ...any) error {
	found := false
	err := w.query(st, len(dest), func(vals []driver.Value) (bool, error) {
		found = true
		for i, v := range vals {
			if err := assign(dest[i], v); err != nil {
				return false, fmt.Errorf("store: column %d: %w", i+1, err)
			}
		}
		return false, nil // as Row.Scan, the first row only
	}, args)
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return err
}

// queryStrings runs st, a query of one TEXT column, and returns its values.
func (w *rawWriter) queryStrings(st *rawStmt, args ...any) ([]string, error) {
	var out []string
	err := w.query(st, 1, func(vals []driver.Value) (bool, error) {
		var s string
		if err := assign(&s, vals[0]); err != nil {
			return false, err
		}
		out = append(out, s)
		return true, nil
	}, args)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// assign stores a driver value in a scan destination.
func assign(dest, v any) error {
	switch d := dest.(type) {
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
			return nil
		case []byte:
			*d = string(x)
			return nil
		}
	case *[]byte:
		switch x := v.(type) {
		case string:
			*d = []byte(x)
			return nil
		case []byte:
			*d = append([]byte(nil), x...)
			return nil
		}
	case *int64:
		if x, ok := v.(int64); ok {
			*d = x
			return nil
		}
	case *int:
		if x, ok := v.(int64); ok && int64(int(x)) == x {
			*d = int(x)
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}

func (s *rawStmt) close() error { return s.st.Close() }
