package store

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/invitedhq/invited/internal/people"
)

// recipientsOf selects the users of the invites among an id list, each
// with their latest invitation: the invite itself when it is still the
// latest, which is the only one the dispatcher ever mails.
const recipientsOf = userSelect + " WHERE u.id IN (SELECT x.user_id FROM invites x WHERE "

// DeliveryRecipients implements people.Store: one statement per chunk of
// invites where the dispatcher used to read the invites, then their users.
// On PostgreSQL outside a transaction it scans through pgx, as a page of
// users does.
func (s *Store) DeliveryRecipients(ctx context.Context, inviteIDs []uuid.UUID) ([]people.User, error) {
	users := make([]people.User, 0, len(inviteIDs))
	err := chunks(inviteIDs, func(part []uuid.UUID) error {
		ids := make([]pgtype.UUID, len(part))
		for i, id := range part {
			ids[i] = pgtype.UUID{Bytes: id, Valid: true}
		}
		// The statement GORM sends below, placeholder and all, so that
		// the plan test's (in a transaction) is this one's.
		native, err := s.nativeQuery(ctx, recipientsOf+"x.id IN (SELECT unnest(CAST($1 AS uuid[]))))", []any{ids}, func(rows pgx.Rows) error {
			scan := newPGUserScan(len(part), nil)
			for rows.Next() {
				u, err := scan.scan(rows)
				if err != nil {
					return err
				}
				users = append(users, u)
			}
			return rows.Err()
		})
		if native {
			return translate(err, "Users")
		}
		cond, arg := s.inList("x.id", "uuid", uuidStrings(part))
		users, err = s.appendUsers(ctx, users, recipientsOf+cond+")", arg)
		return err
	})
	return users, err
}
