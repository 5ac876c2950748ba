package people

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/invitedhq/invited/internal/apperr"
)

// Import limits. The body limit (10 MiB) is the HTTP layer's.
const MaxImportRows = 50_000

// ImportColumns are the columns an import file may have; email is required.
var ImportColumns = []string{"email", "first_name", "last_name", "role", "locale"}

// ImportRow is one person of an import file.
type ImportRow struct {
	// Row is the CSV line number (the header is line 1) or the 1-based
	// index in a JSON array.
	Row       int    `json:"-"`
	Email     string `json:"email"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Role      string `json:"role,omitempty"`
	// Locale is the user's language; empty is the organization's default.
	Locale string `json:"locale,omitempty"`

	// problems are what the parser already found wrong with the row.
	problems []apperr.FieldError
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// ParseImportCSV reads an import file in CSV: a header row naming the
// columns in any order, then one person per line. Quoted fields, CRLF or LF
// line ends and a UTF-8 byte order mark are accepted; blank lines are
// ignored. Unknown columns, a missing email column, malformed CSV and more
// than MaxImportRows people fail the whole file; problems of single rows are
// kept for the per-row report.
func ParseImportCSV(r io.Reader) ([]ImportRow, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // a short or long row is that row's problem, not the file's
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalid(apperr.Field("file", "empty", "the file is empty; it needs a header row such as %s", strings.Join(ImportColumns, ",")))
	}
	if err != nil {
		return nil, csvError(err)
	}
	cols, err := importHeader(header)
	if err != nil {
		return nil, err
	}
	var rows []ImportRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		if blank(rec) {
			continue
		}
		if len(rows) == MaxImportRows {
			return nil, tooManyRows()
		}
		line, _ := cr.FieldPos(0)
		rows = append(rows, csvRow(line, cols, rec))
	}
	return rows, nil
}

// importHeader maps each column of the header to its field name.
func importHeader(header []string) ([]string, error) {
	cols := make([]string, len(header))
	var errs []apperr.FieldError
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(ImportColumns, name):
			errs = append(errs, apperr.Field("file", "unknown_column", "column %q is not one of %s", h, strings.Join(ImportColumns, ", ")))
		case slices.Contains(cols, name):
			errs = append(errs, apperr.Field("file", "duplicate_column", "column %q appears twice", name))
		}
		cols[i] = name
	}
	if !slices.Contains(cols, "email") && len(errs) == 0 {
		errs = append(errs, apperr.Field("file", "missing_column", "the header row must name an email column; columns allowed: %s", strings.Join(ImportColumns, ", ")))
	}
	if len(errs) > 0 {
		return nil, apperr.Invalid(errs...)
	}
	return cols, nil
}

func csvRow(line int, cols, rec []string) ImportRow {
	row := ImportRow{Row: line}
	if len(rec) != len(cols) {
		row.problems = append(row.problems, apperr.Field("row", "field_count", "line %d has %d fields, the header has %d", line, len(rec), len(cols)))
	}
	for i, v := range rec {
		if i >= len(cols) {
			break
		}
		if !utf8.ValidString(v) {
			row.problems = append(row.problems, apperr.Field(cols[i], "invalid_encoding", "%s is not valid UTF-8; save the file as UTF-8", cols[i]))
			v = ""
		}
		switch cols[i] {
		case "email":
			row.Email = v
		case "first_name":
			row.FirstName = v
		case "last_name":
			row.LastName = v
		case "role":
			row.Role = v
		case "locale":
			row.Locale = strings.TrimSpace(v)
		}
	}
	return row
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Invalid(apperr.Field("file", "malformed_csv", "the file is not valid CSV: line %d, column %d: %v", pe.Line, pe.Column, pe.Err))
	}
	return apperr.Invalid(apperr.Field("file", "unreadable", "the file could not be read"))
}

func tooManyRows() error {
	return apperr.Invalid(apperr.Field("file", "too_many_rows", "an import holds at most %d rows; split the file", MaxImportRows))
}

// ImportJSON is the JSON form of an import: the people, and optionally the
// options that may also come as query parameters.
type ImportJSON struct {
	Users       []ImportRow
	SendInvites *bool
	DryRun      *bool
}

// ParseImportJSON reads an import given as a JSON array of people objects,
// or as an object {"users": [...], "send_invites": bool, "dry_run": bool}.
// Unknown keys are refused by name, like unknown CSV columns.
func ParseImportJSON(body []byte) (ImportJSON, error) {
	var out ImportJSON
	var elems []json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var obj struct {
			Users       []json.RawMessage `json:"users"`
			SendInvites *bool             `json:"send_invites"`
			DryRun      *bool             `json:"dry_run"`
		}
		if err := strictJSON(trimmed, &obj); err != nil {
			return out, err
		}
		if obj.Users == nil {
			return out, apperr.Invalid(apperr.Field("users", "required", "users must be an array of people"))
		}
		elems, out.SendInvites, out.DryRun = obj.Users, obj.SendInvites, obj.DryRun
	} else if err := strictJSON(trimmed, &elems); err != nil {
		return out, err
	}
	if len(elems) > MaxImportRows {
		return out, tooManyRows()
	}
	out.Users = make([]ImportRow, len(elems))
	for i, raw := range elems {
		if err := strictJSON(raw, &out.Users[i]); err != nil {
			ae := apperr.As(err)
			for j := range ae.Fields {
				ae.Fields[j].Field = fmt.Sprintf("users[%d].%s", i, ae.Fields[j].Field)
				ae.Fields[j].Message = fmt.Sprintf("row %d: %s", i+1, ae.Fields[j].Message)
			}
			ae.Message = fmt.Sprintf("Row %d: %s", i+1, ae.Message)
			return out, ae
		}
		out.Users[i].Row = i + 1
	}
	return out, nil
}

// strictJSON decodes one JSON value, refusing unknown fields by name.
func strictJSON(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, tail := dec.Token(); !errors.Is(tail, io.EOF) {
			return apperr.New(apperr.InvalidRequest, "The request body must hold exactly one JSON value.")
		}
		return nil
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return apperr.Invalid(apperr.Field(typ.Field, "invalid_type", "%s has the wrong type (%s expected)", typ.Field, typ.Type.Kind()))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field = strings.Trim(field, `"`)
		return apperr.Invalid(apperr.Field(field, "unknown_field", "%s is not a column of an import; allowed: %s", field, strings.Join(ImportColumns, ", ")))
	}
	return apperr.New(apperr.InvalidRequest, "The body is not a JSON array of people: %v.", err)
}
