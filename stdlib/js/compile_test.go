package js

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// riskBody is the js fn from the language design, starting at line 12 of
// its .wf file.
const riskBody = `  let score = 0
  if (inquiry.country_code !== "US") score += 20
  if (inquiry.fields.selfie_similarity < 0.8) score += 50
  return score`

var riskPos = Pos{File: "review.wf", Line: 12, Col: 1}

// compileErr compiles body as f(inquiry) at review.wf:12:1 and returns the
// *Error it must fail with.
func compileErr(t *testing.T, body string) *Error {
	t.Helper()
	_, err := Compile("risk_score", []string{"inquiry"}, body, riskPos)
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

func TestCompileSyntaxErrorsMapToBodyAndWFLines(t *testing.T) {
	tests := []struct {
		name, body, msg string
		line, col       int
	}{
		{"bad token on line 3", strings.Replace(riskBody, "< 0.8", "< ", 1),
			"risk_score: SyntaxError: Unexpected token ) (js line 3)", 3, 42},
		{"strict with", "let a = 1\nwith (a) {}",
			"risk_score: SyntaxError: Strict mode code may not include a with statement (js line 2)", 2, 1},
		{"redeclared let", "let a = 1\nlet a = 2",
			"risk_score: SyntaxError: Identifier 'a' has already been declared (js line 2)", 2, 5},
		{"octal literal", "return 010",
			"risk_score: SyntaxError: Octal literals are not allowed in strict mode (js line 1)", 1, 8},
		{"unclosed block reports the end of the body", "let a = 1\nif (a) {\n  a++",
			"risk_score: SyntaxError: Unexpected end of input (js line 3)", 3, 0},
		{"unterminated template", "return `abc",
			"risk_score: SyntaxError: Unexpected end of input (js line 1)", 1, 0},
		{"delete of a name", "\ndelete inquiry",
			"risk_score: SyntaxError: Delete of an unqualified identifier in strict mode (js line 2)", 2, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := compileErr(t, tt.body)
			assert.Equal(t, tt.msg, e.Error())
			assert.ErrorIs(t, e, ErrSyntax)
			assert.Equal(t, tt.line, e.JSLine)
			assert.Equal(t, tt.col, e.JSCol)
			assert.Equal(t, riskPos.Line+tt.line-1, e.WFLine())
			assert.Equal(t, "review.wf", e.WF.File)
		})
	}
}

func TestCompileFirstLineColumnAddsBodyColumn(t *testing.T) {
	_, err := Compile("f", nil, "return 010", Pos{File: "a.wf", Line: 4, Col: 5})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, Pos{File: "a.wf", Line: 4, Col: 12}, e.WF)
	assert.Equal(t, "a.wf:4:12", e.WF.String())
}

func TestCompileRefusesBodyThatClosesTheWrapper(t *testing.T) {
	e := compileErr(t, "return 1 }); (function(){")
	assert.Equal(t, "risk_score: SyntaxError: Unexpected token } (js line 1)", e.Error())
	assert.Equal(t, 10, e.JSCol)

	e = compileErr(t, "return 1\n}\nglobalThis.x = 1\n")
	assert.ErrorIs(t, e, ErrSyntax)

	e = compileErr(t, "return 1\n}")
	assert.Equal(t, "risk_score: SyntaxError: Unexpected token } (js line 2)", e.Error())
}

func TestCompileRefusesBadParameters(t *testing.T) {
	tests := []struct {
		params []string
		msg    string
	}{
		{[]string{"class"}, `f: parameter "class" is a reserved word in JavaScript`},
		{[]string{"eval"}, `f: parameter "eval" is a reserved word in JavaScript`},
		{[]string{"a-b"}, `f: parameter "a-b" is not a JavaScript identifier`},
		{[]string{"1a"}, `f: parameter "1a" is not a JavaScript identifier`},
		{[]string{""}, `f: parameter "" is not a JavaScript identifier`},
		{[]string{"a", "a"}, `f: parameter "a" appears twice`},
	}
	for _, tt := range tests {
		_, err := Compile("f", tt.params, "return 1", Pos{})
		assert.EqualError(t, err, tt.msg)
	}
	_, err := Compile("f", []string{"$a", "_b", "c9"}, "return 1", Pos{})
	assert.NoError(t, err)
}

func TestCompileRefusesHugeBody(t *testing.T) {
	_, err := Compile("f", nil, strings.Repeat(" ", MaxBodyBytes+1), Pos{})
	assert.ErrorIs(t, err, ErrLimit)
	assert.ErrorContains(t, err, "f: body of 1048577 bytes is over the limit of 1048576")
}

func TestCompileEmptyBodyReturnsNil(t *testing.T) {
	p, err := Compile("f", nil, "", Pos{})
	require.NoError(t, err)
	v, err := p.Call(context.Background(), Env{Timeout: 5 * time.Second}, nil)
	require.NoError(t, err)
	assert.Nil(t, v)
	assert.Equal(t, "f", p.Name())
	assert.Empty(t, p.Params())
}

// A sourceMappingURL comment must not make goja read a file (it would read
// it relative to the working directory): were the map below loaded, the
// error would be placed in evil.js, line 100.
func TestCompileDoesNotLoadSourceMaps(t *testing.T) {
	t.Chdir(t.TempDir())
	sm := `{"version":3,"sources":["evil.js"],"names":[],"mappings":";AAmGA;AAAA;AAAA"}`
	require.NoError(t, os.WriteFile("x.map", []byte(sm), 0o600))
	body := "throw new Error(\"x\")\n//# sourceMappingURL=x.map"
	p, err := Compile("f", nil, body, Pos{File: "a.wf", Line: 3})
	require.NoError(t, err)
	_, err = p.Call(context.Background(), Env{Timeout: 5 * time.Second}, nil)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "f: Error: x (js line 1)", e.Error())
	assert.Equal(t, 3, e.WFLine())
}

func TestErrorWithoutPositionHasNoSuffix(t *testing.T) {
	e := newError("js.eval", ErrLimit, "input over the limit of 10 bytes")
	assert.Equal(t, "js.eval: input over the limit of 10 bytes", e.Error())
	assert.True(t, errors.Is(e, ErrLimit))
	assert.Equal(t, 0, e.WFLine())
	assert.Equal(t, "", e.WF.String())
}
