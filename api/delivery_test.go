package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

// wait bounds every wait for the workers: generous, since a loaded CI
// machine is slow, and never reached when things work.
const wait = 15 * time.Second

// linkIn returns the activation link a recipient sees, checking that the
// text and HTML parts carry the same one.
func linkIn(t *testing.T, p sendgridtest.Personalization) string {
	t.Helper()
	start := strings.Index(p.Text, apitest.AppBaseURL+"/activate?token=")
	require.GreaterOrEqual(t, start, 0, "the text part has an activation link: %s", p.Text)
	link := p.Text[start:]
	if end := strings.IndexAny(link, " \n\r"); end >= 0 {
		link = link[:end]
	}
	require.Contains(t, p.HTML, `href="`+link+`"`, "the HTML part links to the same URL")
	return link
}

// tokenOf is the activation token of a link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	return u.Query().Get("token")
}

// newInvitee creates an invite-pending user through the API.
func newInvitee(t *testing.T, e *apitest.Env, org apitest.Org, email string) api.User {
	t.Helper()
	var u api.User
	e.Post("/users", org.OwnerToken, map[string]any{"email": email, "first_name": "Ada", "last_name": "Lovelace"}).
		Expect(http.StatusCreated).JSON(&u)
	require.NotNil(t, u.Invite)
	return u
}

// readUser reads an invited user through the API.
func readUser(t *testing.T, e *apitest.Env, org apitest.Org, id uuid.UUID) api.User {
	t.Helper()
	var u api.User
	e.Get("/users/"+id.String(), org.OwnerToken).Expect(http.StatusOK).JSON(&u)
	require.NotNil(t, u.Invite)
	return u
}

// resendFor resends a user's invitation through the API.
func resendFor(t *testing.T, e *apitest.Env, org apitest.Org, id uuid.UUID) api.ResendResult {
	t.Helper()
	var r api.ResendResult
	e.Post("/users/"+id.String()+"/resend-invite", org.OwnerToken, nil).Expect(http.StatusAccepted).JSON(&r)
	return r
}

// The whole path of one invitation: the API queues it, the worker renders
// and sends it through the real SendGrid client, the fake receives exactly
// what SendGrid would, and the link in the email activates the account.
func TestInvitationEmailEndToEnd(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		created := newInvitee(t, e, org, "ada@example.com")
		require.Equal(t, "queued", created.Invite.Delivery.Status)
		require.Nil(t, created.Invite.LastSentAt)

		e.StartWorkers()
		msgs := e.SendGrid.WaitForMessages(t, 1, wait)
		jobs := e.WaitForInviteJobs(wait)
		require.Len(t, e.SendGrid.Messages(), 1, "one invitation, one email")
		require.Len(t, jobs, 1)
		require.Equal(t, rivertype.JobStateCompleted, jobs[0].State)

		msg := msgs[0]
		require.Equal(t, "invites@invited.test", msg.Request.From.Address)
		require.Equal(t, []string{mail.Category}, msg.Request.Categories)
		require.Len(t, msg.Personalizations, 1)
		p := msg.Personalizations[0]
		require.Equal(t, []string{"ada@example.com"}, p.To)
		require.Equal(t, map[string]string{
			mail.CustomArgInviteID: created.Invite.ID.String(), mail.CustomArgOrganizationID: org.ID.String(),
		}, p.CustomArgs)
		require.Contains(t, p.Subject, org.Name)
		require.Contains(t, p.Text, "Hello Ada,")
		require.Contains(t, p.Text, "Olive Owner", "the inviter is named")
		require.Contains(t, p.Text, created.Invite.ExpiresAt.UTC().Format("2 January 2006"), "the expiry date is in words")
		require.Contains(t, p.Text, "in 7 days")
		link := linkIn(t, p)

		// The invite records the provider's message id and shows "sent".
		require.Equal(t, msg.ID, e.LatestInvite(e.UserByID(org, created.ID)).Delivery.MessageID)
		got := readUser(t, e, org, created.ID)
		require.Equal(t, "sent", got.Invite.Delivery.Status)
		require.Empty(t, got.Invite.Delivery.Reason)
		require.Equal(t, 1, got.Invite.Delivery.Attempts)
		require.NotNil(t, got.Invite.LastSentAt)

		var accepted api.AcceptInviteResult
		e.Post("/invites/accept", "", map[string]any{"token": tokenOf(t, link), "password": apitest.Password}).
			Expect(http.StatusOK).JSON(&accepted)
		require.Equal(t, created.ID, accepted.User.ID)
		require.Equal(t, "confirmed", accepted.User.Status)
		e.Get("/me", accepted.AccessToken).Expect(http.StatusOK)
	})
}

// Resending twice in a row may mail every invitation whose job runs before
// the next resend, but only the newest link works (R3, R4).
func TestResendTwiceOnlyTheNewestLinkWorks(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		created := newInvitee(t, e, org, "grace@example.com")
		first := resendFor(t, e, org, created.ID)
		second := resendFor(t, e, org, created.ID)

		jobs := e.WaitForInviteJobs(wait)
		require.Len(t, jobs, 3, "one job per invitation")
		for _, j := range jobs {
			require.Equal(t, rivertype.JobStateCompleted, j.State, "a skipped invitation completes its job")
		}
		msgs := e.SendGrid.Messages()
		require.NotEmpty(t, msgs)
		require.LessOrEqual(t, len(msgs), 3)

		newest, sentNewest := second.Invite.ID.String(), 0
		for _, m := range msgs {
			p := m.Personalizations[0]
			token := tokenOf(t, linkIn(t, p))
			if p.CustomArgs[mail.CustomArgInviteID] == newest {
				sentNewest++
				e.Post("/invites/verify", "", map[string]any{"token": token}).Expect(http.StatusOK)
				continue
			}
			e.Post("/invites/verify", "", map[string]any{"token": token}).ExpectProblem(http.StatusGone, "invite_revoked")
			require.Equal(t, http.StatusGone, accept(e, token, apitest.Password).Status, "an older link never activates the account")
		}
		require.Equal(t, 1, sentNewest, "the newest invitation is mailed exactly once")
		for _, old := range []uuid.UUID{created.Invite.ID, first.Invite.ID} {
			require.Equal(t, http.StatusGone, accept(e, e.InviteToken(old), apitest.Password).Status)
		}
		require.Equal(t, http.StatusOK, accept(e, e.InviteToken(second.Invite.ID), apitest.Password).Status)
	})
}

// An invitation that stops being live before its job runs is never mailed,
// whatever ended it; the job completes without a request to the provider.
func TestInvitationThatStoppedBeingLiveIsNeverSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// end does something to the user whose invitation is queued;
		// it returns the invitation that must still be mailed, if any.
		end func(t *testing.T, e *apitest.Env, org apitest.Org, u api.User) *uuid.UUID
	}{
		{name: "superseded twice", end: func(t *testing.T, e *apitest.Env, org apitest.Org, u api.User) *uuid.UUID {
			resendFor(t, e, org, u.ID)
			newest := resendFor(t, e, org, u.ID).Invite.ID
			return &newest
		}},
		{name: "password set", end: func(t *testing.T, e *apitest.Env, org apitest.Org, u api.User) *uuid.UUID {
			e.Do(apitest.Request{Method: http.MethodPut, Path: "/users/" + u.ID.String() + "/password", Token: org.OwnerToken,
				Body: map[string]any{"generate": true}}).Expect(http.StatusOK)
			return nil
		}},
		{name: "deactivated", end: func(t *testing.T, e *apitest.Env, org apitest.Org, u api.User) *uuid.UUID {
			e.Post("/users/"+u.ID.String()+"/deactivate", org.OwnerToken, nil).Expect(http.StatusOK)
			return nil
		}},
		{name: "accepted", end: func(t *testing.T, e *apitest.Env, _ apitest.Org, u api.User) *uuid.UUID {
			require.Equal(t, http.StatusOK, accept(e, e.InviteToken(u.Invite.ID), apitest.Password).Status)
			return nil
		}},
		{name: "email changed", end: func(t *testing.T, e *apitest.Env, org apitest.Org, u api.User) *uuid.UUID {
			e.Do(apitest.Request{Method: http.MethodPatch, Path: "/users/" + u.ID.String(), Token: org.OwnerToken,
				Body: map[string]any{"email": "fixed-" + u.Email}}).Expect(http.StatusOK)
			return nil
		}},
		{name: "expired", end: func(t *testing.T, e *apitest.Env, _ apitest.Org, _ api.User) *uuid.UUID {
			e.Clock.Advance(8 * 24 * time.Hour)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				u := newInvitee(t, e, org, "queued@example.com")
				want := tt.end(t, e, org, u)

				e.StartWorkers()
				for _, j := range e.WaitForInviteJobs(wait) {
					require.Equal(t, rivertype.JobStateCompleted, j.State)
					require.Equal(t, 1, j.Attempt, "nothing to retry")
				}
				msgs := e.SendGrid.Messages()
				if want == nil {
					require.Empty(t, msgs)
					require.Zero(t, e.SendGrid.Requests())
					return
				}
				require.Len(t, msgs, 1)
				require.Equal(t, 1, e.SendGrid.Requests())
				require.Equal(t, want.String(), msgs[0].Personalizations[0].CustomArgs[mail.CustomArgInviteID])
			})
		})
	}
}
