// Package pgtest gives tests a fresh PostgreSQL schema, migrated, on the server that
// $WF_TEST_POSTGRES_URL names; a test without one is skipped, saying so.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wf-lang/wf/runtime/store/postgres"
)

// EnvURL is the environment variable naming the test server, e.g.
// postgres://postgres@127.0.0.1:5432/test.
const EnvURL = "WF_TEST_POSTGRES_URL"

var (
	reachOnce sync.Once
	reachErr  error
)

// URL returns the URL of a new schema on the test server, migrated (wf's tables and
// River's), dropped when the test ends. Without $WF_TEST_POSTGRES_URL, or when the server
// does not answer, the test is skipped with a message that says why.
func URL(t testing.TB) string {
	t.Helper()
	return schemaURL(t, true)
}

// EmptyURL is URL without the migrations: a schema with nothing in it.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return schemaURL(t, false)
}

func schemaURL(t testing.TB, migrate bool) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("PostgreSQL half skipped: $%s is not set (e.g. %s=postgres://postgres@127.0.0.1:5432/test)", EnvURL, EnvURL)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reachOnce.Do(func() {
		conn, err := pgx.Connect(ctx, base)
		if err == nil {
			reachErr = conn.Ping(ctx)
			_ = conn.Close(ctx)
		} else {
			reachErr = err
		}
	})
	if reachErr != nil {
		t.Skipf("PostgreSQL half skipped: $%s (%s) does not answer: %v", EnvURL, postgres.Redact(base), reachErr)
	}
	schema := "wf_test_" + randomHex()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connecting to %s: %v", postgres.Redact(base), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			_, _ = conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
			_ = conn.Close(ctx)
		}
	})
	u := WithSchema(t, base, schema)
	if migrate {
		if _, err := postgres.Migrate(ctx, u); err != nil {
			t.Fatalf("migrating %s: %v", schema, err)
		}
	}
	return u
}

// WithSchema returns base with its search_path set to schema.
func WithSchema(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
