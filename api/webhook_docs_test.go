package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// webhookDoc is the guide whose examples this test keeps true.
const webhookDoc = "../docs/webhooks.md"

// The payload examples of docs/webhooks.md are what the service sends:
// this test makes one webhook of every type through the API and compares
// each, with ids and times put in a fixed form, with its example.
// WEBHOOK_DOCS=write rewrites the examples instead.
func TestWebhookDocsShowRealPayloads(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, config.SQLite)
	// Times are shown rounded to the minute from a fixed start, on a
	// clock that stands still between the steps that move it: a slow run
	// (the race detector's) would otherwise cross into the next minute.
	start := time.Date(2026, 11, 24, 16, 5, 30, 0, time.UTC)
	e.Clock.Freeze(start)
	// The expiry sweep's mark is when the database was migrated, on the
	// real clock: it starts from the fixed start instead, or the
	// invitations of that start, expiring a week later, would be behind it
	// once the real time passes that week.
	e.Exec(`UPDATE invite_expiry_sweep SET through_at = ?`, start)
	org := e.Org()
	ep := e.WebhookEndpoint(org)
	e.StartWorkers()
	log := &eventLog{t: t, recv: ep.Receiver}
	first := map[string][]byte{}
	keep := func(rs []webhooktest.Received) {
		for _, r := range rs {
			if _, ok := first[r.Event.Type]; !ok {
				first[r.Event.Type] = r.Body
			}
		}
	}
	owner := org.OwnerToken
	// Each invitation's email is sent before the next step, so that what
	// the events show of its delivery does not depend on timing.
	mailed := func(n int) {
		e.SendGrid.WaitForMessages(t, n, 10*time.Second)
		require.Eventually(t, func() bool { return e.Count("invites", "delivery_status IN ('queued', 'sending')") == 0 }, 10*time.Second, 5*time.Millisecond)
	}
	var ada api.User
	e.Post("/users", owner, map[string]any{"email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace"}).
		Expect(http.StatusCreated).JSON(&ada)
	keep(log.next(true, "user.created", "invite.sent"))
	mailed(1)
	e.Patch(userPath(ada.ID), owner, map[string]any{"first_name": "Augusta Ada"}).Expect(http.StatusOK)
	keep(log.next(true, "user.updated"))
	var res api.ResendResult
	e.Post(userPath(ada.ID, "resend-invite"), owner, nil).Expect(http.StatusAccepted).JSON(&res)
	keep(log.next(true, "invite.resent"))
	mailed(2)
	e.DeliveryEvents(sendgridtest.Event{Type: sendgridtest.Delivered, InviteID: res.Invite.ID.String(), OrganizationID: org.ID.String(),
		Timestamp: e.Clock.Now()})
	keep(log.next(true, "invite.delivery_updated"))
	e.Post("/invites/accept", "", map[string]any{"token": e.InviteToken(res.Invite.ID), "password": strongPassword}).Expect(http.StatusOK)
	keep(log.next(true, "invite.accepted", "user.confirmed"))
	e.Post(userPath(ada.ID, "deactivate"), owner, nil).Expect(http.StatusOK)
	keep(log.next(true, "user.deactivated"))
	e.Post(userPath(ada.ID, "reactivate"), owner, nil).Expect(http.StatusOK)
	keep(log.next(true, "user.reactivated"))

	var grace api.User
	e.Post("/users", owner, map[string]any{"email": "grace.hopper@example.com", "first_name": "Grace", "last_name": "Hopper"}).
		Expect(http.StatusCreated).JSON(&grace)
	keep(log.next(true, "user.created", "invite.sent"))
	mailed(3)
	e.Put(userPath(grace.ID, "password"), owner, map[string]any{"password": strongPassword}).Expect(http.StatusOK)
	keep(log.next(true, "user.password_set", "user.confirmed", "invite.revoked"))

	var alan api.User
	e.Post("/users", owner, map[string]any{"email": "alan.turing@example.com", "first_name": "Alan", "last_name": "Turing"}).
		Expect(http.StatusCreated).JSON(&alan)
	keep(log.next(true, "user.created", "invite.sent"))
	mailed(4)
	accepted(t, e.Post("/users/resend-invites", owner, map[string]any{"user_ids": []string{alan.ID.String()}}))
	keep(log.next(false, "invite.resent", "job.finished"))
	mailed(5)
	e.Clock.Advance(8 * 24 * time.Hour)
	_, err := e.Service.RecordExpiredInvites(t.Context())
	require.NoError(t, err)
	keep(log.next(true, "invite.expired"))
	// Reminders, turned on now, remind Alan of his expired link with a fresh one.
	e.Put("/organization/reminders", e.Token(org.Owner), map[string]any{"enabled": true, "after_days": []int{10}}).Expect(http.StatusOK)
	rescheduledByQueue(e) // the reschedule the change queued, done before the clock moves on
	e.Clock.Advance(2*24*time.Hour + time.Minute)
	sent, _, err := e.Service.SendDueReminders(t.Context(), 0)
	require.NoError(t, err)
	require.Equal(t, 1, sent)
	keep(log.next(true, "invite.reminded"))
	mailed(6)
	e.Post("/webhook-endpoints/"+ep.ID.String()+"/test", e.Token(org.Owner), nil).Expect(http.StatusAccepted)
	keep(log.next(true, "ping"))

	n := &docNormalizer{start: start, ids: map[string]string{}}
	types := append([]string{}, eventTypeNames()...)
	types = append(types, "ping")
	var examples []string
	for _, typ := range types {
		body, ok := first[typ]
		require.True(t, ok, "a %s was sent", typ)
		examples = append(examples, n.example(t, typ, body))
	}
	doc, err := os.ReadFile(webhookDoc)
	require.NoError(t, err)
	updated := string(doc)
	for i, typ := range types {
		updated = replaceExample(t, updated, typ, examples[i])
	}
	if os.Getenv("WEBHOOK_DOCS") == "write" {
		require.NoError(t, os.WriteFile(webhookDoc, []byte(updated), 0o644))
		return
	}
	require.Equal(t, updated, string(doc), "docs/webhooks.md's examples are not what the service sends: run WEBHOOK_DOCS=write go test ./api -run TestWebhookDocsShowRealPayloads")
}

func eventTypeNames() []string {
	out := make([]string, len(people.EventTypes))
	for i, t := range people.EventTypes {
		out[i] = string(t)
	}
	return out
}

// docNormalizer gives ids and times a fixed form: ids numbered in order
// of first appearance, times rounded to the minute.
type docNormalizer struct {
	start time.Time
	ids   map[string]string
}

var (
	uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	timePattern = regexp.MustCompile(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)"`)
)

func (n *docNormalizer) example(t *testing.T, typ string, body []byte) string {
	t.Helper()
	s := uuidPattern.ReplaceAllStringFunc(string(body), func(id string) string {
		if _, err := uuid.Parse(id); err != nil {
			return id
		}
		if _, ok := n.ids[id]; !ok {
			n.ids[id] = fmt.Sprintf("01a2%04x-5c1e-7d2f-9a8b-%012x", len(n.ids)+1, len(n.ids)+1)
		}
		return n.ids[id]
	})
	s = timePattern.ReplaceAllStringFunc(s, func(q string) string {
		tm, err := time.Parse(time.RFC3339Nano, strings.Trim(q, `"`))
		require.NoError(t, err)
		return `"` + tm.Round(time.Minute).Format(time.RFC3339) + `"`
	})
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, []byte(s), "", "  "), typ)
	return pretty.String()
}

// replaceExample puts an example in the block after its marker.
func replaceExample(t *testing.T, doc, typ, example string) string {
	t.Helper()
	marker := "<!-- example: " + typ + " -->\n```json\n"
	i := strings.Index(doc, marker)
	require.GreaterOrEqual(t, i, 0, "docs/webhooks.md has a block for %s", typ)
	start := i + len(marker)
	end := strings.Index(doc[start:], "```")
	require.GreaterOrEqual(t, end, 0)
	return doc[:start] + example + "\n" + doc[start+end:]
}
