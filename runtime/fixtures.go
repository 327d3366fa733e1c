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
	fx, err := ReadFixtures(path)
	if err != nil {
		return 0, 0, err
	}
	lists, objects, err = ApplyFixtures(ctx, fx, e.Lists, objectStore{e.Store})
	if err != nil {
		return lists, objects, fmt.Errorf("%s: %v", path, err)
	}
	return lists, objects, nil
}

// ReadFixtures reads and decodes a fixtures file.
func ReadFixtures(path string) (*Fixtures, error) {
	data, err := readfile.Read(path, MaxFixturesFile)
	if err != nil {
		return nil, err
	}
	var fx Fixtures
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, []byte(byteOrderMark))))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		return nil, fmt.Errorf("%s: %v", path, shapeError(err))
	}
	return &fx, nil
}

// ApplyFixtures loads fixtures into a Lists service and a store of the
// local backend's objects (wf run --fixtures into the engine's store, wf
// test into a test's own memory).
func ApplyFixtures(ctx context.Context, fx *Fixtures, ls *lists.Service, objs persona.ObjectStore) (lists, objects int, err error) {
	names := make([]string, 0, len(fx.Lists))
	for n := range fx.Lists {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := LoadFixtureList(ctx, ls, name, fx.Lists[name]); err != nil {
			return lists, objects, fmt.Errorf("list %s: %v", name, err)
		}
		lists++
	}
	for i, doc := range fx.Persona {
		n, err := persona.LoadFixture(ctx, objs, bytes.NewReader(doc))
		if err != nil {
			return lists, objects, fmt.Errorf("persona[%d]: %v", i, err)
		}
		objects += n
	}
	return lists, objects, nil
}

// LoadFixtureList creates the List name (unless it exists with the same
// kind) and adds the items.
func LoadFixtureList(ctx context.Context, ls *lists.Service, name string, fl FixtureList) error {
	kind, err := lists.ParseKind(fl.Kind)
	if err != nil {
		return err
	}
	existing, err := ls.Store().GetList(ctx, name)
	switch {
	case errors.Is(err, lists.ErrNotFound):
		if _, err := ls.Create(ctx, name, kind); err != nil {
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
		if _, err := ls.Add(ctx, name, value, data); err != nil {
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
