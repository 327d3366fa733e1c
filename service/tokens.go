package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/runtime/store"
)

// API tokens. A token is "wft_" followed by 32 random bytes in hex; the store
// keeps only its SHA-256, so a copy of the store does not hold usable
// tokens. The secret is shown once, when it is created.

const tokenPrefix = "wft_"

// NewToken makes a token named name and stores its hash; it returns the
// stored record and the secret to give to the client.
func NewToken(ctx context.Context, st store.Store, name string) (store.Token, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return store.Token{}, "", err
	}
	secret := tokenPrefix + hex.EncodeToString(b[:])
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return store.Token{}, "", err
	}
	t := store.Token{ID: "tok_" + hex.EncodeToString(id[:]), Name: name, Hash: hashToken(secret)}
	if err := st.CreateToken(ctx, t); err != nil {
		return store.Token{}, "", err
	}
	return t, secret, nil
}

func hashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// tokenTTL is how long a checked token is trusted without asking the store
// again: a revoked token stops working within it.
const tokenTTL = 5 * time.Second

// tokenCache checks bearer tokens against the store, remembering good ones
// for tokenTTL.
type tokenCache struct {
	st store.Store
	mu sync.Mutex
	ok map[string]cachedToken // by hash
}

type cachedToken struct {
	tok     store.Token
	expires time.Time
}

func newTokenCache(st store.Store) *tokenCache {
	return &tokenCache{st: st, ok: map[string]cachedToken{}}
}

var errNoToken = errors.New("no bearer token")

// check returns the token an Authorization header carries, or an error: a
// missing, malformed, unknown or revoked token, or a store that cannot
// answer (which is never taken as yes).
func (c *tokenCache) check(ctx context.Context, header string, now time.Time) (store.Token, error) {
	secret, ok := strings.CutPrefix(header, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		return store.Token{}, errNoToken
	}
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) != len(tokenPrefix)+64 {
		return store.Token{}, errors.New("malformed bearer token")
	}
	h := hashToken(secret)
	c.mu.Lock()
	ct, hit := c.ok[h]
	c.mu.Unlock()
	if hit && now.Before(ct.expires) {
		return ct.tok, nil
	}
	tok, err := c.st.TokenByHash(ctx, h)
	if err != nil {
		return store.Token{}, err
	}
	c.mu.Lock()
	if len(c.ok) > 10_000 {
		clear(c.ok)
	}
	c.ok[h] = cachedToken{tok: tok, expires: now.Add(tokenTTL)}
	c.mu.Unlock()
	// Recorded at most once per tokenTTL per token; a failure only leaves
	// last_used_at older.
	_ = c.st.TouchToken(ctx, tok.ID, now)
	return tok, nil
}
