package runtime

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
)

// StoreOptions tune the store OpenStore opens; zero fields get each
// implementation's defaults.
type StoreOptions struct {
	// Synchronous is SQLite's durability level: "NORMAL" (default: a
	// committed run survives a crash of the process) or "FULL" (it survives
	// a power loss too, at a cost per commit; see docs/running.md).
	Synchronous string
	// Now is the store's clock (default time.Now).
	Now func() time.Time
	// StaleAfter is how long an instance may miss heartbeats before its runs
	// count as interrupted (default store.DefaultStaleAfter).
	StaleAfter time.Duration
}

// OpenStore opens the store named by url: the path of a SQLite file (see
// sqlite.DefaultPath), created and brought up to date when needed.
func OpenStore(ctx context.Context, url string, opts StoreOptions) (store.Store, error) {
	if scheme, _, ok := strings.Cut(url, "://"); ok && !strings.ContainsAny(scheme, `/\`) {
		return nil, fmt.Errorf("store %q: a store is the path of a SQLite file; %s:// is not supported", url, scheme)
	}
	return sqlite.OpenWith(ctx, url, sqlite.Options{Synchronous: opts.Synchronous, Now: opts.Now, StaleAfter: opts.StaleAfter})
}
