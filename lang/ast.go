package lang

import "time"

// Node is any AST node. Span covers the node's text in the file.
type Node interface {
	Span() Span
}

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Stmt is a statement node.
type Stmt interface {
	Node
	stmtNode()
}

// Decl is a top-level declaration: a workflow, const, fn or js fn.
type Decl interface {
	Node
	declNode()
	DeclName() *Ident
}

// Trigger is an `on` clause of a workflow.
type Trigger interface {
	Node
	triggerNode()
}

// File is a parsed .wf file. Decls holds every declaration that parsed;
// declarations with syntax errors are left out (their diagnostics say why).
type File struct {
	Path     string
	Src      []byte
	Decls    []Decl
	Comments []*Comment
	EOF      Pos
}

// Span covers the whole file.
func (f *File) Span() Span { return Span{Start: Pos{Line: 1, Col: 1}, End: f.EOF} }

// Comment is a `# …` comment. Text includes the leading '#'.
type Comment struct {
	Sp   Span
	Text string
}

// Span returns the comment's range.
func (c *Comment) Span() Span { return c.Sp }

// Ident is a name, at the place it is written.
type Ident struct {
	Sp   Span
	Name string
}

// ---- Declarations ----

// WorkflowDecl is `workflow name { on …; statements }`.
type WorkflowDecl struct {
	Sp       Span
	Name     *Ident
	Triggers []Trigger
	Body     []Stmt
	Lbrace   Pos
	Rbrace   Pos
}

// ConstDecl is `const NAME = expr`.
type ConstDecl struct {
	Sp    Span
	Name  *Ident
	Value Expr
}

// FnDecl is `fn name(params) { body }`, a pure helper written in WF.
type FnDecl struct {
	Sp     Span
	Name   *Ident
	Params []*Param
	Body   *Block
}

// JsFnDecl is `js fn name(params) """body"""`, a pure helper written in
// JavaScript. Code is the text between the quotes; CodePos is where it starts.
type JsFnDecl struct {
	Sp      Span
	Name    *Ident
	Params  []*Param
	Code    string
	CodePos Pos
	CodeSp  Span
}

// FieldsDecl is `fields object { name: type … }`: the custom fields a
// project's templates give an object type, which an event's object holds
// under `fields` (trigger.fields.name of an inquiry). The checker then
// knows them, and warns about others.
type FieldsDecl struct {
	Sp     Span
	Object *Ident
	Fields []*FieldDecl
	Lbrace Pos
	Rbrace Pos
}

// FieldDecl is one `name: type` of a FieldsDecl.
type FieldDecl struct {
	Sp   Span
	Name *Ident
	Type *TypeRef
}

// Param is a parameter of a fn, js fn or parameterized trigger:
// `name`, `name: type` or `name: type = default`.
type Param struct {
	Sp      Span
	Name    *Ident
	Type    *TypeRef
	Default Expr
}

// TypeRef names a parameter type, such as `string` or `list`. Optional
// (written `string?`) means the value may be null, and a missing input reads
// as null.
type TypeRef struct {
	Sp       Span
	Name     string
	Optional bool
}

// ---- Triggers ----

// EventTrigger is `on event "pattern" [where expr]`.
type EventTrigger struct {
	Sp      Span
	Pattern *StringLit
	Where   Expr
}

// ParamTrigger is `on api(…)`, `on workflow(…)` or `on manual(…)`.
type ParamTrigger struct {
	Sp     Span
	Kind   string // "api", "workflow" or "manual"
	Params []*Param
}

// ScheduleTrigger is `on schedule "cron" [tz "Zone"]`.
type ScheduleTrigger struct {
	Sp   Span
	Cron *StringLit
	TZ   *StringLit
}

// EveryTrigger is `on every 15m`.
type EveryTrigger struct {
	Sp    Span
	Every *DurationLit
}

// ---- Statements ----

// Block is `{ statements }`.
type Block struct {
	Sp     Span
	Stmts  []Stmt
	Rbrace Pos
}

// LetStmt is `let name = value`.
type LetStmt struct {
	Sp    Span
	Name  *Ident
	Value Expr
}

// AssignStmt is `target = value`; Target is an Ident, a SelectorExpr or an
// IndexExpr.
type AssignStmt struct {
	Sp     Span
	Target Expr
	OpPos  Pos
	Value  Expr
}

// ExprStmt is an expression used as a statement: a call, a `run` step or a
// `wait`.
type ExprStmt struct {
	X Expr
}

// WhenStmt is `when c { … } else when c { … } else { … }`: the first route
// whose condition holds runs.
type WhenStmt struct {
	Sp       Span
	Branches []*WhenBranch
	Else     *Block // nil when there is no final else
	ElsePos  Pos    // the final else keyword
}

// WhenBranch is one `when cond { … }` route.
type WhenBranch struct {
	Sp   Span
	Cond Expr
	Body *Block
}

// ParallelStmt is `parallel { … }`: every statement directly in Body is a
// branch.
type ParallelStmt struct {
	Sp   Span
	Body *Block
}

// ForStmt is `for x in xs { … }`, `for i, x in xs { … }` or, with Parallel
// set, `parallel for x in xs limit n { … }`.
type ForStmt struct {
	Sp       Span
	Parallel bool
	Key      *Ident // the index or map key when two names are given, else nil
	Value    *Ident
	Iter     Expr
	Limit    Expr
	Body     *Block
}

// TryStmt is `try { … } catch err { … }`; Err may be nil.
type TryStmt struct {
	Sp    Span
	Body  *Block
	Err   *Ident
	Catch *Block
}

// OutputStmt is `output { key: value, … }`.
type OutputStmt struct {
	Sp    Span
	Value *MapLit
}

// FailStmt is `fail reason`.
type FailStmt struct {
	Sp     Span
	Reason Expr
}

// StopStmt is `stop`.
type StopStmt struct {
	Sp Span
}

// LogStmt is `log message`.
type LogStmt struct {
	Sp      Span
	Message Expr
}

// EmitStmt is `emit "name" { payload }`.
type EmitStmt struct {
	Sp      Span
	Name    Expr
	Payload *MapLit
}

// ReturnStmt is `return [value]` inside a fn.
type ReturnStmt struct {
	Sp    Span
	Value Expr
}

// BlockStmt is a nested `{ … }`, used for multi-statement parallel branches.
type BlockStmt struct {
	Block *Block
}

// ---- Expressions ----

// NullLit is `null`.
type NullLit struct{ Sp Span }

// BoolLit is `true` or `false`.
type BoolLit struct {
	Sp    Span
	Value bool
}

// IntLit is an integer literal.
type IntLit struct {
	Sp    Span
	Value int64
	Raw   string
}

// FloatLit is a floating-point literal.
type FloatLit struct {
	Sp    Span
	Value float64
	Raw   string
}

// DurationLit is a duration such as `90s`, `15m`, `2h` or `1h30m`.
type DurationLit struct {
	Sp    Span
	Value time.Duration
	Raw   string
}

// StringLit is a "…" string, possibly with ${…} interpolations, or a raw
// """…""" string (Raw set, one text part, no interpolation).
type StringLit struct {
	Sp    Span
	Parts []StringPart
	Raw   bool
}

// StringPart is a piece of a string: literal text (Expr nil) or an
// interpolated expression.
type StringPart struct {
	Sp   Span
	Text string // unescaped text
	Expr Expr
}

// Static returns the string's text and true when it has no interpolation.
func (s *StringLit) Static() (string, bool) {
	switch len(s.Parts) {
	case 0:
		return "", true
	case 1:
		if s.Parts[0].Expr == nil {
			return s.Parts[0].Text, true
		}
	}
	return "", false
}

// ListLit is `[a, b, …]`.
type ListLit struct {
	Sp    Span
	Elems []Expr
}

// MapLit is `{key: value, "quoted-key": value}`.
type MapLit struct {
	Sp      Span
	Entries []*MapEntry
}

// MapEntry is one `key: value` of a map literal.
type MapEntry struct {
	Sp     Span
	Key    string
	KeySp  Span
	Quoted bool
	Value  Expr
}

// UnaryExpr is `not x` or `-x`.
type UnaryExpr struct {
	Sp    Span
	Op    Op
	OpPos Pos
	X     Expr
}

// BinaryExpr is `x op y`.
type BinaryExpr struct {
	Sp    Span
	Op    Op
	OpPos Pos
	X, Y  Expr
}

// SelectorExpr is `x.name` or, with Optional, `x?.name`.
type SelectorExpr struct {
	Sp       Span
	X        Expr
	Name     *Ident
	Optional bool
}

// IndexExpr is `x[index]`.
type IndexExpr struct {
	Sp    Span
	X     Expr
	Index Expr
}

// CallExpr is `fn(args)`. Positional arguments come before named ones.
type CallExpr struct {
	Sp     Span
	Fn     Expr
	Args   []*Arg
	Lparen Pos
	Rparen Pos
}

// Arg is a call argument; Name is nil for a positional argument.
type Arg struct {
	Sp    Span
	Name  *Ident
	Value Expr
}

// LambdaExpr is `x -> body` or `(a, b) -> body`.
type LambdaExpr struct {
	Sp     Span
	Params []*Ident
	Arrow  Pos
	Body   Expr
}

// ParenExpr is `(x)`.
type ParenExpr struct {
	Sp Span
	X  Expr
}

// RunExpr is `run action(args) [with {options}]`: a recorded step.
type RunExpr struct {
	Sp   Span
	Call *CallExpr
	With *MapLit
}

// WaitExpr is `wait duration`.
type WaitExpr struct {
	Sp       Span
	Duration Expr
}

// WaitEventExpr is `wait event "name" [where cond] [timeout d]`. It yields
// the matching event, or null when the timeout passes first.
type WaitEventExpr struct {
	Sp      Span
	Name    *StringLit
	Where   Expr
	Timeout Expr
}

// BadExpr stands where an expression or a statement failed to parse; a
// diagnostic says why. X, when set, is the part that did parse before the
// error, such as the value before an unfinished `.name`, for tools (the
// language server completes after it): the checker resolves its names and
// types but reports nothing about it.
type BadExpr struct {
	Sp Span
	X  Expr
}

// Span methods.

func (n *Ident) Span() Span           { return n.Sp }
func (n *WorkflowDecl) Span() Span    { return n.Sp }
func (n *ConstDecl) Span() Span       { return n.Sp }
func (n *FnDecl) Span() Span          { return n.Sp }
func (n *JsFnDecl) Span() Span        { return n.Sp }
func (n *FieldsDecl) Span() Span      { return n.Sp }
func (n *FieldDecl) Span() Span       { return n.Sp }
func (n *Param) Span() Span           { return n.Sp }
func (n *TypeRef) Span() Span         { return n.Sp }
func (n *EventTrigger) Span() Span    { return n.Sp }
func (n *ParamTrigger) Span() Span    { return n.Sp }
func (n *ScheduleTrigger) Span() Span { return n.Sp }
func (n *EveryTrigger) Span() Span    { return n.Sp }
func (n *Block) Span() Span           { return n.Sp }
func (n *LetStmt) Span() Span         { return n.Sp }
func (n *AssignStmt) Span() Span      { return n.Sp }
func (n *ExprStmt) Span() Span        { return n.X.Span() }
func (n *WhenStmt) Span() Span        { return n.Sp }
func (n *WhenBranch) Span() Span      { return n.Sp }
func (n *ParallelStmt) Span() Span    { return n.Sp }
func (n *ForStmt) Span() Span         { return n.Sp }
func (n *TryStmt) Span() Span         { return n.Sp }
func (n *OutputStmt) Span() Span      { return n.Sp }
func (n *FailStmt) Span() Span        { return n.Sp }
func (n *StopStmt) Span() Span        { return n.Sp }
func (n *LogStmt) Span() Span         { return n.Sp }
func (n *EmitStmt) Span() Span        { return n.Sp }
func (n *ReturnStmt) Span() Span      { return n.Sp }
func (n *BlockStmt) Span() Span       { return n.Block.Sp }
func (n *NullLit) Span() Span         { return n.Sp }
func (n *BoolLit) Span() Span         { return n.Sp }
func (n *IntLit) Span() Span          { return n.Sp }
func (n *FloatLit) Span() Span        { return n.Sp }
func (n *DurationLit) Span() Span     { return n.Sp }
func (n *StringLit) Span() Span       { return n.Sp }
func (n *ListLit) Span() Span         { return n.Sp }
func (n *MapLit) Span() Span          { return n.Sp }
func (n *MapEntry) Span() Span        { return n.Sp }
func (n *UnaryExpr) Span() Span       { return n.Sp }
func (n *BinaryExpr) Span() Span      { return n.Sp }
func (n *SelectorExpr) Span() Span    { return n.Sp }
func (n *IndexExpr) Span() Span       { return n.Sp }
func (n *CallExpr) Span() Span        { return n.Sp }
func (n *Arg) Span() Span             { return n.Sp }
func (n *LambdaExpr) Span() Span      { return n.Sp }
func (n *ParenExpr) Span() Span       { return n.Sp }
func (n *RunExpr) Span() Span         { return n.Sp }
func (n *WaitExpr) Span() Span        { return n.Sp }
func (n *WaitEventExpr) Span() Span   { return n.Sp }
func (n *BadExpr) Span() Span         { return n.Sp }

// DeclName methods.

func (n *WorkflowDecl) DeclName() *Ident { return n.Name }
func (n *ConstDecl) DeclName() *Ident    { return n.Name }
func (n *FnDecl) DeclName() *Ident       { return n.Name }
func (n *JsFnDecl) DeclName() *Ident     { return n.Name }
func (n *FieldsDecl) DeclName() *Ident   { return n.Object }

func (*WorkflowDecl) declNode() {}
func (*ConstDecl) declNode()    {}
func (*FnDecl) declNode()       {}
func (*JsFnDecl) declNode()     {}
func (*FieldsDecl) declNode()   {}

func (*EventTrigger) triggerNode()    {}
func (*ParamTrigger) triggerNode()    {}
func (*ScheduleTrigger) triggerNode() {}
func (*EveryTrigger) triggerNode()    {}

func (*LetStmt) stmtNode()      {}
func (*AssignStmt) stmtNode()   {}
func (*ExprStmt) stmtNode()     {}
func (*WhenStmt) stmtNode()     {}
func (*ParallelStmt) stmtNode() {}
func (*ForStmt) stmtNode()      {}
func (*TryStmt) stmtNode()      {}
func (*OutputStmt) stmtNode()   {}
func (*FailStmt) stmtNode()     {}
func (*StopStmt) stmtNode()     {}
func (*LogStmt) stmtNode()      {}
func (*EmitStmt) stmtNode()     {}
func (*ReturnStmt) stmtNode()   {}
func (*BlockStmt) stmtNode()    {}

func (*Ident) exprNode()         {}
func (*NullLit) exprNode()       {}
func (*BoolLit) exprNode()       {}
func (*IntLit) exprNode()        {}
func (*FloatLit) exprNode()      {}
func (*DurationLit) exprNode()   {}
func (*StringLit) exprNode()     {}
func (*ListLit) exprNode()       {}
func (*MapLit) exprNode()        {}
func (*UnaryExpr) exprNode()     {}
func (*BinaryExpr) exprNode()    {}
func (*SelectorExpr) exprNode()  {}
func (*IndexExpr) exprNode()     {}
func (*CallExpr) exprNode()      {}
func (*LambdaExpr) exprNode()    {}
func (*ParenExpr) exprNode()     {}
func (*RunExpr) exprNode()       {}
func (*WaitExpr) exprNode()      {}
func (*WaitEventExpr) exprNode() {}
func (*BadExpr) exprNode()       {}
