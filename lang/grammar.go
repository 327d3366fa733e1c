package lang

import "github.com/alecthomas/participle/v2/lexer"

// This file holds the participle grammar as tagged structs. They are the
// parser's private shape; lower.go turns them into the AST. Expressions are
// parsed flat (operands separated by operators) and given their precedence in
// lower.go, which keeps the grammar shallow: a literal costs four structs, not
// one per precedence level.

type declG struct {
	Workflow *workflowG `parser:"  @@"`
	Const    *constG    `parser:"| @@"`
	Fn       *fnG       `parser:"| @@"`
	JsFn     *jsFnG     `parser:"| @@"`
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
	Name   *nameG   `parser:"\"workflow\" @@"`
	Open   string   `parser:"@\"{\""`
	Items  []*itemG `parser:"@@*"`
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
	Name   *nameG    `parser:"\"fn\" @@"`
	Params []*paramG `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
	Body   *blockG   `parser:"@@"`
}

type jsFnG struct {
	Pos    lexer.Position
	Name   *nameG    `parser:"\"js\" \"fn\" @@"`
	Params []*paramG `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )? \")\""`
	Body   *rawG     `parser:"@@"`
}

type rawG struct {
	Pos  lexer.Position
	Text string `parser:"@(RawString | RawUnterminated)"`
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
	Kind   string    `parser:"@( \"api\" | \"workflow\" | \"manual\" )"`
	Params []*paramG `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )?"`
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
	Pos  lexer.Position
	Cond *exprG  `parser:"\"when\" @@"`
	Body *blockG `parser:"@@"`
	Else *elseG  `parser:"( \"else\" @@ )?"`
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
	Pos   lexer.Position
	Kw    string `parser:"@\"return\""`
	Value *exprG `parser:"@@?"`
}

type simpleG struct {
	X     *exprG `parser:"@@"`
	Eq    *eqG   `parser:"( @@"`
	Value *exprG `parser:"  @@ )?"`
}

type eqG struct {
	Pos lexer.Position
	Eq  string `parser:"@\"=\""`
}

// exprG is an expression as operands separated by binary operators.
type exprG struct {
	First *unaryG `parser:"@@"`
	Rest  []*binG `parser:"@@*"`
}

type binG struct {
	Pos   lexer.Position
	Op    string  `parser:"@( \"??\" | \"or\" | \"and\" | \"==\" | \"!=\" | \"<=\" | \">=\" | \"<\" | \">\" | \"+\" | \"-\" | \"*\" | \"/\" | \"%\" | \"matches\" | \"in\" | \"not\" \"in\" )"`
	Right *unaryG `parser:"@@"`
}

type unaryG struct {
	Prefix []*prefixG `parser:"@@*"`
	X      *postfixG  `parser:"@@"`
}

type prefixG struct {
	Pos lexer.Position
	Op  string `parser:"@( \"not\" | \"-\" )"`
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
	Op   string    `parser:"@( \".\" | \"?.\" )"`
	Name *anyNameG `parser:"@@"`
}

type indexG struct {
	Index  *exprG `parser:"\"[\" @@"`
	Tokens []lexer.Token
	Close  string `parser:"@\"]\""`
}

type callG struct {
	Pos    lexer.Position
	Args   []*argG `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )?"`
	Tokens []lexer.Token
	Close  string `parser:"@\")\""`
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

type listG struct {
	Elems  []*exprG `parser:"\"[\" ( @@ ( \",\" @@ )* \",\"? )?"`
	Tokens []lexer.Token
	Close  string `parser:"@\"]\""`
}

type mapG struct {
	Pos     lexer.Position
	Entries []*entryG `parser:"\"{\" ( @@ ( \",\" @@ )* \",\"? )?"`
	Tokens  []lexer.Token
	Close   string `parser:"@\"}\""`
}

type entryG struct {
	Pos   lexer.Position
	Name  *anyNameG `parser:"( @@"`
	Str   *stringG  `parser:"| @@ )"`
	Value *exprG    `parser:"\":\" @@"`
}

type parenG struct {
	Elems  []*exprG `parser:"\"(\" ( @@ ( \",\" @@ )* \",\"? )?"`
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
	Name    *stringG  `parser:"\"event\" @@"`
	Where   *exprG    `parser:"( \"where\" @@ )?"`
	Timeout *postfixG `parser:"( \"timeout\" @@ )?"`
}
