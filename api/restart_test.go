package api_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/auth"
	"github.com/invitedhq/invited/internal/jobs"
	"github.com/invitedhq/invited/internal/people"
	"github.com/invitedhq/invited/internal/testdb"
	"github.com/invitedhq/invited/internal/testwait"
	"github.com/invitedhq/invited/internal/webhooks/webhooktest"
)

// A server stopped in the middle of a 5,000-user bulk resend, and a new one
// over the same database that resumes it: every user ends with exactly one
// live invitation, every link mailed works or was superseded by a later
// message to the same user, and only the batch in flight at the stop may
// have been mailed twice.
func TestBulkResendSurvivesRestart(t *testing.T) {
	t.Parallel()
	const users = 5000
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := testdb.NewURL(t, d)
			// The kill comes right after the second batch: the third may be in
			// flight, and the first batch's email may be too.
			hook := &stopAfterBatches{after: 2, reached: make(chan struct{})}
			first := apitest.New(t, d, apitest.Options{DatabaseURL: url, WrapJobRunner: func(r jobs.JobRunner) jobs.JobRunner {
				hook.JobRunner = r
				return hook
			}})
			org := first.Org()
			seedPending(t, first, org, users, "restart")
			job := accepted(t, first.Post("/users/resend-invites", org.OwnerToken, map[string]any{"filter": map[string]any{}}))
			require.Equal(t, users, job.Total)
			hook.job = job.ID
			first.StartWorkers()
			select {
			case <-hook.reached:
			case <-time.After(testwait.Deadline(60 * time.Second)):
				t.Fatal("the batches never ran")
			}
			// Work in flight is cancelled, not finished.
			stopCtx, cancel := context.WithTimeout(ctx, time.Millisecond)
			_ = first.Queue.Stop(stopCtx)
			cancel()
			var atStop api.Job
			first.Get("/jobs/"+job.ID.String()+"?items_limit=1", org.OwnerToken).Expect(http.StatusOK).JSON(&atStop)
			require.Less(t, atStop.Processed, users, "the stop came in the middle of the job")
			t.Logf("stopped after %d of %d users; %d messages sent", atStop.Processed, users, len(first.SendGrid.Messages()))

			second := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			second.StartWorkers()
			done := waitJob(t, second, org.OwnerToken, job.ID, 120*time.Second)
			require.Equal(t, "succeeded", done.State)
			require.Equal(t, users, done.Succeeded)

			// Wait for the emails of every batch.
			mailed := func() map[string]int {
				n := map[string]int{}
				for _, l := range linksOf(t, append(first.SendGrid.Messages(), second.SendGrid.Messages()...)) {
					n[l.email]++
				}
				return n
			}
			require.Eventually(t, func() bool { return len(mailed()) == users }, testwait.Deadline(120*time.Second), 50*time.Millisecond)

			// Exactly one live invitation per user.
			var open, pending int64
			require.NoError(t, second.DB.Gorm.Raw(`SELECT count(*) FROM invites WHERE organization_id = ? AND revoked_at IS NULL AND accepted_at IS NULL`, org.ID).Row().Scan(&open))
			require.NoError(t, second.DB.Gorm.Raw(`SELECT count(*) FROM users WHERE organization_id = ? AND status = 'invite_pending'`, org.ID).Row().Scan(&pending))
			require.Equal(t, int64(users), pending)
			require.Equal(t, pending, open)

			// Every link works, or a later message to the same user superseded it.
			links := linksOf(t, append(first.SendGrid.Messages(), second.SendGrid.Messages()...))
			last := map[string]int{}
			for i, l := range links {
				last[l.email] = i
			}
			batchOf := map[string]int{}
			for i, l := range links {
				_, err := second.Service.VerifyInvite(ctx, l.token)
				if last[l.email] == i {
					require.NoError(t, err, "the last link mailed to %s works", l.email)
					continue
				}
				require.ErrorContains(t, err, "no longer valid", "an earlier link to %s was superseded", l.email)
				inviteID, _, perr := auth.ParseInviteToken(l.token)
				require.NoError(t, perr)
				var pos int
				require.NoError(t, second.DB.Gorm.Raw(`SELECT position FROM bulk_job_items WHERE job_id = ? AND invite_id = ?`, job.ID, inviteID).Row().Scan(&pos))
				batchOf[l.email] = (pos - 1) / people.BulkBatchSize
			}
			// Only the batch in flight at the stop may have been mailed twice.
			batches := map[int]bool{}
			for email, n := range mailed() {
				require.LessOrEqual(t, n, 2, email)
				if n == 2 {
					batches[batchOf[email]] = true
				}
			}
			require.LessOrEqual(t, len(batches), 1, "users mailed twice all belong to one batch")
			t.Logf("%d users mailed twice", len(batchOf))
		})
	}
}

// stopAfterBatches runs bulk job batches and says when a number of one
// job's batches ran.
type stopAfterBatches struct {
	jobs.JobRunner
	job     uuid.UUID
	after   int32
	done    atomic.Int32
	reached chan struct{}
}

func (s *stopAfterBatches) RunJobBatch(ctx context.Context, jobID uuid.UUID) error {
	err := s.JobRunner.RunJobBatch(ctx, jobID)
	if err == nil && jobID == s.job && s.done.Add(1) == s.after {
		close(s.reached)
	}
	return err
}

// A server stopped while webhooks are queued and in flight, and a new one
// over the same database: every event is delivered, none is lost.
func TestWebhooksSurviveRestart(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			url := testdb.NewURL(t, d)
			first := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			org := first.Org()
			ep := first.WebhookEndpoint(org, "user.created", "invite.sent")
			var hang atomic.Bool
			hang.Store(true)
			inFlight := make(chan struct{}, 100)
			ep.Receiver.Respond(func(webhooktest.Received) webhooktest.Answer {
				if hang.Load() {
					inFlight <- struct{}{}
					return webhooktest.Answer{Status: http.StatusOK, Delay: time.Hour}
				}
				return webhooktest.Status(http.StatusOK)
			})
			const users = 30
			for i := range users {
				first.Post("/users", org.OwnerToken, map[string]any{"email": fmt.Sprintf("restart%02d@example.com", i)}).Expect(http.StatusCreated)
			}
			first.StartWorkers()
			select {
			case <-inFlight: // a request is held by the receiver: the kill comes mid-delivery
			case <-time.After(testwait.Deadline(20 * time.Second)):
				t.Fatal("no webhook was sent")
			}
			stopCtx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			_ = first.Queue.Stop(stopCtx)
			cancel()
			require.Empty(t, ep.Receiver.Accepted(), "nothing was delivered before the stop")

			hang.Store(false)
			second := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			second.StartWorkers()
			got := ep.Receiver.WaitFor(t, 2*users, 60*time.Second)
			ids := map[string]bool{}
			for _, r := range got {
				ids[r.ID] = true
			}
			require.Len(t, ids, 2*users, "every event arrived")
			require.Equal(t, 2*users, second.Count("webhook_events", "organization_id = ?", org.ID))
			require.Eventually(t, func() bool {
				return second.Count("webhook_deliveries", "organization_id = ? AND status = 'succeeded'", org.ID) == 2*users
			}, testwait.Deadline(20*time.Second), 20*time.Millisecond)
		})
	}
}
