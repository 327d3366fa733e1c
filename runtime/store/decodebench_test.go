package store_test

import (
	"testing"

	"github.com/wf-lang/wf/runtime/store"
)

// inquiryJSON is an inquiry as the local Persona backend stores it after a decline.
const inquiryJSON = `{"account":{"created_at":"2026-01-05T09:00:00.000Z","id":"act_0003","reference_id":"user-0003","tags":[],"type":"account"},"address_city":"San Francisco","address_country_code":"US","address_postal_code":"94105","address_street_1":"1 Main St","address_subdivision":"CA","birthdate":"1985-01-20","completed_at":"2026-11-20T12:15:00.000Z","created_at":"2026-11-20T12:02:11.000Z","decisioned_at":"2026-12-03T08:09:59.930Z","decisions":[{"action":"decline","comment":"IP 198.51.100.23 is on blocked-ips","created_at":"2026-12-03T08:09:59.930Z","status":"declined"}],"email_address":"alex.smith@example.com","fields":{"address_country_code":"US","birthdate":"1985-01-20","email_address":"alex.smith@example.com","name_first":"Alex","name_last":"Smith","selfie_similarity":0.93},"id":"inq_Block0003","inquiry_template":{"id":"itmpl_kyc","type":"inquiry-template"},"ip_address":"198.51.100.23","name_first":"Alex","name_last":"Smith","name_middle":null,"phone_number":"+1 415 555 0134","reference_id":"user-0003","reports":[],"status":"declined","tags":[],"type":"inquiry","updated_at":"2026-12-03T08:09:59.930Z"}`

// BenchmarkDecodeObject decodes a stored inquiry (the local backend's read
// of an object), and BenchmarkEncodeObject encodes it back.
//
//	go test ./runtime/store -run '^$' -bench 'codeObject' -benchmem
func BenchmarkDecodeObject(b *testing.B) {
	data := []byte(inquiryJSON)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.DecodeObject("inquiry", "inq_1", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeObject(b *testing.B) {
	obj, err := store.DecodeObject("inquiry", "inq_1", []byte(inquiryJSON))
	if err != nil {
		b.Fatal(err)
	}
	objs := []store.Object{{Kind: "inquiry", ID: "inq_1", Data: obj}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := store.EncodeObjects(objs); err != nil {
			b.Fatal(err)
		}
	}
}
