package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

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

// LoadFixtures reads a fixtures file into the engine's store.
func (e *Engine) LoadFixtures(ctx context.Context, path string) (lists, objects int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var fx Fixtures
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		return 0, 0, fmt.Errorf("%s: %v", path, err)
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
