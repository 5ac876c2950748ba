package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/invitedhq/invited/internal/people"
)

// latestInviteFK is the constraint that makes users and invites refer to
// each other; it is set aside while both tables are copied in.
const latestInviteFK = "users_latest_invite_fk"

// Load writes ds into the migrated, empty PostgreSQL database of conn with
// COPY, in one transaction, then vacuums and analyzes the tables so the
// planner sees their real sizes. It refuses a database that has users.
//
// users.latest_invite_id and invites.user_id point at each other, so the
// foreign key from users to invites is dropped for the copy and added back
// with its definition as read from the catalog: adding it checks every row.
func Load(ctx context.Context, conn *pgx.Conn, ds *DataSet) error {
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		return fmt.Errorf("bench: is the database migrated? %w", err)
	}
	if n > 0 {
		return fmt.Errorf("bench: the database already has %d users; load into a fresh, migrated database", n)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var fkDef string
	if err := tx.QueryRow(ctx, `SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = $1 AND conrelid = 'users'::regclass`,
		latestInviteFK).Scan(&fkDef); err != nil {
		return fmt.Errorf("bench: read %s: %w", latestInviteFK, err)
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE users DROP CONSTRAINT "+latestInviteFK); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "organizations", organizationColumns, len(ds.Organizations), func(i int) []any {
		return organizationRow(ds.Organizations[i])
	}); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "users", userColumns, len(ds.Users), func(i int) []any { return userRow(ds.Users[i]) }); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "invites", inviteColumns, len(ds.Invites), func(i int) []any { return inviteRow(ds.Invites[i]) }); err != nil {
		return err
	}
	for _, q := range funnelFacts {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("bench: funnel facts: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE users ADD CONSTRAINT "+latestInviteFK+" "+fkDef); err != nil {
		return fmt.Errorf("bench: restore %s: %w", latestInviteFK, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// Vacuum too, not only analyze: it sets the visibility map, as
	// autovacuum would have on a database that has been running a while.
	_, err = conn.Exec(ctx, "VACUUM ANALYZE organizations, users, invites")
	return err
}

func copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, n int, row func(i int) []any) error {
	i := 0
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromFunc(func() ([]any, error) {
		if i == n {
			return nil, nil
		}
		i++
		return row(i - 1), nil
	}))
	if err != nil {
		return fmt.Errorf("bench: copy %s: %w", table, err)
	}
	if copied != int64(n) {
		return errors.New("bench: copy " + table + ": short copy")
	}
	return nil
}

var organizationColumns = []string{"id", "slug", "name", "invite_ttl_seconds", "created_at", "updated_at"}

func organizationRow(o people.Organization) []any {
	return []any{o.ID, o.Slug, o.Name, int32(o.InviteTTL / time.Second), o.CreatedAt, o.UpdatedAt} //nolint:gosec // days, not billions of seconds
}

var userColumns = []string{"id", "organization_id", "email", "first_name", "last_name", "role", "permissions", "status",
	"password_hash", "must_change_password", "email_suggestion", "latest_invite_id", "last_invited_at", "created_at",
	"updated_at", "confirmed_at", "deactivated_at"}

func userRow(u people.User) []any {
	perms := make([]string, len(u.Permissions))
	for i, p := range u.Permissions {
		perms[i] = string(p)
	}
	return []any{u.ID, u.OrganizationID, u.Email, u.FirstName, u.LastName, string(u.Role), strings.Join(perms, ","),
		string(u.Status), text(u.PasswordHash), u.MustChangePassword, text(u.EmailSuggestion), id(u.LatestInviteID),
		ts(u.LastInvitedAt), u.CreatedAt, u.UpdatedAt, ts(u.ConfirmedAt), ts(u.DeactivatedAt)}
}

var inviteColumns = []string{"id", "organization_id", "user_id", "created_by", "sequence", "key_id", "created_at",
	"expires_at", "revoked_at", "revoke_reason", "accepted_at", "delivery_status", "delivery_reason",
	"delivery_updated_at", "delivery_event_at", "provider_message_id", "sent_at", "send_attempts", "recipient_domain",
	"last_emailed_at"}

func inviteRow(i people.Invite) []any {
	return []any{i.ID, i.OrganizationID, i.UserID, id(i.CreatedBy), int32(i.Sequence), i.KeyID, i.CreatedAt, //nolint:gosec // small counts
		i.ExpiresAt, ts(i.RevokedAt), text(string(i.RevokeReason)), ts(i.AcceptedAt), string(i.Delivery.Status),
		text(i.Delivery.Reason), i.Delivery.UpdatedAt, ts(i.Delivery.EventAt), text(i.Delivery.MessageID),
		ts(i.Delivery.SentAt), int32(i.Delivery.Attempts), i.RecipientDomain, i.LastEmailedAt} //nolint:gosec // small counts
}

// funnelFacts derives each user's funnel columns from their invitations,
// as the service records them when it invites, and as the migration that
// added them backfilled them.
var funnelFacts = []string{
	`UPDATE users u SET first_invited_at = f.created_at, first_invited_by = f.created_by
		FROM invites f WHERE f.user_id = u.id AND f.sequence = 1`,
	`UPDATE users u SET accepted_at = i.accepted_at FROM invites i WHERE i.user_id = u.id AND i.accepted_at IS NOT NULL`,
	`UPDATE users u SET first_delivered_at = d.at
		FROM (SELECT user_id, min(CASE WHEN delivery_status = 'delivered' THEN COALESCE(delivery_event_at, delivery_updated_at)
			ELSE accepted_at END) AS at
			FROM invites WHERE delivery_status = 'delivered' OR accepted_at IS NOT NULL GROUP BY user_id) d
		WHERE d.user_id = u.id`,
}

// text, id and ts turn Go's "absent" into SQL NULL.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func id(u *uuid.UUID) any {
	if u == nil {
		return nil
	}
	return *u
}

func ts(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
