// Package builtin is how the standard library declares its functions: each
// one is written once, as a signature string, a doc paragraph, an example
// and its implementation. The signature becomes the lang.FuncDecl that the
// checker, the interpreter, completion, hover text and the generated
// reference all read.
package builtin

import (
	"fmt"
	"strings"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// Func is the implementation of a library function.
type Func = func(th *interp.Thread, args *interp.Args) (interp.Value, error)

// Pure declares a function without effects, callable in any expression.
func Pure(sig, doc, example string, fn Func) *interp.Builtin {
	return &interp.Builtin{Decl: MustParse(sig, doc, example, false), Fn: fn}
}

// Action declares a function with effects: it may only be called with run.
func Action(sig, doc, example string, fn Func) *interp.Builtin {
	return &interp.Builtin{Decl: MustParse(sig, doc, example, true), Fn: fn}
}

// MustParse parses a signature such as
//
//	inquiry.decline(id: string, comment: string? ) -> map
//	report.run(type: string, **) -> map
//	min(...values: number) -> number
//	round(x: number, digits: int = 0) -> number
//
// A type is a name or names joined by |. `p: T?` is optional (null when
// left out), `p: T = src` has a default, `...p: T` takes every remaining
// positional argument, and `**` accepts extra named arguments. It panics on
// a malformed signature: signatures are fixed in the source and tested.
func MustParse(sig, doc, example string, effect bool) *lang.FuncDecl {
	d, err := Parse(sig)
	if err != nil {
		panic(fmt.Sprintf("builtin: %q: %v", sig, err))
	}
	d.Doc, d.Example, d.Effect = doc, example, effect
	if d.Module() != "" {
		d.NoMethod = true
	}
	return d
}

// Parse parses a signature (see MustParse).
func Parse(sig string) (*lang.FuncDecl, error) {
	open := strings.IndexByte(sig, '(')
	closeIdx := strings.LastIndexByte(sig, ')')
	if open < 0 || closeIdx < open {
		return nil, fmt.Errorf("missing parameter list")
	}
	d := &lang.FuncDecl{Name: strings.TrimSpace(sig[:open]), Result: lang.TNull}
	if rest := strings.TrimSpace(sig[closeIdx+1:]); rest != "" {
		t, ok := strings.CutPrefix(rest, "->")
		if !ok {
			return nil, fmt.Errorf("expected -> after the parameters")
		}
		rt, err := parseType(strings.TrimSpace(t))
		if err != nil {
			return nil, err
		}
		d.Result = rt
	}
	params := strings.TrimSpace(sig[open+1 : closeIdx])
	if params == "" {
		return d, nil
	}
	for _, p := range splitTop(params) {
		p = strings.TrimSpace(p)
		if p == "**" {
			d.Named = true
			continue
		}
		pd, err := parseParam(p)
		if err != nil {
			return nil, err
		}
		d.Params = append(d.Params, pd)
	}
	return d, nil
}

func parseParam(p string) (lang.ParamDecl, error) {
	var pd lang.ParamDecl
	if rest, ok := strings.CutPrefix(p, "..."); ok {
		pd.Variadic, p = true, rest
	}
	name, rest, ok := strings.Cut(p, ":")
	if !ok {
		return pd, fmt.Errorf("parameter %q has no type", p)
	}
	pd.Name = strings.TrimSpace(name)
	typ := strings.TrimSpace(rest)
	if t, def, ok := strings.Cut(typ, "="); ok {
		typ, pd.Default = strings.TrimSpace(t), strings.TrimSpace(def)
	}
	if t, ok := strings.CutSuffix(typ, "?"); ok {
		typ, pd.Optional = t, true
	}
	t, err := parseType(typ)
	if err != nil {
		return pd, err
	}
	pd.Type = t
	if pd.Optional {
		pd.Type |= lang.TNull
	}
	return pd, nil
}

func parseType(s string) (lang.Type, error) {
	var t lang.Type
	for _, part := range strings.Split(s, "|") {
		part = strings.TrimSpace(part)
		switch part {
		case "null":
			t |= lang.TNull
		case "handle":
			t |= lang.THandle
		default:
			pt, ok := lang.ParseType(part)
			if !ok {
				return 0, fmt.Errorf("unknown type %q", part)
			}
			t |= pt
		}
	}
	return t, nil
}

// splitTop splits on commas outside quotes and brackets (defaults may hold
// lists or strings).
func splitTop(s string) []string {
	var out []string
	depth, start, inQ := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQ = !inQ
		case inQ:
		case c == '[' || c == '{' || c == '(':
			depth++
		case c == ']' || c == '}' || c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
