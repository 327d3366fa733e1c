package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/service"
	"github.com/wf-lang/wf/service/console"
	"github.com/wf-lang/wf/stdlib/lists"
)

func mustKind(s string) lists.Kind {
	k, err := lists.ParseKind(s)
	if err != nil {
		panic(err)
	}
	return k
}

func TestPagesNeedALogin(t *testing.T) {
	ts := startServer(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range []string{"/runs", "/runs/run_x", "/workflows", "/lists", "/lists/blocked-ips", "/events"} {
		res, err := c.Get(ts.URL + p)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusSeeOther, res.StatusCode, p)
		assert.Equal(t, "/login?next="+url.QueryEscape(p), res.Header.Get("Location"), p)
	}
	res, err := c.Get(ts.URL + "/runs/live")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "a live stream is refused, not redirected")

	// The API stays the API: JSON errors, bearer tokens.
	res, err = c.Get(ts.URL + "/v1/nothing")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	c, _ := ts.client(t)
	page := ts.get(t, c, "/runs")
	assert.Contains(t, page, "<h1>Runs</h1>")
	assert.Contains(t, page, `title="the API token you logged in with">reviewer</span>`)

	t.Run("a wrong token is refused", func(t *testing.T) {
		c2, _ := ts.client(t) // for a jar with a login cookie
		login := ts.get(t, c2, "/login")
		res := ts.post(t, c2, "/login", url.Values{"csrf": {hiddenValue(t, login, "csrf")}, "token": {"wft_" + strings.Repeat("0", 64)}})
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	})
	t.Run("the login form needs its CSRF cookie", func(t *testing.T) {
		res := ts.post(t, &http.Client{}, "/login", url.Values{"csrf": {"forged"}, "token": {ts.Token}})
		assert.Equal(t, http.StatusForbidden, res.StatusCode)
	})
	t.Run("next stays on this site", func(t *testing.T) {
		c3, _ := ts.client(t)
		login := ts.get(t, c3, "/login")
		res := ts.post(t, c3, "/login", url.Values{"csrf": {hiddenValue(t, login, "csrf")}, "token": {ts.Token}, "next": {"//evil.example/x"}})
		assert.Equal(t, "/runs", res.Header.Get("Location"))
	})
	t.Run("the session cookie is HttpOnly and SameSite=Strict", func(t *testing.T) {
		c4 := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c4.Get(ts.URL + "/login")
		require.NoError(t, err)
		_ = res.Body.Close()
		loginCookie := res.Cookies()[0]
		form := url.Values{"csrf": {loginCookie.Value}, "token": {ts.Token}}
		req, err := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(loginCookie)
		res, err = c4.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "wf_session" {
				session = ck
			}
		}
		require.NotNil(t, session)
		assert.True(t, session.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, session.SameSite)
		assert.NotContains(t, session.Value, ts.Token, "the cookie names a session; it does not hold the token")
	})
	t.Run("a revoked token ends the session", func(t *testing.T) {
		t.Parallel()
		_, secret, err := service.NewToken(context.Background(), ts.Eng.Store, "short-lived")
		require.NoError(t, err)
		c5, _ := ts.client(t)
		login := ts.get(t, c5, "/login")
		res := ts.post(t, c5, "/login", url.Values{"csrf": {hiddenValue(t, login, "csrf")}, "token": {secret}})
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.NoError(t, ts.Eng.Store.RevokeToken(context.Background(), "short-lived"))
		// The service trusts a checked token for up to 5 s (its cache uses
		// the wall clock), so this waits for the refusal rather than faking
		// time in the service.
		require.Eventually(t, func() bool {
			res, err := c5.Get(ts.URL + "/runs")
			if err != nil {
				return false
			}
			_ = res.Body.Close()
			return res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")
		}, 10*time.Second, 100*time.Millisecond)
	})
}

func TestSecureCookiesBehindAProxy(t *testing.T) {
	ts := startServer(t)
	con, err := console.New(ts.Svc, console.Options{SecureCookies: true})
	require.NoError(t, err)
	srv := httptest.NewServer(con)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/login")
	require.NoError(t, err)
	_ = res.Body.Close()
	require.NotEmpty(t, res.Cookies())
	assert.True(t, res.Cookies()[0].Secure)

	res, err = http.Get(ts.URL + "/login")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.False(t, res.Cookies()[0].Secure, "plain HTTP without the option: a Secure cookie would never come back")
}
