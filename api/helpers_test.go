package api_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// strongPassword passes the policy for every user the factories make.
const strongPassword = "tangerine-Quartz-lamp-42-orbit"

// userPath is /users/{id} followed by more path segments.
func userPath(id uuid.UUID, more ...string) string {
	p := "/users/" + id.String()
	for _, m := range more {
		if m != "" {
			p += "/" + m
		}
	}
	return p
}

// listUsers fetches one page of GET /users?query.
func listUsers(e *apitest.Env, token, query string) api.UserList {
	e.T.Helper()
	var page api.UserList
	e.Get("/users?"+query, token).Expect(http.StatusOK).JSON(&page)
	return page
}

// idsOf lists the ids of users in order.
func idsOf(users []api.User) []uuid.UUID {
	out := make([]uuid.UUID, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// userIDs lists the ids of domain users in order.
func userIDs(users ...people.User) []uuid.UUID {
	out := make([]uuid.UUID, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// getUser reads a user through the API.
func getUser(e *apitest.Env, token string, id uuid.UUID) api.User {
	e.T.Helper()
	var u api.User
	e.Get(userPath(id), token).Expect(http.StatusOK).JSON(&u)
	return u
}

// history reads a user's invitations, newest first.
func history(e *apitest.Env, token string, id uuid.UUID) []api.Invite {
	e.T.Helper()
	var l api.InviteList
	e.Get(userPath(id, "invites"), token).Expect(http.StatusOK).JSON(&l)
	return l.Data
}

// liveInvites counts the user's invites that are neither revoked, accepted nor expired.
func liveInvites(t *testing.T, e *apitest.Env, userID uuid.UUID) int {
	t.Helper()
	return e.Count("invites", "user_id = ? AND revoked_at IS NULL AND accepted_at IS NULL AND expires_at > ?", userID, e.Clock.Now().UTC())
}

// storedUser reads a user straight from the store, password hash and all.
func storedUser(t *testing.T, e *apitest.Env, u people.User) people.User {
	t.Helper()
	fresh, err := e.Store.User(context.Background(), u.OrganizationID, u.ID)
	require.NoError(t, err)
	return fresh
}

// compareIDs orders ids the way both databases order uuid columns.
func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// auditEvents reads every audit event matching query, newest first.
func auditEvents(e *apitest.Env, token, query string) []api.AuditEvent {
	e.T.Helper()
	var all []api.AuditEvent
	cursor := ""
	for range 100 {
		q := "limit=200&" + query
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		var page api.AuditEventList
		e.Get("/audit-events?"+q, token).Expect(http.StatusOK).JSON(&page)
		all = append(all, page.Data...)
		if page.NextCursor == nil {
			return all
		}
		cursor = *page.NextCursor
	}
	e.T.Fatal("audit listing does not end")
	return nil
}

// signIn posts credentials to /auth/token.
func signIn(e *apitest.Env, org apitest.Org, email, password string) *apitest.Response {
	e.T.Helper()
	return e.Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": email, "password": password})
}
