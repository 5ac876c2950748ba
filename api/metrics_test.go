package api_test

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/people"
)

// scrape reads GET /metrics into series → value; a series is its name and
// labels as the exposition writes them: name{a="x",b="y"}.
func scrape(t *testing.T, e *apitest.Env) map[string]float64 {
	t.Helper()
	r := e.Get("/metrics", "").Expect(http.StatusOK)
	series := map[string]float64{}
	for line := range strings.SplitSeq(string(r.Body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		series[line[:i]] = v
	}
	return series
}

// The operator's metrics move with what the service does: emails queued
// and their attempts by outcome, the queue's depth and oldest job, SendGrid
// events received and applied, outbound webhook attempts, bulk job items
// by outcome; the pool and the password hasher are there to watch.
func TestMetricsCountWhatTheServiceDoes(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		ep := e.WebhookEndpoint(org, "user.created")
		before := scrape(t, e)
		moved := func(now map[string]float64, series string) float64 { return now[series] - before[series] }
		const (
			queued    = `invited_email_jobs_queued_total{kind="invite_email"}`
			available = `invited_queue_jobs{queue="email",state="available"}`
			oldest    = `invited_queue_oldest_available_job_age_seconds{queue="email"}`
			sent      = `invited_email_job_attempts_total{kind="invite_email",outcome="sent"}`
			retried   = `invited_email_job_attempts_total{kind="invite_email",outcome="retried"}`
			refused   = `invited_email_job_attempts_total{kind="invite_email",outcome="refused"}`
			received  = `invited_delivery_events_received_total`
			applied   = `invited_delivery_events_applied_total`
			hooksOK   = `invited_webhook_delivery_attempts_total{outcome="succeeded"}`
		)
		require.Contains(t, before, available, "every queue's depth is there, at zero")
		require.Zero(t, before[available])
		require.Zero(t, before[oldest])

		// An invitation, queued while no worker runs.
		var ada, bob api.User
		e.Post("/users", org.OwnerToken, map[string]any{"email": "ada@example.com"}).Expect(http.StatusCreated).JSON(&ada)
		now := scrape(t, e)
		require.Equal(t, 1.0, moved(now, queued))
		require.Equal(t, 1.0, now[available], "it waits in the email queue")
		require.Eventually(t, func() bool { return scrape(t, e)[oldest] > 0 }, 10*time.Second, 5*time.Millisecond,
			"the oldest waits for a worker")

		// Its first attempt fails for a while, the second sends.
		e.SendGrid.FailNext(1, http.StatusServiceUnavailable)
		e.StartWorkers()
		e.WaitForInviteJobs(time.Minute)
		now = scrape(t, e)
		require.Equal(t, 1.0, moved(now, sent))
		require.Equal(t, 1.0, moved(now, retried))
		require.Zero(t, now[available])
		require.Zero(t, now[oldest])

		// Bob's address is refused for good.
		e.SendGrid.RefuseAddress("bob@example.com")
		e.Post("/users", org.OwnerToken, map[string]any{"email": "bob@example.com"}).Expect(http.StatusCreated).JSON(&bob)
		e.WaitForInviteJobs(time.Minute)
		now = scrape(t, e)
		require.Equal(t, 2.0, moved(now, queued))
		require.Equal(t, 1.0, moved(now, refused))
		require.Equal(t, 1.0, moved(now, sent))

		// SendGrid says Ada's email was delivered: received and applied. Said
		// again, the event is received but changes nothing.
		event := sendgridtest.Event{Type: sendgridtest.Delivered, EventID: "delivered-ada-1", InviteID: ada.Invite.ID.String(),
			OrganizationID: org.ID.String(), Timestamp: e.Clock.Now()}
		e.DeliveryEvents(event)
		e.DeliveryEvents(event)
		now = scrape(t, e)
		require.Equal(t, 2.0, moved(now, received))
		require.Equal(t, 1.0, moved(now, applied))

		// The two user.created webhooks reached the endpoint.
		ep.Receiver.WaitFor(t, 2, 20*time.Second)
		require.Eventually(t, func() bool { return moved(scrape(t, e), hooksOK) == 2 }, 20*time.Second, 10*time.Millisecond)

		// A bulk resend of both: its items are counted by outcome, as the job counts them.
		var accepted api.JobAccepted
		e.Post("/users/resend-invites", org.OwnerToken, map[string]any{"user_ids": []string{ada.ID.String(), bob.ID.String()}}).
			Expect(http.StatusAccepted).JSON(&accepted)
		job := waitJob(t, e, org.OwnerToken, accepted.Job.ID, time.Minute)
		now = scrape(t, e)
		for outcome, n := range map[people.ItemOutcome]int{people.ItemSucceeded: job.Succeeded, people.ItemSkipped: job.Skipped,
			people.ItemFailed: job.Failed} {
			require.Equal(t, float64(n), moved(now, `invited_bulk_job_items_total{kind="bulk_resend",outcome="`+string(outcome)+`"}`), outcome)
		}
		require.Equal(t, 2, job.Succeeded+job.Skipped+job.Failed)

		// Every metric is documented.
		doc, err := os.ReadFile("../docs/operations.md")
		require.NoError(t, err)
		for series := range now {
			name, _, _ := strings.Cut(series, "{")
			name = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if strings.HasPrefix(name, "invited_") || strings.HasPrefix(name, "go_sql_") {
				require.Contains(t, string(doc), "| `"+name+"` |", "docs/operations.md documents %s", name)
			}
		}

		// The pool and the hasher, read when scraped.
		require.Positive(t, now[`go_sql_max_open_connections{db_name="invited"}`])
		for _, s := range []string{`go_sql_in_use_connections{db_name="invited"}`, `go_sql_idle_connections{db_name="invited"}`,
			`go_sql_wait_count_total{db_name="invited"}`, `go_sql_wait_duration_seconds_total{db_name="invited"}`,
			`invited_password_hashes_in_flight`, `invited_password_hashes_waiting`} {
			require.Contains(t, now, s)
		}
	})
}
