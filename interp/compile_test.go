package interp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// A name or a call the checker left unresolved (a checker bug) fails the
// compile with an internal error at its place; it never runs as null.
func TestCompileRefusesWhatTheCheckerLeftUnresolved(t *testing.T) {
	src := "fn g(y) { return y }\nfn f(x) { return x + g(1) }\n"
	for _, c := range []struct {
		name   string
		tamper func(info *lang.Info)
		want   string
	}{
		{"name", func(info *lang.Info) {
			for id := range info.Refs {
				if id.Name == "x" {
					delete(info.Refs, id)
				}
			}
		}, "test.wf:2:18: internal error: x is not resolved"},
		{"call", func(info *lang.Info) {
			for call := range info.Calls {
				delete(info.Calls, call)
			}
		}, "test.wf:2:22: internal error: the call g is not resolved"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, diags := lang.Parse("test.wf", []byte(src))
			checked, cd := lang.Check([]*lang.File{f}, testLibrary())
			require.False(t, append(diags, cd...).HasErrors())
			c.tamper(checked.Info)
			_, cd = interp.Compile(checked, testLibrary(), interp.Options{})
			require.True(t, cd.HasErrors(), "the compile must fail")
			assert.Contains(t, cd.Err().Error(), c.want)
		})
	}
}
