package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Login and sessions. A reviewer logs in with an API token; the console
// keeps the token in memory under a random session id, which is all the
// cookie holds. Every request re-checks the token (the service caches the
// check for a few seconds), so revoking the token ends its sessions. A
// restart of the service ends every session.

const (
	sessionCookie = "wf_session"
	// loginCookie carries the login form's CSRF token (double submit): there
	// is no session yet to keep it in.
	loginCookie = "wf_login"
	// maxSessions bounds the memory sessions take; the oldest go first.
	maxSessions = 10_000
)

type session struct {
	id      string
	secret  string // the API token
	user    string // the token's name
	csrf    string
	expires time.Time

	// mu guards the message the next page shows (after an action's
	// redirect).
	mu             sync.Mutex
	flash, problem string
}

// say leaves a message for the next page.
func (s *session) say(flash, problem string) {
	s.mu.Lock()
	s.flash, s.problem = flash, problem
	s.mu.Unlock()
}

// said takes the message left for this page.
func (s *session) said() (flash, problem string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	flash, problem, s.flash, s.problem = s.flash, s.problem, "", ""
	return flash, problem
}

type sessions struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]*session{}}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics if it could)
	return hex.EncodeToString(b)
}

func (ss *sessions) create(secret, user string, now time.Time) *session {
	s := &session{id: randomHex(32), secret: secret, user: user, csrf: randomHex(32), expires: now.Add(ss.ttl)}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.m) >= maxSessions {
		var oldest *session
		for _, o := range ss.m {
			if oldest == nil || o.expires.Before(oldest.expires) {
				oldest = o
			}
		}
		delete(ss.m, oldest.id)
	}
	ss.m[s.id] = s
	return s
}

func (ss *sessions) get(id string, now time.Time) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[id]
	if s != nil && !now.Before(s.expires) {
		delete(ss.m, id)
		return nil
	}
	return s
}

func (ss *sessions) drop(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

type sessionKey struct{}

// sessionOf returns the request's session (nil before login).
func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: r.TLS != nil || c.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
}

// authed lets through requests with a live session whose token still
// passes; others go to the login page (a 401 for the live streams). A
// POST must carry the session's CSRF token.
func (c *Console) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s *session
		if ck, err := r.Cookie(sessionCookie); err == nil {
			s = c.sessions.get(ck.Value, time.Now())
		}
		if s != nil {
			if _, err := c.svc.CheckToken(r.Context(), s.secret); err != nil {
				c.log.Info("console session ended: its token no longer passes", "user", s.user, "reason", err.Error())
				c.sessions.drop(s.id)
				s = nil
			}
		}
		if s == nil {
			c.relogin(w, r)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
		if r.Method == http.MethodPost && !c.csrfOK(w, r, s) {
			c.fail(w, r, http.StatusForbidden, "The form is stale or did not come from this console (CSRF check failed). Reload the page and try again.")
			return
		}
		h(w, r)
	}
}

// csrfOK checks the CSRF token of a POST: the form field csrf (a multipart
// form is read up to the body limit first) or the X-CSRF-Token header.
func (c *Console) csrfOK(w http.ResponseWriter, r *http.Request, s *session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			if err := r.ParseMultipartForm(maxForm); err != nil {
				return false
			}
		}
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// maxForm caps a form body (a CSV import is the largest).
const maxForm = 32 << 20

// relogin sends a request without a valid session to the login page,
// coming back to where it was after (for a page it asked for).
func (c *Console) relogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || strings.HasSuffix(r.URL.Path, "/live") {
		http.Error(w, "log in again", http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// loginData is the login page's data.
type loginData struct {
	Next  string
	Token string // the login form's CSRF token
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.showLogin(w, r, http.StatusOK, "")
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	tok := randomHex(32)
	c.setCookie(w, r, loginCookie, tok, 3600)
	c.render(w, r, status, "login", page{Title: "Log in", Problem: problem,
		Data: loginData{Next: localPath(r.FormValue("next")), Token: tok}})
}

// localPath keeps a redirect target on this site: a path, not //host or a
// URL.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) {
		return "/runs"
	}
	return p
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	ck, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		c.showLogin(w, r, http.StatusForbidden, "The login form is stale (CSRF check failed); try again.")
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	user, err := c.svc.CheckToken(r.Context(), secret)
	if err != nil {
		c.log.Info("console login refused", "remote", r.RemoteAddr, "reason", err.Error())
		c.showLogin(w, r, http.StatusUnauthorized, "That token is not valid. Create one with: wf serve tokens create NAME")
		return
	}
	s := c.sessions.create(secret, user, time.Now())
	c.setCookie(w, r, loginCookie, "", -1)
	c.setCookie(w, r, sessionCookie, s.id, int(c.opts.SessionTTL/time.Second))
	c.log.Info("console login", "user", user, "remote", r.RemoteAddr)
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	c.sessions.drop(sessionOf(r).id)
	c.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
