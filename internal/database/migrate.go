package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/migrations"
)

// migrationLockID is the PostgreSQL advisory lock that serializes schema
// changes, so replicas starting together migrate one after the other.
const migrationLockID = 0x1a71_7ed0_0001

// Migrate applies every pending migration: the service's own SQL files, then
// the job queue's tables. It is safe to run from several replicas at once.
func Migrate(ctx context.Context, db *DB, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if db.Dialect == config.Postgres {
		unlock, err := lockMigrations(ctx, db.SQL)
		if err != nil {
			return err
		}
		defer unlock()
	}
	provider, err := gooseProvider(db)
	if err != nil {
		return err
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("apply schema migrations: %w", err)
	}
	for _, r := range results {
		logger.Info("schema migration applied", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	if err := migrateQueue(ctx, db, logger); err != nil {
		return fmt.Errorf("apply job queue migrations: %w", err)
	}
	return nil
}

// Ready reports whether the database answers and its schema is current.
//
// Migrations only ever move forward, so once this process has seen the
// schema current it only checks that the database answers.
func Ready(ctx context.Context, db *DB) error {
	if err := db.SQL.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", redact(err))
	}
	if db.schemaCurrent.Load() {
		return nil
	}
	provider, err := gooseProvider(db)
	if err != nil {
		return err
	}
	pending, err := provider.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", redact(err))
	}
	if pending {
		return errors.New("schema migrations are pending")
	}
	if err := queueReady(ctx, db); err != nil {
		return err
	}
	db.schemaCurrent.Store(true)
	return nil
}

func gooseProvider(db *DB) (*goose.Provider, error) {
	var (
		dialect goose.Dialect
		fsys    fs.FS
		err     error
	)
	switch db.Dialect {
	case config.SQLite:
		dialect = goose.DialectSQLite3
		fsys, err = fs.Sub(migrations.SQLite, "sqlite")
	default:
		dialect = goose.DialectPostgres
		fsys, err = fs.Sub(migrations.Postgres, "postgres")
	}
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(dialect, db.SQL, fsys)
}

func lockMigrations(ctx context.Context, sqlDB *sql.DB) (func(), error) {
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("reserve connection for the migration lock: %w", redact(err))
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("take the migration lock: %w", err)
	}
	return func() {
		// A fresh context: the unlock must happen even when ctx was cancelled.
		_, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockID)
		_ = conn.Close()
	}, nil
}

// RiverDriver is the job queue's driver over the same pool as GORM.
func RiverDriver(db *DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect == config.SQLite {
		return riversqlite.New(db.SQL)
	}
	return riverdatabasesql.New(db.SQL)
}

func migrateQueue(ctx context.Context, db *DB, logger *slog.Logger) error {
	m, err := rivermigrate.New(RiverDriver(db), &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

func queueReady(ctx context.Context, db *DB) error {
	m, err := rivermigrate.New(RiverDriver(db), nil)
	if err != nil {
		return err
	}
	existing, err := m.ExistingVersions(ctx)
	if err != nil {
		return fmt.Errorf("read job queue schema version: %w", redact(err))
	}
	all := m.AllVersions()
	if len(existing) == 0 || len(all) == 0 || existing[len(existing)-1].Version < all[len(all)-1].Version {
		return errors.New("job queue migrations are pending")
	}
	return nil
}
