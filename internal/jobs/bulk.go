package jobs

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/invitedhq/invited/internal/logging"
)

// QueueBulk is the queue of bulk job batches. It is apart from the email
// queue so that a long import never holds up single invitations.
const QueueBulk = "bulk"

// InviteBatchEmailArgs is the job that emails invitations one batch of a
// bulk job created, as many as one provider call carries. It carries
// invite ids only: the links are rebuilt when it runs.
type InviteBatchEmailArgs struct {
	InviteIDs []uuid.UUID `json:"invite_ids"`
	// RequestID is the request that started the bulk job.
	RequestID string `json:"request_id,omitempty"`
}

// Kind names the job type in the queue.
func (InviteBatchEmailArgs) Kind() string { return "invite_email_batch" }

// InsertOpts retries like a single invitation's email.
func (InviteBatchEmailArgs) InsertOpts() river.InsertOpts {
	return InviteEmailArgs{}.InsertOpts()
}

type inviteBatchEmailWorker struct {
	river.WorkerDefaults[InviteBatchEmailArgs]
	q *Queue
}

// Work sends the batch; failures are handled as for a single invitation.
func (w *inviteBatchEmailWorker) Work(ctx context.Context, job *river.Job[InviteBatchEmailArgs]) error {
	ctx = logging.WithRequestID(ctx, job.Args.RequestID)
	err := w.q.work.Deliverer.DeliverInviteBatch(ctx, job.Args.InviteIDs)
	return w.q.sendOutcome(ctx, err, job.JobRow, "invites", len(job.Args.InviteIDs))
}

// NextRetry backs off like a single invitation's email.
func (w *inviteBatchEmailWorker) NextRetry(job *river.Job[InviteBatchEmailArgs]) time.Time {
	return time.Now().Add(w.q.backoff.Delay(job.Attempt))
}

// Timeout bounds one attempt, as for a single invitation.
func (w *inviteBatchEmailWorker) Timeout(*river.Job[InviteBatchEmailArgs]) time.Duration {
	return EmailTimeout
}

// JobBatchArgs is the job that processes the next batch of a bulk job.
// Each batch queues the next one in its own transaction, so a job of any
// size is a chain of short queue jobs: a restart loses at most the batch in
// flight, which rolls back and runs again.
type JobBatchArgs struct {
	JobID uuid.UUID `json:"job_id"`
	// RequestID is the request that started the bulk job: each batch
	// passes it on to the next and to the email jobs it queues.
	RequestID string `json:"request_id,omitempty"`
}

// Kind names the job type in the queue.
func (JobBatchArgs) Kind() string { return "bulk_job_batch" }

// InsertOpts keeps retrying a batch that fails for a passing reason
// (database restart, lock timeout) for about a day.
func (JobBatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueBulk, MaxAttempts: 50}
}

type jobBatchWorker struct {
	river.WorkerDefaults[JobBatchArgs]
	q *Queue
}

// Work runs one batch.
func (w *jobBatchWorker) Work(ctx context.Context, job *river.Job[JobBatchArgs]) error {
	ctx = logging.WithRequestID(ctx, job.Args.RequestID)
	err := w.q.work.Runner.RunJobBatch(ctx, job.Args.JobID)
	if err != nil {
		w.q.log.WarnContext(ctx, "bulk job batch failed, will retry", "job_id", job.Args.JobID, "attempt", job.Attempt,
			"request_id", job.Args.RequestID, "error", err)
	}
	return err
}

// NextRetry backs off like an email.
func (w *jobBatchWorker) NextRetry(job *river.Job[JobBatchArgs]) time.Time {
	return time.Now().Add(w.q.backoff.Delay(job.Attempt))
}

// Timeout bounds one batch (see BatchTimeout): one that runs out rolls
// back whole and runs again.
func (w *jobBatchWorker) Timeout(*river.Job[JobBatchArgs]) time.Duration { return BatchTimeout }
