package apitest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/config"
)

// Exec runs a statement on the environment's database, for fixtures a
// request cannot make (ageing a row, say). Placeholders are GORM's ?.
func (e *Env) Exec(query string, args ...any) {
	e.T.Helper()
	must(e.T, e.DB.Gorm.Exec(query, args...).Error)
}

// Count returns the number of rows of table matching where (GORM ?
// placeholders; empty matches every row).
func (e *Env) Count(table, where string, args ...any) int {
	e.T.Helper()
	q := "SELECT count(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	must(e.T, e.DB.Gorm.Raw(q, args...).Row().Scan(&n))
	return n
}

// Job is one row of River's job table.
type Job struct {
	ID    int64
	Kind  string
	State string
	// Args is the job's arguments as stored, JSON.
	Args string
}

// InviteJobsFor lists the invitation email jobs of these invites, in insertion order.
func (e *Env) InviteJobsFor(invites ...uuid.UUID) []Job {
	e.T.Helper()
	var out []Job
	for _, j := range e.Jobs("invite_email") {
		for _, id := range invites {
			if j.InviteID() == id {
				out = append(out, j)
			}
		}
	}
	return out
}

// InviteID is the invite a job's invite_id argument names.
func (j Job) InviteID() uuid.UUID {
	var a struct {
		InviteID uuid.UUID `json:"invite_id"`
	}
	_ = json.Unmarshal([]byte(j.Args), &a)
	return a.InviteID
}

// Jobs lists River's jobs of a kind in insertion order.
func (e *Env) Jobs(kind string) []Job {
	e.T.Helper()
	args := "args"
	if e.Dialect == config.SQLite {
		args = "json(args)" // River keeps SQLite's binary JSONB
	}
	rows, err := e.DB.Gorm.Raw("SELECT id, kind, state, "+args+" FROM river_job WHERE kind = ? ORDER BY id", kind).Rows()
	must(e.T, err)
	defer rows.Close()
	var jobs []Job
	for rows.Next() {
		var (
			j    Job
			args []byte
		)
		must(e.T, rows.Scan(&j.ID, &j.Kind, &j.State, &args))
		j.Args = string(args)
		jobs = append(jobs, j)
	}
	must(e.T, rows.Err())
	return jobs
}

// DatabaseText renders every row of every table, River's included, as
// text: tests search it to prove that a secret is stored nowhere.
func (e *Env) DatabaseText() string {
	e.T.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, table := range e.tables() {
		rows, err := e.DB.SQL.QueryContext(ctx, "SELECT * FROM "+table) //nolint:gosec // table names come from the catalogue
		must(e.T, err)
		cols, err := rows.Columns()
		must(e.T, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(e.T, rows.Scan(ptrs...))
			fmt.Fprintf(&b, "%s:", table)
			for i, v := range vals {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			b.WriteByte('\n')
		}
		must(e.T, rows.Err())
		_ = rows.Close()
	}
	return b.String()
}

// RowCounts counts the rows of every table, River's included: a test that
// compares them before and after a refused request proves nothing was written.
func (e *Env) RowCounts() map[string]int {
	e.T.Helper()
	counts := map[string]int{}
	for _, table := range e.tables() {
		var n int
		must(e.T, e.DB.SQL.QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n)) //nolint:gosec // table names come from the catalogue
		counts[table] = n
	}
	return counts
}

func (e *Env) tables() []string {
	e.T.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if e.Dialect == config.Postgres {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
	}
	var names []string
	must(e.T, e.DB.Gorm.Raw(q).Scan(&names).Error)
	if len(names) == 0 {
		e.T.Fatal("apitest: the database has no tables")
	}
	return names
}

var failures atomic.Int64

// FailInserts makes every insert into table whose new row satisfies cond
// (an SQL condition over NEW, such as "NEW.action = 'invite.resent'") fail
// with a database error, until the returned function is called. Tests use
// it to break one step of a transaction and check nothing partial remains.
func (e *Env) FailInserts(table, cond string) (restore func()) {
	e.T.Helper()
	name := fmt.Sprintf("apitest_fail_%d", failures.Add(1))
	if e.Dialect == config.Postgres {
		e.Exec(fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF %s THEN RAISE EXCEPTION 'provoked failure'; END IF;
	RETURN NEW;
END $$`, name, cond))
		e.Exec(fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION %s()", name, table, name))
		return func() {
			e.Exec(fmt.Sprintf("DROP TRIGGER %s ON %s", name, table))
			e.Exec(fmt.Sprintf("DROP FUNCTION %s()", name))
		}
	}
	e.Exec(fmt.Sprintf("CREATE TRIGGER %s BEFORE INSERT ON %s FOR EACH ROW WHEN %s BEGIN SELECT RAISE(ABORT, 'provoked failure'); END",
		name, table, cond))
	return func() { e.Exec("DROP TRIGGER " + name) }
}

// Secrets reports where any of secrets appears in the database, the
// service's logs or the River queue; nil means nowhere. Deliveries to the
// fake SendGrid are not searched: mailing the link is the point.
func (e *Env) Secrets(secrets ...string) []string {
	e.T.Helper()
	db, logs := e.DatabaseText(), e.Logs.String()
	var found []string
	for _, s := range secrets {
		if s == "" {
			e.T.Fatal("apitest: Secrets needs non-empty secrets")
		}
		if strings.Contains(db, s) {
			found = append(found, "database contains "+s)
		}
		if strings.Contains(logs, s) {
			found = append(found, "logs contain "+s)
		}
	}
	return found
}
