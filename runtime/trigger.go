package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/stdlib/persona"
)

// Event is a decoded trigger event: its name, id and time, and the object
// bound to `trigger`.
type Event struct {
	Name      string
	ID        string
	CreatedAt time.Time
	Object    *interp.Map
}

// Map returns the value bound to `event`: {name, id, created_at}.
func (e *Event) Map() *interp.Map {
	m := interp.NewMap(3)
	m.Set("name", e.Name)
	m.Set("id", e.ID)
	if e.CreatedAt.IsZero() {
		m.Set("created_at", nil)
	} else {
		m.Set("created_at", e.CreatedAt)
	}
	return m
}

// Value returns the event as a wait event sees it: {name, id, created_at,
// trigger}.
func (e *Event) Value() *interp.Map {
	m := e.Map()
	m.Set("trigger", e.Object)
	return m
}

// personaShaped reports whether body has a Persona event webhook's shape,
// data.type "event", read by encoding/json (for a body Persona's decoder
// refused).
func personaShaped(body []byte) bool {
	var probe struct {
		Data *struct {
			Type string `json:"type"`
		} `json:"data"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Data != nil && probe.Data.Type == "event"
}

// DecodeEvent reads an event: a Persona webhook body
// ({"data":{"type":"event","attributes":{"name",…,"payload":{…}}}}), or a
// plain JSON object {"name": …, "id": …, "created_at": …, "payload"|"trigger": {…}}.
func DecodeEvent(body []byte) (*Event, error) {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte(byteOrderMark)))
	if len(body) == 0 {
		return nil, fmt.Errorf("the event is empty")
	}
	// A Persona webhook body is decoded once, on the service's hot path;
	// anything else, a body of another shape included, is read as a plain
	// event below, whose errors speak of JSON. A body the Persona decoder
	// refuses (too large, too deep, a number out of range) gets the Persona
	// error when it has a Persona event's shape.
	v, perr := persona.DecodeEventBody(body)
	if (perr == nil && persona.IsEventBody(v)) || (perr != nil && personaShaped(body)) {
		if perr != nil {
			return nil, perr
		}
		ev, err := persona.EventFromBody(v)
		if err != nil {
			return nil, err
		}
		obj, _ := interp.FromGo(ev.Object).(*interp.Map)
		return &Event{Name: ev.Name, ID: ev.ID, CreatedAt: ev.CreatedAt, Object: obj}, nil
	}
	v, err := interp.ParseJSON(body)
	if err != nil {
		return nil, fmt.Errorf("the event is not valid JSON%s", strings.TrimPrefix(err.Error(), "invalid JSON"))
	}
	m, ok := v.(*interp.Map)
	if !ok {
		return nil, fmt.Errorf("the event must be a JSON object, got %s", shapeName(v))
	}
	name, _ := m.Get("name")
	ns, ok := name.(string)
	if !ok || ns == "" {
		return nil, fmt.Errorf(`the event has no "name" (such as "inquiry.completed"); a Persona webhook body has data.attributes.name`)
	}
	ev := &Event{Name: ns}
	if id, ok := m.Get("id"); ok {
		ev.ID = interp.ToString(id)
	}
	if c, ok := m.Get("created_at"); ok {
		if s, ok := c.(string); ok {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, fmt.Errorf("created_at %q is not an RFC 3339 time", s)
			}
			ev.CreatedAt = t.UTC()
		}
	}
	for _, k := range []string{"payload", "trigger", "object"} {
		if p, ok := m.Get(k); ok {
			obj, err := DecodePayload(p)
			if err != nil {
				return nil, err
			}
			ev.Object = obj
			return ev, nil
		}
	}
	return nil, fmt.Errorf(`the event has no "payload" object`)
}

// shapeName names a decoded JSON value's shape as JSON does: an array, a
// string…
func shapeName(v interp.Value) string {
	switch v.(type) {
	case *interp.List:
		return "an array"
	case *interp.Map:
		return "an object"
	case string:
		return "a string"
	case int64, float64:
		return "a number"
	case bool:
		return "true or false"
	}
	return "null"
}

// DecodePayload turns a payload value into the trigger object: a JSON:API
// document or resource is normalized like a webhook's payload; a plain
// object is used as it is.
func DecodePayload(p interp.Value) (*interp.Map, error) {
	m, ok := p.(*interp.Map)
	if !ok {
		return nil, fmt.Errorf("the payload must be a JSON object, got %s", shapeName(p))
	}
	goVal, _ := interp.ToGo(m).(map[string]any)
	if data, ok := goVal["data"].(map[string]any); ok {
		included, _ := goVal["included"].([]any)
		obj, _ := interp.FromGo(persona.Normalize(data, included)).(*interp.Map)
		return obj, nil
	}
	if _, ok := goVal["attributes"].(map[string]any); ok {
		obj, _ := interp.FromGo(persona.Normalize(goVal, nil)).(*interp.Map)
		return obj, nil
	}
	return m, nil
}

// ParseInputs reads --input key=value pairs. A value that reads as JSON (a
// number, true, false, null, a quoted string, a list or an object) is taken
// as that; anything else is a string. When the workflow declares the
// parameter as a string, the text is kept as it is.
func ParseInputs(pairs []string, params []interp.Param) (*interp.Map, error) {
	isString := map[string]bool{}
	for _, p := range params {
		isString[p.Name] = p.Type&^lang.TNull == lang.TString
	}
	m := interp.NewMap(len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("--input %q: write key=value", p)
		}
		k = strings.TrimSpace(k)
		if isString[k] {
			m.Set(k, v)
			continue
		}
		if val, err := interp.ParseJSON([]byte(v)); err == nil {
			m.Set(k, val)
		} else {
			m.Set(k, v)
		}
	}
	return m, nil
}

// APIInputs reads the body of an API trigger: Persona's shape
// ({"data":{"attributes":{"fields":{…}}}}, or the older data.attributes and
// meta.params) or a plain JSON object of inputs.
func APIInputs(body []byte) (*interp.Map, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return interp.NewMap(0), nil
	}
	v, err := interp.ParseJSON(body)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*interp.Map)
	if !ok {
		return nil, fmt.Errorf("the inputs must be a JSON object, got %s", interp.TypeName(v))
	}
	if data, ok := m.Get("data"); ok {
		if dm, ok := data.(*interp.Map); ok {
			if attrs, ok := dm.Get("attributes"); ok {
				if am, ok := attrs.(*interp.Map); ok {
					if f, ok := am.Get("fields"); ok {
						if fm, ok := f.(*interp.Map); ok {
							return fm, nil
						}
					}
					return am, nil
				}
			}
		}
	}
	if meta, ok := m.Get("meta"); ok {
		if mm, ok := meta.(*interp.Map); ok {
			if p, ok := mm.Get("params"); ok {
				if pm, ok := p.(*interp.Map); ok {
					return pm, nil
				}
			}
		}
	}
	return m, nil
}
