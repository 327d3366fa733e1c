package wftest

import (
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// mockableJS compiles js fns so that a test may mock them: a call first
// asks the test run's mocks (mock risk_score returns 80) and runs the
// JavaScript only when none matches.
type mockableJS struct{ inner interp.JSEngine }

// Compile implements interp.JSEngine.
func (m mockableJS) Compile(name string, params []string, code, file string, pos lang.Pos) (interp.JSFunc, error) {
	f, err := m.inner.Compile(name, params, code, file, pos)
	if err != nil {
		return nil, err
	}
	return &mockableFn{name: name, params: params, inner: f}, nil
}

type mockableFn struct {
	name   string
	params []string
	inner  interp.JSFunc
}

// Call implements interp.JSFunc.
func (f *mockableFn) Call(th *interp.Thread, args []interp.Value) (interp.Value, error) {
	if env, ok := th.Env().(*runEnv); ok && env.host != nil {
		if v, err, mocked := env.host.jsMock(f.name, f.params, args); mocked {
			return v, err
		}
	}
	return f.inner.Call(th, args)
}
