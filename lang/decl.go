package lang

import (
	"sort"
	"strings"
)

// Type is a static type, as a set of the kinds of value an expression may
// have. The checker reports a mismatch only when two sets do not overlap, so
// Any (every bit) never mismatches.
type Type uint16

// The value kinds.
const (
	TNull Type = 1 << iota
	TBool
	TInt
	TFloat
	TString
	TDuration
	TTime
	TList
	TMap
	TFunc
	THandle

	TNumber = TInt | TFloat
	TAny    = TNull | TBool | TInt | TFloat | TString | TDuration | TTime | TList | TMap | TFunc | THandle
	TNone   = Type(0)
)

var typeNames = []struct {
	t    Type
	name string
}{
	{TAny, "any"}, {TNumber, "number"}, {TNull, "null"}, {TBool, "bool"}, {TInt, "int"}, {TFloat, "float"},
	{TString, "string"}, {TDuration, "duration"}, {TTime, "time"}, {TList, "list"}, {TMap, "map"},
	{TFunc, "func"}, {THandle, "handle"},
}

// ParseType reads a type name as written in parameter lists: any, number,
// bool, int, float, string, duration, time, list, map, func.
func ParseType(name string) (Type, bool) {
	for _, tn := range typeNames {
		if tn.name == name && tn.t != TNull && tn.t != THandle {
			return tn.t, true
		}
	}
	return 0, false
}

// TypeNames lists the names ParseType accepts.
func TypeNames() []string {
	return []string{"any", "bool", "int", "float", "number", "string", "duration", "time", "list", "map", "func"}
}

// String names the type: "string", "int or null", "any".
func (t Type) String() string {
	if t == TNone {
		return "nothing"
	}
	var parts []string
	rest := t
	for _, tn := range typeNames {
		if tn.t == TNull {
			continue // said last: "string or null"
		}
		if rest&tn.t == tn.t && tn.t != 0 && (tn.t == t || tn.t != TAny) {
			parts = append(parts, tn.name)
			rest &^= tn.t
		}
	}
	if rest&TNull != 0 {
		parts = append(parts, "null")
	}
	return strings.Join(parts, " or ")
}

// Accepts reports whether a value of static type v may be passed where t
// is wanted.
func (t Type) Accepts(v Type) bool { return v == TNone || t&v != 0 }

// ParamDecl declares one parameter of a library function.
type ParamDecl struct {
	Name string
	Type Type
	// Default is the WF source of the default value; "" with Optional set
	// means the parameter may be left out and reads as null.
	Default  string
	Optional bool
	// Variadic marks a last parameter that takes every remaining positional
	// argument.
	Variadic bool
}

// Required reports whether a call must supply the parameter.
func (p ParamDecl) Required() bool { return p.Default == "" && !p.Optional && !p.Variadic }

// FuncDecl declares one library function: the single source of truth that
// the checker, the interpreter, completion, hover text and the generated
// reference all read.
type FuncDecl struct {
	// Name is the qualified name: "lower", "inquiry.decline".
	Name   string
	Params []ParamDecl
	// Named is set when the function takes extra named arguments beyond its
	// parameters (report.run(type, name: …, birthdate: …)).
	Named  bool
	Result Type
	// Effect marks an action: it may only be called with run.
	Effect bool
	// NoMethod marks a function that cannot be called as a method on its first
	// argument (module functions never are).
	NoMethod bool
	Doc      string
	Example  string
}

// Module returns the module part of the name ("inquiry" for
// "inquiry.decline"), or "" for a core function.
func (d *FuncDecl) Module() string {
	if i := strings.LastIndexByte(d.Name, '.'); i >= 0 {
		return d.Name[:i]
	}
	return ""
}

// Short returns the name without its module.
func (d *FuncDecl) Short() string {
	return d.Name[strings.LastIndexByte(d.Name, '.')+1:]
}

// Signature formats the declaration as `name(a: string, b: int = 1) -> bool`.
// An optional parameter is written `p: string?`, a variadic one `...p: T`,
// and `**named` means the function takes further named arguments.
func (d *FuncDecl) Signature() string {
	var b strings.Builder
	b.WriteString(d.Name)
	b.WriteByte('(')
	for i, p := range d.Params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Label())
	}
	if d.Named {
		if len(d.Params) > 0 {
			b.WriteString(", ")
		}
		b.WriteString("**named")
	}
	b.WriteString(") -> ")
	b.WriteString(d.Result.String())
	return b.String()
}

// Label formats the parameter as a signature shows it: `name: type`, then
// ` = default`, or `?` when it may be left out (its type is then written
// without null, and any value but null reads `any`); `...name: type` for a
// variadic one.
func (p ParamDecl) Label() string {
	var b strings.Builder
	if p.Variadic {
		b.WriteString("...")
	}
	b.WriteString(p.Name)
	b.WriteString(": ")
	t := p.Type
	if p.Optional && t != TNull {
		t &^= TNull
	}
	if t == TAny&^TNull {
		b.WriteString("any")
	} else {
		b.WriteString(t.String())
	}
	switch {
	case p.Default != "":
		b.WriteString(" = " + p.Default)
	case p.Optional:
		b.WriteString("?")
	}
	return b.String()
}

// Universe is the table of library functions a program is checked against.
// The stdlib fills it; the checker only reads it.
type Universe interface {
	// Func returns the declaration with the qualified name, or nil.
	Func(name string) *FuncDecl
	// IsModule reports whether name is a module, such as "inquiry".
	IsModule(name string) bool
	// Funcs returns every declaration, sorted by name.
	Funcs() []*FuncDecl
}

// Table is a simple Universe built from a list of declarations.
type Table struct {
	funcs   map[string]*FuncDecl
	modules map[string]bool
	sorted  []*FuncDecl
	events  EventCatalog
}

// NewTable builds a table. Later declarations replace earlier ones with the
// same name.
func NewTable(decls ...*FuncDecl) *Table {
	t := &Table{funcs: map[string]*FuncDecl{}, modules: map[string]bool{}}
	for _, d := range decls {
		t.funcs[d.Name] = d
		if m := d.Module(); m != "" {
			for m != "" {
				t.modules[m] = true
				i := strings.LastIndexByte(m, '.')
				if i < 0 {
					break
				}
				m = m[:i]
			}
		}
	}
	for _, d := range t.funcs {
		t.sorted = append(t.sorted, d)
	}
	sort.Slice(t.sorted, func(i, j int) bool { return t.sorted[i].Name < t.sorted[j].Name })
	return t
}

// Func implements Universe.
func (t *Table) Func(name string) *FuncDecl { return t.funcs[name] }

// IsModule implements Universe.
func (t *Table) IsModule(name string) bool { return t.modules[name] }

// Funcs implements Universe.
func (t *Table) Funcs() []*FuncDecl { return t.sorted }

// ModuleFuncs returns the functions of one module.
func ModuleFuncs(u Universe, module string) []*FuncDecl {
	var out []*FuncDecl
	for _, d := range u.Funcs() {
		if d.Module() == module {
			out = append(out, d)
		}
	}
	return out
}
