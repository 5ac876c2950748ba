package people

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/webhooks"
)

// A round stops starting requests once a Parallel's worth failed without
// a success, at once on a 429, a Retry-After or a 410, and when its time
// for starting them is up; failures after a success keep it going.
func TestRoundGate(t *testing.T) {
	t.Parallel()
	gate := func() *roundGate { return &roundGate{until: time.Now().Add(time.Hour), parallel: 4} }
	fail := webhooks.Result{StatusCode: http.StatusServiceUnavailable}

	g := gate()
	for range 3 {
		g.record(outcomeRetry, fail)
		require.True(t, g.open())
	}
	g.record(outcomeFailed, webhooks.Result{StatusCode: http.StatusBadRequest})
	require.False(t, g.open(), "four failures, no success")

	g = gate()
	g.record(outcomeSucceeded, webhooks.Result{StatusCode: http.StatusNoContent})
	for range 8 {
		g.record(outcomeRetry, webhooks.Result{Err: errors.New("connection reset")})
	}
	require.True(t, g.open(), "the receiver answers: failures are about single events")

	for name, r := range map[string]webhooks.Result{
		"429":         {StatusCode: http.StatusTooManyRequests},
		"Retry-After": {StatusCode: http.StatusServiceUnavailable, RetryAfter: time.Minute},
	} {
		g = gate()
		g.record(outcomeRetry, r)
		require.False(t, g.open(), name)
	}
	g = gate()
	g.record(outcomeGone, webhooks.Result{StatusCode: http.StatusGone})
	require.False(t, g.open(), "410")

	g = &roundGate{until: time.Now().Add(-time.Millisecond), parallel: 4}
	require.False(t, g.open(), "time is up")
}
