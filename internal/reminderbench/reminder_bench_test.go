package reminderbench_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/bench"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/database"
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
// invite-pending but the owner, next to 1,000 small tenants, schedules a
// reminder series for every pending person whose invitation was mailed and
// not reported undeliverable, with 10,000 of them due now, then runs the
// sweep as the periodic job does, with the email workers running and
// SendGrid's part played by the local fake. It reports the time of the
// sweep (claiming, sending or replacing each link, the audit and the email
// jobs, committed), the time until the fake accepted the last reminder,
// the SendGrid calls, and the plan of the statement that claims the due
// people. It is a macro benchmark: run it once with
//
//	go test -run '^$' -bench ReminderSweep -benchtime 1x -timeout 30m ./internal/reminderbench
func BenchmarkReminderSweep(b *testing.B) {
	s := spec(b)
	s.Users, s.PendingShare, s.DeactivatedShare = 100_001, 1, 0
	url, ds := seeded(b, s)
	ctx := context.Background()

	e := apitest.New(b, config.Postgres, apitest.Options{DatabaseURL: url})
	// Turning reminders on reschedules every pending person of the
	// organization from their last invitation.
	owner, err := e.Service.Authenticate(ctx, auth.Claims{UserID: ds.Owner.ID, OrgID: ds.Org.ID})
	if err != nil {
		b.Fatal(err)
	}
	policy := people.DefaultReminderPolicy()
	policy.Enabled = true
	enabling := time.Now()
	if _, err := e.Service.UpdateReminderPolicy(ctx, owner, policy); err != nil {
		b.Fatal(err)
	}
	b.Logf("PUT /organization/reminders turning reminders on for 100,000 pending people: %s", time.Since(enabling).Round(time.Millisecond))

	plans := claimPlans(b, url, ds)
	b.Logf("plan of the claim, generic, as the service's connections run it:\n%s", plans)
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
	sent, runs := 0, 0
	for {
		n, more, err := e.Service.SendDueReminders(ctx, 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		sent, runs = sent+n, runs+1
		if !more {
			break
		}
	}
	swept := time.Since(start)
	// The queue's own periodic sweep runs beside these calls on the same
	// database (as a second replica's would) and claims its share: count
	// every reminder, whoever sent it.
	mine := sent
	if err := e.DB.SQL.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'invite.reminded'`).Scan(&sent); err != nil {
		b.Fatal(err)
	}
	b.Logf("the benchmark's sweep calls sent %d reminders, the periodic job beside them %d", mine, sent-mine)
	e.SendGrid.WaitForRecipients(b, sent, 10*time.Minute)
	mailed := time.Since(start)
	b.StopTimer()

	idle := time.Now()
	if n, _, err := e.Service.SendDueReminders(ctx, 0); err != nil || n != 0 {
		b.Fatalf("a second sweep sent %d (%v)", n, err)
	}
	b.Logf("sweep of %d due reminders: %s in %d run(s) of the job (%.0f reminders/s); last reminder accepted by the fake after %s; %d SendGrid calls; a sweep with nothing due: %s",
		sent, swept.Round(time.Millisecond), runs, float64(sent)/swept.Seconds(), mailed.Round(time.Millisecond),
		e.SendGrid.Requests(), time.Since(idle).Round(time.Microsecond))
	b.ReportMetric(swept.Seconds(), "sweep-s")
	b.ReportMetric(mailed.Seconds(), "mailed-s")
	b.ReportMetric(float64(e.SendGrid.Requests()), "sendgrid-calls")
	if sent != due {
		b.Fatalf("sent %d reminders, want %d", sent, due)
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
//	go test -run '^$' -bench InvitationFunnel -count 6 -timeout 30m ./internal/reminderbench
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
