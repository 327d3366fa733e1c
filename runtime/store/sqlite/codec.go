package sqlite

import (
	"database/sql"
	"encoding/json"
	"time"
	"unsafe"
)

// Column encodings shared by every table: times are INTEGER Unix nanoseconds (NULL for the zero
// time), JSON is TEXT (NULL when empty), optional strings are NULL when empty.

// timeArg encodes t for a query argument.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// timeCol decodes a nullable nanosecond column.
func timeCol(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// jsonArg encodes raw JSON as TEXT, or NULL when empty.
func jsonArg(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	// The text is not copied: the driver copies it when it binds the argument, before the
	// statement returns, and nothing writes to a record's JSON once it is made (a run's
	// trigger and event are kilobytes each).
	return unsafe.String(unsafe.SliceData(raw), len(raw))
}

// strArg encodes an optional string, NULL when empty.
func strArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// strCol decodes a nullable TEXT column.
func strCol(s sql.NullString) string {
	return s.String
}

// boolArg encodes a bool as 0 or 1.
func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}
