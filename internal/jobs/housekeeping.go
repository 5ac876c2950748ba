package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
)

// DeliveryEventRetention is how long the ids of provider events are kept to
// recognize a redelivered webhook batch: SendGrid retries for 24 hours.
const DeliveryEventRetention = 7 * 24 * time.Hour

// WebhookRetention is how long a webhook delivery stays listed (and can be
// replayed) after it ended.
const WebhookRetention = 30 * 24 * time.Hour

// housekeepingArgs is the periodic job that forgets expired idempotency keys and
// old provider event ids.
type housekeepingArgs struct{}

func (housekeepingArgs) Kind() string { return "housekeeping" }

type housekeepingWorker struct {
	river.WorkerDefaults[housekeepingArgs]
	maint Maintainer
}

func (w *housekeepingWorker) Work(ctx context.Context, _ *river.Job[housekeepingArgs]) error {
	now := time.Now().UTC()
	if _, err := w.maint.PurgeIdempotencyKeys(ctx, now); err != nil {
		return err
	}
	if _, err := w.maint.PurgeDeliveryEvents(ctx, now.Add(-DeliveryEventRetention)); err != nil {
		return err
	}
	_, err := w.maint.PurgeWebhookHistory(ctx, now.Add(-WebhookRetention))
	return err
}

func housekeepingJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(6*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return housekeepingArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
