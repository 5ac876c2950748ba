package people

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Whatever a client sends as a cursor, decoding it never panics, and a
// cursor that decodes holds an id and only text.
func FuzzDecodeCursor(f *testing.F) {
	id := uuid.MustParse("01a21567-5c1e-7d2f-9a8b-3c4d5e6f7a8b")
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	f.Add(UserFilter{Sort: SortEmail}.cursorAfter(User{ID: id, Email: "ada@example.com"}))
	f.Add(timeCursor{ID: id}.encode())
	for _, seed := range []string{
		`{"e":"a\u0000b","i":"` + id.String() + `","s":"email","f":1}`, "{\"e\":\"\xff\",\"i\":\"" + id.String() + `"}`,
		`{"e":"\ud800","i":"` + id.String() + `"}`, `{"i":"` + id.String() + `","x":1}`, `null`, `[]`, `{"c":"yesterday"}`,
	} {
		f.Add(enc(seed))
	}
	f.Add("%%%")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if c, err := decodeCursor(s); err == nil {
			if c.ID == uuid.Nil {
				t.Fatal("a cursor without an id decoded")
			}
			if !utf8.ValidString(c.Email) || strings.ContainsRune(c.Email, 0) || !utf8.ValidString(string(c.Sort)) {
				t.Fatalf("a cursor with text that is not text decoded: %q", s)
			}
		}
		if c, err := decodeTimeCursor(s); err == nil && c.ID == uuid.Nil {
			t.Fatal("a time cursor without an id decoded")
		}
	})
}
