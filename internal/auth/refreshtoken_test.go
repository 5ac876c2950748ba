package auth

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestRefreshTokenRoundTrip(t *testing.T) {
	t.Parallel()
	id := uuid.Must(uuid.NewV7())
	token, hash := NewRefreshToken(id)
	require.Len(t, hash, RefreshTokenHashLen)
	require.NotContains(t, token, string(hash))

	gotID, gotHash, ok := ParseRefreshToken(token)
	require.True(t, ok)
	require.Equal(t, id, gotID)
	require.True(t, RefreshTokenMatches(hash, gotHash))

	other, otherHash := NewRefreshToken(id)
	require.NotEqual(t, token, other, "every token has its own secret")
	require.False(t, RefreshTokenMatches(hash, otherHash))
}

func TestParseRefreshTokenRefusesWhatIsNotOne(t *testing.T) {
	t.Parallel()
	token, _ := NewRefreshToken(uuid.Must(uuid.NewV7()))
	invite := strings.Repeat("A", len(token))
	for name, s := range map[string]string{
		"empty": "", "short": token[:len(token)-1], "long": token + "A", "not base64": strings.Repeat("*", len(token)),
		"wrong version": invite,
	} {
		_, _, ok := ParseRefreshToken(s)
		require.False(t, ok, name)
	}
	require.False(t, RefreshTokenMatches(nil, make([]byte, RefreshTokenHashLen)), "an empty stored hash matches nothing")
}

func TestRefreshTokenLengthIsPublished(t *testing.T) {
	t.Parallel()
	require.Equal(t, maxRefreshTokenLen, RefreshTokenLength)
}
