package store

import (
	"errors"
	"time"
)

// ListInfo describes a named List.
type ListInfo struct {
	Name string
	Kind string // e.g. "ip_address", "email_address"
	// Version changes with every change to the List's items. It comes from one store-wide
	// counter, so two contents of one name never share a Version, even across DeleteList and
	// CreateList: a cache keyed by (Name, Version) is never stale.
	Version   int64
	Count     int
	CreatedAt time.Time
}

// ListItem is one value of a List. The store keeps values exactly as given; normalising them
// (case, CIDR form) is the Lists engine's job.
type ListItem struct {
	ID        string // "li_<n>" when the caller gives none, unique and never reused
	Value     string
	Data      map[string]string
	CreatedAt time.Time // set by AddListItems when zero
}

// ListMark is a moment in a List's history: its version and the last item sequence number
// given out then (sequence numbers only grow, across Lists).
type ListMark struct {
	Version int64
	Seq     int64
}

// Object is one local Persona object to save. With IfNewer, an object the store already
// holds is replaced only when Data's updated_at is later than the stored one's (or the stored
// one has none), so state changed by actions is not overwritten by an older copy.
type Object struct {
	Kind, ID string
	Data     map[string]any
	// JSON, when set, is the object already encoded (a JSON object), saved instead of Data.
	JSON    string
	IfNewer bool
}

// ErrNotFound reports that a run, version, list, item, object or schedule does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrExists reports that a run or list with the same identifier already exists.
var ErrExists = errors.New("store: already exists")

// MaxRunLimit is the most runs one ListRuns call returns.
const MaxRunLimit = 1000

// Instance is one registered process.
type Instance struct {
	ID        string
	Kind      string // "serve" or "run"
	Host      string
	PID       int
	StartedAt time.Time
	Heartbeat time.Time
	StoppedAt time.Time
}

// DefaultStaleAfter is how long an instance may go without a heartbeat before its runs count
// as interrupted.
const DefaultStaleAfter = 15 * time.Second

// Token is an API bearer token. Only a hash of the secret is stored: the secret itself is
// shown once, when the token is created.
type Token struct {
	ID        string
	Name      string
	Hash      string // hex SHA-256 of the secret
	CreatedAt time.Time
	RevokedAt time.Time
	LastUsed  time.Time
}
