package core

import (
	"sort"

	"github.com/wf-lang/wf/interp"
)

func listFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("len(x: string|list|map) -> int", "Returns the number of characters in a string, elements in a list or entries in a map.",
			`len([1, 2, 3])  # 3`, length),
		pure("count(x: string|list|map) -> int", "The same as len; reads well as a method: xs.count().",
			`["id_expired", "selfie_mismatch"].count()  # 2`, length),
		pure("first(xs: list) -> any", "Returns the first element, or null for an empty list.", `[3, 4].first()  # 3`,
			func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				if len(xs.Elems) == 0 {
					return nil, nil
				}
				return xs.Elems[0], nil
			}),
		pure("last(xs: list) -> any", "Returns the last element, or null for an empty list.", `[3, 4].last()  # 4`,
			func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				if len(xs.Elems) == 0 {
					return nil, nil
				}
				return xs.Elems[len(xs.Elems)-1], nil
			}),
		pure("includes(xs: list, x: any) -> bool", "Reports whether x is an element of xs (the same as x in xs).",
			`["US", "CA"].includes("US")  # true`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				return th.Contains(xs, a.Value(1))
			}),
		pure("includes_any(xs: list, ys: list) -> bool", "Reports whether any element of ys is in xs.",
			`["id_expired", "selfie_mismatch"].includes_any(["id_expired", "id_tampered"])  # true`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				ys, _ := a.List(1)
				for _, y := range ys.Elems {
					if found, err := th.Contains(xs, y); err != nil || found {
						return found, err
					}
				}
				return false, nil
			}),
		pure("includes_all(xs: list, ys: list) -> bool", "Reports whether every element of ys is in xs.",
			`["a", "b"].includes_all(["a"])  # true`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				ys, _ := a.List(1)
				for _, y := range ys.Elems {
					if found, err := th.Contains(xs, y); err != nil || !found {
						return found, err
					}
				}
				return true, nil
			}),
		pure("filter(xs: list, f: func) -> list", "Returns the elements for which f returns true.",
			`accounts.filter(a -> a.status == "active")`+"\n"+`[1, 5, 12].filter(x -> x > 3)  # [5, 12]`, filter),
		pure("map(xs: list, f: func) -> list", "Returns f applied to each element.", `cases.map(c -> c.id)`+"\n"+`[1, 2].map(x -> x * 10)  # [10, 20]`, mapList),
		pure("find(xs: list, f: func) -> any", "Returns the first element for which f returns true, or null.",
			`reports.find(r -> r.matched)`+"\n"+`[3, 8, 9].find(x -> x > 5)  # 8`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				f, _ := a.Func(1)
				for _, x := range xs.Elems {
					ok, err := predicate(th, f, x)
					if err != nil || ok {
						return ifThen(ok, x), err
					}
				}
				return nil, nil
			}),
		pure("any(xs: list, f: func) -> bool", "Reports whether f returns true for some element.",
			`reports.any(r -> r.matched)`+"\n"+`[1, 2].any(x -> x > 1)  # true`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				f, _ := a.Func(1)
				for _, x := range xs.Elems {
					if ok, err := predicate(th, f, x); err != nil || ok {
						return ok, err
					}
				}
				return false, nil
			}),
		pure("all(xs: list, f: func) -> bool", "Reports whether f returns true for every element (true for an empty list).",
			`checks.all(c -> c.status == "passed")`+"\n"+`[].all(x -> x > 1)  # true`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				f, _ := a.Func(1)
				for _, x := range xs.Elems {
					if ok, err := predicate(th, f, x); err != nil || !ok {
						return ok, err
					}
				}
				return true, nil
			}),
		pure("collect(xs: list, key: string) -> list", "Returns the field key of each map in xs (Persona's collect_from_each).",
			`[{reference_id: "u1"}, {reference_id: "u2"}].collect("reference_id")  # ["u1", "u2"]`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				k, _ := a.String(1)
				out := make([]V, 0, len(xs.Elems))
				for _, x := range xs.Elems {
					m, ok := x.(*interp.Map)
					if !ok {
						return nil, errf(interp.KindType, "elements must be maps, got %s", interp.TypeName(x))
					}
					v, _ := m.Get(k)
					out = append(out, v)
				}
				return interp.NewList(out), nil
			}),
		pure("sort(xs: list) -> list", "Returns the elements in ascending order (numbers, strings, times or durations).",
			`sort([3, 1, 2])  # [1, 2, 3]`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				return sortBy(xs, "", false)
			}),
		pure("sort_asc(xs: list, key: string) -> list", "Returns maps sorted by the field key, ascending; maps without it come last.",
			`reports.sort_asc("created_at")`+"\n"+`[{n: 2}, {n: 1}].sort_asc("n")  # [{n: 1}, {n: 2}]`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				k, _ := a.String(1)
				return sortBy(xs, k, false)
			}),
		pure("sort_desc(xs: list, key: string) -> list", "Returns maps sorted by the field key, descending; maps without it come last.",
			`inquiries.sort_desc("created_at").first()`+"\n"+`[{n: 1}, {n: 2}].sort_desc("n")  # [{n: 2}, {n: 1}]`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				k, _ := a.String(1)
				return sortBy(xs, k, true)
			}),
		pure("unique(xs: list) -> list", "Returns xs without repeated elements, keeping the first of each.",
			`unique([1, 1, 2])  # [1, 2]`, unique),
		pure("reverse(xs: list) -> list", "Returns the elements in reverse order.", `reverse([1, 2])  # [2, 1]`,
			func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				out := make([]V, len(xs.Elems))
				for i, x := range xs.Elems {
					out[len(out)-1-i] = x
				}
				return interp.NewList(out), nil
			}),
		pure("slice(xs: list, start: int, end: int?) -> list", "Returns the elements from start up to (not including) end; negative positions count from the end.",
			`slice([1, 2, 3, 4], 1, 3)  # [2, 3]`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				start, end, err := bounds(a, int64(len(xs.Elems)))
				if err != nil {
					return nil, err
				}
				return interp.NewList(append([]V(nil), xs.Elems[start:end]...)), nil
			}),
	}
}

// unique keeps the first of equal elements: scalars are found by their
// hash key, lists and maps by comparison with the lists and maps kept so
// far (charged to the run's budget).
func unique(th *T, a *Args) (V, error) {
	xs, _ := a.List(0)
	out := []V{}
	seen := map[any]bool{}
	var kept []V // the lists and maps in out
	for _, x := range xs.Elems {
		if k, ok := interp.HashKey(x); ok {
			if !seen[k] {
				seen[k] = true
				out = append(out, x)
			}
			continue
		}
		found, err := th.Contains(interp.NewList(kept), x)
		if err != nil {
			return nil, err
		}
		if !found {
			kept = append(kept, x)
			out = append(out, x)
		}
	}
	return interp.NewList(out), nil
}

func length(th *T, a *Args) (V, error) {
	switch x := a.Value(0).(type) {
	case string:
		return int64(len([]rune(x))), nil
	case *interp.List:
		return int64(x.Len()), nil
	case *interp.Map:
		return int64(x.Len()), nil
	}
	return nil, errf(interp.KindType, "x must be string, list or map, got %s", interp.TypeName(a.Value(0)))
}

func predicate(th *T, f interp.Callable, x V) (bool, error) {
	v, err := th.CallValue(f, x)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, errf(interp.KindType, "the function must return a bool, got %s", interp.TypeName(v))
	}
	return b, nil
}

func ifThen(ok bool, x V) V {
	if ok {
		return x
	}
	return nil
}

func filter(th *T, a *Args) (V, error) {
	xs, _ := a.List(0)
	f, _ := a.Func(1)
	out := make([]V, 0, len(xs.Elems))
	for _, x := range xs.Elems {
		ok, err := predicate(th, f, x)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, x)
		}
	}
	return interp.NewList(out), nil
}

func mapList(th *T, a *Args) (V, error) {
	xs, _ := a.List(0)
	f, _ := a.Func(1)
	out := make([]V, len(xs.Elems))
	for i, x := range xs.Elems {
		v, err := th.CallValue(f, x)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return interp.NewList(out), nil
}

func sortBy(xs *interp.List, key string, desc bool) (V, error) {
	out := append([]V(nil), xs.Elems...)
	if key != "" {
		for _, v := range out {
			if _, ok := v.(*interp.Map); !ok {
				return nil, errf(interp.KindType, "elements must be maps, got %s", interp.TypeName(v))
			}
		}
	}
	get := func(v V) V {
		if key == "" {
			return v
		}
		x, _ := v.(*interp.Map).Get(key)
		return x
	}
	var bad error
	sort.SliceStable(out, func(i, j int) bool {
		a, b := get(out[i]), get(out[j])
		if a == nil || b == nil { // nulls sort last
			return a != nil && b == nil
		}
		c, ok := interp.Compare(a, b)
		if !ok && bad == nil {
			bad = errf(interp.KindType, "cannot order %s and %s", interp.TypeName(a), interp.TypeName(b))
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	if bad != nil {
		return nil, bad
	}
	return interp.NewList(out), nil
}

// bounds reads the start and optional end arguments (1 and 2) of slice and
// substring for a sequence of n items: negative positions count from the
// end, and both are clamped to [0, n] with end >= start.
func bounds(a *Args, n int64) (start, end int64, err error) {
	if start, err = a.Int(1); err != nil {
		return 0, 0, err
	}
	end = n
	if a.Given(2) {
		if end, err = a.Int(2); err != nil {
			return 0, 0, err
		}
	}
	clamp := func(i int64) int64 {
		if i < 0 {
			i += n
		}
		return max(0, min(i, n))
	}
	start, end = clamp(start), clamp(end)
	return start, max(start, end), nil
}
