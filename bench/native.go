package bench

import (
	"slices"
	"strings"
)

// compileNativeMap returns the rule hand-written in Go over the same
// map[string]any the peers read, with checked type assertions, each field
// read once. The blocked addresses are a map[string]struct{} (R1-list) or
// a []string scanned with slices.Contains (R1-value, R1-fresh).
func compileNativeMap(r Rule, d *Data) (Program, error) {
	m := d.Map
	switch r {
	case R1List:
		set := stringSet(d.Blocked)
		return Program{Eval: func() (any, error) {
			age, _ := m["age"].(int64)
			if age >= 18 {
				return false, nil
			}
			ip, _ := m["ip_address"].(string)
			_, found := set[ip]
			return found, nil
		}}, nil
	case R1Value:
		blocked := d.Blocked
		return Program{Eval: func() (any, error) { return nativeMapR1(m, blocked), nil }}, nil
	case R1Fresh:
		in := newFresh(func() []string { return slices.Clone(d.Blocked) })
		return in.program(func(blocked []string) (any, error) { return nativeMapR1(m, blocked), nil }), nil
	case R2:
		return Program{Eval: func() (any, error) { return nativeMapR2(m), nil }}, nil
	}
	return Program{Eval: func() (any, error) { return nativeMapR3(m), nil }}, nil
}

func nativeMapR1(m map[string]any, blocked []string) bool {
	age, _ := m["age"].(int64)
	if age >= 18 {
		return false
	}
	ip, _ := m["ip_address"].(string)
	return slices.Contains(blocked, ip)
}

func stringSet(xs []string) map[string]struct{} {
	set := make(map[string]struct{}, len(xs))
	for _, x := range xs {
		set[x] = struct{}{}
	}
	return set
}

// compileNativeSet is R1-value's fair baseline: as WF indexes a list value
// that is looked in more than once, it turns the (same) list into a
// map[string]struct{} once, outside the timed loop, and looks the address
// up in it.
func compileNativeSet(r Rule, d *Data) (Program, error) {
	if r != R1Value {
		return Program{}, ErrNotApplicable
	}
	m, set := d.Map, stringSet(d.Blocked)
	return Program{Eval: func() (any, error) {
		age, _ := m["age"].(int64)
		if age >= 18 {
			return false, nil
		}
		ip, _ := m["ip_address"].(string)
		_, found := set[ip]
		return found, nil
	}}, nil
}

func nativeMapR2(m map[string]any) bool {
	fields, _ := m["fields"].(map[string]any)
	addr, _ := fields["address"].(map[string]any)
	if country, _ := addr["country"].(string); country != "US" {
		return false
	}
	first, _ := m["name_first"].(string)
	last, _ := m["name_last"].(string)
	return strings.ToLower(first+" "+last) == "jane doe"
}

// nativeMapR3 is R3 over the map as straightforward Go writes it: every
// field the routes read is read once into a local, then the routes are a
// switch over the locals (see r3Routes).
func nativeMapR3(m map[string]any) int64 {
	str := func(k string) string { v, _ := m[k].(string); return v }
	status, country, email := str("status"), str("address_country_code"), str("email_address")
	subdivision, lastName, city := str("address_subdivision"), str("name_last"), str("address_city")
	postal, ref, phone, ip := str("address_postal_code"), str("reference_id"), str("phone_number"), str("ip_address")
	age, _ := m["age"].(int64)
	fields, _ := m["fields"].(map[string]any)
	selfie, _ := fields["selfie_similarity"].(float64)
	addr, _ := fields["address"].(map[string]any)
	addrCountry, _ := addr["country"].(string)
	switch {
	case status == "failed":
		return 0
	case age >= 65:
		return 1
	case country == "KP":
		return 2
	case selfie < 0.5:
		return 3
	case email == "fraud@example.com":
		return 4
	case subdivision == "NY" && age < 21:
		return 5
	case addrCountry == "IR":
		return 6
	case lastName == "Smith":
		return 7
	case city == "Berlin":
		return 8
	case age > 100:
		return 9
	case postal == "10001":
		return 10
	case ref == "user-9999":
		return 11
	case selfie > 0.99:
		return 12
	case status == "expired":
		return 13
	case highRisk(country):
		return 14
	case phone == "+1 555 000 0000":
		return 15
	case age < 18 && country == "US":
		return 16
	case status == "completed":
		return 17
	case age < 21:
		return 18
	case ip == "203.0.113.11":
		return 19
	}
	return -1
}

func highRisk(country string) bool {
	switch country {
	case "IR", "KP", "SY", "CU":
		return true
	}
	return false
}

// compileNativeStruct returns the rule hand-written in Go over the typed
// Applicant: the floor no dynamic engine can reach.
func compileNativeStruct(r Rule, d *Data) (Program, error) {
	a := d.Struct
	switch r {
	case R1List:
		set := stringSet(d.Blocked)
		return Program{Eval: func() (any, error) {
			if a.Age >= 18 {
				return false, nil
			}
			_, found := set[a.IPAddress]
			return found, nil
		}}, nil
	case R1Value:
		blocked := d.Blocked
		return Program{Eval: func() (any, error) { return a.Age < 18 && slices.Contains(blocked, a.IPAddress), nil }}, nil
	case R1Fresh:
		in := newFresh(func() []string { return slices.Clone(d.Blocked) })
		return in.program(func(blocked []string) (any, error) {
			return a.Age < 18 && slices.Contains(blocked, a.IPAddress), nil
		}), nil
	case R2:
		return Program{Eval: func() (any, error) {
			return a.Fields.Address.Country == "US" && strings.ToLower(a.NameFirst+" "+a.NameLast) == "jane doe", nil
		}}, nil
	}
	return Program{Eval: func() (any, error) { return nativeStructR3(a), nil }}, nil
}

// nativeStructR3 is R3 over the struct; see r3Routes.
func nativeStructR3(a *Applicant) int64 {
	switch {
	case a.Status == "failed":
		return 0
	case a.Age >= 65:
		return 1
	case a.AddressCountryCode == "KP":
		return 2
	case a.Fields.SelfieSimilarity < 0.5:
		return 3
	case a.EmailAddress == "fraud@example.com":
		return 4
	case a.AddressSubdivision == "NY" && a.Age < 21:
		return 5
	case a.Fields.Address.Country == "IR":
		return 6
	case a.NameLast == "Smith":
		return 7
	case a.AddressCity == "Berlin":
		return 8
	case a.Age > 100:
		return 9
	case a.AddressPostalCode == "10001":
		return 10
	case a.ReferenceID == "user-9999":
		return 11
	case a.Fields.SelfieSimilarity > 0.99:
		return 12
	case a.Status == "expired":
		return 13
	case highRisk(a.AddressCountryCode):
		return 14
	case a.PhoneNumber == "+1 555 000 0000":
		return 15
	case a.Age < 18 && a.AddressCountryCode == "US":
		return 16
	case a.Status == "completed":
		return 17
	case a.Age < 21:
		return 18
	case a.IPAddress == "203.0.113.11":
		return 19
	}
	return -1
}
