package core

import (
	"math"
	"strconv"
	"strings"

	"github.com/wf-lang/wf/interp"
)

func numberFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("int(x: string|int|float|bool) -> int", "Converts to an int: a float is truncated toward zero, a string is parsed (\"42\"), true is 1.",
			`int("17")  # 17`, toInt),
		pure("float(x: string|int|float) -> float", "Converts to a float; a string is parsed (\"0.75\").",
			`float("0.75")  # 0.75`, toFloat),
		pure("abs(x: number) -> number", "Returns the absolute value.", `abs(-3)  # 3`, func(th *T, a *Args) (V, error) {
			switch x := a.Value(0).(type) {
			case int64:
				if x == math.MinInt64 {
					return nil, errf(interp.KindValue, "integer overflow")
				}
				if x < 0 {
					return -x, nil
				}
				return x, nil
			case float64:
				return math.Abs(x), nil
			}
			return nil, nil
		}),
		pure("round(x: number, digits: int = 0) -> number", "Rounds half away from zero to the given number of decimal digits; with 0 digits the result is an int.",
			`round(2.345, 2)  # 2.35`, func(th *T, a *Args) (V, error) {
				x, _ := a.Float(0)
				d, err := a.Int(1)
				if err != nil {
					return nil, err
				}
				if d < 0 || d > 15 {
					return nil, errf(interp.KindValue, "digits must be between 0 and 15, got %d", d)
				}
				if d == 0 {
					r := math.Round(x)
					if math.Abs(r) > 9e18 {
						return nil, errf(interp.KindValue, "%v is too large for an int", r)
					}
					return int64(r), nil
				}
				p := math.Pow(10, float64(d))
				return math.Round(x*p) / p, nil
			}),
		pure("floor(x: number) -> int", "Rounds down to an int.", `floor(2.7)  # 2`, intRound(math.Floor)),
		pure("ceil(x: number) -> int", "Rounds up to an int.", `ceil(2.1)  # 3`, intRound(math.Ceil)),
		pure("min(...values: any) -> any", "Returns the smallest value; given one list, the smallest element. Null for none.",
			`min(3, 1, 2)  # 1`, extreme(-1)),
		pure("max(...values: any) -> any", "Returns the largest value; given one list, the largest element. Null for none.",
			`max([0.2, 0.9, 0.4])  # 0.9`, extreme(1)),
		pure("sum(xs: list) -> number", "Returns the sum of a list of numbers (0 for an empty list).",
			`sum([1, 2, 3])  # 6`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				var acc V = int64(0)
				for _, x := range xs.Elems {
					switch x.(type) {
					case int64, float64:
					default:
						return nil, errf(interp.KindType, "elements must be numbers, got %s", interp.TypeName(x))
					}
					v, err := addNum(acc, x)
					if err != nil {
						return nil, err
					}
					acc = v
				}
				return acc, nil
			}),
		pure("avg(xs: list) -> float|null", "Returns the mean of a list of numbers, or null for an empty list.",
			`avg([1, 2])  # 1.5`, func(th *T, a *Args) (V, error) {
				xs, _ := a.List(0)
				if len(xs.Elems) == 0 {
					return nil, nil
				}
				total := 0.0
				for _, x := range xs.Elems {
					switch n := x.(type) {
					case int64:
						total += float64(n)
					case float64:
						total += n
					default:
						return nil, errf(interp.KindType, "elements must be numbers, got %s", interp.TypeName(x))
					}
				}
				return total / float64(len(xs.Elems)), nil
			}),
	}
}

func toInt(th *T, a *Args) (V, error) {
	switch x := a.Value(0).(type) {
	case int64:
		return x, nil
	case float64:
		if math.IsNaN(x) || math.Abs(x) > 9e18 {
			return nil, errf(interp.KindValue, "%v is out of range for an int", x)
		}
		return int64(x), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		s := strings.TrimSpace(x)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 9e18 {
			return int64(f), nil
		}
		return nil, errf(interp.KindValue, "cannot read %q as an int", x)
	}
	return nil, nil
}

func toFloat(th *T, a *Args) (V, error) {
	switch x := a.Value(0).(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, errf(interp.KindValue, "cannot read %q as a number", x)
		}
		return f, nil
	}
	return nil, nil
}

func intRound(f func(float64) float64) builtinFn {
	return func(th *T, a *Args) (V, error) {
		x, _ := a.Float(0)
		r := f(x)
		if math.Abs(r) > 9e18 {
			return nil, errf(interp.KindValue, "%v is too large for an int", r)
		}
		return int64(r), nil
	}
}

type builtinFn = func(th *T, a *Args) (V, error)

func extreme(sign int) builtinFn {
	return func(th *T, a *Args) (V, error) {
		vals := a.Rest()
		if len(vals) == 1 {
			if l, ok := vals[0].(*interp.List); ok {
				vals = l.Elems
			}
		}
		var best V
		for _, v := range vals {
			if best == nil {
				best = v
				continue
			}
			c, ok := interp.Compare(v, best)
			if !ok {
				return nil, errf(interp.KindType, "cannot compare %s with %s", interp.TypeName(v), interp.TypeName(best))
			}
			if c*sign > 0 {
				best = v
			}
		}
		return best, nil
	}
}

func addNum(a, b V) (V, error) {
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if aok && bok {
		s := ai + bi
		if (s > ai) != (bi > 0) {
			return nil, errf(interp.KindValue, "integer overflow")
		}
		return s, nil
	}
	return toF(a) + toF(b), nil
}

func toF(v V) float64 {
	switch n := v.(type) {
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return 0
}
