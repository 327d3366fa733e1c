package bench

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// EventPath is the Persona payload the rules read, relative to this
// package's directory (where go test runs).
const EventPath = "../examples/events/inquiry_minor.json"

// BlockedCount is the number of addresses on the blocked list.
const BlockedCount = 100

// blockedHit is the position of the trigger's address on the blocked list:
// late, so that a scan of a plain list does most of its work.
const blockedHit = 89

// Data is one event in every form the engines take.
type Data struct {
	// Trigger is the decoded event's object (runtime.DecodeEvent), with an
	// age and a nested fields.address.country added: WF's form.
	Trigger *interp.Map
	// Map is Trigger as Go values (interp.ToGo): the form of expr, cel-go
	// and native Go over a map.
	Map map[string]any
	// JSON is Trigger as JSON, from which goja builds a JS object.
	JSON []byte
	// Struct is Trigger as a typed Go struct: native Go's other form.
	Struct *Applicant
	// Blocked are the blocked IPv4 addresses; the trigger's is one of them
	// unless an Edit changed it.
	Blocked []string
}

// Applicant is the typed form of the trigger fields the rules read. The
// tags name the fields for expr's typed environment.
type Applicant struct {
	Age                int64           `expr:"age"`
	Status             string          `expr:"status"`
	IPAddress          string          `expr:"ip_address"`
	NameFirst          string          `expr:"name_first"`
	NameLast           string          `expr:"name_last"`
	EmailAddress       string          `expr:"email_address"`
	PhoneNumber        string          `expr:"phone_number"`
	ReferenceID        string          `expr:"reference_id"`
	AddressCity        string          `expr:"address_city"`
	AddressSubdivision string          `expr:"address_subdivision"`
	AddressPostalCode  string          `expr:"address_postal_code"`
	AddressCountryCode string          `expr:"address_country_code"`
	Fields             ApplicantFields `expr:"fields"`
}

// ApplicantFields is the typed form of the trigger's fields.
type ApplicantFields struct {
	SelfieSimilarity float64 `expr:"selfie_similarity"`
	Address          struct {
		Country string `expr:"country"`
	} `expr:"address"`
}

// Edit changes the trigger before the other forms are derived from it
// (tests use it to make variants of the event).
type Edit func(trigger *interp.Map)

// Set returns an Edit that sets a top-level trigger attribute.
func Set(key string, v interp.Value) Edit {
	return func(m *interp.Map) { m.Set(key, v) }
}

// LoadData reads the event at path and builds the data for the rules.
func LoadData(path string, edits ...Edit) (*Data, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return NewData(body, edits...)
}

// NewData decodes a Persona event as WF does and builds the data for the
// rules: age computed once from the birthdate at the event's time, the
// name set to Jane Doe (so R2 holds), fields.address.country set from the
// address, then edits applied.
func NewData(body []byte, edits ...Edit) (*Data, error) {
	ev, err := runtime.DecodeEvent(body)
	if err != nil {
		return nil, err
	}
	tr := ev.Object
	if tr == nil {
		return nil, fmt.Errorf("bench: the event has no object")
	}
	birth, _ := tr.Get("birthdate")
	age, err := wholeYears(birth, ev.CreatedAt)
	if err != nil {
		return nil, err
	}
	tr.Set("age", age)
	tr.Set("name_first", "Jane")
	tr.Set("name_last", "Doe")
	country, _ := tr.Get("address_country_code")
	addr := interp.NewMap(1)
	addr.Set("country", country)
	if f, ok := tr.Get("fields"); ok {
		if fm, ok := f.(*interp.Map); ok {
			fm.Set("address", addr)
		}
	}
	for _, e := range edits {
		e(tr)
	}
	return derive(tr)
}

// derive builds the Go, JSON and struct forms of a finished trigger.
func derive(tr *interp.Map) (*Data, error) {
	js, err := interp.MarshalJSON(tr)
	if err != nil {
		return nil, err
	}
	m, _ := interp.ToGo(tr).(map[string]any)
	return &Data{Trigger: tr, Map: m, JSON: js, Struct: applicantOf(m), Blocked: blockedIPs()}, nil
}

// wholeYears returns the whole years from a "2006-01-02" date to at.
func wholeYears(date interp.Value, at time.Time) (int64, error) {
	s, _ := date.(string)
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("bench: birthdate: %w", err)
	}
	y := at.Year() - t.Year()
	if at.Month() < t.Month() || (at.Month() == t.Month() && at.Day() < t.Day()) {
		y--
	}
	return int64(y), nil
}

// blockedIPs returns BlockedCount addresses of 198.51.100.0/24 with the
// payload's address (203.0.113.11) at position blockedHit.
func blockedIPs() []string {
	out := make([]string, BlockedCount)
	for i := range out {
		out[i] = netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)}).String()
	}
	out[blockedHit] = "203.0.113.11"
	return out
}

// applicantOf reads the typed fields out of the Go form.
func applicantOf(m map[string]any) *Applicant {
	str := func(k string) string { s, _ := m[k].(string); return s }
	a := &Applicant{
		Status: str("status"), IPAddress: str("ip_address"), NameFirst: str("name_first"),
		NameLast: str("name_last"), EmailAddress: str("email_address"), PhoneNumber: str("phone_number"),
		ReferenceID: str("reference_id"), AddressCity: str("address_city"),
		AddressSubdivision: str("address_subdivision"), AddressPostalCode: str("address_postal_code"),
		AddressCountryCode: str("address_country_code"),
	}
	a.Age, _ = m["age"].(int64)
	fields, _ := m["fields"].(map[string]any)
	a.Fields.SelfieSimilarity, _ = fields["selfie_similarity"].(float64)
	addr, _ := fields["address"].(map[string]any)
	a.Fields.Address.Country, _ = addr["country"].(string)
	return a
}
