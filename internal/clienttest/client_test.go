package clienttest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/require"

	invited "github.com/invitedhq/invited/clients/go"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

// The seed's whole story, driven by an integration through the generated
// client against a real server on both databases: sign in as the owner,
// list who is invite-pending, resend one invitation and read its history,
// set another user's password by hand, and have that user sign in and
// replace the temporary password. Every exchange is also checked against
// openapi.yaml by the server's test handler.
func TestSeedFlowThroughTheGeneratedClient(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ada := e.User(org, apitest.UserOpts{Email: "ada.lovelace@example.com", FirstName: "Ada", LastName: "Lovelace"})
		grace := e.User(org, apitest.UserOpts{Email: "grace.hopper@example.com", FirstName: "Grace", LastName: "Hopper"})
		e.User(org, apitest.UserOpts{Status: people.Confirmed})
		srv := httptest.NewServer(e.Handler)
		t.Cleanup(srv.Close)
		api, err := invited.NewClientWithResponses(srv.URL)
		require.NoError(t, err)
		ctx := t.Context()

		signIn := func(email, password string) *invited.TokenResponse {
			t.Helper()
			r, err := api.SignInWithResponse(ctx, invited.SignInRequest{Organization: org.Slug, Email: openapi_types.Email(email), Password: password})
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, r.StatusCode(), "%s", r.Body)
			return r.JSON200
		}

		// The owner signs in.
		owner := invited.BearerToken(signIn(org.Owner.Email, apitest.Password).AccessToken)

		// People → Individuals, filtered to "Invite Pending".
		pending, err := api.ListUsersWithResponse(ctx, &invited.ListUsersParams{
			Status: &[]invited.ListUsersParamsStatus{invited.ListUsersParamsStatusInvitePending},
			Sort:   new(invited.ListUsersParamsSortEmail),
		}, owner)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, pending.StatusCode(), "%s", pending.Body)
		require.Len(t, pending.JSON200.Data, 2)
		require.Equal(t, ada.ID, pending.JSON200.Data[0].Id)
		require.Equal(t, grace.ID, pending.JSON200.Data[1].Id)
		require.False(t, pending.JSON200.HasMore)
		for _, u := range pending.JSON200.Data {
			require.Equal(t, invited.UserStatusInvitePending, u.Status)
		}

		// ⋮ → Resend invite, safe to retry with an idempotency key.
		resent, err := api.ResendInviteWithResponse(ctx, ada.ID, &invited.ResendInviteParams{IdempotencyKey: new("resend-ada-1")}, owner)
		require.NoError(t, err)
		require.Equal(t, http.StatusAccepted, resent.StatusCode(), "%s", resent.Body)
		require.EqualValues(t, 2, resent.JSON202.Invite.SentCount)
		require.Equal(t, invited.InviteStateLive, resent.JSON202.Invite.State)
		replay, err := api.ResendInviteWithResponse(ctx, ada.ID, &invited.ResendInviteParams{IdempotencyKey: new("resend-ada-1")}, owner)
		require.NoError(t, err)
		require.Equal(t, resent.JSON202.Invite.Id, replay.JSON202.Invite.Id, "a retry sends nothing new")
		require.Equal(t, "true", replay.HTTPResponse.Header.Get("Idempotent-Replayed"))

		// Her invitation history: the new link is live, the first one superseded.
		history, err := api.ListUserInvitesWithResponse(ctx, ada.ID, owner)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, history.StatusCode(), "%s", history.Body)
		require.Len(t, history.JSON200.Data, 2)
		require.Equal(t, resent.JSON202.Invite.Id, history.JSON200.Data[0].Id)
		first := history.JSON200.Data[1]
		require.Equal(t, invited.InviteStateRevoked, first.State)
		require.NotNil(t, first.RevokeReason)
		require.Equal(t, invited.InviteRevokeReasonSuperseded, *first.RevokeReason)

		// ⋮ → Set password for Grace, whose email does not get through.
		const temporary, own = "copper-lantern-orbit-58", "velvet-canyon-thistle-93"
		set, err := api.SetPasswordWithResponse(ctx, grace.ID, invited.SetPasswordRequest{Password: new(temporary)}, owner)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, set.StatusCode(), "%s", set.Body)
		require.Equal(t, invited.UserStatusConfirmed, set.JSON200.User.Status)
		require.True(t, set.JSON200.User.MustChangePassword)
		require.Nil(t, set.JSON200.Password, "a password the administrator chose is never echoed")

		// Grace signs in with it and is told to change it, then does.
		tok := signIn("grace.hopper@example.com", temporary)
		require.True(t, tok.PasswordChangeRequired)
		changed, err := api.ChangeMyPasswordWithResponse(ctx, invited.ChangePasswordRequest{CurrentPassword: temporary, NewPassword: own},
			invited.BearerToken(tok.AccessToken))
		require.NoError(t, err)
		require.Equal(t, http.StatusNoContent, changed.StatusCode(), "%s", changed.Body)
		require.False(t, signIn("grace.hopper@example.com", own).PasswordChangeRequired)

		// The temporary password is gone: a problem a program can switch on.
		old, err := api.SignInWithResponse(ctx, invited.SignInRequest{Organization: org.Slug, Email: "grace.hopper@example.com", Password: temporary})
		require.NoError(t, err)
		require.Equal(t, http.StatusUnauthorized, old.StatusCode())
		require.Equal(t, invited.ProblemCodeInvalidCredentials, old.ApplicationproblemJSON401.Code)
		require.Equal(t, old.HTTPResponse.Header.Get("X-Request-ID"), old.ApplicationproblemJSON401.RequestId)
	})
}
