package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// ReminderSender sends the automatic reminders that are due.
type ReminderSender interface {
	// SendDueReminders sends due reminders, batch after batch, starting no
	// batch after the budget is spent; more says some are still due.
	SendDueReminders(ctx context.Context, budget time.Duration) (sent int, more bool, err error)
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
