// Package database opens the service's database (PostgreSQL or the embedded
// SQLite file) through GORM and keeps its schema current.
package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"

	"github.com/invitedhq/invited/internal/config"
)

// DB is an open database: GORM for the application, the same pool as
// *sql.DB for migrations and the job queue.
type DB struct {
	Gorm    *gorm.DB
	SQL     *sql.DB
	Dialect config.Dialect

	schemaCurrent atomic.Bool // Ready saw every migration applied
}

// Options tune Open; the zero value is fine.
type Options struct {
	Logger *slog.Logger
	// MaxOpenConns bounds the PostgreSQL pool (default 20). SQLite always
	// uses a single connection: one writer at a time is what SQLite allows,
	// and it keeps the job queue from tripping over "database is locked".
	MaxOpenConns int
	// Tracer, if set, is told of every query and statement the PostgreSQL
	// connections send, and of every batch when it is also a
	// pgx.BatchTracer (pgx.ConnConfig.Tracer; multitracer.New combines
	// several). Tests count a request's round trips with it.
	Tracer pgx.QueryTracer
}

// Now is the clock for every stored timestamp: UTC at the microsecond
// precision both databases keep, so a value read back equals the one written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Open connects to the database named by url ("postgres://…" or
// "sqlite:PATH") and checks that it answers.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	dialect := DialectOf(url)
	var dialector gorm.Dialector
	switch dialect {
	case config.SQLite:
		path := SQLitePath(url)
		if err := sqliteDirExists(path); err != nil {
			return nil, err
		}
		dialector = sqlite.Open(sqliteDSN(path))
	default:
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return nil, connectError(dialect, err)
		}
		if opts.Tracer != nil {
			cfg.Tracer = opts.Tracer
		}
		// The pool is made here rather than by GORM's driver so that its
		// connections can pipeline transactions (pipeline.go).
		dialector = postgres.New(postgres.Config{Conn: sql.OpenDB(pipelineConnector{stdlib.GetConnector(*cfg,
			stdlib.OptionBeforeConnect(withoutUnusedCaches), stdlib.OptionAfterConnect(afterConnect))})})
	}
	// GORM logs a failed first connection itself, with a source path, and
	// returns the same error: it stays silent until the database answers,
	// so the error is reported once, by the caller, naming DATABASE_URL.
	gdb, err := gorm.Open(dialector, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true, // every multi-step write opens its own transaction
		NowFunc:                Now,
		Logger:                 gormlogger.Discard,
	})
	if err != nil {
		return nil, connectError(dialect, err)
	}
	gdb.Logger = gormlogger.New(slogWriter{opts.Logger}, gormlogger.Config{
		SlowThreshold:             250 * time.Millisecond,
		LogLevel:                  gormlogger.Warn,
		IgnoreRecordNotFoundError: true,
		ParameterizedQueries:      true, // never log values: emails, hashes
	})
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == config.Postgres {
		// Queries (Raw(…).Rows()) and statements (Exec) alike.
		err := errors.Join(gdb.Callback().Row().Before("gorm:row").Register("invited:custom_plan", planPerExecution),
			gdb.Callback().Raw().Before("gorm:raw").Register("invited:custom_plan", planPerExecution))
		if err != nil {
			return nil, fmt.Errorf("open %s database: %w", dialect, err)
		}
	}
	if dialect == config.SQLite {
		sqlDB.SetMaxOpenConns(1)
		sqlDB.SetMaxIdleConns(1)
		sqlDB.SetConnMaxLifetime(0)
	} else {
		n := opts.MaxOpenConns
		if n <= 0 {
			n = 20
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, connectError(dialect, err)
	}
	return &DB{Gorm: gdb, SQL: sqlDB, Dialect: dialect}, nil
}

// withoutUnusedCaches leaves out pgx's cache of statement descriptions
// when no statement is run in the mode that reads it (cache_describe): it
// holds nothing then, yet its table for 512 statements is half of the 50
// KiB each connection keeps on the heap, which every garbage collection
// marks (BENCHMARKS.md, target 2).
func withoutUnusedCaches(_ context.Context, cfg *pgx.ConnConfig) error {
	if cfg.DefaultQueryExecMode != pgx.QueryExecModeCacheDescribe {
		cfg.DescriptionCacheCapacity = 0
	}
	return nil
}

// afterConnect sets up each new PostgreSQL connection.
func afterConnect(ctx context.Context, conn *pgx.Conn) error {
	if err := encodePQArraysNatively(ctx, conn); err != nil {
		return err
	}
	if err := encodeUUIDsNatively(ctx, conn); err != nil {
		return err
	}
	return preferGenericPlans(ctx, conn)
}

// preferGenericPlans makes each PostgreSQL connection keep one plan per
// prepared statement (pgx prepares every statement once per connection).
//
// Left to itself, PostgreSQL plans a statement anew on every execution
// whenever the plan for the actual values looks cheaper than the generic
// one. For a page of users it always does, by its estimates, though both
// plans are the same index scan: the planning alone cost a third of the
// database's CPU per listing (0.85 ms of database CPU per page before,
// 0.46 ms after, BENCHMARKS.md). The service's statements are OLTP lookups
// and keyset pages whose best plan does not depend on the values;
// TestListingPlansUseIndexes checks the generic plans of every listing,
// and the one statement whose plan must depend on its values, a substring
// search, is marked CustomPlan.
//
// An operator's own setting (options=-c plan_cache_mode=… in DATABASE_URL,
// or ALTER ROLE … SET) wins: this only replaces PostgreSQL's default.
func preferGenericPlans(ctx context.Context, conn *pgx.Conn) error {
	_, err := conn.Exec(ctx, `SELECT set_config('plan_cache_mode', 'force_generic_plan', false)
		FROM pg_settings WHERE name = 'plan_cache_mode' AND source = 'default'`, pgx.QueryExecModeSimpleProtocol)
	return err
}

// CustomPlan is a GORM setting, db.Set(CustomPlan, true), asking
// PostgreSQL to plan a Raw(…).Rows() query or an Exec statement for its
// actual values every time it runs, rather than reuse a generic plan (see preferGenericPlans).
// A substring search needs it: a generic plan cannot know whether the
// pattern is rare, and walks the whole organization in sort order instead
// of asking the trigram index.
const CustomPlan = "invited:custom_plan"

// planPerExecution sends statements marked CustomPlan with the simple
// protocol: pgx quotes the values into the statement's text, so PostgreSQL
// plans it with the values in view, at no extra round trip.
func planPerExecution(db *gorm.DB) {
	if v, ok := db.Get(CustomPlan); ok && v == true {
		db.Statement.Vars = append([]any{pgx.QueryExecModeSimpleProtocol}, db.Statement.Vars...)
	}
}

// connectError says that the database DATABASE_URL names did not answer,
// and why, without the URL's password.
func connectError(dialect config.Dialect, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" { // invalid_catalog_name
		return fmt.Errorf("DATABASE_URL: %s on the PostgreSQL server (create it, or name another one)", pgErr.Message)
	}
	return fmt.Errorf("DATABASE_URL: cannot connect to the %s database: %w", dialect, redact(err))
}

// SQLitePath is the file a sqlite: DATABASE_URL names.
func SQLitePath(url string) string {
	return strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//")
}

// sqliteDirExists checks the database file's directory: SQLite creates the
// file but not its directory, and says only "out of memory (14)" when the
// directory is missing.
func sqliteDirExists(path string) error {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("DATABASE_URL: the directory %s of the SQLite database does not exist (create it, or point sqlite: at another path)", dir)
	case err != nil:
		return fmt.Errorf("DATABASE_URL: the directory of the SQLite database: %w", err)
	case !info.IsDir():
		return fmt.Errorf("DATABASE_URL: %s, the directory of the SQLite database, is not a directory", dir)
	}
	return nil
}

// DialectOf tells which database a DATABASE_URL names.
func DialectOf(url string) config.Dialect {
	if strings.HasPrefix(url, "sqlite:") {
		return config.SQLite
	}
	return config.Postgres
}

// Close releases the pool.
func (db *DB) Close() error { return db.SQL.Close() }

// sqliteDSN turns on what the schema relies on: foreign keys, WAL so readers
// don't wait for the writer, a busy timeout instead of immediate failures,
// immediate transactions (no lock upgrades that deadlock) and one sortable
// time format, so timestamps compare correctly as text.
func sqliteDSN(path string) string {
	return path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=synchronous(NORMAL)&_time_format=sqlite&_txlock=immediate"
}

// redact drops a connection error's text when it might quote the URL, which
// carries the password.
func redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if strings.Contains(msg, "://") || strings.Contains(strings.ToLower(msg), "password=") {
		return errors.New("connection failed (details withheld because they contain the connection string)")
	}
	return err
}

// slogWriter routes GORM's slow-query and error lines into the service log.
type slogWriter struct{ log *slog.Logger }

func (w slogWriter) Printf(format string, args ...any) {
	w.log.Warn(strings.TrimSpace(fmt.Sprintf(format, args...)), "component", "gorm")
}
