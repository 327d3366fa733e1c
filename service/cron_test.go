package service

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

// ticks lists the ticks of a trigger in [from, to).
func ticks(t *testing.T, sc interp.Schedule, from, to time.Time) []time.Time {
	t.Helper()
	tk, err := newTicker(sc)
	require.NoError(t, err)
	var out []time.Time
	for at := tk.next(from.Add(-time.Nanosecond)); !at.IsZero() && at.Before(to); at = tk.next(at) {
		out = append(out, at)
		require.Less(t, len(out), 10_000)
	}
	return out
}

func zone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// Spring forward (New York, 8 March 2026: 02:00 → 03:00): a daily 02:30 job
// still fires that day, once, at 03:30 EDT; the days around it fire at 02:30.
func TestCronDailyAcrossSpringForward(t *testing.T) {
	ny := zone(t, "America/New_York")
	got := ticks(t, interp.Schedule{Cron: "30 2 * * *", TZ: "America/New_York"},
		time.Date(2026, 3, 7, 0, 0, 0, 0, ny), time.Date(2026, 3, 10, 0, 0, 0, 0, ny))
	require.Len(t, got, 3)
	assert.Equal(t, "2026-03-07 02:30 EST", got[0].In(ny).Format("2006-01-02 15:04 MST"))
	assert.Equal(t, "2026-03-08 03:30 EDT", got[1].In(ny).Format("2006-01-02 15:04 MST"))
	assert.Equal(t, "2026-03-09 02:30 EDT", got[2].In(ny).Format("2006-01-02 15:04 MST"))
}

// Fall back (New York, 1 November 2026: 02:00 → 01:00): 01:30 happens
// twice; a daily 01:30 job fires once, at the first.
func TestCronDailyAcrossFallBack(t *testing.T) {
	ny := zone(t, "America/New_York")
	got := ticks(t, interp.Schedule{Cron: "30 1 * * *", TZ: "America/New_York"},
		time.Date(2026, 10, 31, 0, 0, 0, 0, ny), time.Date(2026, 11, 3, 0, 0, 0, 0, ny))
	require.Len(t, got, 3)
	assert.Equal(t, "2026-11-01 01:30 EDT", got[1].In(ny).Format("2006-01-02 15:04 MST"))
	assert.Equal(t, 24*time.Hour, got[1].Sub(got[0]))
	assert.Equal(t, 25*time.Hour, got[2].Sub(got[1]))
}

// A half-hourly job on both transition days in Berlin: every wall-clock
// half hour that exists fires once; the missing hour adds nothing and the
// repeated hour doubles nothing; ticks strictly increase.
func TestCronHalfHourlyInBerlin(t *testing.T) {
	be := zone(t, "Europe/Berlin")
	for _, day := range []time.Time{time.Date(2026, 3, 29, 0, 0, 0, 0, be), time.Date(2026, 10, 25, 0, 0, 0, 0, be)} {
		got := ticks(t, interp.Schedule{Cron: "*/30 * * * *", TZ: "Europe/Berlin"}, day, day.AddDate(0, 0, 1))
		walls := map[string]int{}
		for i, at := range got {
			walls[at.In(be).Format("15:04")]++
			if i > 0 {
				assert.True(t, at.After(got[i-1]))
			}
		}
		for w, n := range walls {
			assert.Equal(t, 1, n, "%s %s fired %d times", day.Format("01-02"), w, n)
		}
		if day.Month() == time.March {
			assert.Len(t, got, 46, "02:00 and 02:30 do not exist; they fire at 03:00 and 03:30, which fire once")
		} else {
			assert.Len(t, got, 48, "02:00 and 02:30 fire once each, at their first occurrence")
		}
	}
}

func TestCronWeekdaysAndEvery(t *testing.T) {
	be := zone(t, "Europe/Berlin")
	got := ticks(t, interp.Schedule{Cron: "0 8 * * 1-5", TZ: "Europe/Berlin"},
		time.Date(2026, 11, 27, 0, 0, 0, 0, be), time.Date(2026, 12, 3, 0, 0, 0, 0, be)) // Fri … Wed
	var days []string
	for _, at := range got {
		days = append(days, at.In(be).Format("Mon 15:04"))
	}
	assert.Equal(t, []string{"Fri 08:00", "Mon 08:00", "Tue 08:00", "Wed 08:00"}, days)

	every := ticks(t, interp.Schedule{Every: 15 * time.Minute},
		time.Date(2026, 1, 1, 10, 7, 0, 0, time.UTC), time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC))
	require.Len(t, every, 3) // 10:15, 10:30, 10:45
	assert.Equal(t, "10:15", every[0].Format("15:04"), "interval ticks are aligned to the epoch")
	_, err := newTicker(interp.Schedule{Cron: "61 * * * *"})
	assert.Error(t, err)
	never := ticks(t, interp.Schedule{Cron: "0 0 30 2 *"}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	assert.Empty(t, never, "February 30 never comes")
}
