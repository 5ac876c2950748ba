package reminderbench_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/store"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// due is how many of the pending people have a reminder due when the sweep runs.
const due = 10_000

// seeded loads spec into a fresh PostgreSQL database and returns its URL.
func seeded(b *testing.B, spec bench.Spec) (string, *bench.DataSet) {
	b.Helper()
	url := testdb.NewURL(b, config.Postgres)
	ds, err := bench.Generate(spec)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if err := bench.Load(ctx, conn, ds); err != nil {
		b.Fatal(err)
	}
	return url, ds
}

func spec(b *testing.B) bench.Spec {
	b.Helper()
	hash, err := auth.NewHasherWithParams(1, auth.Params{Memory: 1024, Time: 1, Threads: 1}).Hash(context.Background(), apitest.Password)
	if err != nil {
		b.Fatal(err)
	}
	return bench.DefaultSpec(time.Now(), hash)
}

// errRollback undoes what a plan's statements did.
var errRollback = errors.New("rolled back")

// BenchmarkReminderSweep loads an organization of 100,001 people, all
// invite-pending but the owner, next to 1,000 small tenants, and turns
// reminders on through the service: it times the policy change (the
// request's part) and then the reschedule of the 100,000 pending people it
// queues, run as its job runs it (pages of 1,000, in runs of the job's
// budget). It then schedules a reminder series for every pending person
// whose invitation was mailed and not reported undeliverable, with 10,000
// of them due now, and sends them with the email workers running and
// SendGrid's part played by the local fake: the benchmark's own sweep
// calls and the queue's periodic sweep, which runs beside them as a second
// replica's would, share the due people. It reports the time until the
// last reminder was recorded and until the fake accepted it, every
// reminder whoever sent it, every SendGrid call, and the plans of the
// statements that claim the due people and read a page of the reschedule.
// It is a macro benchmark: run it once with
//
//	go test -run '^$' -bench ReminderSweep -benchtime 1x -timeout 30m -v ./internal/reminderbench
func BenchmarkReminderSweep(b *testing.B) {
	s := spec(b)
	s.Users, s.PendingShare, s.DeactivatedShare = 100_001, 1, 0
	url, ds := seeded(b, s)
	ctx := context.Background()
	logLoad(b, "start")

	e := apitest.New(b, config.Postgres, apitest.Options{DatabaseURL: url})
	// The data set's links name a signing key of its own; a reminder that
	// mails a link again signs it anew, with the key the link names, so
	// they name the test environment's key ("t1", internal/apitest), as a
	// real deployment's name its own. Without this, every link mailed
	// again failed to sign and its email job retried until it gave up.
	if _, err := e.DB.SQL.ExecContext(ctx, `UPDATE invites SET key_id = 't1'`); err != nil {
		b.Fatal(err)
	}
	owner, err := e.Service.Authenticate(ctx, auth.Claims{UserID: ds.Owner.ID, OrgID: ds.Org.ID})
	if err != nil {
		b.Fatal(err)
	}
	policy := people.DefaultReminderPolicy()
	policy.Enabled = true
	enabling := time.Now()
	policy, err = e.Service.UpdateReminderPolicy(ctx, owner, policy)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("PUT /organization/reminders turning reminders on for 100,000 pending people (the request's part): %s",
		time.Since(enabling).Round(time.Millisecond))
	rescheduling, runs := time.Now(), 0
	for more := true; more; runs++ {
		if more, err = e.Service.RescheduleReminders(ctx, ds.Org.ID, policy.Revision, jobs.ReminderBudget); err != nil {
			b.Fatal(err)
		}
	}
	var scheduled int
	if err := e.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE organization_id = $1 AND next_reminder_at IS NOT NULL`,
		ds.Org.ID).Scan(&scheduled); err != nil {
		b.Fatal(err)
	}
	b.Logf("the reschedule job's work: %s in %d run(s) of %s budget, pages of 1,000; %d people given a next reminder",
		time.Since(rescheduling).Round(time.Millisecond), runs, jobs.ReminderBudget, scheduled)

	plans := claimPlans(b, url, ds)
	b.Logf("plans, generic, as the service's connections run them:\n%s", plans)
	e.StartWorkers()
	var live, expired int
	if err := e.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE i.expires_at - now() >= interval '48 hours'), count(*) FILTER (WHERE i.expires_at - now() < interval '48 hours')
		FROM users u JOIN invites i ON i.id = u.latest_invite_id WHERE u.next_reminder_at <= now()`).Scan(&live, &expired); err != nil {
		b.Fatal(err)
	}
	b.Logf("due: %d people, %d with a link of 48 hours or more (mailed again), %d whose link is closer to its end or past it (a fresh invitation)",
		live+expired, live, expired)

	b.ResetTimer()
	start := time.Now()
	mine, calls := 0, 0
	for {
		n, more, err := e.Service.SendDueReminders(ctx, jobs.ReminderBudget)
		if err != nil {
			b.Fatal(err)
		}
		mine, calls = mine+n, calls+1
		if !more {
			break
		}
	}
	// The queue's periodic sweep runs beside these calls on the same
	// database and claims its share; its last batch may still be on its
	// way when these calls find nothing left to claim. Wait for every due
	// person's reminder to reach the fake, then count every reminder,
	// whoever sent it.
	e.SendGrid.WaitForRecipients(b, due, 10*time.Minute)
	mailed := time.Since(start)
	b.StopTimer()
	var (
		sent      int
		lastSent  time.Time
		sweepJobs int
	)
	if err := e.DB.SQL.QueryRowContext(ctx, `SELECT count(*), max(created_at) FROM audit_events WHERE action = 'invite.reminded'`).
		Scan(&sent, &lastSent); err != nil {
		b.Fatal(err)
	}
	if err := e.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'reminder_sweep'`).
		Scan(&sweepJobs); err != nil {
		b.Fatal(err)
	}
	swept := lastSent.Sub(start)
	b.Logf("the benchmark's %d sweep call(s) sent %d reminders, the periodic job (%d job(s), each run again a second after its budget) %d",
		calls, mine, sweepJobs, sent-mine)

	idle := time.Now()
	if n, _, err := e.Service.SendDueReminders(ctx, 0); err != nil || n != 0 {
		b.Fatalf("a second sweep sent %d (%v)", n, err)
	}
	recipients := len(e.SendGrid.Recipients())
	b.Logf("sweep of %d due reminders: last one recorded %s after the start (%.0f reminders/s); last reminder accepted by the fake after %s; %d SendGrid calls carrying %d recipients; a sweep with nothing due: %s",
		sent, swept.Round(time.Millisecond), float64(sent)/swept.Seconds(), mailed.Round(time.Millisecond),
		e.SendGrid.Requests(), recipients, time.Since(idle).Round(time.Microsecond))
	logLoad(b, "end")
	b.ReportMetric(swept.Seconds(), "sweep-s")
	b.ReportMetric(mailed.Seconds(), "mailed-s")
	b.ReportMetric(float64(e.SendGrid.Requests()), "sendgrid-calls")
	if sent != due || recipients != due {
		b.Fatalf("sent %d reminders to %d recipients, want %d", sent, recipients, due)
	}
}

// logLoad logs the machine's load average, which the times depend on.
func logLoad(b *testing.B, when string) {
	b.Helper()
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average at the %s: %s", when, strings.TrimSpace(string(l)))
	}
}

// claimPlans explains the statements the store sends to claim a batch of
// due people, in a transaction rolled back.
func claimPlans(b *testing.B, url string, ds *bench.DataSet) string {
	b.Helper()
	ctx := context.Background()
	db, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	n, err := bench.ScheduleReminders(ctx, db.SQL, ds.Org.ID, due)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("scheduled %d people (every tenant's), %d due now", n, due)
	x, err := bench.NewExplainer(ctx, db, ds.Org.ID, ds.Owner.ID)
	if err != nil {
		b.Fatal(err)
	}
	st := store.New(db, nil)
	plans, err := x.Call(ctx, "reminder sweep", func(ctx context.Context, _ *people.Service, _ people.Actor) error {
		err := st.InTx(ctx, func(ctx context.Context) error {
			if _, err := st.ClaimDueReminders(ctx, time.Now(), 200); err != nil {
				return err
			}
			// A page of the reschedule a policy change queues, from the middle.
			var mid uuid.UUID
			if err := db.SQL.QueryRowContext(ctx, `SELECT id FROM users WHERE organization_id = $1 ORDER BY id OFFSET 50000 LIMIT 1`,
				ds.Org.ID).Scan(&mid); err != nil {
				return err
			}
			if _, err := st.PendingUsersAfter(ctx, ds.Org.ID, mid, 1000); err != nil {
				return err
			}
			return errRollback
		})
		if errors.Is(err, errRollback) {
			return nil
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	var out strings.Builder
	for _, p := range plans {
		out.WriteString(p.SQL + "\n" + p.Text + "\n")
	}
	return out.String()
}

// BenchmarkInvitationFunnel times GET /insights/invitations's service call
// over the benchmark data set (an organization of 100,000 people, 30 %
// pending, next to 1,000 small tenants), for each grouping, and logs its
// plans once.
//
//	go test -run '^$' -bench InvitationFunnel -count 3 -timeout 30m -v ./internal/reminderbench
func BenchmarkInvitationFunnel(b *testing.B) {
	url, ds := seeded(b, spec(b))
	ctx := context.Background()
	db, err := database.Open(ctx, url, database.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	x, err := bench.NewExplainer(ctx, db, ds.Org.ID, ds.Owner.ID)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range bench.Reports() {
		if !strings.HasPrefix(r.Path, "/insights/") {
			continue
		}
		plans, err := x.Call(ctx, r.Name, r.Call)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range plans {
			if strings.Contains(p.SQL, "first_invited_at") {
				b.Logf("%s (%s):\n%s\n%s", r.Name, r.Path, p.SQL, p.Text)
			}
		}
	}
	svc := people.NewService(people.Deps{Store: store.New(db, nil)})
	actor, err := svc.Authenticate(ctx, auth.Claims{UserID: ds.Owner.ID, OrgID: ds.Org.ID})
	if err != nil {
		b.Fatal(err)
	}
	for _, g := range []people.FunnelGrouping{"", "week", "inviter", "domain", "job"} {
		name := string(g)
		if name == "" {
			name = "total"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.InvitationFunnel(ctx, actor, people.FunnelParams{GroupBy: g}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
