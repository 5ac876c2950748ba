package api_test

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// startSession signs in a session for a confirmed user and returns its answer.
func startSession(t *testing.T, e *apitest.Env, org apitest.Org, email string) api.TokenResponse {
	t.Helper()
	var tok api.TokenResponse
	e.Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": email, "password": apitest.Password}).
		Expect(http.StatusOK).JSON(&tok)
	require.NotEmpty(t, tok.RefreshToken)
	return tok
}

func refresh(e *apitest.Env, token string) *apitest.Response {
	return e.Post("/auth/refresh", "", map[string]any{"refresh_token": token})
}

// A refresh token buys one new access token and its own successor; the
// session keeps the absolute end of its sign-in.
func TestRefreshRotates(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		first := startSession(t, e, org, org.Owner.Email)
		require.WithinDuration(t, e.Clock.Now().Add(people.DefaultRefreshTTL), first.RefreshTokenExpiresAt, time.Minute)

		e.Clock.Advance(20 * time.Minute) // the first access token has expired
		e.Get("/me", first.AccessToken).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		var second api.TokenResponse
		refresh(e, first.RefreshToken).Expect(http.StatusOK).JSON(&second)
		require.NotEqual(t, first.RefreshToken, second.RefreshToken, "every refresh rotates the token")
		require.Equal(t, 900, second.ExpiresIn)
		require.Equal(t, first.RefreshTokenExpiresAt, second.RefreshTokenExpiresAt, "rotation never extends the session")
		var me api.User
		e.Get("/me", second.AccessToken).Expect(http.StatusOK).JSON(&me)
		require.Equal(t, org.Owner.ID, me.ID)

		var third api.TokenResponse
		refresh(e, second.RefreshToken).Expect(http.StatusOK).JSON(&third)

		e.Clock.Advance(people.DefaultRefreshTTL)
		refresh(e, third.RefreshToken).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
		require.Zero(t, e.Count("audit_events", "action = ?", people.ActionRefreshReuseDetected), "expiry is not reuse")
	})
}

// Presenting a used refresh token again ends the whole session — the
// thief's copy and the owner's successor alike — and is audited.
func TestRefreshReuseRevokesTheFamily(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		stolen := startSession(t, e, org, org.Owner.Email)
		other := startSession(t, e, org, org.Owner.Email) // another device: a session of its own
		var owners api.TokenResponse
		refresh(e, stolen.RefreshToken).Expect(http.StatusOK).JSON(&owners)

		p := refresh(e, stolen.RefreshToken).ExpectProblem(http.StatusUnauthorized, "refresh_token_reused")
		require.Contains(t, p.Detail, "session is ended")
		refresh(e, owners.RefreshToken).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
		refresh(e, stolen.RefreshToken).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
		refresh(e, other.RefreshToken).Expect(http.StatusOK)

		var events api.AuditEventList
		e.Get("/audit-events?action="+people.ActionRefreshReuseDetected, org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1, "audited once")
		ev := events.Data[0]
		require.Nil(t, ev.ActorID, "nobody in particular did it")
		require.Equal(t, org.Owner.ID, *ev.TargetUserID)
		require.EqualValues(t, 2, ev.Metadata["tokens_revoked"])
		require.NotEmpty(t, ev.Metadata["session_id"])
	})
}

// A second refresh racing the first with the same token is reuse: exactly
// one of them wins, and the session ends.
func TestConcurrentRefreshesOfOneToken(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		tok := startSession(t, e, org, org.Owner.Email)
		answers := e.Concurrently(2, func(int) *apitest.Response { return refresh(e, tok.RefreshToken) })
		codes := map[int]int{}
		for _, r := range answers {
			codes[r.Status]++
		}
		require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusUnauthorized: 1}, codes)
		require.Equal(t, 1, e.Count("audit_events", "action = ?", people.ActionRefreshReuseDetected))
	})
}

// Changing one's password, having it set by an administrator, and being
// deactivated end every session of the user; signing out ends one.
func TestSessionsEnd(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Status: people.Confirmed, Role: people.HR})
		ended := func(tokens ...api.TokenResponse) {
			t.Helper()
			for _, tok := range tokens {
				refresh(e, tok.RefreshToken).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
			}
		}

		// Signing out ends that session only, and may be repeated.
		a, b := startSession(t, e, org, u.Email), startSession(t, e, org, u.Email)
		e.Post("/auth/logout", "", map[string]any{"refresh_token": a.RefreshToken}).Expect(http.StatusNoContent)
		e.Post("/auth/logout", "", map[string]any{"refresh_token": a.RefreshToken}).Expect(http.StatusNoContent)
		ended(a)
		var b2 api.TokenResponse
		refresh(e, b.RefreshToken).Expect(http.StatusOK).JSON(&b2)

		// The user changes their password: every session ends.
		const next = "quartz-lantern-meadow-41"
		e.Put("/me/password", b2.AccessToken, map[string]any{"current_password": apitest.Password, "new_password": next}).
			Expect(http.StatusNoContent)
		ended(b2)
		var afterChange api.TokenResponse
		e.Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": u.Email, "password": next}).
			Expect(http.StatusOK).JSON(&afterChange)

		// An administrator sets their password: every session ends.
		e.Put("/users/"+u.ID.String()+"/password", org.OwnerToken, map[string]any{"password": apitest.Password}).
			Expect(http.StatusOK)
		ended(afterChange)

		// Deactivation ends every session, and reactivation revives none.
		c := startSession(t, e, org, u.Email)
		e.Post("/users/"+u.ID.String()+"/deactivate", org.OwnerToken, nil).Expect(http.StatusOK)
		ended(c)
		e.Post("/users/"+u.ID.String()+"/reactivate", org.OwnerToken, nil).Expect(http.StatusOK)
		ended(c)

		var events api.AuditEventList
		e.Get("/audit-events?action=user.deactivated&target_user_id="+u.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&events)
		require.Len(t, events.Data, 1)
		require.EqualValues(t, 1, events.Data[0].Metadata["sessions_ended"])
	})
}

// Accepting an invitation starts a session like signing in does.
func TestAcceptingAnInviteStartsASession(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		var res api.AcceptInviteResult
		e.Post("/invites/accept", "", map[string]any{"token": e.InviteToken(e.LatestInvite(u).ID), "password": apitest.Password}).
			Expect(http.StatusOK).JSON(&res)
		require.NotEmpty(t, res.RefreshToken)
		var tok api.TokenResponse
		refresh(e, res.RefreshToken).Expect(http.StatusOK).JSON(&tok)
		var me api.User
		e.Get("/me", tok.AccessToken).Expect(http.StatusOK).JSON(&me)
		require.Equal(t, u.ID, me.ID)
	})
}

// The console keeps its refresh token in an HttpOnly, SameSite=Strict
// cookie that only /auth requests carry; it is Secure except on plain
// HTTP to localhost, and refused on plain HTTP anywhere else.
func TestRefreshCookie(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		signInWith := func(host string, header map[string]string) *apitest.Response {
			h := map[string]string{"Host": host}
			for k, v := range header {
				h[k] = v
			}
			return e.Do(apitest.Request{Method: http.MethodPost, Path: "/auth/token", Header: h, Body: map[string]any{
				"organization": org.Slug, "email": org.Owner.Email, "password": apitest.Password, "refresh_token_cookie": true}})
		}
		cookieOf := func(r *apitest.Response) *http.Cookie {
			t.Helper()
			for _, c := range (&http.Response{Header: r.Header}).Cookies() {
				if c.Name == api.RefreshCookie {
					return c
				}
			}
			t.Fatalf("no %s cookie in %v", api.RefreshCookie, r.Header.Values("Set-Cookie"))
			return nil
		}

		r := signInWith("people.example.com", map[string]string{"X-Forwarded-Proto": "https"}).Expect(http.StatusOK)
		var tok api.TokenResponse
		r.JSON(&tok)
		require.Empty(t, tok.RefreshToken, "the body carries no refresh token when the cookie does")
		ck := cookieOf(r)
		require.True(t, ck.HttpOnly)
		require.True(t, ck.Secure)
		require.Equal(t, http.SameSiteStrictMode, ck.SameSite)
		require.Equal(t, "/auth", ck.Path)
		require.Positive(t, ck.MaxAge)

		local := cookieOf(signInWith("localhost:8080", nil).Expect(http.StatusOK))
		require.False(t, local.Secure, "plain HTTP is fine on localhost")
		require.False(t, cookieOf(signInWith("127.0.0.1:8080", nil).Expect(http.StatusOK)).Secure)

		p := signInWith("people.example.com", nil).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "refresh_token_cookie", p.Errors[0].Field)
		require.Equal(t, "https_required", p.Errors[0].Code)

		// Refreshing with the cookie answers the successor in the cookie.
		withCookie := func(path string, c *http.Cookie) *apitest.Response {
			return e.Do(apitest.Request{Method: http.MethodPost, Path: path, Body: map[string]any{},
				Header: map[string]string{"Host": "localhost:8080", "Cookie": c.Name + "=" + c.Value}})
		}
		r = withCookie("/auth/refresh", local).Expect(http.StatusOK)
		r.JSON(&tok)
		require.Empty(t, tok.RefreshToken)
		next := cookieOf(r)
		require.NotEqual(t, local.Value, next.Value)

		// Reuse through the cookie ends the session and clears the cookie.
		r = withCookie("/auth/refresh", local)
		r.ExpectProblem(http.StatusUnauthorized, "refresh_token_reused")
		require.Negative(t, cookieOf(r).MaxAge, "the cookie is cleared")
		withCookie("/auth/refresh", next).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")

		// Signing out clears the cookie; without any token, refresh says what to send.
		r = withCookie("/auth/logout", cookieOf(signInWith("localhost", nil).Expect(http.StatusOK))).Expect(http.StatusNoContent)
		require.Negative(t, cookieOf(r).MaxAge)
		p = e.Post("/auth/refresh", "", map[string]any{}).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
		require.Contains(t, p.Detail, "Send the refresh token")
	})
}

// Refresh tokens are kept only as hashes and never logged; malformed and
// forged ones are refused alike.
func TestRefreshTokensAreNotKept(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		tok := startSession(t, e, org, org.Owner.Email)
		var next api.TokenResponse
		refresh(e, tok.RefreshToken).Expect(http.StatusOK).JSON(&next)

		var secrets []string
		for _, s := range []string{tok.RefreshToken, next.RefreshToken} {
			raw, err := base64.RawURLEncoding.DecodeString(s)
			require.NoError(t, err)
			secret := raw[len(raw)-32:]
			secrets = append(secrets, s, hex.EncodeToString(secret), string(secret),
				base64.StdEncoding.EncodeToString(secret), base64.RawURLEncoding.EncodeToString(secret))
		}
		require.Empty(t, e.Secrets(secrets...))
		require.Equal(t, 2, e.Count("refresh_tokens", "user_id = ?", org.Owner.ID))

		forged := []byte(next.RefreshToken) // the same id, another secret
		if forged[len(forged)-2] == 'A' {
			forged[len(forged)-2] = 'B'
		} else {
			forged[len(forged)-2] = 'A'
		}
		for _, bad := range []string{"not-a-token", strings.Repeat("A", len(next.RefreshToken)), string(forged)} {
			refresh(e, bad).ExpectProblem(http.StatusUnauthorized, "invalid_refresh_token")
		}
		refresh(e, next.RefreshToken).Expect(http.StatusOK) // a forgery of it revoked nothing
	})
}
