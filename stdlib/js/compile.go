package js

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// The body is wrapped in a function expression whose header sits alone on
// the first line, so body line n is JavaScript line n+1 and columns match.
const (
	headerLines = 1
	bodyTail    = "\n})"
	exprTail    = "\n)})"
)

// Program is a compiled js fn (or js.eval code): a goja program producing
// the wrapper function, bound to no runtime, safe for concurrent use.
type Program struct {
	name   string
	params []string
	pos    Pos
	lines  int
	src    string // the body, while compiling
	prog   *goja.Program
	once   sync.Once
	own    *Sandbox
}

// Name is the function name errors start with.
func (p *Program) Name() string { return p.name }

// Params are the parameter names, in call order.
func (p *Program) Params() []string { return append([]string(nil), p.params...) }

// Compile compiles a js fn: body is a JavaScript function body taking params,
// pos is where the body starts in the .wf file. Errors are *Error with the
// JavaScript line and the .wf position.
func Compile(name string, params []string, body string, pos Pos) (*Program, error) {
	if len(body) > MaxBodyBytes {
		return nil, newError(name, ErrLimit, fmt.Sprintf("body of %d bytes is over the limit of %d", len(body), MaxBodyBytes))
	}
	if err := checkParams(name, "parameter", params); err != nil {
		return nil, err
	}
	return compile(name, params, body, pos, false)
}

// compile compiles body as a function body taking checked params. With
// completion set (js.eval), a final expression statement is returned, as eval
// would.
func compile(name string, params []string, body string, pos Pos, completion bool) (*Program, error) {
	p := &Program{name: name, params: params, pos: pos, lines: strings.Count(body, "\n") + 1, src: body}
	defer func() { p.src = "" }()
	src := header(params, false) + body + bodyTail
	prg, err := p.parse(src)
	if err != nil {
		return nil, err
	}
	fn, err := p.wrapped(prg)
	if err != nil {
		return nil, err
	}
	if completion {
		returnLast(fn.Body)
	}
	return p, p.build(prg)
}

// compileExpr compiles code as a single expression, reporting ok=false when
// it is not one.
func compileExpr(name string, params []string, code string) (*Program, bool) {
	p := &Program{name: name, params: params, lines: strings.Count(code, "\n") + 1}
	prg, err := p.parse(header(params, true) + code + exprTail)
	if err != nil || len(prg.Body) != 1 {
		return nil, false
	}
	fn, err := p.wrapped(prg)
	if err != nil || len(fn.Body.List) != 1 {
		return nil, false
	}
	if _, ok := fn.Body.List[0].(*ast.ReturnStatement); !ok {
		return nil, false
	}
	return p, p.build(prg) == nil
}

// header is the wrapper's first line.
func header(params []string, expr bool) string {
	h := "(function(" + strings.Join(params, ", ") + ") {"
	if expr {
		h += " return ("
	}
	return h + "\n"
}

// parse parses the wrapped source, with source maps off (a sourceMappingURL
// comment would otherwise make goja read a file).
func (p *Program) parse(src string) (*ast.Program, error) {
	prg, err := parser.ParseFile(nil, p.name, src, 0, parser.WithDisableSourceMaps)
	if err == nil {
		return prg, nil
	}
	var list parser.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return nil, p.syntaxError(list[0].Message, list[0].Position)
	}
	var one *parser.Error
	if errors.As(err, &one) {
		return nil, p.syntaxError(one.Message, one.Position)
	}
	return nil, newError(p.name, ErrSyntax, "SyntaxError: "+err.Error())
}

// wrapped returns the wrapper function, refusing a body that closes it early
// and runs code after it.
func (p *Program) wrapped(prg *ast.Program) (*ast.FunctionLiteral, error) {
	if len(prg.Body) == 0 {
		return nil, p.syntaxError("Unexpected end of input", file.Position{Line: headerLines + p.lines})
	}
	if len(prg.Body) == 1 {
		if st, ok := prg.Body[0].(*ast.ExpressionStatement); ok {
			if fn, ok := st.Expression.(*ast.FunctionLiteral); ok {
				return fn, nil
			}
		}
	}
	at := prg.Body[0].Idx1() - 1
	if st, ok := prg.Body[0].(*ast.ExpressionStatement); ok {
		if fn, ok := st.Expression.(*ast.FunctionLiteral); ok {
			at = fn.Body.RightBrace
		}
	}
	return nil, p.syntaxError("Unexpected token }", prg.File.Position(int(at)-1))
}

// build compiles the checked AST in strict mode.
func (p *Program) build(prg *ast.Program) error {
	gp, err := goja.CompileAST(prg, true)
	if err == nil {
		p.prog = gp
		return nil
	}
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) && se.File != nil {
		return p.syntaxError(se.Message, se.File.Position(se.Offset))
	}
	return newError(p.name, ErrSyntax, "SyntaxError: "+err.Error())
}

// syntaxError maps a position in the wrapped source to the body.
func (p *Program) syntaxError(msg string, at file.Position) *Error {
	line, col := at.Line-headerLines, at.Column
	if line > p.lines {
		line, col = p.lines, 0
		msg = p.tailMessage(msg)
	}
	e := newError(p.name, ErrSyntax, "SyntaxError: "+msg)
	if line < 1 {
		line, col = 1, 0
	}
	e.place(p.pos, line, col)
	return e
}

// tailMessage rewords an error the parser met in the wrapper's closing "})":
// the body either closed the function itself (one "}" too many) or ended
// early (a block or expression left open).
func (p *Program) tailMessage(msg string) string {
	if !strings.HasPrefix(msg, "Unexpected token") {
		return msg
	}
	if p.src == "" {
		return "Unexpected end of input"
	}
	if _, err := parser.ParseFile(nil, p.name, "function f() {\n"+p.src, 0, parser.WithDisableSourceMaps); err == nil {
		return "Unexpected token }"
	}
	return "Unexpected end of input"
}

// returnLast turns a final expression statement into a return, so
// js.eval("let x = a * 2; x + 1", …) yields x + 1.
func returnLast(body *ast.BlockStatement) {
	n := len(body.List)
	if n == 0 {
		return
	}
	if st, ok := body.List[n-1].(*ast.ExpressionStatement); ok {
		body.List[n-1] = &ast.ReturnStatement{Return: st.Idx0(), Argument: st.Expression}
	}
}

// checkParams refuses names JavaScript would not accept as parameters; noun
// is what the caller calls them.
func checkParams(fn, noun string, params []string) error {
	seen := make(map[string]bool, len(params))
	for _, p := range params {
		if !isIdent(p) {
			return newError(fn, ErrSyntax, fmt.Sprintf("%s %q is not a JavaScript identifier", noun, p))
		}
		if isReserved(p) {
			return newError(fn, ErrSyntax, fmt.Sprintf("%s %q is a reserved word in JavaScript", noun, p))
		}
		if seen[p] {
			return newError(fn, ErrSyntax, fmt.Sprintf("%s %q appears twice", noun, p))
		}
		seen[p] = true
	}
	return nil
}

// isIdent reports whether s is an ASCII JavaScript identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range []byte(s) {
		letter := c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isReserved reports whether strict-mode JavaScript refuses s as a
// parameter name.
func isReserved(s string) bool {
	switch s {
	case "await", "break", "case", "catch", "class", "const", "continue", "debugger",
		"default", "delete", "do", "else", "enum", "export", "extends", "false", "finally",
		"for", "function", "if", "import", "in", "instanceof", "new", "null", "return",
		"super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while",
		"with", "yield", "let", "static", "implements", "interface", "package", "private",
		"protected", "public", "eval", "arguments":
		return true
	}
	return false
}
