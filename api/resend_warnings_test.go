package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	sg "github.com/invitedhq/invited/internal/mail/sendgridtest"
)

// A resend after a delivery that went wrong still sends (R4) but tells the
// administrator why the last one did not arrive and what to do instead of
// resending blindly (R9 and the seed's troubleshooting table).
func TestResendWarnsAboutTheLastDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event sg.Event
		code  string // "" when no warning is due
		says  []string
	}{
		{
			name:  "bounced",
			event: sg.Event{Type: sg.Bounce, Reason: "550 5.1.1 <ada@exmaple.com>: Recipient address rejected: User unknown"},
			code:  "previous_delivery_bounced",
			says:  []string{"was bounced", "550 5.1.1 <ada@exmaple.com>: Recipient address rejected: User unknown", "Check the address for typos", "set a password"},
		},
		{
			name:  "dropped",
			event: sg.Event{Type: sg.Dropped, Reason: "Bounced Address"},
			code:  "previous_delivery_dropped",
			says:  []string{"was dropped", "Bounced Address", "Check the address for typos", "set a password"},
		},
		{
			name:  "blocked",
			event: sg.Event{Type: sg.Bounce, BounceType: "blocked", Reason: "554 5.7.1 Service unavailable; Client host blocked using Spamhaus"},
			code:  "previous_delivery_blocked",
			says:  []string{"blocked", "554 5.7.1 Service unavailable; Client host blocked using Spamhaus", "firewall", "sender's domain", "set a password"},
		},
		{
			name:  "reported as spam",
			event: sg.Event{Type: sg.SpamReport},
			code:  "previous_delivery_spam_report",
			says:  []string{"spam", "set a password"},
		},
		{name: "delivered", event: sg.Event{Type: sg.Delivered}},
		{name: "deferred", event: sg.Event{Type: sg.Deferred}},
		{name: "opened", event: sg.Event{Type: sg.Open}},
	}
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		for _, tt := range tests {
			// A domain per case: failures piling up at one domain would make
			// it degraded, which is another warning (see domains_test.go).
			u := e.User(org, apitest.UserOpts{Email: "ada@" + strings.ReplaceAll(tt.name, " ", "-") + ".example"})
			inviteID := u.Invite.ID.String()
			ev := tt.event
			ev.Email, ev.InviteID, ev.OrganizationID = u.Email, inviteID, org.ID.String()
			e.SendEvents(ev).Expect(http.StatusNoContent)

			r := resendFor(t, e, org, u.ID)
			require.NotEqual(t, inviteID, r.Invite.ID.String(), tt.name+": a fresh invitation is sent anyway")
			require.Equal(t, "queued", r.Invite.Delivery.Status)
			if tt.code == "" {
				require.Empty(t, r.Warnings, tt.name)
				continue
			}
			require.Len(t, r.Warnings, 1, tt.name)
			require.Equal(t, tt.code, r.Warnings[0].Code, tt.name)
			for _, s := range tt.says {
				require.Contains(t, r.Warnings[0].Message, s, tt.name)
			}
		}
	})
}

// After the address is corrected, the bounce at the old address is no
// reason to warn about the new one.
func TestResendAfterEmailChangeDoesNotBlameTheNewAddress(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		u, inviteID := invited(e, org)
		e.SendEvents(sg.Event{Type: sg.Bounce, Reason: "550 user unknown", Email: u.Email, InviteID: inviteID,
			OrganizationID: org.ID.String()}).Expect(http.StatusNoContent)
		require.Equal(t, "previous_delivery_bounced", resendFor(t, e, org, u.ID).Warnings[0].Code, "the bounce is still news")

		second := e.LatestInvite(u)
		e.SendEvents(sg.Event{Type: sg.Bounce, Reason: "550 user unknown", Email: u.Email, InviteID: second.ID.String(),
			OrganizationID: org.ID.String()}).Expect(http.StatusNoContent)
		e.Patch(userPath(u.ID), org.OwnerToken, map[string]any{"email": "fixed@example.com"}).Expect(http.StatusOK)
		require.Empty(t, resendFor(t, e, org, u.ID).Warnings, "the bounce was at the old address")
	})
}
