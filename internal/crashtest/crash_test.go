// Package crashtest kills the real invited binary with SIGKILL in the
// middle of a bulk send on PostgreSQL, restarts it on the same database,
// and counts what the crash cost: emails sent twice, links never mailed,
// and how long the dead process's work waited before it was taken over.
package crashtest_test

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/binarytest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// latency is how long the fake SendGrid takes to answer a call it has
// accepted, so that a kill can land while the answer is on its way.
const latency = 50 * time.Millisecond

// outcome is what one crash cost.
type outcome struct {
	// calls is how many provider calls the whole send took, both
	// processes together, refused ones included.
	calls int
	// killedAfter is how many recipients the fake had accepted at the kill.
	killedAfter int
	// unconfirmed is how many invites showed sending after the kill: the
	// recipients of calls whose answer the dead process never recorded.
	unconfirmed int
	// duplicates is how many emails were sent more than once per
	// recipient, and maxCopies the most copies one recipient got.
	duplicates, maxCopies int
	// superseded counts emails carrying a link other than the recipient's
	// current one; lost counts recipients whose current link was never
	// mailed. Both must be zero.
	superseded, lost int
	// resent is the time from the kill until the last unconfirmed email
	// was sent again by the restarted process, finished the time until
	// the last email of the send.
	resent, finished time.Duration
}

// crash imports users people, starts a bulk resend to all of them with
// MAIL_BATCH_SIZE bound, kills the server with SIGKILL once the fake has
// accepted a random number of recipients (and a random moment more),
// starts a new server on the same database and waits until every person
// has their current link.
func crash(t testing.TB, bin string, users, bound int, rng *rand.Rand) outcome {
	t.Helper()
	fake := sendgridtest.NewServer(t)
	fake.SetLatency(latency)
	url := testdb.NewURL(t, config.Postgres)
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	srv := binarytest.New(t, bin, url, fake, "MAIL_BATCH_SIZE="+strconv.Itoa(bound))
	srv.Start()
	srv.WaitForJob(srv.ImportCSV(binarytest.CSV("crash", users), false), 5*time.Minute)

	var o outcome
	at := rng.IntN(users)
	job := srv.BulkResend(map[string]any{})
	deadline := time.Now().Add(15 * time.Minute)
	for len(fake.Recipients()) < at {
		require.True(t, time.Now().Before(deadline), "the send reached %d recipients, not %d", len(fake.Recipients()), at)
		time.Sleep(time.Millisecond)
	}
	time.Sleep(time.Duration(rng.Int64N(int64(2 * latency))))
	srv.Kill()
	killed := time.Now()
	o.killedAfter = len(fake.Recipients())
	unconfirmed := map[string]bool{}
	for id := range ids(t, db, `SELECT id, id FROM invites WHERE delivery_status = 'sending'`) {
		unconfirmed[id] = true
	}
	o.unconfirmed = len(unconfirmed)

	srv.Start()
	defer srv.Stop()
	sentBefore := len(fake.Messages())
	require.Equal(t, "succeeded", srv.WaitForJob(job, 15*time.Minute).State, "log:\n%s", srv.Log)
	deadline = time.Now().Add(5 * time.Minute)
	for {
		// One statement, so one snapshot: every person invited, and every
		// current invitation accepted by the provider.
		var unsent int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM users u LEFT JOIN invites i ON i.id = u.latest_invite_id
			WHERE u.status = 'invite_pending' AND i.sent_at IS NULL`).Scan(&unsent))
		if unsent == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "%d people without a sent invitation after the job ended; log:\n%s", unsent, srv.Log)
		time.Sleep(50 * time.Millisecond)
	}
	msgs := fake.Messages()
	for _, m := range msgs[sentBefore:] {
		for _, p := range m.Personalizations {
			if unconfirmed[p.CustomArgs["invite_id"]] {
				o.resent = max(o.resent, m.Received.Sub(killed))
			}
		}
		o.finished = m.Received.Sub(killed)
	}
	o.calls = fake.Requests()

	latest := ids(t, db, `SELECT email, latest_invite_id FROM users WHERE status = 'invite_pending'`)
	require.Len(t, latest, users)
	copies := map[string]int{}
	for _, p := range fake.Recipients() {
		if p.CustomArgs["invite_id"] != latest[p.Email] {
			o.superseded++
			continue
		}
		copies[p.Email]++
	}
	for email := range latest {
		switch n := copies[email]; {
		case n == 0:
			if o.lost == 0 {
				var status, sent, created string
				var attempts int
				require.NoError(t, db.QueryRow(`SELECT delivery_status, coalesce(sent_at::text, 'never'), send_attempts, created_at::text
					FROM invites WHERE id = $1`, latest[email]).Scan(&status, &sent, &attempts, &created))
				t.Logf("%s never got their current invitation %s (created %s): %s, sent %s, %d attempts", email, latest[email], created, status, sent, attempts)
				for id, state := range ids(t, db, `SELECT id::text || ' ' || kind || ' attempt ' || attempt || ' errors ' || coalesce(array_length(errors, 1), 0), state || ' ' || created_at::text
					FROM river_job WHERE args::text LIKE '%`+latest[email]+`%'`) {
					t.Logf("its job %s: %s", id, state)
				}
			}
			o.lost++
		case n > 1:
			o.duplicates += n - 1
		}
		o.maxCopies = max(o.maxCopies, copies[email])
	}
	return o
}

// ids maps the first column of query's rows to the second.
func ids(t testing.TB, db *sql.DB, query string) map[string]string {
	t.Helper()
	m := map[string]string{}
	rows, err := db.QueryContext(context.Background(), query)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var k, v string
		require.NoError(t, rows.Scan(&k, &v))
		m[k] = v
	}
	require.NoError(t, rows.Err())
	return m
}

// A bulk send killed at a random point with SIGKILL and finished by a
// restarted server: at most MAIL_BATCH_SIZE emails are sent twice (those
// of the one call whose answer the dead process never recorded, which is
// all it could have had unanswered), no one gets an outdated link or is
// left without their current one, and the dead process's emails are taken
// over within about a minute.
func TestKilledBulkSendIsFinishedWithinTheBound(t *testing.T) {
	t.Parallel()
	const users, bound = 1500, 50
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	o := crash(t, binarytest.Build(t), users, bound, rand.New(rand.NewPCG(seed, seed)))
	t.Logf("%+v", o)

	require.Zero(t, o.lost, "recipients whose current link was never mailed")
	require.Zero(t, o.superseded, "emails with a link that was no longer the recipient's")
	require.LessOrEqual(t, o.unconfirmed, bound, "invites left sending by the crash")
	require.LessOrEqual(t, o.duplicates, o.unconfirmed, "only unconfirmed recipients may be mailed twice")
	require.LessOrEqual(t, o.maxCopies, 2)
	require.Less(t, o.resent, 90*time.Second, "the dead process's unconfirmed emails were taken over within about a minute")
}

// BenchmarkCrashTradeoff measures what MAIL_BATCH_SIZE trades: provider
// calls per 10,000 recipients against emails sent twice after a SIGKILL at
// a random point of a 10,000-person bulk send. Each bound is crashed
// CRASH_RUNS times (default 3); a run takes about a minute and a half.
//
//	REQUIRE_POSTGRES=1 go test -run='^$' -bench=CrashTradeoff -benchtime=1x -timeout 2h -v ./internal/crashtest/
func BenchmarkCrashTradeoff(b *testing.B) {
	const users = 10_000
	runs := 3
	if n, err := strconv.Atoi(os.Getenv("CRASH_RUNS")); err == nil && n > 0 {
		runs = n
	}
	bin := binarytest.Build(b)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, bound := range []int{10, 50, 100, 250, 1000} {
		for run := range runs {
			o := crash(b, bin, users, bound, rng)
			b.Logf("MAIL_BATCH_SIZE=%d run %d: %d calls; killed after %d recipients; %d unconfirmed, %d sent twice (most copies %d), %d outdated, %d lost; unconfirmed sent again %.1f s after the kill, last email %.1f s",
				bound, run+1, o.calls, o.killedAfter, o.unconfirmed, o.duplicates, o.maxCopies, o.superseded, o.lost,
				o.resent.Seconds(), o.finished.Seconds())
		}
	}
}
