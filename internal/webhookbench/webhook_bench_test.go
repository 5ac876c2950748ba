package webhookbench_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/config"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

const users = 10_000

// BenchmarkWebhooks runs, in one process on one PostgreSQL database:
//
//  1. delivery throughput: 10,000 invite.sent events recorded while no
//     worker runs, then the time from starting the workers to the local
//     receiver's 10,000th verified webhook;
//  2. the bulk resend of 10,000 users by an organization without an
//     endpoint and by one with an endpoint subscribed to every event, twice
//     each, alternating: the time from the 202 to the job's end, and for the
//     second to the last webhook received.
//
// A macro benchmark; run it once:
// REQUIRE_POSTGRES=1 go test -run='^$' -bench=Webhooks -benchtime=1x -timeout 30m -v ./internal/webhookbench/
func BenchmarkWebhooks(b *testing.B) {
	e := apitest.New(b, config.Postgres)
	ctx := context.Background()

	// 1. Throughput.
	org := e.Org()
	seed(b, e, org, "throughput")
	ep := e.WebhookEndpoint(org, "invite.sent")
	job, err := startResend(ctx, e, org)
	require.NoError(b, err)
	runJob(b, e, job) // the events are recorded by the job's batches; nothing delivers them yet
	require.Equal(b, users, e.Count("webhook_deliveries", "endpoint_id = ?", ep.ID))
	start := time.Now()
	e.StartWorkers()
	b.Cleanup(func() {
		if b.Failed() {
			b.Log(e.Logs.String())
		}
	})
	ep.Receiver.WaitFor(b, users, 10*time.Minute)
	elapsed := time.Since(start)
	b.ReportMetric(float64(users)/elapsed.Seconds(), "events/s")
	b.Logf("delivered %d webhooks in %s: %.0f events/s", users, elapsed.Round(time.Millisecond), float64(users)/elapsed.Seconds())

	// 2. Bulk resend with and without an endpoint.
	plain, hooked := e.Org(), e.Org()
	seed(b, e, plain, "plain")
	seed(b, e, hooked, "hooked")
	hookedEP := e.WebhookEndpoint(hooked)
	var without, with []time.Duration
	for round := range 2 {
		d, _ := timedResend(b, e, plain, nil)
		without = append(without, d)
		want := users*(round+1) + (round + 1) // invite.sent or .resent per user, and job.finished
		d, last := timedResend(b, e, hooked, func() { hookedEP.Receiver.WaitFor(b, want, 10*time.Minute) })
		with = append(with, d)
		b.Logf("round %d: bulk resend of %d users %s without an endpoint, %s with one (last webhook %s after the 202)",
			round+1, users, without[round].Round(time.Millisecond), d.Round(time.Millisecond), last.Round(time.Millisecond))
	}
	sum := func(ds []time.Duration) time.Duration {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return s
	}
	ratio := float64(sum(with)) / float64(sum(without))
	b.ReportMetric(ratio, "with/without")
	b.Logf("with an endpoint / without: %.2f", ratio)
}

// seed creates the users of org, invite-pending and never invited, through the importer.
func seed(b *testing.B, e *apitest.Env, org apitest.Org, prefix string) {
	b.Helper()
	rows := make([]people.ImportRow, users)
	for i := range rows {
		rows[i] = people.ImportRow{Row: i + 1, Email: fmt.Sprintf("%s%05d@example.com", prefix, i), FirstName: "Pat", LastName: fmt.Sprintf("No%d", i)}
	}
	_, job, err := e.Service.ImportUsers(context.Background(), people.Actor{User: org.Owner}, people.Import{Rows: rows, Format: "json"})
	require.NoError(b, err)
	runJob(b, e, job.ID)
}

func startResend(ctx context.Context, e *apitest.Env, org apitest.Org) (uuid.UUID, error) {
	_, job, err := e.Service.ResendInvites(ctx, people.Actor{User: org.Owner}, people.BulkResendRequest{Filter: &people.BulkFilter{}})
	return job.ID, err
}

// runJob works a job's batches in this goroutine.
func runJob(b *testing.B, e *apitest.Env, id uuid.UUID) {
	b.Helper()
	ctx := context.Background()
	for {
		require.NoError(b, e.Service.RunJobBatch(ctx, id))
		var state string
		require.NoError(b, e.DB.Gorm.Raw(`SELECT state FROM bulk_jobs WHERE id = ?`, id).Row().Scan(&state))
		if people.JobState(state).Finished() {
			return
		}
	}
}

// timedResend sends a bulk resend through the API and waits, with the
// workers running, for the job's end and then for delivered.
func timedResend(b *testing.B, e *apitest.Env, org apitest.Org, delivered func()) (job, last time.Duration) {
	b.Helper()
	start := time.Now()
	r := e.Post("/users/resend-invites", e.Token(org.Owner), map[string]any{"filter": map[string]any{}}).Expect(http.StatusAccepted)
	var accepted struct {
		Job struct {
			ID uuid.UUID `json:"id"`
		} `json:"job"`
	}
	r.JSON(&accepted)
	for {
		var state string
		require.NoError(b, e.DB.Gorm.Raw(`SELECT state FROM bulk_jobs WHERE id = ?`, accepted.Job.ID).Row().Scan(&state))
		if people.JobState(state).Finished() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	job = time.Since(start)
	if delivered != nil {
		delivered()
	}
	return job, time.Since(start)
}
