package interp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"
)

// FromGo converts plain Go data (as decoded from JSON or returned by a
// library: nil, bool, ints, floats, json.Number, string, []any,
// map[string]any, time values) into a Value. Integral JSON numbers become
// ints. Map keys are sorted, since Go maps have no order.
func FromGo(x any) Value {
	switch x := x.(type) {
	case nil, bool, int64, float64, string, time.Duration, time.Time, *List, *Map:
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]Value, len(x))
		for i, e := range x {
			out[i] = FromGo(e)
		}
		return NewList(out)
	case []string:
		out := make([]Value, len(x))
		for i, e := range x {
			out[i] = e
		}
		return NewList(out)
	case map[string]any:
		var buf [32]string
		m := NewMap(len(x))
		for _, k := range sortedGoKeys(buf[:0], x) {
			m.Set(k, FromGo(x[k]))
		}
		return m
	case map[string]string:
		var buf [32]string
		m := NewMap(len(x))
		for _, k := range sortedGoKeys(buf[:0], x) {
			m.Set(k, x[k])
		}
		return m
	case Callable, Handle:
		return x
	}
	return fmt.Sprint(x)
}

// sortedGoKeys appends m's keys to keys (a caller's buffer, so that a map of
// a few dozen keys costs no allocation) and sorts them.
func sortedGoKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ToGo converts a Value to plain Go data for libraries and JSON: lists
// become []any, maps map[string]any, durations their WF text, times
// RFC 3339 strings, secrets their marker (Reveal a value first where its
// text is needed).
func ToGo(v Value) any {
	switch v := v.(type) {
	case *List:
		out := make([]any, len(v.Elems))
		for i, e := range v.Elems {
			out[i] = ToGo(e)
		}
		return out
	case *Map:
		out := make(map[string]any, v.Len())
		for i, k := range v.keys {
			out[k] = ToGo(v.vals[i])
		}
		return out
	case time.Duration:
		return FormatDuration(v)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case *Secret:
		return v.String()
	case Callable:
		return "<function " + v.Name() + ">"
	case Handle:
		return "<" + v.TypeName() + ">"
	}
	return v
}

// MaxJSONOutput bounds what MarshalJSON writes: a value whose JSON would
// be longer fails to encode instead of growing without end (a list built
// by sharing, x = [x, x], is small in memory and enormous as text).
const MaxJSONOutput = 128 << 20

// MarshalJSON encodes a value as JSON, keeping map order, in at most
// MaxJSONOutput bytes. It is the encoding of records: a secret is written
// as its marker, and a float JSON cannot hold (NaN, ±Inf) as a string
// ("+Inf") rather than losing the whole record.
func MarshalJSON(v Value) ([]byte, error) {
	return encodeJSON(v, MaxJSONOutput, false, true)
}

// MarshalJSONLimit encodes a value as JSON, keeping map order, and fails
// with a limit error as soon as the text would be longer than max bytes.
func MarshalJSONLimit(v Value, max int) ([]byte, error) { return marshalJSON(v, max, false) }

// marshalJSON encodes v in at most max bytes, writing secrets' texts when
// reveal is set and their markers otherwise.
func marshalJSON(v Value, max int, reveal bool) ([]byte, error) {
	return encodeJSON(v, max, reveal, false)
}

// encoders keeps jsonEncoders with their buffers: a value is written into a
// buffer that has grown before, and copied out once at its final size.
var encoders = sync.Pool{New: func() any { return new(jsonEncoder) }}

// maxPooledJSON is the largest buffer an encoder keeps in the pool.
const maxPooledJSON = 64 << 10

func encodeJSON(v Value, max int, reveal, record bool) ([]byte, error) {
	e := encoders.Get().(*jsonEncoder)
	e.b.Reset()
	e.max, e.reveal, e.record = max, reveal, record
	out, err := e.encode(v)
	if err == nil {
		out = bytes.Clone(out)
	}
	if e.b.Cap() <= maxPooledJSON {
		encoders.Put(e)
	}
	return out, err
}

func (e *jsonEncoder) encode(v Value) ([]byte, error) {
	max := e.max
	// Measure over-counts no value more than eightfold (a one-digit
	// number counts 8): beyond that the text cannot fit, and a structure
	// built by sharing is refused without writing it out.
	size, depth := Measure(v)
	if depth > maxJSONDepth {
		return nil, errorf(KindLimit, "the value is nested more than %d levels deep to write as text", maxJSONDepth)
	}
	if size/8 > int64(max) {
		return nil, e.tooLarge()
	}
	if err := e.write(v, 0); err != nil {
		return nil, err
	}
	return e.b.Bytes(), nil
}

const maxJSONDepth = 200

type jsonEncoder struct {
	b   bytes.Buffer
	max int
	// reveal writes a secret's text instead of its marker (for text a
	// script computes, which is then a secret itself).
	reveal bool
	// record writes a float JSON cannot hold (NaN, ±Inf) as a string
	// instead of failing: a record must not be lost for one number.
	record bool
}

func (e *jsonEncoder) full() error {
	if e.b.Len() > e.max {
		return e.tooLarge()
	}
	return nil
}

func (e *jsonEncoder) tooLarge() error {
	return errorf(KindLimit, "the value is too large to write as text (over %s)", byteCount(int64(e.max)))
}

func (e *jsonEncoder) write(v Value, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("value is nested too deeply to encode")
	}
	b := &e.b
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if !e.record {
				return fmt.Errorf("cannot encode %v as JSON", v)
			}
			writeJSONString(b, FormatFloat(v)) // a record keeps the rest of the value
			break
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case string:
		writeJSONString(b, v)
	case *Secret:
		if e.reveal {
			writeJSONString(b, v.text)
		} else {
			writeJSONString(b, v.String())
		}
	case *List:
		b.WriteByte('[')
		for i, x := range v.Elems {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := e.write(x, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if err := e.write(v.vals[i], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		writeJSONString(b, ToGo(v).(string))
	}
	return e.full()
}

// writeJSONString writes s as a JSON string, as encoding/json does but
// without escaping <, > and & (records are not HTML). Printable ASCII
// without quotes or backslashes, most of what records hold, is written as
// it is.
func writeJSONString(b *bytes.Buffer, s string) {
	if plainJSON(s) {
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	enc, _ := json.Marshal(s)
	// json.Marshal escapes <, > and & for HTML; records are not HTML.
	enc = bytes.ReplaceAll(enc, []byte(`\u003c`), []byte("<"))
	enc = bytes.ReplaceAll(enc, []byte(`\u003e`), []byte(">"))
	enc = bytes.ReplaceAll(enc, []byte(`\u0026`), []byte("&"))
	b.Write(enc)
}

// plainJSON reports whether s needs no escaping in JSON.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// MaxJSONInput caps the JSON a single decode accepts.
const MaxJSONInput = 16 << 20

// ParseJSON decodes JSON into a Value, keeping the order of object keys and
// turning integral numbers into ints. A leading byte order mark is skipped;
// a number beyond a float's range is an error.
func ParseJSON(data []byte) (Value, error) {
	if len(data) > MaxJSONInput {
		return nil, fmt.Errorf("JSON input is too large (%d bytes; the limit is %d)", len(data), MaxJSONInput)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a byte order mark is not JSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeJSON(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: unexpected data after the value")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder, depth int) (Value, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("invalid JSON: nested more than %d levels", maxJSONDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonErr(dec, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			var elems []Value
			for dec.More() {
				e, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				elems = append(elems, e)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(dec, err)
			}
			if elems == nil {
				elems = []Value{}
			}
			return NewList(elems), nil
		case '{':
			m := NewMap(8)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonErr(dec, err)
				}
				v, err := decodeJSON(dec, depth+1)
				if err != nil {
					return nil, err
				}
				m.Set(kt.(string), v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonErr(dec, err)
			}
			return m, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %v", t)
	case json.Number:
		return jsonNumber(t)
	default:
		return t, nil
	}
}

// jsonNumber converts a JSON number: an int when it is integral and fits,
// else a float. A number no float can hold (1e400) is an error: it would
// become +Inf, which JSON cannot write back, and the record holding it
// would be lost.
func jsonNumber(n json.Number) (Value, error) {
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: the number %.40s is out of range (numbers are 64-bit floats, at most about 1.8e308)", n.String())
	}
	return f, nil
}

func jsonErr(dec *json.Decoder, err error) error {
	if err == io.EOF {
		return fmt.Errorf("invalid JSON: unexpected end of input")
	}
	return fmt.Errorf("invalid JSON at byte %d: %v", dec.InputOffset(), err)
}
