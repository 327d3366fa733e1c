package persona

import (
	"context"
	"fmt"
	"io"
)

// LoadFixture loads Persona objects from r into store, normalized, and
// returns how many it stored. r holds one JSON document: a Persona webhook
// event (its payload object is stored), a JSON:API document whose `data` is
// a resource or an array of them (each stored, and each resource of
// `included` too, so related objects can be read back), or a bare resource.
// Objects are stored under the kind their type names ("report/watchlist" →
// "report"), replacing any with the same id.
func LoadFixture(ctx context.Context, store ObjectStore, r io.Reader) (n int, err error) {
	raw, err := readCapped(r, MaxBodySize)
	if err != nil {
		return 0, fmt.Errorf("persona fixture: %w", err)
	}
	v, err := decodeJSONBytes(raw)
	if err != nil {
		return 0, fmt.Errorf("persona fixture: %w", err)
	}
	objs, err := fixtureObjects(v)
	if err != nil {
		return 0, fmt.Errorf("persona fixture: %w", err)
	}
	for _, obj := range objs {
		if err := store.PutObject(ctx, kindOf(str(obj["type"])), str(obj["id"]), obj); err != nil {
			return n, fmt.Errorf("persona fixture: store %s %q: %w", obj["type"], obj["id"], err)
		}
		n++
	}
	return n, nil
}

// fixtureObjects are the normalized objects a fixture document holds, data
// first; an included resource with the id of a data resource is skipped.
func fixtureObjects(v any) ([]map[string]any, error) {
	if isEventBody(v) {
		ev, err := eventFromValue(v)
		if err != nil {
			return nil, err
		}
		return []map[string]any{ev.Object}, nil
	}
	root, err := asObject(v, "document")
	if err != nil {
		return nil, err
	}
	if _, ok := root["data"]; !ok {
		if err := checkResource(root, "document"); err != nil {
			return nil, err
		}
		return []map[string]any{Normalize(root, nil)}, nil
	}
	return documentObjects(root)
}

// documentObjects normalizes a JSON:API document's data and included.
func documentObjects(root map[string]any) ([]map[string]any, error) {
	included, err := includedAt(root, "included")
	if err != nil {
		return nil, err
	}
	data, err := dataResources(root["data"])
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	seen := map[ref]bool{}
	add := func(list []any, path string) error {
		for i, e := range list {
			res, err := asObject(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return err
			}
			if err := checkResource(res, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
			if r := resourceRef(res); !seen[r] {
				seen[r] = true
				out = append(out, Normalize(res, included))
			}
		}
		return nil
	}
	if err := add(data, "data"); err != nil {
		return nil, err
	}
	return out, add(included, "included")
}

// dataResources is a document's data as a list.
func dataResources(data any) ([]any, error) {
	switch d := data.(type) {
	case map[string]any:
		return []any{d}, nil
	case []any:
		return d, nil
	default:
		return nil, fmt.Errorf("data must be an object or an array, got %s", typeName(data))
	}
}

// checkResource requires a string id and type on a resource.
func checkResource(res map[string]any, path string) error {
	if _, err := stringAt(res, "id", path+".id"); err != nil {
		return err
	}
	_, err := stringAt(res, "type", path+".type")
	return err
}
