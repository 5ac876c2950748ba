package bench_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// The raw SQL reference of make bench (bench/pgbench/*.sql) runs as
// bench/run.sh runs it, through pgbench with run.sh's flags, against a
// seeded database of the current migrations, and does what the service
// does: the listing and the search read without failing, a resend
// supersedes the user's invitation and queues its email and audit event,
// and the delivery sends and completes what the resends queued. A
// migration or a change of the service's statements that leaves a script
// behind fails here instead of in the benchmark's run.
//
// Every script in the folder has a check below: a new one fails the test
// until it has one.
func TestRawSQLScriptsDoWhatTheServiceDoes(t *testing.T) {
	t.Parallel()
	bin := pgbenchBinary(t)
	dbURL, ds := seeded(t, smallSpec(t, 600, 5))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })

	// bench_resend_ids as run.sh makes it: the measured organization's
	// invite-pending users, numbered in id order.
	_, err = conn.Exec(ctx, `CREATE TABLE bench_resend_ids AS SELECT row_number() OVER (ORDER BY u.id) AS n, u.id
		FROM users u JOIN organizations o ON o.id = u.organization_id WHERE o.slug = 'bench' AND u.status = 'invite_pending'`)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "ALTER TABLE bench_resend_ids ADD PRIMARY KEY (n)")
	require.NoError(t, err)
	var ids int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM bench_resend_ids").Scan(&ids))
	require.Greater(t, ids, 100)
	pg := pgbench{bin: bin, url: dbURL, vars: []string{"org=" + ds.Org.ID.String(), "actor=" + ds.Owner.ID.String(),
		fmt.Sprintf("ids=%d", ids), "pattern=%okafor%", "batch=100"}}

	const clients, perClient = 2, 10
	resends := clients * perClient
	var before map[uuid.UUID]uuid.UUID // the resend users' open invitations before the resends
	var queued []uuid.UUID             // the invitations the resends added
	checks := []struct {
		script string
		check  func(t *testing.T)
	}{
		{"list_first.sql", func(t *testing.T) { pg.run(t, clients, perClient, "list_first.sql") }},
		{"search.sql", func(t *testing.T) { pg.run(t, clients, perClient, "search.sql") }},
		{"resend.sql", func(t *testing.T) {
			before = openInvites(t, conn)
			require.Len(t, before, ids, "every invite-pending user has one open invitation")
			var since time.Time // the data set's invitations are all older
			require.NoError(t, conn.QueryRow(ctx, "SELECT now()").Scan(&since))
			pg.run(t, clients, perClient, "resend.sql")
			queued = checkResends(t, conn, before, since, resends)
		}},
		{"deliver.sql", func(t *testing.T) {
			require.Len(t, queued, resends, "deliver.sql sends what resend.sql queued")
			// Two clients, two transactions each: the first fetch takes every
			// job, the others find the queue empty.
			pg.run(t, clients, 2, "deliver.sql")
			checkDeliveries(t, conn, queued)
		}},
	}

	scripts, err := filepath.Glob(filepath.Join(scriptDir(t), "*.sql"))
	require.NoError(t, err)
	var names, checked []string
	for _, s := range scripts {
		names = append(names, filepath.Base(s))
	}
	for _, c := range checks {
		checked = append(checked, c.script)
	}
	require.ElementsMatch(t, checked, names, "every script in bench/pgbench has a check here")
	for _, c := range checks {
		if !t.Run(c.script, c.check) {
			return // the later scripts read what the earlier ones wrote
		}
	}
}

// pgbenchBinary is the pgbench on PATH. Without one the test skips with a
// message, unless REQUIRE_POSTGRES=1 (as in CI, where PostgreSQL's client
// tools are installed), where it fails.
func pgbenchBinary(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("pgbench")
	if err == nil {
		return bin
	}
	msg := "the raw SQL scripts need pgbench (Debian: the postgresql-15 package, beside the server): " + err.Error()
	if os.Getenv("REQUIRE_POSTGRES") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (REQUIRE_POSTGRES=1 makes this a failure)")
	return ""
}

func scriptDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "bench", "pgbench"))
	require.NoError(t, err)
	return dir
}

// pgbench runs scripts as bench/run.sh's pgbench_run does, for a number of
// transactions instead of a duration.
type pgbench struct {
	bin, url string
	vars     []string // the -D variables
}

// run runs transactions per client of script on clients connections and
// requires pgbench to succeed with every transaction processed and none
// failed.
func (p pgbench) run(t *testing.T, clients, transactions int, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	threads := 1
	if clients > 1 {
		threads = 2
	}
	args := []string{"-n", "-M", "prepared", "-c", fmt.Sprint(clients), "-j", fmt.Sprint(threads), "-t", fmt.Sprint(transactions),
		"-f", filepath.Join(scriptDir(t), script)}
	for _, v := range p.vars {
		args = append(args, "-D", v)
	}
	cmd := exec.CommandContext(ctx, p.bin, append(args, p.url)...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c plan_cache_mode=force_generic_plan")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "pgbench %s:\n%s", script, out)
	n := clients * transactions
	require.Contains(t, string(out), fmt.Sprintf("number of transactions actually processed: %d/%d", n, n), "%s:\n%s", script, out)
	require.Contains(t, string(out), "number of failed transactions: 0 ", "%s:\n%s", script, out)
}

// openInvites is each resend user's invitation that is neither revoked
// nor accepted.
func openInvites(t *testing.T, conn *pgx.Conn) map[uuid.UUID]uuid.UUID {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT i.user_id, i.id FROM invites i JOIN bench_resend_ids b ON b.id = i.user_id
		WHERE i.revoked_at IS NULL AND i.accepted_at IS NULL`)
	require.NoError(t, err)
	open := map[uuid.UUID]uuid.UUID{}
	for rows.Next() {
		var user, invite uuid.UUID
		require.NoError(t, rows.Scan(&user, &invite))
		_, twice := open[user]
		require.False(t, twice, "user %s has two open invitations", user)
		open[user] = invite
	}
	require.NoError(t, rows.Err())
	return open
}

// resentInvite is an invitation resend.sql added.
// Its fields are exported so that a failure prints the ids as text.
type resentInvite struct {
	ID, User   uuid.UUID
	Sequence   int
	Open       bool
	Reason     string
	Status     string
	Attempts   int
	Latest     bool // users.latest_invite_id points at it
	UserLatest int  // the user's highest sequence
}

// checkResends requires that each of the n resends since then superseded its user's
// open invitation with a new one, queued one email job and wrote one audit
// event, and that users not resent to kept theirs; it returns the new
// invitations.
func checkResends(t *testing.T, conn *pgx.Conn, before map[uuid.UUID]uuid.UUID, since time.Time, n int) []uuid.UUID {
	t.Helper()
	ctx := context.Background()
	rows, err := conn.Query(ctx, `SELECT i.id, i.user_id, i.sequence, i.revoked_at IS NULL AND i.accepted_at IS NULL,
			coalesce(i.revoke_reason, ''), i.delivery_status, i.send_attempts, u.latest_invite_id = i.id,
			(SELECT max(sequence) FROM invites x WHERE x.user_id = i.user_id)
		FROM invites i JOIN users u ON u.id = i.user_id
		WHERE i.user_id IN (SELECT id FROM bench_resend_ids) AND i.created_at >= $1`, since)
	require.NoError(t, err)
	added, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (resentInvite, error) {
		var i resentInvite
		return i, r.Scan(&i.ID, &i.User, &i.Sequence, &i.Open, &i.Reason, &i.Status, &i.Attempts, &i.Latest, &i.UserLatest)
	})
	require.NoError(t, err)
	require.Len(t, added, n, "one new invitation a resend")

	var ids []uuid.UUID
	resent := map[uuid.UUID]bool{}
	for _, i := range added {
		ids = append(ids, i.ID)
		resent[i.User] = true
		require.Equal(t, "queued", i.Status, "%+v", i)
		require.Zero(t, i.Attempts, "%+v", i)
		if i.Sequence == i.UserLatest { // the user's newest: the open one
			require.True(t, i.Open, "%+v", i)
			require.True(t, i.Latest, "users.latest_invite_id points at the newest invitation: %+v", i)
		} else { // resent to again later
			require.False(t, i.Open, "%+v", i)
			require.Equal(t, "superseded", i.Reason, "%+v", i)
		}
	}
	after := openInvites(t, conn)
	var earlier []uuid.UUID // the invitations open before the resends
	for _, inv := range before {
		earlier = append(earlier, inv)
	}
	rows, err = conn.Query(ctx, "SELECT user_id, coalesce(revoke_reason, '') FROM invites WHERE id = ANY($1)", earlier)
	require.NoError(t, err)
	reasons := map[uuid.UUID]string{}
	for rows.Next() {
		var user uuid.UUID
		var reason string
		require.NoError(t, rows.Scan(&user, &reason))
		reasons[user] = reason
	}
	require.NoError(t, rows.Err())
	require.Len(t, reasons, len(before))
	for user, inv := range before {
		if resent[user] {
			require.Equal(t, "superseded", reasons[user], "user %s: the invitation before the resend", user)
			require.NotEqual(t, inv, after[user], "user %s", user)
		} else {
			require.Empty(t, reasons[user], "user %s was not resent to", user)
			require.Equal(t, inv, after[user], "user %s was not resent to", user)
		}
	}

	jobs := uuids(t, conn, `SELECT (args->>'invite_id')::uuid FROM river_job
		WHERE queue = 'pgbench' AND kind = 'invite_email' AND state = 'available'`)
	require.ElementsMatch(t, ids, jobs, "one email job in queue pgbench a new invitation")
	var others int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM river_job WHERE queue <> 'pgbench'").Scan(&others))
	require.Zero(t, others, "the jobs go to queue pgbench only")

	events := uuids(t, conn, `SELECT (a.metadata->>'invite_id')::uuid FROM audit_events a JOIN invites i ON i.id = (a.metadata->>'invite_id')::uuid
		WHERE a.action = 'invite.resent' AND a.target_user_id = i.user_id`)
	require.ElementsMatch(t, ids, events, "one audit event a resend, naming its invitation and user")
	var allEvents int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM audit_events").Scan(&allEvents))
	require.Equal(t, n, allEvents)
	return ids
}

// checkDeliveries requires that every job of queue pgbench completed and
// that its invitation was sent: status sent, a message id, one attempt
// more; no other invitation got a message id of the script's.
func checkDeliveries(t *testing.T, conn *pgx.Conn, invites []uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	var jobs, completed int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE state = 'completed' AND finalized_at IS NOT NULL
		AND attempt = 1) FROM river_job WHERE queue = 'pgbench'`).Scan(&jobs, &completed))
	require.Equal(t, len(invites), jobs)
	require.Equal(t, jobs, completed, "every job of queue pgbench completed")

	sent := uuids(t, conn, `SELECT id FROM invites WHERE delivery_status = 'sent' AND provider_message_id ~ '^[0-9a-f]{32}$'
		AND sent_at IS NOT NULL AND send_attempts = 1 AND delivery_reason IS NULL`)
	require.ElementsMatch(t, invites, sent, "the queued invitations, and only they, were sent")
}

// uuids is the single uuid column of query's rows.
func uuids(t *testing.T, conn *pgx.Conn, query string) []uuid.UUID {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	require.NoError(t, err)
	return ids
}
