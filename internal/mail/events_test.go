package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
)

func TestParseEventsMapsEachEventType(t *testing.T) {
	t.Parallel()

	at := time.Date(2026, time.November, 23, 14, 5, 0, 0, time.UTC)
	const (
		msgID  = "W86EgYT6SQKk0lRflfLRsA"
		invite = "6f1c2b9e-8a4d-4c3b-9e2f-000000000001"
		org    = "0b7e4c8a-3f55-4a8e-9d0e-5d6b1f0e2c11"
	)
	tests := []struct {
		name   string
		event  sendgridtest.Event
		status string
		reason string
	}{
		{name: "processed", event: sendgridtest.Event{Type: sendgridtest.Processed}},
		{name: "delivered", event: sendgridtest.Event{Type: sendgridtest.Delivered, Reason: "250 2.0.0 OK"}, status: mail.StatusDelivered, reason: "250 2.0.0 OK"},
		{name: "deferred", event: sendgridtest.Event{Type: sendgridtest.Deferred}, status: mail.StatusDeferred, reason: "421 4.7.28 Too many messages from this IP; try again later"},
		{name: "bounce", event: sendgridtest.Event{Type: sendgridtest.Bounce}, status: mail.StatusBounced, reason: "550 5.1.1 The email account that you tried to reach does not exist"},
		{name: "bounce of type blocked", event: sendgridtest.Event{Type: sendgridtest.Bounce, BounceType: "blocked"}, status: mail.StatusBlocked, reason: "550 5.7.1 Message rejected under local policy"},
		{name: "dropped", event: sendgridtest.Event{Type: sendgridtest.Dropped}, status: mail.StatusDropped, reason: "5.0.0 Bounced Address"},
		{name: "spam report", event: sendgridtest.Event{Type: sendgridtest.SpamReport}, status: mail.StatusSpamReport},
		{name: "open", event: sendgridtest.Event{Type: sendgridtest.Open}},
		{name: "click", event: sendgridtest.Event{Type: sendgridtest.Click}},
		{name: "unsubscribe", event: sendgridtest.Event{Type: sendgridtest.Unsubscribe}},
		{name: "event type from the future", event: sendgridtest.Event{Type: "group_resubscribe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := tt.event
			e.EventID, e.MessageID, e.InviteID, e.OrganizationID, e.Timestamp = "evt-"+tt.name, msgID, invite, org, at
			e.Email = "ann@example.com"

			got, err := mail.ParseEvents(sendgridtest.EventJSON(e))
			require.NoError(t, err)
			require.Equal(t, []mail.DeliveryEvent{{
				EventID:        "evt-" + tt.name,
				InviteID:       invite,
				OrganizationID: org,
				MessageID:      msgID,
				Email:          "ann@example.com",
				Event:          e.Type,
				Status:         tt.status,
				Reason:         tt.reason,
				Timestamp:      at,
			}}, got)
		})
	}
}

func TestParseEventsBatch(t *testing.T) {
	t.Parallel()

	body := `[
		{"email":"a@example.com","timestamp":1795442700,"event":"delivered","sg_event_id":"e1","sg_message_id":"abc.filterdrecv-1.0","invite_id":"i1","organization_id":"o1"},
		{"email":"b@example.com","timestamp":1795442700,"event":"bounce","sg_message_id":"abc.filterdrecv-1.1","invite_id":"i2"},
		{"email":"c@example.com","timestamp":"1795442701","event":"dropped","sg_event_id":"e3","sg_message_id":"def","reason":"` + strings.Repeat("é", 400) + `","unique_args":{"invite_id":"i3","organization_id":"o3"},"category":"invite","new_field":{"x":[1,2]}},
		{"email":"d@example.com","event":"open","sg_event_id":"e4","invite_id":42},
		"not an event",
		{"event":"deferred","sg_event_id":"e5","sg_message_id":null,"response":"  451\n temporary  "}
	]`
	got, err := mail.ParseEvents([]byte(body))
	require.NoError(t, err)
	require.Len(t, got, 4, "the event without sg_event_id and the string are skipped")

	require.Equal(t, "e1", got[0].EventID)
	require.Equal(t, "abc", got[0].MessageID, "the part before the first dot is the X-Message-Id")
	require.Equal(t, "i1", got[0].InviteID)
	require.Equal(t, "o1", got[0].OrganizationID)
	require.Equal(t, time.Unix(1795442700, 0).UTC(), got[0].Timestamp)

	require.Equal(t, "def", got[1].MessageID)
	require.Equal(t, "i3", got[1].InviteID, "custom args nested under unique_args")
	require.Equal(t, "o3", got[1].OrganizationID)
	require.Equal(t, time.Unix(1795442701, 0).UTC(), got[1].Timestamp)
	require.LessOrEqual(t, len(got[1].Reason), 500)
	require.True(t, strings.HasSuffix(got[1].Reason, "é"), "cut on a rune boundary")

	require.Equal(t, "42", got[2].InviteID)
	require.True(t, got[2].Timestamp.IsZero())

	require.Equal(t, mail.StatusDeferred, got[3].Status)
	require.Equal(t, "451 temporary", got[3].Reason)
	require.Empty(t, got[3].MessageID)
}

func TestParseEventsRejectsMalformedBodies(t *testing.T) {
	t.Parallel()

	for _, body := range []string{``, `{`, `{"event":"delivered"}`, `[{"event":"delivered"`, `null garbage`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			_, err := mail.ParseEvents([]byte(body))
			require.Error(t, err)
		})
	}
}

func TestParseEventsEmptyArray(t *testing.T) {
	t.Parallel()
	got, err := mail.ParseEvents([]byte(`[]`))
	require.NoError(t, err)
	require.Empty(t, got)
}
