package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/stdlib/lists"
	"github.com/wf-lang/wf/stdlib/persona"
)

// Fixtures is local test data: Lists and Persona objects, loaded into the
// store before a run so examples and tests need no account. The file is
// JSON:
//
//	{
//	  "lists": {
//	    "blocked-ips": {"kind": "ip_address", "items": ["198.51.100.0/24"]},
//	    "blocked-emails": {"kind": "email_address", "items": [{"value": "gmail.com", "match_type": "domain"}]}
//	  },
//	  "persona": [ <JSON:API documents or Persona webhook events> ]
//	}
//
// Loading is idempotent: lists are created when missing and items already
// present are kept once.
type Fixtures struct {
	Lists   map[string]FixtureList `json:"lists"`
	Persona []json.RawMessage      `json:"persona"`
}

// FixtureList is one List in a fixtures file.
type FixtureList struct {
	Kind  string            `json:"kind"`
	Items []json.RawMessage `json:"items"`
}

// MaxFixturesFile is the largest fixtures file read.
const MaxFixturesFile = 64 << 20

// LoadFixtures reads a fixtures file into the engine's store.
func (e *Engine) LoadFixtures(ctx context.Context, path string) (lists, objects int, err error) {
	data, err := readfile.Read(path, MaxFixturesFile)
	if err != nil {
		return 0, 0, err
	}
	var fx Fixtures
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(byteOrderMark))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		return 0, 0, fmt.Errorf("%s: %v", path, shapeError(err))
	}
	names := make([]string, 0, len(fx.Lists))
	for n := range fx.Lists {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := e.loadFixtureList(ctx, name, fx.Lists[name]); err != nil {
			return lists, objects, fmt.Errorf("%s: list %s: %v", path, name, err)
		}
		lists++
	}
	for i, doc := range fx.Persona {
		n, err := persona.LoadFixture(ctx, objectStore{e.Store}, bytes.NewReader(doc))
		if err != nil {
			return lists, objects, fmt.Errorf("%s: persona[%d]: %v", path, i, err)
		}
		objects += n
	}
	return lists, objects, nil
}

func (e *Engine) loadFixtureList(ctx context.Context, name string, fl FixtureList) error {
	kind, err := lists.ParseKind(fl.Kind)
	if err != nil {
		return err
	}
	existing, err := e.Lists.Store().GetList(ctx, name)
	switch {
	case errors.Is(err, lists.ErrNotFound):
		if _, err := e.Lists.Create(ctx, name, kind); err != nil {
			return err
		}
	case err != nil:
		return err
	case existing.Kind != kind:
		return fmt.Errorf("exists with kind %s, not %s", existing.Kind, kind)
	}
	for i, raw := range fl.Items {
		value, data, err := fixtureItem(raw)
		if err != nil {
			return fmt.Errorf("item %d: %v", i+1, err)
		}
		if _, err := e.Lists.Add(ctx, name, value, data); err != nil {
			return fmt.Errorf("item %d: %v", i+1, err)
		}
	}
	return nil
}

// byteOrderMark is the UTF-8 byte order mark some editors start files
// with; JSON input may start with it.
const byteOrderMark = "\ufeff"

// shapeError words a JSON decoding error in terms of the document (where,
// and the shape expected there), not of the Go types it was decoded into.
func shapeError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	where := "the document"
	if te.Field != "" {
		where = te.Field
	}
	return fmt.Errorf("%s must be %s, not %s", where, shapeOf(te.Type), article(te.Value))
}

// shapeOf names the JSON shape a Go type is decoded from.
func shapeOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Name() == "RawMessage" {
			return "a JSON value"
		}
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Pointer:
		return shapeOf(t.Elem())
	}
	return "a number"
}

// article puts a or an before a JSON shape name (array, object, number…).
func article(shape string) string {
	if strings.HasPrefix(shape, "number ") {
		return "the " + shape
	}
	switch shape {
	case "array", "object":
		return "an " + shape
	case "string", "number", "bool":
		return "a " + shape
	}
	return shape
}

// fixtureItem reads an item: a string, or an object with "value" and other
// attributes (match_type, id_class, latitude…).
func fixtureItem(raw json.RawMessage) (string, map[string]string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", nil, fmt.Errorf("an item is a string or an object")
	}
	data := map[string]string{}
	value := ""
	for k, v := range m {
		text := fmt.Sprint(v)
		if k == "value" {
			value = text
			continue
		}
		data[k] = text
	}
	return value, data, nil
}

// LoadPersona loads Persona objects (a JSON:API document or resource, or a
// webhook event) into the local backend's store.
func (e *Engine) LoadPersona(ctx context.Context, r io.Reader) (int, error) {
	return persona.LoadFixture(ctx, objectStore{e.Store}, r)
}
