package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/persona"
)

// storeObjects exposes the engine's store as the local backend's object
// store (mapping not-found errors).
type storeObjects struct{ e *runtime.Engine }

func (s storeObjects) GetObject(ctx context.Context, kind, id string) (map[string]any, error) {
	o, err := s.e.Store.GetObject(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%s %q: %w", kind, id, persona.ErrNotFound)
	}
	return o, err
}

func (s storeObjects) PutObject(ctx context.Context, kind, id string, obj map[string]any) error {
	return s.e.Store.PutObject(ctx, kind, id, obj)
}

func (s storeObjects) ListObjects(ctx context.Context, kind string) ([]map[string]any, error) {
	return s.e.Store.ListObjects(ctx, kind)
}

func errNotFound(*runtime.Engine) error { return store.ErrNotFound }
