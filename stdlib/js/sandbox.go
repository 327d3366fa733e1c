package js

import (
	"container/list"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dop251/goja"
)

// Size limits on source text: a js fn body, and js.eval code (which is
// cached by its text).
const (
	MaxBodyBytes = 1 << 20
	MaxEvalBytes = 64 << 10
)

// Options size a Sandbox; zero fields take the defaults.
type Options struct {
	// PoolSize is how many idle runtimes are kept; default 4.
	PoolSize int
	// CacheSize is how many compiled js.eval programs are kept; default 256.
	CacheSize int
	// MaxRunaway is how many abandoned calls (a builtin still running past
	// the time limit) may be outstanding before calls are refused; default 8.
	MaxRunaway int
}

// Sandbox owns the runtimes calls run in, pooled, and the js.eval cache.
// One per engine, made with NewSandbox; safe for concurrent use.
type Sandbox struct {
	opts    Options
	prelude *goja.Program
	idle    chan *jsRuntime
	runaway atomic.Int64
	cache   *lru
}

// NewSandbox returns a Sandbox with no runtimes yet.
func NewSandbox(opts Options) *Sandbox {
	if opts.PoolSize <= 0 {
		opts.PoolSize = 4
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 256
	}
	if opts.MaxRunaway <= 0 {
		opts.MaxRunaway = 8
	}
	return &Sandbox{
		opts:    opts,
		prelude: goja.MustCompile(preludeName, preludeJS, true),
		idle:    make(chan *jsRuntime, opts.PoolSize),
		cache:   newLRU(opts.CacheSize),
	}
}

// Runaway is how many abandoned calls are still running.
func (s *Sandbox) Runaway() int { return int(s.runaway.Load()) }

// acquire takes an idle runtime or builds one.
func (s *Sandbox) acquire() (*jsRuntime, error) {
	select {
	case rt := <-s.idle:
		return rt, nil
	default:
		return newRuntime(s.prelude)
	}
}

// release keeps rt for the next call when the pool has room.
func (s *Sandbox) release(rt *jsRuntime) {
	select {
	case s.idle <- rt:
	default:
	}
}

// Eval runs js.eval: code is a JavaScript expression, or a function body
// whose last expression statement is its value; the keys of inputs become
// variables. Compiled code is cached by its text and input names.
func (s *Sandbox) Eval(ctx context.Context, env Env, code string, inputs map[string]any) (any, error) {
	names := slices.Sorted(mapsKeys(inputs))
	p, err := s.program(code, names)
	if err != nil {
		return nil, err
	}
	args := make([]any, len(names))
	for i, n := range names {
		args[i] = inputs[n]
	}
	env.Sandbox = s
	return p.Call(ctx, env, args)
}

// program returns the compiled js.eval code, from the cache when it can.
func (s *Sandbox) program(code string, names []string) (*Program, error) {
	const fn = "js.eval"
	if len(code) > MaxEvalBytes {
		return nil, newError(fn, ErrLimit, fmt.Sprintf("code of %d bytes is over the limit of %d", len(code), MaxEvalBytes))
	}
	if err := checkParams(fn, "input", names); err != nil {
		return nil, err
	}
	key := strings.Join(names, ",") + "\x00" + code
	if e, ok := s.cache.get(key); ok {
		return e.p, e.err
	}
	p, ok := compileExpr(fn, names, code)
	var err error
	if !ok {
		p, err = compile(fn, names, code, Pos{}, true)
	}
	s.cache.put(key, entry{p, err})
	return p, err
}

// entry is a cached compilation, failed ones included.
type entry struct {
	p   *Program
	err error
}

// lru is a bounded least-recently-used cache of compilations.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

// item is what the list holds.
type item struct {
	key string
	e   entry
}

// newLRU returns an empty cache holding at most max entries.
func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the entry under key, marking it recently used.
func (c *lru) get(key string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return entry{}, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*item).e, true
}

// put stores e under key, evicting the least recently used beyond max.
func (c *lru) put(key string, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		el.Value.(*item).e = e
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&item{key, e})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*item).key)
	}
}

// len is the number of cached entries.
func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
