package people

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestInviteState(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	for _, tc := range []struct {
		name string
		inv  Invite
		want InviteState
	}{
		{"fresh", Invite{ExpiresAt: future}, InviteLive},
		{"at the expiry instant", Invite{ExpiresAt: now}, InviteExpired},
		{"expired", Invite{ExpiresAt: past}, InviteExpired},
		{"revoked", Invite{ExpiresAt: future, RevokedAt: &past}, InviteRevoked},
		{"revoked after expiry", Invite{ExpiresAt: past, RevokedAt: &past}, InviteRevoked},
		{"accepted", Invite{ExpiresAt: past, AcceptedAt: &past}, InviteAccepted},
	} {
		require.Equal(t, tc.want, tc.inv.State(now), tc.name)
	}
}

func TestDeliveryWarnings(t *testing.T) {
	t.Parallel()
	for status, want := range map[DeliveryStatus]string{
		DeliveryBounced: "previous_delivery_bounced", DeliveryDropped: "previous_delivery_dropped",
		DeliveryBlocked: "previous_delivery_blocked", DeliverySpamReport: "previous_delivery_spam_report",
		DeliveryFailed: "previous_delivery_failed",
		DeliveryQueued: "", DeliverySent: "", DeliveryDelivered: "", DeliveryDeferred: "",
	} {
		u := User{Email: "ada@example.com", Invite: &Invite{Delivery: Delivery{Status: status, Reason: "550 no such user"}}}
		ws := deliveryWarnings(u)
		if want == "" {
			require.Empty(t, ws, status)
			continue
		}
		require.Len(t, ws, 1, status)
		require.Equal(t, want, ws[0].Code)
		if status != DeliverySpamReport {
			require.Contains(t, ws[0].Message, "550 no such user", "the provider's reason is passed on")
		}
	}
	require.Empty(t, deliveryWarnings(User{Email: "ada@example.com"}), "never invited: nothing to warn about")

	ws := deliveryWarnings(User{Email: "ada@gmial.com", EmailSuggestion: "ada@gmail.com"})
	require.Len(t, ws, 1)
	require.Equal(t, "email_suggestion", ws[0].Code)
	require.Contains(t, ws[0].Message, "ada@gmail.com")
}

func TestFullName(t *testing.T) {
	t.Parallel()
	require.Equal(t, "Ada Lovelace", User{FirstName: "Ada", LastName: "Lovelace"}.FullName())
	require.Equal(t, "Ada", User{FirstName: "Ada"}.FullName())
	require.Equal(t, "Lovelace", User{LastName: "Lovelace"}.FullName())
	require.Empty(t, User{}.FullName())
}
