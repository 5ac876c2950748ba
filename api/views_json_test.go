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
)

// The hand-written encoders write exactly what encoding/json writes, for
// values whose every field is filled by reflection: a field added to a view
// and not to its encoder makes this fail.
func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for seed, zero := range []fastJSON{UserList{}, User{}, Invite{}, ResendResult{}} {
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
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	var got bytes.Buffer
	require.NoError(t, encodeJSON(&got, v))
	require.Equal(t, want.String(), got.String())
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
	page := UserList{Data: make([]User, 50)}
	for i := range page.Data {
		fill(rng, reflect.ValueOf(&page.Data[i]).Elem(), false)
	}
	b.Run("hand-written", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := encodeJSON(io.Discard, page); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enc := json.NewEncoder(io.Discard)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(page); err != nil {
				b.Fatal(err)
			}
		}
	})
}
