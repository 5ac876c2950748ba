package store

import (
	"database/sql"

	"github.com/invitedhq/invited/internal/people"
)

// nullInvite scans the invite columns of a LEFT JOIN, which are all NULL
// when the user has never been invited.
type nullInvite struct {
	id, org, user, createdBy                     nullUUID
	sequence, attempts                           sql.NullInt64
	keyID, revokeReason, status, reason, message sql.NullString
	createdAt, expiresAt, revokedAt, acceptedAt  sql.NullTime
	deliveryUpdatedAt, deliveryEventAt, sentAt   sql.NullTime
}

// dest lists the scan targets in inviteColumns order.
func (n *nullInvite) dest() []any {
	return []any{&n.id, &n.org, &n.user, &n.createdBy, &n.sequence, &n.keyID, &n.createdAt, &n.expiresAt,
		&n.revokedAt, &n.revokeReason, &n.acceptedAt, &n.status, &n.reason, &n.deliveryUpdatedAt,
		&n.deliveryEventAt, &n.message, &n.sentAt, &n.attempts}
}

func (n *nullInvite) domain() *people.Invite {
	if !n.id.valid {
		return nil
	}
	return &people.Invite{
		ID: n.id.id, OrganizationID: n.org.id, UserID: n.user.id, CreatedBy: n.createdBy.ptr(),
		Sequence: int(n.sequence.Int64), KeyID: n.keyID.String,
		CreatedAt: n.createdAt.Time.UTC(), ExpiresAt: n.expiresAt.Time.UTC(),
		RevokedAt: nullTime(n.revokedAt), RevokeReason: people.RevokeReason(n.revokeReason.String),
		AcceptedAt: nullTime(n.acceptedAt),
		Delivery: people.Delivery{
			Status: people.DeliveryStatus(n.status.String), Reason: n.reason.String,
			UpdatedAt: n.deliveryUpdatedAt.Time.UTC(), EventAt: nullTime(n.deliveryEventAt),
			MessageID: n.message.String, SentAt: nullTime(n.sentAt), Attempts: int(n.attempts.Int64),
		},
	}
}
