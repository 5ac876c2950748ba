package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// withoutRequestID is a problem body with its per-request member blanked,
// so that two answers can be compared whole.
func withoutRequestID(t *testing.T, r *apitest.Response) string {
	t.Helper()
	p := r.Problem()
	p.RequestID = ""
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return r.Header.Get("Content-Type") + " " + r.Header.Get("WWW-Authenticate") + " " + string(b)
}

// Sign-in answers an unknown organization, an unknown email, a wrong
// password and an account without a password alike. "In comparable time"
// is proven by construction rather than by a stopwatch, which would be
// flaky: every path derives exactly one argon2id key with the hasher's
// current parameters (the dummy hash for users who have none uses them
// too; see auth's TestVerifyDummyDoesRealWork), and that derivation is
// what a sign-in costs; the remaining work is a couple of indexed lookups.
func TestSignInFailuresLookAlike(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		pending := e.User(org, apitest.UserOpts{})
		deactivated := e.User(org, apitest.UserOpts{Status: people.Deactivated})

		costOf := func(do func() *apitest.Response) (*apitest.Response, uint64) {
			before := e.Hasher.Computations()
			r := do()
			return r, e.Hasher.Computations() - before
		}
		var want string
		for _, tc := range []struct{ name, org, email, password string }{
			{"wrong password", org.Slug, confirmed.Email, "not-the-Password-4711"},
			{"unknown email", org.Slug, "nobody@example.com", apitest.Password},
			{"unknown organization", "no-such-org", confirmed.Email, apitest.Password},
			{"no password yet", org.Slug, pending.Email, apitest.Password},
			{"deactivated, wrong password", org.Slug, deactivated.Email, "not-the-Password-4711"},
		} {
			r, cost := costOf(func() *apitest.Response {
				return e.Post("/auth/token", "", map[string]any{"organization": tc.org, "email": tc.email, "password": tc.password})
			})
			r.ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
			require.EqualValues(t, 1, cost, "%s: one argon2id derivation", tc.name)
			got := withoutRequestID(t, r)
			if want == "" {
				want = got
			}
			require.Equal(t, want, got, "%s answers like the others", tc.name)
		}

		var tok api.TokenResponse
		r, cost := costOf(func() *apitest.Response {
			// Padding around the email is beyond the contract's format; the server trims it.
			return e.OffContract().Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": " " + confirmed.Email + " ",
				"password": apitest.Password})
		})
		r.Expect(http.StatusOK).JSON(&tok)
		require.EqualValues(t, 1, cost, "a successful sign-in costs the same")
		require.Equal(t, "Bearer", tok.TokenType)
		require.Equal(t, 900, tok.ExpiresIn)
		require.False(t, tok.PasswordChangeRequired)
		var me api.User
		e.Get("/me", tok.AccessToken).Expect(http.StatusOK).JSON(&me)
		require.Equal(t, confirmed.ID, me.ID)

		r, cost = costOf(func() *apitest.Response { return signIn(e, org, deactivated.Email, apitest.Password) })
		r.ExpectProblem(http.StatusConflict, "user_deactivated")
		require.EqualValues(t, 1, cost)

		for _, body := range []map[string]any{{"email": confirmed.Email, "password": "x"}, {"organization": org.Slug, "password": "x"},
			{"organization": org.Slug, "email": confirmed.Email}} {
			e.OffContract().Post("/auth/token", "", body).ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
	})
}

// Repeated failures back off per account, known or not, alike; other
// accounts are unaffected and a success after the wait starts afresh.
func TestSignInBacksOffPerAccount(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		bystander := e.User(org, apitest.UserOpts{Status: people.Confirmed})

		var limited []string
		for _, email := range []string{u.Email, "ghost@example.com"} {
			for range 6 {
				signIn(e, org, email, "wrong-Password-0000").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
			}
			before := e.Hasher.Computations()
			r := signIn(e, org, email, apitest.Password)
			r.ExpectProblem(http.StatusTooManyRequests, "rate_limited")
			require.Equal(t, before, e.Hasher.Computations(), "a throttled attempt hashes nothing")
			secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
			require.NoError(t, err)
			require.GreaterOrEqual(t, secs, 1)
			limited = append(limited, withoutRequestID(t, r))
		}
		require.Equal(t, limited[0], limited[1], "the throttle does not tell known accounts from unknown ones")

		signIn(e, org, bystander.Email, apitest.Password).Expect(http.StatusOK)

		e.Clock.Advance(3 * time.Second)
		signIn(e, org, u.Email, apitest.Password).Expect(http.StatusOK)
		signIn(e, org, u.Email, "wrong-Password-0000").ExpectProblem(http.StatusUnauthorized, "invalid_credentials")
	})
}

// PUT /me/password checks the current password, applies the policy,
// clears must_change_password, and backs off wrong guesses.
func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
		setPassword(e, org.OwnerToken, u, map[string]any{"password": strongPassword}).Expect(http.StatusOK)
		var tok api.TokenResponse
		signIn(e, org, u.Email, strongPassword).Expect(http.StatusOK).JSON(&tok)
		require.True(t, tok.PasswordChangeRequired)

		change := func(current, next string) *apitest.Response {
			return e.Put("/me/password", tok.AccessToken, map[string]any{"current_password": current, "new_password": next})
		}
		p := change("wrong-Password-0000", "violet-Harbor-engine-93").ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "current_password", p.Errors[0].Field)
		p = change(strongPassword, strongPassword).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "new_password", p.Errors[0].Field)
		p = change(strongPassword, "lovelace-1234").ExpectProblem(http.StatusBadRequest, "weak_password")
		require.Equal(t, "new_password", p.Errors[0].Field)
		e.OffContract().Put("/me/password", tok.AccessToken, map[string]any{"current_password": "", "new_password": ""}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.Do(apitest.Request{Method: http.MethodPut, Path: "/me/password", Body: map[string]any{"current_password": strongPassword,
			"new_password": "violet-Harbor-engine-93"}}).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		require.True(t, getUser(e, org.OwnerToken, u.ID).MustChangePassword)

		change(strongPassword, "violet-Harbor-engine-93").Expect(http.StatusNoContent)
		require.False(t, getUser(e, org.OwnerToken, u.ID).MustChangePassword)
		signIn(e, org, u.Email, "violet-Harbor-engine-93").Expect(http.StatusOK).JSON(&tok)
		require.False(t, tok.PasswordChangeRequired)
		events := auditEvents(e, org.OwnerToken, "action=user.password_changed")
		require.Len(t, events, 1)
		require.Equal(t, u.ID, *events[0].ActorID)
		require.Equal(t, u.ID, *events[0].TargetUserID)

		for range 6 {
			change("wrong-Password-0000", "another-Quartz-lamp-77").ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
		change("violet-Harbor-engine-93", "another-Quartz-lamp-77").ExpectProblem(http.StatusTooManyRequests, "rate_limited")
		require.Empty(t, e.Secrets(strongPassword, "violet-Harbor-engine-93"))
	})
}

// DESIGN §5: the public routes are rate limited per client IP; the limit
// is the connection's address, whatever X-Forwarded-For claims without a
// trusted proxy, and it leaves signed-in routes alone.
func TestPublicRoutesAreRateLimitedPerIP(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		from := func(ip, path string, body any, hdr map[string]string) *apitest.Response {
			return e.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: body, RemoteAddr: ip + ":40000", Header: hdr})
		}
		calls := []struct {
			path string
			body any
		}{
			{"/auth/token", map[string]any{"organization": org.Slug, "email": "x@example.com", "password": "y"}},
			{"/invites/verify", map[string]any{"token": "unknown"}},
			{"/invites/accept", map[string]any{"token": "unknown", "password": strongPassword}},
		}
		for _, c := range calls {
			r := from("203.0.113.7", c.path, c.body, nil)
			require.NotEqual(t, http.StatusTooManyRequests, r.Status)
		}
		for _, c := range append(calls, struct {
			path string
			body any
		}{"/invites/renew", map[string]any{"token": "unknown"}}) {
			r := from("203.0.113.7", c.path, c.body, map[string]string{"X-Forwarded-For": "198.51.100.1"})
			r.ExpectProblem(http.StatusTooManyRequests, "rate_limited")
			secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
			require.NoError(t, err)
			require.GreaterOrEqual(t, secs, 1)
		}
		from("198.51.100.1", "/invites/verify", map[string]any{"token": "unknown"}, nil).ExpectProblem(http.StatusNotFound, "invite_not_found")
		e.Do(apitest.Request{Method: http.MethodGet, Path: "/users", Token: org.OwnerToken, RemoteAddr: "203.0.113.7:40000"}).Expect(http.StatusOK)
	}, apitest.Options{PublicRateLimit: 3})
}
