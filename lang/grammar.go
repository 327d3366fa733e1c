package lang

import (
	"strings"
	"sync"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// This file is the grammar of WF: participle rules as tagged structs, every
// construct from declarations down to operator precedence. Grammar() prints
// it as EBNF (the golden testdata/grammar.ebnf), and participle parses with
// it in the tests. The parser that runs (parser*.go) is written by hand for
// speed and for error recovery, and is held to these rules: the
// differential tests (grammar_diff_test.go, FuzzGrammar) parse every input
// with both and require the same acceptance, the same first error position
// and the same tree.
//
// participle runs with no lookahead beyond the next token: once an
// alternative has taken a token it is committed, as in the hand parser.
// Where one token is not enough (`wait event "…"` against `wait event.x`,
// `js fn` against `js.eval`, `workflow name` against `workflow.call`) a
// lookahead group says so (`fields inquiry {` against a name `fields`
// too). Lists are written `Item ("," List?)?`, which
// allows a trailing comma without backtracking.
//
// Rules that need more than a grammar (a chained comparison, a positional
// argument after a named one, an expression used as a statement…) are
// checked while the tree is built, by the same code for both parsers
// (build.go). One rule is about lines, which participle does not see: the
// name after "." or "?." is on the dot's line (nameOnNextLine), so `x.`
// left unfinished at the end of a line does not take a keyword from the
// next one as a field name.

type declG struct {
	Workflow *workflowG `parser:"  @@"`
	Const    *constG    `parser:"| @@"`
	Fn       *fnG       `parser:"| @@"`
	JsFn     *jsFnG     `parser:"| @@"`
	Fields   *fieldsG   `parser:"| @@"`
	Test     *testG     `parser:"| @@"`
}

type nameG struct {
	Pos  lexer.Position
	Name string `parser:"@Ident"`
}

type anyNameG struct {
	Pos  lexer.Position
	Name string `parser:"@(Ident | Keyword)"`
}

type workflowG struct {
	Pos    lexer.Position
	Name   *nameG      `parser:"(?= \"workflow\" Ident) \"workflow\" @@"`
	Open   lexer.Token `parser:"@\"{\""`
	Items  []*itemG    `parser:"@@*"`
	Tokens []lexer.Token
	Close  string `parser:"@\"}\""`
}

type itemG struct {
	On   *onG   `parser:"  @@"`
	Stmt *stmtG `parser:"| @@"`
}

type constG struct {
	Pos   lexer.Position
	Name  *nameG `parser:"\"const\" @@"`
	Value *exprG `parser:"\"=\" @@"`
}

type fnG struct {
	Pos    lexer.Position
	Name   *nameG      `parser:"\"fn\" @@"`
	Params *paramListG `parser:"\"(\" @@? \")\""`
	Body   *blockG     `parser:"@@"`
}

type jsFnG struct {
	Pos    lexer.Position
	Name   *nameG      `parser:"(?= \"js\" \"fn\") \"js\" \"fn\" @@"`
	Params *paramListG `parser:"\"(\" @@? \")\""`
	Body   *rawG       `parser:"@@"`
}

type fieldsG struct {
	Pos    lexer.Position
	Object *nameG        `parser:"(?= \"fields\" Ident \"{\") \"fields\" @@"`
	Open   lexer.Token   `parser:"@\"{\""`
	Fields []*fieldDeclG `parser:"@@*"`
	Tokens []lexer.Token
	Close  string `parser:"@\"}\""`
}

type fieldDeclG struct {
	Name *anyNameG `parser:"@@"`
	Type *nameG    `parser:"\":\" @@ \",\"?"`
}

type rawG struct {
	Pos  lexer.Position
	Text string `parser:"@(RawString | RawUnterminated)"`
}

type paramListG struct {
	First *paramG     `parser:"@@"`
	Rest  *paramListG `parser:"( \",\" @@? )?"`
}

type paramG struct {
	Pos     lexer.Position
	Name    *nameG `parser:"@@"`
	Type    *nameG `parser:"( \":\" @@"`
	Opt     string `parser:"  @\"?\"? )?"`
	Default *exprG `parser:"( \"=\" @@ )?"`
}

type onG struct {
	Pos      lexer.Position
	Event    *onEventG    `parser:"\"on\" ( @@"`
	Params   *onParamsG   `parser:"    | @@"`
	Schedule *onScheduleG `parser:"    | @@"`
	Every    *onEveryG    `parser:"    | @@ )"`
}

type onEventG struct {
	Pattern *stringG `parser:"\"event\" @@"`
	Where   *exprG   `parser:"( \"where\" @@ )?"`
}

type onParamsG struct {
	Kind   string      `parser:"@( \"api\" | \"workflow\" | \"manual\" )"`
	Params *paramListG `parser:"\"(\" @@?"`
	Tokens []lexer.Token
	Close  string `parser:"@\")\""`
}

type onScheduleG struct {
	Cron *stringG `parser:"\"schedule\" @@"`
	TZ   *stringG `parser:"( \"tz\" @@ )?"`
}

type onEveryG struct {
	Every *durationG `parser:"\"every\" @@"`
}

type durationG struct {
	Pos   lexer.Position
	Value string `parser:"@Duration"`
}

type blockG struct {
	Pos    lexer.Position
	Stmts  []*stmtG `parser:"\"{\" @@*"`
	Tokens []lexer.Token
	Close  string `parser:"@\"}\""`
}

type stmtG struct {
	Pos      lexer.Position
	Let      *letG      `parser:"  @@"`
	When     *whenG     `parser:"| @@"`
	Block    *blockG    `parser:"| @@"`
	Simple   *simpleG   `parser:"| @@"`
	For      *forG      `parser:"| @@"`
	Parallel *parallelG `parser:"| @@"`
	Log      *exprG     `parser:"| \"log\" @@"`
	Output   *outputG   `parser:"| @@"`
	Return   *returnG   `parser:"| @@"`
	Try      *tryG      `parser:"| @@"`
	Fail     *exprG     `parser:"| \"fail\" @@"`
	Stop     string     `parser:"| @\"stop\""`
	Emit     *emitG     `parser:"| @@"`
}

type letG struct {
	Name  *nameG `parser:"\"let\" @@"`
	Value *exprG `parser:"\"=\" @@"`
}

type whenG struct {
	Pos    lexer.Position
	Cond   *exprG      `parser:"\"when\" @@"`
	Body   *blockG     `parser:"@@"`
	ElseKw lexer.Token `parser:"( @\"else\""`
	Else   *elseG      `parser:"  @@ )?"`
}

type elseG struct {
	Pos  lexer.Position
	When *whenG  `parser:"  @@"`
	Body *blockG `parser:"| @@"`
}

type parallelG struct {
	For  *forG   `parser:"\"parallel\" ( @@"`
	Body *blockG `parser:"| @@ )"`
}

type forG struct {
	Pos   lexer.Position
	First *nameG  `parser:"\"for\" @@"`
	Value *nameG  `parser:"( \",\" @@ )?"`
	Iter  *exprG  `parser:"\"in\" @@"`
	Limit *exprG  `parser:"( \"limit\" @@ )?"`
	Body  *blockG `parser:"@@"`
}

type tryG struct {
	Body  *blockG `parser:"\"try\" @@"`
	Err   *nameG  `parser:"\"catch\" @@?"`
	Catch *blockG `parser:"@@"`
}

type outputG struct {
	Value *mapG `parser:"\"output\" @@"`
}

type emitG struct {
	Name    *exprG `parser:"\"emit\" @@"`
	Payload *mapG  `parser:"@@?"`
}

type returnG struct {
	Value *exprG `parser:"\"return\" @@?"`
}

type simpleG struct {
	X     *exprG      `parser:"@@"`
	Eq    lexer.Token `parser:"( @\"=\""`
	Value *exprG      `parser:"  @@ )?"`
}

// Expressions, loosest first: ?? , or, and, not, comparisons, + -, * / %,
// unary -, then postfix. Each binary level is its operand followed by any
// number of (operator, operand); build.go folds them to the left.

type exprG struct {
	X    *orG         `parser:"@@"`
	Rest []*coalesceG `parser:"@@*"`
}

type coalesceG struct {
	Op lexer.Token `parser:"@\"??\""`
	Y  *orG        `parser:"@@"`
}

type orG struct {
	X    *andG    `parser:"@@"`
	Rest []*orOpG `parser:"@@*"`
}

type orOpG struct {
	Op lexer.Token `parser:"@\"or\""`
	Y  *andG       `parser:"@@"`
}

type andG struct {
	X    *notG     `parser:"@@"`
	Rest []*andOpG `parser:"@@*"`
}

type andOpG struct {
	Op lexer.Token `parser:"@\"and\""`
	Y  *notG       `parser:"@@"`
}

type notG struct {
	Not *notOpG `parser:"  @@"`
	Cmp *cmpG   `parser:"| @@"`
}

type notOpG struct {
	Op lexer.Token `parser:"@\"not\""`
	X  *notG       `parser:"@@"`
}

type cmpG struct {
	X    *addG     `parser:"@@"`
	Rest []*cmpOpG `parser:"@@*"`
}

type cmpOpG struct {
	Op lexer.Token `parser:"@( \"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\" | \"matches\" | \"in\" | \"not\" \"in\" )"`
	Y  *addG       `parser:"@@"`
}

type addG struct {
	X    *mulG     `parser:"@@"`
	Rest []*addOpG `parser:"@@*"`
}

type addOpG struct {
	Op lexer.Token `parser:"@( \"+\" | \"-\" )"`
	Y  *mulG       `parser:"@@"`
}

type mulG struct {
	X    *unaryG   `parser:"@@"`
	Rest []*mulOpG `parser:"@@*"`
}

type mulOpG struct {
	Op lexer.Token `parser:"@( \"*\" | \"/\" | \"%\" )"`
	Y  *unaryG     `parser:"@@"`
}

type unaryG struct {
	Neg *negG     `parser:"  @@"`
	X   *postfixG `parser:"| @@"`
}

type negG struct {
	Op lexer.Token `parser:"@\"-\""`
	X  *unaryG     `parser:"@@"`
}

type postfixG struct {
	X        *primaryG  `parser:"@@"`
	Suffixes []*suffixG `parser:"@@*"`
}

type suffixG struct {
	Field *fieldG `parser:"  @@"`
	Index *indexG `parser:"| @@"`
	Call  *callG  `parser:"| @@"`
}

type fieldG struct {
	Op   lexer.Token `parser:"@( \".\" | \"?.\" )"`
	Name *anyNameG   `parser:"@@"`
}

type indexG struct {
	Index  *exprG `parser:"\"[\" @@"`
	Tokens []lexer.Token
	Close  string `parser:"@\"]\""`
}

type callG struct {
	Pos    lexer.Position
	Args   *argListG `parser:"\"(\" @@?"`
	Tokens []lexer.Token
	Close  string `parser:"@\")\""`
}

type argListG struct {
	First *argG     `parser:"@@"`
	Rest  *argListG `parser:"( \",\" @@? )?"`
}

type argG struct {
	Value *exprG `parser:"@@"`
	Named *exprG `parser:"( \":\" @@ )?"`
}

type primaryG struct {
	Pos      lexer.Position
	Ident    *identG  `parser:"  @@"`
	Str      *stringG `parser:"| @@"`
	Number   string   `parser:"| @Number"`
	Duration string   `parser:"| @Duration"`
	Lit      string   `parser:"| @( \"true\" | \"false\" | \"null\" )"`
	List     *listG   `parser:"| @@"`
	Map      *mapG    `parser:"| @@"`
	Paren    *parenG  `parser:"| @@"`
	Run      *runG    `parser:"| @@"`
	Wait     *waitG   `parser:"| @@"`
	Raw      *rawG    `parser:"| @@"`
}

type identG struct {
	Name  string  `parser:"@Ident"`
	Arrow *arrowG `parser:"@@?"`
}

type arrowG struct {
	Pos  lexer.Position
	Body *exprG `parser:"\"->\" @@"`
}

type stringG struct {
	Pos    lexer.Position
	Parts  []*strPartG `parser:"StringStart @@*"`
	Tokens []lexer.Token
	End    string `parser:"@( StringEnd | Unterminated )"`
}

type strPartG struct {
	Pos    lexer.Position
	Text   string `parser:"  @( Chars | Escape | Dollar )"`
	Bad    string `parser:"| @BadEscape"`
	Interp *exprG `parser:"| InterpStart @@ InterpEnd"`
}

type exprListG struct {
	First *exprG     `parser:"@@"`
	Rest  *exprListG `parser:"( \",\" @@? )?"`
}

type listG struct {
	Elems  *exprListG `parser:"\"[\" @@?"`
	Tokens []lexer.Token
	Close  string `parser:"@\"]\""`
}

type mapG struct {
	Pos     lexer.Position
	Entries *entryListG `parser:"\"{\" @@?"`
	Tokens  []lexer.Token
	Close   string `parser:"@\"}\""`
}

type entryListG struct {
	First *entryG     `parser:"@@"`
	Rest  *entryListG `parser:"( \",\" @@? )?"`
}

type entryG struct {
	Name  *anyNameG `parser:"( @@"`
	Str   *stringG  `parser:"| @@ )"`
	Value *exprG    `parser:"\":\" @@"`
}

type parenG struct {
	Elems  *exprListG `parser:"\"(\" @@?"`
	Tokens []lexer.Token
	Close  string  `parser:"@\")\""`
	Arrow  *arrowG `parser:"@@?"`
}

type runG struct {
	Call *postfixG `parser:"\"run\" @@"`
	With *mapG     `parser:"( \"with\" @@ )?"`
}

type waitG struct {
	Event *waitEventG `parser:"\"wait\" ( @@"`
	For   *postfixG   `parser:"      | @@ )"`
}

type waitEventG struct {
	Name    *stringG  `parser:"(?= \"event\" StringStart) \"event\" @@"`
	Where   *exprG    `parser:"( \"where\" @@ )?"`
	Timeout *postfixG `parser:"( \"timeout\" @@ )?"`
}

// testG is a test declaration (testdecl.go): `test "name" { clauses }`.
// Its clauses start with contextual words, so each alternative is told by
// its first token.
type testG struct {
	Pos    lexer.Position
	Name   *stringG     `parser:"(?= \"test\" StringStart) \"test\" @@"`
	Open   lexer.Token  `parser:"@\"{\""`
	Items  []*testItemG `parser:"@@*"`
	Tokens []lexer.Token
	Close  string `parser:"@\"}\""`
}

type testItemG struct {
	Pos      lexer.Position
	Workflow *nameG      `parser:"  \"workflow\" @@"`
	Event    *testEventG `parser:"| \"event\" @@"`
	Inputs   *exprG      `parser:"| \"inputs\" @@"`
	Now      *exprG      `parser:"| \"now\" @@"`
	Backend  *nameG      `parser:"| \"backend\" @@"`
	Secrets  *exprG      `parser:"| \"secrets\" @@"`
	Fixtures *stringG    `parser:"| \"fixtures\" @@"`
	List     *testListG  `parser:"| \"list\" @@"`
	Persona  *exprG      `parser:"| \"persona\" @@"`
	Cases    *exprG      `parser:"| \"cases\" @@"`
	Mock     *mockG      `parser:"| \"mock\" @@"`
	Deliver  *deliverG   `parser:"| \"deliver\" @@"`
	Expect   *expectG    `parser:"| \"expect\" @@"`
}

type testEventG struct {
	File   *stringG `parser:"  \"file\" @@"`
	Name   *stringG `parser:"| @@"`
	Object *exprG   `parser:"  @@"`
}

type testListG struct {
	Name  *stringG `parser:"@@"`
	Value *exprG   `parser:"@@"`
}

type mockG struct {
	Step   *postfixG    `parser:"@@"`
	Once   string       `parser:"@\"once\"?"`
	Result *mockResultG `parser:"@@?"`
}

type mockResultG struct {
	Kind  string `parser:"@( \"returns\" | \"fails\" )"`
	Value *exprG `parser:"@@"`
}

type deliverG struct {
	Name   *stringG  `parser:"\"event\" @@"`
	Object *exprG    `parser:"@@"`
	After  *postfixG `parser:"( \"after\" @@ )?"`
}

type expectG struct {
	Run      *postfixG `parser:"(   \"run\" @@"`
	NoRun    *postfixG `parser:"  | \"no\" \"run\" @@"`
	Steps    *listG    `parser:"  | \"steps\" @@"`
	AnyOrder string    `parser:"    @( \"in\" \"any\" \"order\" )?"`
	Output   *mapG     `parser:"  | \"output\" @@"`
	Status   *exprG    `parser:"  | \"status\" @@"`
	Error    *exprG    `parser:"  | \"error\" @@ )"`
	When     *exprG    `parser:"( \"when\" @@ )?"`
}

// replG is what one REPL entry may hold: declarations and statements.
type replG struct {
	Items []*replItemG `parser:"@@*"`
}

type replItemG struct {
	Decl *declG `parser:"  @@"`
	Stmt *stmtG `parser:"| @@"`
}

// grammar holds participle's parsers over the rules, built on first use:
// Grammar() prints them, the differential tests parse with them.
var grammar = sync.OnceValue(func() *grammarParsers {
	opts := []participle.Option{participle.Lexer(theLexer()), participle.UseLookahead(0)}
	return &grammarParsers{
		decl: participle.MustBuild[declG](opts...),
		repl: participle.MustBuild[replG](opts...),
	}
})

type grammarParsers struct {
	decl *participle.Parser[declG]
	repl *participle.Parser[replG]
}

// Grammar returns WF's grammar in EBNF, as participle prints its rules: a
// file is a sequence of declarations (each parsed on its own, see Parse),
// a REPL entry a sequence of declarations and statements (the rules the
// two share are printed once).
func Grammar() string {
	g := grammar()
	decl := g.decl.String()
	defined := map[string]bool{}
	for _, line := range strings.Split(decl, "\n") {
		name, _, _ := strings.Cut(line, " = ")
		defined[name] = true
	}
	var repl []string
	for _, line := range strings.Split(g.repl.String(), "\n") {
		if name, _, _ := strings.Cut(line, " = "); !defined[name] {
			repl = append(repl, line)
		}
	}
	return "# a declaration\n" + decl + "\n\n# a REPL entry\n" + strings.Join(repl, "\n") + "\n"
}

// nameOnNextLine returns the offset of the first token that follows a "."
// or "?." on a later line, or -1: where the parser stops with a syntax
// error although the rules alone would read on.
func nameOnNextLine(src string, toks []token) int {
	for i := 0; i+1 < len(toks); i++ {
		t, next := &toks[i], &toks[i+1]
		if t.typ == tPunct && (t.is(src, ".") || t.is(src, "?.")) && next.typ != tEOF && next.line > t.line {
			return int(next.off)
		}
	}
	return -1
}
