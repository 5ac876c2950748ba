package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

func withKey(key string, r apitest.Request) apitest.Request {
	r.Header = map[string]string{"Idempotency-Key": key}
	return r
}

// R4: a retried resend with the same Idempotency-Key replays the first
// answer instead of sending another email. The key belongs to one actor of
// one organization and to one request; it is kept for 24 hours.
func TestResendIdempotencyKey(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		admin, adminToken := e.Manager(org, people.Admin)
		u := e.User(org, apitest.UserOpts{})
		other := e.User(org, apitest.UserOpts{})
		req := func(token string, id uuid.UUID) apitest.Request {
			return withKey("click-1", apitest.Request{Method: http.MethodPost, Path: userPath(id, "resend-invite"), Token: token})
		}

		first := e.Do(req(org.OwnerToken, u.ID)).Expect(http.StatusAccepted)
		require.Empty(t, first.Header.Get("Idempotent-Replayed"))
		for range 3 {
			again := e.Do(req(org.OwnerToken, u.ID)).Expect(http.StatusAccepted)
			require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
			require.JSONEq(t, string(first.Body), string(again.Body))
		}
		require.Len(t, history(e, org.OwnerToken, u.ID), 2, "one resend happened")
		require.Len(t, e.InviteJobsFor(history(e, org.OwnerToken, u.ID)[0].ID), 1, "one email queued")

		// The same key for another request is a client bug, not a retry.
		p := e.Do(req(org.OwnerToken, other.ID)).ExpectProblem(http.StatusConflict, "idempotency_key_reused")
		require.Contains(t, p.Detail, "different request")
		require.Len(t, history(e, org.OwnerToken, other.ID), 1)

		// Another actor's key of the same name is theirs alone.
		var res api.ResendResult
		e.Do(req(adminToken, u.ID)).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, 3, res.Invite.SentCount)
		require.Equal(t, admin.ID, *res.Invite.CreatedBy)

		// So is another organization's.
		org2 := e.Org()
		u2 := e.User(org2, apitest.UserOpts{})
		e.Do(req(org2.OwnerToken, u2.ID)).Expect(http.StatusAccepted)

		// Kept for 24 hours, then the key is free again.
		var ttl struct{ CreatedAt, ExpiresAt time.Time }
		require.NoError(t, e.DB.Gorm.Raw("SELECT created_at, expires_at FROM idempotency_keys WHERE organization_id = ? AND actor_id = ? AND key = ?",
			org.ID, org.Owner.ID, "click-1").Row().Scan(&ttl.CreatedAt, &ttl.ExpiresAt))
		require.Equal(t, 24*time.Hour, ttl.ExpiresAt.Sub(ttl.CreatedAt))
		e.Exec("UPDATE idempotency_keys SET expires_at = ? WHERE key = ?", time.Now().UTC().Add(-time.Second), "click-1")
		fresh := e.Do(req(org.OwnerToken, u.ID)).Expect(http.StatusAccepted)
		require.Empty(t, fresh.Header.Get("Idempotent-Replayed"))
		fresh.JSON(&res)
		require.Equal(t, 4, res.Invite.SentCount)
	})
}

// R4: concurrent requests with one key (a client retrying before the first
// answer came back) do the work once and all answer alike.
func TestConcurrentRetriesWithOneKeyActOnce(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		const n = 10
		responses := e.Concurrently(n, func(int) *apitest.Response {
			return e.Do(withKey("double-click", apitest.Request{Method: http.MethodPost,
				Path: userPath(u.ID, "resend-invite"), Token: org.OwnerToken}))
		})
		replayed := 0
		for _, r := range responses {
			r.Expect(http.StatusAccepted)
			require.JSONEq(t, string(responses[0].Body), string(r.Body))
			if r.Header.Get("Idempotent-Replayed") == "true" {
				replayed++
			}
		}
		require.Equal(t, n-1, replayed)
		require.Len(t, history(e, org.OwnerToken, u.ID), 2)
	})
}

// R4 for POST /users: a retried create returns the first user, with its
// Location, and creates nobody else.
func TestCreateUserIdempotencyKey(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		create := func(key string, body map[string]any) *apitest.Response {
			return e.Do(withKey(key, apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken, Body: body}))
		}
		body := map[string]any{"email": "retry@example.com", "first_name": "Rita"}
		first := create("create-1", body).Expect(http.StatusCreated)
		var created api.User
		first.JSON(&created)
		require.Equal(t, userPath(created.ID), first.Header.Get("Location"))

		again := create("create-1", body).Expect(http.StatusCreated)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
		require.JSONEq(t, string(first.Body), string(again.Body))

		p := create("create-1", map[string]any{"email": "someone-else@example.com"}).ExpectProblem(http.StatusConflict, "idempotency_key_reused")
		require.Empty(t, p.Errors)
		require.Equal(t, 1, e.Count("users", "organization_id = ? AND email IN ?", org.ID, []string{"retry@example.com", "someone-else@example.com"}))
		require.Len(t, e.InviteJobsFor(created.Invite.ID), 1)

		// Without a key, the same body is a new request: the email is taken.
		e.Post("/users", org.OwnerToken, body).ExpectProblem(http.StatusConflict, "email_taken")
		// A failed request keeps nothing: the key still works for a fixed request.
		e.OffContract().Do(withKey("create-2", apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken,
			Body: map[string]any{"email": "not an email"}})).ExpectProblem(http.StatusBadRequest, "invalid_request")
		create("create-2", map[string]any{"email": "fixed@example.com"}).Expect(http.StatusCreated)

		for _, bad := range []string{strings.Repeat("k", 256), "with space", "naïve"} {
			e.OffContract().Do(withKey(bad, apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken, Body: body})).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
		}
	})
}

// A replay is no back door: an actor demoted after the first request gets
// 403 for the retry, exactly as for a new request, not the stored answer.
func TestIdempotentReplayHonoursADemotion(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		hr, hrToken := e.Manager(org, people.HR)
		u := e.User(org, apitest.UserOpts{})
		retry := withKey("resend-once", apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "resend-invite"), Token: hrToken})
		e.Do(retry).Expect(http.StatusAccepted)
		require.Equal(t, "true", e.Do(retry).Expect(http.StatusAccepted).Header.Get("Idempotent-Replayed"))

		e.Exec(`UPDATE users SET role = 'learner' WHERE id = ?`, hr.ID)
		e.Do(retry).ExpectProblem(http.StatusForbidden, "forbidden")
		require.Len(t, history(e, org.OwnerToken, u.ID), 2, "nothing more was sent")
	})
}
