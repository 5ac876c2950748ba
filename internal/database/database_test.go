package database_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

func emptyURL(t *testing.T, d config.Dialect) string {
	if d == config.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "empty.db")
	}
	return testdb.EmptyPostgresURL(t)
}

func TestMigrateFromEmptyAndAgain(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := database.Open(ctx, emptyURL(t, d), database.Options{})
			require.NoError(t, err)
			defer db.Close()

			require.ErrorContains(t, database.Ready(ctx, db), "pending", "an empty database is not ready")
			require.NoError(t, database.Migrate(ctx, db, nil))
			require.NoError(t, database.Ready(ctx, db))
			require.NoError(t, database.Migrate(ctx, db, nil), "migrating a current schema is a no-op")
			require.NoError(t, database.Ready(ctx, db))

			for _, table := range []string{"organizations", "users", "invites", "audit_events", "idempotency_keys", "delivery_events", "river_job"} {
				require.True(t, db.Gorm.Migrator().HasTable(table), table)
			}
		})
	}
}

func TestConcurrentMigrationsOnPostgres(t *testing.T) {
	t.Parallel()
	url := emptyURL(t, config.Postgres)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := database.Open(ctx, url, database.Options{})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = database.Migrate(ctx, db, nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err, "replicas starting together must all migrate cleanly")
	}
}

func TestReadyFailsWhenDatabaseIsGone(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db *database.DB) {
		ctx := context.Background()
		require.NoError(t, database.Ready(ctx, db))
		require.NoError(t, db.Close())
		require.Error(t, database.Ready(ctx, db))
	})
}

func TestOpenRefusesUnreachablePostgresWithoutLeakingPassword(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := database.Open(ctx, "postgres://app:hunter2-secret@127.0.0.1:1/invited?sslmode=disable&connect_timeout=2", database.Options{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2-secret")
}

// The schema enforces the product's invariants even against a buggy caller.
func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	testdb.ForEach(t, func(t *testing.T, db *database.DB) {
		g := db.Gorm
		now := database.Now()
		org := uuid.New()
		require.NoError(t, g.Exec(`INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES (?, 'acme', 'Acme', ?, ?)`, org, now, now).Error)

		insertUser := func(email, role, status string) error {
			return g.Exec(`INSERT INTO users (id, organization_id, email, role, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				uuid.New(), org, email, role, status, now, now).Error
		}
		require.NoError(t, insertUser("ada@example.com", "learner", "invite_pending"))

		violations := map[string]error{
			"email differing only in case":    insertUser("ADA@example.com", "learner", "invite_pending"),
			"unknown role":                    insertUser("bob@example.com", "superuser", "invite_pending"),
			"unknown status":                  insertUser("bob@example.com", "learner", "sleeping"),
			"confirmed without password":      insertUser("bob@example.com", "learner", "confirmed"),
			"deactivated without timestamp":   insertUser("bob@example.com", "learner", "deactivated"),
			"slug with capitals":              g.Exec(`INSERT INTO organizations (id, slug, name, created_at, updated_at) VALUES (?, 'Acme', 'x', ?, ?)`, uuid.New(), now, now).Error,
			"user of an unknown organization": g.Exec(`INSERT INTO users (id, organization_id, email, role, status, created_at, updated_at) VALUES (?, ?, 'x@example.com', 'learner', 'invite_pending', ?, ?)`, uuid.New(), uuid.New(), now, now).Error,
		}
		for name, err := range violations {
			require.Error(t, err, name)
		}

		var user uuid.UUID
		require.NoError(t, g.Raw(`SELECT id FROM users WHERE email = 'ada@example.com'`).Row().Scan(&user))
		insertInvite := func(seq int) error {
			return g.Exec(`INSERT INTO invites (id, organization_id, user_id, sequence, key_id, created_at, expires_at, delivery_updated_at) VALUES (?, ?, ?, ?, 'k', ?, ?, ?)`,
				uuid.New(), org, user, seq, now, now.Add(time.Hour), now).Error
		}
		require.NoError(t, insertInvite(1))
		err := insertInvite(2)
		require.Error(t, err, "a second open invite for the same user must be refused")
		require.True(t, errors.Is(err, gorm.ErrDuplicatedKey), "got %v", err)

		require.NoError(t, g.Exec(`INSERT INTO audit_events (id, organization_id, action, created_at) VALUES (?, ?, 'user.created', ?)`, uuid.New(), org, now).Error)
		require.ErrorContains(t, g.Exec(`UPDATE audit_events SET action = 'tampered'`).Error, "append-only")
		require.ErrorContains(t, g.Exec(`DELETE FROM audit_events`).Error, "append-only")
	})
}

// The cache of statement descriptions is left out unless DATABASE_URL asks
// for the mode that reads it.
func TestDescriptionCacheOnlyWhenUsed(t *testing.T) {
	t.Parallel()
	for query, want := range map[string]int{"": 0, "default_query_exec_mode=cache_describe": 512} {
		url := emptyURL(t, config.Postgres)
		if query != "" {
			url += "&" + query
		}
		db, err := database.Open(context.Background(), url, database.Options{})
		require.NoError(t, err)
		conn, err := db.SQL.Conn(context.Background())
		require.NoError(t, err)
		require.NoError(t, conn.Raw(func(dc any) error {
			require.Equal(t, want, pgxConnOf(t, dc).Config().DescriptionCacheCapacity, query)
			return nil
		}))
		require.NoError(t, conn.Close())
		require.NoError(t, db.SQL.Close())
	}
}

func pgxConnOf(t *testing.T, dc any) *pgx.Conn {
	t.Helper()
	c, ok := database.PgxConn(dc)
	require.True(t, ok, "the pool's connection is not pgx's")
	return c
}
