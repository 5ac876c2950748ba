package database_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestPipelinedTransactions(t *testing.T) {
	t.Parallel()
	db := testdb.New(t, config.Postgres)
	bg := context.Background()
	_, err := db.SQL.ExecContext(bg, `CREATE TABLE pipe_t (id int PRIMARY KEY, v text NOT NULL)`)
	require.NoError(t, err)
	_, err = db.SQL.ExecContext(bg, `INSERT INTO pipe_t VALUES (1, 'one')`)
	require.NoError(t, err)

	begin := func(t *testing.T) (context.Context, *sql.Tx, *database.Pipeline) {
		t.Helper()
		ctx, _ := database.WithPipeline(bg)
		tx, err := db.SQL.BeginTx(ctx, nil)
		require.NoError(t, err)
		p := database.PipelineOf(ctx)
		require.NotNil(t, p, "a transaction begun with a Pipeline is pipelined")
		return ctx, tx, p
	}
	ids := func(t *testing.T, q string) (n int) {
		t.Helper()
		require.NoError(t, db.SQL.QueryRowContext(bg, q).Scan(&n))
		return n
	}
	// lockedElsewhere reports whether row 1 is locked by another transaction.
	lockedElsewhere := func(t *testing.T) bool {
		t.Helper()
		_, err := db.SQL.ExecContext(bg, `SELECT id FROM pipe_t WHERE id = 1 FOR UPDATE NOWAIT`)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55P03" { // lock_not_available
			return true
		}
		require.NoError(t, err)
		return false
	}

	t.Run("BEGIN goes with the first query, which runs in the transaction", func(t *testing.T) {
		ctx, tx, p := begin(t)
		var v string
		require.NoError(t, p.Query(ctx, `SELECT v FROM pipe_t WHERE id = $1 FOR UPDATE`, []any{1}, func(rows pgx.Rows) error {
			require.True(t, rows.Next())
			return rows.Scan(&v)
		}))
		require.Equal(t, "one", v)
		require.True(t, lockedElsewhere(t), "the lock outlives the statement: BEGIN came before it")
		require.NoError(t, tx.Commit())
		require.False(t, lockedElsewhere(t), "the commit released the lock")
	})

	t.Run("held-back statements go with COMMIT", func(t *testing.T) {
		ctx, tx, p := begin(t)
		_, err := tx.ExecContext(ctx, `INSERT INTO pipe_t VALUES ($1, $2)`, 2, "two") // with BEGIN
		require.NoError(t, err)
		p.Defer(nil, `INSERT INTO pipe_t VALUES ($1, $2)`, 3, "three")
		res, err := tx.ExecContext(database.DeferExecs(ctx, nil), `INSERT INTO pipe_t VALUES ($1, $2)`, 4, "four")
		require.NoError(t, err)
		n, err := res.RowsAffected()
		require.NoError(t, err)
		require.Zero(t, n, "a held-back Exec answers that it affected nothing yet")
		var inTx int
		require.NoError(t, tx.QueryRowContext(ctx, `SELECT count(*) FROM pipe_t WHERE id IN (2, 3, 4)`).Scan(&inTx))
		require.Equal(t, 1, inTx, "only the statement sent so far is in the transaction")
		require.Zero(t, ids(t, `SELECT count(*) FROM pipe_t WHERE id IN (2, 3, 4)`), "nothing is committed yet")
		require.NoError(t, tx.Commit())
		require.Equal(t, 3, ids(t, `SELECT count(*) FROM pipe_t WHERE id IN (2, 3, 4)`))
	})

	t.Run("a held-back statement that fails fails the commit and undoes the transaction", func(t *testing.T) {
		ctx, tx, p := begin(t)
		_, err := tx.ExecContext(ctx, `INSERT INTO pipe_t VALUES ($1, $2)`, 5, "five")
		require.NoError(t, err)
		p.Defer(func(err error) error { return fmt.Errorf("adding again: %w", err) },
			`INSERT INTO pipe_t VALUES ($1, $2)`, 1, "again") // the primary key is taken
		p.Defer(nil, `INSERT INTO pipe_t VALUES ($1, $2)`, 6, "six")
		err = tx.Commit()
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%v", err)
		require.Equal(t, "23505", pgErr.Code) // unique_violation, the statement's own error
		require.ErrorContains(t, err, "adding again: ", "the error says which held-back statement failed")
		require.Zero(t, ids(t, `SELECT count(*) FROM pipe_t WHERE id IN (5, 6)`))
		require.Zero(t, ids(t, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state LIKE 'idle in transaction%'`), "no connection is left in a transaction")
	})

	t.Run("a rollback sends nothing held back", func(t *testing.T) {
		ctx, tx, p := begin(t)
		_, err := tx.ExecContext(ctx, `INSERT INTO pipe_t VALUES ($1, $2)`, 7, "seven")
		require.NoError(t, err)
		p.Defer(nil, `INSERT INTO pipe_t VALUES ($1, $2)`, 8, "eight")
		require.NoError(t, tx.Rollback())
		require.Zero(t, ids(t, `SELECT count(*) FROM pipe_t WHERE id IN (7, 8)`))
	})

	t.Run("a transaction that sent nothing commits nothing", func(t *testing.T) {
		_, tx, _ := begin(t)
		require.NoError(t, tx.Commit())
	})

	t.Run("without a Pipeline a transaction is pgx's own", func(t *testing.T) {
		tx, err := db.SQL.BeginTx(bg, nil)
		require.NoError(t, err)
		require.Nil(t, database.PipelineOf(bg))
		_, err = tx.ExecContext(bg, `INSERT INTO pipe_t VALUES ($1, $2)`, 9, "nine")
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		require.Equal(t, 1, ids(t, `SELECT count(*) FROM pipe_t WHERE id = 9`))
	})
}
