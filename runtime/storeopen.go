package runtime

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/sqlite"
)

// StoreOptions tune the store OpenStore opens; zero fields get each
// implementation's defaults.
type StoreOptions struct {
	// Synchronous is SQLite's durability level: "NORMAL" (default: a
	// committed run survives a crash of the process) or "FULL" (it survives
	// a power loss too, at a cost per commit; see docs/running.md).
	Synchronous string
	// PoolMax and PoolMin size PostgreSQL's connection pool (see
	// postgres.Options).
	PoolMax, PoolMin int32
	// Now is the store's clock (default time.Now).
	Now func() time.Time
	// StaleAfter is how long an instance may miss heartbeats before its runs
	// count as interrupted (default store.DefaultStaleAfter).
	StaleAfter time.Duration
}

// OpenStore opens the store named by url: a PostgreSQL URL (postgres://…),
// whose database `wf migrate` must have brought up to date, or the path of a
// SQLite file, created and brought up to date when needed.
func OpenStore(ctx context.Context, url string, opts StoreOptions) (store.Store, error) {
	if postgres.IsURL(url) {
		return postgres.Open(ctx, url, postgres.Options{Options: store.Options{Now: opts.Now, StaleAfter: opts.StaleAfter},
			MaxConns: opts.PoolMax, MinConns: opts.PoolMin})
	}
	if err := checkPath(url); err != nil {
		return nil, err
	}
	return sqlite.OpenWith(ctx, url, sqlite.Options{Synchronous: opts.Synchronous, Now: opts.Now, StaleAfter: opts.StaleAfter})
}

// checkPath refuses a URL of another kind where a file path is expected,
// and an empty one (WF_STORE set to nothing).
func checkPath(url string) error {
	if strings.TrimSpace(url) == "" {
		return errors.New("no store: --store (or $WF_STORE) is empty; leave it unset for .wf/wf.db")
	}
	if scheme, _, ok := strings.Cut(url, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return fmt.Errorf("store %q: a store is a PostgreSQL URL (postgres://…) or the path of a SQLite file; %s:// is neither", url, scheme)
	}
	return nil
}

// MigrateStore brings the store named by url up to date and returns the
// migrations it applied, one line each. A PostgreSQL database gets wf's
// migrations and River's (the job queue's); a SQLite file brings itself up to
// date whenever it is opened, so migrating it is opening it, and nothing is
// listed.
func MigrateStore(ctx context.Context, url string) ([]string, error) {
	if postgres.IsURL(url) {
		return postgres.Migrate(ctx, url)
	}
	if err := checkPath(url); err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	return nil, st.Close()
}
