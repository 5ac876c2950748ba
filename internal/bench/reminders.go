package bench

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
)

// ScheduleReminders turns reminders on for the organization orgID
// (after_days [3, 7], at most 3, skip_when_undeliverable), as changed a
// month ago, and gives each of its invite-pending people whose latest
// invitation was mailed and not reported undeliverable a reminder series,
// as the service would have: the first due of them in id order had their
// series start three days and a minute ago, so that their first reminder
// is due a minute ago by the policy (the sweep checks it against the
// policy before it sends), the others over the week from tomorrow on.
// Other organizations' people get a series too, due in the future, so
// that the index holds every tenant's; nobody else keeps a due time. It analyzes users afterwards, as
// autovacuum would, and returns how many people it scheduled.
func ScheduleReminders(ctx context.Context, db *sql.DB, orgID uuid.UUID, due int) (int64, error) {
	if _, err := db.ExecContext(ctx, `UPDATE organizations SET reminder_policy =
		'{"enabled":true,"after_days":[3,7],"before_expiry_hours":0,"max_reminders":3,"skip_when_undeliverable":true,"rev":1,'
			|| '"changed_at":"' || to_char(now() AT TIME ZONE 'UTC' - interval '30 days', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"}'
		WHERE id = $1`, orgID); err != nil {
		return 0, fmt.Errorf("bench: reminder policy: %w", err)
	}
	// Nobody else has a reminder due: the people the series below leave
	// out (undeliverable, handed a link) would have had theirs stopped.
	if _, err := db.ExecContext(ctx, `UPDATE users SET next_reminder_at = NULL WHERE next_reminder_at IS NOT NULL`); err != nil {
		return 0, fmt.Errorf("bench: clear reminders: %w", err)
	}
	res, err := db.ExecContext(ctx, `WITH p AS (
			SELECT u.id, u.organization_id, row_number() OVER (PARTITION BY u.organization_id ORDER BY u.id) AS n
			FROM users u JOIN invites i ON i.id = u.latest_invite_id
			WHERE u.status = 'invite_pending' AND i.delivery_status NOT IN ('bounced', 'blocked', 'dropped', 'spam_report', 'by_hand'))
		UPDATE users u SET reminder_anchor_at = CASE WHEN p.organization_id = $1 AND p.n <= $2
				THEN now() - interval '3 days 1 minute' ELSE u.last_invited_at END,
			next_reminder_at = CASE WHEN p.organization_id = $1 AND p.n <= $2 THEN now() - interval '1 minute'
				ELSE now() + interval '1 day' + (p.n % 10080) * interval '1 minute' END
		FROM p WHERE p.id = u.id`, orgID, due)
	if err != nil {
		return 0, fmt.Errorf("bench: schedule reminders: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	_, err = db.ExecContext(ctx, "ANALYZE users")
	return n, err
}
