package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/people"
)

// The hand-written encoders write exactly what encoding/json writes, for
// values whose every field is filled by reflection: a field added to a view
// and not to its encoder makes this fail.
func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for seed, zero := range []fastJSON{User{}, Invite{}, ResendResult{}} {
		typ := reflect.TypeOf(zero)
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(7, uint64(seed)))
			for i := range 300 {
				v := reflect.New(typ).Elem()
				fill(rng, v, i%10 == 0)
				requireSameJSON(t, v.Interface())
			}
			requireSameJSON(t, zero) // nil slices and pointers
		})
	}
}

// A page of users is written with one view reused row by row: it is the
// UserList of the users' views, whatever the rows before each one held.
func TestUserPageMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 99))
	for i := range 300 {
		var users []people.User
		if i > 0 {
			users = make([]people.User, rng.IntN(6))
		}
		for j := range users {
			fill(rng, reflect.ValueOf(&users[j]).Elem(), rng.IntN(3) == 0)
		}
		now := time.Unix(rng.Int64N(4e9), 0).UTC()
		page := userPage{users: users, now: now, hasMore: rng.IntN(2) == 0}
		want := UserList{Data: make([]User, len(users)), HasMore: page.hasMore}
		if rng.IntN(2) == 0 {
			next := trickyStrings[rng.IntN(len(trickyStrings))]
			page.next, want.NextCursor = &next, &next
		}
		for j, u := range users {
			want.Data[j] = userView(u, now)
		}
		var got bytes.Buffer
		require.NoError(t, encodeJSON(&got, page))
		require.Equal(t, mustEncode(t, want), got.String())
	}
}

// mustEncode is v as encoding/json writes it with HTML escaping off.
func mustEncode(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return b.String()
}

// Every string the encoders may meet is quoted as encoding/json does.
func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		want = bytes.ReplaceAll(bytes.ReplaceAll(bytes.ReplaceAll(want, []byte(`\u003c`), []byte("<")), []byte(`\u003e`), []byte(">")), []byte(`\u0026`), []byte("&"))
		require.Equal(t, string(want), string(appendString(nil, s)))
	})
}

func requireSameJSON(t *testing.T, v any) {
	t.Helper()
	var got bytes.Buffer
	require.NoError(t, encodeJSON(&got, v))
	require.Equal(t, mustEncode(t, v), got.String())
}

var trickyStrings = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"héllo wörld", "日本語", "emoji 👩‍💻", "\u2028line\u2029para", "bad \xff utf8 \xc3", "\xe2\x80", "a\u2028", "ada@example.com",
}

// fill sets every field of v to a random value; sparse leaves pointers and
// slices nil and strings empty more often.
func fill(rng *rand.Rand, v reflect.Value, sparse bool) {
	switch v.Interface().(type) {
	case time.Time:
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)*int64(rng.IntN(2))).UTC()))
		return
	case uuid.UUID:
		var id uuid.UUID
		for i := range id {
			id[i] = byte(rng.IntN(256))
		}
		v.Set(reflect.ValueOf(id))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if sparse && rng.IntN(2) == 0 {
			return
		}
		s := trickyStrings[rng.IntN(len(trickyStrings))]
		if rng.IntN(3) == 0 {
			s += strings.Repeat("x", rng.IntN(5))
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt(rng.Int64N(1e6) - 1000)
	case reflect.Pointer:
		if sparse || rng.IntN(4) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem(), sparse)
		v.Set(p)
	case reflect.Slice:
		if sparse && rng.IntN(2) == 0 {
			return
		}
		s := reflect.MakeSlice(v.Type(), rng.IntN(4), 4)
		for i := range s.Len() {
			fill(rng, s.Index(i), sparse)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i), sparse)
		}
	default:
		panic("fill: no generator for " + v.Type().String())
	}
}

// BenchmarkUserListJSON encodes a page of 50 users the way the listing
// answers, by hand and, for comparison, with encoding/json.
func BenchmarkUserListJSON(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	users := make([]people.User, 50)
	for i := range users {
		fill(rng, reflect.ValueOf(&users[i]).Elem(), false)
	}
	now := time.Now().UTC()
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := encodeJSON(io.Discard, userPage{users: users, now: now}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			page := UserList{Data: make([]User, len(users))}
			for i, u := range users {
				page.Data[i] = userView(u, now)
			}
			enc := json.NewEncoder(io.Discard)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(page); err != nil {
				b.Fatal(err)
			}
		}
	})
}
