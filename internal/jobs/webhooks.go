package jobs

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// QueueWebhooks is the queue of webhook deliveries, apart from the emails
// and bulk jobs so that a slow receiver never holds up an invitation.
const QueueWebhooks = "webhooks"

// DefaultWebhookBackoff is the retry schedule of webhooks: 5 s, 10 s, 20 s…
// up to two hours between tries, each less a random part.
var DefaultWebhookBackoff = Backoff{Base: 5 * time.Second, Max: 2 * time.Hour}

// WebhookRun is what one delivery run leaves to do.
type WebhookRun struct {
	// Again: deliveries are due now, but the run's time was up.
	Again bool
	// Pending: a delivery waits for a retry, the first in Next.
	Pending bool
	Next    time.Duration
}

// WebhookDeliverer delivers webhooks and keeps them moving.
type WebhookDeliverer interface {
	// DeliverWebhooks sends an endpoint's due deliveries.
	DeliverWebhooks(ctx context.Context, endpointID uuid.UUID) (WebhookRun, error)
	// RecordExpiredInvites announces the invitations that expired.
	RecordExpiredInvites(ctx context.Context) (int, error)
	// QueueDueWebhooks queues a run for every endpoint with a delivery due.
	QueueDueWebhooks(ctx context.Context) error
}

// WebhookDeliveryArgs is the job that delivers to one endpoint what is
// due. Every change that records events queues one in its transaction;
// a run that leaves a retry pending schedules the next (At names it, so
// that runs scheduled for the same second are one).
type WebhookDeliveryArgs struct {
	EndpointID uuid.UUID `json:"endpoint_id"`
	At         int64     `json:"at,omitempty"`
}

// Kind names the job type in the queue.
func (WebhookDeliveryArgs) Kind() string { return "webhook_delivery" }

// InsertOpts puts the job on the webhook queue. A run that fails (the
// database is away) is retried; its deliveries keep their own schedule.
func (WebhookDeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: 50}
}

type webhookDeliveryWorker struct {
	river.WorkerDefaults[WebhookDeliveryArgs]
	q *Queue
}

// Work runs the deliveries, then queues the next run: at once when time
// ran out with deliveries due, or when the first pending retry is due.
// The next run is queued before this one ends, so a crash in between
// leaves a duplicate run, never none.
func (w *webhookDeliveryWorker) Work(ctx context.Context, job *river.Job[WebhookDeliveryArgs]) error {
	run, err := w.q.work.Webhooks.DeliverWebhooks(ctx, job.Args.EndpointID)
	if err != nil {
		w.q.log.WarnContext(ctx, "webhook delivery run failed, will retry", "endpoint_id", job.Args.EndpointID, "attempt", job.Attempt, "error", err)
		return err
	}
	switch {
	case run.Again:
		_, err = w.q.client.Insert(ctx, WebhookDeliveryArgs{EndpointID: job.Args.EndpointID}, nil)
	case run.Pending:
		at := time.Now().Add(run.Next).Truncate(time.Second).Add(time.Second)
		_, err = w.q.client.Insert(ctx, WebhookDeliveryArgs{EndpointID: job.Args.EndpointID, At: at.Unix()}, &river.InsertOpts{
			ScheduledAt: at,
			UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{rivertype.JobStateAvailable,
				rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}},
		})
	}
	return err
}

// NextRetry backs off like an email.
func (w *webhookDeliveryWorker) NextRetry(job *river.Job[WebhookDeliveryArgs]) time.Time {
	return time.Now().Add(w.q.backoff.Delay(job.Attempt))
}

// Timeout bounds a run: its own budget plus one request's timeout.
func (w *webhookDeliveryWorker) Timeout(*river.Job[WebhookDeliveryArgs]) time.Duration {
	return 2 * time.Minute
}

// EnqueueWebhookDeliveries queues a delivery run per endpoint in tx.
func (i *Inserter) EnqueueWebhookDeliveries(ctx context.Context, tx *sql.Tx, endpointIDs []uuid.UUID) error {
	params := make([]river.InsertManyParams, len(endpointIDs))
	for n, id := range endpointIDs {
		params[n] = river.InsertManyParams{Args: WebhookDeliveryArgs{EndpointID: id}}
	}
	_, err := i.client.InsertManyTx(ctx, tx, params)
	return err
}

// webhookSweepArgs is the periodic job that announces expired invitations
// and queues runs for due deliveries that lost theirs.
type webhookSweepArgs struct{}

func (webhookSweepArgs) Kind() string { return "webhook_sweep" }

type webhookSweepWorker struct {
	river.WorkerDefaults[webhookSweepArgs]
	q *Queue
}

func (w *webhookSweepWorker) Work(ctx context.Context, _ *river.Job[webhookSweepArgs]) error {
	if _, err := w.q.work.Webhooks.RecordExpiredInvites(ctx); err != nil {
		return err
	}
	return w.q.work.Webhooks.QueueDueWebhooks(ctx)
}

// webhookSweepJob runs every minute, on one replica at a time (River's leader).
func webhookSweepJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(time.Minute),
		func() (river.JobArgs, *river.InsertOpts) { return webhookSweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
