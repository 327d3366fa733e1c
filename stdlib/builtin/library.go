package builtin

import (
	"sort"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Module is a group of functions with a doc paragraph, such as inquiry or
// the core functions (Name "").
type Module struct {
	Name     string
	Doc      string
	Builtins []*interp.Builtin
}

// Library is a set of modules: it implements interp.Library (and so
// lang.Universe).
type Library struct {
	modules  []*Module
	byName   map[string]*interp.Builtin
	isModule map[string]bool
	sorted   []*lang.FuncDecl
	events   lang.EventCatalog
}

// NewLibrary builds a library. A later module's function replaces an
// earlier one with the same name.
func NewLibrary(mods ...*Module) *Library {
	l := &Library{byName: map[string]*interp.Builtin{}, isModule: map[string]bool{}}
	for _, m := range mods {
		l.Add(m)
	}
	return l
}

// Add adds a module.
func (l *Library) Add(m *Module) {
	l.modules = append(l.modules, m)
	for _, b := range m.Builtins {
		l.byName[b.Decl.Name] = b
		if mod := b.Decl.Module(); mod != "" {
			for mod != "" {
				l.isModule[mod] = true
				i := strings.LastIndexByte(mod, '.')
				if i < 0 {
					break
				}
				mod = mod[:i]
			}
		}
	}
	l.sorted = l.sorted[:0]
	for _, b := range l.byName {
		l.sorted = append(l.sorted, b.Decl)
	}
	sort.Slice(l.sorted, func(i, j int) bool { return l.sorted[i].Name < l.sorted[j].Name })
}

// SetEvents gives the library an event catalogue, which the checker reads
// (the library then is a lang.EventSource).
func (l *Library) SetEvents(ev lang.EventCatalog) { l.events = ev }

// Events implements lang.EventSource; nil when the library has none.
func (l *Library) Events() lang.EventCatalog { return l.events }

// Modules returns the modules in the order added.
func (l *Library) Modules() []*Module { return l.modules }

// Builtin implements interp.Library.
func (l *Library) Builtin(name string) *interp.Builtin { return l.byName[name] }

// Func implements lang.Universe.
func (l *Library) Func(name string) *lang.FuncDecl {
	if b := l.byName[name]; b != nil {
		return b.Decl
	}
	return nil
}

// IsModule implements lang.Universe.
func (l *Library) IsModule(name string) bool { return l.isModule[name] }

// Funcs implements lang.Universe.
func (l *Library) Funcs() []*lang.FuncDecl { return l.sorted }
