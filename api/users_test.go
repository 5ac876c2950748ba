package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

func createUser(e *apitest.Env, token string, body map[string]any) *apitest.Response {
	e.T.Helper()
	return e.Post("/users", token, body)
}

// Creating a user: the email is trimmed and lower-cased, the first
// invitation goes out unless send_invite is false, and the view says where
// the invitation stands.
func TestCreateUser(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		var u api.User
		// Padding around the email goes beyond the contract's format; the server trims it.
		r := e.OffContract().Post("/users", org.OwnerToken, map[string]any{"email": "  Grace.Hopper@Example.COM ", "first_name": " Grace ",
			"last_name": "Hopper", "role": "curator", "permissions": []string{"people", "people"}}).Expect(http.StatusCreated)
		r.JSON(&u)
		require.Equal(t, userPath(u.ID), r.Header.Get("Location"))
		require.Equal(t, "grace.hopper@example.com", u.Email)
		require.Equal(t, "Grace", u.FirstName)
		require.Equal(t, "curator", u.Role)
		require.Equal(t, []string{"people"}, u.Permissions)
		require.Equal(t, "invite_pending", u.Status)
		require.False(t, u.MustChangePassword)
		require.Nil(t, u.ConfirmedAt)
		require.Empty(t, u.EmailSuggestion)
		require.NotNil(t, u.Invite)
		require.Equal(t, "live", u.Invite.State)
		require.Equal(t, 1, u.Invite.SentCount)
		require.Nil(t, u.Invite.LastSentAt, "not handed to the provider yet")
		require.Equal(t, "queued", u.Invite.Delivery.Status)
		require.Equal(t, u.Invite.CreatedAt.Add(7*24*time.Hour).Truncate(time.Second), u.Invite.ExpiresAt)
		require.Equal(t, u, getUser(e, org.OwnerToken, u.ID), "the answer is the stored user")
		require.Len(t, e.InviteJobsFor(u.Invite.ID), 1)

		p := createUser(e, org.OwnerToken, map[string]any{"email": "GRACE.hopper@example.com"}).ExpectProblem(http.StatusConflict, "email_taken")
		require.Equal(t, "email", p.Errors[0].Field)

		var silent api.User
		createUser(e, org.OwnerToken, map[string]any{"email": "quiet@example.com", "send_invite": false}).Expect(http.StatusCreated).JSON(&silent)
		require.Nil(t, silent.Invite)
		require.Equal(t, "invite_pending", silent.Status)
		require.Len(t, e.Jobs("invite_email"), 1, "nothing queued for the silent user")
	})
}

// R10: email syntax is checked, every invalid field is reported, and a
// domain that looks like a typo of a common mail domain earns a suggestion.
func TestCreateUserValidatesInput(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, bad := range []string{"", "   ", "not-an-email", "ada@", "@example.com", "ada@example", "ada@@example.com",
			"Ada <ada@example.com>", "ada@.example.com", "ada@example..com", "ada@example.com.", "ada lovelace@example.com",
			"ada@[192.0.2.1]", strings.Repeat("a", 65) + "@example.com", "a@" + strings.Repeat("b", 250) + ".com"} {
			p := e.OffContract().Post("/users", org.OwnerToken, map[string]any{"email": bad}).ExpectProblem(http.StatusBadRequest, "invalid_request")
			require.Equal(t, "email", p.Errors[0].Field, "%q", bad)
			require.Equal(t, "invalid_email", p.Errors[0].Code, "%q", bad)
		}

		p := e.OffContract().Post("/users", org.OwnerToken, map[string]any{"email": "bad", "role": "root", "permissions": []string{"admin"},
			"first_name": strings.Repeat("x", 101), "last_name": "a\x01b"}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		fields := map[string]string{}
		for _, f := range p.Errors {
			fields[f.Field] = f.Code
		}
		require.Equal(t, map[string]string{"email": "invalid_email", "role": "invalid", "permissions": "invalid",
			"first_name": "too_long", "last_name": "invalid"}, fields)
		require.Zero(t, e.Count("users", "organization_id = ? AND role = 'learner'", org.ID))

		for email, suggestion := range map[string]string{
			"ada@gmial.com":     "ada@gmail.com",
			"ada@gmail.co":      "ada@gmail.com",
			"bob@hotmial.com":   "bob@hotmail.com",
			"cy@outlok.com":     "cy@outlook.com",
			"di@yahooo.com":     "di@yahoo.com",
			"ed@iclod.com":      "ed@icloud.com",
			"fay@gmail.com":     "",
			"gus@example.com":   "",
			"hal@acme-corp.com": "",
		} {
			var u api.User
			createUser(e, org.OwnerToken, map[string]any{"email": email}).Expect(http.StatusCreated).JSON(&u)
			require.Equal(t, suggestion, u.EmailSuggestion, email)
		}
	})
}

// R9: the view tells where an invitation stands: sent, when, until when,
// and what the provider reported.
func TestUserViewTracksDelivery(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		e.StartWorkers()
		org := e.Org()
		u := e.User(org, apitest.UserOpts{})
		e.SendGrid.WaitForMessages(t, 1, 10*time.Second)
		require.Eventually(t, func() bool {
			return getUser(e, org.OwnerToken, u.ID).Invite.Delivery.Status == "sent"
		}, 10*time.Second, 20*time.Millisecond)
		v := getUser(e, org.OwnerToken, u.ID)
		require.NotNil(t, v.Invite.LastSentAt)
		require.Equal(t, 1, v.Invite.Delivery.Attempts)
		require.Equal(t, u.Invite.ExpiresAt.UTC(), v.Invite.ExpiresAt)

		e.DeliveryEvent(org, u.Invite.ID, sendgridtest.Delivered)
		require.Equal(t, "delivered", getUser(e, org.OwnerToken, u.ID).Invite.Delivery.Status)

		listed := listUsers(e, org.OwnerToken, "status=invite_pending").Data
		require.Len(t, listed, 1)
		require.Equal(t, "delivered", listed[0].Invite.Delivery.Status)
		require.Equal(t, *v.Invite.LastSentAt, *listed[0].Invite.LastSentAt)
		require.Equal(t, "live", listed[0].Invite.State)
		require.Equal(t, 1, listed[0].Invite.SentCount)
	})
}

// R9: resending after a failed delivery still sends, and warns with advice
// that fits the failure.
func TestResendWarnsAboutFailedDelivery(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, tc := range []struct {
			event, bounceType, code string
			mentions                []string
		}{
			{sendgridtest.Bounce, "", "previous_delivery_bounced", []string{"bounced", "550 5.1.1", "set a password"}},
			{sendgridtest.Dropped, "", "previous_delivery_dropped", []string{"dropped", "Bounced Address", "set a password"}},
			{sendgridtest.Bounce, "blocked", "previous_delivery_blocked", []string{"blocked", "firewall", "set a password"}},
			{sendgridtest.SpamReport, "", "previous_delivery_spam_report", []string{"spam"}},
			{sendgridtest.Delivered, "", "", nil},
			{sendgridtest.Deferred, "", "", nil},
		} {
			// A domain per case: failures piling up at one domain would make
			// it degraded, which is another warning (see domains_test.go).
			u := e.User(org, apitest.UserOpts{Email: "ada@" + tc.event + tc.bounceType + ".example"})
			e.DeliveryEvents(sendgridtest.Event{Type: tc.event, BounceType: tc.bounceType, InviteID: u.Invite.ID.String(),
				OrganizationID: org.ID.String(), Email: u.Email})
			var res api.ResendResult
			resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
			require.Equal(t, 2, res.Invite.SentCount, "%s %s: it still sends", tc.event, tc.bounceType)
			if tc.code == "" {
				require.Empty(t, res.Warnings, tc.event)
				continue
			}
			require.Len(t, res.Warnings, 1, tc.event)
			require.Equal(t, tc.code, res.Warnings[0].Code)
			for _, m := range tc.mentions {
				require.Contains(t, res.Warnings[0].Message, m)
			}
			// The new invitation is queued: nothing to warn about any more.
			resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
			require.Empty(t, res.Warnings)
		}

		typo := e.User(org, apitest.UserOpts{Email: "ada@gmial.com"})
		e.DeliveryEvent(org, typo.Invite.ID, sendgridtest.Bounce)
		var res api.ResendResult
		resend(e, org.OwnerToken, typo.ID).Expect(http.StatusAccepted).JSON(&res)
		var codes []string
		for _, w := range res.Warnings {
			codes = append(codes, w.Code)
		}
		require.Equal(t, []string{"previous_delivery_bounced", "email_suggestion"}, codes)
		require.Contains(t, res.Warnings[1].Message, "ada@gmail.com")
	})
}

// R11: the email of an invite-pending user can change, which voids their
// links; a confirmed or deactivated user's email cannot change here.
func TestChangeEmail(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u := e.User(org, apitest.UserOpts{Email: "typo@gmial.com"})
		require.Equal(t, "typo@gmail.com", u.EmailSuggestion)
		link := e.InviteToken(u.Invite.ID)

		// The same address in another case is no change at all.
		var v api.User
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "TYPO@gmial.com"}).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, "live", v.Invite.State)

		v = api.User{} // omitted members must not keep earlier values
		e.OffContract().Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": " Fixed@Gmail.com "}).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, "fixed@gmail.com", v.Email)
		require.Empty(t, v.EmailSuggestion)
		require.Equal(t, "invite_pending", v.Status)
		require.Equal(t, "revoked", v.Invite.State)
		require.Equal(t, "email_changed", v.Invite.RevokeReason)
		require.Zero(t, liveInvites(t, e, u.ID))
		p := verify(e, link).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "email_changed", p.Reason)
		events := auditEvents(e, org.OwnerToken, "action=user.email_changed")
		require.Len(t, events, 1)
		require.Equal(t, map[string]any{"from": "typo@gmial.com", "to": "fixed@gmail.com", "invites_revoked": 1.0}, events[0].Metadata)

		// The next invitation goes to the new address.
		e.StartWorkers()
		var res api.ResendResult
		resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
		msgs := e.SendGrid.WaitForMessages(t, 1, 10*time.Second)
		require.Equal(t, []string{"fixed@gmail.com"}, msgs[0].Personalizations[0].To)

		other := e.User(org, apitest.UserOpts{Email: "taken@example.com"})
		p = e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "TAKEN@example.com"}).ExpectProblem(http.StatusConflict, "email_taken")
		require.Equal(t, "email", p.Errors[0].Field)
		e.OffContract().Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "no good"}).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "fixed@gmail.com", getUser(e, org.OwnerToken, u.ID).Email)
		require.Equal(t, 1, liveInvites(t, e, u.ID), "a refused change revokes nothing")
		require.Equal(t, "taken@example.com", getUser(e, org.OwnerToken, other.ID).Email)

		for _, status := range []people.Status{people.Confirmed, people.Deactivated} {
			x := e.User(org, apitest.UserOpts{Status: status})
			p := e.Patch(userPath(x.ID), org.OwnerToken, map[string]any{"email": "new-" + x.Email}).
				ExpectProblem(http.StatusConflict, "email_change_not_allowed")
			require.Equal(t, string(status), p.UserStatus)
			require.Equal(t, x.Email, getUser(e, org.OwnerToken, x.ID).Email)
		}
	})
}

// R12: deactivating voids live links and locks the user out at once;
// reactivating sends nothing and restores the status the user had earned.
func TestDeactivateAndReactivate(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		pending := e.User(org, apitest.UserOpts{})
		link := e.InviteToken(pending.Invite.ID)
		jobs := len(e.Jobs("invite_email"))

		var v api.User
		e.Post(userPath(pending.ID, "deactivate"), org.OwnerToken, nil).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, "deactivated", v.Status)
		require.NotNil(t, v.DeactivatedAt)
		require.Equal(t, "revoked", v.Invite.State)
		require.Equal(t, "deactivated", v.Invite.RevokeReason)
		p := verify(e, link).ExpectProblem(http.StatusGone, "invite_revoked")
		require.Equal(t, "deactivated", p.Reason)
		accept(e, link, strongPassword).ExpectProblem(http.StatusGone, "invite_revoked")
		p = e.Post(userPath(pending.ID, "deactivate"), org.OwnerToken, nil).ExpectProblem(http.StatusConflict, "user_deactivated")
		require.Equal(t, "deactivated", p.UserStatus)

		e.Post(userPath(pending.ID, "reactivate"), org.OwnerToken, nil).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, "invite_pending", v.Status, "never had a password")
		require.Nil(t, v.DeactivatedAt)
		require.Equal(t, "revoked", v.Invite.State, "reactivating sends nothing")
		require.Len(t, e.Jobs("invite_email"), jobs)
		verify(e, link).ExpectProblem(http.StatusGone, "invite_revoked")
		p = e.Post(userPath(pending.ID, "reactivate"), org.OwnerToken, nil).ExpectProblem(http.StatusConflict, "user_not_deactivated")
		require.Equal(t, "invite_pending", p.UserStatus)
		resend(e, org.OwnerToken, pending.ID).Expect(http.StatusAccepted)

		confirmed, token := e.Manager(org, people.HR)
		e.Get("/me", token).Expect(http.StatusOK)
		e.Post(userPath(confirmed.ID, "deactivate"), org.OwnerToken, nil).Expect(http.StatusOK)
		e.Get("/me", token).ExpectProblem(http.StatusUnauthorized, "unauthorized")
		signIn(e, org, confirmed.Email, apitest.Password).ExpectProblem(http.StatusConflict, "user_deactivated")
		e.Post(userPath(confirmed.ID, "reactivate"), org.OwnerToken, nil).Expect(http.StatusOK).JSON(&v)
		require.Equal(t, "confirmed", v.Status)
		signIn(e, org, confirmed.Email, apitest.Password).Expect(http.StatusOK)
		e.Get("/me", token).Expect(http.StatusOK)
		require.Len(t, e.Jobs("invite_email"), jobs+2, "only the resend and the manager's own invitation queued email")
	})
}
