package input

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/invitedhq/invited/internal/apperr"
)

// fuzzRequest has the shapes request bodies have: strings, optional
// strings, lists, a nested object, a flag and a number.
type fuzzRequest struct {
	Email     string   `json:"email"`
	FirstName *string  `json:"first_name"`
	UserIDs   []string `json:"user_ids"`
	Filter    *struct {
		Q     string `json:"q"`
		Roles []string
	} `json:"filter"`
	DryRun bool `json:"dry_run"`
	Limit  int  `json:"limit"`
}

// Whatever the bytes, DecodeJSON answers an invalid_request or decodes
// text: it never panics, never lets a NUL or invalid UTF-8 through, and a
// refusal names what it refuses.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"email":"ada@example.com","first_name":"Ada","user_ids":["a","b"],"filter":{"q":"x"},"dry_run":true,"limit":5}`,
		`{"email":"a\u0000b"}`, "{\"email\":\"\xff\"}", `{"filter":{"q":"\ud800"}}`, `{"email":"a","email":"b"}`,
		`null`, `[]`, `42`, `{"unknown":1}`, `{"limit":"5"}`, `{} {}`, `{"user_ids":[1]}`, `{"first_name":null}`,
		`{"filter":{"q":"\ud83d\ude00"}}`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req fuzzRequest
		err := DecodeJSON(body, &req)
		if err != nil {
			ae := apperr.As(err)
			if ae.Code != apperr.InvalidRequest {
				t.Fatalf("refusal with code %s: %v", ae.Code, err)
			}
			if ae.Message == "" {
				t.Fatal("refusal without a message")
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("decoded a body that is not UTF-8: %q", body)
		}
		eachString(reflect.ValueOf(req), func(s string) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("decoded a string that is not text: %q", s)
			}
		})
	})
}

// eachString calls fn with every string held in v.
func eachString(v reflect.Value, fn func(string)) {
	switch v.Kind() {
	case reflect.String:
		fn(v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			eachString(v.Elem(), fn)
		}
	case reflect.Slice:
		for i := range v.Len() {
			eachString(v.Index(i), fn)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			eachString(v.Field(i), fn)
		}
	default:
	}
}
