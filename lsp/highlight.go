package lsp

// Highlighting outside an editor (the web console's source views): the
// scanner's tokens, classified as the semantic tokens classify them when no
// checked program is at hand.

// Highlight is one coloured span of WF source: bytes [Start, End) are a
// Kind: "keyword", "string", "number" or "comment". Text between spans is
// plain.
type Highlight struct {
	Start, End int
	Kind       string
}

// Highlights splits src into the spans to colour, in order. Each string
// (its quotes, text and escapes) is one span; the code inside its ${…}
// interpolations gets spans of its own.
func Highlights(src string) []Highlight {
	var out []Highlight
	var prev token
	for _, t := range scan(src, len(src)).toks {
		afterDot := prev.kind == tkPunct && (prev.val == "." || prev.val == "?.")
		if t.code() {
			prev = t
		}
		kind := ""
		switch t.kind {
		case tkIdent:
			if !afterDot && (t.isKeyword() || clauseWords[t.val]) {
				kind = "keyword"
			}
		case tkString, tkRaw, tkStrStart, tkStrText, tkStrEnd:
			kind = "string"
		case tkNumber:
			kind = "number"
		case tkComment:
			kind = "comment"
		}
		if kind == "" {
			continue
		}
		if n := len(out); n > 0 && kind == "string" && out[n-1].Kind == "string" && out[n-1].End == t.start {
			out[n-1].End = t.end
			continue
		}
		out = append(out, Highlight{Start: t.start, End: t.end, Kind: kind})
	}
	return out
}
