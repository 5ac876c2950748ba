package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dunglas/httpsfv"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
)

// rateLimitField parses a RateLimit or RateLimit-Policy field as the
// structured field the draft defines: one item naming the policy, with
// integer parameters.
func rateLimitField(t *testing.T, r *apitest.Response, name string) map[string]int64 {
	t.Helper()
	values := r.Header.Values(name)
	require.NotEmpty(t, values, "%s is sent", name)
	list, err := httpsfv.UnmarshalList(values)
	require.NoError(t, err, "%s: %q is a structured field list", name, values)
	require.Len(t, list, 1)
	item, ok := list[0].(httpsfv.Item)
	require.True(t, ok, "%s: a list of items", name)
	require.Equal(t, "per-ip", item.Value, "%s names the policy as a string", name)
	out := map[string]int64{}
	for _, k := range item.Params.Names() {
		v, _ := item.Params.Get(k)
		n, ok := v.(int64)
		require.True(t, ok, "%s: parameter %s is an integer, got %T", name, k, v)
		out[k] = n
	}
	return out
}

// The public routes tell each client its quota (draft-ietf-httpapi-
// ratelimit-headers): the policy on every answer, what is left counting
// down with each request, and on the 429 nothing left and the same wait as
// Retry-After. Signed-in routes are not limited this way and say nothing.
func TestPublicRoutesSendTheirRateLimit(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite, apitest.Options{PublicRateLimit: 3})
	org := e.Org()
	creds := map[string]any{"organization": "nowhere", "email": "nobody@example.com", "password": "not-a-real-password"}
	for i := range 3 {
		r := e.Post("/auth/token", "", creds)
		r.ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
		require.Equal(t, map[string]int64{"q": 3, "w": 60}, rateLimitField(t, r, "RateLimit-Policy"))
		state := rateLimitField(t, r, "RateLimit")
		require.EqualValues(t, 2-i, state["r"], "request %d", i+1)
		// 3 a minute is one every 20 seconds.
		require.InDelta(t, 20, state["t"], 1, "request %d: seconds until one more is allowed", i+1)
	}
	r := e.Post("/invites/verify", "", map[string]any{"token": "unknown"})
	r.ExpectProblem(http.StatusTooManyRequests, "rate_limited")
	state := rateLimitField(t, r, "RateLimit")
	require.Zero(t, state["r"])
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.EqualValues(t, retry, state["t"], "the reset is the wait of Retry-After")

	signedIn := e.Get("/me", org.OwnerToken).Expect(http.StatusOK)
	require.Empty(t, signedIn.Header.Get("RateLimit"))
	require.Empty(t, signedIn.Header.Get("RateLimit-Policy"))
}
