package service

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/wf-lang/wf/interp"
)

// A clock trigger's ticks. Cron expressions are parsed by robfig/cron (the
// parser `wf check` validates them with); the next tick is found here, on
// the wall clock of the trigger's time zone, because that is what a person
// means by "every day at 02:30 in Europe/Berlin":
//
//   - on the day clocks go forward, a wall time that does not exist (02:30)
//     fires once, at the instant Go's time.Date gives it (03:30, one gap
//     later) — it is not skipped;
//   - on the day clocks go back, a wall time that happens twice (01:30)
//     fires once, at its first occurrence — it is not doubled;
//   - two wall times that land on the same instant fire once.
//
// `on every D` ticks at the multiples of D since the Unix epoch, so its ticks
// do not depend on when the service started and DST does not touch them.

// ticker finds the ticks of one clock trigger.
type ticker interface {
	// next returns the first tick strictly after t.
	next(t time.Time) time.Time
}

type everyTicker struct{ d time.Duration }

func (e everyTicker) next(t time.Time) time.Time {
	return t.Truncate(e.d).Add(e.d).UTC()
}

type cronTicker struct {
	spec *cron.SpecSchedule
	loc  *time.Location
}

// newTicker builds the ticker of a schedule trigger.
func newTicker(sc interp.Schedule) (ticker, error) {
	if sc.Every > 0 {
		return everyTicker{sc.Every}, nil
	}
	parsed, err := cron.ParseStandard(sc.Cron)
	if err != nil {
		return nil, fmt.Errorf("cron %q: %w", sc.Cron, err)
	}
	switch p := parsed.(type) {
	case cron.ConstantDelaySchedule:
		return everyTicker{p.Delay}, nil
	case *cron.SpecSchedule:
		loc := p.Location
		if sc.TZ != "" {
			if loc, err = time.LoadLocation(sc.TZ); err != nil {
				return nil, fmt.Errorf("tz %q: %w", sc.TZ, err)
			}
		}
		if loc == nil {
			loc = time.UTC
		}
		return cronTicker{spec: p, loc: loc}, nil
	}
	return nil, fmt.Errorf("cron %q: unsupported schedule", sc.Cron)
}

// maxCronDays bounds the search for the next tick (a spec such as Feb 30
// never fires).
const maxCronDays = 5 * 366

func (c cronTicker) next(t time.Time) time.Time {
	w := t.In(c.loc)
	// Start at the wall-clock minute after t's.
	y, mo, d := w.Date()
	h, mi := w.Hour(), w.Minute()+1
	for day := 0; day < maxCronDays; day++ {
		date := time.Date(y, mo, d+day, 12, 0, 0, 0, time.UTC) // the calendar day, in no zone
		if !c.dayMatches(date) {
			h, mi = 0, 0
			continue
		}
		for ; h < 24; h, mi = h+1, 0 {
			if c.spec.Hour&(1<<uint(h)) == 0 {
				continue
			}
			for ; mi < 60; mi++ {
				if c.spec.Minute&(1<<uint(mi)) == 0 {
					continue
				}
				at := c.instant(date.Year(), date.Month(), date.Day(), h, mi)
				if at.After(t) {
					return at
				}
			}
		}
		h, mi = 0, 0
	}
	return time.Time{}
}

// dayMatches follows cron's rule: when both day-of-month and day-of-week
// are restricted, either may match; otherwise both must.
func (c cronTicker) dayMatches(date time.Time) bool {
	const star = 1 << 63
	if c.spec.Month&(1<<uint(date.Month())) == 0 {
		return false
	}
	dom := c.spec.Dom&(1<<uint(date.Day())) != 0
	dow := c.spec.Dow&(1<<uint(date.Weekday())) != 0
	if c.spec.Dom&star != 0 || c.spec.Dow&star != 0 {
		return dom && dow
	}
	return dom || dow
}

// instant is the moment a wall-clock time happens in the zone: its first
// occurrence when the clocks went back, and when it does not exist (the
// clocks went forward) the moment one gap later, after the jump.
func (c cronTicker) instant(y int, mo time.Month, d, h, mi int) time.Time {
	wall := time.Date(y, mo, d, h, mi, 0, 0, time.UTC) // the wall time's numbers, as if in UTC
	guess := time.Date(y, mo, d, h, mi, 0, 0, c.loc)
	// A transition is at most a few hours away from a wall time it touches:
	// the offsets in force on either side give the candidate instants.
	var valid, all []time.Time
	for _, probe := range []time.Duration{-3 * time.Hour, 3 * time.Hour} {
		_, off := guess.Add(probe).Zone()
		cand := wall.Add(-time.Duration(off) * time.Second)
		all = append(all, cand)
		if cand.In(c.loc).Format("2006-01-02 15:04") == wall.Format("2006-01-02 15:04") {
			valid = append(valid, cand)
		}
	}
	pick := func(ts []time.Time, earliest bool) time.Time {
		best := ts[0]
		for _, t := range ts[1:] {
			if (earliest && t.Before(best)) || (!earliest && t.After(best)) {
				best = t
			}
		}
		return best
	}
	if len(valid) > 0 {
		return pick(valid, true).UTC()
	}
	return pick(all, false).UTC()
}
