package persona

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/wf-lang/wf/internal/jsonvalue"
)

// MaxBodySize is the largest JSON document (webhook body, fixture or API
// response) this package reads, in bytes.
const MaxBodySize = 5 << 20

// MaxDepth is the deepest nesting of JSON arrays and objects this package
// accepts.
const MaxDepth = 64

// maxExactFloat is 2^53: floats below it in magnitude hold integers exactly.
const maxExactFloat = 1 << 53

// DecodeJSON reads one JSON value of at most MaxBodySize bytes and MaxDepth
// levels from r and returns it as plain Go values: nil, bool, int64 (for
// integral numbers that fit), float64, string, []any and map[string]any.
// Trailing data after the value is an error.
func DecodeJSON(r io.Reader) (any, error) {
	data, err := readCapped(r, MaxBodySize)
	if err != nil {
		return nil, err
	}
	return decodeJSONBytes(data)
}

// readCapped reads all of r, failing when it holds more than limit bytes.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read json: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("json body is larger than %d bytes", limit)
	}
	return data, nil
}

// decodeJSONBytes decodes one JSON value from data with the number rules of
// DecodeJSON.
func decodeJSONBytes(data []byte) (any, error) {
	data = trimBOM(data)
	if err := checkDepth(data, MaxDepth); err != nil {
		return nil, err
	}
	// Read from tokens without reflection (a webhook's body is decoded on the service's
	// hot path); checkDepth has bounded the nesting already.
	v, err := jsonvalue.Decode(data, jsonNumber, MaxDepth+1)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, io.EOF):
		return nil, errors.New("invalid json: empty body")
	case errors.Is(err, jsonvalue.ErrTrailing):
		return nil, errors.New("invalid json: data after the top-level value")
	}
	var ne numberError
	if errors.As(err, &ne) {
		return nil, ne.err
	}
	return nil, fmt.Errorf("invalid json: %w", err)
}

// numberError carries numberValue's error through the decoder.
type numberError struct{ err error }

func (e numberError) Error() string { return e.err.Error() }

func jsonNumber(text string) (any, error) {
	v, err := numberValue(json.Number(text))
	if err != nil {
		return nil, numberError{err}
	}
	return v, nil
}

// checkDepth rejects documents nested deeper than limit before they are
// decoded, so a hostile body cannot drive deep recursion later on.
func checkDepth(data []byte, limit int) error {
	depth, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && b == '\\':
			escaped = true
		case b == '"':
			inString = !inString
		case inString:
		case b == '[' || b == '{':
			depth++
			if depth > limit {
				return fmt.Errorf("invalid json: nested deeper than %d levels", limit)
			}
		case b == ']' || b == '}':
			depth--
		}
	}
	return nil
}

// numberValue is n as an int64 when it is integral and fits exactly, else as
// a float64.
func numberValue(n json.Number) (any, error) {
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, fmt.Errorf("invalid json: number %.40s is out of range", string(n))
	}
	if f == math.Trunc(f) && math.Abs(f) < maxExactFloat {
		return int64(f), nil
	}
	return f, nil
}

// typeName is the JSON name of a plain value's type, for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, float64, int, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
