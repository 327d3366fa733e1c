// Package console is the web console of `wf serve`: server-rendered pages
// (html/template, a little JavaScript, every asset embedded with go:embed)
// for the runs, one run (its timeline, steps, logs, error with the source
// and its path on the workflow graph, and resume / rerun / cancel), the
// workflows (versions, highlighted source, graph, recent outcomes), the
// Lists (browse, search, add, remove, import a CSV) and the events
// (received webhooks with their signature verdict and the runs they
// started, and the refused ones).
//
// A reviewer logs in with an API token (wf serve tokens create NAME); the
// session is a cookie (HttpOnly, SameSite=Strict) naming a session kept in
// memory, and every state-changing request carries the session's CSRF token
// and passes Go's cross-origin protection. Whatever the HTTP API offers the
// console asks of the API itself, in process, with the session's token (so
// a revoked token stops the console too, and the console sees what any
// client sees); the Lists, the event listings and the stored versions,
// which the API does not offer, come from the engine's Lists service and
// the store.
package console

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures a Console. Zero fields get the defaults documented on
// each.
type Options struct {
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// Logger receives the console's logs (default: discard).
	Logger *slog.Logger
	// PageSize is how many runs a page of the runs list shows (default 50).
	PageSize int
	// SecureCookies marks the cookies Secure (sent over HTTPS only) even on
	// plain HTTP requests: set it when people reach the service through a
	// proxy that terminates TLS. Requests that arrive over TLS get Secure
	// cookies anyway.
	SecureCookies bool
}

// Console serves the web console of one service.
type Console struct {
	svc      *service.Service
	eng      *runtime.Engine
	opts     Options
	log      *slog.Logger
	pages    map[string]*template.Template
	assets   *assets
	sessions *sessions
	graphs   *graphCache
	decls    *declCache
	live     liveLimit
	handler  http.Handler
}

// New builds the console of svc; mount it with svc.Mount(c).
func New(svc *service.Service, opts Options) (*Console, error) {
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 50
	}
	c := &Console{svc: svc, eng: svc.Engine(), opts: opts, log: opts.Logger,
		sessions: newSessions(opts.SessionTTL), graphs: newGraphCache(), decls: newDeclCache()}
	c.live.done = make(chan struct{})
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	if c.assets, err = newAssets(static); err != nil {
		return nil, err
	}
	if c.pages, err = parsePages(c.assets); err != nil {
		return nil, err
	}
	c.handler = c.routes()
	return c, nil
}

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", c.assets))
	mux.HandleFunc("GET /login", c.loginPage)
	mux.HandleFunc("POST /login", c.login)
	mux.HandleFunc("POST /logout", c.authed(c.logout))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/runs", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /runs", c.authed(c.runsPage))
	mux.HandleFunc("GET /runs/live", c.authed(c.runsLive))
	mux.HandleFunc("GET /runs/{id}", c.authed(c.runPage))
	mux.HandleFunc("GET /runs/{id}/live", c.authed(c.runLive))
	mux.HandleFunc("POST /runs/{id}/{action}", c.authed(c.runAction))
	mux.HandleFunc("GET /workflows", c.authed(c.workflowsPage))
	mux.HandleFunc("GET /workflows/{name}", c.authed(c.workflowPage))
	mux.HandleFunc("GET /lists", c.authed(c.listsPage))
	mux.HandleFunc("POST /lists", c.authed(c.createList))
	mux.HandleFunc("GET /lists/{name}", c.authed(c.listPage))
	mux.HandleFunc("POST /lists/{name}/add", c.authed(c.addItem))
	mux.HandleFunc("POST /lists/{name}/remove", c.authed(c.removeItem))
	mux.HandleFunc("POST /lists/{name}/import", c.authed(c.importCSV))
	mux.HandleFunc("GET /events", c.authed(c.eventsPage))
	mux.HandleFunc("GET /events/{id}", c.authed(c.eventPage))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusNotFound, "There is no page "+r.URL.Path+".")
	})
	// Cross-origin state-changing requests are refused before any handler
	// (Sec-Fetch-Site / Origin); the per-session CSRF token is checked too.
	cop := http.NewCrossOriginProtection()
	return securityHeaders(cop.Handler(mux))
}

// securityHeaders sets the headers every console answer carries: no
// scripts, styles or frames from elsewhere, and pages never cached.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// page is what every page template gets: the page's own data and the
// session's (for the navigation and the CSRF fields).
type page struct {
	Title   string
	Nav     string // which navigation entry is current
	User    string // the token's name
	CSRF    string
	Flash   string // a message from the previous action
	Problem string // an error from the previous action
	Data    any
}

// render writes a page; a template that fails is a 500 (nothing partial
// is sent: the page is rendered to memory first).
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if s := sessionOf(r); s != nil {
		p.User, p.CSRF = s.user, s.csrf
		if flash, problem := s.said(); flash != "" || problem != "" {
			p.Flash, p.Problem = flash, strings.TrimSpace(problem+" "+p.Problem)
		}
	}
	body, err := c.execute(name, p)
	if err != nil {
		c.log.Error("console page could not be rendered", "page", name, "error", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// fail answers with an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", page{Title: http.StatusText(status), Data: msg})
}

// failErr answers with the error page for an error from the API client or
// the store: its status when it has one, else 500.
func (c *Console) failErr(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.Status == http.StatusUnauthorized {
			c.relogin(w, r)
			return
		}
		c.fail(w, r, ae.Status, ae.Message)
		return
	}
	c.log.Error("console request failed", "path", r.URL.Path, "error", err)
	c.fail(w, r, http.StatusInternalServerError, fmt.Sprintf("The request failed: %v", err))
}
