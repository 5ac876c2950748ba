package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

func verifyToken(e *apitest.Env, token string) *apitest.Response {
	e.T.Helper()
	return e.Post("/invites/verify", "", map[string]any{"token": token})
}

// Revoking kills the live link at once and leaves the person invited; the
// old link answers 410 revoked, and a resend invites them again.
func TestRevokeInvite(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		hr, hrToken := e.Manager(org, people.HR)
		u := e.User(org, apitest.UserOpts{})
		old := e.InviteToken(u.Invite.ID)
		verifyToken(e, old).Expect(http.StatusOK)

		var revoked api.User
		e.Post(userPath(u.ID, "revoke-invite"), hrToken, nil).Expect(http.StatusOK).JSON(&revoked)
		require.Equal(t, "invite_pending", revoked.Status)
		require.Equal(t, u.Invite.ID, revoked.Invite.ID)
		require.Equal(t, "revoked", revoked.Invite.State)
		require.Equal(t, "revoked", revoked.Invite.RevokeReason)
		require.NotNil(t, revoked.Invite.RevokedAt)
		require.Equal(t, revoked, getUser(e, hrToken, u.ID))
		require.Zero(t, liveInvites(t, e, u.ID))

		p := verifyToken(e, old).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "revoked", p.Reason)
		require.Contains(t, p.Detail, "revoked by an administrator")
		e.Post("/invites/accept", "", map[string]any{"token": old, "password": strongPassword}).ExpectProblem(http.StatusGone, "invite_revoked")
		e.Post("/invites/renew", "", map[string]any{"token": old}).ExpectProblem(http.StatusGone, "invite_revoked")

		p = e.Post(userPath(u.ID, "revoke-invite"), hrToken, nil).ExpectProblem(http.StatusConflict, "invite_not_live")
		require.Equal(t, "revoked", p.InviteState)

		events := auditEvents(e, org.OwnerToken, "action=invite.revoked&target_user_id="+u.ID.String())
		require.Len(t, events, 1)
		require.Equal(t, hr.ID, *events[0].ActorID)
		require.Equal(t, u.Invite.ID.String(), events[0].Metadata["invite_id"])

		var res api.ResendResult
		e.Post(userPath(u.ID, "resend-invite"), hrToken, nil).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, 2, res.Invite.SentCount)
		verifyToken(e, e.InviteToken(res.Invite.ID)).Expect(http.StatusOK)
		verifyToken(e, old).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, 1, liveInvites(t, e, u.ID))
	})
}

// Revoking needs a live invitation; the answer names the state of the
// latest one. Rank rules are those of a resend.
func TestRevokeInviteRefusals(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, hrToken := e.Manager(org, people.HR)
		_, learnerToken := e.Manager(org, people.Learner)
		_, curatorToken := e.Manager(org, people.Curator)

		never := e.User(org, apitest.UserOpts{NoInvite: true})
		p := e.Post(userPath(never.ID, "revoke-invite"), hrToken, nil).ExpectProblem(http.StatusConflict, "invite_not_live")
		require.Equal(t, "none", p.InviteState)

		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		p = e.Post(userPath(confirmed.ID, "revoke-invite"), hrToken, nil).ExpectProblem(http.StatusConflict, "invite_not_live")
		require.Equal(t, "revoked", p.InviteState, "setting the password revoked it")

		expired := e.User(org, apitest.UserOpts{})
		e.Exec(`UPDATE invites SET created_at = ?, expires_at = ? WHERE id = ?`, e.Clock.Now().Add(-48*time.Hour).UTC(),
			e.Clock.Now().Add(-time.Hour).UTC().Truncate(time.Second), expired.Invite.ID)
		p = e.Post(userPath(expired.ID, "revoke-invite"), hrToken, nil).ExpectProblem(http.StatusConflict, "invite_not_live")
		require.Equal(t, "expired", p.InviteState)

		admin := e.User(org, apitest.UserOpts{Role: people.Admin})
		e.Post(userPath(admin.ID, "revoke-invite"), hrToken, nil).ExpectProblem(http.StatusForbidden, "insufficient_rank")
		e.Post(userPath(admin.ID, "revoke-invite"), org.OwnerToken, nil).Expect(http.StatusOK)

		learner := e.User(org, apitest.UserOpts{})
		e.Post(userPath(learner.ID, "revoke-invite"), learnerToken, nil).ExpectProblem(http.StatusForbidden, "forbidden")
		e.Post(userPath(learner.ID, "revoke-invite"), curatorToken, nil).ExpectProblem(http.StatusForbidden, "forbidden")
		require.Equal(t, 1, liveInvites(t, e, learner.ID), "a refused revoke changes nothing")
		require.Len(t, auditEvents(e, org.OwnerToken, "action=invite.revoked"), 1)
	})
}

// A revoked invitation whose email is still queued is never mailed: the
// worker skips links that stopped being live.
func TestRevokedInviteIsNotMailed(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		e.Post(userPath(u.ID, "revoke-invite"), org.OwnerToken, nil).Expect(http.StatusOK)
		e.StartWorkers()
		e.WaitForInviteJobsWhere(time.Minute, "the email job finished", func(jobs []apitest.InviteJob) bool {
			return len(jobs) == 1 && jobs[0].FinalizedAt != nil
		})
		require.Empty(t, e.SendGrid.Messages())
	})
}

// The user view names who sent the latest invitation; the listing filters by it.
func TestInvitedBy(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ada := e.User(org, apitest.UserOpts{Role: people.Admin, FirstName: "Ada", LastName: "Lovelace", Status: people.Confirmed})
		adaToken := e.Token(ada)
		nameless, namelessToken := e.Manager(org, people.HR)
		e.Exec(`UPDATE users SET first_name = '', last_name = '' WHERE id = ?`, nameless.ID)

		var byAda api.User
		createUser(e, adaToken, map[string]any{"email": "x@example.com"}).Expect(http.StatusCreated).JSON(&byAda)
		require.Equal(t, &api.Inviter{ID: ada.ID, Name: "Ada Lovelace"}, byAda.InvitedBy)
		require.Equal(t, byAda, getUser(e, adaToken, byAda.ID))

		byOwner := e.User(org, apitest.UserOpts{})
		require.Equal(t, &api.Inviter{ID: org.Owner.ID, Name: "Olive Owner"}, getUser(e, adaToken, byOwner.ID).InvitedBy)

		resent := e.User(org, apitest.UserOpts{})
		e.Post(userPath(resent.ID, "resend-invite"), namelessToken, nil).Expect(http.StatusAccepted)
		require.Equal(t, &api.Inviter{ID: nameless.ID, Name: nameless.Email}, getUser(e, adaToken, resent.ID).InvitedBy,
			"the latest invitation's sender, by email when they have no name")

		silent := e.User(org, apitest.UserOpts{NoInvite: true})
		require.Nil(t, getUser(e, adaToken, silent.ID).InvitedBy)

		require.Equal(t, []uuid.UUID{byAda.ID}, idsOf(listUsers(e, adaToken, "invited_by="+ada.ID.String()).Data))
		require.Equal(t, userIDs(resent), idsOf(listUsers(e, adaToken, "invited_by="+nameless.ID.String()).Data))
		require.Empty(t, listUsers(e, adaToken, "invited_by="+silent.ID.String()).Data)
		for _, u := range listUsers(e, adaToken, "limit=200").Data {
			if u.ID == byOwner.ID {
				require.Equal(t, "Olive Owner", u.InvitedBy.Name, "listings carry invited_by too")
			}
		}
		p := e.OffContract().Get("/users?invited_by=ada", adaToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "invited_by", p.Errors[0].Field)

		// Another organization's manager filters nothing of this one.
		other := e.Org()
		require.Empty(t, listUsers(e, other.OwnerToken, "invited_by="+ada.ID.String()).Data)
	})
}
