package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/people"
)

// UpdateReminderPolicy implements people.Store.
func (s *Store) UpdateReminderPolicy(ctx context.Context, orgID uuid.UUID, p people.ReminderPolicy, at time.Time) error {
	res := s.conn(ctx).Exec(`UPDATE organizations SET reminder_policy = ?, updated_at = ? WHERE id = ?`, encodePolicy(p), at, orgID)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Organization not found.")
	}
	return translate(res.Error, "Organization")
}

// SetReminderSchedules implements people.Store: on PostgreSQL one UPDATE
// from a VALUES list per thousand users, so that rescheduling an organization of
// 100,000 people takes a few hundred statements; SQLite, in process, takes
// one statement per user.
func (s *Store) SetReminderSchedules(ctx context.Context, schedules []people.UserSchedule) error {
	if len(schedules) == 0 {
		return nil
	}
	if !s.postgres() {
		for _, us := range schedules {
			r := us.Schedule
			if err := s.conn(ctx).Exec(`UPDATE users SET reminders_sent = ?, reminder_anchor_at = ?, last_reminded_at = ?,
				next_reminder_at = ?, reminders_stopped = ? WHERE id = ?`,
				r.Sent, r.AnchorAt, r.LastAt, r.NextAt, string(r.Stopped), us.UserID).Error; err != nil {
				return translate(err, "User")
			}
		}
		return nil
	}
	return chunks(schedules, func(part []people.UserSchedule) error {
		var b strings.Builder
		args := make([]any, 0, 6*len(part))
		for i, us := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?::uuid, ?::integer, ?::timestamptz, ?::timestamptz, ?::timestamptz, ?::text)")
			r := us.Schedule
			args = append(args, us.UserID, r.Sent, r.AnchorAt, r.LastAt, r.NextAt, string(r.Stopped))
		}
		q := fmt.Sprintf(`UPDATE users u SET reminders_sent = v.column2, reminder_anchor_at = v.column3,
			last_reminded_at = v.column4, next_reminder_at = v.column5, reminders_stopped = v.column6
			FROM (VALUES %s) AS v WHERE u.id = v.column1`, b.String())
		return translate(s.conn(ctx).Exec(q, args...).Error, "User")
	})
}

// StartReminderReschedule implements people.Store: the reschedule's row,
// replacing any earlier revision's, and its job, in the caller's
// transaction.
func (s *Store) StartReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int, at time.Time) error {
	if err := s.conn(ctx).Exec(`INSERT INTO reminder_reschedules (organization_id, revision, after_user_id, created_at, updated_at)
		VALUES (?, ?, NULL, ?, ?)
		ON CONFLICT (organization_id) DO UPDATE SET revision = excluded.revision, after_user_id = NULL,
			created_at = excluded.created_at, updated_at = excluded.updated_at`, orgID, revision, at, at).Error; err != nil {
		return translate(err, "Reminder reschedule")
	}
	return s.enqueue(ctx, func(tx *sql.Tx) error { return s.queue.EnqueueReminderReschedule(ctx, tx, orgID, revision) })
}

// ReminderReschedule implements people.Store.
func (s *Store) ReminderReschedule(ctx context.Context, orgID uuid.UUID) (people.ReminderReschedule, bool, error) {
	return s.reminderReschedule(ctx, orgID, "")
}

// LockReminderReschedule implements people.Store.
func (s *Store) LockReminderReschedule(ctx context.Context, orgID uuid.UUID) (people.ReminderReschedule, bool, error) {
	lock := ""
	if s.postgres() {
		lock = " FOR UPDATE" // SQLite's immediate transactions already serialize
	}
	return s.reminderReschedule(ctx, orgID, lock)
}

func (s *Store) reminderReschedule(ctx context.Context, orgID uuid.UUID, lock string) (people.ReminderReschedule, bool, error) {
	var (
		r     people.ReminderReschedule
		after uuid.NullUUID
	)
	err := s.conn(ctx).Raw(`SELECT revision, after_user_id FROM reminder_reschedules WHERE organization_id = ?`+lock, orgID).
		Row().Scan(&r.Revision, &after)
	if errors.Is(err, sql.ErrNoRows) {
		return people.ReminderReschedule{}, false, nil
	}
	if err != nil {
		return people.ReminderReschedule{}, false, translate(err, "Reminder reschedule")
	}
	r.After = after.UUID // uuid.Nil before the first page: every id follows it
	return r, true, nil
}

// AdvanceReminderReschedule implements people.Store.
func (s *Store) AdvanceReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int, after uuid.UUID, at time.Time) error {
	return translate(s.conn(ctx).Exec(`UPDATE reminder_reschedules SET after_user_id = ?, updated_at = ?
		WHERE organization_id = ? AND revision = ?`, after, at, orgID, revision).Error, "Reminder reschedule")
}

// FinishReminderReschedule implements people.Store.
func (s *Store) FinishReminderReschedule(ctx context.Context, orgID uuid.UUID, revision int) error {
	return translate(s.conn(ctx).Exec(`DELETE FROM reminder_reschedules WHERE organization_id = ? AND revision = ?`,
		orgID, revision).Error, "Reminder reschedule")
}

// ShareOrganization implements people.Store.
func (s *Store) ShareOrganization(ctx context.Context, id uuid.UUID) (people.Organization, error) {
	where := "id = ?"
	if s.postgres() {
		where += " FOR SHARE" // SQLite's immediate transactions already serialize
	}
	return s.organization(ctx, where, id)
}

// PendingUsersAfter implements people.Store.
func (s *Store) PendingUsersAfter(ctx context.Context, orgID, after uuid.UUID, limit int) ([]people.User, error) {
	lock := ""
	if s.postgres() {
		lock = " FOR UPDATE" // SQLite's immediate transactions already serialize
	}
	return s.lockedUsers(ctx, fmt.Sprintf(`SELECT * FROM users u WHERE u.organization_id = ? AND u.status = 'invite_pending'
		AND u.id > ? ORDER BY u.id LIMIT %d%s`, limit, lock), orgID, after)
}

// ClaimDueReminders implements people.Store. The due rows come from the
// partial index users_reminders_due in time order; on PostgreSQL they are
// locked with SKIP LOCKED, so that a second replica's sweep passes over
// them to the next due ones instead of waiting, and once the first commits
// their next due time has moved past now.
func (s *Store) ClaimDueReminders(ctx context.Context, now time.Time, limit int) ([]people.User, error) {
	lock := ""
	if s.postgres() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	return s.lockedUsers(ctx, fmt.Sprintf(`SELECT * FROM users u WHERE u.next_reminder_at <= ?
		ORDER BY u.next_reminder_at LIMIT %d%s`, limit, lock), now)
}

// lockedUsers reads the users the inner query picks, in its order, then
// their latest invites by id: two statements whose plans stay on the
// indexes however many rows the planner expects the inner query to pick
// (a join would read the invites whole for a generic plan that expects
// thousands).
func (s *Store) lockedUsers(ctx context.Context, inner string, args ...any) ([]people.User, error) {
	rows, err := s.conn(ctx).Raw(`SELECT `+userColumns+` FROM (`+inner+`) u`, args...).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	var (
		users []people.User
		ids   []uuid.UUID
	)
	scan := newUserScan()
	for rows.Next() {
		u, err := scan.scanColumns(rows, userColumnCount)
		if err != nil {
			return nil, internal(err, 1)
		}
		users = append(users, u)
		if u.LatestInviteID != nil {
			ids = append(ids, *u.LatestInviteID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "Users")
	}
	invites, err := s.InvitesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]people.Invite, len(invites))
	for _, inv := range invites {
		byID[inv.ID] = inv
	}
	for i := range users {
		if id := users[i].LatestInviteID; id != nil {
			if inv, ok := byID[*id]; ok {
				users[i].Invite = &inv
			}
		}
	}
	return users, nil
}

// RemailInvite implements people.Store.
func (s *Store) RemailInvite(ctx context.Context, inviteID uuid.UUID, at time.Time) error {
	res := s.conn(ctx).Exec(`UPDATE invites SET delivery_status = 'queued', delivery_reason = NULL, delivery_updated_at = ?,
		delivery_event_at = NULL, provider_message_id = NULL, sent_at = NULL, last_emailed_at = ?, remailed_at = ?
		WHERE id = ? AND revoked_at IS NULL AND accepted_at IS NULL`, at, at, at, inviteID)
	if res.Error == nil && res.RowsAffected == 0 {
		return apperr.New(apperr.NotFound, "Invite not found.")
	}
	return translate(res.Error, "Invite")
}

// CountReminders implements people.Store.
func (s *Store) CountReminders(ctx context.Context, userIDs []uuid.UUID) error {
	return chunks(userIDs, func(part []uuid.UUID) error {
		cond, arg := s.inList("id", "uuid", uuidStrings(part))
		return translate(s.conn(ctx).Exec(`UPDATE users SET reminders_total = reminders_total + 1 WHERE `+cond, arg).Error, "Users")
	})
}

// RemindersStoppedByDomain implements people.Store through the partial
// index users_reminders_stopped: it holds only the people whose reminders
// were stopped, few beside an organization's people.
func (s *Store) RemindersStoppedByDomain(ctx context.Context, orgID uuid.UUID) (map[string]int, error) {
	rows, err := s.conn(ctx).Raw(`SELECT email FROM users
		WHERE organization_id = ? AND reminders_stopped <> '' AND status = 'invite_pending'`, orgID).Rows()
	if err != nil {
		return nil, translate(err, "Users")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			return nil, internal(err, 1)
		}
		_, d, _ := strings.Cut(email, "@") // as invites.recipient_domain is cut
		out[d]++
	}
	return out, translate(rows.Err(), "Users")
}
