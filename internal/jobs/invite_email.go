package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/invitedhq/invited/internal/logging"
	"github.com/invitedhq/invited/internal/mail"
	"github.com/invitedhq/invited/internal/metrics"
)

// InviteEmailArgs is the job that emails one invitation.
type InviteEmailArgs struct {
	InviteID uuid.UUID `json:"invite_id"`
	// RequestID is the request that queued the email, for the log lines
	// of the job.
	RequestID string `json:"request_id,omitempty"`
}

// Kind names the job type in the queue.
func (InviteEmailArgs) Kind() string { return "invite_email" }

// InsertOpts keeps retrying for longer than the longest invitation lives
// (30 days at one try an hour): an email is retried until it is accepted or
// its invite stops being live (R13), and then the job ends by itself.
func (InviteEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueEmail, MaxAttempts: 1000}
}

type inviteEmailWorker struct {
	river.WorkerDefaults[InviteEmailArgs]
	q *Queue
}

// Work sends the email. A refusal for good (a 4xx other than 429) ends the
// job, the invite already marked failed; a rate limit waits as long as the
// provider asked; anything else is retried with backoff.
func (w *inviteEmailWorker) Work(ctx context.Context, job *river.Job[InviteEmailArgs]) error {
	ctx = logging.WithRequestID(ctx, job.Args.RequestID)
	err := w.q.work.Deliverer.DeliverInvite(ctx, job.Args.InviteID)
	return w.q.sendOutcome(ctx, err, job.JobRow, "invite_id", job.Args.InviteID)
}

// sendOutcome turns a delivery error into the job's fate: a refusal for
// good cancels the job (the invites are already marked failed), a rate
// limit snoozes as long as the provider asked, anything else is retried
// with backoff. what names the email in the log; every line also names
// the queue job and the request that queued it.
func (q *Queue) sendOutcome(ctx context.Context, err error, job *rivertype.JobRow, what ...any) error {
	attempt := job.Attempt
	what = append(what, "queue_job_id", job.ID, "request_id", logging.RequestID(ctx))
	if err == nil {
		q.metrics.EmailAttempt(job.Kind, metrics.EmailSent)
		q.log.DebugContext(ctx, "invite email sent", append(what, "attempt", attempt, "queued_for", time.Since(job.CreatedAt))...)
		return nil
	}
	var w waiter
	if errors.As(err, &w) {
		// Not a failure either: the email waited its turn for too long
		// and goes back to the queue.
		q.metrics.EmailAttempt(job.Kind, metrics.EmailPutBack)
		q.log.DebugContext(ctx, "invite email put back in the queue", append(what, "reason", err.Error())...)
		return river.JobSnooze(w.WaitFor())
	}
	var me *mail.Error
	if errors.As(err, &me) {
		switch {
		case me.Permanent:
			q.metrics.EmailAttempt(job.Kind, metrics.EmailRefused)
			q.log.WarnContext(ctx, "invite email refused by provider", append(what, "status", me.StatusCode, "reason", me.Reason)...)
			return river.JobCancel(err)
		case me.RetryAfter > 0:
			// Snoozing does not use up an attempt: waiting out a rate limit
			// is not a failure. A little jitter keeps the emails that were
			// limited together from all coming back at the reset instant.
			q.metrics.EmailAttempt(job.Kind, metrics.EmailRateLimited)
			q.log.InfoContext(ctx, "invite email rate limited", append(what, "retry_after", me.RetryAfter)...)
			return river.JobSnooze(me.RetryAfter + jitter(me.RetryAfter/10))
		}
		q.log.WarnContext(ctx, "invite email failed, will retry", append(what, "attempt", attempt, "status", me.StatusCode, "reason", me.Reason)...)
	}
	q.metrics.EmailAttempt(job.Kind, metrics.EmailRetried)
	return err
}

// waiter is an outcome that asks the job to wait and come back, without
// using up an attempt.
type waiter interface {
	error
	WaitFor() time.Duration
}

// NextRetry backs off exponentially with jitter (Options.Backoff), so that
// a provider outage doesn't end in a thundering herd.
func (w *inviteEmailWorker) NextRetry(job *river.Job[InviteEmailArgs]) time.Time {
	return time.Now().Add(w.q.backoff.Delay(job.Attempt))
}

// Timeout bounds one attempt (see EmailTimeout).
func (w *inviteEmailWorker) Timeout(*river.Job[InviteEmailArgs]) time.Duration { return EmailTimeout }
