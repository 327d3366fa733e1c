package bench

import (
	"slices"
	"strings"
)

// compileNativeMap returns the rule hand-written in Go over the same
// map[string]any the peers read, with checked type assertions. The blocked
// addresses are a map[string]struct{} (R1-list) or a []string (R1-value).
func compileNativeMap(r Rule, d *Data) (Eval, error) {
	m := d.Map
	switch r {
	case R1List:
		set := make(map[string]struct{}, len(d.Blocked))
		for _, ip := range d.Blocked {
			set[ip] = struct{}{}
		}
		return func() (any, error) {
			age, _ := m["age"].(int64)
			if age >= 18 {
				return false, nil
			}
			ip, _ := m["ip_address"].(string)
			_, found := set[ip]
			return found, nil
		}, nil
	case R1Value:
		blocked := d.Blocked
		return func() (any, error) {
			age, _ := m["age"].(int64)
			ip, _ := m["ip_address"].(string)
			return age < 18 && slices.Contains(blocked, ip), nil
		}, nil
	case R2:
		return func() (any, error) { return nativeMapR2(m), nil }, nil
	}
	return func() (any, error) { return nativeMapR3(m), nil }, nil
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

// nativeMapR3 is R3 over the map; see r3Routes.
func nativeMapR3(m map[string]any) int64 {
	s := func(k string) string { v, _ := m[k].(string); return v }
	age := func() int64 { v, _ := m["age"].(int64); return v }
	fields, _ := m["fields"].(map[string]any)
	selfie := func() float64 { v, _ := fields["selfie_similarity"].(float64); return v }
	switch {
	case s("status") == "failed":
		return 0
	case age() >= 65:
		return 1
	case s("address_country_code") == "KP":
		return 2
	case selfie() < 0.5:
		return 3
	case s("email_address") == "fraud@example.com":
		return 4
	case s("address_subdivision") == "NY" && age() < 21:
		return 5
	case addressCountry(fields) == "IR":
		return 6
	case s("name_last") == "Smith":
		return 7
	case s("address_city") == "Berlin":
		return 8
	case age() > 100:
		return 9
	case s("address_postal_code") == "10001":
		return 10
	case s("reference_id") == "user-9999":
		return 11
	case selfie() > 0.99:
		return 12
	case s("status") == "expired":
		return 13
	case highRisk(s("address_country_code")):
		return 14
	case s("phone_number") == "+1 555 000 0000":
		return 15
	case age() < 18 && s("address_country_code") == "US":
		return 16
	case s("status") == "completed":
		return 17
	case age() < 21:
		return 18
	case s("ip_address") == "203.0.113.11":
		return 19
	}
	return -1
}

func addressCountry(fields map[string]any) string {
	addr, _ := fields["address"].(map[string]any)
	c, _ := addr["country"].(string)
	return c
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
func compileNativeStruct(r Rule, d *Data) (Eval, error) {
	a := d.Struct
	switch r {
	case R1List:
		set := make(map[string]struct{}, len(d.Blocked))
		for _, ip := range d.Blocked {
			set[ip] = struct{}{}
		}
		return func() (any, error) {
			if a.Age >= 18 {
				return false, nil
			}
			_, found := set[a.IPAddress]
			return found, nil
		}, nil
	case R1Value:
		blocked := d.Blocked
		return func() (any, error) { return a.Age < 18 && slices.Contains(blocked, a.IPAddress), nil }, nil
	case R2:
		return func() (any, error) {
			return a.Fields.Address.Country == "US" && strings.ToLower(a.NameFirst+" "+a.NameLast) == "jane doe", nil
		}, nil
	}
	return func() (any, error) { return nativeStructR3(a), nil }, nil
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
