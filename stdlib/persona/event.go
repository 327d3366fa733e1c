package persona

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Event is a decoded Persona webhook event.
type Event struct {
	// ID is the event id (`evt_…`), used to deduplicate deliveries.
	ID string
	// Name is the event name, e.g. "inquiry.completed" or
	// "report/watchlist.matched".
	Name string
	// CreatedAt is when Persona created the event; zero when the body has
	// no created-at.
	CreatedAt time.Time
	// Object is the event's object (payload.data), normalized with its
	// payload.included: what a workflow sees as `trigger`.
	Object map[string]any
}

// DecodeEvent decodes a Persona webhook body,
// {"data": {"type": "event", "id": "evt_…", "attributes": {"name": …,
// "payload": {"data": {…}, "included": […]}, "created-at": …}}}, in any key
// inflection (kebab, camel or snake). The body is capped at MaxBodySize bytes
// and MaxDepth levels; errors name the path that is missing or wrong.
// created-at is optional but must be an RFC 3339 time when present.
func DecodeEvent(body []byte) (Event, error) {
	v, err := DecodeEventBody(body)
	if err != nil {
		return Event{}, err
	}
	return EventFromBody(v)
}

// DecodeEventBody decodes a webhook body, within DecodeEvent's limits, into plain Go
// values, for IsEventBody and EventFromBody: a caller that also reads bodies of other
// shapes decodes each body once.
func DecodeEventBody(body []byte) (any, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("persona event: body is larger than %d bytes", MaxBodySize)
	}
	v, err := decodeJSONBytes(body)
	if err != nil {
		return nil, fmt.Errorf("persona event: %w", err)
	}
	return v, nil
}

// IsEventBody reports whether a decoded body is a Persona event webhook: an object whose
// data is an object whose type is "event" (the names matched as encoding/json matches a
// struct's fields: exactly, else ignoring case).
func IsEventBody(v any) bool {
	data, _ := foldMember(v, "data").(map[string]any)
	typ, _ := foldMember(data, "type").(string)
	return typ == "event"
}

// foldMember is v's member name when v is an object: the exact name, else one equal to it
// ignoring case.
func foldMember(v any, name string) any {
	m, _ := v.(map[string]any)
	if x, ok := m[name]; ok {
		return x
	}
	for k, x := range m {
		if strings.EqualFold(k, name) {
			return x
		}
	}
	return nil
}

// EventFromBody reads the Event out of a body DecodeEventBody decoded.
func EventFromBody(v any) (Event, error) {
	ev, err := eventFromValue(v)
	if err != nil {
		return Event{}, fmt.Errorf("persona event: %w", err)
	}
	return ev, nil
}

// eventFromValue reads an Event out of a decoded webhook body.
func eventFromValue(v any) (Event, error) {
	root, err := asObject(v, "body")
	if err != nil {
		return Event{}, err
	}
	data, err := objectAt(root, "data", "data")
	if err != nil {
		return Event{}, err
	}
	attrs, err := objectAt(data, "attributes", "data.attributes")
	if err != nil {
		return Event{}, err
	}
	var ev Event
	if ev.ID, err = stringAt(data, "id", "data.id"); err != nil {
		return Event{}, err
	}
	if ev.Name, err = stringAt(attrs, "name", "data.attributes.name"); err != nil {
		return Event{}, err
	}
	if ev.CreatedAt, err = timeAt(attrs, "created_at", "data.attributes.created-at"); err != nil {
		return Event{}, err
	}
	ev.Object, err = payloadObject(attrs)
	return ev, err
}

// payloadObject normalizes data.attributes.payload.data with its included.
func payloadObject(attrs map[string]any) (map[string]any, error) {
	payload, err := objectAt(attrs, "payload", "data.attributes.payload")
	if err != nil {
		return nil, err
	}
	obj, err := objectAt(payload, "data", "data.attributes.payload.data")
	if err != nil {
		return nil, err
	}
	if err := checkResource(obj, "data.attributes.payload.data"); err != nil {
		return nil, err
	}
	included, err := includedAt(payload, "data.attributes.payload.included")
	if err != nil {
		return nil, err
	}
	return Normalize(obj, included), nil
}

// member is m's value for key in any inflection: the exact key first, then
// any key whose snake_case form is key.
func member(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if snakeCase(k) == key {
			return v, true
		}
	}
	return nil, false
}

// asObject is v as a JSON object, or an error naming path.
func asObject(v any, path string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object, got %s", path, typeName(v))
	}
	return m, nil
}

// objectAt is the object m[key], or an error naming path.
func objectAt(m map[string]any, key, path string) (map[string]any, error) {
	v, ok := member(m, key)
	if !ok || v == nil {
		return nil, fmt.Errorf("%s is missing", path)
	}
	return asObject(v, path)
}

// stringAt is the non-empty string m[key], or an error naming path.
func stringAt(m map[string]any, key, path string) (string, error) {
	v, ok := member(m, key)
	if !ok || v == nil {
		return "", fmt.Errorf("%s is missing", path)
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be a string, got %s", path, typeName(v))
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// timeAt is the RFC 3339 time m[key], zero when absent or null.
func timeAt(m map[string]any, key, path string) (time.Time, error) {
	v, ok := member(m, key)
	if !ok || v == nil {
		return time.Time{}, nil
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%s must be a string, got %s", path, typeName(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s is not an RFC 3339 time: %q", path, truncate(s, 40))
	}
	return t, nil
}

// includedAt is the array m["included"], nil when absent or null.
func includedAt(m map[string]any, path string) ([]any, error) {
	v, ok := member(m, "included")
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an array, got %s", path, typeName(v))
	}
	return list, nil
}

// truncate shortens s to at most n bytes for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isEventBody reports whether a decoded document looks like a webhook event.
func isEventBody(v any) bool {
	root, ok := v.(map[string]any)
	if !ok {
		return false
	}
	data, ok := root["data"].(map[string]any)
	return ok && data["type"] == "event"
}

// trimBOM drops a UTF-8 byte order mark some editors put in fixture files.
func trimBOM(b []byte) []byte {
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}
