package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/invitedhq/invited/internal/logging"
)

// ReminderSender sends the automatic reminders that are due.
type ReminderSender interface {
	// SendDueReminders sends due reminders, batch after batch, starting no
	// batch after the budget is spent; more says some are still due.
	SendDueReminders(ctx context.Context, budget time.Duration) (sent int, more bool, err error)
	// RescheduleReminders reschedules an organization's invite-pending
	// people by a revision of its reminder policy, page after page,
	// starting no page after the budget is spent; more says some are left.
	RescheduleReminders(ctx context.Context, orgID uuid.UUID, revision int, budget time.Duration) (more bool, err error)
}

// ReminderBudget is how long one run of the reminder sweep starts batches:
// well within its job's timeout, so that a run ends on its own before the
// queue could take it for a dead replica's.
const ReminderBudget = 10 * time.Second

// reminderSweepArgs is the periodic job that sends the due reminders.
type reminderSweepArgs struct{}

func (reminderSweepArgs) Kind() string { return "reminder_sweep" }

type reminderSweepWorker struct {
	river.WorkerDefaults[reminderSweepArgs]
	q *Queue
}

// Work sends what is due; a run that leaves reminders due (thousands at
// once, after a downtime) snoozes briefly and goes on, rather than waiting
// a minute for the next run. Two runs at once (a rescued job, a change of
// leader) share the due reminders: each claims its own rows.
func (w *reminderSweepWorker) Work(ctx context.Context, _ *river.Job[reminderSweepArgs]) error {
	_, more, err := w.q.work.Reminders.SendDueReminders(ctx, ReminderBudget)
	if err == nil && more {
		return river.JobSnooze(time.Second)
	}
	return err
}

// reminderSweepJob runs every minute, inserted by one replica at a time (River's leader).
func reminderSweepJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return reminderSweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// ReminderRescheduleArgs is the job that reschedules an organization's
// invite-pending people after a change of its reminder policy. It is
// inserted in the change's own transaction, so no change is left without
// it; a run of a revision the policy has moved past ends at once (the
// newer revision's job does the work).
type ReminderRescheduleArgs struct {
	OrganizationID uuid.UUID `json:"organization_id"`
	Revision       int       `json:"revision"`
	// RequestID is the request that changed the policy.
	RequestID string `json:"request_id,omitempty"`
}

// Kind names the job type in the queue.
func (ReminderRescheduleArgs) Kind() string { return "reminder_reschedule" }

// InsertOpts runs it beside the bulk jobs' batches, and retries a run that
// fails for a passing reason (database restart, lock timeout) for about a day.
func (ReminderRescheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueBulk, MaxAttempts: 50}
}

type reminderRescheduleWorker struct {
	river.WorkerDefaults[ReminderRescheduleArgs]
	q *Queue
}

// Work reschedules pages for ReminderBudget, then snoozes to go on where
// the database says it stopped: each page is its own transaction, so a
// run cut short (a crash, a timeout) loses at most the page in flight.
func (w *reminderRescheduleWorker) Work(ctx context.Context, job *river.Job[ReminderRescheduleArgs]) error {
	ctx = logging.WithRequestID(ctx, job.Args.RequestID)
	more, err := w.q.work.Reminders.RescheduleReminders(ctx, job.Args.OrganizationID, job.Args.Revision, ReminderBudget)
	if err != nil {
		w.q.log.WarnContext(ctx, "reminder reschedule failed, will retry", "organization_id", job.Args.OrganizationID,
			"revision", job.Args.Revision, "attempt", job.Attempt, "error", err)
		return err
	}
	if more {
		return river.JobSnooze(0)
	}
	return nil
}

// NextRetry backs off like an email.
func (w *reminderRescheduleWorker) NextRetry(job *river.Job[ReminderRescheduleArgs]) time.Time {
	return time.Now().Add(w.q.backoff.Delay(job.Attempt))
}

// Timeout bounds one run: the budget and the page in flight when it ran out.
func (w *reminderRescheduleWorker) Timeout(*river.Job[ReminderRescheduleArgs]) time.Duration {
	return BatchTimeout
}

// EnqueueReminderReschedule queues the reschedule of orgID's reminders by
// the policy's revision in tx.
func (i *Inserter) EnqueueReminderReschedule(ctx context.Context, tx *sql.Tx, orgID uuid.UUID, revision int) error {
	return i.insert(ctx, tx, ReminderRescheduleArgs{OrganizationID: orgID, Revision: revision, RequestID: logging.RequestID(ctx)})
}
