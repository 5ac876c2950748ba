package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testwait"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// eventLog follows what a receiver accepted, step by step.
type eventLog struct {
	t    *testing.T
	recv *webhooktest.Receiver
	seen int
}

// next waits for the events one step causes and returns them; want are
// their types, in order when ordered (one user's events), else in any order.
func (l *eventLog) next(ordered bool, want ...string) []webhooktest.Received {
	l.t.Helper()
	got := l.recv.WaitFor(l.t, l.seen+len(want), 15*time.Second)[l.seen:]
	l.seen += len(got)
	if ordered {
		require.Equal(l.t, want, webhooktest.Types(got))
	} else {
		require.ElementsMatch(l.t, want, webhooktest.Types(got))
	}
	return got
}

// eventData is the data of a user or invite event.
type eventData struct {
	User *struct {
		ID     uuid.UUID `json:"id"`
		Email  string    `json:"email"`
		Status string    `json:"status"`
	} `json:"user"`
	Invite *struct {
		ID           uuid.UUID `json:"id"`
		State        string    `json:"state"`
		RevokeReason string    `json:"revoke_reason"`
		Delivery     struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"delivery"`
	} `json:"invite"`
	Job *struct {
		ID    uuid.UUID `json:"id"`
		State string    `json:"state"`
	} `json:"job"`
	Changed []string `json:"changed"`
}

func dataOf(t *testing.T, r webhooktest.Received) eventData {
	t.Helper()
	var d eventData
	require.NoError(t, json.Unmarshal(r.Event.Data, &d), "%s", r.Body)
	return d
}

// Every event type fires once, for the action that causes it, with the
// records as the API shows them right after; a change that rolls back
// sends nothing; no webhook carries a password, a token or a link.
func TestEveryEventFiresOnceForItsAction(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org)
		e.StartWorkers()
		log := &eventLog{t: t, recv: ep.Receiver}
		owner := org.OwnerToken
		_, adminToken := e.Manager(org, people.Admin)
		log.next(true, "user.created", "invite.sent", "user.password_set", "user.confirmed", "invite.revoked") // the admin, made by the factory

		var created struct {
			ID uuid.UUID `json:"id"`
		}
		e.Post("/users", owner, map[string]any{"email": "ada@example.com", "first_name": "Ada"}).Expect(http.StatusCreated).JSON(&created)
		got := log.next(true, "user.created", "invite.sent")
		require.Equal(t, "invite_pending", dataOf(t, got[0]).User.Status)
		require.Equal(t, "live", dataOf(t, got[1]).Invite.State)
		firstInvite := dataOf(t, got[1]).Invite.ID

		e.Patch(userPath(created.ID), owner, map[string]any{"first_name": "Augusta"}).Expect(http.StatusOK)
		require.Equal(t, []string{"first_name"}, dataOf(t, log.next(true, "user.updated")[0]).Changed)

		e.Patch(userPath(created.ID), owner, map[string]any{"email": "ada@example.org", "last_name": "King"}).Expect(http.StatusOK)
		got = log.next(true, "user.updated", "invite.revoked")
		require.ElementsMatch(t, []string{"email", "last_name"}, dataOf(t, got[0]).Changed, "one user.updated per change")
		require.Equal(t, "ada@example.org", dataOf(t, got[0]).User.Email)
		require.Equal(t, firstInvite, dataOf(t, got[1]).Invite.ID)
		require.Equal(t, "email_changed", dataOf(t, got[1]).Invite.RevokeReason)

		// Rolled back: the email changes, then granting owner is refused.
		e.Patch(userPath(created.ID), adminToken, map[string]any{"email": "ada@example.net", "role": "owner"}).
			ExpectProblem(http.StatusForbidden, "insufficient_rank")
		e.Post("/users", owner, map[string]any{"email": "ada@example.org"}).ExpectProblem(http.StatusConflict, "email_taken")

		var resent struct {
			Invite struct {
				ID uuid.UUID `json:"id"`
			} `json:"invite"`
		}
		e.Post(userPath(created.ID, "resend-invite"), owner, nil).Expect(http.StatusAccepted).JSON(&resent)
		got = log.next(true, "invite.resent")
		require.Equal(t, resent.Invite.ID, dataOf(t, got[0]).Invite.ID)

		e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Deferred, InviteID: resent.Invite.ID.String(), OrganizationID: org.ID.String(),
			Timestamp: e.Clock.Now(), Reason: "421 try again later"})
		inv := dataOf(t, log.next(true, "invite.delivery_updated")[0]).Invite
		require.Equal(t, "deferred", inv.Delivery.Status)
		require.Equal(t, "421 try again later", inv.Delivery.Reason)
		e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Open, InviteID: resent.Invite.ID.String(), OrganizationID: org.ID.String(),
			Timestamp: e.Clock.Now()}) // engagement changes no status: no event

		e.Post("/invites/accept", "", map[string]any{"token": e.InviteToken(resent.Invite.ID), "password": strongPassword}).Expect(http.StatusOK)
		got = log.next(true, "invite.accepted", "user.confirmed")
		require.Equal(t, "accepted", dataOf(t, got[0]).Invite.State)
		require.Equal(t, "confirmed", dataOf(t, got[1]).User.Status)

		e.Post(userPath(created.ID, "deactivate"), owner, nil).Expect(http.StatusOK)
		log.next(true, "user.deactivated")
		e.Post(userPath(created.ID, "reactivate"), owner, nil).Expect(http.StatusOK)
		log.next(true, "user.reactivated")

		grace := e.User(org, apitest.UserOpts{Email: "grace@example.com"})
		log.next(true, "user.created", "invite.sent")
		e.Put(userPath(grace.ID, "password"), owner, map[string]any{"generate": true}).Expect(http.StatusOK)
		got = log.next(true, "user.password_set", "user.confirmed", "invite.revoked")
		require.Equal(t, "password_set", dataOf(t, got[2]).Invite.RevokeReason)

		alan := e.User(org, apitest.UserOpts{Email: "alan@example.com"})
		log.next(true, "user.created", "invite.sent")
		e.Post(userPath(alan.ID, "invite-link"), owner, nil).Expect(http.StatusCreated)
		require.NotContains(t, string(log.next(true, "invite.resent")[0].Body), "token", "a link handed over is not in its event")
		e.Post(userPath(alan.ID, "revoke-invite"), owner, nil).Expect(http.StatusOK)
		require.Equal(t, "revoked", dataOf(t, log.next(true, "invite.revoked")[0]).Invite.RevokeReason)
		job := accepted(t, e.Post("/users/resend-invites", owner, map[string]any{"user_ids": []string{alan.ID.String()}}))
		got = log.next(false, "invite.resent", "job.finished")
		for _, r := range got {
			if r.Event.Type == "job.finished" {
				require.Equal(t, job.ID, dataOf(t, r).Job.ID)
				require.Equal(t, "succeeded", dataOf(t, r).Job.State)
			}
		}

		e.Clock.Advance(8 * 24 * time.Hour)
		n, err := e.Service.RecordExpiredInvites(t.Context())
		require.NoError(t, err)
		require.Equal(t, 1, n, "alan's invitation; grace's was revoked and ada's accepted before their end")
		got = log.next(true, "invite.expired")
		require.Equal(t, alan.ID, dataOf(t, got[0]).User.ID)
		n, err = e.Service.RecordExpiredInvites(t.Context())
		require.NoError(t, err)
		require.Zero(t, n, "an expiry is announced once")
		org.OwnerToken = e.Token(org.Owner) // the clock moved past the first token's life

		// A reminder, to alan's expired invitation: a fresh one.
		e.Put("/organization/reminders", org.OwnerToken, map[string]any{"enabled": true, "after_days": []int{10}}).Expect(http.StatusOK)
		rescheduledByQueue(e) // the reschedule the change queued, done before the clock moves on
		e.Clock.Advance(2*24*time.Hour + time.Minute)
		org.OwnerToken = e.Token(org.Owner)
		sent, _, err := e.Service.SendDueReminders(t.Context(), 0)
		require.NoError(t, err)
		require.Equal(t, 1, sent)
		got = log.next(true, "invite.reminded")
		require.Equal(t, alan.ID, dataOf(t, got[0]).User.ID)
		require.Equal(t, "live", dataOf(t, got[0]).Invite.State)

		// Each event was delivered once, and nothing else was recorded.
		all := ep.Receiver.Accepted()
		ids := map[string]bool{}
		for _, r := range all {
			require.False(t, ids[r.ID], "event %s delivered twice", r.ID)
			ids[r.ID] = true
			require.Equal(t, org.ID.String(), r.Event.OrganizationID)
			body := string(r.Body)
			for _, secret := range []string{strongPassword, "activate?token", "password_hash", "$argon2id", apitest.AppBaseURL} {
				require.NotContains(t, body, secret)
			}
		}
		require.Equal(t, len(all), e.Count("webhook_events", "organization_id = ?", org.ID))
		// The receiver has a request before the deliverer records its answer.
		require.Eventually(t, func() bool { return len(e.Deliveries(org, ep, "status=succeeded&limit=200")) == len(all) },
			testwait.Deadline(10*time.Second), 10*time.Millisecond, "every delivery is recorded as succeeded")
		types := webhooktest.Types(all)
		for _, typ := range people.EventTypes {
			require.True(t, slices.Contains(types, string(typ)), "%s was sent", typ)
		}
		require.Empty(t, ep.Receiver.Rejected())
		require.False(t, strings.Contains(strings.Join(types, ","), "ping"))
	})
}

// A resend reads its organization and whether it has webhook endpoints
// with the signed-in user's row: a setting changed and an endpoint created
// just before apply to the very next resend and link.
func TestAResendRightAfterAnEndpointIsCreatedReachesIt(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		u, elsewhere := e.User(org, apitest.UserOpts{}), e.User(other, apitest.UserOpts{})
		resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted) // no endpoint yet: nothing recorded

		e.Patch("/organization", org.OwnerToken, map[string]any{"invite_ttl": 30}).Expect(http.StatusOK)
		ep := e.WebhookEndpoint(org, "invite.resent")
		e.StartWorkers()
		log := &eventLog{t: t, recv: ep.Receiver}
		var res api.ResendResult
		resend(e, org.OwnerToken, u.ID).Expect(http.StatusAccepted).JSON(&res)
		require.Equal(t, expiresAfter(res.Invite.CreatedAt, 30), res.Invite.ExpiresAt, "the setting changed just before")
		resend(e, other.OwnerToken, elsewhere.ID).Expect(http.StatusAccepted)
		got := log.next(true, "invite.resent")
		require.Equal(t, res.Invite.ID, dataOf(t, got[0]).Invite.ID, "the first resend after the endpoint's creation")

		var link api.InviteLinkResult
		e.Post(userPath(u.ID, "invite-link"), org.OwnerToken, nil).Expect(http.StatusCreated).JSON(&link)
		require.Equal(t, link.Invite.ID, dataOf(t, log.next(true, "invite.resent")[0]).Invite.ID)
	})
}
