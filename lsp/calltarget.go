package lsp

import (
	"strings"

	"github.com/wf-lang/wf/lang"
)

// callTarget is what a call being typed calls: a library function (maybe
// as a method, whose first parameter is the receiver) or a fn or js fn of
// the file.
type callTarget struct {
	label  string // the signature shown
	doc    string // Markdown documentation
	params []paramInfo
	named  bool // takes extra named arguments
}

type paramInfo struct {
	name  string
	label string // as written in the signature label
}

// callTarget resolves the call whose ( is at token index open.
func (an *analysis) callTarget(c *cursor, si *scopeInfo, open int) *callTarget {
	chain, ok := c.chainBefore(open)
	if !ok || len(chain) == 0 {
		// A method of a value that is not a name: "x".lower(), f().keys().
		if open >= 2 && c.toks[open-1].kind == tkIdent && (c.toks[open-2].val == "." || c.toks[open-2].val == "?.") {
			return methodTarget(an.u.Func(c.toks[open-1].val))
		}
		return nil
	}
	head := chain[0]
	shadowed := si.local(head) != nil || si.globals[head] != nil
	if len(chain) == 1 {
		if si.local(head) != nil {
			return nil
		}
		if sym := si.globals[head]; sym != nil {
			return an.userTarget(sym)
		}
		if d := an.u.Func(head); d != nil && d.Module() == "" {
			return libTarget(d, false)
		}
		return nil
	}
	if !shadowed && an.u.IsModule(strings.Join(chain[:len(chain)-1], ".")) {
		if d := an.u.Func(strings.Join(chain, ".")); d != nil {
			return libTarget(d, false)
		}
		return nil
	}
	return methodTarget(an.u.Func(chain[len(chain)-1]))
}

// methodTarget describes a core function called as a method, or returns
// nil when d cannot be.
func methodTarget(d *lang.FuncDecl) *callTarget {
	if d == nil || d.Module() != "" || d.NoMethod || len(d.Params) == 0 {
		return nil
	}
	return libTarget(d, true)
}

// libTarget describes a library function; as a method, its first
// parameter is the receiver and is left out.
func libTarget(d *lang.FuncDecl, method bool) *callTarget {
	ct := &callTarget{doc: funcDoc(d), named: d.Named}
	params := d.Params
	if method {
		params = params[1:]
	}
	var parts []string
	for _, p := range params {
		label := p.Label()
		ct.params = append(ct.params, paramInfo{name: p.Name, label: label})
		parts = append(parts, label)
	}
	if d.Named {
		parts = append(parts, "name: value…")
	}
	name := d.Name
	if method {
		name = "." + d.Name
	}
	ct.label = name + "(" + strings.Join(parts, ", ") + ") -> " + d.Result.String()
	return ct
}

// userTarget describes a fn or js fn of the package.
func (an *analysis) userTarget(sym *lang.Symbol) *callTarget {
	var params []*lang.Param
	kw := "fn "
	switch d := sym.Node.(type) {
	case *lang.FnDecl:
		params = d.Params
	case *lang.JsFnDecl:
		params, kw = d.Params, "js fn "
	default:
		return nil
	}
	ct := &callTarget{}
	if d, ok := sym.Node.(lang.Decl); ok {
		ct.doc = docComment(an.fileOf(sym), d)
	}
	labels := an.paramLabels(an.fileOf(sym), params)
	for i, p := range params {
		ct.params = append(ct.params, paramInfo{name: p.Name.Name, label: labels[i]})
	}
	parts := labels
	ct.label = kw + sym.Name + "(" + strings.Join(parts, ", ") + ")"
	return ct
}
