package people

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/input"
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
		if fe := input.Text(cols[i], v); fe != nil {
			if fe.Code == input.CodeInvalidEncoding {
				fe.Message = cols[i] + " is not valid UTF-8; save the file as UTF-8"
			}
			row.problems = append(row.problems, *fe)
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
// or as an object {"users": [...], "send_invites": bool, "dry_run": bool},
// through the service's one strict decoder: unknown keys are refused by
// name, like unknown CSV columns, and so is text that is not text.
func ParseImportJSON(body []byte) (ImportJSON, error) {
	var out ImportJSON
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' {
		var obj struct {
			Users       []ImportRow `json:"users"`
			SendInvites *bool       `json:"send_invites"`
			DryRun      *bool       `json:"dry_run"`
		}
		if err := input.DecodeJSON(body, &obj); err != nil {
			return out, err
		}
		if obj.Users == nil {
			return out, apperr.Invalid(apperr.Field("users", "required", "users must be an array of people"))
		}
		out = ImportJSON{Users: obj.Users, SendInvites: obj.SendInvites, DryRun: obj.DryRun}
	} else if err := input.DecodeJSON(body, &out.Users); err != nil {
		// A bare array's members are named as they would be in the object form.
		ae := apperr.As(err)
		for i, fe := range ae.Fields {
			if strings.HasPrefix(fe.Field, "[") {
				ae.Fields[i].Field = "users" + fe.Field
			}
		}
		return out, ae
	}
	if len(out.Users) > MaxImportRows {
		return out, tooManyRows()
	}
	for i := range out.Users {
		out.Users[i].Row = i + 1
	}
	return out, nil
}
