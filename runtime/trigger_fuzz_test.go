package runtime_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// FuzzDecodeEvent feeds the event decoder (webhook bodies and plain events,
// from a file or the network) arbitrary bytes. It must never panic; an
// error must speak of the document, not of Go types; and a decoded event
// must be recordable as it is: its value encodes as JSON, which reads back.
//
//	go test ./runtime -run '^$' -fuzz FuzzDecodeEvent -fuzztime 5m -parallel 1
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob("../examples/events/*.json")
	for _, path := range files {
		if b, err := os.ReadFile(path); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{"name": "inquiry.completed", "id": "evt_1", "payload": {"id": "inq_1", "status": "completed"}}`,
		"\ufeff" + `{"name": "a.b", "payload": {"n": 1}}`,
		`{"name": "a.b", "payload": {"n": 1e400}}`,
		`{"name": "a.b", "payload": {"n": -1e-400, "s": "\u001b[2J"}}`,
		`{"data": [1]}`, `[1]`, `"x"`, `{"data": {"type": "event"}}`,
		`{"data": {"type": "event", "id": "evt_1", "attributes": {"name": "inquiry.completed", "created-at": "2026-01-01T00:00:00Z",` +
			`"payload": {"data": {"type": "inquiry", "id": "inq_1", "attributes": {"fields": {"a": {"type": "string"}}}}}}}}`,
		`{"name": "a.b", "created_at": "not a time", "payload": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := runtime.DecodeEvent(body)
		if err != nil {
			if msg := err.Error(); strings.Contains(msg, "Go value") || strings.Contains(msg, "struct {") {
				t.Fatalf("an error names Go types: %s", msg)
			}
			return
		}
		if ev.Name == "" {
			t.Fatalf("an event without a name was accepted: %q", body)
		}
		rec, err := interp.MarshalJSON(ev.Value())
		if err != nil {
			t.Fatalf("a decoded event cannot be recorded: %v (%q)", err, body)
		}
		if _, err := interp.ParseJSON(rec); err != nil {
			t.Fatalf("a recorded event does not read back: %v (%s)", err, rec)
		}
	})
}
