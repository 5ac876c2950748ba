package mail

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestExpiresIn(t *testing.T) {
	t.Parallel()

	const day = 24 * time.Hour
	tests := []struct {
		left time.Duration
		want string
	}{
		{left: 7 * day, want: "in 7 days"},
		{left: 7*day - 30*time.Second, want: "in 7 days"},
		{left: 30 * day, want: "in 30 days"},
		{left: 36 * time.Hour, want: "in 2 days"},
		{left: day, want: "in 1 day"},
		{left: 23*time.Hour + 40*time.Minute, want: "in 1 day"},
		{left: 23 * time.Hour, want: "in 23 hours"},
		{left: time.Hour, want: "in 1 hour"},
		{left: 59*time.Minute + 40*time.Second, want: "in 1 hour"},
		{left: 5 * time.Minute, want: "in 5 minutes"},
		{left: time.Minute, want: "in 1 minute"},
		{left: 20 * time.Second, want: "in less than a minute"},
		{left: 0, want: "now"},
		{left: -time.Hour, want: "now"},
	}
	for _, tt := range tests {
		t.Run(tt.left.String(), func(t *testing.T) {
			t.Parallel()
			got, err := localizerFor("en").expiresIn(tt.left)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()

	tests := []struct{ in, want string }{
		{in: "  Ann  ", want: "Ann"},
		{in: "Ann\r\nBcc: evil@example.com", want: "Ann Bcc: evil@example.com"},
		{in: "Zoë\x00\x1b[31m", want: "Zoë [31m"},
		{in: "\t\n", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, oneLine(tt.in))
		})
	}
}

func TestTruncateKeepsRunesWhole(t *testing.T) {
	t.Parallel()

	require.Equal(t, "abc", truncate("abc", 5))
	require.Equal(t, "ab", truncate("abcdef", 2))
	require.Equal(t, "a", truncate("aé", 2), "é takes two bytes and must not be split")
}
