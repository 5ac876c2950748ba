package api_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail"
	sg "github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// invited creates an invite-pending user and returns it with its invite id.
func invited(e *apitest.Env, org apitest.Org) (people.User, string) {
	u := e.User(org, apitest.UserOpts{})
	return u, u.Invite.ID.String()
}

// about is an event of type typ about u's latest invitation, tagged with
// the custom args the service sends.
func about(org apitest.Org, u people.User, typ string) sg.Event {
	return sg.Event{Type: typ, Email: u.Email, InviteID: u.Invite.ID.String(), OrganizationID: org.ID.String()}
}

// usersJSON is the listing of org, for comparing whole states.
func usersJSON(t *testing.T, e *apitest.Env, org apitest.Org) string {
	t.Helper()
	return string(e.Get("/users?limit=200", org.OwnerToken).Expect(http.StatusOK).Body)
}

// listIDs lists the users a query of GET /users returns.
func listIDs(t *testing.T, e *apitest.Env, org apitest.Org, query string) []uuid.UUID {
	t.Helper()
	var list api.UserList
	e.Get("/users?"+query, org.OwnerToken).Expect(http.StatusOK).JSON(&list)
	ids := []uuid.UUID{}
	for _, u := range list.Data {
		ids = append(ids, u.ID)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

func sortedIDs(us ...people.User) []uuid.UUID {
	ids := []uuid.UUID{}
	for _, u := range us {
		ids = append(ids, u.ID)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return ids
}

// A signed batch sets each invitation's delivery status and reason, which
// the user, the invite history and the delivery_status filter all show.
// Engagement events change nothing.
func TestWebhookBatchSetsDeliveryStatus(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		delivered, _ := invited(e, org)
		bounced, _ := invited(e, org)
		blocked, _ := invited(e, org)
		dropped, _ := invited(e, org)
		deferred, _ := invited(e, org)
		spam, _ := invited(e, org)
		opened, _ := invited(e, org)

		blockedEvent := about(org, blocked, sg.Bounce)
		blockedEvent.BounceType = "blocked"
		e.SendEvents(
			about(org, delivered, sg.Processed),
			about(org, delivered, sg.Delivered),
			about(org, bounced, sg.Bounce),
			blockedEvent,
			about(org, dropped, sg.Dropped),
			about(org, deferred, sg.Deferred),
			about(org, spam, sg.Delivered),
			about(org, spam, sg.SpamReport),
			about(org, opened, sg.Open),
			about(org, opened, sg.Click),
		).Expect(http.StatusNoContent)

		tests := []struct {
			user   people.User
			status string
			reason string
		}{
			{delivered, "delivered", "250 2.0.0 OK 1700000000 d9443c01a7336-1c9c5b9bd1dsi102 - gsmtp"},
			{bounced, "bounced", "550 5.1.1 The email account that you tried to reach does not exist"},
			{blocked, "blocked", "550 5.7.1 Message rejected under local policy"},
			{dropped, "dropped", "5.0.0 Bounced Address"},
			{deferred, "deferred", "421 4.7.28 Too many messages from this IP; try again later"},
			{spam, "spam_report", ""},
			{opened, "queued", ""}, // opens and clicks are not delivery news
		}
		for _, tt := range tests {
			got := readUser(t, e, org, tt.user.ID)
			require.Equal(t, tt.status, got.Invite.Delivery.Status, tt.user.Email)
			require.Equal(t, tt.reason, got.Invite.Delivery.Reason, tt.user.Email)

			var history api.InviteList
			e.Get("/users/"+tt.user.ID.String()+"/invites", org.OwnerToken).Expect(http.StatusOK).JSON(&history)
			require.Len(t, history.Data, 1)
			require.Equal(t, tt.status, history.Data[0].Delivery.Status)
			require.Equal(t, tt.reason, history.Data[0].Delivery.Reason)
		}

		require.Equal(t, sortedIDs(bounced, blocked, dropped), listIDs(t, e, org, "delivery_status=bounced,blocked,dropped"))
		require.Equal(t, sortedIDs(delivered), listIDs(t, e, org, "delivery_status=delivered"))
		require.Equal(t, sortedIDs(spam), listIDs(t, e, org, "delivery_status=spam_report&status=invite_pending"))
		require.Equal(t, sortedIDs(opened), listIDs(t, e, org, "delivery_status=queued"))
		require.Empty(t, listIDs(t, e, org, "delivery_status=failed"))
		p := e.OffContract().Get("/users?delivery_status=bounce", org.OwnerToken).ExpectProblem(http.StatusBadRequest, "invalid_request")
		require.Equal(t, "delivery_status", p.Errors[0].Field)
		require.Contains(t, p.Errors[0].Message, "spam_report", "the allowed values are named")
	})
}

// SendGrid retries a batch it thinks failed: the same batch again changes
// nothing, not even the time of the last update.
func TestWebhookRedeliveredBatchChangesNothing(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		a, _ := invited(e, org)
		b, _ := invited(e, org)
		body := sg.EventJSON(about(org, a, sg.Delivered), about(org, b, sg.Bounce), about(org, b, sg.Open))

		e.PostEvents(body, sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), body)).Expect(http.StatusNoContent)
		before := usersJSON(t, e, org)
		require.Equal(t, "bounced", readUser(t, e, org, b.ID).Invite.Delivery.Status)

		e.Clock.Advance(time.Minute) // an update now would carry a new updated_at
		e.PostEvents(body, sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), body)).Expect(http.StatusNoContent)
		require.Equal(t, before, usersJSON(t, e, org))
	})
}

// Only SendGrid, recently, with this exact body: everything else is
// refused with 401 before the body is read, and changes nothing.
func TestWebhookRefusesBadSignatures(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u, _ := invited(e, org)
		body := sg.EventJSON(about(org, u, sg.Bounce))
		now := e.Clock.Now()
		other, _ := sg.NewWebhookKey(t)
		without := func(name string) http.Header {
			h := sg.WebhookHeaders(e.WebhookKey, now, body)
			h.Del(name)
			return h
		}
		retimed := sg.WebhookHeaders(e.WebhookKey, now, body)
		retimed.Set(mail.TimestampHeader, sg.WebhookHeaders(e.WebhookKey, now.Add(time.Second), body).Get(mail.TimestampHeader))

		tests := []struct {
			name   string
			body   []byte
			header http.Header
		}{
			{"tampered body", bytes.Replace(body, []byte(`"bounce"`), []byte(`"delivered"`), 1), sg.WebhookHeaders(e.WebhookKey, now, body)},
			{"body with a trailing space", append(bytes.Clone(body), ' '), sg.WebhookHeaders(e.WebhookKey, now, body)},
			{"wrong key", body, sg.WebhookHeaders(other, now, body)},
			{"missing signature", body, without(mail.SignatureHeader)},
			{"missing timestamp", body, without(mail.TimestampHeader)},
			{"no headers at all", body, http.Header{"Content-Type": {"application/json"}}},
			{"timestamp changed after signing", body, retimed},
			{"stale, signed 11 minutes ago", body, sg.WebhookHeaders(e.WebhookKey, now.Add(-11*time.Minute), body)},
			{"signed 11 minutes in the future", body, sg.WebhookHeaders(e.WebhookKey, now.Add(11*time.Minute), body)},
		}
		before := usersJSON(t, e, org)
		for _, tt := range tests {
			p := e.PostEvents(tt.body, tt.header).ExpectProblem(http.StatusUnauthorized, "invalid_signature")
			require.NotContains(t, p.Detail, "does not match", tt.name+": the answer does not help forging")
		}
		require.Equal(t, before, usersJSON(t, e, org))
		require.Equal(t, "queued", readUser(t, e, org, u.ID).Invite.Delivery.Status)

		// The clock moving on makes a once good request stale.
		e.Clock.Advance(11 * time.Minute)
		e.PostEvents(body, sg.WebhookHeaders(e.WebhookKey, now, body)).ExpectProblem(http.StatusUnauthorized, "invalid_signature")

		// The same body, properly signed, is accepted: it was the signature
		// that was refused, not the events.
		e.PostEvents(body, sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), body)).Expect(http.StatusNoContent)
		require.Equal(t, "bounced", readUser(t, e, org, u.ID).Invite.Delivery.Status)
	})
}

// Events arrive out of order; the latest event by the provider's clock is
// the truth, and in a tie of seconds the outcome beats the deferral and a
// late bounce beats the delivery.
func TestWebhookKeepsTheLatestEvent(t *testing.T) {
	t.Parallel()
	type step struct {
		typ    string
		offset time.Duration // from a fixed instant
	}
	tests := []struct {
		name  string
		steps []step
		want  string
	}{
		{"delivered after bounced arrives late", []step{{sg.Bounce, time.Minute}, {sg.Delivered, 0}}, "bounced"},
		{"bounced after delivered", []step{{sg.Delivered, 0}, {sg.Bounce, time.Minute}}, "bounced"},
		{"deferred then delivered", []step{{sg.Deferred, 0}, {sg.Delivered, 30 * time.Second}}, "delivered"},
		{"old deferral arrives after the delivery", []step{{sg.Delivered, 30 * time.Second}, {sg.Deferred, 0}}, "delivered"},
		{"same second: deferral arrives after the delivery", []step{{sg.Delivered, 0}, {sg.Deferred, 0}}, "delivered"},
		{"same second: delivery arrives after the deferral", []step{{sg.Deferred, 0}, {sg.Delivered, 0}}, "delivered"},
		{"same second: bounce arrives after the delivery", []step{{sg.Delivered, 0}, {sg.Bounce, 0}}, "bounced"},
		{"same second: delivery arrives after the bounce", []step{{sg.Bounce, 0}, {sg.Delivered, 0}}, "bounced"},
		{"spam report after delivery", []step{{sg.Delivered, 0}, {sg.SpamReport, time.Hour}}, "spam_report"},
		{"open after bounce changes nothing", []step{{sg.Bounce, 0}, {sg.Open, time.Hour}}, "bounced"},
	}
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		base := e.Clock.Now().Add(-time.Hour).Truncate(time.Second)
		for _, tt := range tests {
			u, _ := invited(e, org)
			for _, s := range tt.steps { // one request per event: arrival order is the point
				ev := about(org, u, s.typ)
				ev.Timestamp = base.Add(s.offset)
				e.SendEvents(ev).Expect(http.StatusNoContent)
			}
			require.Equal(t, tt.want, readUser(t, e, org, u.ID).Invite.Delivery.Status, tt.name)
		}
	})
}

// Events about invitations the service doesn't know, or whose custom args
// name another organization, are accepted (SendGrid must not retry them)
// and ignored.
func TestWebhookIgnoresEventsOfUnknownInvitesAndOrganizations(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org, other := e.Org(), e.Org()
		mine, myInvite := invited(e, org)
		theirs, theirInvite := invited(e, other)
		before, beforeOther := usersJSON(t, e, org), usersJSON(t, e, other)

		e.SendEvents(
			sg.Event{Type: sg.Bounce, InviteID: uuid.NewString(), OrganizationID: org.ID.String()},   // no such invite
			sg.Event{Type: sg.Bounce, InviteID: theirInvite, OrganizationID: org.ID.String()},        // another org's invite
			sg.Event{Type: sg.Bounce, InviteID: myInvite, OrganizationID: other.ID.String()},         // mine, claimed by another org
			sg.Event{Type: sg.Bounce, InviteID: myInvite, OrganizationID: uuid.NewString()},          // an org nobody knows
			sg.Event{Type: sg.Bounce, InviteID: "not-a-uuid", Email: mine.Email},                     // no usable id
			sg.Event{Type: sg.Bounce, Email: theirs.Email},                                           // no custom args, unknown message
			sg.Event{Type: sg.Bounce, MessageID: "unknown-message", OrganizationID: org.ID.String()}, // unknown message
		).Expect(http.StatusNoContent)

		require.Equal(t, before, usersJSON(t, e, org))
		require.Equal(t, beforeOther, usersJSON(t, e, other))
		require.Equal(t, "queued", readUser(t, e, org, mine.ID).Invite.Delivery.Status)
	})
}

// Events without custom args (a template or integration that drops them)
// still find their invitation through the message id of the send.
func TestWebhookMapsEventsByMessageID(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		u := newInvitee(t, e, org, "by.message@example.com")
		msg := e.SendGrid.WaitForMessages(t, 1, wait)[0]
		e.WaitForInviteJobs(wait)
		require.Equal(t, "sent", readUser(t, e, org, u.ID).Invite.Delivery.Status)

		e.SendEvents(sg.Event{Type: sg.Deferred, MessageID: msg.ID, Email: "by.message@example.com"}).Expect(http.StatusNoContent)
		require.Equal(t, "deferred", readUser(t, e, org, u.ID).Invite.Delivery.Status)

		// One message to several recipients (a batch) shares one message
		// id: the recipient's address tells them apart, and without a
		// match nothing is guessed.
		ann, _ := invited(e, org)
		bob, _ := invited(e, org)
		e.WaitForInviteJobs(wait) // sent one by one; now record them as one batch
		for _, r := range []people.User{ann, bob} {
			require.NoError(t, e.Store.RecordSendAttempt(t.Context(), r.Invite.ID,
				people.SendAttempt{At: e.Clock.Now(), Sent: true, MessageID: "batch-message-1"}))
		}
		e.SendEvents(sg.Event{Type: sg.Bounce, MessageID: "batch-message-1", Email: strings.ToUpper(ann.Email)}).Expect(http.StatusNoContent)
		e.SendEvents(sg.Event{Type: sg.Deferred, MessageID: "batch-message-1", Email: bob.Email}).Expect(http.StatusNoContent)
		e.SendEvents(sg.Event{Type: sg.Delivered, MessageID: "batch-message-1", Email: "stranger@example.com",
			Timestamp: e.Clock.Now().Add(time.Minute)}).Expect(http.StatusNoContent)
		require.Equal(t, "bounced", readUser(t, e, org, ann.ID).Invite.Delivery.Status)
		require.Equal(t, "deferred", readUser(t, e, org, bob.ID).Invite.Delivery.Status)
	})
}

// The whole loop of delivery truth: the provider's events about the email
// the worker sent reach the invitation it was for.
func TestWebhookFollowsTheEmailTheWorkerSent(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.StartWorkers()
		u := newInvitee(t, e, org, "loop@example.com")
		msg := e.SendGrid.WaitForMessages(t, 1, wait)[0]
		e.WaitForInviteJobs(wait)

		// SendGrid echoes the personalization's custom args in each event.
		p := msg.Personalizations[0]
		event := func(typ string) sg.Event {
			return sg.Event{Type: typ, MessageID: msg.ID, Email: p.Email,
				InviteID: p.CustomArgs[mail.CustomArgInviteID], OrganizationID: p.CustomArgs[mail.CustomArgOrganizationID]}
		}
		e.SendEvents(event(sg.Processed), event(sg.Delivered)).Expect(http.StatusNoContent)
		got := readUser(t, e, org, u.ID)
		require.Equal(t, "delivered", got.Invite.Delivery.Status)
		require.WithinDuration(t, e.Clock.Now(), got.Invite.Delivery.UpdatedAt, time.Minute)
	})
}

// The body is checked after the signature: a signed body that is not a
// batch of events is the client's mistake (400), and an empty batch is fine.
func TestWebhookBodyShape(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, "sqlite")
	for _, body := range []string{`{"event":"delivered"}`, `[{"event":`, ``} {
		e.PostEvents([]byte(body), sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), []byte(body))).
			ExpectProblem(http.StatusBadRequest, "invalid_request")
	}
	e.PostEvents([]byte(`[]`), sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), []byte(`[]`))).Expect(http.StatusNoContent)

	big := append(append([]byte(`[`), bytes.Repeat([]byte(` `), 6<<20)...), ']')
	e.PostEvents(big, sg.WebhookHeaders(e.WebhookKey, e.Clock.Now(), big)).ExpectProblem(http.StatusRequestEntityTooLarge, "payload_too_large")

	// An unsigned bad body is refused for its signature first.
	e.PostEvents([]byte(`nope`), http.Header{}).ExpectProblem(http.StatusUnauthorized, "invalid_signature")
}
