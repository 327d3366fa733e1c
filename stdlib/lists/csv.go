package lists

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// CSV import limits.
const (
	// MaxCSVBytes caps the size of a CSV import.
	MaxCSVBytes = 50 << 20
	// MaxCSVRows caps the number of rows of a CSV import.
	MaxCSVRows = 1_000_000
	// maxCSVErrors caps the row errors reported one by one.
	maxCSVErrors = 50
)

// RowError is a bad row of a CSV import.
type RowError struct {
	Line int // 1-based line number
	Err  error
}

// Error formats the error as `line 7: reason`.
func (e *RowError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }

// CSVError lists the bad rows of a CSV import, up to 50, and how many more
// there were.
type CSVError struct {
	Rows []*RowError
	More int
}

// Error lists one bad row per line, then "and N more" if some were left out.
func (e *CSVError) Error() string {
	lines := make([]string, 0, len(e.Rows)+1)
	for _, r := range e.Rows {
		lines = append(lines, r.Error())
	}
	if e.More > 0 {
		lines = append(lines, fmt.Sprintf("and %d more", e.More))
	}
	return strings.Join(lines, "\n")
}

// add records a bad row, counting those past the cap.
func (e *CSVError) add(line int, err error) {
	if len(e.Rows) < maxCSVErrors {
		e.Rows = append(e.Rows, &RowError{Line: line, Err: err})
		return
	}
	e.More++
}

// CSVColumns returns the columns of a kind's CSV file in their default
// order, as in Persona's importer: email `value,match_type`, geolocation
// `latitude,longitude,radius_meters`, government ID `id_number,id_class`,
// name `name_first,name_last`, every other kind `value`.
func CSVColumns(kind Kind) []string {
	switch kind {
	case KindEmailAddress:
		return []string{"value", AttrMatchType}
	case KindGeolocation:
		return []string{AttrLatitude, AttrLongitude, AttrRadiusMeters}
	case KindGovernmentIDNumber:
		return []string{"id_number", AttrIDClass}
	case KindName:
		return []string{AttrNameFirst, AttrNameLast}
	}
	return []string{"value"}
}

// csvAliases maps other header names to a kind's value column.
func csvAliases(kind Kind) map[string]string {
	switch kind {
	case KindName:
		return map[string]string{"name": "value", "full_name": "value"}
	case KindCountry:
		return map[string]string{"country_code": "value", "country": "value"}
	case KindGovernmentIDNumber:
		return map[string]string{"value": "id_number"}
	}
	return nil
}

// ParseCSV reads a kind's items from CSV (see CSVColumns). A first row made
// only of known column names is a header, and then columns may come in any
// order; otherwise columns are positional. Blank rows are skipped and a
// Value repeated in the file is kept once. If any row is bad, ParseCSV
// returns no items and a *CSVError naming every bad row's line.
func ParseCSV(kind Kind, r io.Reader) ([]Item, error) {
	var items []Item
	seen := map[string]bool{}
	err := scanCSV(kind, r, defaultCSVLimits, func(it Item) error {
		if !seen[it.Value] {
			seen[it.Value] = true
			items = append(items, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return items, nil
}

// csvLimits are the caps scanCSV enforces (smaller in tests).
type csvLimits struct {
	bytes int64
	rows  int // data rows: a header and blank rows do not count
}

var defaultCSVLimits = csvLimits{bytes: MaxCSVBytes, rows: MaxCSVRows}

// scanCSV reads a kind's items from CSV, as ParseCSV does, and hands each
// to emit (nil: only check) in file order, as it reads them, while no row
// has been bad; it returns a *CSVError naming every bad row. Its memory does
// not grow with the input.
func scanCSV(kind Kind, r io.Reader, lim csvLimits, emit func(Item) error) error {
	if !kind.Valid() {
		return fmt.Errorf("invalid list kind %d", uint8(kind))
	}
	lr := &io.LimitedReader{R: r, N: lim.bytes + 1}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	p := &csvParser{kind: kind, cols: CSVColumns(kind), errs: &CSVError{}, emit: emit}
	for first, rows := true, 0; ; first = false {
		rec, err := cr.Read()
		if lr.N <= 0 {
			return fmt.Errorf("csv input exceeds %s", formatBytes(lim.bytes))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			p.syntaxError(err)
			break
		}
		line, _ := cr.FieldPos(0)
		if first && p.header(rec) {
			continue
		}
		data, err := p.row(line, rec)
		if err != nil {
			return err
		}
		if data {
			if rows++; rows > lim.rows {
				return fmt.Errorf("csv input has more than %d rows", lim.rows)
			}
		}
	}
	if len(p.errs.Rows) > 0 {
		return p.errs
	}
	return nil
}

// formatBytes writes a size in whole MB when it is one, else in bytes.
func formatBytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// csvParser holds scanCSV's state.
type csvParser struct {
	kind Kind
	cols []string // column name by position
	errs *CSVError
	emit func(Item) error
}

// syntaxError records a CSV syntax error with its line.
func (p *csvParser) syntaxError(err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		p.errs.add(pe.Line, fmt.Errorf("csv syntax: %v", pe.Err))
		return
	}
	p.errs.add(0, err)
}

// header adopts rec as the header if every cell names a known column.
func (p *csvParser) header(rec []string) bool {
	known, aliases := p.cols, csvAliases(p.kind)
	cols := make([]string, len(rec))
	for i, cell := range rec {
		name := normalizeHeader(cell)
		if a, ok := aliases[name]; ok {
			name = a
		}
		if !slices.Contains(known, name) && name != "value" {
			return false
		}
		cols[i] = name
	}
	p.cols = cols
	return true
}

// normalizeHeader lower-cases a header cell and writes "-" and " " as "_".
func normalizeHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.NewReplacer("-", "_", " ", "_").Replace(s)
}

// row turns one record into an item, hands it to emit, or records why it
// cannot; data reports whether the row was a data row (not blank).
func (p *csvParser) row(line int, rec []string) (data bool, err error) {
	for len(rec) > len(p.cols) && strings.TrimSpace(rec[len(rec)-1]) == "" {
		rec = rec[:len(rec)-1] // spreadsheets pad rows with empty cells
	}
	if len(rec) > len(p.cols) {
		p.errs.add(line, fmt.Errorf("too many columns (%d, want at most %d: %s)", len(rec), len(p.cols), strings.Join(p.cols, ",")))
		return true, nil
	}
	raw, attrs, empty := p.fields(rec)
	if empty {
		return false, nil
	}
	it, err := NewItem(p.kind, raw, attrs)
	if err != nil {
		p.errs.add(line, err)
		return true, nil
	}
	if p.emit != nil && len(p.errs.Rows) == 0 {
		return true, p.emit(it)
	}
	return true, nil
}

// fields splits a record into the raw value and the attributes, reporting
// a row whose cells are all blank.
func (p *csvParser) fields(rec []string) (raw string, data map[string]string, empty bool) {
	empty = true
	for i, cell := range rec {
		cell = strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
		if cell == "" {
			continue
		}
		empty = false
		switch col := p.cols[i]; col {
		case "value", "id_number":
			raw = cell
		default:
			if data == nil {
				data = map[string]string{}
			}
			data[col] = cell
		}
	}
	return raw, data, empty
}
