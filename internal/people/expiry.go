package people

import (
	"context"
)

// expirySweepBatch is how many expired invitations one transaction announces.
const expirySweepBatch = 500

// RecordExpiredInvites audits every invitation that expired since the last
// sweep while it was still live, and so sends its invite.expired. The
// sweep walks invitations by expiry time from a mark kept in the database
// and moved in the same transaction, so each expiry is announced once,
// whichever replica sweeps. It returns how many it announced.
func (s *Service) RecordExpiredInvites(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.sweepExpired(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

func (s *Service) sweepExpired(ctx context.Context) (announced int, more bool, err error) {
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		invites, err := s.store.ExpiredInvites(ctx, now, expirySweepBatch)
		if err != nil || len(invites) == 0 {
			return err
		}
		for _, inv := range invites {
			// An invitation accepted, or revoked before its end, never expired.
			if inv.AcceptedAt != nil || (inv.RevokedAt != nil && !inv.RevokedAt.After(inv.ExpiresAt)) {
				continue
			}
			announced++
			if err := s.audit(ctx, inv.OrganizationID, nil, &inv.UserID, ActionInviteExpired, map[string]any{
				"invite_id": inv.ID, "expired_at": inv.ExpiresAt,
			}); err != nil {
				return err
			}
		}
		more = len(invites) == expirySweepBatch
		return s.store.MarkExpirySwept(ctx, invites[len(invites)-1])
	})
	return announced, more, err
}
