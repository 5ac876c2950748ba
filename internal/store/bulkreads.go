package store

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/people"
)

// inChunk bounds the values of one IN list, well under both databases'
// limits on bound parameters.
const inChunk = 1000

// chunks calls fn with successive slices of at most inChunk values.
func chunks[T any](vs []T, fn func([]T) error) error {
	for start := 0; start < len(vs); start += inChunk {
		if err := fn(vs[start:min(start+inChunk, len(vs))]); err != nil {
			return err
		}
	}
	return nil
}

// UsersByID implements people.Store.
func (s *Store) UsersByID(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]people.User, error) {
	return s.usersByID(ctx, orgID, ids, false)
}

// LockUsers implements people.Store.
func (s *Store) LockUsers(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) ([]people.User, error) {
	return s.usersByID(ctx, orgID, ids, true)
}

func (s *Store) usersByID(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID, lock bool) ([]people.User, error) {
	users := make([]people.User, 0, len(ids))
	err := chunks(ids, func(part []uuid.UUID) error {
		cond, arg := s.inList("u.id", "uuid", uuidStrings(part))
		q := userSelect + " WHERE u.organization_id = ? AND " + cond + " ORDER BY u.id"
		if lock && s.postgres() {
			q += " FOR UPDATE OF u" // in id order: overlapping batches can't deadlock
		}
		var err error
		users, err = s.appendUsers(ctx, users, q, orgID, arg)
		return err
	})
	return users, err
}

// appendUsers appends to users the rows of q, a statement of userSelect's
// columns, read through database/sql.
func (s *Store) appendUsers(ctx context.Context, users []people.User, q string, args ...any) ([]people.User, error) {
	rows, err := s.conn(ctx).Raw(q, args...).Rows()
	if err != nil {
		return users, translate(err, "Users")
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return users, internal(err, 2)
		}
		users = append(users, u)
	}
	return users, translate(rows.Err(), "Users")
}

// CountUsersByRole implements people.Store.
func (s *Store) CountUsersByRole(ctx context.Context, orgID uuid.UUID, f people.UserFilter) (map[people.Role]int, error) {
	l := s.userFilter(orgID, f)
	rows, err := s.listingConn(ctx, l).Raw(`SELECT u.role, count(*) FROM `+l.source()+` WHERE `+l.conditions()+` GROUP BY u.role`, l.bind()...).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	counts := map[people.Role]int{}
	for rows.Next() {
		var role string
		var n int
		if err := rows.Scan(&role, &n); err != nil {
			return nil, internal(err, 1)
		}
		counts[people.Role(role)] = n
	}
	return counts, translate(rows.Err(), "Users")
}

// UserStatusesByEmail implements people.Store.
func (s *Store) UserStatusesByEmail(ctx context.Context, orgID uuid.UUID, emails []string) (map[string]people.Status, error) {
	out := make(map[string]people.Status)
	err := chunks(emails, func(part []string) error {
		lower := make([]string, len(part))
		for i, e := range part {
			lower[i] = strings.ToLower(e)
		}
		q, args := `SELECT lower(email), status FROM users WHERE organization_id = ? AND lower(email) IN ?`, []any{orgID, lower}
		if s.postgres() {
			// One index lookup per email, whatever the planner believes about
			// a table an import is filling faster than statistics follow:
			// LIMIT keeps the lateral subquery from being flattened into a join
			// that would read the organization's every user per batch.
			q, args = `SELECT x.email, x.status FROM unnest(CAST(? AS text[])) AS e(email)
				CROSS JOIN LATERAL (SELECT lower(u.email) AS email, u.status FROM users u
					WHERE u.organization_id = ? AND lower(u.email) = e.email LIMIT 1) x`, []any{pgArray(lower), orgID}
		}
		rows, err := s.conn(ctx).Raw(q, args...).Rows()
		if err != nil {
			return translate(err, "Users")
		}
		defer rows.Close()
		for rows.Next() {
			var email, status string
			if err := rows.Scan(&email, &status); err != nil {
				return internal(err, 1)
			}
			out[email] = people.Status(status)
		}
		return translate(rows.Err(), "Users")
	})
	return out, err
}

// InvitesByID implements people.Store.
func (s *Store) InvitesByID(ctx context.Context, ids []uuid.UUID) ([]people.Invite, error) {
	invites := make([]people.Invite, 0, len(ids))
	err := chunks(ids, func(part []uuid.UUID) error {
		cond, arg := s.inList("i.id", "uuid", uuidStrings(part))
		rows, err := s.conn(ctx).Raw(inviteSelect+" WHERE "+cond, arg).Rows()
		if err != nil {
			return translate(err, "Invites")
		}
		defer rows.Close()
		for rows.Next() {
			inv, err := scanInvite(rows)
			if err != nil {
				return internal(err, 1)
			}
			invites = append(invites, inv)
		}
		return translate(rows.Err(), "Invites")
	})
	return invites, err
}
