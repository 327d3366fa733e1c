package core

import "github.com/wf-lang/wf/interp"

func mapFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("keys(m: map) -> list", "Returns the keys of m, in order.", `{a: 1, b: 2}.keys()  # ["a", "b"]`,
			func(th *T, a *Args) (V, error) {
				m, _ := a.Map(0)
				out := make([]V, m.Len())
				for i, k := range m.Keys() {
					out[i] = k
				}
				return interp.NewList(out), nil
			}),
		pure("values(m: map) -> list", "Returns the values of m, in key order.", `{a: 1, b: 2}.values()  # [1, 2]`,
			func(th *T, a *Args) (V, error) {
				m, _ := a.Map(0)
				out := make([]V, m.Len())
				for i := range m.Keys() {
					_, out[i] = m.At(i)
				}
				return interp.NewList(out), nil
			}),
		pure("has(m: map, key: string) -> bool", "Reports whether m has the key (even when its value is null).",
			`trigger.fields.has("birthdate")`+"\n"+`{a: null}.has("a")  # true`, func(th *T, a *Args) (V, error) {
				m, _ := a.Map(0)
				k, _ := a.String(1)
				_, ok := m.Get(k)
				return ok, nil
			}),
		pure("get(m: map, key: string, default: any?) -> any", "Returns m's value for key, or default when the key is missing or null.",
			`trigger.fields.get("risk", 0)`+"\n"+`{a: 1}.get("b", 0)  # 0`, func(th *T, a *Args) (V, error) {
				m, _ := a.Map(0)
				k, _ := a.String(1)
				if v, ok := m.Get(k); ok && v != nil {
					return v, nil
				}
				return a.Value(2), nil
			}),
		pure("merge(a: map, b: map) -> map", "Returns a map with the entries of a, then those of b (b wins on shared keys). The same as a + b.",
			`merge({tier: "standard", notify: true}, {tier: "gold"})  # {tier: "gold", notify: true}`, func(th *T, a *Args) (V, error) {
				x, _ := a.Map(0)
				y, _ := a.Map(1)
				out := interp.NewMap(x.Len() + y.Len())
				for i := range x.Keys() {
					out.Set(x.At(i))
				}
				for i := range y.Keys() {
					out.Set(y.At(i))
				}
				return out, nil
			}),
		pure("without(m: map, key: string) -> map", "Returns m without the key.", `trigger.without("fields")`+"\n"+`{a: 1, b: 2}.without("a")  # {b: 2}`,
			func(th *T, a *Args) (V, error) {
				m, _ := a.Map(0)
				k, _ := a.String(1)
				return m.Without(k), nil
			}),
	}
}
