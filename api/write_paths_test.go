package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
)

// The writes of a resend, as the store issues them in plain SQL: every
// resend numbers its invite after the last one, points the user at it,
// supersedes the previous one and is audited; and a user update still
// reports a taken email as such.
func TestResendNumbersSupersedesAndAudits(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "grace@example.com"})
		other := e.User(org, apitest.UserOpts{Email: "ada@example.com", NoInvite: true})
		path := "/users/" + u.ID.String()

		for want := 2; want <= 4; want++ {
			var res api.ResendResult
			e.Post(path+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&res)
			require.Equal(t, want, res.Invite.SentCount)
			require.Equal(t, "live", res.Invite.State)

			var got api.User
			e.Get(path, org.OwnerToken).Expect(http.StatusOK).JSON(&got)
			require.NotNil(t, got.Invite)
			require.Equal(t, res.Invite.ID, got.Invite.ID, "the user points at the newest invite")
		}
		var history api.InviteList
		e.Get(path+"/invites", org.OwnerToken).Expect(http.StatusOK).JSON(&history)
		require.Len(t, history.Data, 4)
		for i, inv := range history.Data {
			require.Equal(t, 4-i, inv.SentCount, "newest first")
			if i > 0 {
				require.Equal(t, "revoked", inv.State)
				require.Equal(t, "superseded", inv.RevokeReason)
			}
		}

		var audit api.AuditEventList
		e.Get("/audit-events?action=invite.resent&target_user_id="+u.ID.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&audit)
		require.Len(t, audit.Data, 3)
		require.EqualValues(t, 4, audit.Data[0].Metadata["sequence"])
		require.EqualValues(t, 1, audit.Data[0].Metadata["invites_revoked"])

		// The first invitation of a user created without one is number 1.
		var first api.ResendResult
		e.Post("/users/"+other.ID.String()+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&first)
		require.Equal(t, 1, first.Invite.SentCount)

		p := e.Do(apitest.Request{Method: http.MethodPatch, Path: "/users/" + other.ID.String(), Token: org.OwnerToken,
			Body: map[string]any{"email": "Grace@Example.com"}}).ExpectProblem(http.StatusConflict, "email_taken")
		require.Equal(t, "email", p.Errors[0].Field)
	})
}
