package auth

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPasswordAlphabet(t *testing.T) {
	t.Parallel()
	// randomPassword masks bytes to six bits.
	require.Len(t, passwordAlphabet, 64)
	seen := map[rune]bool{}
	for _, r := range passwordAlphabet {
		require.False(t, seen[r], "duplicate %q", r)
		seen[r] = true
	}
	require.False(t, strings.ContainsAny(passwordAlphabet, "IOlo01 \"'`\\$&;,<>|"))
}

func TestGeneratePasswordPassesPolicy(t *testing.T) {
	t.Parallel()
	people := []PolicyInputs{
		{},
		{Email: "jane.doe@acme.com", FirstName: "Jane", LastName: "Doe", OrganizationName: "Acme Learning"},
		{Email: "li@example.org", FirstName: "Li", LastName: "Wu", OrganizationName: "Example"},
		{Email: "maximilian.okonkwo@brightwave.academy", FirstName: "Maximilian", LastName: "Okonkwo", OrganizationName: "Brightwave Academy"},
		{Email: "zoe@ünïcode.test", FirstName: "Zoë", LastName: "Ångström", OrganizationName: "Ünïcode GmbH"},
	}
	seen := map[string]bool{}
	for i := range 200 {
		p := GeneratePassword()
		require.Len(t, p, generatedLen)
		require.False(t, seen[p], "repeated password")
		seen[p] = true
		require.True(t, hasEveryClass(p), p)
		for _, r := range p {
			require.Contains(t, passwordAlphabet, string(r))
		}
		in := people[i%len(people)]
		require.Nil(t, CheckPassword(p, in), fmt.Sprintf("password %q for %+v", p, in))
	}
}

func TestGeneratePasswordForAvoidsAccountInputs(t *testing.T) {
	t.Parallel()
	// Names made of the alphabet's own letters are the case GeneratePassword
	// cannot rule out alone.
	in := PolicyInputs{Email: "abc@xyz.io", FirstName: "Abc", LastName: "Xyz", OrganizationName: "Abc Xyz"}
	for range 200 {
		p := GeneratePasswordFor(in)
		require.Nil(t, CheckPassword(p, in), p)
		require.True(t, hasEveryClass(p), p)
	}
}
