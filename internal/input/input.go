// Package input is the gate every client-supplied value passes before the
// service sees it: request bodies through DecodeJSON, query parameters and
// cursor contents through Text. Whatever a field, a route or a database
// does later, its strings are valid UTF-8 without NUL characters.
//
// PostgreSQL refuses NUL in text (SQLSTATE 22021) and SQLite's LIKE stops
// at one, so a NUL that got through would answer 500 on one database and
// match too much on the other; invalid UTF-8 would be stored as U+FFFD.
// Refusing both here, by name, is what keeps every route honest at once.
package input

import (
	"strings"
	"unicode/utf8"

	"github.com/invitedhq/invited/internal/apperr"
)

// Field error codes of text that is not text.
const (
	// CodeInvalidEncoding is invalid UTF-8, or a lone UTF-16 surrogate in a
	// JSON escape, which stands for no character at all.
	CodeInvalidEncoding = "invalid_encoding"
	// CodeInvalidCharacter is a NUL character.
	CodeInvalidCharacter = "invalid_character"
)

// Text checks one client-supplied string, which field names: it must be
// valid UTF-8 and hold no NUL character.
func Text(field, s string) *apperr.FieldError {
	if !utf8.ValidString(s) {
		fe := apperr.Field(field, CodeInvalidEncoding, "%s is not valid UTF-8 text", field)
		return &fe
	}
	if strings.IndexByte(s, 0) >= 0 {
		fe := apperr.Field(field, CodeInvalidCharacter, "%s must not contain NUL characters", field)
		return &fe
	}
	return nil
}
