package database_test

import (
	"context"
	"fmt"
	"io/fs"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/migrations"
)

// The lifecycle migration rebuilds the invites table on SQLite to widen a
// CHECK constraint. Rows that point at invites from other tables (a user's
// latest invitation, an applied delivery event) must survive it: a careless
// rebuild would null them or cascade-delete them.
func TestLifecycleMigrationKeepsInvitesAndWhatPointsAtThem(t *testing.T) {
	t.Parallel()
	for _, d := range []config.Dialect{config.SQLite, config.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := database.Open(ctx, emptyURL(t, d), database.Options{})
			require.NoError(t, err)
			defer db.Close()

			dialect, dir, fsys := goose.DialectPostgres, "postgres", fs.FS(migrations.Postgres)
			if d == config.SQLite {
				dialect, dir, fsys = goose.DialectSQLite3, "sqlite", migrations.SQLite
			}
			sub, err := fs.Sub(fsys, dir)
			require.NoError(t, err)
			p, err := goose.NewProvider(dialect, db.SQL, sub)
			require.NoError(t, err)
			_, err = p.UpTo(ctx, 4) // just before the lifecycle migration (00005)
			require.NoError(t, err)

			g := db.Gorm
			now := database.Now()
			org, user, inv := uuid.New(), uuid.New(), uuid.New()
			require.NoError(t, g.Exec(`INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES (?, 'acme', 'Acme', ?, ?)`, org, now, now).Error)
			require.NoError(t, g.Exec(`INSERT INTO users (id, organization_id, email, role, status, created_at, updated_at) VALUES (?, ?, 'ada@example.com', 'learner', 'invite_pending', ?, ?)`, user, org, now, now).Error)
			require.NoError(t, g.Exec(`INSERT INTO invites (id, organization_id, user_id, created_by, sequence, key_id, created_at, expires_at, delivery_updated_at) VALUES (?, ?, ?, ?, 1, 'k', ?, ?, ?)`,
				inv, org, user, user, now, now.Add(time.Hour), now).Error)
			require.NoError(t, g.Exec(`UPDATE users SET latest_invite_id = ? WHERE id = ?`, inv, user).Error)
			require.NoError(t, g.Exec(`INSERT INTO delivery_events (event_id, invite_id, event, occurred_at, received_at) VALUES ('ev1', ?, 'delivered', ?, ?)`, inv, now, now).Error)

			require.NoError(t, database.Migrate(ctx, db, nil))

			var latest uuid.UUID
			require.NoError(t, g.Raw(`SELECT latest_invite_id FROM users WHERE id = ?`, user).Row().Scan(&latest))
			require.Equal(t, inv, latest, "the user still points at their invitation")
			var events int
			require.NoError(t, g.Raw(`SELECT count(*) FROM delivery_events WHERE invite_id = ?`, inv).Row().Scan(&events))
			require.Equal(t, 1, events, "applied delivery events are kept")
			var locale, defaultLocale, zone string
			require.NoError(t, g.Raw(`SELECT u.locale, o.default_locale, o.time_zone FROM users u JOIN organizations o ON o.id = u.organization_id WHERE u.id = ?`, user).
				Row().Scan(&locale, &defaultLocale, &zone))
			require.Equal(t, []string{"en", "en", "UTC"}, []string{locale, defaultLocale, zone})

			require.NoError(t, g.Exec(`UPDATE invites SET revoked_at = ?, revoke_reason = 'revoked' WHERE id = ?`, now, inv).Error,
				"an administrator's revocation is a valid reason")
			require.Error(t, g.Exec(`UPDATE invites SET revoke_reason = 'bored' WHERE id = ?`, inv).Error, "other reasons are still refused")
			err = g.Exec(`INSERT INTO invites (id, organization_id, user_id, sequence, key_id, created_at, expires_at, delivery_updated_at) VALUES (?, ?, ?, 2, 'k', ?, ?, ?)`,
				uuid.New(), org, user, now, now.Add(time.Hour), now).Error
			require.NoError(t, err, "the revoked invitation is no longer open")
			err = g.Exec(`INSERT INTO invites (id, organization_id, user_id, sequence, key_id, created_at, expires_at, delivery_updated_at) VALUES (?, ?, ?, 3, 'k', ?, ?, ?)`,
				uuid.New(), org, user, now, now.Add(time.Hour), now).Error
			require.Error(t, err, "the rebuilt table still allows one open invitation per user")
			err = g.Exec(`INSERT INTO invites (id, organization_id, user_id, sequence, key_id, created_at, expires_at, delivery_updated_at) VALUES (?, ?, ?, 4, 'k', ?, ?, ?)`,
				uuid.New(), org, uuid.New(), now, now.Add(time.Hour), now).Error
			require.Error(t, err, "the rebuilt table still checks its foreign keys")
			require.NoError(t, g.Exec(`UPDATE invites SET delivery_status = 'by_hand' WHERE id = ?`, inv).Error, "a link handed over by hand")
			require.Error(t, g.Exec(`UPDATE invites SET delivery_status = 'carrier_pigeon' WHERE id = ?`, inv).Error)
		})
	}
}

// goose refuses to apply a migration numbered below one a database already
// has, so a gap filled later, or a file added to one dialect only, would
// stop an upgrade. Both folders hold the same names, numbered 1, 2, 3, …
// without gaps; a new migration takes the next number.
func TestMigrationsAreOneUnbrokenSequenceInBothDialects(t *testing.T) {
	names := func(fsys fs.FS, dir string) []string {
		entries, err := fs.ReadDir(fsys, dir)
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	pg, lite := names(migrations.Postgres, "postgres"), names(migrations.SQLite, "sqlite")
	require.Equal(t, pg, lite, "each migration exists for both dialects, under the same name")
	for i, name := range pg {
		require.Equal(t, fmt.Sprintf("%05d_", i+1), name[:6], "migration %s is number %d of the sequence", name, i+1)
	}
}
