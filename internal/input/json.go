package input

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/invitedhq/invited/internal/apperr"
)

// DecodeJSON decodes one JSON value into dst strictly, and says where any
// problem is. It refuses:
//   - anything but exactly one JSON value, and a top-level value whose kind
//     is not dst's (an object for a struct or map, an array for a slice), so
//     that null, a number or an array never pass for an empty object;
//   - invalid UTF-8 and lone surrogate escapes (\ud800), and NUL characters,
//     in any string, names included (see Text);
//   - a member name given twice, and a name dst does not have (names match
//     exactly, as the contract spells them);
//   - a value of the wrong type.
//
// Field errors name the member as "filter.q" or "users[3].email".
//
// It is built on encoding/json/v2 (through its module), whose errors are
// typed and carry a JSON Pointer to the offending member, so nothing here
// matches on an error's text.
func DecodeJSON(body []byte, dst any) error {
	if err := scan(body, topKind(dst)); err != nil {
		return err
	}
	err := json.Unmarshal(body, dst, json.RejectUnknownMembers(true))
	var se *json.SemanticError
	if err == nil || !errors.As(err, &se) {
		if err != nil {
			return apperr.New(apperr.InvalidRequest, "The request body could not be decoded.")
		}
		return nil
	}
	field := FieldName(se.JSONPointer)
	switch {
	case errors.Is(se.Err, json.ErrUnknownName):
		msg := field + " is not a field of this request"
		if names := memberNames(se.GoType); len(names) > 0 {
			msg += "; allowed: " + strings.Join(names, ", ")
		}
		return apperr.Invalid(apperr.FieldError{Field: field, Code: "unknown_field", Message: msg})
	case field == "":
		return notKind(topKind(dst))
	default:
		return apperr.Invalid(apperr.Field(field, "invalid_type", "%s must be %s", field, kindName(se.GoType)))
	}
}

// CheckJSONArray applies DecodeJSON's rules of syntax and text to a body
// that is decoded elsewhere, by a decoder that must keep unknown members (a
// provider's webhook): one JSON array, every string text.
func CheckJSONArray(body []byte) error { return scan(body, '[') }

// scan reads the whole value token by token before anything is decoded:
// the syntax, the kind at the top, and every string against Text.
func scan(body []byte, want jsontext.Kind) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.InvalidRequest, "A JSON request body is required.")
	}
	dec := jsontext.NewDecoder(bytes.NewReader(body))
	for first, done := true, false; ; first = false {
		tok, err := dec.ReadToken()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil && done:
			return apperr.New(apperr.InvalidRequest, "The request body must hold exactly one JSON value.")
		case err != nil:
			return syntaxError(body, err)
		}
		if first && want != 0 && tok.Kind() != want {
			return notKind(want)
		}
		if tok.Kind() == '"' {
			if fe := Text(FieldName(dec.StackPointer()), tok.String()); fe != nil {
				return apperr.Invalid(*fe)
			}
		}
		done = dec.StackDepth() == 0
	}
}

func syntaxError(body []byte, err error) error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return apperr.New(apperr.InvalidRequest, "The request body is not valid JSON.")
	}
	field := FieldName(se.JSONPointer)
	switch {
	case errors.Is(se.Err, jsontext.ErrDuplicateName):
		return apperr.Invalid(apperr.Field(field, "duplicate_field", "%s is given twice", field))
	case field != "" && (!utf8.Valid(body) || surrogateEscapeAt(body, se.ByteOffset)):
		return apperr.Invalid(apperr.Field(field, CodeInvalidEncoding, "%s is not valid UTF-8 text", field))
	case errors.Is(se.Err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.InvalidRequest, "The request body is not valid JSON (it ends too early).")
	}
	return apperr.New(apperr.InvalidRequest, "The request body is not valid JSON (error at byte %d).", se.ByteOffset)
}

// surrogateEscapeAt reports whether the string at off continues with a
// \uD800–\uDFFF escape, the JSON spelling of half a UTF-16 pair. The
// decoder refuses one that is not followed by its other half; its error
// type does not say so, hence this look.
func surrogateEscapeAt(body []byte, off int64) bool {
	if off < 0 || off >= int64(len(body)) {
		return false
	}
	rest := body[off:]
	if len(rest) < 6 || rest[0] != '\\' || (rest[1] != 'u' && rest[1] != 'U') {
		return false
	}
	n, err := strconv.ParseUint(string(rest[2:6]), 16, 16)
	return err == nil && n >= 0xD800 && n <= 0xDFFF
}

// FieldName spells a JSON Pointer the way field errors name members:
// /filter/q is filter.q, /users/3/email is users[3].email.
func FieldName(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && tok != "" {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func notKind(want jsontext.Kind) error {
	what := "a JSON object"
	if want == '[' {
		what = "a JSON array"
	}
	return apperr.Invalid(apperr.Field("body", "invalid_type", "the request body must be %s", what))
}

// topKind is the JSON kind dst takes at the top: an object or an array,
// or 0 for anything.
func topKind(dst any) jsontext.Kind {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return 0
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return '{'
	case reflect.Slice, reflect.Array:
		return '['
	default:
		return 0
	}
}

func kindName(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "of another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "a number"
	}
}

// memberNames lists the JSON names of a struct type, in field order.
func memberNames(t reflect.Type) []string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
