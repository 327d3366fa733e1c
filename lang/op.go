package lang

// Op is an operator.
type Op uint8

// The operators.
const (
	OpIllegal  Op = iota
	OpCoalesce    // ??
	OpOr          // or
	OpAnd         // and
	OpNot         // not (unary)
	OpEq          // ==
	OpNe          // !=
	OpLt          // <
	OpLe          // <=
	OpGt          // >
	OpGe          // >=
	OpIn          // in
	OpNotIn       // not in
	OpMatches     // matches
	OpAdd         // +
	OpSub         // -
	OpMul         // *
	OpDiv         // /
	OpMod         // %
	OpNeg         // - (unary)
)

var opText = [...]string{
	OpIllegal: "?", OpCoalesce: "??", OpOr: "or", OpAnd: "and", OpNot: "not",
	OpEq: "==", OpNe: "!=", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">=",
	OpIn: "in", OpNotIn: "not in", OpMatches: "matches", OpAdd: "+", OpSub: "-",
	OpMul: "*", OpDiv: "/", OpMod: "%", OpNeg: "-",
}

// String returns the operator as written.
func (o Op) String() string { return opText[o] }

// Precedence levels, loosest first.
const (
	precCoalesce = 1 + iota
	precOr
	precAnd
	precNot
	precCompare
	precAdd
	precMul
	precUnary
)

// Precedence returns the binding strength of a binary operator (higher binds
// tighter), or of a unary one.
func (o Op) Precedence() int {
	switch o {
	case OpCoalesce:
		return precCoalesce
	case OpOr:
		return precOr
	case OpAnd:
		return precAnd
	case OpNot:
		return precNot
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpNotIn, OpMatches:
		return precCompare
	case OpAdd, OpSub:
		return precAdd
	case OpMul, OpDiv, OpMod:
		return precMul
	case OpNeg:
		return precUnary
	}
	return 0
}

// IsComparison reports whether o is a comparison (they do not chain).
func (o Op) IsComparison() bool { return o.Precedence() == precCompare }
