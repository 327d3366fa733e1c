package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
)

// country sets the applicant's country in both places the rules read it.
func country(cc string) Edit {
	return func(m *interp.Map) {
		m.Set("address_country_code", cc)
		f, _ := m.Get("fields")
		a, _ := f.(*interp.Map).Get("address")
		a.(*interp.Map).Set("country", cc)
	}
}

// selfie sets fields.selfie_similarity.
func selfie(x float64) Edit {
	return func(m *interp.Map) {
		f, _ := m.Get("fields")
		f.(*interp.Map).Set("selfie_similarity", x)
	}
}

// variants are events with the answer each rule must give.
var variants = []struct {
	name  string
	edits []Edit
	r1    bool
	r2    bool
	r3    int64
}{
	{"payload", nil, true, true, R3Hit},
	{"adult", []Edit{Set("age", int64(30))}, false, true, 17},
	{"unblocked ip", []Edit{Set("ip_address", "192.0.2.7")}, false, true, R3Hit},
	{"first blocked ip", []Edit{Set("ip_address", "198.51.100.1")}, true, true, R3Hit},
	{"other name", []Edit{Set("name_first", "JANE"), Set("name_last", "Roe")}, true, false, R3Hit},
	{"upper-case name", []Edit{Set("name_first", "JANE"), Set("name_last", "DOE")}, true, true, R3Hit},
	{"failed", []Edit{Set("status", "failed")}, true, true, 0},
	{"senior", []Edit{Set("age", int64(70))}, false, true, 1},
	{"north korea", []Edit{country("KP")}, true, false, 2},
	{"low selfie", []Edit{selfie(0.3)}, true, true, 3},
	{"new york teen", []Edit{Set("address_subdivision", "NY"), Set("age", int64(19))}, false, true, 5},
	{"smith", []Edit{Set("name_last", "Smith")}, true, false, 7},
	{"perfect selfie", []Edit{selfie(0.995)}, true, true, 12},
	{"cuba", []Edit{country("CU")}, true, false, 14},
	{"german minor", []Edit{country("DE")}, true, false, 17},
	{"german adult, other status", []Edit{country("DE"), Set("age", int64(40)), Set("status", "approved")}, false, false, 19},
	{"nothing holds", []Edit{country("DE"), Set("age", int64(40)), Set("status", "approved"), Set("ip_address", "192.0.2.9")}, false, false, -1},
}

// TestEnginesAgree checks that every engine gives the expected answer for
// every rule on every variant, so the benchmarks compare the same work.
func TestEnginesAgree(t *testing.T) {
	for _, v := range variants {
		d, err := LoadData(EventPath, v.edits...)
		require.NoError(t, err)
		want := map[Rule]any{R1List: v.r1, R1Value: v.r1, R1Fresh: v.r1, R2: v.r2, R3: v.r3}
		for _, r := range Rules {
			for _, e := range Engines {
				p, err := e.Compile(r, d)
				if errors.Is(err, ErrNotApplicable) {
					continue
				}
				require.NoError(t, err, "%s %s", e.Name, r)
				if p.Refill != nil {
					p.Refill(2)
				}
				for range 2 { // a second time: an engine that kept state must still agree
					got, err := p.Eval()
					require.NoError(t, err, "%s %s %s", v.name, e.Name, r)
					assert.Equal(t, want[r], got, "%s: %s on %s", v.name, e.Name, r)
				}
			}
		}
	}
}

func TestDataIsThePayload(t *testing.T) {
	d, err := LoadData(EventPath)
	require.NoError(t, err)
	assert.Equal(t, int64(16), d.Struct.Age, "born 2010-09-30, event of 2026-11-20")
	assert.Equal(t, "US", d.Struct.Fields.Address.Country)
	assert.Equal(t, "203.0.113.11", d.Struct.IPAddress)
	assert.Len(t, d.Blocked, BlockedCount)
	assert.Equal(t, d.Struct.IPAddress, d.Blocked[blockedHit])
	assert.GreaterOrEqual(t, d.Trigger.Len(), 20, "about 20 attributes")
	assert.Len(t, r3Routes, 20)
}

func TestWholeYears(t *testing.T) {
	at := time.Date(2026, 11, 20, 11, 15, 0, 0, time.UTC)
	for _, tt := range []struct {
		birth string
		want  int64
	}{{"2010-09-30", 16}, {"2010-11-20", 16}, {"2010-11-21", 15}, {"2008-02-29", 18}} {
		got, err := wholeYears(tt.birth, at)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.birth)
	}
	_, err := wholeYears("not a date", at)
	assert.Error(t, err)
}

// TestWFRulesAllocateNothing pins the target: WF makes no allocation per
// evaluation of R1 (over a List, the same list value or a new one each
// time), R2 or R3.
func TestWFRulesAllocateNothing(t *testing.T) {
	d, err := LoadData(EventPath)
	require.NoError(t, err)
	for _, r := range Rules {
		p, err := compileWF(r, d)
		require.NoError(t, err)
		if p.Refill != nil {
			p.Refill(101)
		}
		assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = p.Eval() }), "%s", r)
	}
}
