package people

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ada@example.com":            "ada@example.com",
		"  Ada.Lovelace@Example.COM": "ada.lovelace@example.com",
		"first+tag@sub.example.org":  "first+tag@sub.example.org",
		"o'brien@example.ie":         "o'brien@example.ie",
		"Émile@exemple.fr":           "émile@exemple.fr",
		// An internationalised domain has one spelling, its ASCII one; the
		// local part stays as typed.
		"u@bücher.example":        "u@xn--bcher-kva.example",
		"u@BÜCHER.example":        "u@xn--bcher-kva.example",
		"U@XN--BCHER-KVA.example": "u@xn--bcher-kva.example",
		"jürgen@bücher.example":   "jürgen@xn--bcher-kva.example",
	} {
		got, fe := NormalizeEmail("email", in)
		require.Nil(t, fe, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", " ", "plain", "@example.com", "ada@", "ada@example", "ada@.example.com", "ada@example.com.",
		"ada@example..com", "ada@@example.com", "Ada <ada@example.com>", "ada lovelace@example.com",
		"ada@[192.0.2.1]", `"quoted"@example.com`, strings.Repeat("a", 65) + "@example.com",
		"a@" + strings.Repeat("b", 250) + ".com", "u@xn--a.example", "u@bü_cher.example", "u@-abc.example",
	} {
		got, fe := NormalizeEmail("email", in)
		require.NotNil(t, fe, "%q is not an address", in)
		require.Empty(t, got)
		require.Equal(t, "email", fe.Field)
		require.Equal(t, "invalid_email", fe.Code)
	}
}

func TestSuggestEmail(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		// Typos of common domains: transpositions, omissions, additions, substitutions.
		"ada@gmial.com":      "ada@gmail.com",
		"ada@gmai.com":       "ada@gmail.com",
		"ada@gmaill.com":     "ada@gmail.com",
		"ada@gnail.com":      "ada@gmail.com",
		"ada@gmail.co":       "ada@gmail.com",
		"ada@hotmial.com":    "ada@hotmail.com",
		"ada@hotmail.co":     "ada@hotmail.com",
		"ada@outlok.com":     "ada@outlook.com",
		"ada@outlook.cm":     "ada@outlook.com",
		"ada@yaho.com":       "ada@yahoo.com",
		"ada@iclould.com":    "ada@icloud.com",
		"ada@protonmial.com": "ada@protonmail.com",
		"ada@gmx.dee":        "ada@gmx.de",
		"ada@gxm.dw":         "", // two edits from gmx.de: too far for a short domain
		"ada@gmaiil.cmoo":    "", // three edits from gmail.com
		// Real domains, common or not, are left alone.
		"ada@gmail.com":    "",
		"ada@gmx.de":       "",
		"ada@me.com":       "",
		"ada@mac.com":      "",
		"ada@example.com":  "",
		"ada@acme.co.uk":   "",
		"ada@university.e": "",
		"not-an-address":   "",
	} {
		require.Equal(t, want, SuggestEmail(in), in)
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"gmail.com", "gmail.com", 0},
		{"gmial.com", "gmail.com", 1}, // adjacent transposition costs one
		{"gmai.com", "gmail.com", 1},
		{"gnail.com", "gmail.com", 1},
		{"gamil.cmo", "gmail.com", 2},
		{"kitten", "sitting", 3},
		{"ça", "ca", 1}, // runes, not bytes
	} {
		require.Equal(t, tc.want, editDistance(tc.a, tc.b), "%s → %s", tc.a, tc.b)
		require.Equal(t, tc.want, editDistance(tc.b, tc.a), "%s → %s", tc.b, tc.a)
	}
}
