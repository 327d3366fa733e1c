package lsp

import (
	"github.com/wf-lang/wf/lang"
)

// scopeInfo is what completion knows about the declaration at the cursor.
type scopeInfo struct {
	decl    lang.Decl
	prog    *lang.Program
	locals  []*lang.Symbol // innermost last
	globals map[string]*lang.Symbol
}

// scopeAt finds the declaration at the cursor and the names visible there.
// A declaration being typed is there too: the parser keeps a declaration
// whose statements have syntax errors, with every statement that parsed.
func (an *analysis) scopeAt(c *cursor) *scopeInfo {
	si := &scopeInfo{globals: map[string]*lang.Symbol{}}
	for n, sym := range an.prog.GlobalSyms {
		si.globals[n] = sym
	}
	if d := an.declAt(c.start); d != nil {
		si.decl, si.prog = d, an.prog
		si.locals = visibleAt(si.prog.Info, si.decl, c.start)
	}
	return si
}

// local returns the innermost visible local with the name, or nil.
func (si *scopeInfo) local(name string) *lang.Symbol {
	for i := len(si.locals) - 1; i >= 0; i-- {
		if si.locals[i].Name == name {
			return si.locals[i]
		}
	}
	return nil
}
