package main

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
)

// TestPostgresScripts runs the scripts in testdata/pgscript, each with $PGSTORE naming a new,
// empty PostgreSQL schema (skipped without $WF_TEST_POSTGRES_URL).
func TestPostgresScripts(t *testing.T) {
	pgtest.EmptyURL(t) // skips here when there is no server
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/pgscript",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			u, err := url.Parse(pgtest.EmptyURL(t))
			if err != nil {
				return err
			}
			u.User = url.UserPassword(u.User.Username(), "secret") // trust auth ignores it; messages must not show it
			env.Setenv("PGSTORE", u.String())
			return copyDir("../../examples", filepath.Join(env.WorkDir, "examples"))
		},
	})
}
