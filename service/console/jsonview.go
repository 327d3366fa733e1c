package console

import (
	"bytes"
	"encoding/json"
	"html"
	"html/template"
	"strconv"
	"strings"
)

// The JSON viewer: a value rendered as nested <details> elements (objects
// and arrays fold and unfold without any script), keys in the order the
// JSON has them, every string escaped. A document too large to lay out is
// shown as escaped text.

const (
	maxViewBytes = 256 << 10 // larger documents are shown as text
	openDepth    = 2         // levels unfolded at first
	maxInline    = 4         // a container this small or smaller stays open
)

// jsonHTML renders raw JSON for a page.
func jsonHTML(raw json.RawMessage) template.HTML {
	if len(bytes.TrimSpace(raw)) == 0 {
		return template.HTML(`<span class="j-null">—</span>`)
	}
	if len(raw) > maxViewBytes {
		return template.HTML(`<pre class="json-raw">` + html.EscapeString(string(raw)) + `</pre>`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	b.WriteString(`<div class="json">`)
	if err := writeJSONValue(&b, dec, 0); err != nil {
		return template.HTML(`<pre class="json-raw">` + html.EscapeString(string(raw)) + `</pre>`)
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String()) //nolint:gosec // every piece of text above is escaped
}

// writeJSONValue writes the next value of dec.
func writeJSONValue(b *strings.Builder, dec *json.Decoder, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return writeContainer(b, dec, t, depth)
	case string:
		b.WriteString(`<span class="j-str">"` + html.EscapeString(t) + `"</span>`)
	case json.Number:
		b.WriteString(`<span class="j-num">` + html.EscapeString(t.String()) + `</span>`)
	case bool:
		b.WriteString(`<span class="j-bool">` + strconv.FormatBool(t) + `</span>`)
	case nil:
		b.WriteString(`<span class="j-null">null</span>`)
	}
	return nil
}

// writeContainer writes an object or array whose opening delimiter was
// read. Its children are rendered first, so the summary can count them.
func writeContainer(b *strings.Builder, dec *json.Decoder, open json.Delim, depth int) error {
	var inner strings.Builder
	n := 0
	for dec.More() {
		inner.WriteString(`<li>`)
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			inner.WriteString(`<span class="j-key">` + html.EscapeString(key) + `</span>: `)
		}
		if err := writeJSONValue(&inner, dec, depth+1); err != nil {
			return err
		}
		inner.WriteString(`</li>`)
		n++
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return err
	}
	closeCh, what := "]", "item"
	if open == '{' {
		closeCh, what = "}", "key"
	}
	if n == 0 {
		b.WriteString(`<span class="j-empty">` + string(open) + closeCh + `</span>`)
		return nil
	}
	attr := ""
	if depth < openDepth || n <= maxInline {
		attr = " open"
	}
	label := strconv.Itoa(n) + " " + what
	if n != 1 {
		label += "s"
	}
	b.WriteString(`<details` + attr + `><summary>` + string(open) + ` <span class="j-count">` + label +
		`</span></summary><ul>` + inner.String() + `</ul>` + closeCh + `</details>`)
	return nil
}
