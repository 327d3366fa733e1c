package bench

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkRules evaluates every rule with every engine over the payload:
// BenchmarkRules/<rule>/<engine>. Compiling is outside the timed loop.
func BenchmarkRules(b *testing.B) {
	d, err := LoadData(EventPath)
	require.NoError(b, err)
	for _, r := range Rules {
		for _, e := range Engines {
			b.Run(string(r)+"/"+e.Name, func(b *testing.B) {
				ev, err := e.Compile(r, d)
				require.NoError(b, err)
				_, err = ev()
				require.NoError(b, err)
				measure(b, func() { _, _ = ev() })
			})
		}
	}
}
