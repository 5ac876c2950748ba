// Package store keeps the product's state in PostgreSQL or SQLite through
// GORM. It implements people.Store; the schema itself comes from the SQL
// migrations, never from GORM.
package store

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"strings"
	"sync"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/people"
)

// Enqueuer inserts background jobs inside a database transaction, so a job
// exists exactly when the rows it is about do.
type Enqueuer interface {
	EnqueueInviteEmail(ctx context.Context, tx *sql.Tx, inviteID uuid.UUID) error
	// EnqueueInviteBatch queues one email job for several invites.
	EnqueueInviteBatch(ctx context.Context, tx *sql.Tx, inviteIDs []uuid.UUID) error
	// EnqueueJobBatch queues the next batch of a bulk job.
	EnqueueJobBatch(ctx context.Context, tx *sql.Tx, jobID uuid.UUID) error
	// EnqueueWebhookDeliveries queues a delivery run for each endpoint.
	EnqueueWebhookDeliveries(ctx context.Context, tx *sql.Tx, endpointIDs []uuid.UUID) error
	// EnqueueReminderReschedule queues the reschedule of an organization's
	// reminders by a revision of its policy.
	EnqueueReminderReschedule(ctx context.Context, tx *sql.Tx, orgID uuid.UUID, revision int) error
}

// Store implements people.Store.
type Store struct {
	gdb     *gorm.DB
	sqlDB   *sql.DB
	dialect config.Dialect
	queue   Enqueuer
	// onNative sees the statements sent through pgx directly (OnNativeQuery).
	onNative func(sql string, args []any)
	// pgSignedInUserSQL is signedInUserSQL as GORM spells it for
	// PostgreSQL, spelled once: its two values change nothing in its text.
	pgSignedInUserSQL func() string
	// pgSupersedeSQL is supersedeInvite as GORM spells it, for pgx.
	pgSupersedeSQL func() string
}

var _ people.Store = (*Store)(nil)

// New returns a Store over db that enqueues jobs through queue.
func New(db *database.DB, queue Enqueuer) *Store {
	return &Store{gdb: db.Gorm, sqlDB: db.SQL, dialect: db.Dialect, queue: queue,
		pgSignedInUserSQL: sync.OnceValue(func() string {
			return db.Gorm.Session(&gorm.Session{DryRun: true}).Raw(signedInUserSQL, uuid.Nil, uuid.Nil).Statement.SQL.String()
		}),
		pgSupersedeSQL: sync.OnceValue(func() string {
			// GORM puts a value in place of every ? of the text, and
			// leaves a ? it has no value for as it is: one value each.
			values := make([]any, strings.Count(supersedeInvite, "?"))
			return db.Gorm.Session(&gorm.Session{DryRun: true}).Raw(supersedeInvite, values...).Statement.SQL.String()
		})}
}

type txKey struct{}

// conn is the transaction in ctx, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.gdb.WithContext(ctx)
}

// InTx runs fn in a transaction carried by the ctx it receives; inside
// another transaction it nests as a savepoint. An error or panic in fn
// rolls back everything fn did.
//
// On PostgreSQL the outermost transaction is pipelined (database.Pipeline):
// its BEGIN goes with its first statement, and statements held back
// (the audit trail, the email job) with its COMMIT.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	var p *database.Pipeline
	if _, nested := ctx.Value(txKey{}).(*gorm.DB); nested {
		p = database.PipelineOf(ctx)
	} else if s.postgres() {
		ctx, _ = database.WithPipeline(ctx)
	}
	mark := 0
	if p != nil {
		mark = p.Mark()
	}
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
	if err != nil && p != nil {
		p.Truncate(mark) // rolled back to the savepoint: so are the statements held back since
	}
	return err
}

// sqlTx is the *sql.Tx under the transaction in ctx.
func sqlTx(ctx context.Context) (*sql.Tx, error) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return nil, errors.New("store: job enqueued outside a transaction")
	}
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, errors.New("store: transaction is not a *sql.Tx")
	}
	return t, nil
}

// translate turns driver errors into application errors; notFound names
// what was missing.
func translate(err error, notFound string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return apperr.New(apperr.NotFound, "%s not found.", notFound)
	case apperr.As(err).Code != apperr.CodeInternal:
		return err
	default:
		return internal(err, 2)
	}
}

// internal wraps an unexpected database failure as an internal error that
// names the store operation it happened in, such as "store.UpdateUser", so
// that the log line of a 500 says what failed. The name is the caller's,
// skip frames up (1 for internal's own caller), read from the stack rather
// than written at each of the store's many call sites: it cannot drift
// from the code, and it costs only on the failure path.
func internal(err error, skip int) error {
	op := "store"
	if pc, _, _, ok := runtime.Caller(skip); ok {
		if f := runtime.FuncForPC(pc); f != nil {
			op = operationName(f.Name())
		}
	}
	return apperr.Internal(op, err)
}

// operationName shortens a function's full name to package.Method:
// github.com/…/store.(*Store).Idempotent.func1 is store.Idempotent.
func operationName(full string) string {
	name := full[strings.LastIndexByte(full, '/')+1:]
	pkg, rest, _ := strings.Cut(name, ".")
	parts := strings.Split(rest, ".")
	for len(parts) > 1 && (strings.HasPrefix(parts[len(parts)-1], "func") || parts[len(parts)-1] == "") {
		parts = parts[:len(parts)-1] // closures are their function's work
	}
	method := parts[len(parts)-1]
	return pkg + "." + method
}

func (s *Store) postgres() bool { return s.dialect == config.Postgres }
