package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/invitedhq/invited/api"
	"github.com/invitedhq/invited/internal/apitest"
	"github.com/invitedhq/invited/internal/mail/sendgridtest"
	"github.com/invitedhq/invited/internal/testdb"
)

// A provider that fails for a while is retried with backoff until it takes
// the message: one email arrives, the invite says "sent", and every attempt
// is on record (R13).
func TestTemporaryFailuresAreRetriedUntilSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   func(f *sendgridtest.Server)
		requests int
	}{
		// The client below gives up on a silent provider after a second.
		{name: "500 three times", script: func(f *sendgridtest.Server) { f.FailNext(3, http.StatusInternalServerError) }, requests: 4},
		{name: "503 twice", script: func(f *sendgridtest.Server) { f.FailNext(2, http.StatusServiceUnavailable) }, requests: 3},
		{name: "dropped connections", script: func(f *sendgridtest.Server) { f.DropNext(2) }, requests: 3},
		{name: "no answer", script: func(f *sendgridtest.Server) { f.HangNext(1) }, requests: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				tt.script(e.SendGrid)
				e.StartWorkers()
				created := newInvitee(t, e, org, "retry@example.com")

				msgs := e.SendGrid.WaitForMessages(t, 1, wait)
				job := e.WaitForInviteJobs(wait)[0]
				require.Len(t, e.SendGrid.Messages(), 1, "one email in the end")
				require.Equal(t, tt.requests, e.SendGrid.Requests())
				require.Equal(t, rivertype.JobStateCompleted, job.State)
				require.Equal(t, tt.requests, job.Attempt)
				require.Len(t, job.Errors, tt.requests-1, "each failed attempt is on the job's record")

				got := readUser(t, e, org, created.ID)
				require.Equal(t, "sent", got.Invite.Delivery.Status)
				require.Empty(t, got.Invite.Delivery.Reason, "the reason of the retries is gone once sent")
				require.Equal(t, tt.requests, got.Invite.Delivery.Attempts)
				require.Equal(t, http.StatusOK, accept(e, tokenOf(t, linkIn(t, msgs[0].Personalizations[0])), apitest.Password).Status)
			}, apitest.Options{SendGridTimeout: time.Second})
		})
	}
}

// During an outage the invite stays queued and says why, until the
// provider comes back.
func TestOutageShowsWhyTheInviteIsStillQueued(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		script func(f *sendgridtest.Server)
		reason string
	}{
		{"provider failing", func(f *sendgridtest.Server) { f.FailNext(sendgridtest.Always, http.StatusServiceUnavailable) },
			"retrying: Service Unavailable"},
		{"provider unreachable", func(f *sendgridtest.Server) { f.DropNext(sendgridtest.Always) },
			"retrying: could not reach SendGrid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				tt.script(e.SendGrid)
				e.StartWorkers()
				created := newInvitee(t, e, org, "outage@example.com")

				e.WaitForInviteJobsWhere(wait, "three failed attempts", func(js []apitest.InviteJob) bool {
					return len(js) == 1 && len(js[0].Errors) >= 3
				})
				got := readUser(t, e, org, created.ID)
				require.Equal(t, "queued", got.Invite.Delivery.Status)
				require.Equal(t, tt.reason, got.Invite.Delivery.Reason)
				require.GreaterOrEqual(t, got.Invite.Delivery.Attempts, 3)
				require.Empty(t, e.SendGrid.Messages())

				e.SendGrid.Reset() // the provider is back
				e.SendGrid.WaitForMessages(t, 1, wait)
				e.WaitForInviteJobs(wait)
				got = readUser(t, e, org, created.ID)
				require.Equal(t, "sent", got.Invite.Delivery.Status)
				require.Empty(t, got.Invite.Delivery.Reason)
			})
		})
	}
}

// A 429 snoozes the job until the limit resets, as the provider said, and
// the email goes out once it has.
func TestRateLimitWaitsForTheReset(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.SendGrid.RateLimitNextFor(1, 2*time.Second)
		e.StartWorkers()
		created := newInvitee(t, e, org, "limited@example.com")

		msg := e.SendGrid.WaitForMessages(t, 1, wait)[0]
		job := e.WaitForInviteJobs(wait)[0]
		arrivals := e.SendGrid.Arrivals()
		require.Len(t, arrivals, 2, "one refused request, one accepted")
		// X-RateLimit-Reset counts whole seconds.
		reset := time.Unix(arrivals[0].Add(2*time.Second).Unix(), 0)

		require.Equal(t, rivertype.JobStateCompleted, job.State)
		require.Equal(t, 1, job.Snoozes(), "the job waited once")
		require.Equal(t, 1, job.Attempt, "waiting out a rate limit does not use up an attempt")
		require.Empty(t, job.Errors, "nor is it a failure")
		require.False(t, job.ScheduledAt.Before(reset), "put off until %s, the limit reset at %s", job.ScheduledAt, reset)
		require.True(t, job.ScheduledAt.Before(reset.Add(time.Second)), "put off until %s, the limit reset at %s", job.ScheduledAt, reset)
		require.False(t, arrivals[1].Before(job.ScheduledAt), "retried at %s, due at %s", arrivals[1], job.ScheduledAt)
		require.False(t, msg.Received.Before(reset), "the email went out after the reset")

		got := readUser(t, e, org, created.ID)
		require.Equal(t, "sent", got.Invite.Delivery.Status)
		require.Empty(t, got.Invite.Delivery.Reason)
		require.Equal(t, 2, got.Invite.Delivery.Attempts)
	})
}

// A refusal for good (bad request, bad key, unverified sender, too large)
// fails the delivery with the provider's reason after one request: no retry
// storm. A resend then says what went wrong and sends normally.
func TestPermanentRefusalFailsTheDelivery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		reason string
	}{
		{http.StatusBadRequest, "The to email does not contain a valid address."},
		{http.StatusUnauthorized, "The provided authorization grant is invalid, expired, or revoked"},
		{http.StatusForbidden, "The from address does not match a verified Sender Identity."},
		{http.StatusRequestEntityTooLarge, "The request body is too large; it must be less than 30MB."},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
				org := e.Org()
				e.SendGrid.RejectNext(1, tt.status, tt.reason)
				e.StartWorkers()
				created := newInvitee(t, e, org, "refused@example.com")

				job := e.WaitForInviteJobs(wait)[0]
				require.Equal(t, rivertype.JobStateCancelled, job.State)
				require.Equal(t, 1, job.Attempt)
				require.Equal(t, 1, e.SendGrid.Requests(), "exactly one request")
				require.Empty(t, e.SendGrid.Messages())

				got := readUser(t, e, org, created.ID)
				require.Equal(t, "failed", got.Invite.Delivery.Status)
				require.Equal(t, tt.reason, got.Invite.Delivery.Reason)
				require.Equal(t, 1, got.Invite.Delivery.Attempts)
				require.Nil(t, got.Invite.LastSentAt)
				require.Contains(t, e.Logs.String(), "invite email refused by provider")

				// Still no second request: the job is over, not waiting.
				time.Sleep(100 * time.Millisecond)
				require.Equal(t, 1, e.SendGrid.Requests())

				r := resendFor(t, e, org, created.ID)
				require.Len(t, r.Warnings, 1)
				require.Equal(t, "previous_delivery_failed", r.Warnings[0].Code)
				require.Contains(t, r.Warnings[0].Message, tt.reason)
				e.SendGrid.WaitForMessages(t, 1, wait)
				e.WaitForInviteJobs(wait)
				require.Equal(t, "sent", readUser(t, e, org, created.ID).Invite.Delivery.Status)
			})
		})
	}
}

// When the provider took the message but the answer never came back (a
// network cut, or the worker died right after sending), the job runs again:
// the copy carries the same link, and that link works.
func TestLostAnswerResendsTheSameLink(t *testing.T) {
	t.Parallel()
	apitest.ForEachDialect(t, func(t *testing.T, e *apitest.Env) {
		org := e.Org()
		e.SendGrid.AcceptAndDropNext(1)
		e.StartWorkers()
		created := newInvitee(t, e, org, "twice@example.com")

		msgs := e.SendGrid.WaitForMessages(t, 2, wait)
		job := e.WaitForInviteJobs(wait)[0]
		require.Len(t, e.SendGrid.Messages(), 2)
		require.Equal(t, rivertype.JobStateCompleted, job.State)
		require.Equal(t, 2, job.Attempt)

		first, second := linkIn(t, msgs[0].Personalizations[0]), linkIn(t, msgs[1].Personalizations[0])
		require.Equal(t, first, second, "the duplicate carries the same link")
		require.Equal(t, msgs[1].ID, e.LatestInvite(e.UserByID(org, created.ID)).Delivery.MessageID,
			"the answer that arrived is the one on record")
		require.Equal(t, "sent", readUser(t, e, org, created.ID).Invite.Delivery.Status)

		// A job that runs again after the send was recorded (rescued after
		// a crash before River heard of its success) sends nothing more.
		require.NoError(t, e.Service.DeliverInvite(t.Context(), created.Invite.ID))
		require.Equal(t, 2, e.SendGrid.Requests())

		require.Equal(t, http.StatusOK, accept(e, tokenOf(t, first), apitest.Password).Status)
	})
}

// Emails queued while no worker runs (a crash, a deploy) are all sent by
// the next server that starts on the same database (R13).
func TestQueuedEmailsSurviveARestart(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			url := testdb.NewURL(t, d)
			before := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			org := before.Org()
			users := map[string]api.User{}
			for _, email := range []string{"one@example.com", "two@example.com", "three@example.com"} {
				users[email] = newInvitee(t, before, org, email)
			}
			require.Len(t, before.InviteJobs(), 3)
			require.Zero(t, before.SendGrid.Requests(), "no worker ran before the restart")

			after := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			after.StartWorkers()
			recipients := after.SendGrid.WaitForRecipients(t, 3, wait)
			for _, j := range after.WaitForInviteJobs(wait) {
				require.Equal(t, rivertype.JobStateCompleted, j.State)
			}
			require.Len(t, after.SendGrid.Recipients(), 3)
			for _, p := range recipients {
				u, ok := users[p.Email]
				require.True(t, ok, "mailed %s", p.Email)
				delete(users, p.Email)
				require.Equal(t, u.Invite.ID.String(), p.CustomArgs["invite_id"])
				require.Equal(t, http.StatusOK, accept(after, tokenOf(t, linkIn(t, p)), apitest.Password).Status)
			}
			require.Empty(t, users, "every queued invitation was sent")
		})
	}
}

// A server stopping while a send hangs hands the job back instead of
// losing it, the invite showing sending; the next server sends the email,
// and its link works.
func TestSendInterruptedByShutdownIsSentAfterRestart(t *testing.T) {
	t.Parallel()
	for _, d := range testdb.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			url := testdb.NewURL(t, d)
			before := apitest.New(t, d, apitest.Options{DatabaseURL: url, SendGridTimeout: time.Minute})
			before.SendGrid.HangNext(sendgridtest.Always)
			before.StartWorkers()
			org := before.Org()
			created := newInvitee(t, before, org, "interrupted@example.com")
			before.WaitForInviteJobsWhere(wait, "the send to hang", func([]apitest.InviteJob) bool {
				return before.SendGrid.Requests() == 1
			})

			// Shutdown gives running jobs a moment, then cancels them.
			ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer cancel()
			require.NoError(t, before.Queue.Stop(ctx))
			job := before.InviteJob(created.Invite.ID)
			require.Equal(t, rivertype.JobStateAvailable, job.State, "the job is handed back at once")
			require.Empty(t, job.Errors, "a shutdown is not the provider's failure")
			require.Empty(t, before.SendGrid.Messages())
			// The provider had the request and never answered: it may have
			// the message, so the attempt stays unconfirmed.
			require.Equal(t, "sending", readUser(t, before, org, created.ID).Invite.Delivery.Status)

			after := apitest.New(t, d, apitest.Options{DatabaseURL: url})
			after.StartWorkers()
			msg := after.SendGrid.WaitForMessages(t, 1, wait)[0]
			require.Equal(t, rivertype.JobStateCompleted, after.WaitForInviteJobs(wait)[0].State)
			require.Equal(t, "sent", readUser(t, after, org, created.ID).Invite.Delivery.Status)
			require.Equal(t, http.StatusOK, accept(after, tokenOf(t, linkIn(t, msg.Personalizations[0])), apitest.Password).Status)
		})
	}
}
