package database

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A transaction on PostgreSQL costs a round trip to begin and one to
// commit, and each of its statements one more. Most of a short write's
// time in the service is those round trips (BENCHMARKS.md, resend): the
// write system call that sends each one, the wait and the wake-up. A
// Pipeline lets a transaction send BEGIN with its first statement and
// COMMIT with its last ones, as one pgx batch each, instead of alone.
//
// database/sql has no notion of this, and neither has pgx's adapter for
// it, so the pool's connections are wrapped here (pipeConn): by hand,
// because no library does it. The wrapper changes nothing for a
// transaction begun without a Pipeline in its context, nor outside
// transactions; the connection, its settings and the pool stay pgx's.
//
// The parts:
//   - BEGIN is held back until the transaction's first statement, and
//     sent in one batch with it when that statement is an Exec or a
//     Pipeline.Query; before a database/sql query it goes alone, as before.
//   - Statements that answer nothing the transaction reads can be held
//     back until COMMIT (Pipeline.Defer, or DeferExecs for a library's
//     Exec), and sent in one batch with it. Their errors are the commit's.
//   - Pipeline.Query reads through pgx itself inside the transaction.

type pipelineKey struct{}

// Pipeline is a transaction's batches. Put one in the context of a
// database/sql transaction's BeginTx (WithPipeline), and use it in that
// transaction only, from the goroutine that runs it.
type Pipeline struct {
	mu sync.Mutex // between the transaction and database/sql's rollback on cancellation
	tx *pipeTx
	// deferred are sent before COMMIT, in order.
	deferred []deferredStmt
}

type deferredStmt struct {
	sql  string
	args []any
	// wrap says what failed when the statement fails; nil keeps its error.
	wrap func(error) error
}

// WithPipeline returns ctx carrying a new Pipeline for the transaction
// begun with it.
func WithPipeline(ctx context.Context) (context.Context, *Pipeline) {
	p := &Pipeline{}
	return context.WithValue(ctx, pipelineKey{}, p), p
}

// PipelineOf is the Pipeline in ctx, nil when there is none or its
// transaction was not begun on a pipelining connection.
func PipelineOf(ctx context.Context) *Pipeline {
	p, _ := ctx.Value(pipelineKey{}).(*Pipeline)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tx == nil {
		return nil
	}
	return p
}

type deferExecsKey struct{}

// DeferExecs returns ctx in which the Execs database/sql sends in a
// pipelined transaction are held back until its COMMIT, answering that no
// row was affected: for a library's insert whose answer nobody reads.
// wrap, if not nil, is applied to the error of such a statement.
func DeferExecs(ctx context.Context, wrap func(error) error) context.Context {
	return context.WithValue(ctx, deferExecsKey{}, deferExecs{wrap: wrap})
}

type deferExecs struct{ wrap func(error) error }

// Defer holds back sql (with pgx's $n placeholders) until the commit;
// wrap, if not nil, is applied to its error, which is the commit's.
func (p *Pipeline) Defer(wrap func(error) error, sql string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deferred = append(p.deferred, deferredStmt{sql: sql, args: args, wrap: wrap})
}

// Mark and Truncate bracket a savepoint: the statements deferred after
// the mark go when the savepoint is rolled back.
func (p *Pipeline) Mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.deferred)
}

// Truncate forgets the statements deferred since mark.
func (p *Pipeline) Truncate(mark int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if mark < len(p.deferred) {
		p.deferred = p.deferred[:mark]
	}
}

// Query runs sql in the transaction through pgx and hands fn the rows,
// with BEGIN in the same batch if it is still to be sent.
func (p *Pipeline) Query(ctx context.Context, sql string, args []any, fn func(pgx.Rows) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.tx
	if t == nil {
		return errors.New("database: pipelined query outside its transaction")
	}
	if !t.begun {
		res, err := t.beginWith(ctx, sql, args)
		if err != nil {
			return err
		}
		rows, err := res.Query()
		if err == nil {
			err = readRows(rows, fn)
		}
		return first(err, res.Close())
	}
	rows, err := t.conn.Conn().Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	return readRows(rows, fn)
}

func readRows(rows pgx.Rows, fn func(pgx.Rows) error) error {
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// pipelineConnector makes the pool's connections pipeConns.
type pipelineConnector struct{ driver.Connector }

func (c pipelineConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, errors.New("database: the PostgreSQL connector gave no pgx connection")
	}
	return &pipeConn{stdConn: sc}, nil
}

type stdConn = stdlib.Conn

// PgxConn is the pgx connection under one of the pool's database/sql
// connections (the driverConn of sql.Conn.Raw): pgx's own or a pipeConn.
func PgxConn(driverConn any) (*pgx.Conn, bool) {
	c, ok := driverConn.(interface{ Conn() *pgx.Conn })
	if !ok {
		return nil, false
	}
	return c.Conn(), true
}

// pipeConn is pgx's database/sql connection, with transactions begun
// under a Pipeline handled as the Pipeline says. Every other method is
// pgx's own.
type pipeConn struct {
	*stdConn
	tx *pipeTx // the pipelined transaction open on the connection
}

// pipeTx is a pipelined transaction: BEGIN is sent with its first
// statement (begun), the deferred statements with its COMMIT.
type pipeTx struct {
	ctx   context.Context
	conn  *pipeConn
	p     *Pipeline
	begun bool
}

func (c *pipeConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	p, _ := ctx.Value(pipelineKey{}).(*Pipeline)
	if p == nil || opts != (driver.TxOptions{}) {
		return c.stdConn.BeginTx(ctx, opts)
	}
	if c.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	t := &pipeTx{ctx: ctx, conn: c, p: p}
	p.mu.Lock()
	p.tx, p.deferred = t, nil
	p.mu.Unlock()
	c.tx = t
	return t, nil
}

// beginWith sends the transaction's BEGIN and its first statement, sql,
// in one batch, and answers the batch with BEGIN's result read: sql's is
// next. p.mu must be held.
func (t *pipeTx) beginWith(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue("begin")
	b.Queue(sql, args...)
	res := t.conn.Conn().SendBatch(ctx, b)
	if _, err := res.Exec(); err != nil {
		_ = res.Close()
		return nil, err
	}
	t.begun = true
	return res, nil
}

// begin sends the transaction's BEGIN alone if it is still to be sent.
// p.mu must be held.
func (t *pipeTx) begin(ctx context.Context) error {
	if t.begun {
		return nil
	}
	if _, err := t.conn.Conn().Exec(ctx, "begin"); err != nil {
		return err
	}
	t.begun = true
	return nil
}

func (c *pipeConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	t := c.tx
	if t == nil {
		return c.stdConn.ExecContext(ctx, query, args)
	}
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	modal := false // a mode cannot join a batch
	if len(args) > 0 {
		_, modal = args[0].Value.(pgx.QueryExecMode)
	}
	if d, deferred := ctx.Value(deferExecsKey{}).(deferExecs); deferred && !modal {
		t.p.deferred = append(t.p.deferred, deferredStmt{sql: query, args: values(args), wrap: d.wrap})
		return driver.RowsAffected(0), nil
	}
	if t.begun || modal {
		if err := t.begin(ctx); err != nil {
			return nil, err
		}
		return c.stdConn.ExecContext(ctx, query, args)
	}
	res, err := t.beginWith(ctx, query, values(args))
	if err != nil {
		return nil, err
	}
	tag, err := res.Exec()
	if err = first(err, res.Close()); err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), nil
}

// values are a statement's arguments as pgx takes them, for the
// statements sent in a batch rather than through pgx's database/sql
// connection, which converts them itself.
func values(args []driver.NamedValue) []any {
	vs := make([]any, len(args))
	for i, a := range args {
		vs[i] = a.Value
	}
	return vs
}

func (c *pipeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.begin(ctx); err != nil {
		return nil, err
	}
	return c.stdConn.QueryContext(ctx, query, args)
}

func (c *pipeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.begin(ctx); err != nil {
		return nil, err
	}
	return c.stdConn.PrepareContext(ctx, query)
}

// begin sends the BEGIN of the pipelined transaction open on the
// connection, if there is one and it was not sent yet: a statement that
// cannot carry it is about to go.
func (c *pipeConn) begin(ctx context.Context) error {
	t := c.tx
	if t == nil {
		return nil
	}
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	return t.begin(ctx)
}

// Commit sends the deferred statements and COMMIT in one batch. A failed
// statement aborts the transaction, whose ROLLBACK follows.
func (t *pipeTx) Commit() error {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	defer t.end()
	if !t.begun && len(t.p.deferred) == 0 {
		return nil // nothing was sent: nothing to commit
	}
	conn := t.conn.Conn()
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue("begin")
	}
	wraps := make([]func(error) error, b.Len(), b.Len()+len(t.p.deferred)+1)
	for _, d := range t.p.deferred {
		b.Queue(d.sql, d.args...)
		wraps = append(wraps, d.wrap)
	}
	b.Queue("commit")
	wraps = append(wraps, nil)
	res := conn.SendBatch(t.ctx, b)
	var err error
	for _, wrap := range wraps {
		if _, err = res.Exec(); err != nil {
			if wrap != nil {
				err = wrap(err)
			}
			break
		}
	}
	err = first(err, res.Close())
	if err != nil && !conn.IsClosed() && conn.PgConn().TxStatus() != 'I' {
		// The transaction failed and is still open: a failed statement
		// skips the COMMIT after it.
		_, _ = conn.Exec(context.WithoutCancel(t.ctx), "rollback")
	}
	return err
}

// first is the first error of a statement and its batch's close: the
// statement's own, unwrapped, for callers that translate it (a unique
// violation, say).
func first(err, closeErr error) error {
	if err != nil {
		return err
	}
	return closeErr
}

// Rollback forgets the deferred statements and rolls back what was sent.
func (t *pipeTx) Rollback() error {
	t.p.mu.Lock()
	defer t.p.mu.Unlock()
	defer t.end()
	if !t.begun {
		return nil
	}
	_, err := t.conn.Conn().Exec(t.ctx, "rollback")
	return err
}

// end detaches the transaction from its connection and Pipeline. p.mu
// must be held.
func (t *pipeTx) end() {
	t.p.tx, t.p.deferred = nil, nil
	t.conn.tx = nil
}
