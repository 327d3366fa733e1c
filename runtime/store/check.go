package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/wf-lang/wf/internal/jsonvalue"
)

// objectEncoding writes objects with sorted keys, keeps text that is not
// valid UTF-8 (as encoding/json did, replacing it), and does not escape HTML
// characters (the text is read back, never served as HTML).
var objectEncoding = []jsonv2.Options{jsonv2.Deterministic(true), jsontext.AllowInvalidUTF8(true)}

// Checks and encodings every implementation shares, so that both refuse the same input and
// store the same text.

// PrepareRun checks a new run and fills in its defaults: status running, StartedAt now.
func PrepareRun(r *Run, now func() time.Time) error {
	if r.ID == "" || r.Workflow == "" {
		return errors.New("store: run needs an id and a workflow")
	}
	if err := errors.Join(CheckJSON("run", "trigger", r.Trigger), CheckJSON("run", "event", r.Event),
		CheckJSON("run", "inputs", r.Inputs), CheckJSON("run", "outputs", r.Outputs),
		CheckJSON("run", "error", r.Error)); err != nil {
		return err
	}
	if r.Status == "" {
		r.Status = StatusRunning
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = now()
	}
	return nil
}

// CheckJSON reports an error when raw is neither empty nor valid JSON, so that malformed
// input is refused at the door rather than stored and failing every later read.
func CheckJSON(what, field string, raw json.RawMessage) error {
	if len(raw) > 0 && !json.Valid(raw) {
		return fmt.Errorf("store: %s %s is not valid JSON", what, field)
	}
	return nil
}

// CheckSteps checks steps before they are saved: each needs a key, and its JSON fields must
// be valid.
func CheckSteps(steps []Step) error {
	for _, st := range steps {
		if st.Key == "" {
			return errors.New("store: step key is empty")
		}
		if err := errors.Join(CheckJSON("step", "args", st.Args), CheckJSON("step", "result", st.Result),
			CheckJSON("step", "options", st.Options), CheckJSON("step", "attempt_log", st.AttemptLog)); err != nil {
			return err
		}
	}
	return nil
}

// CheckDeliveries checks deliveries before they are recorded.
func CheckDeliveries(ds []Delivery) error {
	for _, d := range ds {
		if d.EventID == "" || d.Workflow == "" || d.Status == "" {
			return errors.New("store: a delivery needs an event id, a workflow and a status")
		}
		if err := CheckJSON("delivery", "error", d.Error); err != nil {
			return err
		}
	}
	return nil
}

// EncodeObjects checks and encodes objects to save, with their keys sorted.
// The texts stay valid until Release (see ObjectTexts).
//
// Objects are written by go-json-experiment/json (Go's json v2, already in
// the build through the language server's JSON-RPC): for the plain maps of a
// Persona object it allocates about a seventeenth of what encoding/json does
// and runs four times faster (a hand-written walk over jsontext tokens
// measured worse than both).
func EncodeObjects(objs []Object) (*ObjectTexts, error) {
	t := objectTextsPool.Get().(*ObjectTexts)
	for _, o := range objs {
		if o.Kind == "" || o.ID == "" {
			t.Release()
			return nil, errors.New("store: object needs a kind and an id")
		}
		if o.JSON != "" {
			// json.Valid only reads the text: no copy into a []byte.
			if !strings.HasPrefix(o.JSON, "{") || !json.Valid(unsafe.Slice(unsafe.StringData(o.JSON), len(o.JSON))) {
				t.Release()
				return nil, fmt.Errorf("store: %s %q: the object's JSON is not a JSON object", o.Kind, o.ID)
			}
			t.Data = append(t.Data, o.JSON)
			continue
		}
		w := objectWriters.Get().(*objectWriter)
		t.lent = append(t.lent, w)
		data, err := w.encode(o.Data)
		if err != nil {
			t.Release()
			return nil, fmt.Errorf("store: %s %q: %w", o.Kind, o.ID, err)
		}
		t.Data = append(t.Data, unsafe.String(unsafe.SliceData(data), len(data)))
	}
	return t, nil
}

// ObjectTexts are the JSON texts of objects encoded for one write, in the order given.
// A text EncodeObjects wrote lives in a pooled buffer until Release: the write must be
// done with it by then (drivers copy what they bind before a statement returns), which
// spares a copy of every object saved.
type ObjectTexts struct {
	Data []string
	lent []*objectWriter
}

var objectTextsPool = sync.Pool{New: func() any { return new(ObjectTexts) }}

// Release gives the buffers back; the texts must not be used after it.
func (t *ObjectTexts) Release() {
	if t == nil {
		return
	}
	for _, w := range t.lent {
		if w.buf.Cap() <= 1<<20 { // a rare huge object's buffer is not kept
			objectWriters.Put(w)
		}
	}
	clear(t.lent)
	clear(t.Data)
	t.lent, t.Data = t.lent[:0], t.Data[:0]
	objectTextsPool.Put(t)
}

// objectWriter writes an object's JSON by tokens, walking the maps, lists
// and scalars a decoded object holds without reflection; it writes exactly
// what jsonv2.Marshal with objectEncoding writes (keys sorted bytewise,
// numbers in the same form, NaN and infinities refused), which
// TestEncodeObjectMatchesMarshal holds it to. Any other Go type is handed to
// jsonv2.Marshal. Writers are pooled: their buffer and key scratch are
// reused.
type objectWriter struct {
	buf  bytes.Buffer
	enc  *jsontext.Encoder
	keys []string
}

var objectWriters = sync.Pool{New: func() any {
	w := &objectWriter{}
	w.enc = jsontext.NewEncoder(&w.buf, jsontext.AllowInvalidUTF8(true))
	return w
}}

// encodeObject encodes one object into a string of its own.
func encodeObject(data map[string]any) (string, error) {
	w := objectWriters.Get().(*objectWriter)
	defer func() {
		if w.buf.Cap() <= 1<<20 { // a rare huge object's buffer is not kept
			objectWriters.Put(w)
		}
	}()
	b, err := w.encode(data)
	return string(b), err
}

// encode writes data into the writer's buffer and returns the text, valid until the
// writer's next use.
func (w *objectWriter) encode(data map[string]any) ([]byte, error) {
	w.buf.Reset()
	clear(w.keys)
	w.keys = w.keys[:0] // an encoding that failed may have left keys behind
	w.enc.Reset(&w.buf, jsontext.AllowInvalidUTF8(true))
	if err := w.value(data); err != nil {
		return nil, err
	}
	// The encoder ends each top-level value with a newline; Marshal does not.
	return bytes.TrimSuffix(w.buf.Bytes(), []byte{'\n'}), nil
}

func (w *objectWriter) value(v any) error {
	switch v := v.(type) {
	case nil:
		return w.enc.WriteToken(jsontext.Null)
	case string:
		return w.enc.WriteToken(jsontext.String(v))
	case bool:
		return w.enc.WriteToken(jsontext.Bool(v))
	case int64:
		return w.enc.WriteToken(jsontext.Int(v))
	case int:
		return w.enc.WriteToken(jsontext.Int(int64(v)))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("cannot encode %v as JSON", v)
		}
		return w.enc.WriteToken(jsontext.Float(v))
	case map[string]any:
		if err := w.enc.WriteToken(jsontext.BeginObject); err != nil {
			return err
		}
		// The keys of this map sit at the end of the scratch slice while
		// its members (which may be maps) use the space after them.
		start := len(w.keys)
		for k := range v {
			w.keys = append(w.keys, k)
		}
		keys := w.keys[start:]
		slices.Sort(keys)
		for _, k := range keys {
			if err := w.enc.WriteToken(jsontext.String(k)); err != nil {
				return err
			}
			if err := w.value(v[k]); err != nil {
				return err
			}
		}
		clear(w.keys[start:])
		w.keys = w.keys[:start]
		return w.enc.WriteToken(jsontext.EndObject)
	case []any:
		if err := w.enc.WriteToken(jsontext.BeginArray); err != nil {
			return err
		}
		for _, x := range v {
			if err := w.value(x); err != nil {
				return err
			}
		}
		return w.enc.WriteToken(jsontext.EndArray)
	}
	raw, err := jsonv2.Marshal(v, objectEncoding...)
	if err != nil {
		return err
	}
	return w.enc.WriteValue(raw)
}

// DecodeObject decodes a stored object; JSON numbers come back as int64 when they are
// integral and fit, as float64 otherwise. It reads tokens, without reflection (see
// internal/jsonvalue).
func DecodeObject(kind, id string, data []byte) (map[string]any, error) {
	v, err := jsonvalue.Decode(data, storedNumber, maxObjectDepth)
	if errors.Is(err, jsonvalue.ErrTrailing) {
		err = errors.New("more than one value")
	}
	obj, isObj := v.(map[string]any)
	if err == nil && !isObj {
		err = errors.New("not an object")
	}
	if err != nil {
		return nil, fmt.Errorf("store: %s %q: %w", kind, id, err)
	}
	return obj, nil
}

// maxObjectDepth bounds the nesting DecodeObject follows.
const maxObjectDepth = 10_000

func storedNumber(text string) (any, error) { return numberValue(json.Number(text)), nil }

// numberValue is int64 for integral numbers in range (including 1e3 and 2.0), float64 otherwise.
func numberValue(n json.Number) any {
	if i, err := n.Int64(); err == nil {
		return i
	}
	f, err := n.Float64()
	if err != nil {
		return f // out of float64 range: ±Inf, as encoding/json would fail anyway
	}
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return int64(f)
	}
	return f
}

// ItemData encodes an item's data as JSON TEXT, or NULL when it has none.
func ItemData(data map[string]string) (any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(data)
	return string(b), err
}

// ItemID is the ID of an item stored without one: its never-reused sequence number.
func ItemID(seq int64) string { return "li_" + strconv.FormatInt(seq, 10) }

// ItemSeq is the sequence number of an item ID made by ItemID.
func ItemSeq(id string) (int64, error) {
	n, ok := strings.CutPrefix(id, "li_")
	if !ok {
		return 0, fmt.Errorf("store: %q is not an item id of a sequence number", id)
	}
	return strconv.ParseInt(n, 10, 64)
}

// DecodeItemData decodes the data of the List item value stored as JSON text.
func DecodeItemData(value, data string) (map[string]string, error) {
	var out map[string]string
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("store: list item %q data: %w", value, err)
	}
	return out, nil
}
