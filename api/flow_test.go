package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
)

// The seed's whole story on both databases: invite, resend (the old link
// dies), accept with the new link, sign in.
func TestInviteResendAcceptSignIn(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var created api.User
		// The padded address is outside the contract's email format on purpose: the server normalizes it.
		r := e.Do(apitest.Request{Method: http.MethodPost, Path: "/users", Token: org.OwnerToken, Invalid: true,
			Body: map[string]any{"email": "  Ada.Lovelace@Example.com ", "first_name": "Ada", "last_name": "Lovelace"}})
		r.Expect(http.StatusCreated).JSON(&created)
		require.Equal(t, "ada.lovelace@example.com", created.Email)
		require.Equal(t, "invite_pending", created.Status)
		require.Equal(t, "/users/"+created.ID.String(), r.Header.Get("Location"))
		require.NotNil(t, created.Invite)
		first := e.InviteToken(created.Invite.ID)

		var list api.UserList
		e.Get("/users?status=invite_pending", org.OwnerToken).Expect(http.StatusOK).JSON(&list)
		require.Len(t, list.Data, 1)
		require.Equal(t, created.ID, list.Data[0].ID)

		var resent api.ResendResult
		e.Post("/users/"+created.ID.String()+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&resent)
		require.Equal(t, 2, resent.Invite.SentCount)
		second := e.InviteToken(resent.Invite.ID)

		p := e.Post("/invites/verify", "", map[string]any{"token": first}).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "superseded", p.Reason)
		e.Post("/invites/accept", "", map[string]any{"token": first, "password": apitest.Password}).ExpectProblem(http.StatusGone, "invite_revoked")

		var details api.InviteDetails
		e.Post("/invites/verify", "", map[string]any{"token": second}).Expect(http.StatusOK).JSON(&details)
		require.Equal(t, "ada.lovelace@example.com", details.Email)
		require.Equal(t, org.Slug, details.Organization.Slug)

		var accepted api.AcceptInviteResult
		e.Post("/invites/accept", "", map[string]any{"token": second, "password": apitest.Password}).Expect(http.StatusOK).JSON(&accepted)
		require.Equal(t, "confirmed", accepted.User.Status)
		require.Equal(t, "Bearer", accepted.TokenType)
		e.Get("/me", accepted.AccessToken).Expect(http.StatusOK)

		e.Post("/invites/accept", "", map[string]any{"token": second, "password": apitest.Password}).ExpectProblem(http.StatusGone, "invite_accepted")

		var tok api.TokenResponse
		e.Post("/auth/token", "", map[string]any{"organization": org.Slug, "email": "ADA.lovelace@example.com", "password": apitest.Password}).
			Expect(http.StatusOK).JSON(&tok)
		require.False(t, tok.PasswordChangeRequired)
		require.Equal(t, 900, tok.ExpiresIn)

		e.Post("/users/"+created.ID.String()+"/resend-invite", org.OwnerToken, nil).ExpectProblem(http.StatusConflict, "invite_not_pending")

		// Expiry: a fresh user's link after the TTL is expired and renewable.
		var other api.User
		e.Post("/users", org.OwnerToken, map[string]any{"email": "late@example.com"}).Expect(http.StatusCreated).JSON(&other)
		late := e.InviteToken(other.Invite.ID)
		e.Clock.Advance(8 * 24 * time.Hour)
		p = e.Post("/invites/verify", "", map[string]any{"token": late}).ExpectProblem(http.StatusGone, "invite_expired")
		require.NotNil(t, p.Renewable)
		require.True(t, *p.Renewable)
	})
}
