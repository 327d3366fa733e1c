package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store/postgres"
)

// MigrateCmd is `wf migrate`: it brings the store's schema up to date.
type MigrateCmd struct{}

// Help explains when migrating is needed.
func (c *MigrateCmd) Help() string {
	return `Brings the store (--store or WF_STORE) up to date with this wf: its own tables and, on
PostgreSQL, River's (the job queue's). Run it once per upgrade, before starting the new wf
serve instances: they refuse a PostgreSQL database that is not migrated. Running it again,
or from several machines at once, applies nothing twice.

  wf migrate --store postgres://wf@db.internal/wf

The embedded SQLite store brings itself up to date when it is opened (one process owns it,
so there is no instance to keep in step); migrating it only opens it.`
}

// Run migrates the store.
func (c *MigrateCmd) Run(g *Globals) error {
	where := g.Store
	if postgres.IsURL(where) {
		where = postgres.Redact(where)
	}
	applied, err := runtime.MigrateStore(context.Background(), g.Store)
	if err != nil {
		return fail(exitFailed, "wf migrate: %v", err)
	}
	if len(applied) == 0 {
		fmt.Fprintf(g.stdout, "%s is up to date\n", where)
		return nil
	}
	fmt.Fprintf(g.stdout, "%s: applied %s\n", where, strings.Join(applied, ", "))
	return nil
}
