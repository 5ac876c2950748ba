package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/people"
)

// A browser on a configured origin may call the API with a bearer token and
// an Idempotency-Key, and read the headers the API answers with; any other
// origin gets no CORS grant.
func TestCORSPreflight(t *testing.T) {
	t.Parallel()
	const app = "https://app.example.com"
	e := apitest.New(t, config.SQLite, apitest.Options{CORSAllowedOrigins: []string{app}})
	preflight := func(origin string) *apitest.Response {
		return e.Do(apitest.Request{Method: http.MethodOptions, Path: "/users", Header: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": http.MethodPost,
			"Access-Control-Request-Headers": "authorization,content-type,idempotency-key",
		}}).Expect(http.StatusNoContent)
	}

	r := preflight(app)
	require.Equal(t, app, r.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, r.Header.Get("Access-Control-Allow-Methods"), http.MethodPost)
	for _, h := range []string{"Authorization", "Content-Type", "Idempotency-Key"} {
		require.Contains(t, r.Header.Get("Access-Control-Allow-Headers"), h)
	}
	require.Equal(t, "600", r.Header.Get("Access-Control-Max-Age"))
	require.Contains(t, r.Header.Values("Vary"), "Origin")

	r = preflight("https://evil.example.com")
	require.Empty(t, r.Header.Get("Access-Control-Allow-Origin"))
	require.Empty(t, r.Header.Get("Access-Control-Allow-Methods"))

	org := e.Org()
	r = e.Do(apitest.Request{Method: http.MethodGet, Path: "/users", Token: org.OwnerToken, Header: map[string]string{"Origin": app}}).
		Expect(http.StatusOK)
	require.Equal(t, app, r.Header.Get("Access-Control-Allow-Origin"))
	for _, h := range []string{"X-Request-Id", "Retry-After", "Location", "Idempotent-Replayed", "RateLimit-Policy", "RateLimit"} {
		require.Contains(t, r.Header.Get("Access-Control-Expose-Headers"), h)
	}
}

// A rate-limited answer says when to come back.
func TestRateLimitedAnswersRetryAfter(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite, apitest.Options{PublicRateLimit: 2})
	creds := map[string]any{"organization": "nowhere", "email": "nobody@example.com", "password": "not-a-real-password"}
	for range 2 {
		e.Post("/auth/token", "", creds).ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
	}
	r := e.Post("/auth/token", "", creds)
	r.ExpectProblem(http.StatusTooManyRequests, "rate_limited")
	wait, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After is whole seconds")
	require.Positive(t, wait)
	require.LessOrEqual(t, wait, 60, "at 2 requests a minute the next one is due within a minute")
}

// A created user's Location is where to read it, also when the creation is replayed.
func TestCreatedAnswersLocation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()
	create := apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
		Body: map[string]any{"email": "grace.hopper@example.com"}, Header: map[string]string{"Idempotency-Key": "create-grace-1"}}

	first := e.Do(create).Expect(http.StatusCreated)
	var created api.User
	first.JSON(&created)
	location := first.Header.Get("Location")
	require.Equal(t, "/users/"+created.ID.String(), location)
	require.Empty(t, first.Header.Get("Idempotent-Replayed"))

	var read api.User
	e.Get(location, org.OwnerToken).Expect(http.StatusOK).JSON(&read)
	require.Equal(t, created.ID, read.ID)

	replay := e.Do(create).Expect(http.StatusCreated)
	require.Equal(t, location, replay.Header.Get("Location"))
	require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.Body), string(replay.Body))
}

// Every list answers the same envelope, and paging by cursor visits each
// item exactly once, ending with has_more false and a null next_cursor.
func TestListsShareOneEnvelope(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for i := range 3 {
			e.User(org, apitest.UserOpts{Email: fmt.Sprintf("pager%d@example.com", i)})
		}
		resent := e.User(org, apitest.UserOpts{})
		for range 2 {
			e.Post("/users/"+resent.ID.String()+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted)
		}

		for _, tc := range []struct {
			path     string
			want     int
			pageable bool
		}{
			{"/users?status=invite_pending&limit=1", 4, true},
			{"/users?sort=email&limit=2", 5, true},
			{"/audit-events?limit=2", countEvents(t, e, org), true},
			{"/users/" + resent.ID.String() + "/invites", 3, false},
		} {
			seen := map[string]int{}
			path, pages := tc.path, 0
			for {
				var page struct {
					Data       []map[string]any `json:"data"`
					NextCursor *string          `json:"next_cursor"`
					HasMore    bool             `json:"has_more"`
				}
				r := e.Get(path, org.OwnerToken).Expect(http.StatusOK)
				var raw map[string]json.RawMessage
				r.JSON(&raw)
				require.ElementsMatch(t, []string{"data", "next_cursor", "has_more"}, keys(raw), tc.path)
				r.JSON(&page)
				pages++
				for _, item := range page.Data {
					seen[fmt.Sprint(item["id"])]++
				}
				if !page.HasMore {
					require.Nil(t, page.NextCursor, "the last page of %s has no cursor", tc.path)
					break
				}
				require.NotNil(t, page.NextCursor, "a page of %s with more has a cursor", tc.path)
				path = tc.path + "&cursor=" + *page.NextCursor
			}
			require.Len(t, seen, tc.want, tc.path)
			for id, n := range seen {
				require.Equal(t, 1, n, "%s listed %s %d times", tc.path, id, n)
			}
			if tc.pageable {
				require.Greater(t, pages, 1, "%s is paged", tc.path)
			}
		}
	})
}

func countEvents(t *testing.T, e *apitest.Env, org apitest.Org) int {
	t.Helper()
	var all struct {
		Data    []json.RawMessage `json:"data"`
		HasMore bool              `json:"has_more"`
	}
	e.Get("/audit-events?limit=200", org.OwnerToken).Expect(http.StatusOK).JSON(&all)
	require.False(t, all.HasMore)
	return len(all.Data)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Times go out in UTC whatever offset a client used to filter by them.
func TestTimesAreUTC(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	org := e.Org()
	e.User(org, apitest.UserOpts{Status: people.Confirmed})
	var list struct {
		Data []map[string]any `json:"data"`
	}
	e.Get("/users?invited_before=2099-01-01T02:00:00%2B02:00", org.OwnerToken).Expect(http.StatusOK).JSON(&list)
	require.Len(t, list.Data, 1)
	for _, field := range []string{"created_at", "updated_at", "confirmed_at"} {
		v, _ := list.Data[0][field].(string)
		require.True(t, strings.HasSuffix(v, "Z"), "%s is %q", field, v)
	}
}
