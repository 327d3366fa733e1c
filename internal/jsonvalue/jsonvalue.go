// Package jsonvalue decodes JSON into plain Go values (nil, bool, string, []any,
// map[string]any and numbers as the caller chooses) from tokens, with a pooled decoder
// (go-json-experiment's jsontext) and no reflection: a fraction of encoding/json's time and
// allocations. Short strings, keys and values alike, are shared through an intern cache
// (see Intern): the same few names and values ("type", "status", "completed"…) come back in
// every document. Duplicate names keep the last value; invalid UTF-8 is replaced, as
// encoding/json does.
package jsonvalue

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// Options are the jsontext options Decode reads with.
var Options = []jsontext.Options{jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)}

// ErrTrailing reports data after the one value.
var ErrTrailing = errors.New("data after the top-level value")

// ErrTooDeep reports a document nested deeper than Decode's limit.
var ErrTooDeep = errors.New("nested too deep")

// Number turns a JSON number's text into its value. The text is valid only during the call.
type Number func(text string) (any, error)

// Decode decodes the one JSON value in data, nested at most maxDepth levels, its numbers
// through number. An empty document is io.EOF.
func Decode(data []byte, number Number, maxDepth int) (any, error) {
	r := readers.Get().(*reader)
	r.r.Reset(data)
	r.dec.Reset(&r.r, Options...)
	r.number, r.maxDepth = number, maxDepth
	v, err := r.value(0)
	if err == nil {
		if _, extra := r.dec.ReadToken(); extra == nil {
			err = ErrTrailing
		}
	}
	r.r.Reset(nil)
	r.dec.Reset(&r.r, Options...)
	r.number = nil
	// After an error the stacks may hold what was read before it.
	clear(r.names)
	clear(r.vals)
	clear(r.items)
	r.names, r.vals, r.items = r.names[:0], r.vals[:0], r.items[:0]
	readers.Put(r)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// reader is a decoder kept for reuse (a jsontext.Decoder and its buffer are most of the
// allocations of decoding a small document).
type reader struct {
	r        bytes.Reader
	dec      *jsontext.Decoder
	number   Number
	maxDepth int
	// names and vals hold the members of the objects being read, items the elements of
	// the lists, innermost last.
	names []string
	vals  []any
	items []any
}

var readers = sync.Pool{New: func() any {
	r := &reader{}
	r.dec = jsontext.NewDecoder(&r.r, Options...)
	return r
}}

func (r *reader) value(depth int) (any, error) {
	if depth > r.maxDepth {
		return nil, ErrTooDeep
	}
	dec := r.dec
	switch dec.PeekKind() {
	case '"':
		return r.str()
	case '0':
		raw, err := dec.ReadValue()
		if err != nil {
			return nil, err
		}
		return r.number(unsafe.String(unsafe.SliceData(raw), len(raw)))
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case '{':
		// The members wait on the reader's stack until the object ends, so that its map
		// is made once at its size instead of growing member by member.
		base := len(r.names)
		for dec.PeekKind() != '}' {
			name, err := r.str()
			if err != nil {
				return nil, err
			}
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			r.names = append(r.names, name.(string))
			r.vals = append(r.vals, v)
		}
		m := make(map[string]any, len(r.names)-base)
		for i, name := range r.names[base:] {
			m[name] = r.vals[base+i]
		}
		clear(r.names[base:])
		clear(r.vals[base:])
		r.names, r.vals = r.names[:base], r.vals[:base]
		_, err := dec.ReadToken()
		return m, err
	case '[':
		base := len(r.items)
		for dec.PeekKind() != ']' {
			v, err := r.value(depth + 1)
			if err != nil {
				return nil, err
			}
			r.items = append(r.items, v)
		}
		l := make([]any, len(r.items)-base)
		copy(l, r.items[base:])
		clear(r.items[base:])
		r.items = r.items[:base]
		_, err := dec.ReadToken()
		return l, err
	case 't', 'f':
		return tok.Bool(), nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected %s", tok.Kind())
}

// str reads a string (a value or an object's name) as Token.String would: escapes decoded
// and bytes that are not UTF-8 replaced. Plain ASCII text is taken from the input as it is.
// It returns the string in an interface; a short one (see Intern) in one shared with the
// decodes before, so that neither the string nor its interface is allocated again.
func (r *reader) str() (any, error) {
	raw, err := r.dec.ReadValue()
	if err != nil {
		return "", err
	}
	if len(raw) < 2 || raw[0] != '"' {
		return "", fmt.Errorf("unexpected %s", raw.Kind())
	}
	body := raw[1 : len(raw)-1]
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf {
			b, _ := jsontext.AppendUnquote(nil, raw) // the decoder checked it; invalid UTF-8 is replaced
			return Intern(b), nil
		}
	}
	return Intern(body), nil
}

// internSlots is a direct-mapped cache of strings read before: a string of up to
// maxInterned bytes found in its slot is shared instead of allocated again, and so is the
// interface holding it (a string stored in an interface is otherwise allocated once more,
// for its header). Slots hold pointers, swapped atomically, so concurrent decoders never see
// half a string; a slot taken by another string is simply overwritten.
var internSlots [4096]atomic.Pointer[any]

const maxInterned = 48

// Intern returns b as a string in an interface, shared with earlier calls when it is short.
func Intern(b []byte) any {
	if len(b) > maxInterned {
		return string(b)
	}
	h := uint32(2166136261) // FNV-1a
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	slot := &internSlots[h%uint32(len(internSlots))]
	if p := slot.Load(); p != nil && (*p).(string) == string(b) {
		return *p
	}
	var v any = string(b)
	slot.Store(&v)
	return v
}
