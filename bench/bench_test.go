package bench

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkRules evaluates every rule with every engine over the payload:
// BenchmarkRules/<rule>/<engine>. Compiling is outside the timed loop.
// With WFBENCH_REVERSE=1 the engines of each rule run in reverse order
// (cmd/table alternates the order between rounds, so no engine always
// runs first or last).
func BenchmarkRules(b *testing.B) {
	d, err := LoadData(EventPath)
	require.NoError(b, err)
	engines := Engines
	if os.Getenv("WFBENCH_REVERSE") == "1" {
		engines = slices.Clone(Engines)
		slices.Reverse(engines)
	}
	for _, r := range Rules {
		for _, e := range engines {
			p, err := e.Compile(r, d)
			if errors.Is(err, ErrNotApplicable) {
				continue
			}
			b.Run(string(r)+"/"+e.Name, func(b *testing.B) {
				require.NoError(b, err)
				_, err = p.Eval()
				require.NoError(b, err)
				if p.Refill != nil {
					measureFresh(b, p)
					return
				}
				measure(b, func() { _, _ = p.Eval() })
			})
		}
	}
}

// BenchmarkCELForms measures cel-go with its data as Go values it wraps on
// access and as CEL values converted once, to give it its best form.
func BenchmarkCELForms(b *testing.B) {
	d, err := LoadData(EventPath)
	require.NoError(b, err)
	for _, form := range []struct {
		name string
		form int
	}{{"native", celNative}, {"refvals", celRefVals}} {
		for _, r := range Rules {
			p, err := compileCELForm(r, d, form.form)
			require.NoError(b, err)
			b.Run(string(r)+"/"+form.name, func(b *testing.B) {
				if p.Refill != nil {
					measureFresh(b, p)
					return
				}
				measure(b, func() { _, _ = p.Eval() })
			})
		}
	}
}
