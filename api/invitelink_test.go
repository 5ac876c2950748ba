package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/people"
)

func issueLink(e *apitest.Env, token string, u people.User, query string, header map[string]string) *apitest.Response {
	e.T.Helper()
	path := userPath(u.ID, "invite-link")
	if query != "" {
		path += "?" + query
	}
	return e.Do(apitest.Request{Method: http.MethodPost, Path: path, Token: token, Header: header})
}

// linkToken is the activation token of an invite link, as the activation page reads it.
func linkToken(t *testing.T, link string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(link, apitest.AppBaseURL+"/activate?token="), link)
	tok, err := url.QueryUnescape(apitest.TokenFromLink(t, link))
	require.NoError(t, err)
	return tok
}

// An invite link is a resend that sends nothing: a fresh invitation
// replaces the earlier link, and its URL is answered to the manager.
func TestInviteLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		hr, hrToken := e.Manager(org, people.HR)
		u := e.User(org, apitest.UserOpts{})
		old := e.InviteToken(u.Invite.ID)

		r := issueLink(e, hrToken, u, "", nil).Expect(http.StatusCreated)
		require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		var res api.InviteLinkResult
		r.JSON(&res)
		require.False(t, res.URLWithheld)
		require.Equal(t, 2, res.Invite.SentCount)
		require.Equal(t, "live", res.Invite.State)
		require.Equal(t, "by_hand", res.Invite.Delivery.Status)
		require.Equal(t, &hr.ID, res.Invite.CreatedBy)
		require.Equal(t, res.Invite.CreatedAt.Add(7*24*time.Hour).Truncate(time.Second), res.Invite.ExpiresAt)

		verifyToken(e, old).ExpectProblem(http.StatusGone, "invite_revoked")
		link := linkToken(t, res.URL)
		verifyToken(e, link).Expect(http.StatusOK)
		require.Empty(t, e.InviteJobsFor(res.Invite.ID), "no email is queued")
		require.Equal(t, 1, liveInvites(t, e, u.ID))

		seen := getUser(e, hrToken, u.ID)
		require.Equal(t, res.Invite, *seen.Invite)
		require.Equal(t, &api.Inviter{ID: hr.ID, Name: hr.FirstName + " " + hr.LastName}, seen.InvitedBy)
		require.Equal(t, []string{u.ID.String()}, ids(listUsers(e, hrToken, "delivery_status=by_hand").Data))

		events := auditEvents(e, org.OwnerToken, "action=invite.link_issued")
		require.Len(t, events, 1)
		require.Equal(t, hr.ID, *events[0].ActorID)
		require.Equal(t, u.ID, *events[0].TargetUserID)
		require.Equal(t, res.Invite.ID.String(), events[0].Metadata["invite_id"])

		// The person activates the account with the link they were handed.
		e.Post("/invites/accept", "", map[string]any{"token": link, "password": strongPassword}).Expect(http.StatusOK)
		require.Equal(t, "confirmed", getUser(e, hrToken, u.ID).Status)
		require.Empty(t, e.SendGrid.Messages())
	})
}

func ids(users []api.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID.String()
	}
	return out
}

// The URL is answered once and kept nowhere: not in the database (the
// invites, the idempotency keys, the audit trail), not in the job queue,
// not in the logs. A replay under the same Idempotency-Key answers the
// invitation without it.
func TestInviteLinkIsAnsweredOnceAndStoredNowhere(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		u := e.User(org, apitest.UserOpts{})
		key := map[string]string{"Idempotency-Key": "copy-link-1"}

		var first api.InviteLinkResult
		issueLink(e, org.OwnerToken, u, "expires_in=48", key).Expect(http.StatusCreated).JSON(&first)
		link := linkToken(t, first.URL)

		r := issueLink(e, org.OwnerToken, u, "expires_in=48", key).Expect(http.StatusCreated)
		require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
		require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
		var replay api.InviteLinkResult
		r.JSON(&replay)
		require.Empty(t, replay.URL, "the link is not replayed")
		require.True(t, replay.URLWithheld)
		require.Equal(t, first.Invite, replay.Invite, "the replay names the same invitation")
		require.NotContains(t, string(r.Body), link)
		verifyToken(e, link).Expect(http.StatusOK) // the replay issued nothing
		require.Len(t, history(e, org.OwnerToken, u.ID), 2)

		issueLink(e, org.OwnerToken, u, "expires_in=72", key).ExpectProblem(http.StatusConflict, "idempotency_key_reused")

		require.Empty(t, e.Secrets(first.URL, link, url.QueryEscape(link)), "the URL and its token are stored and logged nowhere")
		require.Equal(t, 1, e.Count("idempotency_keys", "key = ?", "copy-link-1"), "the replayed answer is kept, without the URL")
	})
}

// Twenty managers copying the link at once end with one live link: every
// other URL answered is already superseded.
func TestInviteLinkConcurrency(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		responses := e.Concurrently(20, func(int) *apitest.Response { return issueLink(e, org.OwnerToken, u, "", nil) })
		live, superseded := 0, 0
		for _, r := range responses {
			var res api.InviteLinkResult
			r.Expect(http.StatusCreated).JSON(&res)
			v := verifyToken(e, linkToken(t, res.URL))
			switch v.Status {
			case http.StatusOK:
				live++
			default:
				p := v.ExpectProblem(http.StatusGone, "invite_revoked")
				require.Equal(t, "superseded", p.Reason)
				superseded++
			}
		}
		require.Equal(t, 1, live, "exactly one link works")
		require.Equal(t, 19, superseded)
		require.Equal(t, 1, liveInvites(t, e, u.ID))
		require.Len(t, history(e, org.OwnerToken, u.ID), 21)
	})
}

// Invite links follow the rules of a resend: invite-pending users only,
// rank, people managers; expires_in within its bounds.
func TestInviteLinkRefusals(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		_, hrToken := e.Manager(org, people.HR)
		_, learnerToken := e.Manager(org, people.Learner)
		confirmed := e.User(org, apitest.UserOpts{Status: people.Confirmed})
		p := issueLink(e, hrToken, confirmed, "", nil).ExpectProblem(http.StatusConflict, "invite_not_pending")
		require.Equal(t, "confirmed", p.UserStatus)
		admin := e.User(org, apitest.UserOpts{Role: people.Admin})
		issueLink(e, hrToken, admin, "", nil).ExpectProblem(http.StatusForbidden, "insufficient_rank")
		u := e.User(org, apitest.UserOpts{})
		issueLink(e, learnerToken, u, "", nil).ExpectProblem(http.StatusForbidden, "forbidden")
		for _, q := range []string{"expires_in=23", "expires_in=721", "expires_in=0", "expires_in=-5", "expires_in=99999999999999"} {
			p := e.Do(apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "invite-link") + "?" + q, Token: hrToken, Invalid: true}).
				ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "expires_in", p.Errors[0].Field, q)
		}
		e.Do(apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "invite-link") + "?expires_in=two-days", Token: hrToken, Invalid: true}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		e.Do(apitest.Request{Method: http.MethodPost, Path: userPath(u.ID, "invite-link") + "?send=false", Token: hrToken, Invalid: true}).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Len(t, history(e, org.OwnerToken, u.ID), 1, "nothing was issued")
		require.Empty(t, auditEvents(e, org.OwnerToken, "action=invite.link_issued"))
	})
}
