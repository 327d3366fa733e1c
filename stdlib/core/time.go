package core

import (
	"strings"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
)

// dateLayouts are the text forms date() reads, tried in order.
var dateLayouts = []string{
	"2006-01-02", time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05",
	"2006/01/02", "01/02/2006",
}

func timeFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("now() -> time", "Returns the run's current time: when the run started, moved on by each step and wait. A replayed run sees the same times.",
			`now() - date(trigger.created_at) > 1h`, func(th *T, a *Args) (V, error) { return th.Now(), nil }),
		pure("date(x: string|time) -> time", "Reads a date or time: \"1994-12-30\", RFC 3339 (\"2024-05-01T10:00:00Z\"), \"2024-05-01 10:00:00\" (UTC), \"2024/05/01\" or \"05/01/2024\" (month first).",
			`date(trigger.fields.birthdate)`+"\n"+`date("05/01/2024") == date("2024-05-01")  # true`, func(th *T, a *Args) (V, error) {
				if t, ok := a.Value(0).(time.Time); ok {
					return t, nil
				}
				s, _ := a.String(0)
				return parseDate(s)
			}),
		pure("years_since(t: time|string) -> int", "Returns the whole years from t to now() (an age, for a birthdate).",
			`years_since(date(trigger.fields.birthdate)) < 18`, func(th *T, a *Args) (V, error) {
				t, err := timeArg(a, 0)
				if err != nil {
					return nil, err
				}
				return int64(wholeYears(t, th.Now())), nil
			}),
		pure("days_between(a: time|string, b: time|string) -> int", "Returns the whole days from a to b (negative when b is earlier).",
			`days_between(trigger.created_at, now()) > 30`+"\n"+`days_between("2024-05-01", "2024-05-31")  # 30`, func(th *T, a *Args) (V, error) {
				x, err := timeArg(a, 0)
				if err != nil {
					return nil, err
				}
				y, err := timeArg(a, 1)
				if err != nil {
					return nil, err
				}
				return int64(y.Sub(x) / (24 * time.Hour)), nil
			}),
		pure("duration(s: string) -> duration", "Reads a duration written as in WF: \"90s\", \"15m\", \"2h\", \"7d\", \"1h30m\".",
			`duration("1h30m")  # 90m`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				d, err := lang.ParseDuration(strings.TrimSpace(s))
				if err != nil {
					return nil, errf(interp.KindValue, "%v", err)
				}
				return d, nil
			}),
		pure("seconds(d: duration) -> float", "Returns a duration in seconds.", `seconds(90s)  # 90.0`,
			func(th *T, a *Args) (V, error) {
				d, _ := a.Duration(0)
				return d.Seconds(), nil
			}),
		pure("format_date(t: time|string, layout: string = \"YYYY-MM-DD\") -> string", "Formats a time with a layout made of YYYY, MM, DD, hh, mm and ss.",
			`format_date("2024-05-01T10:30:00Z", "YYYY-MM-DD hh:mm")  # "2024-05-01 10:30"`, func(th *T, a *Args) (V, error) {
				t, err := timeArg(a, 0)
				if err != nil {
					return nil, err
				}
				l, _ := a.String(1)
				r := strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02", "hh", "15", "mm", "04", "ss", "05")
				return t.UTC().Format(r.Replace(l)), nil
			}),
	}
}

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errf(interp.KindValue, "cannot read %q as a date (use YYYY-MM-DD or RFC 3339)", s)
}

func timeArg(a *Args, i int) (time.Time, error) {
	switch v := a.Value(i).(type) {
	case time.Time:
		return v, nil
	case string:
		return parseDate(v)
	}
	return time.Time{}, errf(interp.KindType, "argument %d must be a time, got %s", i+1, interp.TypeName(a.Value(i)))
}

// wholeYears counts completed years from birth to now (a birthday not yet
// reached this year does not count).
func wholeYears(birth, now time.Time) int {
	birth, now = birth.UTC(), now.UTC()
	y := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		y--
	}
	return y
}
