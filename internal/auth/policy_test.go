package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func codes(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Code)
	}
	return out
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	jane := PolicyInputs{Email: "Jane.Doe@Acme.com", FirstName: "Jane", LastName: "Doe", OrganizationName: "Acme Learning"}
	// A random-looking 128-character password: long, but not guessable.
	long128 := strings.Repeat("Xk7#mQ2pLr9@vT4w", 8)[:127] + "Z"

	tests := []struct {
		name     string
		password string
		in       PolicyInputs
		want     []string
	}{
		{name: "strong at the minimum length", password: "Xk7#mQ2pLr9@", in: jane, want: nil},
		{name: "passphrase", password: "Correct horse battery staple", in: jane, want: nil},
		{name: "non-ASCII counted in characters", password: "ÉtéÀParisÇaVa", in: jane, want: nil},
		{name: "empty", password: "", in: jane, want: []string{"too_short", "too_guessable"}},
		{name: "eleven characters", password: "Xk7#mQ2pLr9", in: jane, want: []string{"too_short"}},
		{name: "eleven two-byte characters", password: "ééééééééééé", in: jane, want: []string{"too_short"}},
		{name: "128 characters", password: long128, in: jane, want: nil},
		{name: "129 characters", password: long128 + "a", in: jane, want: []string{"too_long"}},
		{name: "very long is not estimated", password: strings.Repeat("a", 100_000), in: jane, want: []string{"too_long"}},
		{name: "common password", password: "password1234", in: jane, want: []string{"too_guessable"}},
		{name: "whole email", password: "x1jane.doe@acme.com9Q", in: PolicyInputs{Email: "jane.doe@acme.com"}, want: []string{"contains_email"}},
		{name: "email local part any case", password: "Zq9!JANE.DOE!pW4x", in: PolicyInputs{Email: "jane.doe@acme.com"}, want: []string{"contains_email"}},
		{name: "email input trimmed", password: "Zq9!jane.doe!pW4x", in: PolicyInputs{Email: "  jane.doe@acme.com "}, want: []string{"contains_email"}},
		{name: "short local part ignored", password: "Zq9!jo#pW4xKm2&", in: PolicyInputs{Email: "jo@acme.com"}, want: nil},
		{name: "first name", password: "Zq9!Maximilian#pW4", in: PolicyInputs{FirstName: "Maximilian"}, want: []string{"contains_name"}},
		{name: "last name any case", password: "Zq9!oKONKWO#pW4x", in: PolicyInputs{LastName: "Okonkwo"}, want: []string{"contains_name"}},
		{name: "three-letter name counts", password: "Zq9!ann#pW4xKm2", in: PolicyInputs{FirstName: "Ann"}, want: []string{"contains_name"}},
		{name: "two-letter name ignored", password: "Zq9!al#pW4xKm2&", in: PolicyInputs{FirstName: "Al"}, want: nil},
		{name: "non-ASCII name", password: "Zq9!zoë#pW4xKm2", in: PolicyInputs{FirstName: "Zoë"}, want: []string{"contains_name"}},
		{
			name:     "organization words make it guessable",
			password: "ZorblaxQuintessa",
			in:       PolicyInputs{OrganizationName: "Zorblax Quintessa Academy"},
			want:     []string{"too_guessable"},
		},
		{name: "same without the organization", password: "ZorblaxQuintessa", in: PolicyInputs{}, want: nil},
		{
			name:     "every rule at once, in order",
			password: "ann",
			in:       PolicyInputs{Email: "ann@acme.com", FirstName: "Ann"},
			want:     []string{"too_short", "contains_email", "contains_name", "too_guessable"},
		},
		{name: "email and name and guessable", password: "jane.doe@acme.com", in: jane, want: []string{"contains_email", "contains_name", "too_guessable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CheckPassword(tt.password, tt.in)
			require.Equal(t, tt.want, codes(got))
			for _, v := range got {
				require.NotEmpty(t, v.Message)
				if tt.password != "" {
					require.NotContains(t, v.Message, tt.password)
				}
			}
		})
	}
}

func TestCheckPasswordSkipsEstimateOnLongInput(t *testing.T) {
	t.Parallel()
	start := time.Now()
	got := CheckPassword(strings.Repeat("ab1!", 250_000), PolicyInputs{Email: "jane@acme.com"})
	require.Equal(t, []string{"too_long"}, codes(got))
	// The estimate would take minutes on a million characters.
	require.Less(t, time.Since(start), 5*time.Second)
}
